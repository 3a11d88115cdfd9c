"""The command line, as a user runs it: every command, option and exit code, and the README."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS, RAW_DATA, ROOT

from advisor.cli import main

CONTRACT = {
    "top": {
        "as_of",
        "total_value",
        "positions",
        "concentration",
        "lookthrough",
        "risk",
        "warnings",
    },
    "position": {"ticker", "value", "weight"},
    "concentration": {
        "megacap_weight",
        "benchmark_megacap_weight",
        "top10_weight",
        "hhi",
        "effective_n",
        "max_company_weight",
        "sectors",
    },
    "risk": {"volatility", "beta", "tracking_error", "te_contributions"},
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "name", sorted(p.name for p in PORTFOLIOS.glob("*.csv") if not p.name.startswith("closes_"))
)
def test_every_example_portfolio_analyses(name: str) -> None:
    extra = ["--total-value", "1000000"] if "weights" in name else []
    code, out, err = run("analyze", str(PORTFOLIOS / name), "--format", "json", *extra)
    assert code == 0, err
    d = json.loads(out)
    assert CONTRACT["top"] <= set(d)
    assert CONTRACT["concentration"] <= set(d["concentration"])
    assert CONTRACT["risk"] <= set(d["risk"])
    assert all(CONTRACT["position"] <= set(p) for p in d["positions"])
    assert d["as_of"] == "2026-07-14"
    for s in d["concentration"]["sectors"].values():
        assert set(s) == {"weight", "benchmark_weight"}
    weights = sum(p["weight"] for p in d["positions"]) + d["cash"]["weight"]
    assert weights == pytest.approx(1.0, rel=1e-9)
    te = d["risk"]["tracking_error"]
    assert sum(d["risk"]["te_contributions"]["by_holding"].values()) == pytest.approx(te, rel=1e-9)


def test_table_output_names_date_and_units() -> None:
    code, out, _ = run("analyze", str(PORTFOLIOS / "growth_client.csv"))
    assert code == 0
    assert "2026-07-14" in out and "annualised" in out and "Tracking error" in out
    assert "Megacap weight" in out


def test_csv_output_is_tidy(tmp_path) -> None:  # noqa: ANN001
    target = tmp_path / "out.csv"
    code, _, err = run(
        "analyze",
        str(PORTFOLIOS / "fund_only_client.csv"),
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert code == 0 and "Wrote" in err
    lines = target.read_text().splitlines()
    assert lines[0] == "section,item,metric,value,unit"
    assert any(line.startswith("risk,portfolio,tracking_error,") for line in lines)


def test_warnings_go_to_stderr_json_to_stdout() -> None:
    code, out, err = run("analyze", str(PORTFOLIOS / "custodian_export.csv"), "--format", "json")
    assert code == 0
    json.loads(out)  # stdout is pure JSON
    assert "Warning" in err and "each line kept as a lot" in err  # AAPL in two accounts


def test_benchmark_and_megacaps_options() -> None:
    f = str(PORTFOLIOS / "growth_client.csv")
    _, out_spx, _ = run("analyze", f, "--format", "json")
    _, out_qqq, _ = run("analyze", f, "--format", "json", "--benchmark", "QQQ")
    assert json.loads(out_qqq)["benchmark"] == "QQQ"
    assert (
        json.loads(out_qqq)["risk"]["tracking_error"]
        != json.loads(out_spx)["risk"]["tracking_error"]
    )
    _, out_m, _ = run("analyze", f, "--format", "json", "--megacaps", "AVGO")
    assert json.loads(out_m)["concentration"]["megacap_list"] == ["AVGO"]


def test_unknown_ticker_exit_1_with_ways_forward(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "h.csv"
    f.write_text("Symbol,Quantity\nAAPL,10\nAAPQ,5\n")  # (AAPX is a listed ETF now)
    code, out, err = run("analyze", str(f))
    assert code == 1 and "Traceback" not in err
    assert "line 3" in err and "AAPQ" in err and "--map" in err
    code, out, err = run("analyze", str(f), "--map", "AAPQ=AAPL", "--format", "json")
    assert code == 0
    assert json.loads(out)["positions"][0]["ticker"] == "AAPL"
    code, out, err = run("analyze", str(f), "--unknown", "skip", "--format", "json")
    assert code == 0 and "AAPQ" in err


def test_bad_inputs_exit_1_without_traceback(tmp_path) -> None:  # noqa: ANN001
    missing = tmp_path / "nope.csv"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    negative = tmp_path / "neg.csv"
    negative.write_text("Symbol,Quantity\nAAPL,-10\n")
    for f in (missing, empty, negative):
        code, _, err = run("analyze", str(f))
        assert code == 1, f
        assert "Error:" in err and "Traceback" not in err and f.name in err


def test_usage_errors_exit_2() -> None:
    f = str(PORTFOLIOS / "growth_client.csv")
    assert run("analyze", f, "--format", "xml")[0] == 2
    assert run("analyze", f, "--map", "NOEQUALS")[0] == 2
    assert run("analyze", f, "--benchmark", "NOTATICKER")[0] == 2
    assert run("analyze", f, "--total-value", "-5")[0] == 2
    assert run("frobnicate")[0] == 2


def test_benchmark_fund_without_holdings_is_its_own_return() -> None:
    """A fund the snapshot does not see through (no holdings file, no estimate: gold) can be the
    benchmark: it is then its own risk row."""
    code, out, err = run(
        "analyze", str(PORTFOLIOS / "growth_client.csv"), "--benchmark", "GLD", "--format", "json"
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["benchmark"] == "GLD" and d["concentration"]["benchmark_top10_weight"] == 0
    assert d["concentration"]["sectors"]["Unseen (fund remainder)"]["benchmark_weight"] == 1.0


def test_data_info() -> None:
    code, out, _ = run("data", "info")
    assert code == 0
    assert "2026-07-14" in out and "SHA-256" in out and "Licence" in out
    code, out, _ = run("data", "info", "--format", "json")
    assert json.loads(out)["snapshot_date"] == "2026-07-14"


def test_data_build_bad_source_is_error_1(tmp_path) -> None:  # noqa: ANN001
    code, _, err = run("data", "build", "--source", str(tmp_path), "--out", str(tmp_path / "o"))
    assert code == 1 and "does not look like" in err


def _skip_without_raw_data(command: str) -> None:
    """``advisor backtest`` reads the raw market data: skipped (with the reason) without it."""
    if command.startswith("advisor backtest") and not (RAW_DATA / "README.md").exists():
        pytest.skip(f"advisor backtest needs the raw market data, not found at {RAW_DATA}")


def _readme_commands() -> list[str]:
    """Every `advisor ...` line in the README's bash blocks; '# exit 3' marks an expected code."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    cmds = []
    for block in blocks:
        for line in block.splitlines():
            code, _, comment = line.partition("#")
            code = code.strip()
            if code.startswith("advisor ") and "data build" not in code:
                cmds.append(code + ("  # exit 3" if "exit 3" in comment else ""))
    return cmds


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_examples_run(command: str, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    _skip_without_raw_data(command)
    monkeypatch.chdir(ROOT)
    args = shlex.split(command.split("#")[0])[1:]
    args = [
        str(tmp_path / a)
        if a.endswith((".csv", ".png", ".html", ".pdf")) and not a.startswith("portfolios")
        else a
        for a in args
    ]
    code, _, err = run(*args)
    expected = 3 if command.endswith("# exit 3") else 0
    assert code == expected, f"{command}: {err}"


def test_every_command_is_documented_in_readme() -> None:
    text = (ROOT / "README.md").read_text()
    for name, cmd in main.commands.items():
        assert f"advisor {name}" in text
        for sub in getattr(cmd, "commands", {}):
            assert f"advisor {name} {sub}" in text


def _help_examples() -> list[str]:
    """The ``Example:`` line of every command's help."""
    out = []
    for cmd in main.commands.values():
        for sub in [cmd, *getattr(cmd, "commands", {}).values()]:
            if getattr(sub, "commands", None):
                continue
            found = re.findall(r"Example:\s*(advisor [^\n]+)", sub.help or "")
            assert found, f"{sub.name}: no Example: in its help"
            out += found
    return out


@pytest.mark.parametrize("command", _help_examples())
def test_every_help_example_runs(command: str, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Each --help example exits 0 (the data build example rewrites the package snapshot, so it
    is run by the snapshot rebuild test into a temporary folder instead)."""
    if " data build" in command:
        pytest.skip("covered by tests/test_snapshot.py (rebuild into a temporary folder)")
    _skip_without_raw_data(command)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "portfolios").symlink_to(ROOT / "portfolios")
    code, _, err = run(*shlex.split(command)[1:])
    assert code == 0, f"{command}: {err}"


def test_analyze_does_not_import_the_optimizer_stack() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from advisor.cli import main\n"
        "args = ['analyze', 'portfolios/growth_client.csv', '--format', 'json']\n"
        "r = CliRunner().invoke(main, args)\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('cvxpy', 'pypfopt', 'scipy', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_the_process_exits_fast_with_its_output_whole_and_its_exit_code(tmp_path) -> None:  # noqa: ANN001
    """``advisor`` as a process (advisor.cli.run leaves without tearing the interpreter down):
    its whole output is written, and the exit codes are the documented ones."""
    growth = str(PORTFOLIOS / "growth_client.csv")

    def process(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True,
                              text=True, cwd=ROOT)  # fmt: skip

    done = process("analyze", growth, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["as_of"]  # the whole document, flushed
    out = tmp_path / "trades.csv"
    done = process("propose", growth, "--max-te", "0.1%")
    assert done.returncode == 3 and "cannot be met" in done.stderr
    done = process("propose", growth, "--output", str(out))
    assert done.returncode == 0 and out.read_text().count("\n") > 1
    done = process("analyze", str(tmp_path / "missing.csv"))
    assert done.returncode == 1 and "missing.csv" in done.stderr
    assert process("analyze", growth, "--no-such-option").returncode == 2
