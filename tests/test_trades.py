"""Whole-share rounding: never sell more than held, cash reconciles, the floor holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.optimize.trades import trade_list, whole_share_trades


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 8),
    seed=st.integers(0, 10_000),
    cash=st.floats(0, 50_000),
    floor=st.floats(0, 0.2),
    min_trade=st.sampled_from([0.0, 100.0, 2_000.0]),
)
def test_rounding_invariants(
    n: int, seed: int, cash: float, floor: float, min_trade: float
) -> None:
    rng = np.random.default_rng(seed)
    tickers = [f"T{i}" for i in range(n)]
    shares = pd.Series(rng.integers(0, 500, n).astype(float), index=tickers)
    prices = pd.Series(rng.uniform(5, 900, n), index=tickers)
    total = float((shares * prices).sum() + cash)
    if total <= 0:
        return
    raw = rng.dirichlet(np.ones(n + 1))
    target = pd.Series(
        raw[:n] * (1 - floor), index=tickers
    )  # the optimizer leaves >= floor in cash
    new, new_cash, _ = whole_share_trades(
        shares, prices, cash, target, total, cash_floor=floor, min_trade=min_trade
    )
    assert (new >= -1e-12).all()
    assert (new == new.round()).all()  # whole shares
    flows = float(((shares - new) * prices).sum())
    assert new_cash == pytest.approx(cash + flows, abs=1e-6)  # cash reconciles
    assert new_cash >= floor * total - 1e-6  # the floor holds
    trades = trade_list(shares, new, prices, pd.Series(dtype=float), 5.0)
    for row in trades[trades["side"] == "sell"].itertuples():
        assert row.shares <= shares[row.ticker] + 1e-12  # never sell more than held


def test_realized_gain_from_average_cost() -> None:
    before = pd.Series({"A": 100.0})
    after = pd.Series({"A": 40.0})
    t = trade_list(before, after, pd.Series({"A": 30.0}), pd.Series({"A": 2_000.0}), 10.0)
    row = t.iloc[0]
    assert row["side"] == "sell" and row["shares"] == 60
    assert row["realized_gain"] == pytest.approx(60 * (30.0 - 20.0))
    assert row["est_cost"] == pytest.approx(60 * 30.0 * 10 / 1e4)
