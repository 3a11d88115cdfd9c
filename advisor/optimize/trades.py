"""The trade list a custodian can execute, from the whole-share result of the rounding.

One row per ticker traded: side, quantity (whole shares, or the whole holding with its fraction,
flagged ``whole_holding``), price, amount (money, to the cent), estimated realised gain from the
average cost basis, and estimated trading cost. The price is written with as many decimals as it
takes for ``quantity x price`` to round to the amount, so the custodian file and the JSON agree
to the cent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.optimize.rounding import Book, Rounded

COLUMNS = [
    "ticker",
    "side",
    "shares",
    "price",
    "amount",
    "realized_gain",
    "est_cost",
    "whole_holding",
]


def price_for(quantity: float, price: float, amount: float) -> float:
    """``price`` rounded to the fewest decimals (2 to 10) with ``round(quantity x p, 2)`` equal to
    ``amount``."""
    for digits in range(2, 11):
        p = round(price, digits)
        if round(quantity * p, 2) == amount:
            return p
    return price


def trade_list(
    assets: pd.Index, book: Book, rounded: Rounded, cost_basis: pd.Series, cost_bps: float
) -> pd.DataFrame:
    """One row per trade (see the module notes), sells first, largest first within a side.

    ``cost_basis`` is the total cost basis by ticker (NaN where unknown): a sale's realised gain
    is its proceeds minus the average cost of the shares sold (NaN without a basis; 0 for buys).
    """
    rows = []
    for i, t in enumerate(assets):
        whole = bool(rounded.whole[i])
        d = int(rounded.delta[i])
        if not whole and d == 0:
            continue
        held = float(book.shares0[i])
        if whole and held <= 0:
            continue  # nothing held, nothing sold
        quantity: float = (int(held) if held.is_integer() else held) if whole else abs(d)
        amount = round(float(book.value0[i]) if whole else abs(d) * float(book.prices[i]), 2)
        sell = whole or d < 0
        basis = cost_basis.get(t, np.nan)
        avg = basis / held if held > 0 and pd.notna(basis) else np.nan
        rows.append(
            {
                "ticker": str(t),
                "side": "sell" if sell else "buy",
                "shares": quantity,
                "price": price_for(quantity, float(book.prices[i]), amount),
                "amount": amount,
                "realized_gain": round(amount - avg * quantity, 2) if sell else 0.0,
                "est_cost": round(amount * cost_bps / 1e4, 2),
                "whole_holding": whole,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.astype({"shares": object, "whole_holding": bool})
    order = table.sort_values(["side", "amount"], ascending=[False, False])
    return order.reset_index(drop=True)
