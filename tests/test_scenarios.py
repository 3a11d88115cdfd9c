"""Scenario maths: zero shock, linearity, the shocked group moves exactly as stated, replays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.errors import AdvisorError
from advisor.scenarios.shocks import (
    Shock,
    parse_shock,
    replay_returns,
    replay_window,
    shock_returns,
)

SLEEVES = {"equal-weight": "RSP", "small-cap": "IJR", "value": "VTV"}


@pytest.fixture(scope="module")
def mega(market):  # noqa: ANN001, ANN201
    return market.megacap_companies(["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"])


def test_parse_shock() -> None:
    assert parse_shock("megacaps=-30%") == Shock("megacaps", -0.30)
    assert parse_shock("AAPL = -0.2") == Shock("AAPL", -0.2)
    for bad in ("megacaps", "x=abc", "x=-120%"):
        with pytest.raises(AdvisorError):
            parse_shock(bad)


def test_zero_shock_moves_nothing(market, mega) -> None:  # noqa: ANN001
    r = shock_returns([Shock("megacaps", 0.0)], market, mega, SLEEVES).returns
    assert np.abs(r.to_numpy()).max() == 0.0


def test_returns_are_linear_in_the_shocks(market, mega) -> None:  # noqa: ANN001
    a = shock_returns(
        [Shock("megacaps", -0.1), Shock("small-cap", 0.04)], market, mega, SLEEVES
    ).returns
    b = shock_returns(
        [Shock("megacaps", -0.3), Shock("small-cap", 0.12)], market, mega, SLEEVES
    ).returns
    np.testing.assert_allclose(b.to_numpy(), 3 * a.to_numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "group", ["megacaps", "Information Technology", "small-cap", "AAPL", "QQQ"]
)
def test_shocked_group_moves_exactly_as_stated(market, mega, group: str) -> None:  # noqa: ANN001
    from advisor.scenarios.shocks import group_vector

    sc = shock_returns([Shock(group, -0.2)], market, mega, SLEEVES)
    _, vec, _ = group_vector(group, market, mega, SLEEVES)
    assert float(vec @ sc.returns.reindex(vec.index)) == pytest.approx(-0.2, rel=1e-10)


def test_factor_shock_and_dense_conditional_expectation(market, mega) -> None:  # noqa: ANN001
    sc = shock_returns([Shock("market", -0.1)], market, mega, SLEEVES)
    assert sc.factor_moves["market"] == pytest.approx(-0.1, rel=1e-12)
    # independent: E[r | a'r = m] = S a (a'S a)^-1 m with the dense covariance on a few names
    names = ["AAPL", "JPM", "XOM", "NVDA"]
    sc2 = shock_returns([Shock("AAPL", -0.1)], market, mega, SLEEVES)
    S = market.risk.dense(names)
    expected = S[:, 0] / S[0, 0] * -0.1
    np.testing.assert_allclose(sc2.returns[names].to_numpy(), expected, rtol=1e-10)


def test_no_propagation_moves_only_the_group(market, mega) -> None:  # noqa: ANN001
    sc = shock_returns([Shock("AAPL", -0.3)], market, mega, SLEEVES, propagate=False)
    assert sc.returns["AAPL"] == -0.3
    assert (sc.returns.drop("AAPL") == 0).all()


def test_unknown_group_is_a_clear_error(market, mega) -> None:  # noqa: ANN001
    with pytest.raises(AdvisorError, match="not a ticker"):
        shock_returns([Shock("bananas", -0.1)], market, mega, SLEEVES)


def test_replay_of_the_market_factor_is_spy(market) -> None:  # noqa: ANN001
    """SPY is the market factor: a unit market exposure replays SPY's own return exactly."""
    h = market.factor_returns()
    label, start, end = replay_window("covid", h)
    unit = pd.DataFrame({"market": [1.0]}, index=["unit"])
    returns, notes = replay_returns(unit, h, start, end)
    r = float(returns["unit"])
    window = h.loc[(h.index > start) & (h.index <= end), "market"]
    assert r == pytest.approx(float(np.prod(1 + window) - 1), rel=1e-12)
    assert -0.40 < r < -0.30 and not notes  # SPY fell about 34 % in the COVID crash
    with pytest.raises(AdvisorError):
        replay_window("1980-01-01:1981-01-01", h)
    with pytest.raises(AdvisorError):
        replay_window("not-a-replay", h)


def test_without_propagation_the_narrower_group_wins(market, mega) -> None:  # noqa: ANN001
    shocks = [Shock("NVDA", -0.4), Shock("Information Technology", -0.2)]
    r = shock_returns(shocks, market, mega, SLEEVES, propagate=False).returns
    assert r["NVDA"] == -0.4 and r["MSFT"] == -0.2 and r["JPM"] == 0.0
