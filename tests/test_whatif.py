"""What-if runs on portfolios: zero shock, linearity, additivity, independent checks, replays of
real funds against what they actually did, and scenario files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.analytics.analysis import analyze
from advisor.errors import AdvisorError, InputError
from advisor.market.sleeves import SLEEVES, resolve_sleeves
from advisor.scenarios.files import load_scenarios
from advisor.scenarios.shocks import REPLAYS, Scenario, Shock
from advisor.scenarios.whatif import what_if
from tests.conftest import RAW_DATA, make_holdings, needs_raw_data

ALL_SLEEVES = resolve_sleeves(list(SLEEVES))
CLIENT = {"NVDA": 900, "AAPL": 500, "MSFT": 200, "QQQ": 300, "JPM": 150, "IWM": 100}


@pytest.fixture(scope="module")
def client(market):  # noqa: ANN001, ANN201
    return analyze(make_holdings(CLIENT, cash=5000.0), market)


def run(a, scenarios, market):  # noqa: ANN001, ANN201
    return what_if(a, market, scenarios, sleeves=ALL_SLEEVES).results


def shock(*pairs: tuple[str, float], propagate: bool = True) -> Scenario:
    s = tuple(Shock(g, m) for g, m in pairs)
    return Scenario("s", s, propagate=propagate)


def test_zero_shock_gives_zero_pnl(client, market) -> None:  # noqa: ANN001
    for r in run(client, [shock(("megacaps", 0.0), ("small-cap", 0.0))], market):
        assert r.current.ret == 0.0 and r.current.pnl == 0.0 and r.benchmark.ret == 0.0


def test_pnl_is_linear_in_the_shocks(client, market) -> None:  # noqa: ANN001
    a = run(client, [shock(("megacaps", -0.1), ("value", 0.02))], market)[0]
    b = run(client, [shock(("megacaps", -0.3), ("value", 0.06))], market)[0]
    assert b.current.pnl == pytest.approx(3 * a.current.pnl, rel=1e-10)
    assert b.benchmark.ret == pytest.approx(3 * a.benchmark.ret, rel=1e-10)
    np.testing.assert_allclose(b.current.by_holding, 3 * a.current.by_holding, rtol=1e-10)


def test_contributions_add_up(client, market) -> None:  # noqa: ANN001
    for r in run(client, [shock(("megacaps", -0.3)), Scenario("c", replay="covid")], market):
        for part in ("by_holding", "by_group", "by_sector"):
            assert getattr(r.current, part).sum() == pytest.approx(r.current.ret, abs=1e-12)
        assert r.current.pnl == pytest.approx(r.current.ret * client.total_value, rel=1e-12)


def test_groups_and_sectors_in_the_fixed_order(client, market) -> None:  # noqa: ANN001
    from advisor.analytics.concentration import GROUP_ORDER, SECTOR_ORDER

    r = run(client, [shock(("megacaps", -0.3)), Scenario("c", replay="covid")], market)
    for o in (x for res in r for x in (res.current, res.benchmark)):
        assert list(o.by_group.index) == [g for g in GROUP_ORDER if g in o.by_group.index]
        assert list(o.by_sector.index) == [s for s in SECTOR_ORDER if s in o.by_sector.index]


def test_shock_matches_a_dense_conditional_expectation(market) -> None:  # noqa: ANN001
    """Independent: E[r_p | r_AAPL = m] = w' S e_AAPL / S_AAPL,AAPL * m on the dense covariance."""
    shares = {"AAPL": 100, "JPM": 200, "XOM": 300}
    a = analyze(make_holdings(shares), market)
    r = run(a, [shock(("AAPL", -0.25))], market)[0]
    names = list(shares)
    S = market.risk.dense(names)
    w = a.positions["weight"].reindex(names).to_numpy()
    assert r.current.ret == pytest.approx(float(w @ S[:, 0]) / S[0, 0] * -0.25, rel=1e-10)


def test_no_propagation_moves_only_the_stated_group(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"AAPL": 100, "JPM": 200}), market)
    r = run(a, [shock(("AAPL", -0.3), propagate=False)], market)[0]
    w = a.positions["weight"]
    assert r.current.ret == pytest.approx(-0.3 * w["AAPL"], rel=1e-12)
    assert r.current.by_holding["JPM"] == 0.0


def test_the_benchmark_fund_has_no_active_return(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"IVV": 100}), market)
    scenarios = [shock(("megacaps", -0.3)), Scenario("g", replay="rates-2022")]
    for r in run(a, scenarios, market):
        assert abs(r.active_return) < 1e-9


def test_replay_is_buy_and_hold_of_factor_paths(client, market) -> None:  # noqa: ANN001
    """Independent: compound each security's factor path with numpy, weight, sum."""
    r = run(client, [Scenario("q", replay="q4-2018")], market)[0]
    h = market.factor_returns()
    start, end = (pd.Timestamp(d) for d in REPLAYS["q4-2018"][:2])
    f = h.loc[(h.index > start) & (h.index <= end)].fillna(0.0).to_numpy()
    from advisor.market.lookthrough import risk_vector

    v = risk_vector(client.lookthrough, client.positions["weight"])
    B = market.risk.exposures.loc[v.index].to_numpy()
    per_security = np.prod(1 + f @ B.T, axis=0) - 1
    assert r.current.ret == pytest.approx(float(v.to_numpy() @ per_security), rel=1e-10)
    assert r.move.market_actual == pytest.approx(float(np.prod(1 + f[:, 0]) - 1), rel=1e-12)


def test_unknown_group_is_a_clear_error(client, market) -> None:  # noqa: ANN001
    with pytest.raises(AdvisorError, match="not a ticker"):
        run(client, [shock(("bananas", -0.1))], market)


# -- replays against what the funds actually did --------------------------------------------------


@needs_raw_data
def test_replays_of_funds_match_their_actual_returns() -> None:
    """Stated tolerance (docs/scenario-validation.md): within 7 percentage points of each fund's
    actual return over every named window since 2007; the dot-com window is reported only."""
    from advisor.data.replay_validation import FUNDS, TOLERANCE, table

    t = table(RAW_DATA)
    assert set(t["fund"]) == set(FUNDS) and set(t["window"]) == set(REPLAYS)
    since = t[(t["window"] != "dotcom") & t["actual"].notna()]
    assert len(since) == 25
    bad = since[since["replay_error"].abs() >= TOLERANCE]
    assert bad.empty, bad
    # SPY is the market factor: its own exposure replays it to rounding
    spy = t[(t["fund"] == "SPY")]
    assert (spy["own_exposure_error"].abs() < 1e-4).all()
    # independent check of one actual figure: SPY's 2022 total return was about -18 %
    assert t.query("fund == 'SPY' and window == 'rates-2022'")["actual"].iloc[0] == pytest.approx(
        -0.186, abs=0.005
    )


# -- scenario files -------------------------------------------------------------------------------


def test_yaml_and_csv_scenario_files(tmp_path) -> None:  # noqa: ANN001
    y = tmp_path / "s.yaml"
    y.write_text(
        "scenarios:\n"
        "  - name: tech wreck\n"
        "    shocks: {megacaps: -30%, Information Technology: -0.2}\n"
        "  - name: stated only\n"
        "    shocks: {AAPL: -10%}\n"
        "    propagate: false\n"
        "  - name: covid again\n"
        "    replay: covid\n"
    )
    s = load_scenarios(str(y))
    assert [x.name for x in s] == ["tech wreck", "stated only", "covid again"]
    assert s[0].shocks == (Shock("megacaps", -0.3), Shock("Information Technology", -0.2))
    assert not s[1].propagate and s[2].replay == "covid"
    c = tmp_path / "s.csv"
    c.write_text(
        "scenario,group,move,propagate\n"
        "rally,small-cap,+10%,\n"
        "rally,megacaps,-5%,\n"
        "2022,replay,rates-2022,\n"
    )
    s = load_scenarios(str(c))
    assert s[0].shocks == (Shock("small-cap", 0.10), Shock("megacaps", -0.05))
    assert s[1].replay == "rates-2022"


@pytest.mark.parametrize(
    ("text", "suffix", "match"),
    [
        ("scenario,group,move\nx,megacaps,abc\n", ".csv", r"line 2.*'abc'"),
        ("scenario,group\nx,megacaps\n", ".csv", "missing column"),
        ("- name: a\n  shocks: {megacaps: -30%}\n  replay: covid\n", ".yaml", "line 1.*not both"),
        ("- name: a\n  shock: {megacaps: -30%}\n", ".yaml", "unknown key"),
        ("- name: a\n  shocks: [1, 2\n", ".yaml", "not valid YAML"),
        ("", ".yaml", "expected a list"),
        ("- name: a\n  replay: covid\n- name: a\n  replay: gfc\n", ".yaml", "repeat"),
    ],
)
def test_bad_scenario_files_name_the_line(tmp_path, text: str, suffix: str, match: str) -> None:  # noqa: ANN001
    p = tmp_path / f"bad{suffix}"
    p.write_text(text)
    with pytest.raises(InputError, match=match):
        load_scenarios(str(p))


def test_a_bad_group_in_a_file_names_the_file_and_line(tmp_path, client, market) -> None:  # noqa: ANN001
    p = tmp_path / "s.yaml"
    p.write_text("- name: ok\n  replay: covid\n- name: bad\n  shocks: {bananas: -10%}\n")
    with pytest.raises(AdvisorError, match=r"s.yaml, line 3.*bananas"):
        run(client, load_scenarios(str(p)), market)
