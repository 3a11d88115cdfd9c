"""Output a person reads: plain words, one order, tables that fit 80 and 100 columns with every
headline number whole, the market data's age in every report."""

from __future__ import annotations

import importlib
import io
import json
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS, make_holdings
from rich.console import Console

from advisor.analytics import concentration as conc
from advisor.market import snapshot
from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import bound_names
from advisor.report.json import dumps
from advisor.report.table import money, pct


def test_binding_bounds_in_plain_words() -> None:
    data = SimpleNamespace(
        assets=pd.Index(["NVDA", "QQQ", "RSP", "AAPL", "IJR"]),
        is_stock=np.array([True, False, False, True, False]),
        sleeve=np.array([False, False, True, False, True]),
    )
    account = SimpleNamespace(
        lo=np.array([0.10, 0.0, 0.0, 0.0, 0.05]),
        hi=np.array([1.0, 0.20, 0.10, 0.05, 1.0]),
        w0=np.array([0.10, 0.20, 0.0, 0.30, 0.0]),
    )
    w = np.array([0.10, 0.20, 0.10, 0.05, 0.05])
    mandate = Mandate(hold=("NVDA",), restrict=("QQQ",), max_position=0.05)
    assert bound_names(data, w, account, mandate) == [  # type: ignore[arg-type]
        "NVDA held at today's weight (--hold)",
        "QQQ restricted, not bought (--restrict)",
        "RSP at its sleeve cap (--sleeve-max)",
        "AAPL at the position cap (--max-position)",
        "IJR at its sleeve floor (--sleeve-min)",
    ]
    inside = np.array([0.12, 0.15, 0.05, 0.04, 0.06])  # every weight off its bounds
    assert bound_names(data, inside, account, mandate) == []  # type: ignore[arg-type]


def test_merged_overlay_says_why_and_prices_say_what_they_are(market) -> None:  # noqa: ANN001
    import advisor

    h = make_holdings({"NVDA": 300, "AAPL": 200, "JPM": 100}, cash=10_000.0)
    d = advisor.hedge(h, market, ["SPY", "QQQ", "put:SPY"]).to_dict()
    spy = next(x for x in d["hedges"] if x["instrument"] == "SPY" and x["same_as"])
    assert spy["label"] == "SPY beta = min-variance"
    assert any("SPY holds or tracks the S&P 500" in n for n in spy["notes"])
    put = next(x for x in d["hedges"] if x["instrument"] == "put:SPY")
    assert put["unit_price_is"] == "net premium per contract"
    assert spy["unit_price_is"] == "price per share"
    assert put["option"]["dividend_yield"] == market.dividend_yield("SPY") > 0


# -- rendered reports at 80 and 100 columns -------------------------------------------------------

WIDTHS = (80, 100)


@pytest.fixture(scope="module")
def results(market):  # noqa: ANN001, ANN201
    """One run of each command's library call on the growth client (shared by the tests)."""
    import advisor

    h = advisor.read_holdings(PORTFOLIOS / "growth_client.csv", market)
    proposal = advisor.propose(h, market, advisor.Mandate(max_te=0.04))
    whatif = advisor.what_if(h, market, proposal=proposal)
    return {
        "analyze": advisor.analyze(h, market),
        "propose": proposal,
        "frontier": advisor.frontier(h, market, points=4),
        "what-if": advisor.what_if(h, market),
        "what-if --propose": whatif,
        "hedge": advisor.hedge(h, market),
        "hedge --propose": advisor.hedge(whatif, market),
        "replays": advisor.replays(market),
        "data info": market.manifest,
    }


REPORTS = {
    "analyze": "analysis",
    "propose": "proposal",
    "frontier": "frontier",
    "what-if": "whatif",
    "what-if --propose": "whatif",
    "hedge": "hedge",
    "hedge --propose": "hedge",
    "replays": "replays",
    "data info": "data",
}


def render(command: str, result: object, width: int) -> str:
    module = importlib.import_module(f"advisor.report.{REPORTS[command]}")
    console = Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False)
    module.render(result, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def headline(command: str, d: dict) -> list[str]:  # noqa: PLR0911
    """The headline numbers of a command's JSON, formatted as the tables print them."""
    if command == "analyze":
        c, r = d["concentration"], d["risk"]
        return [
            money(d["total_value"]), pct(c["megacap_weight"]), pct(c["benchmark_megacap_weight"]),
            pct(r["volatility"]), pct(r["tracking_error"], 2), pct(c["active_share"]),
            *[money(p["value"]) for p in d["positions"]],
            *[pct(p["weight"]) for p in d["positions"]],
            *[pct(v["weight"]) for v in c["sectors"].values()],
            *[pct(v, 2) for v in r["te_contributions"]["by_active_holding"].values()],
        ]  # fmt: skip
    if command == "propose":
        return [
            pct(d["turnover"]), money(d["estimated_cost"]), money(d["realized_gain"]),
            pct(d["after"]["risk"]["tracking_error"]), pct(d["after"]["concentration"]["megacap_weight"]),
            *[money(t["amount"]) for t in d["trades"]],
        ]  # fmt: skip
    if command == "frontier":
        return [x for p in d["points"] for x in (pct(p["megacap_weight"]),
                pct(p["tracking_error"], 2), pct(p["turnover"]))]  # fmt: skip
    if command.startswith("what-if"):
        keys = ("portfolio_return", "benchmark_return", "active_return", "proposed_return")
        return [
            *[pct(s[k]) for s in d["scenarios"] for k in keys if s.get(k) is not None],
            *[money(s[k]) for s in d["scenarios"] for k in ("portfolio_pnl", "proposed_pnl")
              if s.get(k) is not None],
        ]  # fmt: skip
    if command.startswith("hedge"):
        out = []
        for h in d["hedges"]:
            protect = h["kind"] in ("put", "collar")
            out += [f"{h['ratio']:.3f}", money(h["unit_price"]), money(h["cost"]),
                    money(-h["notional"] if protect else h["notional"]), f"{abs(h['units']):,}"]  # fmt: skip
        for row in d["comparison"]:
            out += [pct(row["tracking_error"]), pct(row["volatility"]), money(row["cost"])]
            out += [pct(v) for v in row["scenario_returns"].values()]
        return out
    if command == "replays":
        return [pct(r["market_actual_return"]) for r in d["replays"]]
    c = d["counts"]
    return [f"{c['securities']:,}", f"{c['stocks']:,}", f"{c['benchmark_members']:,}"]


def as_dict(result: object) -> dict:
    return result if isinstance(result, dict) else result.to_dict()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", list(REPORTS))
def test_tables_fit_and_show_every_headline_number_whole(results, command, width) -> None:  # noqa: ANN001
    text = render(command, results[command], width)
    lines = text.splitlines()
    assert max(len(x) for x in lines) <= width, command
    assert "…" not in text  # nothing truncated
    missing = [n for n in headline(command, as_dict(results[command])) if n not in text]
    assert not missing, f"{command} at {width}: {missing[:10]}"
    assert "-0.0%" not in text and " others" not in text and "{'" not in text


@pytest.mark.parametrize("command", list(REPORTS))
def test_every_report_says_once_how_old_the_market_data_is(results, command, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(snapshot, "today", lambda: date(2026, 11, 29))
    text = " ".join(render(command, results[command], 100).split())
    assert text.count("138 days old: prices and risk have moved since") == 1, command
    monkeypatch.setattr(snapshot, "today", lambda: date(2026, 7, 20))
    text = " ".join(render(command, results[command], 100).split())
    assert "days old:" not in text and text.count("2026-07-14") >= 1


@pytest.mark.parametrize("command", [c for c in REPORTS if c not in ("replays", "data info")])
def test_json_carries_the_market_data_age(results, command, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(snapshot, "today", lambda: date(2026, 11, 29))
    d = json.loads(dumps(results[command]))
    assert d["as_of"] == "2026-07-14"
    assert d["market_data"] == {
        "as_of": "2026-07-14", "age_days": 138, "stale": True, "stale_after_days": 30
    }  # fmt: skip
    assert list(d).index("market_data") == list(d).index("as_of") + 1


def _section(text: str, title: str) -> str:
    """The table under ``title``, to the next blank line."""
    start = text.index(title)
    return text[start : text.index("\n\n", start)]


def _in_order(section: str, names: tuple[str, ...]) -> bool:
    found = [section.index(f"\n {n} ") for n in names if f"\n {n} " in section]
    return len(found) >= 4 and found == sorted(found)


def test_sectors_sizes_and_megacaps_print_in_the_fixed_order(results) -> None:  # noqa: ANN001
    text = render("analyze", results["analyze"], 100)
    assert _in_order(_section(text, "Sectors (look-through"), conc.SECTOR_ORDER)
    assert _in_order(_section(text, "Size (look-through"), conc.SIZE_ORDER)
    assert _in_order(_section(text, "Tracking error by sector"), conc.SECTOR_ORDER)
    megacaps = ("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA")
    assert _in_order(_section(text, "Megacaps, direct"), megacaps)
    text = render("propose", results["propose"], 100)
    assert _in_order(_section(text, "Sectors (look-through"), conc.SECTOR_ORDER)
    text = render("what-if --propose", results["what-if --propose"], 100)
    assert _in_order(_section(text, "Contribution by sector (look-through), proposed"),
                     conc.SECTOR_ORDER)  # fmt: skip


def test_cli_tables_fit_80_columns() -> None:
    from advisor.cli import main

    for args in (["analyze", str(PORTFOLIOS / "growth_client.csv")], ["replays"], ["data", "info"]):
        result = CliRunner().invoke(main, args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        assert max(len(x) for x in result.stdout.splitlines()) <= 80


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "name", sorted(p.name for p in PORTFOLIOS.glob("*.csv") if not p.name.startswith("closes_"))
)
def test_every_command_on_every_example_fits(name, width) -> None:  # noqa: ANN001
    from advisor.cli import main

    extra = ["--total-value", "1000000"] if "weights" in name else []
    f = str(PORTFOLIOS / name)
    for args in (["analyze", f, *extra], ["propose", f], ["frontier", f, "--points", "3"],
                 ["what-if", f], ["what-if", f, "--propose", "--max-te", "4%"],
                 ["hedge", f], ["hedge", f, "--propose"], ["replays"], ["data", "info"]):  # fmt: skip
        result = CliRunner().invoke(main, args, env={"COLUMNS": str(width)})
        trades = args[0] in ("propose", "frontier") or "--propose" in args
        if "weights" in name and trades and result.exit_code == 1:
            continue  # a weights-only file cannot be traded
        assert result.exit_code in (0, 3), (args, result.output)
        text = result.stdout
        assert max(len(x) for x in text.splitlines()) <= width, args
        assert "…" not in text and "-0.0%" not in text and " others" not in text, args
