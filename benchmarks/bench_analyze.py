"""Time `advisor analyze` as a whole process on a 500-line portfolio, and the snapshot's load time.

Target (issue 2): under 2 s for the whole process, start-up included, on this 2-core machine
(issue 9: under 1.5 s, with the whole-market snapshot under 25 MB). Prints figures, and the
snapshot's size; asserts nothing (timings belong here, not in tests).

    python benchmarks/bench_analyze.py [--lines 500] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_portfolio(path: Path, lines: int, seed: int = 7) -> None:
    """A custodian-style CSV: `lines` positions drawn from the snapshot's priced index members
    (S&P 1500 and Russell 2000 stocks, the first snapshot's universe, so that timings compare
    across snapshots) and eight funds."""
    from advisor.market.snapshot import load_market

    m = load_market()
    sec = m.securities[m.securities["price"].notna()]
    rng = np.random.default_rng(seed)
    funds = [t for t in ("SPY", "QQQ", "IWM", "RSP", "VTV", "IJR", "XLK", "IJS") if t in sec.index]
    members = sec[["in_sp500", "in_sp400", "in_sp600", "in_iwm"]].any(axis=1) & ~sec["is_etf"]
    stocks = rng.choice(sec.index[members].to_numpy(), size=lines - len(funds), replace=False)
    rows = ["Account,Symbol,Quantity,Price"]
    for t in [*funds, *stocks]:
        rows.append(f"IRA,{t},{int(rng.integers(1, 500))},{sec.at[t, 'price']:.2f}")
    path.write_text("\n".join(rows) + "\n")


def time_process(cmd: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    exe = [sys.executable, "-m", "advisor.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "portfolio.csv"
        make_portfolio(f, args.lines)
        startup = time_process([*exe, "--help"], args.repeat)
        table = time_process([*exe, "analyze", str(f)], args.repeat)
        js = time_process([*exe, "analyze", str(f), "--format", "json"], args.repeat)
    load = []
    for _ in range(args.repeat):
        code = (
            "import time; t=time.perf_counter(); from advisor.market.snapshot import Market; "
            "m=Market(); m.risk; m.known; print(time.perf_counter()-t)"
        )
        r = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        load.append(float(r.stdout))
    med = statistics.median
    from advisor.market.snapshot import SNAPSHOT_DIR

    size = sum(p.stat().st_size for p in SNAPSHOT_DIR.iterdir())
    print(f"snapshot: {size / 1e6:.1f} MB in {SNAPSHOT_DIR} (limit 25 MB)")
    print(f"advisor analyze, {args.lines}-line portfolio, whole process, median of {args.repeat}:")
    print(f"  start-up only (advisor --help)      {med(startup):6.3f} s")
    for name, runs in (("table", table), ("JSON", js)):
        print(
            f"  analyze, {name + ' output':26s} {med(runs):6.3f} s   (issue 9's target < 1.5 s: "
            f"{'met' if med(runs) < 1.5 else 'NOT met'}; fastest run {min(runs):.3f} s)"
        )
    print(f"  snapshot load (Market + risk model) {med(load):6.3f} s   (in a fresh process)")


if __name__ == "__main__":
    main()
