"""``advisor replays``: the named historical episodes and the factor history's span."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from advisor.report.table import header, pct, print_parts, table


def render(catalogue: dict[str, Any], console: Console) -> None:
    span = catalogue["factor_history"]
    head = header(
        "replays",
        None,
        span["end"],
        f"Factor history {span['start']} to {span['end']}: any FROM:TO window inside it also "
        "works (`advisor what-if --replay FROM:TO`).",
    )
    t = table(
        "Historical replays (SPY then: the S&P 500 fund's actual total return over the window)",
        "Name",
        "Episode",
        "From",
        "To",
        "SPY then",
        text=(0, 1, 2, 3),
    )
    for c in t.columns[2:4]:
        c.no_wrap = True
    missing = []
    for r in catalogue["replays"]:
        t.add_row(r["name"], r["episode"], r["start"], r["end"], pct(r["market_actual_return"]))
        share = r["factors_missing_share"]
        if share:
            missing.append(
                f"{r['name']}: " + ", ".join(f"{f} {pct(g, 0)}" for f, g in share.items())
            )
    gaps = (
        Text("Factors with no history for part of a window (share of its days; their moves "
             "count as zero then):\n" + "\n".join(f"  {m}" for m in missing))
        if missing
        else None
    )  # fmt: skip
    print_parts(console, [head, t, gaps])
