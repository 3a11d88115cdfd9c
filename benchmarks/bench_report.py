"""Whole-process time of `advisor report` (HTML, and HTML + PDF), and where the time goes.

    python benchmarks/bench_report.py [FILE ...]

Prints, for each file: the wall-clock seconds of the command as a user runs it (a new process,
the import and the snapshot load included), then one in-process breakdown (propose, what-if,
frontier, HTML, PDF). The issue's target: under 3 s for one report with its PDF.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["portfolios/growth_client.csv", "portfolios/household.yaml"]


def whole_process(file: str, pdf: bool, out: Path) -> float:
    args = [sys.executable, "-m", "advisor", "report", file, "--output", str(out / "p.html")]
    if pdf:
        args += ["--pdf", str(out / "p.pdf")]
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def breakdown(file: str, out: Path) -> dict[str, float]:
    import advisor
    from advisor.holdings.household import is_household
    from advisor.report import html, pdf

    times: dict[str, float] = {}
    t = time.perf_counter()
    market = advisor.load_market()
    path = ROOT / file
    hh = advisor.read_household(path, market) if is_household(path) else None
    holdings = hh.holdings if hh else advisor.read_holdings(path, market)
    mandate = advisor.Mandate(**({"megacap_target": 0.35, "max_te": 0.04} if hh else {}))
    state: dict[str, object] = {}
    steps = [
        ("propose", lambda: state.update(p=advisor.propose(holdings, market, mandate))),
        ("what-if", lambda: state.update(w=advisor.what_if(
            holdings, market, html.report_scenarios(), proposal=state["p"]))),
        ("frontier", lambda: state.update(f=advisor.frontier(
            holdings, market, state["p"].mandate, points=8))),
        ("html", lambda: state.update(h=html.render(
            state["p"], state["w"], state["f"], html.Cover("Client")))),
    ]  # fmt: skip
    if pdf.available():
        steps.append(("pdf", lambda: pdf.write_pdf(state["h"], out / "b.pdf")))
    times["load"] = time.perf_counter() - t
    for name, step in steps:
        t = time.perf_counter()
        step()
        times[name] = time.perf_counter() - t
    return times


def main() -> None:
    files = sys.argv[1:] or FILES
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for file in files:
            html_s = whole_process(file, False, out)
            pdf_s = whole_process(file, True, out)
            parts = breakdown(file, out)
            print(f"{file}: whole process {html_s:.2f} s (HTML), {pdf_s:.2f} s (HTML + PDF); "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()))  # fmt: skip


if __name__ == "__main__":
    main()
