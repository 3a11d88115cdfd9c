"""From a household's tax lots to the optimizer's pieces, and from the traded shares back to
lots.

Every held position is cut into its lots (``Holdings.lots``: one row per lot, per account; a
file without lots gives one lot per line, of unknown date). Each lot becomes a piece of the
optimizer (:mod:`advisor.optimize.pieces`): its weight in the account, its realised gain per unit
sold and its estimated tax per unit sold at the trade date (:mod:`advisor.optimize.tax`: the
term from the holding period, the rate of that term; nothing in a tax-deferred or tax-exempt
account, nothing for a loss, nothing where the basis is unknown). The optimizer then sells the
cheapest pieces first, which is the ``optimal`` lot order; after rounding to whole shares,
:func:`lot_sales` names the lots each sale draws on, in the mandate's lot method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.domain import Holdings
from advisor.optimize.pieces import Pieces
from advisor.optimize.tax import TAXABLE, TaxRates, lot_terms


def lots_of(holdings: Holdings) -> pd.DataFrame:
    """The holdings' lots (one per position line when the file has no lot detail)."""
    lots = getattr(holdings, "lots", None)
    if lots is not None and len(lots):
        return lots.reset_index(drop=True)
    p = holdings.positions
    return pd.DataFrame(
        {
            "account": "",
            "ticker": p.index.astype(str),
            "acquired": pd.NaT,
            "shares": p["shares"].to_numpy(float),
            "cost_basis": p["cost_basis"].to_numpy(float),
            "term": "",
            "line": -1,
        }
    )


def account_types(holdings: Holdings) -> dict[str, str]:
    """Account id -> type (``taxable`` where the holdings do not say)."""
    accounts = getattr(holdings, "accounts", None)
    if accounts is None or not len(accounts):
        return {}
    return {str(a): str(t) for a, t in zip(accounts["id"], accounts["type"], strict=True)}


def sale_pieces(
    holdings: Holdings,
    positions: pd.DataFrame,
    assets: pd.Index,
    total: float,
    rates: TaxRates,
    trade_date: pd.Timestamp,
) -> Pieces:
    """The pieces of every held asset in ``assets`` (see the module notes).

    ``positions`` are the decided positions valued (``value``, ``shares``); a lot's price per
    share is its position's value per share, so the pieces of a position add up to its weight.
    """
    lots = lots_of(holdings)
    lots = lots[lots["ticker"].isin(list(assets)) & lots["ticker"].isin(list(positions.index))]
    if lots.empty:
        return Pieces.sorted([], [], [], [], np.array([], object), [])
    codes, _ = pd.factorize(lots["ticker"])  # tickers in order of appearance, lots in file order
    lots = lots.iloc[np.argsort(codes, kind="stable")]
    ticker = lots["ticker"].to_numpy(object)
    value = positions["value"].reindex(ticker).to_numpy(float)
    shares = (
        positions["shares"].reindex(ticker).to_numpy(float)
        if "shares" in positions
        else np.full(len(lots), np.nan)
    )
    lot_shares = lots["shares"].to_numpy(float)
    # a ticker with no share count, or a lot without one, has its value split over its lots
    unknown = np.isin(ticker, ticker[~np.isfinite(lot_shares)])
    priced = np.isfinite(shares) & (shares > 0) & ~unknown
    with np.errstate(divide="ignore", invalid="ignore"):
        price = np.where(priced, value / shares, np.nan)
        count = pd.Series(ticker).map(pd.Series(ticker).value_counts()).to_numpy(float)
        lot_value = np.where(priced, lot_shares * price, value / count)
        basis = lots["cost_basis"].to_numpy(float)
        gain = np.where(np.isfinite(basis) & (lot_value > 0), 1.0 - basis / lot_value, 0.0)
    tax = np.zeros(len(lots))
    known = priced & np.isfinite(basis)
    if known.any():
        tax[known] = np.clip(_tax_per_share(lots[known], price[known], trade_date, rates)
                             / price[known], 0.0, None)  # fmt: skip
    types = account_types(holdings)
    taxable = np.array([types.get(str(a), TAXABLE) == TAXABLE for a in lots["account"]])
    return Pieces.sorted(
        assets.get_indexer(ticker), lot_value / total, gain, np.where(taxable, tax, 0.0),
        lots["account"].astype(str).to_numpy(object), lots.index.to_numpy(),
    )  # fmt: skip


def _tax_per_share(lots: pd.DataFrame, price: np.ndarray, trade_date: pd.Timestamp,
                   rates: TaxRates) -> np.ndarray:  # fmt: skip
    """The estimated tax of selling one share of each lot (``tax_per_share`` of
    :func:`advisor.optimize.tax.lot_table`, for lots of several tickers at their own prices)."""
    if not (np.isfinite(price).all() and (price >= 0).all()):
        raise ValueError(f"prices {price!r} must be finite amounts >= 0")
    if (lots["shares"] <= 0).any():
        raise ValueError("lots must have shares > 0")
    terms = lot_terms(lots, trade_date)["term"].to_numpy(object)
    rate = np.where(terms == "short", rates.rate("short"), rates.rate("long"))
    basis = (lots["cost_basis"] / lots["shares"]).to_numpy(float)
    return (price - basis) * rate


__all__ = ["account_types", "by_account", "lot_sales", "lots_of", "sale_pieces"]


# -- from the traded shares back to accounts and lots ---------------------------------------------
def draw_accounts(pieces: Pieces, asset: int, lots: pd.DataFrame, shares: float) -> pd.Series:
    """Shares of a sale of ``shares`` drawn from each account, the pieces' order (tax-free
    accounts and the least tax first): account -> shares."""
    out: dict[str, float] = {}
    left = shares
    for k in np.flatnonzero(pieces.asset == asset):
        if left <= 1e-9:
            break
        lot = int(pieces.lot[k])
        held = float(lots.at[lot, "shares"]) if lot >= 0 else left
        held = held if np.isfinite(held) else left
        take = min(left, held)
        out[str(pieces.account[k])] = out.get(str(pieces.account[k]), 0.0) + take
        left -= take
    return pd.Series(out, dtype=float)


def lot_sales(
    trades: pd.DataFrame,
    holdings: Holdings,
    pieces: Pieces,
    assets: pd.Index,
    mandate_rates: TaxRates,
    trade_date: pd.Timestamp,
    method: str = "optimal",
) -> pd.DataFrame:
    """Every lot each sale draws on (rows of :func:`advisor.optimize.tax.select_lots`, with the
    account): the accounts in the pieces' order, the lots within an account in ``method``'s."""
    from advisor.optimize.tax import SALE_COLUMNS, select_lots

    lots = lots_of(holdings)
    rows = []
    for t in trades[trades["side"] == "sell"].itertuples():
        mine = lots[lots["ticker"] == t.ticker]
        price = float(t.amount) / float(t.shares) if float(t.shares) else float(t.price)
        if t.whole_holding:
            per_account = mine.groupby("account")["shares"].sum()
        else:
            per_account = draw_accounts(pieces, assets.get_loc(t.ticker), lots, float(t.shares))
        for account, q in per_account.items():
            held = mine[mine["account"].astype(str) == str(account)]
            q = min(float(q), float(held["shares"].sum()))
            if q > 0 and len(held) and np.isfinite(held["shares"]).all():
                sold = select_lots(held, q, price, trade_date, method, mandate_rates)
                rows.append(sold.assign(account=str(account), ticker=t.ticker))
    if not rows:
        return pd.DataFrame(columns=SALE_COLUMNS)
    return pd.concat(rows, ignore_index=True)[SALE_COLUMNS]


def by_account(trades: pd.DataFrame, sales: pd.DataFrame, holdings: Holdings) -> pd.DataFrame:
    """The household's trades per account: each sale split by the accounts its lots are in (its
    ``lots`` listed), each purchase split over the accounts in proportion to the money their
    sales free (each account funds its own purchases; whole shares by largest remainder)."""
    if trades.empty:
        return trades.assign(account=pd.Series(dtype=object), lots=pd.Series(dtype=object))
    from advisor.optimize.tax import lot_records

    rows = []
    single = _single_account(holdings)
    for t in trades.itertuples(index=False):
        base = t._asdict()
        mine = sales[sales["ticker"] == t.ticker] if t.side == "sell" else sales.iloc[0:0]
        if mine.empty:
            rows.append({**base, "account": single, "lots": []})
            continue
        for account, part in mine.groupby("account", sort=False):
            q = float(part["shares"].sum())
            whole = bool(t.whole_holding)
            amount = float(t.amount) if len(mine["account"].unique()) == 1 else q * float(t.price)
            rows.append({**base, "account": str(account), "shares": _exact(q),
                         "amount": round(amount, 2), "realized_gain": _gain(part),
                         "whole_holding": whole, "lots": lot_records(part)})  # fmt: skip
    out = pd.DataFrame(rows)
    buys = out[out["side"] == "buy"]
    if buys.empty or out["account"].nunique() <= 1:
        return out
    split = _split_buys(buys, out)
    split = _funded(split, out[out["side"] == "sell"], account_cash(holdings))
    return pd.concat([out[out["side"] == "sell"], split], ignore_index=True)


def account_cash(holdings: Holdings) -> dict[str, float]:
    """Cash per account (0 where unknown)."""
    accounts = getattr(holdings, "accounts", None)
    if accounts is None or "cash" not in accounts:
        return {}
    return {str(a): float(c) for a, c in zip(accounts["id"], accounts["cash"].fillna(0.0),
                                             strict=True)}  # fmt: skip


def _funded(buys: pd.DataFrame, sells: pd.DataFrame, cash: dict[str, float]) -> pd.DataFrame:
    """Purchases moved a share at a time so that no account spends more than its sales and its
    own cash bring (no cash moves between accounts): from an overdrawn account to the one with
    the most money left, or dropped when none has room (the household keeps it as cash)."""
    buys = buys.copy().reset_index(drop=True)
    proceeds = sells.groupby("account")["amount"].sum()
    for _ in range(10 * len(buys) + 10):
        spent = buys.groupby("account")["amount"].sum()
        accounts = set(spent.index) | set(proceeds.index)
        room = {a: proceeds.get(a, 0.0) + cash.get(a, 0.0) - spent.get(a, 0.0) for a in accounts}
        short = [a for a, r in room.items() if r < -0.005]
        if not short:
            return buys[buys["shares"] > 0].reset_index(drop=True)
        a = short[0]
        mine = buys[(buys["account"] == a) & (buys["shares"] > 0)]
        k = mine["price"].astype(float).idxmin()
        price = float(buys.at[k, "price"])
        _add_shares(buys, k, -1)
        best = max((b for b in room if b != a), key=lambda b: room[b], default=None)
        if best is not None and room[best] >= price:
            twin = buys[(buys["account"] == best) & (buys["ticker"] == buys.at[k, "ticker"])]
            if len(twin):
                _add_shares(buys, twin.index[0], +1)
            else:
                row = buys.loc[[k]].assign(account=best, shares=1, amount=round(price, 2))
                buys = pd.concat([buys, row], ignore_index=True)
    return buys[buys["shares"] > 0].reset_index(drop=True)


def _add_shares(buys: pd.DataFrame, k: int, n: int) -> None:
    q = int(buys.at[k, "shares"]) + n
    buys.at[k, "shares"] = q
    buys.at[k, "amount"] = round(q * float(buys.at[k, "price"]), 2)


def _single_account(holdings: Holdings) -> str:
    accounts = account_types(holdings)
    return next(iter(accounts)) if len(accounts) == 1 else ""


def _exact(q: float) -> float | int:
    return int(round(q)) if abs(q - round(q)) < 1e-9 else q


def _gain(part: pd.DataFrame) -> float:
    return round(float(part["gain"].sum()), 2) if part["gain"].notna().all() else float("nan")


def _split_buys(buys: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Purchases over the accounts in proportion to each account's sale proceeds."""
    sells = out[out["side"] == "sell"]
    money = sells.groupby("account")["amount"].sum()
    money = money[money > 0]
    if money.empty:
        return buys
    share = money / money.sum()
    rows = []
    for b in buys.to_dict(orient="records"):
        total = int(b["shares"])
        exact = share * total
        n = np.floor(exact.to_numpy()).astype(int)
        extra = np.argsort(-(exact.to_numpy() - n))[: total - int(n.sum())]
        n[extra] += 1
        for account, q in zip(share.index, n, strict=True):
            if q > 0:
                rows.append({**b, "account": str(account), "shares": int(q),
                             "amount": round(int(q) * float(b["price"]), 2)})  # fmt: skip
    return pd.DataFrame(rows)
