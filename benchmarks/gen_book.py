"""A seeded synthetic book for ``advisor book``: megacap-heavy households of 5-60 lines.

    .venv/bin/python benchmarks/gen_book.py --households 10000 --out /tmp/book10k

Each household is one CSV export (Account, Symbol, Acquired, Quantity, Cost Basis; one line per
tax lot in taxable accounts, one per position in IRAs) in the folder, and ``mandate.yaml``
beside it gives the default mandate and a few overrides. The mix, by a seeded draw:

- account types: a taxable account with dated lots (half the households), a traditional IRA
  alone, a Roth IRA alone, or a taxable account with an IRA or a Roth (two accounts);
- 5 to 60 lines: the seven megacaps for 45-85 % of the value, then S&P 500 members (drawn by
  index weight) and a few common funds (QQQ, SPY, VGT, XLK, VTI, SCHD, BND);
- values of 100,000 to 3,000,000; cost bases of 20 % to 110 % of the value; lots acquired
  between 2012 and a month before the snapshot; some cash.

Prices are the snapshot's, so every line reads; nothing here is a real client.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

MEGACAPS = ("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA")
FUNDS = ("QQQ", "SPY", "VGT", "XLK", "VTI", "SCHD", "BND")
KINDS = ("taxable", "ira", "roth", "taxable+ira", "taxable+roth")
KIND_P = (0.35, 0.2, 0.15, 0.15, 0.15)
ACCOUNT = {"taxable": "Individual", "ira": "Rollover IRA", "roth": "Roth IRA"}
MANDATE = """\
# Synthetic book: the default mandate, and overrides for a few households.
default:
  max-te: 5%
  megacap-target: 40%
  min-trade: 250
households:
  hh00003:
    megacap-target: 30%
  hh00007:
    max-te: 6%
    hold: [NVDA]
"""


def _universe(market) -> tuple[pd.Series, pd.Series]:  # type: ignore[no-untyped-def]
    """(other stocks by index weight, price of every ticker used)."""
    prices = market.securities["price"].dropna()
    members = market.benchmark.drop(list(MEGACAPS) + ["GOOG"], errors="ignore")
    members = members[members.index.isin(prices.index)]
    members = members.sort_values(ascending=False).head(400)
    return members / members.sum(), prices


def household(rng: np.random.Generator, others: pd.Series, prices: pd.Series,
              day: pd.Timestamp) -> list[list[str]]:  # fmt: skip
    """One household's CSV rows (no header)."""
    kind = rng.choice(KINDS, p=KIND_P)
    accounts = kind.split("+")
    lines = int(rng.integers(5, 61))
    n_mega = int(rng.integers(3, 8))
    mega = list(rng.choice(MEGACAPS, size=n_mega, replace=False))
    n_fund = int(rng.integers(0, 3))
    funds = list(rng.choice(FUNDS, size=n_fund, replace=False))
    n_other = max(0, lines - n_mega - n_fund)
    other = list(rng.choice(others.index, size=min(n_other, len(others)), replace=False,
                            p=others.to_numpy()))  # fmt: skip
    value = float(np.exp(rng.uniform(np.log(1e5), np.log(3e6))))
    share = rng.uniform(0.45, 0.85)
    w_mega = rng.dirichlet(np.ones(len(mega))) * share
    rest = funds + other
    w_rest = rng.dirichlet(np.ones(len(rest)) * 0.7) * (1 - share) if rest else np.array([])
    number = int(rng.integers(100, 999))
    rows = []
    for ticker, w in zip(mega + rest, np.concatenate([w_mega, w_rest]), strict=True):
        account = accounts[int(rng.integers(0, len(accounts)))]
        name = f"{ACCOUNT[account]} ...{number + KINDS.index(account)}"
        shares = max(1, int(value * w / prices[ticker]))
        lots = int(rng.integers(1, 4)) if account == "taxable" else 1
        cuts = np.sort(rng.choice(np.arange(1, shares), size=min(lots - 1, shares - 1),
                                  replace=False)) if shares > 1 else []  # fmt: skip
        for q in np.diff(np.concatenate([[0], cuts, [shares]])).astype(int):
            acquired = day - pd.Timedelta(days=int(rng.integers(30, 5000)))
            basis = q * prices[ticker] * rng.uniform(0.2, 1.1)
            date = acquired.strftime("%m/%d/%Y") if account == "taxable" else ""
            rows.append([name, ticker, date, str(q), f"{basis:.2f}"])
    cash_account = f"{ACCOUNT[accounts[0]]} ...{number + KINDS.index(accounts[0])}"
    rows.append([cash_account, "CASH", "", "", f"{value * rng.uniform(0.0, 0.04):.2f}"])
    return rows


def generate(n: int, out: Path, seed: int = 13) -> None:
    import csv

    import advisor

    market = advisor.load_market()
    others, prices = _universe(market)
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    header = ["Account", "Symbol", "Acquired", "Quantity", "Cost Basis"]
    for i in range(n):
        with open(out / f"hh{i:05d}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(household(rng, others, prices, market.as_of))
    (out / "mandate.yaml").write_text(MANDATE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    generate(args.households, args.out, args.seed)
    print(f"wrote {args.households} households and mandate.yaml to {args.out}")


if __name__ == "__main__":
    main()
