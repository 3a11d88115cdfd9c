"""Asset classes, the US-equity part, blended and policy benchmarks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_holdings

from advisor.analytics.analysis import analyze
from advisor.cli import main
from advisor.errors import UsageError
from advisor.market import benchmark as bm

MIXED = {"AAPL": 200, "NVDA": 300, "SPY": 150, "AGG": 800, "TLT": 300, "GLD": 100}


def test_blend_is_the_weighted_sum_of_its_funds(market) -> None:  # noqa: ANN001
    b = bm.parse_benchmark("SPY:60,AGG:40", market)
    assert b.name == "SPY 60% / AGG 40%"
    assert b.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert b.weights["AGG"] == pytest.approx(0.4, abs=1e-12)  # a bond fund is its own row
    spy = market.benchmark.reindex(b.weights.index, fill_value=0.0) * 0.6
    stocks = b.stocks(market)
    assert np.allclose(stocks.to_numpy(), spy.reindex(stocks.index).to_numpy(), atol=1e-12)
    assert bm.parse_benchmark("SPY:0.6, AGG:0.4", market).weights.equals(b.weights)


def test_holding_the_blend_has_no_tracking_error(market) -> None:  # noqa: ANN001
    """A portfolio of SPY and AGG by value 60/40 measured against SPY:60,AGG:40."""
    spy, agg = (float(market.securities.at[t, "price"]) for t in ("SPY", "AGG"))
    h = make_holdings({"SPY": 600_000 / spy, "AGG": 400_000 / agg})
    a = analyze(h, market, benchmark="SPY:60,AGG:40")
    assert a.risk.tracking_error == pytest.approx(0.0, abs=1e-9)
    assert a.concentration.active_share == pytest.approx(0.0, abs=1e-9)


def test_bad_benchmarks_are_usage_errors(market) -> None:  # noqa: ANN001
    for text in ("NOPE", "SPY:abc", "SPY:60,NOPE:40", ""):
        with pytest.raises(UsageError):
            bm.parse_benchmark(text, market)


def test_policy_benchmark_follows_the_asset_mix(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings(MIXED), market)
    mix = a.asset_mix
    assert set(mix.index) == {"US equity", "US bonds", "Commodities and gold"}
    assert mix.sum() == pytest.approx(1.0)
    parts = dict(a.bench.components)
    assert parts["S&P 500"] == pytest.approx(mix["US equity"])
    assert parts["AGG"] == pytest.approx(mix["US bonds"])
    assert parts["GLD"] == pytest.approx(mix["Commodities and gold"])
    assert "asset mix" in a.bench.reason
    # an all-equity account keeps the S&P 500
    assert analyze(make_holdings({"AAPL": 10, "SPY": 10}), market).benchmark == "S&P 500"


def test_us_equity_part_is_the_analysis_of_those_positions_alone(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings(MIXED, cash=20_000), market)
    u = a.us_equity
    us = a.positions[a.positions["asset_class"] == "US equity"]
    assert u.weight == pytest.approx(us["weight"].sum())
    alone = analyze(make_holdings(us["shares"].to_dict()), market, benchmark="S&P 500")
    assert u.concentration.megacap_weight == pytest.approx(
        alone.concentration.megacap_weight, rel=1e-9
    )
    assert u.risk.tracking_error == pytest.approx(alone.risk.tracking_error, rel=1e-9)


def test_json_contract() -> None:
    r = CliRunner().invoke(main, ["analyze", "portfolios/model_weights.csv", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert [c["asset_class"] for c in d["asset_classes"]][0] == "US equity"
    assert abs(sum(c["weight"] for c in d["asset_classes"]) - 1) < 1e-9
    for key in ("weight", "concentration", "risk"):
        assert key in d["us_equity"]
    assert set(d["us_equity"]["concentration"]) == set(d["concentration"]) - {
        "megacap_list",
        "megacap_sources",
        "top_companies",
    }
    assert all("asset_class" in p for p in d["positions"])


def test_ten_percent_outside_us_equity_exactly_calls_for_the_policy_benchmark(market) -> None:  # noqa: ANN001
    """The rule is "10 % or more": an account at 90 % US equity gets the policy benchmark however
    its weights happened to add up in floating point; one just above 90 % keeps the S&P 500."""
    import pandas as pd

    from advisor.market.benchmark import default_benchmark

    for us in (0.9, 0.8999999999999999, 0.9000000000000001):
        b = default_benchmark(pd.Series({"US equity": us, "US bonds": 1 - us}), market)
        assert b.name != "S&P 500", us
    b = default_benchmark(pd.Series({"US equity": 0.9001, "US bonds": 0.0999}), market)
    assert b.name == "S&P 500"
