"""From target weights to whole shares that keep every limit of the mandate.

1. **Round.** Sales go to the nearest whole share (never more than held, a position sold entirely
   includes its fraction of a share); purchases are rounded down; a trade below the minimum is not
   placed; held tickers (``--hold``) are never sold and restricted ones (``--restrict``) never
   bought, not by a fraction of a share.
2. **Repair.** Rounding can push a limit past its cap (a tracking error 0.16 points over, cash
   raised past the no-raise cap). Every limit is measured on the whole-share portfolio with the
   mandate's own measures; while one is broken, the one-share move (or the move to the minimum
   trade, or back to no trade) that removes the most excess per unit of money traded is made,
   preferring moves toward the optimizer's target. The exact measures are then checked again.
3. **Spend spare cash.** Purchases still a whole share or more short of target get one more share
   at a time, largest shortfall first, while every limit keeps holding.

Share counts are kept as whole-share changes from the current holding, so quantities never carry
float noise (a trade is ``67``, not ``67.00000000000006``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from advisor.optimize.limits import TOL, Point, cash_cap, check_all, excesses
from advisor.optimize.mandate import Mandate
from advisor.optimize.problem import Account, ProblemData


@dataclass(frozen=True, eq=False)
class Book:
    """What rounding needs besides the problem: per-asset arrays in the order of the assets."""

    shares0: np.ndarray  # current shares (fractions possible)
    value0: np.ndarray  # current value, money (shares0 x prices for held positions)
    prices: np.ndarray  # trade price per share
    cash0: float  # current cash, money
    total: float  # account value, money
    may_sell: np.ndarray  # bool: not held
    may_buy: np.ndarray  # bool: not restricted


@dataclass(frozen=True, eq=False)
class Rounded:
    """Whole-share result: new shares, the change per asset, cash and the checks.

    ``delta`` is the whole-share change (int), except where ``whole`` marks a position sold
    entirely (its change is minus the holding, fraction included).
    """

    shares: np.ndarray
    values: np.ndarray  # money
    delta: np.ndarray  # int64
    whole: np.ndarray  # bool
    cash: float
    checks: dict
    broken: dict[str, float]  # limit -> excess that no whole-share move could remove
    moves: int  # repair moves made


class _State:
    """Mutable whole-share state during rounding: integer changes and whole-sale flags."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.delta = np.zeros(len(book.shares0), dtype=np.int64)
        self.whole = np.zeros(len(book.shares0), dtype=bool)

    def shares(self) -> np.ndarray:
        return np.where(self.whole, 0.0, self.book.shares0 + self.delta)

    def values(self) -> np.ndarray:
        """Value of each position after the trades (unchanged positions keep their value)."""
        b = self.book
        return np.where(self.whole, 0.0, b.value0 + self.delta * b.prices)

    def cash(self) -> float:
        return self.book.cash0 - math.fsum(self.values() - self.book.value0)

    def weights(self) -> tuple[np.ndarray, float]:
        return self.values() / self.book.total, self.cash() / self.book.total


def _initial(book: Book, target: np.ndarray, min_trade: float) -> _State:
    """Round each asset toward its target (see the module notes)."""
    s = _State(book)
    want = target * book.total / book.prices - book.shares0  # shares to trade, signed
    for i, d in enumerate(want):
        held = book.shares0[i]
        if d < 0 and book.may_sell[i] and held > 0:
            if target[i] < 1e-9 or held + d < 0.5:
                s.whole[i] = True
            else:
                s.delta[i] = -min(int(round(-d)), math.floor(held))
        elif d > 0 and book.may_buy[i]:
            s.delta[i] = math.floor(d + 1e-9)
        if 0 < _trade_money(s, i) < min_trade:
            s.delta[i], s.whole[i] = 0, False
    return s


def _trade_money(s: _State, i: int) -> float:
    b = s.book
    change = b.shares0[i] if s.whole[i] else abs(int(s.delta[i]))
    return change * b.prices[i]


def _moves(s: _State, i: int, min_trade: float) -> list[tuple[int, bool]]:
    """The (delta, whole) states one step from asset ``i``'s current one."""
    b = s.book
    held, d, whole = b.shares0[i], int(s.delta[i]), bool(s.whole[i])
    frac = held - math.floor(held)
    out: list[tuple[int, bool]] = []
    if whole:  # undo the whole sale down to the fraction, or to one share
        out.append((-math.floor(held), False) if frac > 0 else (1 - int(held), False))
    else:
        out.append((d + 1, False))
        if held + d - 1 >= 0:
            out.append((d - 1, held + d - 1 == 0))
        elif held + d > 0:
            out.append((d, True))
    if min_trade > 0:  # jumps: back to no trade, or straight to the minimum trade
        step = math.ceil(min_trade / b.prices[i])
        out += [(0, False), (step, False)]
        if held - step >= 0:
            out.append((-step, held - step == 0))
    return [m for m in dict.fromkeys(out) if m != (d, whole) and _allowed(s, i, m, min_trade)]


def _allowed(s: _State, i: int, move: tuple[int, bool], min_trade: float) -> bool:
    b = s.book
    d, whole = move
    new = 0.0 if whole else b.shares0[i] + d
    if new < -1e-12:
        return False
    if new < b.shares0[i] - 1e-12 and not b.may_sell[i]:
        return False
    if new > b.shares0[i] + 1e-12 and not b.may_buy[i]:
        return False
    money = abs(new - b.shares0[i]) * b.prices[i]
    return money == 0 or money >= min_trade - 1e-9


def _excess(data: ProblemData, account: Account, mandate: Mandate, s: _State) -> dict[str, float]:
    w, c = s.weights()
    return excesses(Point.of(data, account, w, c), account, mandate)


def _repair(
    data: ProblemData, account: Account, mandate: Mandate, s: _State, target: np.ndarray
) -> int:
    """Greedy one-move-at-a-time repair; returns the number of moves made."""
    b = s.book
    goal = target * b.total / b.prices
    moves = 0
    for _ in range(50 * len(b.prices) + 200):
        now = _excess(data, account, mandate, s)
        if not now:
            break
        best = _best_move(data, account, mandate, s, sum(now.values()), goal)
        if best is None:
            break
        i, (d, whole) = best
        s.delta[i], s.whole[i] = d, whole
        moves += 1
    return moves


def _best_move(data, account, mandate, s, current, goal):  # type: ignore[no-untyped-def]
    """The move that removes the most excess per unit of money traded (toward target first)."""
    b = s.book
    ranked: list[tuple[bool, float, int, tuple[int, bool]]] = []
    for i in range(len(b.prices)):
        for move in _moves(s, i, mandate.min_trade):
            old = (s.delta[i], s.whole[i])
            new_shares_before = s.shares()[i]
            s.delta[i], s.whole[i] = move
            after = sum(_excess(data, account, mandate, s).values())
            new_shares = s.shares()[i]
            s.delta[i], s.whole[i] = old
            gain = current - after
            if gain <= 1e-12:
                continue
            money = abs(new_shares - new_shares_before) * b.prices[i]
            toward = (new_shares - new_shares_before) * (goal[i] - new_shares_before) > 0
            ranked.append((toward, gain / max(money / b.total, 1e-12), i, move))
    if not ranked:
        return None
    toward = [r for r in ranked if r[0]] or ranked
    _, _, i, move = max(toward, key=lambda r: r[1])
    return i, move


def _top_up(data, account, mandate, s, target) -> None:  # type: ignore[no-untyped-def]
    """Spend cash left by rounding on purchases still a share or more below target."""
    b = s.book
    floor = mandate.cash_floor * b.total
    goal = target * b.total / b.prices
    for _ in range(10 * len(b.prices) + 100):
        short = (goal - s.shares()) * b.prices
        order = [i for i in np.argsort(-short) if goal[i] - s.shares()[i] >= 1 and b.may_buy[i]]
        placed = False
        for i in order:
            if s.cash() - b.prices[i] < floor - 1e-9 or s.whole[i]:
                continue
            move = (int(s.delta[i]) + 1, False)
            if not _allowed(s, i, move, mandate.min_trade):
                continue
            old = int(s.delta[i])
            s.delta[i] = move[0]
            if _excess(data, account, mandate, s):
                s.delta[i] = old
                continue
            placed = True
            break
        if not placed:
            return


def round_to_shares(
    data: ProblemData, account: Account, mandate: Mandate, book: Book, target: np.ndarray
) -> Rounded:
    """Whole shares for target weights ``target`` (fractions, in the order of the assets)."""
    s = _initial(book, target, mandate.min_trade)
    moves = _repair(data, account, mandate, s, target)
    if not _excess(data, account, mandate, s):
        _top_up(data, account, mandate, s, target)
    w, c = s.weights()
    point = Point.of(data, account, w, c)
    return Rounded(
        shares=s.shares(),
        values=s.values(),
        delta=np.where(s.whole, 0, s.delta),
        whole=s.whole.copy(),
        cash=s.cash(),
        checks=check_all(point, account, mandate),
        broken=excesses(point, account, mandate),
        moves=moves,
    )


__all__ = ["TOL", "Book", "Rounded", "cash_cap", "round_to_shares"]
