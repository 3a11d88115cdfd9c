"""When a mandate cannot be met: catch cheap impossibilities, then find the smallest relaxation.

An infeasible mandate is a status with diagnostics, never a crash. For each limit that could be
at fault we solve the problem without it, minimising the quantity it limits: the optimum is the
smallest value of that limit that works with all the others ("TE 1.0 % cannot reach megacap
<= 20 %; the least TE that does is 2.7 %").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from advisor.optimize.limits import LIMITS, Point, active_limits
from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import Rebalancer
from advisor.optimize.problem import Account, ProblemData

#: How each relaxable limit is named in a relaxation message.
QUANTITY = {
    "max_te": "tracking error",
    "max_megacap": "megacap weight",
    "max_turnover": "turnover",
    "max_realized_gain": "realised gain",
    "max_tax": "estimated tax",
}


@dataclass(frozen=True)
class Relaxation:
    """The smallest value of one limit that makes the mandate feasible (None if none does)."""

    limit: str
    current: float
    smallest: float | None
    message: str


def _fmt(x: float, unit: str) -> str:
    return f"{x:,.2f}" if unit == "money" else f"{100 * x:.2f}%"


def relaxation_message(name: str, current: float, smallest: float, unit: str) -> str:
    """ "tracking error 1.00% is too tight for the other limits; the least ... is 2.27%"."""
    label = QUANTITY[name]
    return (
        f"{label} {_fmt(current, unit)} is too tight for the other limits; "
        f"the least {label} that meets them is {_fmt(smallest, unit)}"
    )


def precheck(data: ProblemData, account: Account, mandate: Mandate) -> list[str]:
    """Impossibilities visible without solving (held minimums, floors, caps below what is held)."""
    out = []
    floor = float(account.lo.sum()) + mandate.cash_floor + (1.0 - data.budget)
    if floor > 1 + 1e-9:
        out.append(
            f"positions that may not be sold (--hold) and the cash floor add up to "
            f"{floor:.1%} of the account, over 100 %"
        )
    if (account.lo > account.hi + 1e-12).any():
        bad = [
            str(t)
            for t, lo, hi in zip(data.assets, account.lo, account.hi, strict=True)
            if lo > hi + 1e-12
        ]
        out.append(
            "these holdings may not be sold but are above their allowed weight: " + ", ".join(bad)
        )
    cap = mandate.megacap_cap
    locked = float(data.mega @ account.lo) + data.mega0
    if cap is not None and locked > cap + 1e-9:
        out.append(
            f"the holdings that may not be sold already carry {locked:.1%} megacap exposure, "
            f"above the {cap:.1%} cap"
        )
    need = max(0.0, mandate.cash_floor - account.cash0)
    if mandate.max_turnover is not None and need / 2 > mandate.max_turnover + 1e-9:
        out.append(
            f"raising cash to the {mandate.cash_floor:.1%} floor needs {need / 2:.1%} turnover, "
            f"above the {mandate.max_turnover:.1%} cap"
        )
    if mandate.max_company is not None:
        c0 = 0.0 if data.c0 is None else data.c0
        locked_c = np.asarray(data.C @ account.lo + c0).max(initial=0.0)
        if locked_c > mandate.max_company + 1e-9:
            out.append(
                f"holdings that may not be sold put {locked_c:.1%} in one company, above the "
                f"{mandate.max_company:.1%} cap"
            )
    return out


def relaxations(data: ProblemData, account: Account, mandate: Mandate) -> list[Relaxation]:
    """For every relaxable limit the mandate sets, the smallest value that works with the others.

    The problem is solved without the limit, minimising the limit's own measure: its optimum is
    the smallest value of that limit that the other limits allow.
    """
    out = []
    for limit in LIMITS:
        current = limit.bound(mandate, account) if limit.relax else None
        if current is None:
            continue
        loose = mandate.relaxed(**{f: None for f in limit.relax})
        sol = Rebalancer(data, limit, 0.0, active_limits(loose), account.sales().asset).solve(
            account, loose
        )
        label = QUANTITY[limit.name]
        if not sol.ok:
            message = f"relaxing the {label} limit alone does not help"
            out.append(Relaxation(limit.name, current, None, message))
            continue
        w = sol.w.to_numpy()
        achieved = float(limit.measure(Point.of(data, account, w, sol.cash))) * limit.scale(account)
        message = relaxation_message(limit.name, current, achieved, limit.unit)
        out.append(Relaxation(limit.name, current, achieved, message))
    return out
