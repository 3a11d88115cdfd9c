"""Whole-process time of `advisor report` (HTML, and HTML + PDF), and where the time goes.

    python benchmarks/bench_report.py [--runs N] [FILE ...]

For each file: the wall-clock seconds of the command as a user runs it (a new process, the
imports and the snapshot load included), the least and the median of N runs, with the CPU
seconds of the least; `advisor propose FILE --format json` the same way, the part of the report
that is the proposal itself; then one in-process breakdown in the command's order, the imports
of cvxpy and WeasyPrint on lines of their own (each is paid once, by the first step that needs
it; cvxpy's comes after the holdings' analysis, at the optimizer's first use). In the command
itself a helper process (``advisor.report.pdf.PdfWorker``) imports WeasyPrint and lays out a
first small page while the holdings are read and analysed; it lays out the pages on the
portfolio today ("pdf, today") while the proposal is computed, the document's first part
(cover, summary, the trades, "before and after") while the what-if run and the frontier are
computed, then the rest, and writes the PDF. The whole process therefore takes about: the steps
up to the proposal, then the PDF's first part, its rest and its writing. The issue's target:
under 3 s for one report with its PDF (`advisor report FILE --pdf out.pdf`).

The package's modules are compiled to bytecode first, as ``pip install .`` (the README's
command) leaves them and as Python does at a first run. Without it (an editable install where
``PYTHONDONTWRITEBYTECODE`` is set, as on this project's machine) every run compiles advisor's
modules again, in the command and in its helper: 0.17 s more in the command alone (``python -X
importtime``: advisor's own modules 0.25 s -> 0.08 s).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["portfolios/growth_client.csv", "portfolios/household.yaml"]


def whole_process(args: list[str], runs: int) -> tuple[float, float, float]:
    """Least and median wall-clock seconds of ``advisor ARGS`` over ``runs`` new processes, and
    the CPU seconds (user + system) of the fastest run."""
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "advisor", *args], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user
                    + after.children_system - before.children_system)  # fmt: skip
    best = walls.index(min(walls))
    return min(walls), statistics.median(walls), cpus[best]


def breakdown(file: str, out: Path) -> dict[str, float]:
    """Each step of ``advisor report FILE --pdf``, in one process, in the command's order."""
    times: dict[str, float] = {}
    state: dict[str, object] = {}

    def step(name: str, fn: Callable[[], object]) -> None:
        t = time.perf_counter()
        state[name] = fn()
        times[name] = time.perf_counter() - t

    step("import advisor and pandas", lambda: __import__("advisor.holdings.household"))
    import advisor
    from advisor.holdings.household import is_household
    from advisor.report import html, pdf

    path = ROOT / file
    step("load market", advisor.load_market)
    market = state["load market"]
    hh = advisor.read_household(path, market) if is_household(path) else None
    holdings = hh.holdings if hh else advisor.read_holdings(path, market)
    mandate = advisor.Mandate(**({"megacap_target": 0.35, "max_te": 0.04} if hh else {}))
    analysed: list[object] = []

    def analysis_then_cvxpy(analysis: object) -> None:  # as the command: cvxpy at the first solve
        analysed.append(analysis)
        times["propose, to the analysis"] = time.perf_counter() - start
        t = time.perf_counter()
        from advisor.optimize.cvxpy_import import import_cvxpy

        import_cvxpy()
        times["import cvxpy"] = time.perf_counter() - t

    start = time.perf_counter()
    p = advisor.propose(holdings, market, mandate, on_analysis=analysis_then_cvxpy)
    done = time.perf_counter() - start
    times["propose, the rest"] = done - times["propose, to the analysis"] - times["import cvxpy"]
    step("document", lambda: html.report(p, html.Cover("Client")))
    doc = state["document"]
    step("what-if", lambda: advisor.what_if(holdings, market, html.report_scenarios(), proposal=p))
    step("frontier", lambda: advisor.frontier(holdings, market, points=8, setup=p.setup))
    w, f = state["what-if"], state["frontier"]
    step("html", lambda: doc.add(w.to_dict(), f.to_dict()).html())  # type: ignore[attr-defined]
    step("import weasyprint", pdf.available)  # False without the pdf extra
    if state["import weasyprint"]:
        layout = pdf.Layout()
        early = html.today(analysed[0], doc.cover).html("today", for_pdf=True)  # type: ignore[attr-defined]
        first = doc.html("proposal", for_pdf=True, today_apart=True)  # type: ignore[attr-defined]
        rest = doc.html("outcomes", for_pdf=True)  # type: ignore[attr-defined]
        rest_pages = html.rest_pages(False)
        step("pdf, today", lambda: layout.today(early, rest_pages + html.decided_pages()))
        step("pdf, first part", lambda: layout.first(first, rest_pages))
        step("pdf, rest and writing", lambda: layout.finish(rest, out / "b.pdf"))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=FILES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--breakdown", action="store_true", help="only the in-process "
                        "breakdown of the first file, as JSON (a fresh process per file)")  # fmt: skip
    a = parser.parse_args()
    compileall.compile_dir(ROOT / "advisor", quiet=1)  # as `pip install .` leaves it
    with tempfile.TemporaryDirectory() as tmp:
        if a.breakdown:
            print(json.dumps(breakdown(a.files[0], Path(tmp))))
            return
        out = Path(tmp)
        for file in a.files:
            html_args = ["report", file, "--output", str(out / "p.html")]
            pdf = ["--pdf", str(out / "p.pdf")]
            rows = {
                "propose --format json": ["propose", file, "--format", "json"],
                "report (HTML)": html_args,
                "report --pdf": ["report", file, *pdf],
                "report (HTML + PDF)": [*html_args, *pdf],
            }
            print(f"{file} (whole process, {a.runs} runs: least / median wall, CPU of the least)")
            for label, args in rows.items():
                least, median, cpu = whole_process(args, a.runs)
                print(f"  {label:<22} {least:5.2f} s / {median:5.2f} s, CPU {cpu:5.2f} s")
            fresh = subprocess.run([sys.executable, __file__, "--breakdown", file], cwd=ROOT,
                                   check=True, capture_output=True, text=True)  # fmt: skip
            parts = json.loads(fresh.stdout.splitlines()[-1])
            print("  in one process: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items())
                  + f"; sum {sum(parts.values()):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
