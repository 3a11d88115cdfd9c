"""Whole shares: every limit holds on the portfolio traded, sales never exceed the holding, held
tickers are never sold, restricted never bought, the minimum trade holds, cash reconciles, and
the custodian file says exactly what the JSON says."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_holdings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.optimize.limits import Point, check_all
from advisor.optimize.mandate import Mandate
from advisor.optimize.problem import Account, problem_data
from advisor.optimize.proposal import propose
from advisor.optimize.rounding import Book, round_to_shares
from advisor.optimize.trades import price_for, trade_list
from advisor.report.proposal import trades_csv

ASSETS = ["AAPL", "MSFT", "NVDA", "JPM", "QQQ", "RSP", "IJR", "VTV"]


@pytest.fixture(scope="module")
def data(market):  # noqa: ANN001, ANN201
    mega = market.megacap_companies(["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"])
    return problem_data(ASSETS, market, market.benchmark, mega)


def _case(market, seed: int, fractional: bool):  # noqa: ANN001, ANN202
    rng = np.random.default_rng(seed)
    n = len(ASSETS)
    prices = market.securities["price"].reindex(ASSETS).to_numpy()
    shares = np.where(rng.uniform(size=n) < 0.6, rng.integers(0, 400, n), 0).astype(float)
    if fractional:
        shares = np.where(shares > 0, shares + rng.choice([0.0, 0.4321, 0.9999], n), 0.0)
    value0 = shares * prices
    cash0 = float(rng.uniform(0, 50_000))
    total = float(value0.sum() + cash0)
    target = rng.dirichlet(np.ones(n + 1))[:n] * rng.uniform(0.9, 1.0)
    return shares, prices, value0, cash0, total, target


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    fractional=st.booleans(),
    floor=st.sampled_from([0.0, 0.02, 0.1]),
    min_trade=st.sampled_from([0.0, 500.0, 5_000.0]),
    hold=st.sampled_from([(), ("NVDA",), ("QQQ", "AAPL")]),
    restrict=st.sampled_from([(), ("RSP",)]),
)
def test_rounding_invariants(  # noqa: PLR0913
    market,
    data,
    seed,
    fractional,
    floor,
    min_trade,
    hold,
    restrict,  # noqa: ANN001
) -> None:
    shares, prices, value0, cash0, total, target = _case(market, seed, fractional)
    if total <= 0 or value0.sum() <= 0:
        return
    w0 = value0 / total
    held = np.isin(ASSETS, hold)
    barred = np.isin(ASSETS, restrict)
    account = Account(
        w0=w0, cash0=cash0 / total, lo=np.where(held, w0, 0.0), hi=np.where(barred, w0, 1.0),
        gain_rate=np.zeros(len(ASSETS)), total_value=total, cash_slack=prices.min() / total,
    )  # fmt: skip
    target = np.where(held, w0, np.where(barred, np.minimum(target, w0), target))
    mandate = Mandate(max_te=None, cash_floor=floor, cash_max=1.0, min_trade=min_trade)
    book = Book(shares, value0, prices, cash0, total, ~held, ~barred)
    r = round_to_shares(data, account, mandate, book, target)
    change = r.shares - shares
    assert (r.shares >= 0).all()
    assert (change[held] == 0).all()  # held: not even a fraction sold
    assert (change[barred] <= 0).all()  # restricted: never bought
    whole_ok = np.where(r.whole, r.shares == 0, np.isclose(change, r.delta, atol=1e-9))
    assert whole_ok.all()  # whole shares, or the whole holding
    money = np.abs(change) * prices
    assert ((money == 0) | (money >= min_trade - 1e-6)).all()  # no trade below the minimum
    assert r.cash == pytest.approx(cash0 - float((change * prices).sum()), abs=1e-6)
    if not r.broken:
        assert r.cash >= floor * total - 1e-6 * total
        point = Point.of(data, account, r.values / total, r.cash / total)
        assert all(c["holds"] for c in check_all(point, account, mandate).values())


def test_price_for_makes_quantity_times_price_equal_amount() -> None:
    for q, p in [(324.9999, 317.31234567), (67, 219.8099999), (1, 1234.5678), (0.4321, 99.99)]:
        amount = round(q * p, 2)
        shown = price_for(q, p, amount)
        assert round(q * shown, 2) == amount
        assert len(repr(shown).split(".")[-1]) <= 10


GROWTH = {"AAPL": 420, "NVDA": 650, "MSFT": 180, "AMZN": 300, "QQQ": 260, "JPM": 80}


def test_fractional_holding_sold_whole_and_csv_matches_json(market) -> None:  # noqa: ANN001
    h = make_holdings({**GROWTH, "AAPL": 420.4567}, cash=5000)
    p = propose(h, market, Mandate(objective="megacap", max_te=0.03, sleeve_mix="free"))
    assert p.status == "optimal", p.diagnostics
    trades = p.to_dict()["trades"]
    for t in trades:
        if t["whole_holding"]:
            assert t["shares"] == h.positions.at[t["ticker"], "shares"]
        else:
            assert isinstance(t["shares"], int)  # whole shares, no float noise
    aapl = next(t for t in trades if t["ticker"] == "AAPL")
    assert aapl["whole_holding"] and aapl["shares"] == 420.4567
    rows = list(csv.DictReader(io.StringIO(trades_csv(p))))
    assert len(rows) == len(trades)
    for row, t in zip(rows, trades, strict=True):
        assert row["Symbol"] == t["ticker"]
        assert float(row["Quantity"]) == t["shares"]  # exact, fractions included
        assert float(row["Price"]) == t["price"]
        assert float(row["Amount"]) == t["amount"]
        assert round(float(row["Quantity"]) * float(row["Price"]), 2) == float(row["Amount"])
        assert "e" not in row["Quantity"] and not row["Quantity"].endswith(".0")


def test_min_trade_and_hold_hold_on_every_trade(market) -> None:  # noqa: ANN001
    h = make_holdings({**GROWTH, "NVDA": 650.75}, cash=20_000)
    m = Mandate(
        objective="megacap", max_te=0.04, min_trade=2_500, hold=("NVDA",), sleeve_mix="free"
    )
    p = propose(h, market, m)
    assert p.status == "optimal", p.diagnostics
    assert (p.trades["amount"] >= 2_500).all()
    assert "NVDA" not in set(p.trades["ticker"])
    assert p.after.positions.at["NVDA", "shares"] == 650.75


def test_realized_gain_from_average_cost() -> None:
    book = Book(
        shares0=np.array([100.0]), value0=np.array([3_000.0]), prices=np.array([30.0]),
        cash0=0.0, total=3_000.0, may_sell=np.array([True]), may_buy=np.array([True]),
    )  # fmt: skip

    class R:
        delta = np.array([-60])
        whole = np.array([False])

    t = trade_list(pd.Index(["A"]), book, R(), pd.Series({"A": 2_000.0}), 10.0)  # type: ignore[arg-type]
    row = t.iloc[0]
    assert row["side"] == "sell" and row["shares"] == 60 and not row["whole_holding"]
    assert row["realized_gain"] == pytest.approx(60 * (30.0 - 20.0))
    assert row["est_cost"] == pytest.approx(60 * 30.0 * 10 / 1e4)
    assert math.isclose(row["amount"], 1_800.0)


def test_vectorised_excess_matches_the_limits_own_measures(market, data) -> None:  # noqa: ANN001
    """The greedy's fast guide (closed-form excess after each one-asset move) equals the sum of
    the limits' excesses measured exactly after making the move."""
    from advisor.optimize.limits import excesses
    from advisor.optimize.rounding import _Excess

    rng = np.random.default_rng(3)
    n = len(ASSETS)
    w0 = rng.dirichlet(np.ones(n)) * 0.97
    account = Account(
        w0=w0, cash0=0.03, lo=np.where(np.arange(n) == 2, w0, 0.0), hi=np.full(n, 0.3),
        gain_rate=rng.uniform(0, 0.5, n), total_value=1e6,
    )  # fmt: skip
    mandate = Mandate(
        max_te=0.02, max_turnover=0.1, max_megacap=0.2, max_company=0.05, sector_band=0.02,
        max_realized_gain=1_000, cash_floor=0.01,
    )  # fmt: skip
    ex = _Excess(data, account, mandate)
    w = w0 + rng.normal(0, 0.02, n)
    c = 1 - w.sum()
    idx = rng.integers(0, n, 40)
    a = rng.normal(0, 0.01, 40)
    fast = ex.after(w, c, idx, a)
    for j in range(40):
        w2 = w.copy()
        w2[idx[j]] += a[j]
        exact = sum(excesses(Point.of(data, account, w2, c - a[j]), account, mandate).values())
        assert fast[j] == pytest.approx(exact, rel=1e-9, abs=1e-12), j
