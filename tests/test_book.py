"""``advisor book``: the example book end to end, resume, bad files, the dry run, the mandate
file's errors, split exports, and a worker killed in the middle of a book (slow)."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS

from advisor import book
from advisor.book import store
from advisor.book.mandates import MandateFile, effective, read_mandate_file
from advisor.book.summary import FILES
from advisor.cli import main
from advisor.errors import InputError

BOOK = PORTFOLIOS / "book"
MANDATE = BOOK / "mandate.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _without_clock(d: Any) -> Any:
    """A record or proposal without the wall-clock fields (they differ between two runs)."""
    if isinstance(d, dict):
        drop = {*store.WALL_CLOCK, "solve_time", "reused", "age_days"}
        return {k: _without_clock(v) for k, v in d.items() if k not in drop}
    if isinstance(d, list):
        return [_without_clock(v) for v in d]
    return d


def _same(a: Any, b: Any, where: str = "") -> None:
    """Equal JSON, floats within 1e-6 relative (the solver's tolerance), the rest exactly."""
    if isinstance(a, dict):
        assert set(a) == set(b), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9), f"{where}: {a} != {b}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


# -- the example book, end to end ----------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """``advisor book portfolios/book/ --mandate ... --output OUT --workers 0`` once."""
    out = tmp_path_factory.mktemp("book") / "out"
    code, stdout, err = run("book", str(BOOK), "--mandate", str(MANDATE), "--output", str(out),
                            "--workers", "0")  # fmt: skip
    assert code == 0, err
    return out, code, stdout


def test_example_book_writes_every_file(example: tuple[Path, int, str]) -> None:
    out, _, stdout = example
    for name in FILES:
        assert (out / name).is_file(), name
    s = _json(out / "summary.json")
    assert s["as_of"] == "2026-07-14" and s["mandate_file"] == str(MANDATE)
    names = {r["household"] for r in s["households"]}
    assert names == {"broken_export", "chen_family", "garcia_rollover_ira", "harper_tight",
                     "lindqvist_accounts", "nguyen_trust", "okafor_roth", "patel_brokerage"}  # fmt: skip
    status = {r["household"]: r["status"] for r in s["households"]}
    assert status["broken_export"] == "failed" and status["harper_tight"] == "infeasible"
    assert all(v.startswith("optimal") for k, v in status.items()
               if k not in ("broken_export", "harper_tight"))  # fmt: skip
    for r in s["households"]:
        folder = out / "households" / r["folder"]
        feasible = r["status"].startswith("optimal")
        assert (folder / "result.json").is_file()
        assert (folder / "proposal.json").is_file() == (r["status"] != "failed")
        assert (folder / "trades.csv").is_file() == feasible
    # the terminal summary: units and the date
    assert "2026-07-14" in stdout and "account currency" in stdout and "%" in stdout
    assert "harper_tight" in stdout and "broken_export" in stdout


def test_example_summary_figures_match_each_household_json(example: tuple[Path, int, str]) -> None:
    """Every figure of the summary recomputed from the households' proposal.json."""
    out = example[0]
    s = _json(out / "summary.json")
    value = megacap_before = megacap_after = 0.0
    by_ticker: dict[str, dict[str, float]] = {}
    for r in s["households"]:
        if r["status"] == "failed":
            continue
        p = _json(out / "households" / r["folder"] / "proposal.json")
        v = p["before"]["total_value"]
        before = p["before"]["concentration"]["megacap_weight"]
        after = p["after"]["concentration"]["megacap_weight"] if p["after"] else before
        assert r["value"] == v and r["megacap_before"] == before
        assert r["megacap_after"] == (after if p["after"] else None)
        assert r["turnover"] == p["turnover"] and r["trades"] == len(p["trades"])
        assert r["realized_gain"] == p["realized_gain"]
        assert r["estimated_tax"] == (p["tax"]["estimated_tax"] if p["tax"] else None)
        if p["after"]:
            assert r["te_after"] == p["scope"]["after"]["risk"]["tracking_error"]
        value += v
        megacap_before += v * before
        megacap_after += v * after
        for t in p["trades"]:
            row = by_ticker.setdefault(t["ticker"], {"bought": 0.0, "sold": 0.0, "tax": 0.0})
            row["bought" if t["side"] == "buy" else "sold"] += t["amount"]
            row["tax"] += t.get("est_tax") or 0.0
    b = s["book"]
    assert b["value"] == pytest.approx(value, abs=0.01)
    assert b["megacap_before"] == pytest.approx(megacap_before / value, rel=1e-12)
    assert b["megacap_after"] == pytest.approx(megacap_after / value, rel=1e-12)
    assert b["megacap_after"] < b["megacap_before"]
    tickers = {t["ticker"]: t for t in s["by_ticker"]}
    assert set(tickers) == set(by_ticker)
    for name, row in by_ticker.items():
        assert tickers[name]["bought"] == pytest.approx(row["bought"], abs=0.011)
        assert tickers[name]["sold"] == pytest.approx(row["sold"], abs=0.011)
        assert tickers[name]["estimated_tax"] == pytest.approx(row["tax"], abs=0.011)
    csv_lines = (out / "summary.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + len(s["households"])
    assert csv_lines[0].startswith("household,source,status,accounts,value,megacap_before")


def test_example_infeasible_and_failed_are_explained(example: tuple[Path, int, str]) -> None:
    out = example[0]
    s = _json(out / "summary.json")
    (inf,) = s["infeasible"]
    assert inf["household"] == "harper_tight" and "tracking error 0.50%" in inf["relaxation"]
    assert "least tracking error that meets them is" in inf["relaxation"]
    (bad,) = s["failed"]
    assert bad["household"] == "broken_export"
    assert "broken_export.csv, line 4" in bad["error"] and "four hundred" in bad["error"]
    html = (out / "summary.html").read_text()
    assert "harper_tight" in html and "four hundred" in html and "<script" not in html


def test_example_household_is_what_propose_writes(example: tuple[Path, int, str],
                                                  tmp_path: Path) -> None:  # fmt: skip
    """okafor_roth's files equal `advisor propose` with the same options on the command line."""
    out = example[0]
    trades = tmp_path / "trades.csv"
    code, stdout, err = run("propose", str(BOOK / "okafor_roth.csv"), "--format", "json",
                            "--max-te", "5%", "--megacap-target", "30%", "--min-trade", "250",
                            "--tax-rates", "short=40.8%,long=23.8%,state=5%",
                            "--output", str(trades))  # fmt: skip
    assert code == 0, err
    folder = out / "households" / "okafor_roth"
    mine = _json(folder / "proposal.json")
    theirs = json.loads(stdout)
    for d in (mine, theirs):
        d["before"]["source"] = d["after"]["source"] = None  # the path as given differs
    _same(_without_clock(mine), _without_clock(theirs))
    assert (folder / "trades.csv").read_text() == trades.read_text()


# -- resume --------------------------------------------------------------------------------------


def _small_book(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("okafor_roth.csv", "harper_tight.csv"):
        shutil.copy(BOOK / name, src / name)
    mandate = tmp_path / "mandate.yaml"
    mandate.write_text("default:\n  max-te: 5%\n  megacap-target: 40%\n"
                       "households:\n  harper_tight:\n    max-te: 6%\n")  # fmt: skip
    return src, mandate


def _ran(out: Path) -> int:
    return _json(out / "summary.json")["run"]["households_run"]


def test_rerun_skips_done_and_reruns_changed_input_or_mandate(tmp_path: Path) -> None:
    src, mandate = _small_book(tmp_path)
    out = tmp_path / "out"
    args = ("book", str(src), "--mandate", str(mandate), "-o", str(out), "--workers", "0")
    assert run(*args)[0] == 0 and _ran(out) == 2
    record = out / "households" / "okafor_roth" / "result.json"
    stamp = record.stat().st_mtime_ns
    assert run(*args)[0] == 0 and _ran(out) == 0
    assert record.stat().st_mtime_ns == stamp  # not written again
    s = _json(out / "summary.json")
    assert s["run"]["households_reused"] == 2 and s["book"]["proposed"] == 2
    # changed input: only that household runs
    (src / "okafor_roth.csv").write_text((src / "okafor_roth.csv").read_text()
                                         .replace("NVDA,420", "NVDA,430"))  # fmt: skip
    assert run(*args)[0] == 0 and _ran(out) == 1
    assert record.stat().st_mtime_ns != stamp
    # a changed override: only its household
    mandate.write_text(mandate.read_text().replace("max-te: 6%", "max-te: 7%"))
    assert run(*args)[0] == 0 and _ran(out) == 1
    assert _json(out / "households" / "harper_tight" / "result.json")["options"]["mandate"][
        "max_te"] == pytest.approx(0.07)  # fmt: skip
    # a changed default: both
    mandate.write_text(mandate.read_text().replace("megacap-target: 40%", "megacap-target: 45%"))
    assert run(*args)[0] == 0 and _ran(out) == 2
    # a comment changes nothing that matters
    mandate.write_text("# the same mandate\n" + mandate.read_text())
    assert run(*args)[0] == 0 and _ran(out) == 0
    assert run(*args, "--force")[0] == 0 and _ran(out) == 2


def test_changed_code_reruns_the_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.book import store

    src, mandate = _small_book(tmp_path)
    out = tmp_path / "out"
    args = ("book", str(src), "--mandate", str(mandate), "-o", str(out), "--workers", "0")
    assert run(*args)[0] == 0 and _ran(out) == 2
    assert run(*args)[0] == 0 and _ran(out) == 0
    monkeypatch.setattr(store, "code_id", lambda: "another-build")
    assert run(*args)[0] == 0 and _ran(out) == 2


def test_code_id_changes_with_any_module_or_template(tmp_path: Path) -> None:
    from advisor.book import store

    (tmp_path / "optimize").mkdir()
    module, template = tmp_path / "optimize" / "proposal.py", tmp_path / "summary.html.j2"
    module.write_text("x = 1\n")
    template.write_text("<p>{{ x }}</p>\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    first = store.code_id(tmp_path)
    assert store.code_id(tmp_path) == first and len(first) == 16
    (tmp_path / "notes.txt").write_text("still not code\n")
    assert store.code_id(tmp_path) == first
    module.write_text("x = 2\n")
    second = store.code_id(tmp_path)
    assert second != first
    template.write_text("<p>{{ y }}</p>\n")
    assert store.code_id(tmp_path) not in (first, second)
    assert len(store.code_id()) == 16  # the installed package


def test_a_task_run_twice_returns_the_finished_household(tmp_path: Path) -> None:
    """The scheduler may run a household again after a worker died: it is not done twice."""
    from advisor.book.task import run_job

    src, mandate = _small_book(tmp_path)
    plan = book.plan([src / "harper_tight.csv"], tmp_path / "out", mandate=mandate)
    (job,) = plan.todo
    first = run_job(job, plan.settings)
    again = run_job(job, plan.settings)
    assert again.pop("reused") is True and again == first


# -- bad input: recorded, never fatal --------------------------------------------------------------


def test_bad_files_are_recorded_and_the_book_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "unknown.csv").write_text("Symbol,Quantity\nAAPL,10\nNOSUCHTICKER,5\n")
    (src / "empty.csv").write_text("")
    (src / "bad.yaml").write_text("client: X\naccounts: [\n")
    out = tmp_path / "out"
    code, _, err = run("book", str(src), str(tmp_path / "missing.csv"), "-o", str(out),
                       "--workers", "0")  # fmt: skip
    assert code == 0, err
    failed = {f["household"]: f["error"] for f in _json(out / "summary.json")["failed"]}
    assert set(failed) == {"unknown", "empty", "bad", "missing"}
    assert "line 3: NOSUCHTICKER" in failed["unknown"]
    assert "empty" in failed["empty"]
    assert "bad.yaml, line" in failed["bad"] and "YAML" in failed["bad"]
    assert failed["missing"] == "not found"
    assert run("book", str(src), "-o", str(out), "--workers", "0", "--strict")[0] == 1


# -- the dry run -------------------------------------------------------------------------------


def test_dry_run_checks_everything_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run("book", str(BOOK), "--mandate", str(MANDATE), "-o", str(out),
                          "--dry-run")  # fmt: skip
    assert code == 1  # the broken file
    assert not out.exists()
    assert "8 households, 7 would run" in stdout and "broken_export" in stdout
    assert "max_te=0.005" in stdout  # harper_tight's override
    ok = tmp_path / "ok"
    ok.mkdir()
    shutil.copy(BOOK / "okafor_roth.csv", ok)
    code, stdout, _ = run("book", str(ok), "--mandate", str(MANDATE), "-o", str(out), "--dry-run")
    assert code == 1  # the mandate's overrides name households that are not in this book
    code, stdout, err = run("book", str(ok), "-o", str(out), "--dry-run")
    assert code == 0 and "1 would run" in stdout, err


# -- the mandate file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("default:\n  max-te: 3\n", ["line 2", "max-te", "write 3% or 0.03"]),
        ("default:\n  max-te: 300%\n", ["line 2", "max-te", "300%", "between 0 and 1"]),
        ("defaults:\n  max-te: 3%\n", ["line 1", "unknown section 'defaults'"]),
        ("default:\n  max-tee: 3%\n", ["line 2", "unknown option 'max-tee'", "max-te"]),
        ("default:\n  max-te: 3%\nhouseholds:\n  a:\n    objective: cheapest\n",
         ["line 5", "objective", "'cheapest' is not one of"]),
        ("default:\n  hold: [AAPL\n", ["line 3", "not valid YAML"]),
        ("households: [a, b]\n", ["line 1", "'households' is not a mapping"]),
        ("default:\n  harvest: maybe\n", ["line 2", "harvest", "true or false"]),
        ("default:\n  sleeve-mix: {equal-weight: 0}\n", ["line 2", "sleeve-mix", "nothing"]),
        ("default:\n  unknown: ignore\n", ["line 2", "'ignore' is not one of error, cash, skip"]),
    ],
)  # fmt: skip
def test_mandate_file_errors_name_file_line_key_value(tmp_path: Path, text: str,
                                                      expected: list[str]) -> None:  # fmt: skip
    path = tmp_path / "mandate.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_mandate_file(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message
    code, _, err = run("book", str(BOOK), "--mandate", str(path), "-o", str(tmp_path / "o"))
    assert code == 1 and "Traceback" not in err and expected[0] in err


def test_mandate_layers_in_order(tmp_path: Path) -> None:
    """default < the household file's own < accounts: < households:."""
    path = tmp_path / "mandate.yaml"
    path.write_text("default:\n  max-te: 3%\n  megacap-target: 40%\n  cost-bps: 2\n"
                    "accounts:\n  'Roth ...1':\n    megacap-target: 35%\n    cost-bps: 3\n"
                    "households:\n  h:\n    cost-bps: 4\n")  # fmt: skip
    m = read_mandate_file(path)
    from advisor.book.mandates import household_layer

    own = household_layer({"max-te": "4%", "megacap-target": "45%"}, {"long": 0.2}, "h.yaml")
    o = effective(m, "h", ["Roth ...1", "Joint ...2"], own).mandate
    assert (o.max_te, o.megacap_target, o.cost_bps) == (0.04, 0.35, 4.0)
    assert o.tax_rates.long == 0.2
    o = effective(m, "other", ["Joint ...2"]).mandate
    assert (o.max_te, o.megacap_target, o.cost_bps) == (0.03, 0.40, 2.0)
    assert m.unmatched(["h"], ["Joint ...2"]) == ["accounts: 'Roth ...1'"]


def test_two_accounts_of_one_household_may_not_disagree(tmp_path: Path) -> None:
    path = tmp_path / "mandate.yaml"
    path.write_text("accounts:\n  A:\n    max-te: 3%\n  B:\n    max-te: 4%\n")
    m = read_mandate_file(path)
    with pytest.raises(InputError, match="accounts 'A' and 'B' of one household"):
        effective(m, "h", ["A", "B"])
    assert effective(MandateFile(), "h", []).mandate.max_te == 0.03  # no file: the defaults


# -- one export split into households ---------------------------------------------------------------


def test_split_export_by_household_and_account(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text('"Positions as of 07/14/2026"\n'
                      "Household,Account,Symbol,Quantity,Cost Basis\n"
                      "Smith,Individual ...1,AAPL,100,10000\n"
                      "Smith,Roth IRA ...2,NVDA,200,5000\n"
                      "Jones,Joint ...3,MSFT,50,9000\n"
                      "Brown,Individual ...4,AAPL,abc,100\n"
                      ",,Total,,\n")  # fmt: skip
    plan, checks, _ = book.check([export], tmp_path / "out", split_by="household")
    by_key = {c.key: c for c in checks}
    assert set(by_key) == {"Smith", "Jones", "Brown"}
    assert by_key["Smith"].accounts == 2 and by_key["Smith"].error is None
    assert f"{export}, line 6 (Brown): cannot read 'abc'" in by_key["Brown"].error
    assert any("1 line(s) without a household" in n for n in plan.notes)
    assert not (tmp_path / "out").exists()
    _, checks, _ = book.check([export], tmp_path / "out", split_by="account")
    assert {c.key for c in checks} == {"Individual ...1", "Roth IRA ...2", "Joint ...3",
                                       "Individual ...4"}  # fmt: skip
    plain = tmp_path / "plain.csv"
    plain.write_text("Symbol,Quantity\nAAPL,1\n")
    _, checks, _ = book.check([plain], tmp_path / "out", split_by="household")
    assert "no household column" in checks[0].error


# -- a worker killed in the middle of a book -------------------------------------------------------


@pytest.mark.slow
def test_killed_worker_loses_nothing(tmp_path: Path) -> None:
    """Two worker processes; one is killed (SIGKILL) while it runs a household. Every household
    completes exactly once, with the results of an undisturbed in-process run."""
    from distributed import Client, LocalCluster

    src = tmp_path / "src"
    shutil.copytree(BOOK, src)
    mandate = src / "mandate.yaml"
    calm = book.run(book.plan([src], tmp_path / "calm", mandate=mandate), workers=0)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_one_busy_worker(record: dict[str, Any]) -> None:
            if killed:
                return
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            assert busy, "no worker is running a household"
            killed.append(pids[busy[0]])
            os.kill(pids[busy[0]], signal.SIGKILL)

        plan = book.plan([src], tmp_path / "hit", mandate=mandate)
        hit = book.run(plan, client=client, on_record=kill_one_busy_worker)
        assert killed and killed[0] not in client.run(os.getpid).values()  # a new process
    names = sorted(r["household"] for r in hit.records)
    assert names == sorted(r["household"] for r in calm.records)
    assert len(names) == len(set(names)) == 8
    for r in calm.records:
        a = tmp_path / "calm" / "households" / r["household"]
        b = tmp_path / "hit" / "households" / r["household"]
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
        _same(_without_clock(_json(a / "result.json")), _without_clock(_json(b / "result.json")))
        if (a / "proposal.json").exists():
            _same(_without_clock(_json(a / "proposal.json")),
                  _without_clock(_json(b / "proposal.json")))  # fmt: skip
        if (a / "trades.csv").exists():
            assert (a / "trades.csv").read_text() == (b / "trades.csv").read_text()
    _same(_without_clock(calm.summary["book"]), _without_clock(hit.summary["book"]))


def test_exports_a_household_file_names_are_not_households_of_their_own(tmp_path: Path) -> None:
    from advisor.book.sources import discover

    (tmp_path / "h.yaml").write_text("client: X\nfiles:\n  - a.csv\n  - b.csv\n")
    (tmp_path / "broken.yaml").write_text("client: Y\naccounts:\n  - file: d.csv\n    type: [\n")
    for name in ("a.csv", "b.csv", "c.csv", "d.csv"):
        (tmp_path / name).write_text("Symbol,Quantity\nAAPL,1\n")
    (tmp_path / "mandate.yaml").write_text("default:\n  max-te: 3%\n")
    (tmp_path / "notes.md").write_text("not a household")
    found = discover([tmp_path], skip=[tmp_path / "mandate.yaml"])
    assert sorted((j.key, j.kind) for j in found.jobs) == [
        ("broken", "household"), ("c", "file"), ("h", "household")]  # fmt: skip


def test_atomic_write_replaces_whole_files_with_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a" / "f.json"
    store.atomic_write(path, "one")
    store.atomic_write(path, "two")
    assert path.read_text() == "two" and [p.name for p in path.parent.iterdir()] == ["f.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_report_writes_the_client_document(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(BOOK / "okafor_roth.csv", src)
    out = tmp_path / "out"
    args = (
        "book",
        str(src),
        "--mandate",
        str(MANDATE),
        "-o",
        str(out),
        "--workers",
        "0",
        "--report",
    )
    assert run(*args)[0] == 0 and _ran(out) == 1
    document = out / "households" / "okafor_roth" / "report.html"
    assert "Okafor roth" in document.read_text()
    assert _json(document.with_name("result.json"))["files"]["report"] == "report.html"
    assert run(*args)[0] == 0 and _ran(out) == 0
