"""Scenarios: shocks and replays (``shocks``), scenario files (``files``), their effect on
portfolios (``whatif``), option pricing (``options``) and hedges (``hedging``)."""
