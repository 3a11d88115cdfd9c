"""From target weights to a whole-share trade list that a custodian can execute.

Rules: sells never exceed the shares held; buys are rounded down, then topped up one share at a
time while cash stays above the floor; trades smaller than the minimum are not placed; cash
reconciles exactly (cash after = cash before + sales - purchases). Realised gains are estimated
per sale from the average cost basis when the file gives one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _round_targets(current: pd.Series, target: pd.Series) -> pd.Series:
    """Whole-share targets: sells to the nearest share (never below 0), buys rounded down."""
    out = current.copy()
    for t in target.index:
        cur, tgt = float(current.get(t, 0.0)), float(target[t])
        if tgt < cur:
            out[t] = 0.0 if tgt < 0.5 else max(0.0, float(round(tgt)))
            if tgt < 1e-9:
                out[t] = 0.0
            if cur - out[t] < 0:
                out[t] = cur
        elif tgt > cur:
            out[t] = cur + max(0.0, math.floor(tgt - cur + 1e-9))
    return out


def whole_share_trades(
    shares: pd.Series,
    prices: pd.Series,
    cash: float,
    target_weights: pd.Series,
    total_value: float,
    *,
    cash_floor: float = 0.0,
    min_trade: float = 0.0,
) -> tuple[pd.Series, float, list[str]]:
    """Shares after trading and cash after, for target weights (fractions of ``total_value``).

    Parameters
    ----------
    shares : Series
        Current shares by ticker (sleeves not held are 0).
    prices : Series
        Trade price per share by ticker (account currency).
    cash : float
        Current cash.
    target_weights : Series
        Target weight by ticker from the optimizer.

    Returns
    -------
    (new shares, new cash, notes)
    """
    target_shares = target_weights * total_value / prices
    new = _round_targets(shares.reindex(target_weights.index, fill_value=0.0), target_shares)
    notes: list[str] = []
    amount = (new - shares.reindex(new.index, fill_value=0.0)) * prices
    small = amount.index[(amount.abs() > 0) & (amount.abs() < min_trade)]
    if len(small):
        new[small] = shares.reindex(small, fill_value=0.0)
        notes.append(
            f"{len(small)} trade(s) below the minimum of {min_trade:,.2f} not placed: "
            + ", ".join(small)
        )
    floor_cash = cash_floor * total_value
    new_cash = cash - float(((new - shares.reindex(new.index, fill_value=0.0)) * prices).sum())
    buys = (new - shares.reindex(new.index, fill_value=0.0)) > 0
    # Too little cash: cut purchases one share at a time, largest purchase first.
    while new_cash < floor_cash - 1e-9 and buys.any():
        bought = ((new - shares.reindex(new.index, fill_value=0.0)) * prices).where(buys, 0.0)
        t = bought.idxmax()
        new[t] -= 1
        new_cash += float(prices[t])
        buys = (new - shares.reindex(new.index, fill_value=0.0)) > 0
    # Still short (rounded-down sales, nothing left to cut): sell one more share at a time of the
    # position with the largest sale, else the largest holding.
    held = shares.reindex(new.index, fill_value=0.0)
    while new_cash < floor_cash - 1e-9 and (new > 0).any():
        sold = ((held - new) * prices).where(new > 0, -np.inf)
        t = sold.idxmax() if sold.max() > 0 else (new * prices).idxmax()
        step = min(1.0, float(new[t]))
        new[t] -= step
        new_cash += step * float(prices[t])
    # Spare cash from rounding: add shares to the purchases furthest below target.
    short = (target_shares - new).where(buys | (target_shares > new + 1), 0.0)
    for t in short.sort_values(ascending=False).index:
        while short[t] >= 1 and new_cash - prices[t] >= floor_cash - 1e-9:
            new[t] += 1
            new_cash -= float(prices[t])
            short[t] -= 1
    return new, new_cash, notes


def trade_list(
    before: pd.Series,
    after: pd.Series,
    prices: pd.Series,
    cost_basis: pd.Series,
    cost_bps: float,
) -> pd.DataFrame:
    """One row per trade: ticker, side, shares, price, amount, realized_gain, est_cost.

    ``amount`` is positive money for both sides; ``realized_gain`` is the estimated gain of a sale
    from the position's average cost (NaN without cost basis; 0 for buys).
    """
    delta = after - before.reindex(after.index, fill_value=0.0)
    delta = delta[delta.abs() > 1e-9]
    rows = []
    for t, d in delta.items():
        held = float(before.get(t, 0.0))
        basis = cost_basis.get(t, np.nan)
        avg = basis / held if held > 0 and pd.notna(basis) else np.nan
        amount = abs(d) * float(prices[t])
        gain = (float(prices[t]) - avg) * abs(d) if d < 0 else 0.0
        rows.append(
            {
                "ticker": t,
                "side": "sell" if d < 0 else "buy",
                "shares": float(abs(d)),
                "price": float(prices[t]),
                "amount": amount,
                "realized_gain": gain,
                "est_cost": amount * cost_bps / 1e4,
            }
        )
    cols = ["ticker", "side", "shares", "price", "amount", "realized_gain", "est_cost"]
    table = pd.DataFrame(rows, columns=cols)
    return table.sort_values(["side", "amount"], ascending=[False, False]).reset_index(drop=True)
