"""`advisor what-if`, `advisor replays` and `advisor hedge` as a user runs them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from advisor.cli import main

GROWTH = "portfolios/growth_client.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_what_if_json_contract_with_the_proposed_column() -> None:
    code, out, err = run(
        "what-if", GROWTH, "--shock", "megacaps=-30%", "--replay", "covid", "--propose",
        "--max-te", "4%", "--max-turnover", "30%", "--megacap-target", "55%", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["as_of"] == "2026-07-14"
    names = [s["name"] for s in d["scenarios"]]
    assert names == ["megacaps -30.0%", "covid"]
    for s in d["scenarios"]:
        for key in ("portfolio_return", "benchmark_return", "active_return", "proposed_return"):
            assert isinstance(s[key], float), key
        assert s["active_return"] == s["portfolio_return"] - s["benchmark_return"]
        assert abs(sum(s["portfolio"]["by_holding"].values()) - s["portfolio_return"]) < 1e-12
    # the growth client loses more than the benchmark in a megacap sell-off; the rebalance less
    mega = d["scenarios"][0]
    assert mega["portfolio_return"] < mega["proposed_return"] < 0
    assert mega["portfolio_return"] < mega["benchmark_return"]
    assert d["proposal"]["status"] == "optimal"


def test_what_if_default_set_table_and_csv(tmp_path) -> None:  # noqa: ANN001
    code, out, err = run("what-if", GROWTH)
    assert code == 0, err
    for text in ("megacap sell-off", "small-cap rally", "dotcom", "broadening-2023", "2026-07-14"):
        assert text in out
    assert "SPY actually returned" in out
    code, out, _ = run("what-if", GROWTH, "--replay", "2020-02-19:2020-03-23", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("scenario,kind,description")


def test_no_propagate_and_scenario_file(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "s.csv"
    f.write_text("scenario,group,move\nnvda only,NVDA,-50%\n2022,replay,rates-2022\n")
    code, out, err = run(
        "what-if", GROWTH, "--scenarios", str(f), "--no-propagate", "--format", "json"
    )
    assert code == 0, err
    s = json.loads(out)["scenarios"]
    assert [x["name"] for x in s] == ["nvda only", "2022"]


def test_what_if_errors() -> None:
    code, _, err = run("what-if", GROWTH, "--shock", "megacaps")
    assert code == 2 and "GROUP=MOVE" in err
    code, _, err = run("what-if", GROWTH, "--shock", "bananas=-10%")
    assert code == 1 and "bananas" in err and "Traceback" not in err
    code, _, err = run("what-if", GROWTH, "--replay", "1990-01-01:1991-01-01")
    assert code == 1 and "covers" in err
    code, _, err = run("what-if", GROWTH, "--scenarios", "nope.yaml")
    assert code == 1 and "nope.yaml" in err


def test_replays_list() -> None:
    code, out, _ = run("replays", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert {r["name"] for r in d["replays"]} >= {"dotcom", "gfc", "covid", "rates-2022"}
    covid = next(r for r in d["replays"] if r["name"] == "covid")
    assert -0.40 < covid["market_actual_return"] < -0.30
    assert run("replays")[0] == 0


def test_hedge_json_contract() -> None:
    code, out, err = run(
        "hedge", GROWTH, "--with", "SPY", "--with", "ES", "--with", "put:SPY",
        "--with", "collar:QQQ", "--propose", "--max-te", "4%", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["current"]["beta"] > 1.2
    for h in d["hedges"]:
        for key in (
            "instrument",
            "ratio",
            "notional",
            "units",
            "volatility_after",
            "tracking_error_after",
        ):
            assert key in h and h[key] is not None, key
    beta = next(h for h in d["hedges"] if h["instrument"] == "SPY" and h["method"] == "beta")
    assert abs(beta["beta_after"]) < 2e-3 and beta["units"] < 0 and beta["notional"] < 0
    es = next(h for h in d["hedges"] if h["instrument"] == "ES" and h["method"] == "beta")
    assert es["unit"] == "contracts"
    put = next(h for h in d["hedges"] if h["instrument"] == "put:SPY")
    assert put["option"]["volatility_source"].startswith("the risk model")
    alts = [c["alternative"] for c in d["comparison"]]
    assert alts[:2] == ["no action", "rebalance (advisor propose)"]
    assert d["comparison"][1]["realized_gain"] is not None


def test_hedge_table_and_errors() -> None:
    code, out, err = run("hedge", GROWTH, "--with", "QQQ", "--target", "megacaps")
    assert code == 0, err
    assert "Alternatives compared" in out and "megacaps" in out
    code, _, err = run("hedge", GROWTH, "--with", "NOPE")
    assert code == 1 and "NOPE" in err
    code, _, err = run("hedge", GROWTH, "--expiry", "forever")
    assert code == 2 and "3m" in err
    code, _, err = run("hedge", GROWTH, "--with", "ES", "--price", "ES=abc")
    assert code == 2 and "abc" in err and "Traceback" not in err
    code, _, err = run("hedge", GROWTH, "--with", "ES", "--price", "SPY=500")
    assert code == 2 and "not a future" in err


def test_hedge_on_a_weights_only_file(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "w.csv"
    f.write_text("ticker,weight\nQQQ,60%\nAAPL,40%\n")
    code, out, err = run("hedge", str(f), "--with", "SPY", "--format", "json")
    assert code == 0, err
    h = json.loads(out)["hedges"][0]
    assert h["units"] is None and h["notional"] is None and h["ratio"] > 0


def test_infeasible_mandate_prints_the_report_and_exits_3() -> None:
    code, out, err = run(
        "what-if", GROWTH, "--shock", "megacaps=-30%", "--propose", "--max-te", "1%",
        "--megacap-target", "20%", "--format", "json",
    )  # fmt: skip
    assert code == 3, err
    d = json.loads(out)
    assert "proposed_return" not in d["scenarios"][0]
    assert any("least tracking error" in n for n in d["notes"])
