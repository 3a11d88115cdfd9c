"""The analysis as a JSON-ready dict: raw fractions, annualised risk, money in account currency.

The keys named in the issues are a contract other tools rely on; add keys freely, never rename.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from advisor.analytics.analysis import Analysis

UNITS = {
    "weights": "fraction of total account value (0.25 = 25 %)",
    "risk": "annualised standard deviation of return, fraction (252 trading days)",
    "money": "account currency",
    "te_contributions": "Euler contributions, fractions; they add up to tracking_error",
}


def _num(x: Any) -> Any:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    return None if math.isnan(f) or math.isinf(f) else f


def _weights(s: pd.Series) -> dict[str, float | None]:
    return {str(k): _num(v) for k, v in s.items()}


def _side(df: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    return {
        str(k): {"weight": _num(r["weight"]), "benchmark_weight": _num(r["benchmark_weight"])}
        for k, r in df.iterrows()
    }


def analysis_dict(a: Analysis) -> dict[str, Any]:
    """Every figure of an :class:`Analysis`, JSON-serialisable."""
    c, r = a.concentration, a.risk
    positions = [
        {
            "ticker": str(t),
            "name": str(p["name"]),
            "kind": str(p["kind"]),
            "shares": _num(p["shares"]),
            "price": _num(p["price"]),
            "price_source": str(p["price_source"]),
            "value": _num(p["value"]),
            "weight": _num(p["weight"]),
        }
        for t, p in a.positions.iterrows()
    ]
    lt = a.lookthrough.securities
    return {
        "as_of": str(a.as_of.date()),
        "source": a.source,
        "benchmark": a.benchmark,
        "units": UNITS,
        "total_value": _num(a.total_value),
        "cash": {"value": _num(a.cash_value), "weight": _num(a.cash_weight)},
        "positions": positions,
        "concentration": {
            "megacap_weight": _num(c.megacap_weight),
            "benchmark_megacap_weight": _num(c.benchmark_megacap_weight),
            "megacaps": {
                t: {
                    "weight": _num(c.megacaps[t]),
                    "benchmark_weight": _num(c.benchmark_megacaps[t]),
                }
                for t in c.megacaps.index
            },
            "megacap_list": list(a.megacap_tickers),
            "megacap_sources": [
                {"company": str(c_), "holding": str(h), "weight": _num(w)}
                for c_, h, w in a.megacap_sources.itertuples(index=False)
            ],
            "top10_weight": _num(c.top10_weight),
            "benchmark_top10_weight": _num(c.benchmark_top10_weight),
            "hhi": _num(c.hhi),
            "benchmark_hhi": _num(c.benchmark_hhi),
            "effective_n": _num(c.effective_n),
            "benchmark_effective_n": _num(c.benchmark_effective_n),
            "max_company": c.max_company,
            "max_company_weight": _num(c.max_company_weight),
            "active_share": _num(c.active_share),
            "sectors": _side(c.sectors),
            "sizes": _side(c.sizes),
            "styles": _side(c.styles),
            "value_score": _num(c.value_score),
            "value_score_coverage": _num(c.value_score_coverage),
            "benchmark_value_score": _num(c.benchmark_value_score),
            "top_companies": [
                {
                    "ticker": str(row["ticker"]),
                    "name": str(row["name"]),
                    "weight": _num(row["weight"]),
                    "benchmark_weight": _num(row["benchmark_weight"]),
                }
                for _, row in a.companies[a.companies["weight"] > 0].head(25).iterrows()
            ],
        },
        "lookthrough": [{"ticker": str(t), "weight": _num(w)} for t, w in lt.items()],
        "lookthrough_unseen": _weights(a.lookthrough.unseen),
        "lookthrough_by_holding": [
            {"holding": str(h), "ticker": str(t), "weight": _num(w)}
            for h, t, w in a.lookthrough.by_holding.itertuples(index=False)
            if abs(w) >= 1e-4
        ],
        "risk": {
            "volatility": _num(r.volatility),
            "benchmark_volatility": _num(r.benchmark_volatility),
            "beta": _num(r.beta),
            "tracking_error": _num(r.tracking_error),
            "factor_tracking_error": _num(r.factor_te),
            "specific_tracking_error": _num(r.specific_te),
            "te_contributions": {
                "by_holding": _weights(r.te_by_holding),
                "by_group": _weights(r.te_by_group),
                "by_sector": _weights(r.te_by_sector),
            },
            "factor_exposures": {
                str(f): {k: _num(v) for k, v in row.items()}
                for f, row in r.active_exposures.iterrows()
            },
        },
        "warnings": list(a.warnings),
    }


def dumps(a: Analysis) -> str:
    return json.dumps(analysis_dict(a), indent=2)
