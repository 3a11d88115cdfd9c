"""Shared value types: what a holdings file says, after reading and before valuation.

These types sit at the bottom of the import graph (they import nothing from ``advisor`` but the
errors), so that every later module can speak of holdings without importing a reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd


class PositionKind(StrEnum):
    """What a position is (JSON keeps the strings)."""

    STOCK = "stock"
    FUND = "fund"


class PriceSource(StrEnum):
    """Where a position's value came from (JSON keeps the strings)."""

    FILE_VALUE = "file value"  # the file's market value
    FILE_PRICE = "file price"  # shares x the file's price
    SNAPSHOT = "snapshot"  # shares x the snapshot's price (or, for weights, the snapshot's price)


#: Columns of :attr:`Holdings.positions`, in order. Missing figures are NaN, never 0.
POSITION_COLUMNS = (
    "shares",  # quantity held (float; whole shares in practice)
    "price",  # the file's own price per share, account currency
    "value",  # the file's own market value, account currency
    "weight",  # the file's own weight, as a fraction (0.125 for 12.5 %)
    "cost_basis",  # total cost basis of the position, account currency
    "account",  # account label(s), '; '-joined when a ticker spans accounts
    "lines",  # tuple of 1-based source line numbers that made up the row
    "raw",  # tuple of the tickers as written in the file
)


@dataclass(frozen=True, eq=False)
class Holdings:
    """A client's holdings as read from a file, one row per resolved ticker.

    Attributes
    ----------
    path : str
        The file read.
    positions : pandas.DataFrame
        Index: canonical ticker known to the snapshot (unique). Columns: :data:`POSITION_COLUMNS`.
        Duplicate lines of one ticker are aggregated (shares, value, weight and cost basis summed).
    cash : float
        Cash and money-market value, account currency (0.0 when none; NaN when the file gives
        only weights, see ``cash_weight``).
    cash_weight : float
        Cash weight as a fraction, when the file gives weights (else NaN).
    cash_lines : tuple of int
        Source lines counted as cash.
    warnings : tuple of str
        Everything the reader did that the user should know (aggregated duplicates, skipped
        total/footer lines, unknown tickers valued as cash or skipped, ...), each naming the line.
    basis : str
        What the amounts are: ``"shares"``, ``"value"`` or ``"weight"`` (the richest column set
        available to every row, in that order of preference).
    """

    path: str
    positions: pd.DataFrame
    cash: float = 0.0
    cash_weight: float = float("nan")
    cash_lines: tuple[int, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    basis: str = "shares"

    def __post_init__(self) -> None:
        missing = [c for c in POSITION_COLUMNS if c not in self.positions.columns]
        if missing:
            raise ValueError(f"positions lack columns {missing}")
        if not self.positions.index.is_unique:
            raise ValueError("positions index must be unique tickers")
        if self.basis not in {"shares", "value", "weight"}:
            raise ValueError(f"unknown basis {self.basis!r}")

    @classmethod
    def of_shares(cls, shares: dict[str, float], cash: float = 0.0, path: str = "") -> Holdings:
        """Holdings built in code: canonical tickers and share counts, priced by the snapshot."""
        index = pd.Index(list(shares), name="ticker")
        df = pd.DataFrame({c: float("nan") for c in POSITION_COLUMNS}, index=index)
        df["shares"] = [float(v) for v in shares.values()]
        df["account"] = ""
        df["lines"] = [(i + 2,) for i in range(len(index))]
        df["raw"] = [(t,) for t in index]
        df = df.astype({"account": object, "lines": object, "raw": object})
        return cls(path=path or "(built in code)", positions=df[list(POSITION_COLUMNS)], cash=cash)
