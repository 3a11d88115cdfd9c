"""Hedges: a fund hedged with itself, beta and minimum-variance ratios checked independently,
futures and option sizing, and scenario payoffs worked by hand."""

from __future__ import annotations

import pytest
from conftest import PORTFOLIOS

from advisor.analytics.analysis import analyze
from advisor.errors import AdvisorError
from advisor.market.lookthrough import risk_vector, unit_vector
from advisor.market.sleeves import SLEEVES, resolve_sleeves
from advisor.scenarios.hedging import hedge
from advisor.scenarios.instruments import FUTURES, OptionTerms, parse_instrument
from advisor.scenarios.options import OptionInputs, put_price
from advisor.scenarios.shocks import Scenario, Shock
from advisor.scenarios.whatif import what_if
from tests.conftest import make_holdings

CLIENT = {"NVDA": 900, "AAPL": 500, "MSFT": 200, "QQQ": 300, "JPM": 150, "IWM": 100}
SCENARIOS = [Scenario("sell-off", (Shock("megacaps", -0.3),))]


def run(a, market, *specs: str, **kw):  # noqa: ANN001, ANN201
    w = what_if(a, market, SCENARIOS, sleeves=resolve_sleeves(list(SLEEVES)))
    inst = [parse_instrument(s, market, 0.9, 1.1) for s in specs]
    return hedge(w, market, inst, **kw).hedges


@pytest.fixture(scope="module")
def client(market):  # noqa: ANN001, ANN201
    return analyze(make_holdings(CLIENT, cash=5000.0), market)


def test_hedging_a_fund_with_itself_leaves_no_risk(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"QQQ": 400}), market)
    (h,) = run(a, market, "QQQ", methods=["min-variance"])
    assert h.ratio == pytest.approx(1.0, rel=1e-12)
    assert h.units == -400
    assert h.volatility_after < 1e-7
    assert h.scenario_returns["sell-off"] == pytest.approx(0.0, abs=1e-12)


def test_beta_hedge_leaves_beta_near_zero(client, market) -> None:  # noqa: ANN001
    for spec in ("SPY", "QQQ", "XLK"):
        (h,) = run(client, market, spec, methods=["beta"])
        # whole shares: one share of the ETF is under 0.1 % of this account
        assert abs(h.beta_after) < 2e-3, (spec, h.beta_after)


def test_ratios_match_a_dense_covariance(client, market) -> None:  # noqa: ANN001
    """Independent: beta, minimum-variance and minimum-TE ratios from the dense covariance."""
    w = risk_vector(client.lookthrough, client.positions["weight"])
    b = market.benchmark
    u = unit_vector("QQQ", market)
    names = sorted(set(w.index) | set(b.index) | set(u.index))
    S = market.risk.dense(names)
    W, Bv, U = (x.reindex(names, fill_value=0.0).to_numpy() for x in (w, b, u))
    expected = {
        "beta": (W @ S @ Bv) / (U @ S @ Bv),
        "min-variance": (W @ S @ U) / (U @ S @ U),
        "min-tracking-error": ((W - Bv) @ S @ U) / (U @ S @ U),
    }
    for h in run(client, market, "QQQ"):
        assert h.ratio == pytest.approx(expected[h.method], rel=1e-9), h.method
    # the minimum-variance hedge is the variance minimum: nudging it either way adds risk
    h = expected["min-variance"]
    var = [(W - k * U) @ S @ (W - k * U) for k in (h - 0.01, h, h + 0.01)]
    assert var[1] < var[0] and var[1] < var[2]


def test_megacap_target_hedges_only_the_megacap_exposure(client, market) -> None:  # noqa: ANN001
    whole = run(client, market, "QQQ", methods=["beta"])[0]
    mega = run(client, market, "QQQ", methods=["beta"], target="megacaps")[0]
    assert 0 < mega.ratio < whole.ratio
    assert mega.target == "megacaps"


def test_futures_are_sized_in_contracts(client, market) -> None:  # noqa: ANN001
    (h,) = run(client, market, "MES", methods=["beta"])
    spy = float(market.securities.at["SPY", "price"])
    assert h.unit_price == pytest.approx(spy * FUTURES["MES"].index_per_share * 5)
    assert h.units == -round(h.ratio * client.total_value / h.unit_price)
    (q,) = run(client, market, "MES", methods=["beta"], prices={"MES": 6000})
    assert q.unit_price == 30000 and not q.notes


def test_protective_put_premium_and_payoff(client, market) -> None:  # noqa: ANN001
    terms = OptionTerms(years=0.25, vol=0.2, rate=0.04, dividend_yield=0.0)
    (h,) = run(client, market, "put:SPY@90%", terms=terms)
    spy = float(market.securities.at["SPY", "price"])
    premium = put_price(OptionInputs(spy, 0.9 * spy, 0.25, 0.04, 0.2))
    assert h.units == round(h.ratio * client.total_value / (100 * spy))
    assert h.cost == pytest.approx(h.units * 100 * premium, rel=1e-12)
    # by hand: SPY's move in the scenario, the put's payoff at expiry, less the premium
    w = what_if(client, market, SCENARIOS, sleeves=resolve_sleeves(list(SLEEVES))).results[0]
    u = unit_vector("SPY", market)
    spy_move = float(u @ w.move.returns.reindex(u.index))
    payoff = max(0.9 * spy - spy * (1 + spy_move), 0.0) * 100 * h.units
    expected = (w.current.pnl + payoff - h.cost) / client.total_value
    assert h.scenario_returns["sell-off"] == pytest.approx(expected, rel=1e-10)


def test_collar_is_cheaper_than_the_put(client, market) -> None:  # noqa: ANN001
    put, collar = run(client, market, "put:QQQ@90%", "collar:QQQ@90%/110%")
    assert collar.cost < put.cost and collar.option["call_price"] > 0


def test_bad_instruments_are_clear_errors(client, market) -> None:  # noqa: ANN001
    for bad, match in [
        ("NOPE", "not in the snapshot"),
        ("collar:SPY@110%/90%", "above its put strike"),
        ("put:SPY@5000%", "plausible"),
        ("put:SPY@9.0.0%", "not a percentage"),
        ("collar:SPY@90%/1.1.0", "not a percentage"),
    ]:
        with pytest.raises(AdvisorError, match=match):
            run(client, market, bad)
    with pytest.raises(AdvisorError, match="no XOM position"):
        run(client, market, "put:XOM")


def test_shorting_a_stock_held_at_a_gain_warns_of_a_constructive_sale(market) -> None:  # noqa: ANN001
    """growth_client holds 650 NVDA bought for 38,500: shorting NVDA against it is a constructive
    sale (IRC 1259), its gain at the snapshot price named; an S&P 500 short is not."""
    import advisor

    h = advisor.read_holdings(PORTFOLIOS / "growth_client.csv", market)
    r = advisor.hedge(h, market, ["NVDA", "SPY"])
    nvda = [x for x in r.hedges if x.instrument == "NVDA"][0]
    gain = 650 * market.securities.at["NVDA", "price"] - 38_500
    assert any("constructive sale" in n and f"{gain:,.2f}" in n for n in nvda.notes)
    spy = [x for x in r.hedges if x.instrument == "SPY"]
    assert not any("constructive" in n for x in spy for n in x.notes)


def test_comparison_costs_are_money_as_each_hedge_states_it(client, market) -> None:  # noqa: ANN001
    """The comparison's cost is each hedge's own cost (to the cent) and, apart, its fraction."""
    w = what_if(client, market, SCENARIOS, sleeves=resolve_sleeves(list(SLEEVES)))
    inst = [parse_instrument(s, market, 0.9, 1.1) for s in ("SPY", "put:SPY@90%")]
    d = hedge(w, market, inst).to_dict()
    own = {h["label"]: h for h in d["hedges"]}
    rows = {c["alternative"]: c for c in d["comparison"]}
    assert rows["no action"]["cost"] == 0.0 and rows["no action"]["cost_fraction"] == 0.0
    for label, h in own.items():
        assert rows[label]["cost"] == h["cost"]
        assert rows[label]["cost_fraction"] == h["cost_fraction"]
        assert h["cost_fraction"] == pytest.approx(h["cost"] / client.total_value, rel=1e-4)
