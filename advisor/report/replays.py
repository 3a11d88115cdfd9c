"""``advisor replays``: the named historical episodes and the factor history's span."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from advisor.report.table import pct, table


def render(catalogue: dict[str, Any], console: Console) -> None:
    span = catalogue["factor_history"]
    t = table(
        f"Historical replays (factor history {span['start']} to {span['end']}; any FROM:TO "
        "inside it also works)",
        "Name",
        "Episode",
        "From",
        "To",
        "SPY then",
        "Factors missing (share of window)",
    )
    for c in t.columns[:4]:
        c.no_wrap = True
    for r in catalogue["replays"]:
        missing = r["factors_missing_share"]
        shown = ", ".join(f"{f} {g:.0%}" for f, g in missing.items()) or "-"
        t.add_row(r["name"], r["episode"], r["start"], r["end"],
                  pct(r["market_actual_return"]), shown)  # fmt: skip
    console.print(t)
