"""`advisor propose` and `advisor frontier` as a user runs them: options, outputs, exit codes."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS

from advisor.cli import main

GROWTH = str(PORTFOLIOS / "growth_client.csv")
CONTRACT = {"status", "before", "after", "trades", "turnover", "binding", "diagnostics"}


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_propose_json_contract_and_trade_csv(tmp_path) -> None:  # noqa: ANN001
    out_csv = tmp_path / "trades.csv"
    code, out, err = run(
        "propose",
        GROWTH,
        "--max-te",
        "4%",
        "--max-turnover",
        "30%",
        "--megacap-target",
        "55%",
        "--format",
        "json",
        "--output",
        str(out_csv),
    )
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= CONTRACT
    assert d["status"] == "optimal"
    assert {"ticker", "side", "shares", "price", "amount"} <= set(d["trades"][0])
    part = d["scope"]
    assert part["name"] == "US-equity part"
    assert part["after"]["risk"]["tracking_error"] <= 0.04 + 1e-6
    assert d["checks"]["max_turnover"]["value"] <= 0.30 + 1e-6
    assert part["after"]["concentration"]["megacap_weight"] <= 0.55 + 1e-6
    assert {"max_megacap", "max_te", "max_turnover"} & set(d["binding"])
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == len(d["trades"])
    assert {r["Action"] for r in rows} <= {"BUY", "SELL"}
    assert all(float(r["Quantity"]).is_integer() for r in rows)


def test_propose_table_names_date_status_and_binding() -> None:
    code, out, _ = run("propose", GROWTH, "--max-te", "4%")
    assert code == 0
    assert "2026-07-14" in out and "Status: optimal" in out and "Limits that bind" in out
    assert "Trades (whole shares;" in out


def test_infeasible_mandate_exits_3_with_report() -> None:
    code, out, _ = run("propose", GROWTH, "--max-te", "1%", "--megacap-target", "20%")
    assert code == 3
    text = " ".join(out.split())
    assert "infeasible" in text and "least tracking error" in text
    code, out, _ = run(
        "propose", GROWTH, "--max-te", "1%", "--megacap-target", "20%", "--format", "json"
    )
    assert code == 3
    d = json.loads(out)
    assert d["status"] == "infeasible" and d["trades"] == [] and d["relaxations"]


@pytest.mark.parametrize(
    "args",
    [
        ["--sleeves", "equal-weight,value", "--sleeve", "value=IVE"],
        ["--sleeve-min", "small-cap=5%", "--sleeve-max", "equal-weight=20%"],
        ["--hold", "NVDA,AAPL", "--restrict", "QQQ"],
        ["--objective", "hhi", "--max-company", "10%"],
        ["--objective", "te", "--max-megacap", "45%", "--sector-band", "10%"],
        ["--megacap-target", "60%", "--cash-floor", "3%", "--min-trade", "1,000"],
        ["--max-realized-gain", "150000", "--cost-bps", "10", "--max-position", "12%"],
        ["--benchmark", "IVV", "--megacaps", "AAPL,MSFT,NVDA,AVGO"],
        ["--cash-max", "5%"],
    ],
)
def test_every_mandate_option_runs(args: list[str]) -> None:
    code, out, err = run("propose", GROWTH, "--max-te", "6%", "--format", "json", *args)
    assert code in (0, 3), err
    d = json.loads(out)
    if "--sleeve" in args:
        assert d["sleeves"] == {"equal-weight": "RSP", "value": "IVE"}
    if code == 0 and "--hold" in args:
        sold = {t["ticker"] for t in d["trades"] if t["side"] == "sell"}
        assert not sold & {"NVDA", "AAPL"}
    if code == 0 and "--sleeve-min" in args:
        assert d["target_weights"]["IJR"] >= 0.05 - 1e-6


@pytest.mark.parametrize(
    "args",
    [
        ["--max-te", "abc"],
        ["--sleeves", "tech"],
        ["--sleeve", "value=QQQ"],
        ["--sleeve-min", "value"],
        ["--objective", "sharpe"],
    ],
)
def test_bad_mandate_options(args: list[str]) -> None:
    code, _, err = run("propose", GROWTH, *args)
    assert code in (1, 2) and "Traceback" not in err


def test_weights_only_file_cannot_be_proposed() -> None:
    code, _, err = run("propose", str(PORTFOLIOS / "model_weights.csv"))
    assert code == 1 and "shares or market values" in err


def test_frontier_table_json_csv_and_chart(tmp_path) -> None:  # noqa: ANN001
    png = tmp_path / "f.png"
    code, out, err = run(
        "frontier", str(PORTFOLIOS / "fund_only_client.csv"), "--points", "5", "--chart", str(png)
    )
    assert code == 0, err
    assert "Least tracking error" in out and png.stat().st_size > 10_000
    code, out, _ = run("frontier", GROWTH, "--points", "6", "--format", "json")
    d = json.loads(out)
    te = [p["tracking_error"] for p in d["points"]]
    mc = [p["megacap_weight"] for p in d["points"]]
    assert all(b >= a - 1e-7 for a, b in zip(te, te[1:], strict=False))  # less megacap costs TE
    assert all(b <= a + 1e-7 for a, b in zip(mc, mc[1:], strict=False))
    code, out, _ = run("frontier", GROWTH, "--points", "3", "--format", "csv")
    assert out.splitlines()[0].startswith("megacap_cap,megacap_weight,tracking_error")


def test_gain_budget_without_cost_basis_is_a_usage_error(tmp_path) -> None:  # noqa: ANN001
    code, _, err = run(
        "propose", str(PORTFOLIOS / "fund_only_client.csv"), "--max-realized-gain", "10000"
    )
    assert code == 2 and "cost-basis column" in err and "Traceback" not in err
    f = tmp_path / "partial.csv"
    f.write_text("Symbol,Quantity,Cost Basis\nAAPL,100,12000\nMSFT,50,\nSPY,20,9000\n")
    code, _, err = run("propose", str(f), "--max-realized-gain", "10000")
    assert code == 2 and "MSFT" in err and "--hold MSFT" in err


def test_proposal_keeps_the_accounts_value(tmp_path) -> None:  # noqa: ANN001
    """Trades are priced at each holding's own value per share: the total never changes."""
    f = tmp_path / "values.csv"
    f.write_text("Symbol,Quantity,Market Value\nAAPL,300,99000\nNVDA,400,80000\nQQQ,100,70000\n")
    code, out, err = run("propose", str(f), "--max-te", "5%", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert abs(d["after"]["total_value"] - d["before"]["total_value"]) < 0.05
    for t in d["trades"]:
        assert round(t["shares"] * t["price"], 2) == t["amount"]


def test_bad_put_strike_is_a_clear_error() -> None:
    code, _, err = run("hedge", GROWTH, "--with", "put:SPY@9.0.0%")
    assert code == 1 and "not a percentage" in err and "Traceback" not in err
