"""The market: the embedded snapshot (``snapshot``), fund look-through (``lookthrough``) and the
sleeve funds a rebalance moves toward (``sleeves``)."""
