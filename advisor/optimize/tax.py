"""US tax rules for sales from tax lots: rates, holding period, lot selection, netting (estimates).

Every figure here is an **estimate** of federal (and optionally a flat state) tax on realised
capital gains; the rules are those of ``/work/shared/tax-facts.md`` and ``docs/tax.md``, simplified
as documented there. Money is in the account currency; shares are floats (fractions allowed).

The lots table (one row per lot, never summed) has the columns ``account, ticker, acquired
(datetime64, NaT unknown), shares (> 0), cost_basis (total money, NaN unknown), term ("short",
"long" or "" as the file states it), line``. Accounts are a table ``id, name, type`` with type
``taxable``, ``tax_deferred`` or ``tax_exempt``.

Sources: IRS Topic 409 and Publication 550 (rates, holding period, netting); IRC 1(h) and 1411
(the 20 % + 3.8 % and 37 % + 3.8 % top rates); IRC 1211(b), 1212(b) (the $3,000 limit and the
carryforward); Treas. Reg. 1.1012-1(c) (specific identification of lots).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from advisor.units import json_money, parse_mix

TAXABLE = "taxable"
ACCOUNT_TYPES = ("taxable", "tax_deferred", "tax_exempt")
LOT_METHODS = ("optimal", "fifo", "hifo")
#: Columns of a lot-sales table (:func:`select_lots`); money is unrounded (round in outputs).
SALE_COLUMNS = [
    "account", "ticker", "line", "acquired", "shares", "proceeds", "cost_basis", "gain", "term",
    "term_assumed",
]  # fmt: skip
#: Net capital loss deductible against ordinary income per year (IRC 1211(b); $1,500 if married
#: filing separately).
ORDINARY_LOSS_LIMIT = 3000.0


@dataclass(frozen=True)
class TaxRates:
    """Marginal tax rates on realised gains, as fractions (estimates; override per client).

    Defaults are the top US federal rates (tax-facts.md, IRS Topic 409, IRC 1(h), 1411):
    ``short`` = 37 % ordinary rate + 3.8 % net investment income tax = 40.8 %; ``long`` = 20 % +
    3.8 % = 23.8 %. ``state`` is a flat rate added to both (0 by default: no state detail).
    """

    short: float = 0.408
    long: float = 0.238
    state: float = 0.0

    def __post_init__(self) -> None:
        for name in ("short", "long", "state"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and 0 <= v < 1):
                raise ValueError(f"tax rate {name}={v!r} must be a fraction in [0, 1)")
        if self.short + self.state >= 1:
            raise ValueError("short + state tax rates must stay below 100 %")

    @classmethod
    def parse(cls, text: str) -> TaxRates:
        """``"short=40.8%,long=23.8%,state=5%"`` (any subset; numbers above 1 are percents).

        >>> TaxRates.parse("short=40.8%,long=23.8%,state=5%")
        TaxRates(short=0.408, long=0.238, state=0.05)
        """
        mix = parse_mix(text)
        unknown = sorted(set(mix) - {"short", "long", "state"})
        if unknown:
            raise ValueError(f"{text!r}: unknown tax rate(s) {unknown}; use short=, long=, state=")
        return cls(**{k: round(v, 10) for k, v in mix.items()})

    def rate(self, term: str) -> float:
        """The combined rate (federal + state) of a ``"short"`` or ``"long"`` gain."""
        return (self.short if term == "short" else self.long) + self.state

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


# -- holding period ------------------------------------------------------------------------------
class HoldingTerm(NamedTuple):
    """A lot's term at a trade date: ``term`` ("short"/"long"), ``assumed`` (True when neither a
    date nor a stated term decided it) and ``source`` ("date", "stated" or "assumed")."""

    term: str
    assumed: bool
    source: str


def first_long_day(acquired: Any) -> pd.Timestamp:
    """The first sale date on which a lot bought on ``acquired`` is long-term.

    Long-term means held **more than one year**: the holding period starts the day after the
    purchase and includes the day of sale (Publication 550, "Holding Period"). So a lot is
    long-term from the day after its first anniversary; a 29 February purchase has its
    anniversary on 28 February (one year of holding ends then), so it is long-term from 1 March.

    >>> str(first_long_day("2025-07-14").date())
    '2026-07-15'
    """
    day = pd.Timestamp(acquired).normalize()
    return day + pd.DateOffset(years=1) + pd.Timedelta(days=1)


def holding_term(acquired: Any, trade_date: Any, stated: str = "") -> HoldingTerm:
    """The term of a lot sold on ``trade_date`` (see :func:`first_long_day`).

    - With a date: the date decides, except that a stated ``"long"`` is honoured (inherited lots
      are always long-term, IRC 1223(9); a gift carries the donor's holding period), since the
      readers state it for such lots. A stated ``"short"`` only described the file's own date.
    - Without a date: the stated term; with neither, ``"long"`` with ``assumed`` True (the
      issue's rule for positions without lots; callers warn).
    """
    stated = str(stated or "").strip().lower()
    if acquired is None or pd.isna(acquired):
        if stated in ("short", "long"):
            return HoldingTerm(stated, False, "stated")
        return HoldingTerm("long", True, "assumed")
    if stated == "long":
        return HoldingTerm("long", False, "stated")
    long = pd.Timestamp(trade_date).normalize() >= first_long_day(acquired)
    return HoldingTerm("long" if long else "short", False, "date")


def lot_terms(lots: pd.DataFrame, trade_date: Any) -> pd.DataFrame:
    """``term`` and ``term_assumed`` of every lot at ``trade_date``, indexed like ``lots``."""
    stated = lots["term"] if "term" in lots.columns else pd.Series("", index=lots.index)
    terms = [holding_term(a, trade_date, s) for a, s in zip(lots["acquired"], stated, strict=True)]
    return pd.DataFrame(
        {"term": [t.term for t in terms], "term_assumed": [t.assumed for t in terms]},
        index=lots.index,
    )


# -- lot selection -------------------------------------------------------------------------------
def lot_table(lots: pd.DataFrame, price: float, trade_date: Any, rates: TaxRates) -> pd.DataFrame:
    """The lots with ``basis_per_share``, ``gain_per_share``, ``term``, ``term_assumed`` and
    ``tax_per_share`` (the estimated tax of selling one share; an unknown basis counts as zero,
    the most tax it could cost)."""
    if not (math.isfinite(price) and price >= 0):
        raise ValueError(f"price {price!r} must be a finite amount >= 0")
    if (lots["shares"] <= 0).any():
        raise ValueError("lots must have shares > 0")
    out = lots.copy()
    out[["term", "term_assumed"]] = lot_terms(lots, trade_date)
    out["basis_per_share"] = lots["cost_basis"] / lots["shares"]
    out["gain_per_share"] = price - out["basis_per_share"]
    rate = out["term"].map({"short": rates.rate("short"), "long": rates.rate("long")})
    out["tax_per_share"] = (price - out["basis_per_share"].fillna(0.0)) * rate
    return out


def order_lots(table: pd.DataFrame, method: str = "optimal") -> pd.DataFrame:
    """The lots of :func:`lot_table` in the order they are sold.

    - ``optimal``: lowest estimated tax per share first, i.e. the largest tax saving first. This
      is the issue's order (losses first, then long-term lots with the highest cost, then
      short-term lots) made precise: a short-term loss per share is worth more than a long-term
      one at the short rate, and a short-term lot with a tiny gain may cost less tax than a
      long-term lot with a large one, so it comes before it. Ties: long before short, higher
      cost first, older first, then file line. Unknown basis ranks as zero basis (last).
    - ``fifo``: oldest acquisition first (unknown dates last), the custodians' default.
    - ``hifo``: highest cost per share first (unknown basis last).
    """
    t = table.assign(
        _long=table["term"].eq("long"),
        _cost=table["basis_per_share"].fillna(-np.inf),
        _line=table["line"] if "line" in table.columns else range(len(table)),
    )
    if method == "optimal":
        keys, asc = (
            ["tax_per_share", "_long", "_cost", "acquired", "_line"],
            [True, False, False, True, True],
        )
    elif method == "fifo":
        keys, asc = ["acquired", "_line"], [True, True]
    elif method == "hifo":
        keys, asc = ["_cost", "_long", "acquired", "_line"], [False, False, True, True]
    else:
        raise ValueError(f"lot method {method!r}: use one of {', '.join(LOT_METHODS)}")
    t = t.sort_values(keys, ascending=asc, na_position="last", kind="mergesort")
    return t.drop(columns=["_long", "_cost", "_line"])


def select_lots(
    lots: pd.DataFrame,
    shares: float,
    price: float,
    trade_date: Any,
    method: str = "optimal",
    rates: TaxRates | None = None,
) -> pd.DataFrame:
    """The lots sold to sell ``shares`` of one ticker in one account (specific identification).

    Parameters
    ----------
    lots : DataFrame
        The lots of one ticker in one account (the lots table's columns).
    shares : float
        Shares to sell, > 0 and at most the shares held (fractions allowed).
    price : float
        Sale price per share, account currency.
    trade_date : date-like
        The trade date (decides short or long term).
    method : {"optimal", "fifo", "hifo"}
        See :func:`order_lots`.
    rates : TaxRates, optional
        Rates that rank lots for ``optimal`` (default :class:`TaxRates`).

    Returns
    -------
    DataFrame
        One row per lot sold, in sale order, columns :data:`SALE_COLUMNS`: ``shares`` sold,
        ``proceeds`` = shares x price, ``cost_basis`` pro rata per share of the lot, ``gain`` =
        proceeds - cost_basis (NaN when the basis is unknown), ``term``, ``term_assumed``.
        Money is not rounded (round in outputs, e.g. :func:`lot_records`).
    """
    held = float(lots["shares"].sum())
    if not (math.isfinite(shares) and shares > 0):
        raise ValueError(f"shares to sell {shares!r} must be > 0")
    if shares > held * (1 + 1e-12):
        raise ValueError(f"cannot sell {shares:g} shares: {held:g} held in these lots")
    if not (math.isfinite(price) and price >= 0):
        raise ValueError(f"price {price!r} must be a finite amount >= 0")
    lot_shares = lots["shares"].to_numpy(float)
    if (lot_shares <= 0).any():
        raise ValueError("lots must have shares > 0")
    rates = rates or TaxRates()
    terms = lot_terms(lots, trade_date)
    term = terms["term"].to_numpy(object)
    per_share = lots["cost_basis"].to_numpy(float) / lot_shares
    order = _sale_order(lots, term, per_share, price, rates, method)
    # each lot in turn gives what is left to sell, up to its shares
    before = np.concatenate([[0.0], np.cumsum(lot_shares[order])[:-1]])
    take = np.clip(min(shares, held) - before, 0.0, lot_shares[order])
    sold = order[take > 0]
    take = take[take > 0]
    basis = take * per_share[sold]
    column = lambda name, fill: (  # noqa: E731
        lots[name].to_numpy()[sold] if name in lots.columns else np.full(len(sold), fill)
    )
    return pd.DataFrame(
        {
            "account": column("account", ""),
            "ticker": column("ticker", ""),
            "line": column("line", -1),
            "acquired": lots["acquired"].to_numpy()[sold],
            "shares": take,
            "proceeds": take * price,
            "cost_basis": basis,
            "gain": take * price - basis,
            "term": term[sold],
            "term_assumed": terms["term_assumed"].to_numpy(bool)[sold],
        },
        columns=SALE_COLUMNS,
    )


def _sale_order(lots: pd.DataFrame, term: np.ndarray, per_share: np.ndarray, price: float,
                rates: TaxRates, method: str) -> np.ndarray:  # fmt: skip
    """The lots' positions in the order :func:`order_lots` sells them (a stable sort on arrays:
    :func:`select_lots` runs for every sale of a book of accounts)."""
    if method not in LOT_METHODS:
        raise ValueError(f"lot method {method!r}: use one of {', '.join(LOT_METHODS)}")
    long = term == "long"
    cost = np.where(np.isnan(per_share), -np.inf, per_share)
    acquired = pd.to_datetime(lots["acquired"]).to_numpy("datetime64[ns]").astype(np.int64)
    acquired = np.where(pd.isna(lots["acquired"]).to_numpy(), np.iinfo(np.int64).max, acquired)
    line = lots["line"].to_numpy() if "line" in lots.columns else np.arange(len(lots))
    rate = np.where(term == "short", rates.rate("short"), rates.rate("long"))
    tax = (price - np.nan_to_num(per_share, nan=0.0)) * rate
    keys = {  # most significant first; np.lexsort wants the least significant first
        "optimal": (tax, ~long, -cost, acquired, line),
        "fifo": (acquired, line),
        "hifo": (-cost, ~long, acquired, line),
    }[method]
    return np.lexsort(keys[::-1])


def lot_records(sales: pd.DataFrame) -> list[dict[str, Any]]:
    """The JSON ``lots`` of a trade: ``[{acquired, shares, cost_basis, gain, term}]``, money to
    the cent, ``acquired`` as ``YYYY-MM-DD`` (None when unknown)."""
    return [
        {
            "acquired": None if pd.isna(r.acquired) else str(pd.Timestamp(r.acquired).date()),
            "shares": float(r.shares),
            "cost_basis": json_money(r.cost_basis),
            "gain": json_money(r.gain),
            "term": r.term,
        }
        for r in sales.itertuples()
    ]


# -- the marginal tax of selling, for the optimizer ----------------------------------------------
@dataclass(frozen=True, eq=False)
class TaxCurve:
    """Estimated tax of selling ``x`` shares of one ticker in one account, piecewise linear.

    ``breakpoints`` are cumulative shares ``0 = b0 < b1 < ... < bn`` (n lots, in sale order);
    ``slopes[k]`` is the tax per share (money) of the shares between ``b[k]`` and ``b[k+1]``.
    With nondecreasing slopes (always so for ``optimal``, which sorts by tax per share) the
    curve is **convex** and equals ``max_k(intercepts[k] + slopes[k] * x)`` on ``[0, bn]``: a
    cvxpy ``maximum`` of affine terms, or a sum of ``slopes[k] * s_k`` over segment variables
    ``0 <= s_k <= widths[k]``. For ``fifo``/``hifo`` the slopes may fall: not convex.
    Each lot is taxed at its own term's rate; netting across lots and tickers is not modelled in
    the curve (see :func:`estimate_tax` for the household's netted estimate).
    """

    breakpoints: np.ndarray
    slopes: np.ndarray

    def __post_init__(self) -> None:
        if len(self.breakpoints) != len(self.slopes) + 1 or np.any(np.diff(self.breakpoints) <= 0):
            raise ValueError("breakpoints must rise from 0, one more than the slopes")

    @property
    def widths(self) -> np.ndarray:
        return np.diff(self.breakpoints)

    @property
    def intercepts(self) -> np.ndarray:
        """``a_k`` with ``tax(x) = a_k + slopes[k] * x`` on segment k."""
        taxes = np.concatenate([[0.0], np.cumsum(self.widths * self.slopes)])
        return taxes[:-1] - self.slopes * self.breakpoints[:-1]

    @property
    def is_convex(self) -> bool:
        return bool(np.all(np.diff(self.slopes) >= -1e-12))

    def tax(self, shares: float) -> float:
        """Estimated tax of selling ``shares`` (0 to the shares held)."""
        if not 0 <= shares <= self.breakpoints[-1] * (1 + 1e-12):
            raise ValueError(f"{shares:g} shares is outside 0..{self.breakpoints[-1]:g}")
        sold = np.clip(shares - self.breakpoints[:-1], 0.0, self.widths)
        return float(sold @ self.slopes)


def marginal_tax_curve(
    lots: pd.DataFrame,
    price: float,
    trade_date: Any,
    rates: TaxRates | None = None,
    method: str = "optimal",
    taxable: bool = True,
) -> TaxCurve:
    """The :class:`TaxCurve` of one ticker in one account (slopes 0 when not ``taxable``).

    Lots are sold in ``method`` order; an unknown basis counts as zero (the most tax it could
    cost). For ``optimal`` the slopes are nondecreasing, so the curve is convex.
    """
    if lots.empty:
        return TaxCurve(np.zeros(1), np.zeros(0))
    ordered = order_lots(lot_table(lots, price, trade_date, rates or TaxRates()), method)
    breaks = np.concatenate([[0.0], np.cumsum(ordered["shares"].to_numpy(float))])
    slopes = ordered["tax_per_share"].to_numpy(float)
    return TaxCurve(breaks, slopes if taxable else np.zeros_like(slopes))


def tax_per_share(
    lots: pd.DataFrame, price: float, trade_date: Any, rates: TaxRates | None = None
) -> pd.Series:
    """Estimated tax per share of each lot if sold at ``price`` (indexed like ``lots``), the
    ranking of ``optimal`` (negative: a loss that saves tax)."""
    return lot_table(lots, price, trade_date, rates or TaxRates())["tax_per_share"]


# -- lots about to turn long-term ----------------------------------------------------------------
def turning_long_soon(
    lots: pd.DataFrame,
    prices: pd.Series | float,
    trade_date: Any,
    rates: TaxRates | None = None,
    days: int = 60,
) -> pd.DataFrame:
    """Short-term lots (dated) that turn long-term within ``days`` days after ``trade_date``.

    ``prices`` is a price per ticker (or one price for a single ticker's lots). Returns one row
    per lot: ``account, ticker, line, acquired, shares, gain, turns_long`` (the first long-term
    day), ``days_left``, and ``tax_saved_by_waiting`` = gain x (short rate - long rate): positive
    for a gain (wait), negative for a loss (a short-term loss is worth more: sell before).
    Estimates at today's price; sorted by the tax saved, largest first.
    """
    rates = rates or TaxRates()
    cols = ["account", "ticker", "line", "acquired", "shares", "gain", "turns_long", "days_left",
            "tax_saved_by_waiting"]  # fmt: skip
    day = pd.Timestamp(trade_date).normalize()
    dated = lots[lots["acquired"].notna()]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    terms = lot_terms(dated, day)["term"]
    turns = dated["acquired"].map(first_long_day)
    left = (turns - day).dt.days
    soon = dated[terms.eq("short") & left.le(days)]
    if isinstance(prices, pd.Series):
        price = soon["ticker"].map(prices).astype(float)
    else:
        price = pd.Series(float(prices), index=soon.index)
    gain = soon["shares"] * price - soon["cost_basis"]
    out = soon.assign(
        gain=gain,
        turns_long=turns[soon.index],
        days_left=left[soon.index].astype(int),
        tax_saved_by_waiting=gain * (rates.short - rates.long),
    )
    return out.reindex(columns=cols).sort_values("tax_saved_by_waiting", ascending=False)
