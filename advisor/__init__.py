"""advisor: megacap concentration, look-through, tracking error, rebalances and hedges.

The public API, one import for a notebook::

    import advisor

    market = advisor.load_market()                       # the embedded snapshot
    holdings = advisor.read_holdings("portfolios/growth_client.csv", market)
    analysis = advisor.analyze(holdings, market)
    analysis.concentration.megacap_weight, analysis.risk.tracking_error
    proposal = advisor.propose(holdings, market, advisor.Mandate(max_te=0.04))
    proposal.to_frame()                                  # the trade list
    scenarios = advisor.what_if(holdings, market, proposal=proposal)
    hedges = advisor.hedge(holdings, market, ["SPY", "put:SPY"])
    hedges.to_dict()                                     # exactly the CLI's JSON

Every result has ``to_dict()`` (the JSON contract of the matching command) and, where it is a
table, ``to_frame()``. ``market`` may be left out everywhere (the embedded snapshot is used).
Names are imported on first use, so ``advisor --help`` starts fast.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

__version__ = "0.1.0"

#: Public name -> (module, attribute) it is imported from on first use.
_EXPORTS: dict[str, tuple[str, str]] = {
    # data
    "load_market": ("advisor.market.snapshot", "load_market"),
    "Market": ("advisor.market.snapshot", "Market"),
    "Holdings": ("advisor.domain", "Holdings"),
    "Household": ("advisor.holdings.household", "Household"),
    "AccountType": ("advisor.domain", "AccountType"),
    "LOT_COLUMNS": ("advisor.domain", "LOT_COLUMNS"),
    "ACCOUNT_COLUMNS": ("advisor.domain", "ACCOUNT_COLUMNS"),
    "SLEEVES": ("advisor.market.sleeves", "SLEEVES"),
    "DEFAULT_MEGACAPS": ("advisor.market.snapshot", "DEFAULT_MEGACAPS"),
    # analysis
    "analyze": ("advisor.analytics.analysis", "analyze"),
    "Analysis": ("advisor.analytics.analysis", "Analysis"),
    # proposals
    "Mandate": ("advisor.optimize.mandate", "Mandate"),
    "Objective": ("advisor.optimize.mandate", "Objective"),
    "propose": ("advisor.optimize.proposal", "propose"),
    "Proposal": ("advisor.optimize.proposal", "Proposal"),
    "Status": ("advisor.optimize.optimizer", "Status"),
    "frontier": ("advisor.optimize.frontier", "frontier"),
    "Frontier": ("advisor.optimize.frontier", "Frontier"),
    # scenarios and hedges
    "what_if": ("advisor.scenarios.whatif", "what_if"),
    "WhatIf": ("advisor.scenarios.whatif", "WhatIf"),
    "Scenario": ("advisor.scenarios.shocks", "Scenario"),
    "Shock": ("advisor.scenarios.shocks", "Shock"),
    "REPLAYS": ("advisor.scenarios.shocks", "REPLAYS"),
    "replays": ("advisor.scenarios.shocks", "replays"),
    "default_scenarios": ("advisor.scenarios.whatif", "default_scenarios"),
    "build_scenarios": ("advisor.scenarios.whatif", "build_scenarios"),
    "load_scenarios": ("advisor.scenarios.files", "load_scenarios"),
    "hedge": ("advisor.scenarios.hedging", "hedge"),
    "HedgeReport": ("advisor.scenarios.hedging", "HedgeReport"),
    "OptionTerms": ("advisor.scenarios.instruments", "OptionTerms"),
    "parse_instrument": ("advisor.scenarios.instruments", "parse_instrument"),
    # the proposal back-tested out of sample (needs the raw market data)
    "backtest": ("advisor.scenarios.backtest", "backtest"),
    "Backtest": ("advisor.scenarios.backtest", "Backtest"),
    # errors
    "AdvisorError": ("advisor.errors", "AdvisorError"),
    "InputError": ("advisor.errors", "InputError"),
    "UsageError": ("advisor.errors", "UsageError"),
    "DataError": ("advisor.errors", "DataError"),
}
#: Wings a notebook may reach as attributes (``advisor.hedging.METHODS``).
_MODULES = {"hedging": "advisor.scenarios.hedging", "units": "advisor.units"}

__all__ = sorted([*_EXPORTS, "read_holdings", "read_household", "__version__"])

if TYPE_CHECKING:
    from advisor.domain import Holdings
    from advisor.holdings.household import Household
    from advisor.market.snapshot import Market


def read_holdings(
    path: str | os.PathLike[str],
    market: Market | Collection[str] | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    unknown: Literal["error", "cash", "skip"] = "error",
) -> Holdings:
    """Read a custodian export (CSV or XLSX) against the snapshot's tickers.

    ``market`` is the snapshot (default: the embedded one) or a collection of known tickers;
    see :func:`advisor.holdings.read.read_holdings` for ``mapping`` and ``unknown``.
    """
    from advisor.holdings.read import read_holdings as read
    from advisor.market.snapshot import Market, load_market

    market = load_market() if market is None else market
    if isinstance(market, Market):
        prices, names = market.cached("reader_facts", lambda: _reader_facts(market))
        return read(path, market.known, mapping=mapping, unknown=unknown, prices=prices,
                    names=names, mutual_funds=market.mutual_fund_label)  # fmt: skip
    return read(path, market, mapping=mapping, unknown=unknown)


def _reader_facts(market: Any) -> tuple[Mapping[str, float], Mapping[str, str]]:
    """The snapshot's price and name of every ticker, as read-only mappings (built once per
    snapshot: a book reads thousands of files)."""
    from types import MappingProxyType

    import numpy as np

    sec = market.securities
    tickers = sec.index.to_numpy(object)
    price = sec["price"].to_numpy(float)
    known = ~np.isnan(price)
    prices = dict(zip(tickers[known], price[known].tolist(), strict=True))
    names = dict(zip(tickers, sec["name"].to_numpy(object), strict=True))
    return MappingProxyType(prices), MappingProxyType(names)


def read_household(
    path_or_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    market: Market | Collection[str] | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    unknown: Literal["error", "cash", "skip"] = "error",
) -> Household:
    """Read a household: a YAML file listing its accounts, a folder of exports, or several files.

    Each file is read as :func:`read_holdings` reads it (same ``market``, ``mapping`` and
    ``unknown``); see :func:`advisor.holdings.household.read_household`. The result's
    ``holdings`` is one :class:`Holdings` for the whole household, with ``lots`` and
    ``accounts`` per account.
    """
    from advisor.holdings.household import read_household as read
    from advisor.market.snapshot import load_market

    market = load_market() if market is None else market
    return read(path_or_paths, lambda p: read_holdings(p, market, mapping=mapping, unknown=unknown))


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attr = _EXPORTS[name]
        value = getattr(importlib.import_module(module), attr)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
