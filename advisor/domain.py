"""Shared value types: what a holdings file says, after reading and before valuation.

These types sit at the bottom of the import graph (they import nothing from ``advisor`` but the
errors), so that every later module can speak of holdings without importing a reader.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class AccountType(StrEnum):
    """How an account is taxed (JSON keeps the strings)."""

    TAXABLE = "taxable"  # individual, joint, trust: gains and losses realised on sale
    TAX_DEFERRED = "tax_deferred"  # traditional IRA, 401(k), 403(b), SEP: no tax on trades inside
    TAX_EXEMPT = "tax_exempt"  # Roth IRA, Roth 401(k), HSA: no tax on trades inside


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
#: Columns of :attr:`Holdings.lots`, in order: one row per tax lot (or per position line when the
#: file gives no lots), never summed.
LOT_COLUMNS = (
    "account",  # account id (str; "" when the file names no account)
    "ticker",  # canonical ticker, as in the positions' index
    "acquired",  # acquisition date (datetime64[ns]; NaT when the file does not say)
    "shares",  # quantity of the lot (float; NaN for a weights-only line)
    "cost_basis",  # total cost of the lot, account currency (NaN when unknown)
    "term",  # as the file states it: "short", "long" (inherited lots too) or "" (not stated)
    "line",  # 1-based source line of the lot
)

#: Columns of :attr:`Holdings.accounts`, in order: one row per account, in file order.
ACCOUNT_COLUMNS = (
    "id",  # the account as the file (or household file) names it ("" when unnamed)
    "name",  # a readable name (the id when no other is given)
    "type",  # an AccountType
    "type_source",  # how the type was known: "household file", "inferred from the name ...", ...
    "cash",  # the account's cash, account currency (NaN when the file gives only weights)
)
_DATES = ("maturity", "expiry")
_NUMBERS = ("coupon", "face", "accrued", "strike", "contracts", "multiplier")


def empty_instruments() -> pd.DataFrame:
    """An instruments table without rows (the default of :attr:`Holdings.instruments`)."""
    return instruments_frame({}, pd.Index([], name="ticker", dtype="str"))


def empty_lots() -> pd.DataFrame:
    """A lots table without rows (the default of :attr:`Holdings.lots`)."""
    return lots_frame([])


def lots_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """The lots table of ``rows`` (tuples in the order of :data:`LOT_COLUMNS`) with its dtypes."""
    df = pd.DataFrame(rows, columns=list(LOT_COLUMNS))
    return df.astype({"account": str, "ticker": str, "shares": "float64", "cost_basis": "float64",
                      "term": str, "line": "int64"}).assign(
        acquired=pd.to_datetime(df["acquired"]).astype("datetime64[ns]"))  # fmt: skip


def empty_accounts() -> pd.DataFrame:
    """An accounts table without rows (the default of :attr:`Holdings.accounts`)."""
    return accounts_frame([])


def accounts_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """The accounts table of ``rows`` (tuples in the order of :data:`ACCOUNT_COLUMNS`)."""
    df = pd.DataFrame(rows, columns=list(ACCOUNT_COLUMNS))
    return df.astype({"id": str, "name": str, "type": object, "type_source": str,
                      "cash": "float64"})  # fmt: skip


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


#: type_source of an account whose type nothing said.
DEFAULT_TYPE = "default: taxable"


def _lots_of_positions(positions: pd.DataFrame) -> pd.DataFrame:
    """One lot of unknown date per position (holdings built in code)."""
    rows = [
        ("", str(t), pd.NaT, float(p["shares"]), float(p["cost_basis"]), "",
         int(p["lines"][0]) if p["lines"] else 0)
        for t, p in positions.iterrows()
    ]  # fmt: skip
    return lots_frame(rows)


@dataclass(frozen=True, eq=False)
class Holdings:
    """A client's holdings as read from a file, one row per resolved ticker.

    Attributes
    ----------
    path : str
        The file read.
    positions : pandas.DataFrame
        Index: canonical ticker known to the snapshot, a bond's CUSIP or an option's OCC symbol
        (unique). Columns: :data:`POSITION_COLUMNS`. The lines of one ticker (accounts, lots) are
        added up here (shares, value, weight and cost basis) and kept one by one in ``lots``.
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
    lots : pandas.DataFrame
        One row per tax lot, never summed: each line of a lot-level export, or each position
        line of a positions file (a lot of unknown date). Columns: :data:`LOT_COLUMNS`. The lots'
        shares add up, by ticker, to the positions' shares. Holdings built in code get one lot
        of unknown date per position; holdings made of part of another's positions keep the
        lots of those positions only.
    accounts : pandas.DataFrame
        One row per account, in file order. Columns: :data:`ACCOUNT_COLUMNS` (``type`` an
        :class:`AccountType`). A file without accounts has one account ``""``, taxable by
        default.

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
    lots: pd.DataFrame = field(default_factory=empty_lots)
    accounts: pd.DataFrame = field(default_factory=empty_accounts)

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
        if self.lots.empty and len(self.positions):  # built in code: one lot per position
            object.__setattr__(self, "lots", _lots_of_positions(self.positions))
        kept = self.lots["ticker"].isin(self.positions.index)
        if not kept.all():  # a part of the positions (replace(h, positions=...)) keeps its lots
            object.__setattr__(self, "lots", self.lots[kept].reset_index(drop=True))
        if self.accounts.empty:
            ids = list(dict.fromkeys(self.lots["account"])) or [""]
            cash = [self.cash if i == ids[0] else 0.0 for i in ids]
            rows = [
                (i, i, AccountType.TAXABLE, DEFAULT_TYPE, c) for i, c in zip(ids, cash, strict=True)
            ]
            object.__setattr__(self, "accounts", accounts_frame(rows))
        self._check_lots()

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

    def _check_lots(self) -> None:
        """Lots of known positions and accounts, adding up to the positions' shares."""
        for table, columns in ((self.lots, LOT_COLUMNS), (self.accounts, ACCOUNT_COLUMNS)):
            missing = [c for c in columns if c not in table.columns]
            if missing:
                raise ValueError(f"lots or accounts lack columns {missing}")
        accounts = set(self.lots["account"]) - set(self.accounts["id"])
        if accounts:
            raise ValueError(f"lots in accounts not in the accounts table: {sorted(accounts)}")
        known = self.lots.groupby("ticker")["shares"].sum(min_count=1)
        held = self.positions["shares"].reindex(known.index)
        gap = (known - held).abs() > 1e-6 * held.abs() + 1e-9
        if gap.any():
            raise ValueError(f"lots do not add up to the positions' shares: {list(gap[gap].index)}")

    def by_account(self, prices: pd.Series | None = None) -> pd.DataFrame:
        """The positions per account: shares, cost basis and value of each (account, ticker).

        Parameters
        ----------
        prices : pandas.Series, optional
            Price per share by ticker, account currency; by default the file's value / shares
            (or its price). A bond's or option's value uses its value per unit of ``shares``.

        Returns
        -------
        pandas.DataFrame
            Index (account, ticker), sorted; columns ``shares``, ``cost_basis`` (NaN when any
            lot's is unknown) and ``value`` (shares x price; NaN without a price).
        """
        p = self.positions
        if prices is None:
            per_unit = (p["value"] / p["shares"]).where(p["shares"] != 0)
            prices = per_unit.fillna(p["price"].where(p["instrument"] == Instrument.SECURITY))
        lots = self.lots.assign(unknown=self.lots["cost_basis"].isna())
        grouped = lots.groupby(["account", "ticker"], sort=True)
        out = grouped[["shares", "cost_basis"]].sum(min_count=1)
        out["cost_basis"] = out["cost_basis"].where(~grouped["unknown"].any())
        tickers = out.index.get_level_values("ticker")
        out["value"] = out["shares"].to_numpy() * prices.reindex(tickers).to_numpy()
        return out

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
