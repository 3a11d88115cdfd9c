"""Terminal table helpers shared by every report: number formats, a table whose numbers never
wrap or shrink, a report header that states the market data's date (and its age when stale),
tables split to fit the terminal, notes. Percentages here; raw fractions only in JSON and CSV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.market.snapshot import data_age
from advisor.report.numbers import _missing, _rounded, money, pct, pp, shares  # noqa: F401


def others(n: int, noun: str = "holding") -> str:
    """``1 other holding``, ``12 other holdings``."""
    return f"{n} other {noun}" + ("" if n == 1 else "s")


class ReportTable(Table):
    """A rich Table whose numeric columns never wrap, fold or shrink below their widest number.

    Text columns (left-aligned) wrap at words; numeric columns (right-aligned) are ``no_wrap``
    and as wide as their widest cell, or as the longest word of their header, which wraps.
    A table too wide for the terminal must be restructured (see :func:`split_columns`), never
    squeezed.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The title on its own line, wrapped at the terminal's width (not the table's)."""
        title, self.title = self.title, None
        try:
            if title:
                yield Text(str(title), style="bold")
            yield from super().__rich_console__(console, options)
        finally:
            self.title = title

    def add_row(self, *cells: Any, **kw: Any) -> None:
        super().add_row(*cells, **kw)
        for column, cell in zip(self.columns, cells, strict=False):
            if column.no_wrap and isinstance(cell, str):
                n = Text.from_markup(cell).cell_len
                column.min_width = max(column.min_width or 0, n)
                column.max_width = max(column.max_width or 0, n)


#: A numeric column's header stays on one line up to this many characters, then wraps at words.
HEADER_LINE = 12


def _header_width(header: str) -> int:
    """The narrowest a numeric column's header allows: on one line up to :data:`HEADER_LINE`
    characters, else its longest word (the header wraps at words to the numbers' width)."""
    return len(header) if len(header) <= HEADER_LINE else max(len(w) for w in header.split())


def table(title: str, *columns: str, text: Sequence[int] = (0,)) -> ReportTable:
    """A report table: columns at the ``text`` positions hold words, the others numbers."""
    t = ReportTable(title=title, title_justify="left", title_style="bold", show_edge=False)
    for i, c in enumerate(columns):
        if i in text:
            t.add_column(c, justify="left", overflow="fold")
        else:
            t.add_column(
                Text(c, no_wrap=False), justify="right", no_wrap=True, max_width=_header_width(c)
            )
    return t


def all_zero(cells: Sequence[str]) -> bool:
    """True when every formatted number of a row reads as zero (such rows are left out)."""
    return all(c.strip("+-%").replace(",", "") in ("0", "0.0", "0.00", "") for c in cells)


def header(command: str, source: str | None, as_of: Any, *lines: str) -> Text:
    """A report's first lines: the command and file, the market data's date once (with its age
    and a warning when stale), then ``lines`` (rich markup)."""
    age = data_age(as_of)
    first = f"[bold]advisor {command}[/bold]" + (f"  {escape(source)}" if source else "")
    dated = (
        f"[bold yellow]{escape(age.message())}[/bold yellow]"
        if age.stale
        else f"Market data as of [bold]{age.as_of}[/bold]."
    )
    return Text.from_markup("\n".join([first, dated, *lines]))


def total_value(x: float | None) -> str:
    """``total value 859,623.18 (account currency)``, or why there is none."""
    if x is None:
        return "total value not given (a weights-only file; --total-value adds money figures)"
    return f"total value {money(x)} (account currency)"


def notes(lines: Sequence[str], label: str = "Note") -> Text | None:
    """Notes below the tables, one per line (None when there are none)."""
    if not lines:
        return None
    return Text.from_markup("\n".join(f"[dim]{label}:[/dim] {escape(n)}" for n in lines))


def contributions(
    title: str,
    s: pd.Series,
    total: float,
    limit: int | None = 12,
    noun: str = "holding",
    first: str = "Holding",
) -> Table:
    """Tracking-error contributions (annualised, percent) and shares of the total.

    ``limit`` None keeps the series' own order (a fixed order of sectors or groups); otherwise
    the largest ``limit`` parts come first and the rest are summed as ``n other holdings``.
    """
    t = table(title, first, "Contribution", "Share of TE")

    def row(name: str, v: float) -> None:
        cells = [pct(v, 2), pct(v / total if total > 0 else float("nan"), 0)]
        if not all_zero(cells):
            t.add_row(name, *cells)

    shown = s if limit is None else s.reindex(s.abs().sort_values(ascending=False).index)
    for name, v in shown.head(limit or len(shown)).items():
        row(str(name), float(v))
    if limit is not None and len(shown) > limit:
        row(others(len(shown) - limit, noun), float(shown.iloc[limit:].sum()))
    t.add_row("Total", pct(float(s.sum()), 2), "100%")
    return t


def split_columns(
    label_width: int, widths: Sequence[int], width: int, max_label: int = 24
) -> list[list[int]]:
    """Groups of column positions such that a table of the label column and each group fits in
    ``width`` characters (each column takes its width, two of padding and one of rule)."""
    room = width - min(label_width, max_label) - 2
    groups: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if groups[-1] and used + w + 3 > room:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += w + 3
    return groups


def matrix(
    title: str,
    frame: pd.DataFrame,
    width: int,
    label: str = "",
    fmt: Callable[[float], str] = pp,
) -> list[Table]:
    """``frame`` (rows: holdings, groups or sectors; columns: e.g. scenarios) and a total row, as
    one table, or as several when its columns do not fit in ``width`` characters; rows that read
    zero in every column are left out."""
    frame = pd.concat([frame, frame.sum().to_frame("Total").T])
    cells = {c: [fmt(v) for v in frame[c]] for c in frame.columns}
    last = len(frame) - 1
    keep = [i for i in range(last) if not all_zero([cells[c][i] for c in frame.columns])]
    widths = [max([_header_width(str(c))] + [len(x) for x in cells[c]]) for c in frame.columns]
    labels = [str(x) for x in frame.index]
    groups = split_columns(max(map(len, [*labels, label])), widths, width)
    out: list[Table] = []
    for n, group in enumerate(groups, 1):
        part = f" ({n}/{len(groups)})" if len(groups) > 1 else ""
        cols = [frame.columns[i] for i in group]
        t = table(title + part, label, *[str(c) for c in cols])
        for i in keep:
            t.add_row(labels[i], *[cells[c][i] for c in cols], end_section=i == keep[-1])
        t.add_row("Total", *[cells[c][last] for c in cols], style="bold")
        out.append(t)
    return out


def print_parts(console: Console, parts: Sequence[RenderableType | None]) -> None:
    """Print the report's parts in order, a blank line after each (None parts are left out)."""
    console.print(Group(*[x for part in parts if part is not None for x in (part, Text(""))]))
