"""Time the default proposal's optimizer path (issue 10): the ``cost`` objective with realised
gains, the megacap target at the benchmark's weight, the money into the sleeves in equal shares
and the no-stubs repair (``advisor/optimize/stubs.py``), on the synthetic market of
``bench_optimizer.py`` (n stocks + 3 sleeve funds).

Targets (issue 3, kept by issue 10): 500 assets < 100 ms cold, < 30 ms re-solve, repair
included. Prints figures; asserts nothing.

    python benchmarks/bench_default_proposal.py [--sizes 50,500,1500] [--repeat 5]

Also times ``advisor.propose`` end to end (snapshot data, whole shares) on a generated 500-line
account (``make_portfolio`` of ``bench_analyze.py``) with ``--propose-lines``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_optimizer import TOP, problem_from_market, synthetic_accounts, synthetic_market  # noqa: E402

from advisor.optimize.limits import active_limits  # noqa: E402
from advisor.optimize.mandate import Mandate  # noqa: E402
from advisor.optimize.optimizer import Rebalancer  # noqa: E402
from advisor.optimize.problem import Account, ProblemData  # noqa: E402
from advisor.optimize.stubs import no_stubs, stubs  # noqa: E402


def default_problem(n: int, seed: int = 0) -> tuple[ProblemData, Account, Account, Mandate]:
    """The synthetic market with the default mandate: cost objective (gain rates 0-60 % on the
    stocks), megacap target = the benchmark's, equal sleeve mix (only the sleeves bought), TE
    <= 3 %, minimum position 0.5 %."""
    m = synthetic_market(n, seed)
    data = replace(problem_from_market(m), sleeve=np.r_[np.zeros(n, bool), np.ones(3, bool)])
    rng = np.random.default_rng(seed + 2)
    gain = np.r_[rng.uniform(0.0, 0.6, n), np.zeros(3)]
    mix = np.r_[np.zeros(n), np.full(3, 1.0 / 3.0)]

    def account(a: Account) -> Account:
        hi = np.where(data.sleeve, 1.0, a.w0)  # a stated mix: only the sleeves are bought
        return replace(a, gain_rate=gain, hi=hi, sleeve_mix=mix, sleeve_slack=1e-4)

    a1, a2 = synthetic_accounts(m, seed)
    target = float(m.b[:TOP].sum())
    mandate = Mandate(max_te=0.03, megacap_target=target, cash_floor=0.0)
    return data, account(a1), account(a2), mandate


def limits(mandate: Mandate) -> frozenset[str]:
    return active_limits(mandate) | {"lower", "upper"}


def solve_with_repair(rb: Rebalancer, data: ProblemData, acct: Account, mandate: Mandate):  # type: ignore[no-untyped-def]
    """One solve and the no-stubs repair; (solution, rounds of repair, stubs before)."""
    sol = rb.solve(acct, mandate)
    before = len(stubs(data, acct, sol.w.to_numpy(), mandate.min_position))
    solves = [0]
    original = rb.solve

    def counted(*args, **kw):  # type: ignore[no-untyped-def]
        solves[0] += 1
        return original(*args, **kw)

    rb.solve = counted  # type: ignore[method-assign]
    try:
        sol, _, _ = no_stubs(rb, data, acct, mandate, sol)
    finally:
        rb.solve = original  # type: ignore[method-assign]
    return sol, solves[0], before


def warm(n: int, repeat: int) -> dict[str, float]:
    data, a1, a2, mandate = default_problem(n)
    med = statistics.median
    first, again, plain, rounds, found = [], [], [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rb = Rebalancer(data, mandate.objective, mandate.cost_bps, limits(mandate))
        sol, k, s = solve_with_repair(rb, data, a1, mandate)
        first.append(time.perf_counter() - t0)
    for _ in range(repeat):
        t0 = time.perf_counter()
        rb.solve(a2, mandate)
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sol2, k, s = solve_with_repair(rb, data, a2, mandate)
        again.append(time.perf_counter() - t0)
        rounds.append(k)
        found.append(s)
    return {
        "first": med(first),
        "resolve": med(plain),
        "resolve_with_repair": med(again),
        "repair_solves": med(rounds),
        "stubs_before_repair": med(found),
        "status": str(sol2.status),
        "megacap": float(data.mega @ sol2.w.to_numpy()),
    }


def cold(n: int, repeat: int) -> list[float]:
    """First solve + repair in fresh processes (imports untimed)."""
    code = (
        "import sys, time; sys.path.insert(0, 'benchmarks');"
        "import bench_default_proposal as b;"
        f"d, a1, a2, m = b.default_problem({n});"
        "t = time.perf_counter();"
        "rb = b.Rebalancer(d, m.objective, m.cost_bps, b.limits(m));"
        "b.solve_with_repair(rb, d, a1, m);"
        "print(time.perf_counter() - t)"
    )
    out = []
    for _ in range(repeat):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out.append(float(r.stdout))
    return out


def propose_end_to_end(lines: int, repeat: int) -> dict[str, float]:
    """``advisor.propose`` with the default mandate on a generated account, in-process (the
    snapshot loaded and warmed first)."""
    import tempfile

    from bench_analyze import make_portfolio

    import advisor

    market = advisor.load_market()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.csv"
        make_portfolio(path, lines)
        h = advisor.read_holdings(path, market)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            p = advisor.propose(h, market)
            times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "status": str(p.status), "trades": len(p.trades)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,500,1500")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--propose-lines", type=int, default=500, help="0 to skip")
    args = ap.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        w = warm(n, args.repeat)
        c = cold(n, args.repeat)
        print(
            f"n={n}: cold (fresh process, solve + repair) {1e3 * statistics.median(c):.0f} ms "
            f"(range {1e3 * min(c):.0f}-{1e3 * max(c):.0f}); warm first solve + repair "
            f"{1e3 * w['first']:.0f} ms; re-solve {1e3 * w['resolve']:.0f} ms, with repair "
            f"{1e3 * w['resolve_with_repair']:.0f} ms ({w['stubs_before_repair']:.0f} stubs "
            f"found, {w['repair_solves']:.0f} repair solves); status {w['status']}, megacap "
            f"{w['megacap']:.2%}"
        )
    if args.propose_lines:
        r = propose_end_to_end(args.propose_lines, max(1, args.repeat // 2))
        print(f"advisor.propose, default mandate, {args.propose_lines}-line account: "
              f"{json.dumps(r)}")  # fmt: skip


if __name__ == "__main__":
    main()
