"""Output a person reads: plain words, one order, tables that fit 80 and 100 columns with every
headline number whole, the market data's age in every report."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from conftest import make_holdings

from advisor.optimize.optimizer import bound_names


def test_binding_bounds_in_plain_words() -> None:
    data = SimpleNamespace(
        assets=pd.Index(["NVDA", "QQQ", "RSP", "AAPL", "IJR"]),
        is_stock=np.array([True, False, False, True, False]),
    )
    account = SimpleNamespace(
        lo=np.array([0.10, 0.0, 0.0, 0.0, 0.05]),
        hi=np.array([1.0, 0.20, 0.10, 0.05, 1.0]),
        w0=np.array([0.10, 0.20, 0.0, 0.30, 0.0]),
    )
    w = np.array([0.10, 0.20, 0.10, 0.05, 0.05])
    assert bound_names(data, w, account) == [  # type: ignore[arg-type]
        "NVDA held at today's weight (--hold)",
        "QQQ restricted, not bought (--restrict)",
        "RSP at its sleeve cap (--sleeve-max)",
        "AAPL at the position cap (--max-position)",
        "IJR at its sleeve floor (--sleeve-min)",
    ]
    inside = np.array([0.12, 0.15, 0.05, 0.04, 0.06])  # every weight off its bounds
    assert bound_names(data, inside, account) == []  # type: ignore[arg-type]


def test_merged_overlay_says_why_and_prices_say_what_they_are(market) -> None:  # noqa: ANN001
    import advisor

    h = make_holdings({"NVDA": 300, "AAPL": 200, "JPM": 100}, cash=10_000.0)
    d = advisor.hedge(h, market, ["SPY", "QQQ", "put:SPY"]).to_dict()
    spy = next(x for x in d["hedges"] if x["instrument"] == "SPY" and x["same_as"])
    assert spy["label"] == "SPY beta = min-variance"
    assert any("SPY holds or tracks the S&P 500" in n for n in spy["notes"])
    put = next(x for x in d["hedges"] if x["instrument"] == "put:SPY")
    assert put["unit_price_is"] == "net premium per contract"
    assert spy["unit_price_is"] == "price per share"
    assert put["option"]["dividend_yield"] == market.dividend_yield("SPY") > 0
