"""Tax-loss harvesting (``--harvest``): sell the lots held at a loss in taxable accounts and buy a
substitute that tracks a different index, so that the losses offset the proposal's gains.

Before the proposal is decided, each harvestable lot (:func:`advisor.optimize.washsale.
harvest_candidates`: a loss in a taxable account, a documented substitute, no identical purchase
in the last 30 days, not held by ``--hold``) is sold whole and its proceeds buy whole shares of
the substitute in the same account (the change stays in that account's cash). The proposal is
then decided on the swapped holdings with the harvested securities restricted (never bought back
the same day: that would be a wash sale), and the harvest's trades and lot sales are put in front
of the proposal's, so that the tax estimate nets the losses against the gains. The "before"
figures are the holdings as read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from advisor.domain import Holdings, Instrument
from advisor.market.snapshot import Market
from advisor.optimize.mandate import Mandate
from advisor.optimize.tax import SALE_COLUMNS

HARVEST_MIN_LOSS = 100.0  # losses below this (money) are not worth a trade


def candidates(holdings: Holdings, market: Market, mandate: Mandate, day: pd.Timestamp,
               prices: pd.Series) -> pd.DataFrame:  # fmt: skip
    """The lots to harvest (see the module notes), largest tax value first."""
    from advisor.optimize.washsale import harvest_candidates

    lots = holdings.lots
    lots = lots[lots["shares"].notna() & lots["cost_basis"].notna()]
    if lots.empty:
        return pd.DataFrame()
    accounts = holdings.accounts if len(holdings.accounts) else None
    c = harvest_candidates(lots, prices, day, mandate.tax_rates, accounts)
    known = market.securities["price"].dropna()
    keep = (c["substitute"].notna() & ~c["recent_purchase"].astype(bool)
            & ~c["ticker"].isin([t.upper() for t in mandate.hold])
            & c["substitute"].isin(list(known.index)) & (c["gain"] <= -HARVEST_MIN_LOSS))  # fmt: skip
    return c[keep]


def swap(holdings: Holdings, lots_sold: pd.DataFrame, prices: pd.Series, market: Market,
         day: pd.Timestamp) -> tuple[Holdings, pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The holdings after the harvest, its trades (the trades table's columns) and lot sales."""
    lots, pos = holdings.lots.copy(), holdings.positions.copy()
    accounts, cash = holdings.accounts.copy(), float(holdings.cash)
    trades, sales, new_lots = [], [], []
    for c in lots_sold.itertuples():
        at = lots.index[(lots["account"] == c.account) & (lots["ticker"] == c.ticker)
                        & (lots["line"] == c.line)][0]  # fmt: skip
        q, basis = float(lots.at[at, "shares"]), float(lots.at[at, "cost_basis"])
        price = float(prices[c.ticker])
        sub_price = float(market.securities.at[c.substitute, "price"])
        n = int(np.floor(q * price / sub_price))
        proceeds, cost = round(q * price, 2), round(n * sub_price, 2)
        sales.append({"account": c.account, "ticker": c.ticker, "line": c.line,
                      "acquired": c.acquired, "shares": q, "proceeds": proceeds,
                      "cost_basis": basis, "gain": proceeds - basis, "term": c.term,
                      "term_assumed": False})  # fmt: skip
        trades += _trade_rows(c, q, price, proceeds, basis, n, sub_price, cost)
        lots = lots.drop(index=at)
        new_lots.append({"account": c.account, "ticker": c.substitute, "acquired": day,
                         "shares": float(n), "cost_basis": cost, "term": "", "line": -1})  # fmt: skip
        pos = _moved(pos, c.ticker, -q, -proceeds, -basis)
        pos = _moved(pos, c.substitute, n, cost, cost, account=c.account)
        left = round(proceeds - cost, 2)
        accounts.loc[accounts["id"] == c.account, "cash"] += left
        cash = round(cash + left, 2)
    lots = pd.concat([lots, pd.DataFrame(new_lots)], ignore_index=True)
    pos = pos[pos["shares"] > 1e-9]
    after = replace(holdings, positions=pos, lots=lots, accounts=accounts, cash=cash)
    return after, pd.DataFrame(trades), pd.DataFrame(sales, columns=SALE_COLUMNS)


def _trade_rows(c: Any, q: float, price: float, proceeds: float, basis: float, n: int,
                sub_price: float, cost: float) -> list[dict[str, Any]]:  # fmt: skip
    from advisor.optimize.tax import lot_records

    lot = pd.DataFrame([{"acquired": c.acquired, "shares": q, "cost_basis": basis,
                         "gain": proceeds - basis, "term": c.term}])  # fmt: skip
    sell = {"ticker": c.ticker, "side": "sell", "shares": q, "price": price, "amount": proceeds,
            "realized_gain": round(proceeds - basis, 2), "est_cost": 0.0, "whole_holding": False,
            "account": c.account, "lots": lot_records(lot)}  # fmt: skip
    buy = {"ticker": c.substitute, "side": "buy", "shares": n, "price": sub_price, "amount": cost,
           "realized_gain": 0.0, "est_cost": 0.0, "whole_holding": False, "account": c.account,
           "lots": []}  # fmt: skip
    return [sell, buy] if n > 0 else [sell]


def _moved(pos: pd.DataFrame, ticker: str, shares: float, value: float, basis: float,
           account: str = "") -> pd.DataFrame:  # fmt: skip
    """``pos`` with ``ticker`` changed by ``shares``, ``value`` and ``basis`` (a new row when
    the holdings did not have it)."""
    if ticker not in pos.index:
        row = {c: np.nan for c in pos.columns}
        row.update(shares=0.0, value=0.0, cost_basis=0.0, account=account, lines=(),
                   raw=(ticker,), instrument=Instrument.SECURITY)  # fmt: skip
        pos = pd.concat([pos, pd.DataFrame([row], index=pd.Index([ticker], name=pos.index.name))])
    pos.at[ticker, "shares"] = float(pos.at[ticker, "shares"]) + shares
    for col, d in (("value", value), ("cost_basis", basis)):
        if pd.notna(pos.at[ticker, col]):
            pos.at[ticker, col] = round(float(pos.at[ticker, col]) + d, 2)
    return pos


def harvested(p: Any, before: Any, trades: pd.DataFrame, sales: pd.DataFrame,
              chosen: pd.DataFrame) -> Any:  # fmt: skip
    """The proposal ``p`` (decided on the swapped holdings) with the harvest in front: its
    trades and lot sales, the tax estimate over both, the "before" figures of the holdings as
    read (``before``)."""
    from advisor.optimize.netting import estimate_tax, trade_tax

    all_trades = pd.concat([trades, p.trades], ignore_index=True)
    sold = [x for x in (sales, p.lot_sales) if x is not None and len(x)]
    all_sales = pd.concat(sold, ignore_index=True) if sold else sales
    accounts = pd.DataFrame(p.accounts) if p.accounts else None
    tax = estimate_tax(all_sales, accounts, p.mandate.tax_rates)
    by_trade = trade_tax(all_sales, tax)
    all_trades["est_tax"] = [float(by_trade.get((str(a), t), 0.0)) for a, t in
                             zip(all_trades["account"].astype(str), all_trades["ticker"],
                                 strict=True)]  # fmt: skip
    total = float(before.total_value or 1.0)
    notes = [
        f"harvested: {r.ticker} lot of {pd.Timestamp(r.acquired).date()} ({r.account}, "
        f"{r.shares:g} shares, loss {-r.gain:,.2f}) sold, {r.substitute} bought "
        f"({r.substitute_why})"
        for r in chosen.itertuples()
    ]
    gain = float(all_sales["gain"].sum(skipna=True))
    return replace(
        p, before=before, trades=all_trades, lot_sales=all_sales, tax=tax,
        realized_gain=round(gain, 2), turnover=float(all_trades["amount"].sum()) / 2 / total,
        diagnostics=[*notes, *p.diagnostics],
    )  # fmt: skip


__all__ = ["HARVEST_MIN_LOSS", "candidates", "harvested", "swap"]
