"""``advisor report``: the client proposal document, as a client and as a tool read it.

The figures in the HTML are compared with the same figures of ``propose --format json`` and
``what-if --format json`` (formatted the same way); an input file full of markup proves the
document carries no script and no event handler.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS

from advisor.cli import main
from advisor.report import pdf
from advisor.report.numbers import fixed, money, pct

SECTIONS = ("cover", "summary", "today", "proposal", "risk", "frontier", "scenarios",
            "methodology", "glossary", "disclosures")  # fmt: skip
SCENARIOS = ("megacap sell-off", "small-cap rally", "rates-2022", "broadening-2023")


class Page(HTMLParser):
    """Every tag and attribute, the section ids in order, the text of each ``data-fig``, and
    each table's column headers and number of data cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.sections: list[str] = []
        self.figures: dict[str, str] = {}
        self.tables: list[dict[str, Any]] = []
        self.raw = ""
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id") or "")
        if tag == "table":
            self.tables.append({"section": self.sections[-1], "headers": [], "cells": 0})
        elif tag == "th" and self.tables:
            self.tables[-1]["headers"].append("")
        elif tag == "td" and self.tables:
            self.tables[-1]["cells"] += 1
        self._open.append((tag, a.get("data-fig")))
        if a.get("data-fig"):
            self.figures[a["data-fig"]] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, fig in self._open:
            if fig:
                self.figures[fig] += data
        if self._open and self._open[-1][0] == "th" and self.tables:
            self.tables[-1]["headers"][-1] += data


def parse(text: str) -> Page:
    page = Page()
    page.raw = text
    page.feed(text)
    return page


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def growth(tmp_path_factory: pytest.TempPathFactory) -> Page:
    out = tmp_path_factory.mktemp("report") / "proposal.html"
    code, _, err = run("report", str(PORTFOLIOS / "growth_client.csv"), "--output", str(out),
                       "--client", "Growth Client", "--advisor", "A. Adviser")  # fmt: skip
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in text
    return parse(text)


def test_sections_in_the_issues_order(growth: Page) -> None:
    assert growth.sections == list(SECTIONS)


def test_self_contained(growth: Page) -> None:
    """No script, no outside resource: every chart is inline SVG."""
    tags = [t for t, _ in growth.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert tags.count("svg") == 3
    for _, attrs in growth.tags:
        for name, value in attrs:
            assert name not in ("src", "srcset") and not name.startswith("on")
            if name in ("href", "xlink:href"):
                assert (value or "").startswith("#")


def test_key_figures_equal_the_json(growth: Page) -> None:
    code, out, err = run("propose", str(PORTFOLIOS / "growth_client.csv"), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    b, a = d["before"], d["after"]
    expected = {
        "megacap_before": pct(b["concentration"]["megacap_weight"]),
        "megacap_after": pct(a["concentration"]["megacap_weight"]),
        "megacap_benchmark": pct(b["concentration"]["benchmark_megacap_weight"]),
        "te_before": pct(b["risk"]["tracking_error"], 2),
        "te_after": pct(a["risk"]["tracking_error"], 2),
        "effn_before": f"{b['concentration']['effective_n']:.1f}",
        "effn_after": f"{a['concentration']['effective_n']:.1f}",
        "turnover": pct(d["turnover"]),
        "cost": money(d["estimated_cost"]),
        "realized_gain": money(d["realized_gain"]),
        "tax": money(d["tax"]["estimated_tax"]),
    }
    decided = d["scope"]["after"]  # the frontier's part: the US-equity part the proposal decides
    expected |= {
        "frontier_proposal_megacap": pct(decided["concentration"]["megacap_weight"]),
        "frontier_proposal_te": pct(decided["risk"]["tracking_error"], 2),
        "frontier_today_megacap": pct(d["scope"]["before"]["concentration"]["megacap_weight"]),
        "frontier_today_te": pct(d["scope"]["before"]["risk"]["tracking_error"], 2),
    }
    expected |= {f"trade:{t['account']}:{t['ticker']}": money(t["amount"]) for t in d["trades"]}
    assert {k: growth.figures.get(k, "").strip() for k in expected} == expected


def test_scenarios_equal_the_whatif_json(growth: Page) -> None:
    # what-if's default set (the two stated moves and every replay), with the proposal
    code, out, err = run("what-if", str(PORTFOLIOS / "growth_client.csv"), "--propose",
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    runs = {s["name"]: s for s in json.loads(out)["scenarios"]}
    for name in SCENARIOS:
        s = runs[name]
        for key, fmt in (("portfolio_pnl", money), ("proposed_pnl", money),
                         ("portfolio_return", pct), ("proposed_return", pct),
                         ("benchmark_return", pct)):  # fmt: skip
            assert growth.figures[f"{name}:{key}"].strip() == fmt(s[key]), (name, key)


EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = '"><img src=x onerror=alert(1)>'


def test_markup_in_the_input_is_escaped(tmp_path: Path) -> None:
    holdings = tmp_path / "evil.csv"
    holdings.write_text(
        "Account,Symbol,Description,Quantity,Cost Basis Total\n"
        f'"{EVIL_SCRIPT}",AAPL,"{EVIL_SCRIPT}",300,20000\n'
        f'"{EVIL_SCRIPT}",NVDA,"{EVIL_IMG.replace(chr(34), chr(34) * 2)}",400,10000\n'
        f'"IRA {EVIL_IMG.replace(chr(34), chr(34) * 2)}",MSFT,Microsoft,100,30000\n'
        f'"IRA {EVIL_IMG.replace(chr(34), chr(34) * 2)}",JPM,"{EVIL_SCRIPT}",100,20000\n'
    )
    out = tmp_path / "evil.html"
    code, _, err = run("report", str(holdings), "--output", str(out), "--points", "3", "--max-te", "8%",
                       "--client", EVIL_SCRIPT, "--advisor", EVIL_IMG)  # fmt: skip
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    assert "script" not in [t for t, _ in page.tags]
    assert "img" not in [t for t, _ in page.tags]
    assert not [n for _, attrs in page.tags for n, _ in attrs if n.startswith("on")]
    assert "&lt;script&gt;" in text  # shown to the reader, as text


def test_household_file_names_the_client_with_hedges(tmp_path: Path) -> None:
    out = tmp_path / "household.html"
    code, _, err = run("report", str(PORTFOLIOS / "household.yaml"), "--output", str(out),
                       "--points", "3", "--hedges")  # fmt: skip
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    assert "<h1>Jordan and Casey Example</h1>" in text
    i = SECTIONS.index("methodology")
    assert page.sections == [*SECTIONS[:i], "hedging", *SECTIONS[i:]]
    assert "collar:SPY" in text and "put:SPY" in text


def test_report_needs_an_output() -> None:
    code, _, err = run("report", str(PORTFOLIOS / "growth_client.csv"))
    assert code == 2 and "--output" in err


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint or the Pango library is not "
                    "installed (pip install 'advisor[pdf]')")  # fmt: skip
def test_pdf(tmp_path: Path) -> None:
    from advisor.report.pdf import write_pdf

    path = write_pdf("<html><body><h1>Proposal</h1></body></html>", tmp_path / "p.pdf")
    assert path.read_bytes().startswith(b"%PDF-")


def test_pdf_without_weasyprint_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from advisor.errors import AdvisorError

    real = builtins.__import__

    def no_weasyprint(name: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(AdvisorError) as err:
        pdf.write_pdf("<p>x</p>", "unused.pdf")
    assert "advisor[pdf]" in (err.value.hint or "")


needs_pdf = pytest.mark.skipif(not pdf.available(), reason="WeasyPrint or the Pango library is "
                               "not installed (pip install 'advisor[pdf]')")  # fmt: skip
SMALL_DOC = "<html><body><h1>Proposal</h1><table><tr><td>AAPL</td><td>1.0%</td></tr></table>"


@needs_pdf
def test_pdf_worker_writes_the_pdf_and_ends(tmp_path: Path) -> None:
    """The helper process lays the document out and exits; the command never waits on it."""
    with pdf.PdfWorker() as worker:
        proc = worker._proc
        path = worker.write(SMALL_DOC, tmp_path / "w.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    assert proc is not None and proc.poll() is not None  # answered and gone


@needs_pdf
def test_pdf_worker_falls_back_when_the_helper_dies(tmp_path: Path) -> None:
    with pdf.PdfWorker() as worker:
        assert worker._proc is not None
        worker._proc.kill()
        worker._proc.wait()
        path = worker.write(SMALL_DOC, tmp_path / "f.pdf")  # laid out in this process instead
    assert path.read_bytes().startswith(b"%PDF-")


@needs_pdf
def test_pdf_worker_passes_on_weasyprints_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What WeasyPrint would log in the command's own process is logged there, not lost."""
    doc = SMALL_DOC.replace("<h1>", "<h1 style='colour: red; width: banana'>")  # bad CSS
    pdf.write_pdf(doc, tmp_path / "here.pdf")
    here = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    caplog.clear()
    with pdf.PdfWorker() as worker:
        worker.write(doc, tmp_path / "there.pdf")
    there = [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    assert here and there == here


_LOADED_LIBRARIES = (
    "import re\n"
    "libs = re.findall(r'/(lib(?:pango|gobject|harfbuzz|fontconfig)[^/\\s]*)',"
    " open('/proc/self/maps').read())\n"
    "print(sorted(set(libs)))\n"
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


@needs_pdf
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sonames are Linux's")
def test_weasyprint_loads_its_libraries_by_soname() -> None:
    """advisor/report/pdf.py imports WeasyPrint without a ``find_library`` look-up (each runs
    ldconfig and gcc) and loads the same system libraries as a plain import."""
    ours = _python(
        "import ctypes.util\n"
        "calls = []\n"
        "find = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: calls.append(name) or find(name)\n"
        "from advisor.report.pdf import _weasyprint\n"
        "_weasyprint()\n"
        "assert not calls, calls\n" + _LOADED_LIBRARIES
    )
    plain = _python("import weasyprint\n" + _LOADED_LIBRARIES)
    assert ours.returncode == 0 and plain.returncode == 0, ours.stderr + plain.stderr
    assert "libpango-1.0" in ours.stdout and ours.stdout == plain.stdout


@needs_pdf
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sonames are Linux's")
def test_weasyprint_is_imported_as_usual_when_a_soname_does_not_load() -> None:
    """A system whose libraries load only through ``find_library``: the first import fails (its
    message not shown), the usual one follows, and WeasyPrint works."""
    done = _python(
        "import ctypes.util, cffi\n"
        "from advisor.report import pdf\n"
        "dlopen = cffi.FFI.dlopen\n"
        "def picky(ffi, name, flags=0):\n"
        "    if ctypes.util.find_library is pdf._no_library:\n"
        "        raise OSError(f'cannot load library {name!r}')\n"
        "    return dlopen(ffi, name, flags)\n"
        "cffi.FFI.dlopen = picky\n"
        "weasyprint = pdf._weasyprint()\n"
        "assert weasyprint.HTML(string='<p>x</p>').write_pdf().startswith(b'%PDF-')\n"
        "assert ctypes.util.find_library is not pdf._no_library\n"
        "print('ok')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"  # WeasyPrint's message on the failed first import is not shown


def test_pdf_worker_without_an_interpreter_lays_out_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf.sys, "executable", "")
    with pdf.PdfWorker() as worker:
        assert worker._proc is None
        if pdf.available():
            assert worker.write(SMALL_DOC, tmp_path / "h.pdf").exists()


def test_pdf_worker_is_stopped_with_the_command() -> None:
    """A command that fails before its document stops the helper (no process left behind)."""
    with pdf.PdfWorker() as worker:
        proc = worker._proc
    assert proc is not None and proc.poll() is not None


def test_report_pdf_without_weasyprint_says_how_to_install(tmp_path: Path) -> None:
    """Through the helper process too: a clear message and the install hint, exit 1, and the
    HTML document still written."""
    import os
    import subprocess
    import sys

    fake = tmp_path / "site" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'weasyprint'\")\n")
    env = dict(os.environ, PYTHONPATH=str(fake.parent))
    html, out = tmp_path / "r.html", tmp_path / "r.pdf"
    r = subprocess.run([sys.executable, "-m", "advisor", "report",
                        str(PORTFOLIOS / "growth_client.csv"), "--output", str(html), "--pdf",
                        str(out), "--points", "3"], capture_output=True, text=True, env=env)  # fmt: skip
    assert r.returncode == 1, r.stderr
    assert "writing a PDF needs WeasyPrint" in r.stderr and "advisor[pdf]" in r.stderr
    assert "Traceback" not in r.stderr
    assert html.exists() and not out.exists()


def test_propose_report_shortcut(tmp_path: Path) -> None:
    """``propose --report PATH`` prints the proposal and writes the same document."""
    holdings = tmp_path / "small.csv"
    holdings.write_text("Symbol,Quantity\nAAPL,300\nNVDA,400\nMSFT,100\nJPM,100\n")
    out = tmp_path / "small.html"
    code, stdout, err = run("propose", str(holdings), "--max-te", "8%", "--format", "json",
                            "--report", str(out))  # fmt: skip
    assert code == 0, err
    page = parse(out.read_text(encoding="utf-8"))
    assert page.sections == list(SECTIONS)
    d = json.loads(stdout)
    assert page.figures["megacap_after"] == pct(d["after"]["concentration"]["megacap_weight"])
    assert "<h1>Small</h1>" in out.read_text(encoding="utf-8")  # the file's name on the cover


def test_hedging_figures_equal_the_hedge_result(market: Any) -> None:
    """``--hedges``: every figure of the hedging section is the hedge result's ``to_dict()``
    value in the document's format, and each option's trade states its strikes and term."""
    import advisor
    from advisor.report import html

    holdings = advisor.read_holdings(PORTFOLIOS / "growth_client.csv", market)
    proposal = advisor.propose(holdings, market)
    whatif = advisor.what_if(holdings, market, html.report_scenarios(), proposal=proposal)
    curve = advisor.frontier(holdings, market, proposal.mandate, points=3)
    hedges = advisor.hedge(whatif, market, cost_bps=proposal.mandate.cost_bps)
    page = parse(html.render(proposal, whatif, curve, html.Cover("Growth client"), hedges))
    h = hedges.to_dict()
    by_label = {x["label"]: x for x in h["hedges"]}
    assert len(h["comparison"]) == len(h["hedges"]) + 2  # no action, the proposal, each hedge
    expected = {}
    for c in h["comparison"]:
        a, hedge = c["alternative"], by_label.get(c["alternative"])
        expected |= {
            f"hedge:{a}:tracking_error": pct(c["tracking_error"], 2),
            f"hedge:{a}:volatility": pct(c["volatility"]),
            f"hedge:{a}:beta": fixed(c["beta"], 2),
            f"hedge:{a}:cost": money(hedge["cost"] if hedge else c["cost"]),
            f"hedge:{a}:trade": hedge["action"] if hedge else "",
        }
        expected |= {f"hedge:{a}:scenario:{n}": pct(r) for n, r in c["scenario_returns"].items()}
    shown = {k: page.figures.get(k, "").strip() for k in expected}
    trades = {k: v for k, v in shown.items() if k.endswith(":trade")}
    assert {k: v for k, v in shown.items() if k not in trades} == {
        k: v for k, v in expected.items() if k not in trades
    }
    for key, text in trades.items():
        assert text.startswith(expected[key]), key
    options = [x for x in h["hedges"] if x["option"]]
    assert {x["kind"] for x in options} == {"put", "collar"}
    for x in options:
        o, text = x["option"], trades[f"hedge:{x['label']}:trade"]
        for figure in (money(o["put_strike"]), pct(o["put_strike_fraction"], 0), money(o["spot"]),
                       f"{round(12 * o['expiry_years'])} months"):  # fmt: skip
            assert figure in text, (x["label"], figure, text)
        if o["call_strike"] is not None:
            assert money(o["call_strike"]) in text and pct(o["call_strike_fraction"], 0) in text


NO_TRADES = {
    "already within the mandate": ("diversified_client.csv",),
    "a target above today's weight": ("growth_client.csv", "--megacap-target", "90%"),
}


@pytest.mark.parametrize("case", [
    "already within the mandate",
    pytest.param("a target above today's weight", marks=pytest.mark.slow),
])  # fmt: skip
def test_no_trades_said_plainly(case: str, tmp_path: Path) -> None:
    """A proposal with no trades says so, with no trade table, no empty table, no "Proposed"
    column that repeats today, and charts without a proposal series."""
    file, *options = NO_TRADES[case]
    code, out, err = run("propose", str(PORTFOLIOS / file), *options, "--format", "json")
    assert code == 0 and json.loads(out)["trades"] == [], err
    path = tmp_path / "none.html"
    code, _, err = run("report", str(PORTFOLIOS / file), *options, "--output", str(path),
                       "--points", "3")  # fmt: skip
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    page = parse(text)
    assert page.sections == list(SECTIONS)
    assert page.figures["no_trades"] == "No trades are proposed."
    assert 'id="no-trades"' in text and "nothing needs to be sold" in text
    assert not [k for k in page.figures if k.startswith("trade:")]
    assert all(t["cells"] > 0 for t in page.tables), [t for t in page.tables if not t["cells"]]
    headers = [hd.strip() for t in page.tables for hd in t["headers"]]
    assert "Trade" not in headers and "Proposed" not in headers
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert "the proposal" not in svg
        box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
        assert box and float(box[1]) > 100 and float(box[2]) > 50
        assert svg.count("<rect") + svg.count("<circle") > 5  # bars, or the frontier's points
        assert svg.count("<text") > 5  # labels and numbers


def test_typeface_is_matplotlibs_dejavu_subset(growth: Page, tmp_path: Path) -> None:
    """The shipped subsets are what ``python -m advisor.report.typeface`` makes from the DejaVu
    Sans matplotlib ships (same characters), and they cover every character of a document."""
    from fontTools.ttLib import TTFont

    from advisor.report import typeface

    built = typeface.build(tmp_path)
    metrics = [p for p in built if p.name == typeface.METRICS]
    # the charts' widths are the shipped faces' own advances, as the build writes them
    assert json.loads(metrics[0].read_text()) == typeface.measure() == typeface._metrics()
    assert typeface.text_width("MM", 10) == pytest.approx(2 * 10 * 1767 / 2048)  # DejaVu's M
    for path in built:
        if path in metrics:
            continue
        shipped = TTFont(typeface.FONTS / path.name).getBestCmap()
        assert TTFont(path).getBestCmap() == shipped
        assert all(typeface.covers(chr(c)) for c in shipped)
    assert [c for c in set(growth.raw) if not typeface.covers(c)] == []
    css = typeface.font_face_css()
    assert css.count("@font-face") == 2 and f'font-family: "{typeface.FAMILY}"' in css
