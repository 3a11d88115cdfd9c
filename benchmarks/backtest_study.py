"""Run the proposal back-test study and write ``docs/proposal-backtest.md`` (and its rows as
``docs/proposal-backtest.csv``).

Concentrated clients (the concentrated example portfolios and a seeded generator of megacap-heavy
ones) at every quarter-end from 2019-06-30 to the last with 12 months of prices after it, under
``--max-te 3%`` and ``4%``; one past market per date, shared by every client
(:mod:`advisor.scenarios.backtest_study`). Dates run in parallel processes.

    python benchmarks/backtest_study.py [--source ../shared/data] [--clients 22] [--workers 2]
    python benchmarks/backtest_study.py --rows docs/proposal-backtest.csv   # rewrite the doc only
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from backtest_study_doc import write_doc  # noqa: E402

START = "2019-06-30"


def clients(n: int) -> list:
    """The concentrated examples and ``n`` generated clients."""
    import advisor
    from advisor.scenarios.backtest_study import example_clients, generated_clients

    return example_clients(ROOT / "portfolios", advisor.load_market()) + generated_clients(n)


def default_objective() -> str:
    from advisor.optimize.mandate import Mandate

    return str(getattr(Mandate().objective, "value", Mandate().objective))


def one_date(args: tuple[str, str, list, str | None]) -> pd.DataFrame:
    """Worker: every client and budget at one date (its own raw-data reader and market)."""
    source, date, cl, objective = args
    from advisor.data.sources import RawData
    from advisor.scenarios.backtest_study import run_date

    t0 = time.perf_counter()
    rows = run_date(RawData(source), pd.Timestamp(date), cl, objective=objective)
    print(f"{date}: {len(rows)} evaluations in {time.perf_counter() - t0:.1f} s", flush=True)
    return rows


def run(source: str, n: int, workers: int, objective: str | None) -> tuple[pd.DataFrame, dict]:
    """The study's rows, and how long it took (seconds, wall clock) and on what."""
    from advisor.data.sources import RawData
    from advisor.scenarios.backtest import calendar, schedule

    t0 = time.perf_counter()
    cl = clients(n)
    dates = schedule(START, None, "quarter", calendar(RawData(source).daily()))
    jobs = [(source, str(d.date()), cl, objective) for d in dates]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        frames = list(pool.map(one_date, jobs))
    rows = pd.concat(frames, ignore_index=True)
    seconds = time.perf_counter() - t0
    timing = {
        "seconds": seconds,
        "workers": workers,
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "dates": len(dates),
        "clients": len(cl),
        "measured": pd.Timestamp.now().strftime("%Y-%m-%d"),
        "objective": f"`{objective or default_objective()}`"
        + ("" if objective else " (the default)"),
    }
    return rows, timing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=str(ROOT / ".." / "shared" / "data"))
    ap.add_argument("--clients", type=int, default=22, help="generated clients (default 22)")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--objective", help="the mandate's objective (default: the library's)")
    ap.add_argument("--rows", type=Path, help="reuse saved rows: rewrite the document only")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "proposal-backtest.md")
    a = ap.parse_args()
    csv = a.out.with_suffix(".csv")
    if a.rows:
        rows = pd.read_csv(a.rows, parse_dates=["date", "end"])
        timing = pd.read_json(a.rows.with_suffix(".timing.json"), typ="series").to_dict()
    else:
        rows, timing = run(a.source, a.clients, a.workers, a.objective)
        out = rows.drop(columns=["left_out"]).assign(left_out=rows["left_out"].map(" ".join))
        out.to_csv(csv, index=False, float_format="%.6g")
        pd.Series(timing).to_json(csv.with_suffix(".timing.json"), indent=1)
    write_doc(rows, timing, a.out)
    print(f"{len(rows)} evaluations in {timing['seconds']:.0f} s; wrote {a.out} and {csv}")


if __name__ == "__main__":
    main()
