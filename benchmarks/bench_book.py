"""``advisor book`` timings: where a household's time goes, the in-process median, and the rate
of a whole book on two workers, with each worker's memory.

    .venv/bin/python benchmarks/gen_book.py --households 10000 --out /tmp/book10k
    .venv/bin/python benchmarks/bench_book.py --book /tmp/book10k --sample 60 --subset 300

1. In process (``--workers 0``), on ``--sample`` households after a warm-up of 3: each
   household's wall-clock steps as :func:`advisor.book.task.run_job` times them (read, mandate,
   propose, report, write), their medians, and the median household end to end.
2. The same households again under cProfile: the cumulative time of the named internal steps of
   ``propose`` (analysis before and after, look-through, problem data, compile, solve, stubs,
   rounding, diagnostics, the JSON dict), per household. cProfile slows Python code down, so
   these are shares of the profiled ``propose``, not absolute times; they nest (the look-through
   is inside the analysis).
3. ``--subset`` households on a LocalCluster of ``--workers`` (2) single-threaded processes, end
   to end with every file and the summary written: the cluster's start (with each worker's
   snapshot load and warm-up), the run, the steady rate (households per second between the
   first and the last completion), the extrapolation to the whole book, and each worker's
   resident memory (now and peak).

Targets (issue 13): median under 60 ms a household in process; 30 households/s or more with two
workers. The figures are printed as measured.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import tempfile
import time
from pathlib import Path

#: (label, file suffix, function name) of the profiled steps inside propose
STEPS = (
    ("analysis before + after (analyze)", "analytics/analysis.py", "analyze"),
    ("  of which each part's concentration and risk (_part)", "analytics/analysis.py", "_part"),
    ("  of which the US-equity part against the S&P 500", "analytics/analysis.py", "_us_equity"),
    ("  of which the benchmark's own figures", "analytics/benchfigures.py", "benchmark_figures"),
    ("  of which valuing the positions", "analytics/analysis.py", "value_positions"),
    ("  of which concentration", "analytics/analysis.py", "_concentration"),
    ("  of which per-account figures", "analytics/accounts.py", "account_figures"),
    ("  of which risk (tracking error)", "analytics/analysis.py", "_risk"),
    ("  of which look-through matrix", "market/lookthrough.py", "lookthrough_matrix"),
    ("setup (prepare: analysis before, scope, problem data)", "optimize/setup.py", "prepare"),
    ("  of which problem data", "optimize/problem.py", "problem_data"),
    ("  of which tax-lot pieces (sale_pieces)", "optimize/sales.py", "sale_pieces"),
    ("compile (Rebalancer.__init__: the cvxpy problem)", "optimize/optimizer.py", "__init__"),
    ("solve (Rebalancer.solve: cvxpy + Clarabel)", "optimize/optimizer.py", "solve"),
    ("no-stubs repair (re-solves)", "optimize/stubs.py", "no_stubs"),
    ("whole-share rounding and checks", "optimize/rounding.py", "round_to_shares"),
    (
        "accounts and lots of the trades (lot_sales, by_account)",
        "optimize/proposal.py",
        "_accounts_and_lots",
    ),
    ("diagnostics of infeasible mandates", "optimize/diagnostics.py", "relaxations"),
    ("wash-sale check", "optimize/washsale.py", "wash_sale_conflicts"),
    ("proposal JSON dict (to_dict)", "optimize/proposal.py", "proposal_dict"),
)


def _subset(book: Path, n: int, into: Path, skip: int = 0) -> Path:
    """A folder with ``n`` of the book's households (after ``skip``) and its mandate."""
    into.mkdir(parents=True, exist_ok=True)
    files = sorted(book.glob("hh*.csv"))[skip : skip + n]
    for f in files:
        shutil.copy(f, into / f.name)
    return into


def _plan(folder: Path, out: Path, mandate: Path):  # type: ignore[no-untyped-def]
    from advisor import book

    return book.plan([folder], out, mandate=mandate)


def in_process(book_dir: Path, mandate: Path, n: int, tmp: Path) -> list[dict]:
    """Run ``n`` households in this process (after a warm-up); their records."""
    from advisor import book

    warm = _subset(book_dir, 3, tmp / "warm", skip=n)
    book.run(_plan(warm, tmp / "warm_out", mandate), workers=0)
    sample = _subset(book_dir, n, tmp / "sample")
    result = book.run(_plan(sample, tmp / "sample_out", mandate), workers=0)
    return [r for r in result.records if not r.get("reused")]


def breakdown(records: list[dict]) -> None:
    steps = ("read", "mandate", "propose", "report", "write", "total")
    print(f"\n1. In process, {len(records)} households (wall clock, ms per household)")
    print(f"   {'step':<10} {'median':>8} {'mean':>8} {'p90':>8}")
    for step in steps:
        xs = [1000 * r["timings"].get(step, 0.0) for r in records]
        xs.sort()
        p90 = xs[int(0.9 * (len(xs) - 1))]
        print(f"   {step:<10} {statistics.median(xs):8.1f} {statistics.mean(xs):8.1f} {p90:8.1f}")
    lines = [len(r.get("by_ticker") or []) for r in records]
    status = {s: sum(r["status"] == s for r in records) for s in {r["status"] for r in records}}
    print(f"   statuses: {status}; tickers traded per household: median {statistics.median(lines)}")


def profiled(book_dir: Path, mandate: Path, n: int, tmp: Path) -> None:
    from advisor import book

    sample = _subset(book_dir, n, tmp / "profiled")
    plan = _plan(sample, tmp / "profiled_out", mandate)
    profile = cProfile.Profile()
    profile.enable()
    result = book.run(plan, workers=0)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(r["timings"].get("propose", 0.0) for r in result.records)
    print(f"\n2. Under cProfile, {n} households: profiled propose {1000 * total / n:.0f} ms each")
    print(f"   {'step (cumulative, nested)':<56} {'ms/household':>12} {'share':>7} {'calls':>7}")
    for label, suffix, name in STEPS:
        cum = calls = 0.0
        for (file, _, func), (_, nc, _, ct, _) in stats.items():
            if func == name and file.replace("\\", "/").endswith(suffix):
                cum, calls = cum + ct, calls + nc
        print(f"   {label:<56} {1000 * cum / n:12.1f} {cum / total:7.1%} {calls / n:7.1f}")
    own = sorted(((v[2], f"{Path(k[0]).parent.name}/{Path(k[0]).name}:{k[2]}") for k, v in
                  stats.items() if "/advisor/" in k[0].replace("\\", "/")), reverse=True)[:8]  # fmt: skip
    print("   advisor functions with the most time of their own (ms per household; the rest of")
    print("   the time is in pandas and numpy, called from them):")
    for tt, name in own:
        print(f"     {name:<54} {1000 * tt / n:8.1f}")


def on_two_workers(book_dir: Path, mandate: Path, n: int, workers: int, total: int,
                   tmp: Path) -> None:  # fmt: skip
    import resource

    from distributed import Client

    from advisor import book
    from advisor.book.engine import local_cluster
    from advisor.book.plugin import SnapshotPlugin

    subset = _subset(book_dir, n, tmp / "subset")
    plan = _plan(subset, tmp / "subset_out", mandate)
    start = time.perf_counter()
    cluster = local_cluster(workers)
    client = Client(cluster)
    client.register_plugin(SnapshotPlugin(plan.settings.snapshot, plan.settings.stamp.snapshot))
    ready = time.perf_counter() - start
    stamps: list[float] = []
    t0 = time.perf_counter()
    result = book.run(plan, client=client, on_record=lambda r: stamps.append(time.perf_counter()))
    run = time.perf_counter() - t0
    rss = client.run(lambda: __import__("psutil").Process().memory_info().rss)
    peak = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    client.close()
    cluster.close()
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else float("nan")
    print(f"\n3. {n} households on a LocalCluster of {workers} worker processes, output written")
    print(f"   cluster start with snapshot load and warm-up: {ready:.1f} s")
    print(f"   run (submit to summary written): {run:.1f} s = {n / run:.2f} households/s")
    print(f"   steady rate (first to last completion): {steady:.2f} households/s")
    print(f"   end to end with the start: {n / (ready + run):.2f} households/s")
    print(f"   extrapolated to {total:,} households: {(ready + total / steady) / 3600:.2f} h "
          f"({ready:.0f} s start + {total:,} / {steady:.2f} per s)")  # fmt: skip
    for w in rss:
        print(f"   worker {w}: RSS {rss[w] / 2**20:.0f} MiB now, peak {peak[w] / 2**20:.0f} MiB")
    statuses = {s: sum(r["status"] == s for r in result.records)
                for s in {r["status"] for r in result.records}}  # fmt: skip
    print(f"   statuses: {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, required=True, help="from benchmarks/gen_book.py")
    parser.add_argument("--sample", type=int, default=60, help="households in process")
    parser.add_argument("--profile", type=int, default=20, help="households under cProfile")
    parser.add_argument("--subset", type=int, default=300, help="households on the cluster")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    mandate = args.book / "mandate.yaml"
    total = len(list(args.book.glob("hh*.csv")))
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        if args.sample:
            breakdown(in_process(args.book, mandate, args.sample, t))
        if args.profile:
            profiled(args.book, mandate, args.profile, t)
        if args.subset:
            on_two_workers(args.book, mandate, args.subset, args.workers, total, t)
    print("\nTargets: median < 60 ms a household in process; >= 30 households/s on 2 workers.")


if __name__ == "__main__":
    main()
