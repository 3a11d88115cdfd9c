"""No stubs: a position sold in part keeps at least the minimum position, or is sold entirely.

"At least ``m`` or nothing" is not convex. The optimum is found first without it; every position
it sells down to below ``m`` (and not to zero) is then decided by a rule and the problem solved
again with the decision as a bound: below ``m / 2`` the position is sold entirely (``hi = 0``),
else it keeps ``m`` (``lo = m``). The loop repeats until no stub is left (a new solution can
create new stubs; at most :data:`ROUNDS` rounds). When a decision makes the problem infeasible,
the other choice is taken for that position. Sleeves are never stubs (they are bought), nor are
positions the account held below ``m`` and the proposal leaves alone. The result is re-checked
like any solution (every limit on the numpy weights), and whole shares follow.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import Rebalancer, Solution
from advisor.optimize.problem import Account, ProblemData

ROUNDS = 6
EPS = 1e-7


def stubs(data: ProblemData, account: Account, w: np.ndarray, minimum: float) -> np.ndarray:
    """Indices of positions sold in part to below ``minimum`` (and not to zero)."""
    sleeve = data.sleeve if data.sleeve is not None else np.zeros(len(w), dtype=bool)
    sold = w < account.w0 - EPS
    return np.flatnonzero(sold & (w > EPS) & (w < minimum - EPS) & ~sleeve)


def no_stubs(
    rb: Rebalancer, data: ProblemData, account: Account, mandate: Mandate, sol: Solution
) -> tuple[Solution, Account, list[str]]:
    """The solution with no stubs (see the module notes): (solution, account with the decided
    bounds, notes). The solution is the last feasible one."""
    m = mandate.min_position
    notes: list[str] = []
    if not m:
        return sol, account, notes
    decided: dict[int, str] = {}
    for _ in range(ROUNDS):
        found = stubs(data, account, sol.w.to_numpy(), m)
        if not len(found):
            break
        trial = _decide(account, sol.w.to_numpy(), found, m, decided)
        new = rb.solve(trial, mandate)
        if not new.ok:  # the other choice for the positions just decided
            for i in found:
                decided[i] = "keep" if decided[i] == "sell" else "sell"
            trial = _bounded(account, decided, m)
            new = rb.solve(trial, mandate)
            if not new.ok:
                notes.append("no stub-free portfolio meets the other limits: stubs left")
                break
        sol, account = new, trial
    if decided:
        names = [str(data.assets[i]) for i, d in sorted(decided.items()) if d == "sell"]
        kept = [str(data.assets[i]) for i, d in sorted(decided.items()) if d == "keep"]
        if names:
            notes.append(f"sold entirely rather than left below {m:.1%}: {', '.join(names)}")
        if kept:
            notes.append(f"kept at {m:.1%} rather than sold below it: {', '.join(kept)}")
    return sol, account, notes


def _decide(account: Account, w: np.ndarray, found: np.ndarray, m: float,
            decided: dict[int, str]) -> Account:  # fmt: skip
    for i in found:
        decided[int(i)] = "sell" if w[i] < m / 2 else "keep"
    return _bounded(account, decided, m)


def _bounded(account: Account, decided: dict[int, str], m: float) -> Account:
    lo, hi = account.lo.copy(), account.hi.copy()
    for i, d in decided.items():
        if d == "sell":
            hi[i] = 0.0
        else:
            lo[i] = max(lo[i], min(m, account.w0[i]))
    return replace(account, lo=lo, hi=hi)
