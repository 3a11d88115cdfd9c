"""Analytics: concentration (``concentration``), ex-ante risk (``risk``) and the two together on a
client's holdings (``analysis``)."""
