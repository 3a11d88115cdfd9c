"""Clarabel with and without its equilibration (issue 13): iterations, solver time, objective
and whether every limit holds, on the benchmark's synthetic problems and on real proposals.

* ``P1`` and ``default``: the problems of ``bench_optimizer.py`` and ``bench_default_proposal.py``
  (synthetic S&P 500-like market of n stocks + 3 sleeves), two accounts each, three seeds.
* ``propose``: ``advisor.propose`` (default mandate, snapshot data) on generated accounts of 30,
  200 and 500 lines (``make_portfolio`` of ``bench_analyze.py``).

Prints one line per case and setting; asserts nothing. The setting the package uses is
``advisor.optimize.optimizer.CLARABEL_SETTINGS``.

    python benchmarks/bench_solver_settings.py [--sizes 50,500,1500] [--lines 30,200,500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_analyze import make_portfolio  # noqa: E402
from bench_default_proposal import default_problem  # noqa: E402
from bench_optimizer import synthetic_problem  # noqa: E402

from advisor.optimize import optimizer  # noqa: E402
from advisor.optimize.limits import active_limits  # noqa: E402
from advisor.optimize.optimizer import Rebalancer  # noqa: E402

SETTINGS = {  # presolve off in both: the package's setting, which lets a re-solve update in place
    "equilibration on": {"presolve_enable": False},
    "equilibration off": {"equilibrate_enable": False, "presolve_enable": False},
}


def synthetic(label: str, n: int, seed: int, opts: dict) -> tuple[list[int], float, float, bool]:
    """(iterations per solve, median Clarabel ms of the re-solves, first objective, all hold)."""
    make = default_problem if label == "default" else synthetic_problem
    data, a1, a2, mandate = make(n, seed)
    limits = active_limits(mandate) | {"lower", "upper"}
    pieces = a1.sales().asset if label == "default" else None
    rb = Rebalancer(data, mandate.objective, mandate.cost_bps, limits, pieces=pieces)
    iters, times, objective, holds = [], [], float("nan"), True
    for acct in (a1, a2, a1, a2):
        rb.set(acct, mandate)
        rb.problem.solve(solver="CLARABEL", **opts)
        stats = rb.problem.solver_stats
        iters.append(int(stats.num_iters))
        times.append(1000 * float(stats.solve_time))
        sol = rb._solution(rb.problem.status, "CLARABEL", acct, mandate)
        holds &= str(sol.status) == "optimal"
        objective = objective if objective == objective else float(rb.problem.value)
    return iters, statistics.median(times[1:]), objective, holds


def proposals(lines: int, seed: int) -> None:
    import advisor

    market = advisor.load_market()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"account_{lines}.csv"
        make_portfolio(path, lines, seed=seed)
        holdings = advisor.read_holdings(str(path), market=market)
        for name, opts in SETTINGS.items():
            optimizer.CLARABEL_SETTINGS.clear()
            optimizer.CLARABEL_SETTINGS.update(opts)
            t0 = time.perf_counter()
            p = advisor.propose(holdings, market=market)
            wall = 1000 * (time.perf_counter() - t0)
            holds = all(c["holds"] for c in p.checks.values())
            print(
                f"propose {lines:4d} lines seed {seed}  {name:18s} iterations "
                f"{p.solver['iterations']:3d}  Clarabel {1000 * p.solver['solve_time']:6.1f} ms  "
                f"propose {wall:6.0f} ms  TE {p.continuous_te:.8f}  limits hold: {holds}",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,500,1500")
    ap.add_argument("--lines", default="30,200,500")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    saved = dict(optimizer.CLARABEL_SETTINGS)
    for label in ("P1", "default"):
        for n in (int(x) for x in args.sizes.split(",") if x):
            for seed in range(args.seeds):
                parts = []
                for name, opts in SETTINGS.items():
                    iters, ms, obj, holds = synthetic(label, n, seed, opts)
                    parts.append(f"{name}: iterations {iters} Clarabel {ms:6.1f} ms "
                                 f"objective {obj:.9f} limits hold {holds}")  # fmt: skip
                print(f"{label:8s} n={n:5d} seed={seed}  " + " | ".join(parts), flush=True)
    for lines in (int(x) for x in args.lines.split(",") if x):
        for seed in range(min(args.seeds, 2)):
            proposals(lines, seed)
    optimizer.CLARABEL_SETTINGS.clear()
    optimizer.CLARABEL_SETTINGS.update(saved)


if __name__ == "__main__":
    main()
