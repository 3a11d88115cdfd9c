"""Wash sales (IRC 1091), loss harvesting candidates and constructive sales (IRC 1259).

A loss is disallowed when the household (any account, a spouse's, an IRA or a Roth IRA) buys the
same or a substantially identical security within 30 days before or after the sale; a purchase in
an IRA makes the loss lost for good (Rev. Rul. 2008-5). What counts as identical is the one table
of :mod:`advisor.optimize.identical`. These functions only see the trade date's purchases and the
lots' dates (purchases in the 30 days before); every message reminds that buying in the 30 days
after the sale would also be a wash sale. Figures are estimates, money in the account currency.

Tables are those of :mod:`advisor.optimize.tax`: lots (``account, ticker, acquired, shares,
cost_basis, term, line``), lot sales (:func:`~advisor.optimize.tax.select_lots` rows), buys
(``account, ticker, shares``) and accounts (``id, name, type``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from advisor.optimize.identical import IdenticalTable, default_table
from advisor.optimize.tax import TAXABLE, TaxRates, lot_terms

WINDOW_DAYS = 30
CONFLICT_COLUMNS = ["account", "ticker", "loss", "kind", "other_account", "other_ticker",
                    "other_date", "other_shares", "lost_for_good", "message"]  # fmt: skip


def _taxable(frame: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.Series:
    """True for rows in a taxable account (all rows without an accounts table)."""
    if accounts is None:
        return pd.Series(True, index=frame.index)
    types = accounts.set_index(accounts["id"].astype(str))["type"]
    return frame["account"].astype(str).map(types).eq(TAXABLE)


def _after_window(day: pd.Timestamp) -> str:
    return str((day + pd.Timedelta(days=WINDOW_DAYS + 1)).date())


def _losses(sales: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.DataFrame:
    """Loss per (account, ticker) of the loss sales in taxable accounts (loss > 0)."""
    lost = sales[sales["gain"].lt(0) & _taxable(sales, accounts)]
    return (-lost.groupby(["account", "ticker"])["gain"].sum()).rename("loss").reset_index()


def _recent_lots(lots: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Lots bought in the 30 days up to and including ``day``."""
    acquired = pd.to_datetime(lots["acquired"])
    return lots[acquired.between(day - pd.Timedelta(days=WINDOW_DAYS), day)]


def _unsold(lots: pd.DataFrame, sales: pd.DataFrame) -> pd.Series:
    """Shares of each lot still held after ``sales`` (matched by account, ticker and line)."""
    sold = sales.groupby(["account", "ticker", "line"])["shares"].sum()
    keys = pd.MultiIndex.from_frame(lots[["account", "ticker", "line"]])
    return lots["shares"] - sold.reindex(keys).fillna(0.0).to_numpy()


def _message(loss: Any, what: str, why: str, in_ira: bool, day: pd.Timestamp) -> str:
    fate = (
        "lost for good, since the purchase is in an IRA (Rev. Rul. 2008-5)"
        if in_ira
        else "disallowed now and added to the basis of the shares bought"
    )
    return (
        f"Selling {loss.ticker} at a loss of {loss.loss:,.2f} in account {loss.account} on "
        f"{day.date()} while {what} is a wash sale (IRC 1091): {why}. The loss would be {fate}. "
        f"Do not buy it or an identical fund in any account before {_after_window(day)}."
    )


def wash_sale_conflicts(
    sales: pd.DataFrame,
    buys: pd.DataFrame | None,
    lots: pd.DataFrame,
    trade_date: Any,
    accounts: pd.DataFrame | None = None,
    table: IdenticalTable | None = None,
) -> pd.DataFrame:
    """Wash sales a proposal would create, one row per (loss, replacement purchase).

    A loss sale (``sales`` rows with ``gain < 0`` in a taxable account) conflicts with a buy of
    the same or an identical security on the trade date in **any** account, and with a lot of
    one bought in the 30 days before it that stays held after ``sales`` (all rows of ``sales``
    count when deciding what stays held; a recent lot sold in full is not a replacement).
    Returns :data:`CONFLICT_COLUMNS`; ``lost_for_good`` when the purchase is in a non-taxable
    account. An empty table means no conflict.
    """
    day = pd.Timestamp(trade_date).normalize()
    held = lots.assign(shares=_unsold(lots, sales))
    recent = _recent_lots(held[held["shares"] > 1e-9], day)
    others = [("buy", b) for b in ([] if buys is None else buys.itertuples())]
    others += [("recent purchase", r) for r in recent.itertuples()]
    taxable = set(accounts.loc[accounts["type"].eq(TAXABLE), "id"].astype(str)) if accounts is not None else None  # fmt: skip
    rows = []
    for loss in _losses(sales, accounts).itertuples():
        table = table or default_table()  # at the first loss: most proposals sell none
        group = table.group(loss.ticker)
        for kind, other in others:
            if other.ticker not in group.members or other.shares <= 0:
                continue
            ira = taxable is not None and str(other.account) not in taxable
            when = day if kind == "buy" else pd.Timestamp(other.acquired)
            what = (
                f"the household buys {other.shares:g} {other.ticker} in account {other.account} the same day"
                if kind == "buy"
                else f"{other.shares:g} {other.ticker} bought on {when.date()} in account {other.account} stay held"
            )  # fmt: skip
            rows.append({
                "account": loss.account, "ticker": loss.ticker, "loss": loss.loss, "kind": kind,
                "other_account": other.account, "other_ticker": other.ticker, "other_date": when,
                "other_shares": float(other.shares), "lost_for_good": ira,
                "message": _message(loss, what, group.describe(loss.ticker, other.ticker), ira, day),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


def recent_purchase_flags(
    sales: pd.DataFrame,
    lots: pd.DataFrame,
    trade_date: Any,
    accounts: pd.DataFrame | None = None,
    table: IdenticalTable | None = None,
) -> pd.DataFrame:
    """Loss sales (taxable accounts) of a security of which the household bought the same or an
    identical one in the last 30 days (any lot of any account, the sold lots included, since a
    reinvested dividend or a partial lot may already make part of the loss a wash sale).

    Columns ``account, ticker, loss, recent_account, recent_ticker, recent_acquired, message``.
    """
    day = pd.Timestamp(trade_date).normalize()
    recent = _recent_lots(lots, day)
    rows = []
    for loss in _losses(sales, accounts).itertuples():
        table = table or default_table()  # at the first loss: most proposals sell none
        group = table.group(loss.ticker)
        for lot in recent[recent["ticker"].isin(group.members)].itertuples():
            rows.append({
                "account": loss.account, "ticker": loss.ticker, "loss": loss.loss,
                "recent_account": lot.account, "recent_ticker": lot.ticker,
                "recent_acquired": pd.Timestamp(lot.acquired),
                "message": (
                    f"{loss.ticker} is sold at a loss of {loss.loss:,.2f} in account {loss.account}, and "
                    f"{lot.ticker} was bought on {pd.Timestamp(lot.acquired).date()} in account "
                    f"{lot.account}, within 30 days: part of the loss may be a wash sale (IRC 1091)."
                ),
            })  # fmt: skip
    cols = ["account", "ticker", "loss", "recent_account", "recent_ticker", "recent_acquired", "message"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def _priced_lots(lots: pd.DataFrame, prices: pd.Series | float) -> pd.DataFrame:
    price = (
        lots["ticker"].map(prices).astype(float) if isinstance(prices, pd.Series) else float(prices)
    )
    return lots.assign(price=price, gain=lots["shares"] * price - lots["cost_basis"])


def harvest_candidates(
    lots: pd.DataFrame,
    prices: pd.Series | float,
    trade_date: Any,
    rates: TaxRates | None = None,
    accounts: pd.DataFrame | None = None,
    table: IdenticalTable | None = None,
) -> pd.DataFrame:
    """Lots held at a loss in taxable accounts, with the tax their sale would save (estimate).

    Columns ``account, ticker, line, acquired, shares, gain (< 0), term, tax_value`` (= -gain x
    the term's rate, before netting and the $3,000 limit), ``substitute`` and ``substitute_why``
    (a fund tracking a different index, or None), ``recent_purchase`` (an identical security was
    bought in the household in the last 30 days: selling now risks a wash sale). Sorted by tax
    value, largest first.
    """
    rates, table = rates or TaxRates(), table or default_table()
    day = pd.Timestamp(trade_date).normalize()
    priced = _priced_lots(lots[_taxable(lots, accounts)], prices)
    losing = priced[priced["gain"] < 0].copy()
    losing["term"] = lot_terms(losing, day)["term"]
    losing["tax_value"] = -losing["gain"] * losing["term"].map(rates.rate)
    subs = losing["ticker"].map(lambda t: table.substitute(t) or (None, None))
    losing["substitute"] = subs.str[0]
    losing["substitute_why"] = subs.str[1]
    recent = set(_recent_lots(lots, day)["ticker"])
    losing["recent_purchase"] = losing["ticker"].map(
        lambda t: bool(recent & table.group(t).members)
    )
    cols = ["account", "ticker", "line", "acquired", "shares", "gain", "term", "tax_value",
            "substitute", "substitute_why", "recent_purchase"]  # fmt: skip
    return losing.reindex(columns=cols).sort_values("tax_value", ascending=False)


def constructive_sale_warnings(
    shorts: pd.Series,
    lots: pd.DataFrame,
    prices: pd.Series,
    accounts: pd.DataFrame | None = None,
    table: IdenticalTable | None = None,
) -> list[dict[str, Any]]:
    """Warnings for shorts (ticker -> shares sold short, > 0) against appreciated positions.

    Shorting the same or a substantially identical security held at a gain in a taxable account
    is a constructive sale (IRC 1259): the gain is realised as if the shares were sold. Each
    warning: ``short_ticker, short_shares, held_ticker, held_shares, gain`` (unrealised gain of
    the lots held at a gain), ``covered_gain`` (the part on the shares the short covers, pro rata;
    estimate), ``message``. A broad index short against single stocks, or a put, is not flagged.
    """
    table = table or default_table()
    priced = _priced_lots(lots[_taxable(lots, accounts)], prices)
    up = priced[priced["gain"] > 0]
    out = []
    for ticker, short in shorts.items():
        members = table.group(str(ticker)).members
        for held_ticker, held in up[up["ticker"].isin(members)].groupby("ticker"):
            shares, gain = float(held["shares"].sum()), float(held["gain"].sum())
            covered = gain * min(1.0, float(short) / shares)
            out.append({
                "short_ticker": str(ticker), "short_shares": float(short),
                "held_ticker": str(held_ticker), "held_shares": shares, "gain": round(gain, 2),
                "covered_gain": round(covered, 2),
                "message": (
                    f"Shorting {float(short):g} {ticker} while holding {shares:g} {held_ticker} at a "
                    f"gain of {gain:,.2f} is a constructive sale (IRC 1259): about {covered:,.2f} of "
                    "gain would be taxed now as if the shares were sold. A broad index short or a "
                    "protective put hedges without this."
                ),
            })  # fmt: skip
    return out
