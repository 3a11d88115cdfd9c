"""JSON output: ``json.dumps`` of a result's ``to_dict()`` (the contract other tools rely on).

The keys named in the issues are a contract; add keys freely, never rename. Numbers are raw
fractions (weights, returns, annualised risk) or money in the account currency.
"""

from __future__ import annotations

import json
from typing import Any

from advisor.market.snapshot import data_age


def dumps(result: Any) -> str:
    """The result's ``to_dict()`` (or a dict as it is) as indented JSON, with the market data's
    age (``market_data``: as_of, age_days, stale) next to ``as_of`` where the dict has none."""
    return json.dumps(with_market_data(result if isinstance(result, dict) else result.to_dict()),
                      indent=2)  # fmt: skip


def with_market_data(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with ``market_data`` inserted after its ``as_of`` (unchanged without ``as_of``)."""
    if "as_of" not in d or "market_data" in d:
        return d
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v
        if k == "as_of":
            out["market_data"] = data_age(v).to_dict()
    return out
