"""advisor: megacap concentration, look-through and tracking error of client portfolios.

Library entry points (imported lazily so that ``advisor --help`` starts fast)::

    from advisor.holdings.read import read_holdings
    from advisor.market.snapshot import load_market
    from advisor.analytics.analysis import analyze

    market = load_market()
    holdings = read_holdings("portfolios/growth_client.csv", market.known)
    result = analyze(holdings, market)
    result.concentration.megacap_weight, result.risk.tracking_error
"""

__version__ = "0.1.0"
