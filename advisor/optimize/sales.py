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
from advisor.optimize.tax import TAXABLE, TaxRates, lot_table

LOT_COLUMNS = ("account", "ticker", "acquired", "shares", "cost_basis", "term", "line")


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
    types = account_types(holdings)
    rows = []
    for ticker, group in lots.groupby("ticker", sort=False):
        value = float(positions.at[ticker, "value"])
        shares = float(positions.at[ticker, "shares"]) if "shares" in positions else np.nan
        rows.append(_pieces_of(ticker, group, value, shares, total, rates, trade_date, types))
    if not rows:
        return Pieces.sorted([], [], [], [], np.array([], object), [])
    t = pd.concat(rows, ignore_index=True)
    return Pieces.sorted(
        assets.get_indexer(t["ticker"]), t["cap"].to_numpy(), t["gain"].to_numpy(),
        t["tax"].to_numpy(), t["account"].to_numpy(object), t["lot"].to_numpy(),
    )  # fmt: skip


def _pieces_of(ticker, group, value, shares, total, rates, trade_date, types) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """One ticker's lots as pieces (cap, gain and tax per unit of weight sold)."""
    lot_shares = group["shares"].to_numpy(float)
    if not (np.isfinite(shares) and shares > 0 and np.isfinite(lot_shares).all()):
        lot_value = np.full(len(group), value / len(group))  # no share counts: split the value
        price = np.nan
    else:
        price = value / shares
        lot_value = lot_shares * price
    basis = group["cost_basis"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(np.isfinite(basis) & (lot_value > 0), 1.0 - basis / lot_value, 0.0)
    tax = np.zeros(len(group))
    if np.isfinite(price) and np.isfinite(basis).any():
        known = group[np.isfinite(basis)]
        per_share = lot_table(known, price, trade_date, rates)["tax_per_share"].to_numpy(float)
        tax[np.isfinite(basis)] = np.clip(per_share / price, 0.0, None)
    taxable = np.array([types.get(str(a), TAXABLE) == TAXABLE for a in group["account"]])
    return pd.DataFrame(
        {
            "ticker": ticker,
            "cap": lot_value / total,
            "gain": gain,
            "tax": np.where(taxable, tax, 0.0),
            "account": group["account"].astype(str).to_numpy(),
            "lot": group.index.to_numpy(),
        }
    )


__all__ = ["LOT_COLUMNS", "account_types", "lots_of", "sale_pieces"]
