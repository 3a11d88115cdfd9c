"""Tax lots: one row per lot (acquisition date, quantity, cost basis, term), never summed.

Every position line of a holdings file is a lot: a lot-level export (Schwab's lot details,
Fidelity's or Vanguard's cost-basis export, a plain ``ticker, acquired, quantity, cost_basis``
file) gives each lot's date, a positions file gives one lot of unknown date per line. The
positions are the lots added up by ticker (:func:`advisor.holdings.lines.aggregate`); the lots
stay as they are in :attr:`advisor.domain.Holdings.lots`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from advisor.domain import lots_frame
from advisor.holdings.dates import parse_date
from advisor.holdings.numbers import MISSING, shorten
from advisor.holdings.tables import bad

if TYPE_CHECKING:
    from advisor.holdings.lines import Context, Row

#: How files state a lot's holding period (lower case, spaces and punctuation dropped).
_TERMS = {
    "long": "long", "longterm": "long", "lt": "long", "l": "long", "ltcg": "long",
    "short": "short", "shortterm": "short", "st": "short", "s": "short", "stcg": "short",
    "inherited": "long",  # inherited lots are long-term whatever their date (IRS Pub. 550)
}  # fmt: skip
_DATE_HINT = "write the date as MM/DD/YYYY or YYYY-MM-DD, or leave the cell empty if unknown"


def parse_acquired(text: str, row: Row, column: str, ctx: Context) -> dt.date | None:
    """A lot's acquisition date (None when the cell is empty; ``Inherited`` makes the lot
    long-term without a date); an unreadable or future date is an InputError naming the line."""
    cell = text.strip()
    if cell.lower() in MISSING or cell.lower() in ("various", "inherited"):
        row.term = "long" if cell.lower() == "inherited" else row.term
        return None
    date = parse_date(cell)
    if date is None:
        message = f"cannot read {shorten(cell)!r} in column {column!r} as a date"
        raise bad(ctx.path, row.line, message, shorten(cell), _DATE_HINT)
    return date


def parse_term(text: str, row: Row, column: str, ctx: Context) -> str:
    """``short``, ``long`` or ``""`` from a holding-period cell (``Long Term``, ``ST``, ...)."""
    cell = text.strip()
    if cell.lower() in MISSING:
        return ""
    key = re.sub(r"[^a-z]", "", cell.lower())
    if key not in _TERMS:
        message = f"cannot read {shorten(cell)!r} in column {column!r} as a holding period"
        hint = "write Short Term or Long Term (or ST, LT), or leave the cell empty"
        raise bad(ctx.path, row.line, message, shorten(cell), hint)
    return _TERMS[key]


def fill_cost(row: Row, per_share: float) -> None:
    """A lot's total cost from its cost per share when the file gives no total."""
    if math.isnan(row.cost_basis) and not math.isnan(per_share) and not math.isnan(row.shares):
        row.cost_basis = round(per_share * row.shares, 2)


def table(positions: Sequence[Row]) -> pd.DataFrame:
    """The lots table: one row per position line, in file order."""
    rows = [
        (r.account, r.ticker, pd.NaT if r.acquired is None else pd.Timestamp(r.acquired),
         r.shares, r.cost_basis, r.term, r.line)
        for r in sorted(positions, key=lambda r: r.line)
    ]  # fmt: skip
    return lots_frame(rows)


def note_undated(positions: Sequence[Row], dated: bool, ctx: Context) -> None:
    """Say once that lots with a cost basis but no date count as long-term for tax."""
    undated = [
        r for r in positions if r.acquired is None and not r.term and not math.isnan(r.cost_basis)
    ]
    if not undated:
        return
    what = "" if dated else "the file gives a cost basis per position, not per lot: "
    ctx.note(
        f"{len(undated)} lot(s) without an acquisition date ({what}{_lines(undated)}): one lot per "
        "line, treated as long-term for tax (give a lot-level export for exact terms)"
    )


def _lines(rows: Sequence[Row]) -> str:
    shown = ", ".join(str(r.line) for r in rows[:8])
    return (
        f"line {shown}"
        if len(rows) == 1
        else f"lines {shown}" + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
    )


def holding_term(acquired: pd.Series, on: pd.Timestamp) -> pd.Series:
    """``long`` where a lot sold on ``on`` is held more than one year, ``short`` where not, and
    ``""`` where the date is unknown (IRS Publication 550: bought 2025-07-14, sold 2026-07-14 is
    short-term; sold 2026-07-15 is long-term)."""
    anniversary = acquired + pd.DateOffset(years=1)
    term = pd.Series("short", index=acquired.index, dtype=object)
    term[anniversary < on] = "long"
    term[acquired.isna()] = ""
    return term
