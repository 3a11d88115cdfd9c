"""``advisor plan``: the yearly tax budget holds, lots age between years, the JSON contract."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS

import advisor
from advisor.cli import main
from advisor.optimize.plan import applied, plan
from advisor.optimize.sales import lots_of

GROWTH = PORTFOLIOS / "growth_client.csv"


@pytest.fixture(scope="module")
def two_years(market):  # noqa: ANN001, ANN201
    h = advisor.read_holdings(GROWTH, market)
    return h, plan(h, market, years=2, max_tax_per_year=20_000.0)


def test_each_year_stays_within_the_tax_budget(two_years) -> None:  # noqa: ANN001
    _, p = two_years
    assert [str(y.trade_date.date()) for y in p.years] == ["2026-07-14", "2027-07-14"]
    for y in p.years:
        assert y.proposal.feasible
        assert y.figures["estimated_tax"] <= 20_000.0 + 1.0  # the check's tolerance
    first = p.years[0].figures
    assert first["megacap_weight"] < p.all_now.scope_before.concentration.megacap_weight
    c = p.comparison()
    assert c["plan_estimated_tax"] == pytest.approx(
        sum(y.figures["estimated_tax"] or 0 for y in p.years), abs=0.01
    )
    assert c["all_now_estimated_tax"] == p.all_now.tax.to_dict()["estimated_tax"]


def test_the_years_trades_are_applied_to_the_lots(two_years) -> None:  # noqa: ANN001
    """After year 1: the lots' shares per ticker are the positions' shares; purchases are new
    lots of the trade date at their cost; sold shares left their lots."""
    h, p = two_years
    y1 = p.years[0]
    after = applied(y1.proposal, h, y1.trade_date)
    lots = lots_of(after)
    per_ticker = lots.groupby("ticker")["shares"].sum()
    pos = after.positions["shares"].dropna()
    assert per_ticker.reindex(pos.index).to_numpy() == pytest.approx(pos.to_numpy())
    buys = y1.proposal.trades[y1.proposal.trades["side"] == "buy"]
    new = lots[lots["acquired"] == pd.Timestamp("2026-07-14")]
    assert set(new["ticker"]) == set(buys["ticker"])
    assert new["cost_basis"].sum() == pytest.approx(buys["amount"].sum())


def test_plan_cli_json_contract(tmp_path) -> None:  # noqa: ANN001
    r = CliRunner().invoke(main, ["plan", str(GROWTH), "--years", "1", "--max-tax-per-year",
                                  "30000", "--format", "json"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    year = d["plan"]["years"][0]
    for key in ("year", "trades", "megacap_weight", "tracking_error", "realized_gain",
                "estimated_tax"):  # fmt: skip
        assert key in year
    assert d["prices"].startswith("held at the snapshot")
    assert {"plan_estimated_tax", "all_now_estimated_tax"} <= set(d["comparison"])
