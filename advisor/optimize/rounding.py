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

from advisor.optimize.limits import LIMITS, TOL, Point, cash_cap, check_all, excesses
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
    min_stub: float = 0.0  # money a position sold in part keeps at least (no stubs)


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

    def down(delta: int) -> None:  # a sale to ``held + delta`` shares (whole when none is left)
        left = held + delta
        if left > 0 or held == 0:
            out.append((delta, False))
        elif left == 0:
            out.append((delta, True))

    if whole:  # undo the whole sale down to the fraction, or to one share
        out.append((-math.floor(held), False) if frac > 0 else (1 - int(held), False))
    else:
        out.append((d + 1, False))
        if held + d - 1 >= 0:
            down(d - 1)
        elif held + d > 0:
            out.append((d, True))  # only a fraction of a share is left: sell it too
    if min_trade > 0:  # jumps: back to no trade, or straight to the minimum trade
        step = math.ceil(min_trade / b.prices[i])
        out += [(0, False), (step, False)]
        if held - step >= 0:
            down(-step)
    return [m for m in dict.fromkeys(out) if m != (d, whole) and _allowed(s, i, m, min_trade)]


def _allowed(s: _State, i: int, move: tuple[int, bool], min_trade: float) -> bool:
    b = s.book
    d, whole = move
    if whole and b.shares0[i] <= 0:
        return False  # nothing held: nothing to sell whole
    new = 0.0 if whole else b.shares0[i] + d
    if new < -1e-12:
        return False
    if new < b.shares0[i] - 1e-12 and not b.may_sell[i]:
        return False
    if new > b.shares0[i] + 1e-12 and not b.may_buy[i]:
        return False
    if 1e-12 < new < b.shares0[i] - 1e-12 and new * b.prices[i] < b.min_stub - 1e-9:
        return False  # a stub: sold in part below the minimum position
    money = abs(new - b.shares0[i]) * b.prices[i]
    return money == 0 or money >= min_trade - 1e-9


def _excess(data: ProblemData, account: Account, mandate: Mandate, s: _State) -> dict[str, float]:
    w, c = s.weights()
    return excesses(Point.of(data, account, w, c), account, mandate)


class _Excess:
    """Every limit's excess after each of many one-asset moves at once (vectorised).

    A move adds ``a`` to one asset's weight and takes it from cash. Each limit's measure after
    the move follows from today's in closed form: tracking error squared is quadratic in ``a``
    (``te^2 + 2 a q_i + a^2 r_i``), the others are linear or a max over linear terms. The sums of
    excesses are the greedy's guide only: every state it keeps is checked again with the
    limits' own measures.
    """

    def __init__(self, data: ProblemData, account: Account, mandate: Mandate) -> None:
        self.data, self.account, self.mandate = data, account, mandate
        self.bounds = {lim.name: lim.bound(mandate, account) for lim in LIMITS}
        ar = data.active
        self.G = ar.G
        self.H = ar.H if not isinstance(ar.H, np.ndarray) else np.diag(ar.H)
        self.r = (self.G**2).sum(axis=0) + np.asarray(self.H.multiply(self.H).sum(axis=0)).ravel()
        self.C = data.C.toarray() if self.bounds["max_company"] is not None else None
        self.c0 = np.zeros(data.C.shape[0]) if data.c0 is None else data.c0

    def after(
        self, w: np.ndarray, c: float, idx: np.ndarray, a: np.ndarray, cash: bool = True
    ) -> np.ndarray:
        """Sum of excesses (fractions of the account) after each move ``(idx[j], a[j])``
        (without the cash limits when ``cash`` is False: for moves that will be paired)."""
        acct, b, ar = self.account, self.bounds, self.data.active
        out = np.zeros(len(idx))

        def add(
            value: np.ndarray, bound: float | None, floor: bool = False, tol: float = TOL
        ) -> None:
            if bound is not None:
                over = (bound - value) if floor else (value - bound)
                out[:] += np.where(over > tol, over, 0.0)

        if b["max_te"] is not None:
            f, sv = ar.G @ w - ar.g, ar.H @ w - ar.h
            q = self.G.T @ f + self.H.T @ sv
            te2 = f @ f + sv @ sv + 2 * a * q[idx] + a**2 * self.r[idx]
            add(np.sqrt(np.clip(te2, 0.0, None)), b["max_te"])
        d0 = np.abs(w - acct.w0)
        add((d0.sum() + np.abs(w[idx] + a - acct.w0[idx]) - d0[idx]) / 2, b["max_turnover"])
        add(self.data.mega @ w + self.data.mega0 + a * self.data.mega[idx], b["max_megacap"])
        if self.C is not None:
            add(
                ((self.C @ w + self.c0)[:, None] + self.C[:, idx] * a).max(axis=0), b["max_company"]
            )
        if b["sector_band"] is not None:
            gaps = (self.data.S @ w - self.data.b_sector)[:, None] + self.data.S[:, idx] * a
            add(np.abs(gaps).max(axis=0), b["sector_band"])
        for name, values in (("max_realized_gain", "gain"), ("max_tax", "tax")):
            if b[name] is None:
                continue
            pieces = acct.sales()
            per = np.clip(getattr(pieces, values), 0.0, None)
            sold0 = np.clip(acct.w0 - w, 0.0, None)
            now = float(per @ pieces.fill(sold0))
            new = np.clip(acct.w0[idx] - w[idx] - a, 0.0, None)
            change = pieces.along(per, idx, new) - pieces.along(per, idx, sold0[idx])
            add(now + change, b[name] / acct.total_value, tol=max(TOL, 0.01 / acct.total_value))
        if cash:
            add(c - a, b["cash_floor"], floor=True)
            add(c - a, b["cash_max"])
        per = np.maximum(np.maximum(acct.lo - w, w - acct.hi), 0.0)
        top2 = np.sort(np.r_[per, 0.0, 0.0])[-2:]  # largest two excesses over assets
        others = np.where(per[idx] >= top2[1], top2[0], top2[1])
        new = np.maximum(np.maximum(acct.lo[idx] - w[idx] - a, w[idx] + a - acct.hi[idx]), 0.0)
        add(np.maximum(others, new), 0.0)
        return out


def _candidates(
    s: _State, min_trade: float
) -> tuple[np.ndarray, list[tuple[int, bool]], np.ndarray]:
    """Every allowed one-asset move: asset index, its new (delta, whole) state, new shares."""
    idx, states, shares = [], [], []
    now = s.shares()
    for i in range(len(s.book.prices)):
        for move in _moves(s, i, min_trade):
            idx.append(i)
            states.append(move)
            shares.append(0.0 if move[1] else s.book.shares0[i] + move[0])
    return (
        np.array(idx, dtype=int),
        states,
        np.array(shares, dtype=float) - now[idx] if idx else np.array([]),
    )


def _repair(ex: _Excess, s: _State, target: np.ndarray) -> int:
    """Greedy one-move-at-a-time repair; returns the number of moves made."""
    b = s.book
    goal = target * b.total / b.prices
    moves = 0
    for _ in range(50 * len(b.prices) + 200):
        now = _excess(ex.data, ex.account, ex.mandate, s)
        if not now:
            break
        idx, states, change = _candidates(s, ex.mandate.min_trade)
        if len(idx) == 0:
            break
        w, c = s.weights()
        a = change * b.prices[idx] / b.total
        current = float(ex.after(w, c, np.array([0]), np.array([0.0]))[0])
        gain = current - ex.after(w, c, idx, a)
        useful = gain > 1e-12
        if not useful.any():
            if not _best_pair(ex, s, idx, states, a, w, c):
                break
            moves += 2
            continue
        money = np.maximum(np.abs(a), 1e-12)
        toward = change * (goal[idx] - s.shares()[idx]) > 0
        pool = useful & toward if (useful & toward).any() else useful
        j = int(np.argmax(np.where(pool, gain / money, -np.inf)))
        s.delta[idx[j]], s.whole[idx[j]] = states[j]
        moves += 1
    return moves


def _best_pair(ex: _Excess, s: _State, idx: np.ndarray, states: list[tuple[int, bool]],
               a: np.ndarray, w: np.ndarray, c: float, k: int = 8) -> bool:  # fmt: skip
    """A sale and a purchase together (cash unchanged, or nearly): when no single move helps
    because any one of them breaks a cash limit. The ``k`` most helpful sales and purchases
    (judged without the cash limits) are paired and each pair checked exactly; the best pair
    per unit of money traded is made. Returns whether one was."""
    current = sum(_excess(ex.data, ex.account, ex.mandate, s).values())
    loose = ex.after(w, c, np.array([0]), np.array([0.0]), cash=False)[0]
    score = loose - ex.after(w, c, idx, a, cash=False)
    sells = [j for j in np.argsort(-score) if a[j] < 0][:k]
    buys = [j for j in np.argsort(-score) if a[j] > 0][:k]
    best, best_j = 0.0, None
    for js in sells:
        for jb in buys:
            if idx[js] == idx[jb]:
                continue
            saved = [(idx[j], s.delta[idx[j]], s.whole[idx[j]]) for j in (js, jb)]
            for j in (js, jb):
                s.delta[idx[j]], s.whole[idx[j]] = states[j]
            after = sum(_excess(ex.data, ex.account, ex.mandate, s).values())
            for i, d, wh in saved:
                s.delta[i], s.whole[i] = d, wh
            value = (current - after) / (abs(a[js]) + abs(a[jb]))
            if current - after > 1e-12 and value > best:
                best, best_j = value, (js, jb)
    if best_j is None:
        return False
    for j in best_j:
        s.delta[idx[j]], s.whole[idx[j]] = states[j]
    return True


def _top_up(ex: _Excess, s: _State, target: np.ndarray) -> None:
    """Spend cash left by rounding on purchases still a share or more below target, largest
    shortfall first, one share at a time, while every limit keeps holding."""
    b = s.book
    goal = target * b.total / b.prices
    for _ in range(20 * len(b.prices) + 100):
        short = goal - s.shares()
        idx = np.flatnonzero((short >= 1) & b.may_buy & ~s.whole)
        idx = np.array(
            [i for i in idx if _allowed(s, i, (int(s.delta[i]) + 1, False), ex.mandate.min_trade)],
            dtype=int,
        )
        if len(idx) == 0:
            return
        w, c = s.weights()
        ok = ex.after(w, c, idx, b.prices[idx] / b.total) == 0
        if not ok.any():
            return
        order = idx[ok][np.argsort(-(short * b.prices)[idx[ok]])]
        for i in order:
            s.delta[i] += 1
            if not _excess(ex.data, ex.account, ex.mandate, s):
                break
            s.delta[i] -= 1
        else:
            return


def round_to_shares(
    data: ProblemData, account: Account, mandate: Mandate, book: Book, target: np.ndarray
) -> Rounded:
    """Whole shares for target weights ``target`` (fractions, in the order of the assets)."""
    s = _initial(book, target, mandate.min_trade)
    ex = _Excess(data, account, mandate)
    moves = _repair(ex, s, target)
    if not _excess(data, account, mandate, s):
        _top_up(ex, s, target)
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
