"""Terminal table helpers shared by every report: percent and money formats, a plain table,
the tracking-error contribution table. Percentages here; raw fractions only in JSON and CSV."""

from __future__ import annotations

import math

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text


def pct(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{100 * x:.{digits}f}%"


def money(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.2f}"


def table(title: str, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold", show_edge=False)
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    return t


def contributions(title: str, s, total: float, limit: int = 12) -> Table:  # type: ignore[no-untyped-def]
    t = table(title, "Part", "TE contribution", "Share of TE")
    shown = s.reindex(s.abs().sort_values(ascending=False).index)
    for name, v in shown.head(limit).items():
        t.add_row(str(name), pct(v, 2), pct(v / total if total > 0 else float("nan"), 0))
    if len(shown) > limit:
        rest = float(shown.iloc[limit:].sum())
        t.add_row(
            f"{len(shown) - limit} others",
            pct(rest, 2),
            pct(rest / total if total > 0 else float("nan"), 0),
        )
    t.add_row("Total", pct(float(s.sum()), 2), "100%")
    return t


def print_parts(console: Console, parts: list[RenderableType | None]) -> None:
    """Print the report's parts in order, a blank line after each (None parts are left out)."""
    console.print(Group(*[x for part in parts if part is not None for x in (part, Text(""))]))
