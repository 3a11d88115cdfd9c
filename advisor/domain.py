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
    BOND = "bond"  # an individual bond (by CUSIP)
    OPTION = "option"  # a listed option


class Instrument(StrEnum):
    """What a position's line holds (JSON keeps the strings)."""

    SECURITY = "security"  # a stock, fund or ETF the snapshot knows: shares at a price per share
    BOND = "bond"  # an individual bond by CUSIP: face value at a price per 100 of face
    OPTION = "option"  # a listed option: contracts (signed) at a premium per share


class IssuerKind(StrEnum):
    """Who issued a bond, as its CUSIP and description say."""

    TREASURY = "treasury"
    AGENCY = "agency"
    CORPORATE = "corporate"
    MUNICIPAL = "municipal"
    UNKNOWN = "unknown"


class OptionRight(StrEnum):
    """A call or a put."""

    CALL = "call"
    PUT = "put"


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
    "instrument",  # an Instrument: security, bond or option (see Holdings.instruments)
)

#: Columns of :attr:`Holdings.instruments`, in order: a bond's terms, then an option's (NaN, NaT
#: or None where a column is not the row's kind or the file does not say).
INSTRUMENT_COLUMNS = (
    "cusip",  # bond: the CUSIP (check digit verified)
    "description",  # bond: the description as written
    "issuer_kind",  # bond: an IssuerKind
    "coupon",  # bond: annual coupon as a fraction (0.0425 for 4.25 %); 0 for bills and zeros
    "maturity",  # bond: maturity date (datetime64, NaT when unknown)
    "face",  # bond: face value held, account currency (= the position's shares)
    "accrued",  # bond: accrued interest the file gives (not part of the value)
    "underlying",  # option: canonical ticker of the underlying
    "right",  # option: an OptionRight (call or put)
    "strike",  # option: strike price per share of the underlying
    "expiry",  # option: expiration date (datetime64)
    "contracts",  # option: contracts held, negative when written (= the position's shares)
    "multiplier",  # option: shares of the underlying per contract (100 for listed options)
)
_DATES = ("maturity", "expiry")
_NUMBERS = ("coupon", "face", "accrued", "strike", "contracts", "multiplier")


def empty_instruments() -> pd.DataFrame:
    """An instruments table without rows (the default of :attr:`Holdings.instruments`)."""
    return instruments_frame({}, pd.Index([], name="ticker", dtype="str"))


def instruments_frame(columns: dict[str, list[object]], index: pd.Index) -> pd.DataFrame:
    """The instruments table of ``columns`` (name -> one value per row; missing names are empty)
    with the dtypes of :data:`INSTRUMENT_COLUMNS`: dates as datetime64, figures as float."""
    data: dict[str, pd.Series] = {}
    for name in INSTRUMENT_COLUMNS:
        values = columns.get(name, [None] * len(index))
        if name in _DATES:
            data[name] = pd.Series(pd.to_datetime(values), index=index, dtype="datetime64[ns]")
        elif name in _NUMBERS:
            data[name] = pd.Series(
                [float("nan") if v is None else v for v in values], index=index, dtype="float64"
            )
        else:
            data[name] = pd.Series(values, index=index, dtype=object)
    return pd.DataFrame(data, index=index)


@dataclass(frozen=True, eq=False)
class Holdings:
    """A client's holdings as read from a file, one row per resolved ticker.

    Attributes
    ----------
    path : str
        The file read.
    positions : pandas.DataFrame
        Index: canonical ticker known to the snapshot, a bond's CUSIP or an option's OCC symbol
        (unique). Columns: :data:`POSITION_COLUMNS`. Duplicate lines of one ticker are aggregated
        (shares, value, weight and cost basis summed).
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
    instruments : pandas.DataFrame
        The terms of the bonds and options among the positions: one row per position whose
        ``instrument`` is not ``security``, indexed by the same key (a bond's CUSIP, an option's
        OCC symbol such as ``AAPL270115C00200000``). Columns: :data:`INSTRUMENT_COLUMNS`. Empty
        when the file holds neither.

    Notes
    -----
    A bond's ``shares`` is its face value and its ``price`` is quoted per 100 of face, so that
    ``value = shares x price / 100``; an option's ``shares`` is its signed contract count and its
    ``price`` the premium per share of the underlying, so that ``value = shares x multiplier x
    price`` (negative for a written option). A bond's value excludes accrued interest.
    A missing or NaN ``instrument`` (holdings built in code) means ``security``.
    """

    path: str
    positions: pd.DataFrame
    cash: float = 0.0
    cash_weight: float = float("nan")
    cash_lines: tuple[int, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    basis: str = "shares"
    instruments: pd.DataFrame = field(default_factory=empty_instruments)

    def __post_init__(self) -> None:
        missing = [c for c in POSITION_COLUMNS if c not in self.positions.columns]
        if missing:
            raise ValueError(f"positions lack columns {missing}")
        if not self.positions.index.is_unique:
            raise ValueError("positions index must be unique tickers")
        if self.basis not in {"shares", "value", "weight"}:
            raise ValueError(f"unknown basis {self.basis!r}")
        kinds = self.positions["instrument"]
        if kinds.isna().any():  # built in code without the column's values: securities
            positions = self.positions.copy()
            positions["instrument"] = kinds.astype(object).where(kinds.notna(), Instrument.SECURITY)
            object.__setattr__(self, "positions", positions)
            kinds = positions["instrument"]
        unknown = {str(k) for k in kinds} - {k.value for k in Instrument}
        if unknown:
            raise ValueError(f"unknown instrument kinds {sorted(map(str, unknown))}")
        self._check_instruments(kinds)

    def _check_instruments(self, kinds: pd.Series) -> None:
        """One instruments row per bond or option position, and none for anything else."""
        table = self.instruments
        missing = [c for c in INSTRUMENT_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"instruments lack columns {missing}")
        expected = set(kinds.index[kinds != Instrument.SECURITY])
        if not table.index.is_unique or set(table.index) != expected:
            raise ValueError(
                "instruments must have one row per bond or option position "
                f"(positions: {sorted(expected)}, instruments: {sorted(table.index)})"
            )

    @classmethod
    def of_shares(cls, shares: dict[str, float], cash: float = 0.0, path: str = "") -> Holdings:
        """Holdings built in code: canonical tickers and share counts, priced by the snapshot."""
        index = pd.Index(list(shares), name="ticker")
        df = pd.DataFrame({c: float("nan") for c in POSITION_COLUMNS}, index=index)
        df["shares"] = [float(v) for v in shares.values()]
        df["account"] = ""
        df["lines"] = [(i + 2,) for i in range(len(index))]
        df["raw"] = [(t,) for t in index]
        df = df.astype({"account": object, "lines": object, "raw": object, "instrument": object})
        df["instrument"] = Instrument.SECURITY
        return cls(path=path or "(built in code)", positions=df[list(POSITION_COLUMNS)], cash=cash)
