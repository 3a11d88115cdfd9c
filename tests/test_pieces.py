"""Sales drawn from pieces (tax lots per account), cheapest first: the numpy fill, and the
optimizer's piece variables, against plain computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.optimize.limits import Point
from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import Rebalancer
from advisor.optimize.pieces import Pieces
from advisor.optimize.problem import Account, problem_data

MEGA = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]


def _loop_fill(p: Pieces, sold: np.ndarray) -> np.ndarray:
    """The fill written as a loop: each asset's sale drawn from its pieces in order."""
    out = np.zeros(len(p))
    left = dict(enumerate(np.asarray(sold, float)))
    for k in range(len(p)):
        take = min(left[p.asset[k]], p.cap[k])
        out[k] = max(take, 0.0)
        left[p.asset[k]] -= out[k]
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 0.2), st.floats(-0.5, 0.9)),
                min_size=1, max_size=12),
       st.lists(st.floats(0, 0.5), min_size=4, max_size=4))  # fmt: skip
def test_fill_draws_cheapest_first(rows, sold) -> None:  # noqa: ANN001
    asset, cap, gain = (np.array(x) for x in zip(*rows, strict=True))
    p = Pieces.sorted(asset, cap, gain, 0.3 * np.clip(gain, 0, None),
                      np.full(len(asset), "", dtype=object), np.arange(len(asset)))  # fmt: skip
    s = np.array(sold)
    assert np.allclose(p.fill(s), _loop_fill(p, s))
    assert np.all(np.diff(p.tax)[np.diff(p.asset) == 0] >= 0)  # nondecreasing within an asset
    k = np.array([0, 1, 2, 3])
    assert np.allclose(p.along(p.tax, k, s), [p.tax[p.asset == i] @ p.fill(s)[p.asset == i]
                                              for i in k])  # fmt: skip


def test_a_sale_draws_from_the_tax_free_lot_first(market) -> None:  # noqa: ANN001
    """NVDA held in an IRA (no tax) and in a taxable account at a large gain: bringing the
    megacap weight down sells the IRA's shares first; the taxable lot is untouched while the IRA
    covers the sale, and the checks' gain and tax are the fill's."""
    assets = ["NVDA", "JPM", "RSP"]
    data = problem_data(assets, market, market.benchmark, market.megacap_companies(MEGA))
    w0 = np.array([0.60, 0.35, 0.0])
    pieces = Pieces.sorted(
        asset=[0, 0, 1], cap=[0.30, 0.30, 0.35], gain=[0.8, 0.8, 0.1],
        tax=[0.0, 0.238 * 0.8, 0.238 * 0.1], account=np.array(["ira", "taxable", "taxable"], object),
        lot=[0, 1, 2],
    )  # fmt: skip
    acct = Account(w0, 0.05, np.zeros(3), np.array([1.0, 0.35, 1.0]), np.zeros(3), 1e6,
                   pieces=pieces)  # fmt: skip
    mandate = Mandate(max_te=None, megacap_target=0.45, sleeve_mix="free", cost_bps=0.0)
    rb = Rebalancer(data, "cost", 0.0, {"max_megacap", "upper"}, pieces.asset)
    sol = rb.solve(acct, mandate)
    assert sol.status == "optimal"
    sold = np.clip(w0 - sol.w.to_numpy(), 0.0, None)
    fill = pieces.fill(sold)
    nvda_sold = sold[0]
    assert nvda_sold > 0.05
    assert fill[0] == pytest.approx(min(nvda_sold, 0.30), abs=1e-7)  # the IRA first
    assert fill[1] == pytest.approx(max(nvda_sold - 0.30, 0.0), abs=1e-7)
    point = Point.of(data, acct, sol.w.to_numpy(), sol.cash)
    assert point.tax == pytest.approx(float(pieces.tax @ fill))
    assert point.gain == pytest.approx(float(np.clip(pieces.gain, 0, None) @ fill))


def test_a_tax_budget_holds(market) -> None:  # noqa: ANN001
    """With NVDA only in the taxable account, a tax budget of 10,000 on a 1,000,000 account caps
    the sale at 10,000 / (0.238 x 0.8) / 1e6 of the account."""
    assets = ["NVDA", "RSP"]
    data = problem_data(assets, market, market.benchmark, market.megacap_companies(MEGA))
    w0 = np.array([0.95, 0.0])
    pieces = Pieces.sorted([0], [0.95], [0.8], [0.238 * 0.8], np.array(["t"], object), [0])
    acct = Account(w0, 0.05, np.zeros(2), np.ones(2), np.zeros(2), 1e6, pieces=pieces)
    mandate = Mandate(max_te=None, max_tax=10_000.0, objective="megacap", sleeve_mix="free",
                      cost_bps=0.0)  # fmt: skip
    sol = Rebalancer(data, "megacap", 0.0, {"max_tax"}, pieces.asset).solve(acct, mandate)
    assert sol.status == "optimal"
    assert sol.checks["max_tax"]["value"] == pytest.approx(10_000.0, abs=0.02)
    assert 0.95 - sol.w.iloc[0] == pytest.approx(10_000.0 / (0.238 * 0.8) / 1e6, rel=1e-5)
