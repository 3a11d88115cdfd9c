"""The public Python API: the README's example runs, every export resolves, and each result's
``to_dict()`` is exactly the JSON the matching command prints."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import advisor
from advisor.cli import main

ROOT = Path(__file__).resolve().parents[1]
GROWTH = "portfolios/growth_client.csv"


def _readme_python() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's Python API section has no python block"
    return "\n".join(blocks)


def test_readme_python_example_runs(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_readme_python(), "README.md (Python API)", "exec"), scope)  # noqa: S102
    assert scope["proposal"].status == "optimal"
    assert isinstance(scope["trades"], pd.DataFrame) and len(scope["trades"]) > 0
    assert scope["report"]["hedges"] and "megacaps" in out.getvalue()


def test_the_example_needs_neither_click_nor_rich() -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['x']\nexec(compile({_readme_python()!r}, 'example', 'exec'))\n"
        "print('LOADED:' + ','.join(m for m in ('click', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "LOADED:"


def test_every_export_resolves() -> None:
    for name in advisor.__all__:
        assert getattr(advisor, name) is not None, name
    with pytest.raises(AttributeError):
        advisor.no_such_thing  # noqa: B018


def _cli_json(*args: str) -> dict:
    r = CliRunner().invoke(main, [*args, "--format", "json"])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def _round_trip(d: dict) -> dict:
    return json.loads(json.dumps(d))


def test_to_dict_is_the_cli_json(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(ROOT)
    market = advisor.load_market()
    h = advisor.read_holdings(GROWTH, market)
    a = advisor.analyze(h, market)
    assert _round_trip(a.to_dict()) == _cli_json("analyze", GROWTH)
    m = advisor.Mandate(max_te=0.04, max_turnover=0.3, megacap_target=0.55)
    p = _round_trip(advisor.propose(h, market, m).to_dict())
    cli = _cli_json(
        "propose", GROWTH, "--max-te", "4%", "--max-turnover", "30%", "--megacap-target", "55%"
    )
    for d in (p, cli):
        d["solver"].pop("solve_time")  # wall-clock time: the one figure that differs by run
    assert p == cli
    w = advisor.what_if(h, market, ["megacaps=-30%", "covid"])
    assert _round_trip(w.to_dict()) == _cli_json(
        "what-if", GROWTH, "--shock", "megacaps=-30%", "--replay", "covid"
    )
    hd = advisor.hedge(h, market, ["QQQ", "put:SPY"])
    assert _round_trip(hd.to_dict()) == _cli_json(
        "hedge", GROWTH, "--with", "QQQ", "--with", "put:SPY"
    )
    f = advisor.frontier(h, market, points=4)
    assert _round_trip(f.to_dict()) == _cli_json("frontier", GROWTH, "--points", "4")


def test_defaults_match_the_cli(monkeypatch) -> None:  # noqa: ANN001
    """what_if and hedge with no scenarios or instruments run the CLI's default sets."""
    monkeypatch.chdir(ROOT)
    h = advisor.read_holdings(GROWTH)
    w = advisor.what_if(h)
    assert [r.name for r in w.results] == [
        s["name"] for s in _cli_json("what-if", GROWTH)["scenarios"]
    ]
    hd = advisor.hedge(h)
    cli = _cli_json("hedge", GROWTH)
    assert [x["instrument"] for x in hd.to_dict()["hedges"]] == [
        x["instrument"] for x in cli["hedges"]
    ]
    assert [r.name for r in hd.whatif.results] == ["megacap sell-off", "covid", "rates-2022"]


def test_frames(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(ROOT)
    h = advisor.read_holdings(GROWTH)
    a = advisor.analyze(h)
    assert a.to_frame()["weight"].sum() == pytest.approx(1 - a.cash_weight)
    w = advisor.what_if(a, scenarios=["megacaps=-30%,small-cap=+10%"])
    row = w.to_frame().iloc[0]
    assert row["scenario"] == "megacaps -30.0%, small-cap +10.0%"
    assert row["portfolio_pnl"] == pytest.approx(row["portfolio_return"] * a.total_value)


def test_frontier_from_a_proposal_setup_is_the_frontier_of_its_holdings(market) -> None:  # noqa: ANN001
    """The report re-solves the proposal's prepared problem: the same curve as preparing anew."""
    h = advisor.read_holdings(GROWTH, market=market)
    p = advisor.propose(h, market)
    assert p.setup is not None
    reused = advisor.frontier(h, market, points=4, setup=p.setup).to_dict()
    fresh = advisor.frontier(h, market, points=4).to_dict()
    assert _round_trip(reused) == _round_trip(fresh)
