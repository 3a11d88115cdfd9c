"""The rebalance optimizer: target weights under a mandate, in cvxpy (Clarabel, ECOS fallback).

One :class:`Rebalancer` holds a compiled problem whose account data (current weights, bounds, gain
rates) and limit values are cvxpy Parameters (DPP), so the same problem re-solves for another
account over the same assets without recompiling. Its constraints are the limits'
own measures (:mod:`advisor.optimize.limits`) on the variable, and every solution is checked with
the same measures on numpy weights.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import SolverError
from advisor.optimize import limits as lim
from advisor.optimize.cvxpy_import import deferred
from advisor.optimize.limits import LIMITS, OPTIONAL, Limit, Point, active_limits, cash_cap
from advisor.optimize.mandate import Mandate, Objective
from advisor.optimize.pieces import summing_matrix
from advisor.optimize.problem import Account, ProblemData

cp = deferred()  # imported at first use, without modules advisor never uses: see cvxpy_import.py

OFF = 1e4  # the value of a limit that is built but switched off (no measure reaches it)
TE_SCALE = 1e4  # TE^2 ~ 1e-4: scale so that Clarabel's absolute gap is negligible
#: The cost objective's small turnover penalty, per unit of turnover (2.5 bp of traded value):
#: among equally cheap trades, the one that trades least.
TURNOVER_PENALTY = 5e-4
#: Every optional limit, and the per-asset bounds (a problem built with all serves any mandate).
ALL_LIMITS = frozenset({*OPTIONAL, "lower", "upper", "sleeve_mix"})


class Status(StrEnum):
    """The outcome of a proposal (JSON keeps the strings)."""

    OPTIMAL = "optimal"  # every limit holds on the portfolio actually traded
    OPTIMAL_INACCURATE = "optimal_inaccurate"  # the solver's answer misses a limit slightly
    INFEASIBLE = "infeasible"  # the limits cannot all hold (see diagnostics, relaxations)


@dataclass(frozen=True, eq=False)
class Solution:
    """Optimal weights and how they were obtained."""

    status: Status
    w: pd.Series
    cash: float
    objective: float
    solver: str
    solve_time: float
    iterations: int
    checks: dict[str, dict[str, Any]]

    @property
    def ok(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.OPTIMAL_INACCURATE)


def _goal(objective: Objective | Limit, p: Point, cost: Any, gain_cost: Any = 0.0) -> Any:
    """The expression to minimise: an objective, or one limit's measure (for diagnostics).

    ``cost`` (default): trading cost + weighted realised gains + a small turnover penalty,
    ``cost_bps |w - w0| + gain_weight g' (w0 - w)+ + 5e-4 turnover`` (fractions of the account).
    """
    te2 = TE_SCALE * cp.sum_squares(p.data.active.terms(p.w))
    if isinstance(objective, Limit):
        return te2 if objective.name == "max_te" else objective.measure(p)
    return {
        Objective.COST: lambda: cost + gain_cost + TURNOVER_PENALTY * lim.turnover(p),
        Objective.MEGACAP: lambda: lim.megacap(p) + cost,
        Objective.HHI: lambda: 100.0 * cp.sum_squares(lim.company(p)) + cost,
        Objective.TE: lambda: te2 + cost,
        Objective.TURNOVER: lambda: lim.turnover(p) + cost + 1e-6 * te2,
    }[objective]()


#: Clarabel's settings (its defaults unless named here). Equilibration off: on real proposals
#: (snapshot data, 30-500 lines) Clarabel takes 10-13 iterations instead of 28-33, half the
#: time, with the same tracking error to 7 digits and every limit holding; on the synthetic
#: benchmark problems the iterations and objectives are the same either way (measured by
#: ``benchmarks/bench_solver_settings.py``, 2026-11-30). Presolve off: it only drops rows whose
#: bound is infinite, and this problem has none (a switched-off limit is ``OFF``), while with it
#: on Clarabel refuses to update a solver in place. Failures still fall back to ECOS.
CLARABEL_SETTINGS: dict[str, object] = {"equilibrate_enable": False, "presolve_enable": False}
#: cvxpy's ``warm_start`` for Clarabel: a re-solve (same problem, new parameter values) updates
#: the cached solver's data instead of building a new solver, keeping its KKT matrix's ordering
#: and symbolic factorisation (about 4 ms of a 30 ms re-solve at 500 assets; the iterations and
#: the answer are those of a fresh solver). cvxpy builds a new solver when the pattern changed.
CLARABEL_WARM_START = True


class Rebalancer:
    """A compiled rebalance problem over fixed assets, objective and set of limits.

    Only the limits in ``limits`` become constraints (an unused limit would cost Clarabel rows and
    iterations: measured 40 ms -> 21 ms per re-solve at 500 assets); their values, and the
    account's current weights, bounds and gain rates, are Parameters, so the problem re-solves
    for any account and any mandate with the same active limits without recompiling.

    ``objective`` is an :class:`~advisor.optimize.mandate.Objective`, or a :class:`Limit` whose
    measure is minimised (the diagnostics' smallest feasible value of that limit).
    """

    def __init__(
        self,
        data: ProblemData,
        objective: Objective | Limit | str,
        cost_bps: float = 5.0,
        limits: frozenset[str] | set[str] = ALL_LIMITS,
        pieces: np.ndarray | None = None,
    ) -> None:
        self.data = data
        self.objective = objective if isinstance(objective, Limit) else Objective(objective)
        self.limits = frozenset(limits)
        n = len(data.assets)
        self.c = cp.Variable(nonneg=True, name="cash")
        self.pieces = np.arange(n) if pieces is None else np.asarray(pieces)
        self.p: dict[str, cp.Parameter] = {
            "w0": cp.Parameter(n, nonneg=True),
            "cash_floor": cp.Parameter(nonneg=True),
            "cash_max": cp.Parameter(nonneg=True),
            "lower": cp.Parameter(n, nonneg=True),
            "upper": cp.Parameter(n, nonneg=True),
        }
        taxed = {"max_realized_gain", "max_tax"}
        sales = bool(
            self.limits & taxed
            or getattr(self.objective, "name", "") in taxed
            or self.objective == Objective.COST
        )
        p = self.p
        # |w - w0| without an epigraph of its own: what is sold (the lots' pieces when sales are
        # taxed, else a variable) is >= 0 and what is bought, w - w0 + sold, is >= 0; turnover
        # and cost use their sum, which is |w - w0| wherever trading costs anything. With pieces
        # this saves a row and a variable per asset over |.| plus a pieces-cover-the-sale row.
        self.w = cp.Variable(n, nonneg="lower" not in self.limits, name="w")
        z, gain, tax, sold = self._sales(n) if sales else (None, None, None, None)
        if sold is None:
            sold = cp.Variable(n, nonneg=True, name="sold")
        bought = self.w - p["w0"] + sold
        trade = bought + sold
        cons: list[Any] = [bought >= 0]
        if z is not None:
            cons.append(z <= p["cap"])
        if "asset_mix" in self.limits and data.classes is not None:
            p["class_target"] = cp.Parameter(len(data.class_names), name="class_target")
        point = Point(
            data, self.w, self.c, p["w0"], gain, tax, p["lower"], p["upper"], trade,
            p.get("class_target"),
        )  # fmt: skip
        cons += [cp.sum(self.w) + self.c == data.budget]
        cons += lim.BY_NAME["cash_floor"].constraints(point, p["cash_floor"])
        cons += lim.BY_NAME["cash_max"].constraints(point, p["cash_max"])
        for name in sorted(self.limits & set(OPTIONAL)):
            if name == "asset_mix" and data.classes is None:
                continue  # a problem without asset classes states no mix
            p[name] = cp.Parameter(nonneg=True, name=name)
            cons += lim.BY_NAME[name].constraints(point, p[name])
        if "lower" in self.limits:  # w >= lower >= 0 (w is only declared nonneg without it)
            cons.append(self.w >= p["lower"])
        if "upper" in self.limits:
            cons.append(self.w <= p["upper"])
        if "sleeve_mix" in self.limits and data.sleeve is not None and data.sleeve.any():
            cons += self._sleeve_mix()
        cost = (cost_bps / 1e4) * cp.sum(trade) if cost_bps > 0 else 0.0
        gain_cost: Any = 0.0
        if self.objective == Objective.COST and z is not None:
            p["piece_cost"] = cp.Parameter(len(self.pieces), nonneg=True, name="piece_cost")
            gain_cost = p["piece_cost"] @ z
        goal = _goal(self.objective, point, cost, gain_cost)
        self.problem = cp.Problem(cp.Minimize(goal), cons)

    def _sales(self, n: int) -> tuple[Any, Any, Any, Any]:
        """The sales as pieces (:mod:`advisor.optimize.pieces`): ``z`` sold of each piece,
        ``0 <= z <= cap``; an asset's sale is the sum of its pieces', and the gain and tax of the
        sales are linear in ``z`` (DPP: caps, gains and taxes are Parameters)."""
        L = len(self.pieces)
        M = summing_matrix(self.pieces, n)
        z = cp.Variable(L, nonneg=True, name="sold")
        p = self.p
        p["cap"] = cp.Parameter(L, nonneg=True, name="cap")
        p["piece_gain"] = cp.Parameter(L, nonneg=True, name="piece_gain")
        p["piece_tax"] = cp.Parameter(L, nonneg=True, name="piece_tax")
        return z, p["piece_gain"] @ z, p["piece_tax"] @ z, M @ z

    def _sleeve_mix(self) -> list[Any]:
        """The money put into the sleeves split in the stated mix: with ``B`` the total bought,
        each sleeve's purchase is ``mix_k B`` (equalities, DPP: the mix is a Parameter)."""
        s = np.flatnonzero(self.data.sleeve)
        self.p["sleeve_mix"] = cp.Parameter(len(s), nonneg=True, name="sleeve_mix")
        bought = cp.Variable(nonneg=True, name="sleeve_money")
        buys = self.w[s] - self.p["w0"][s]
        return [bought == cp.sum(buys), buys == cp.multiply(self.p["sleeve_mix"], bought)]

    def set(self, account: Account, mandate: Mandate) -> None:
        """Load an account and a mandate's limits into the parameters."""
        missing = active_limits(mandate) - self.limits
        if missing:
            raise ValueError(f"this problem was built without the limits {sorted(missing)}")
        p = self.p
        p["w0"].value = account.w0
        if "cap" in p:
            self._set_pieces(account, mandate)
        p["cash_floor"].value = mandate.cash_floor
        p["cash_max"].value = cash_cap(mandate, account.cash0)
        p["lower"].value = account.lo
        p["upper"].value = np.maximum(account.hi, 0.0)
        if "class_target" in p:
            p["class_target"].value = account.class_target
        if "sleeve_mix" in p:
            mix = account.sleeve_mix
            if mix is None:
                raise ValueError("this problem states a sleeve mix but the account has none")
            p["sleeve_mix"].value = mix[self.data.sleeve]
        for name in self.limits & set(OPTIONAL) & set(p):
            limit = lim.BY_NAME[name]
            value = limit.bound(mandate, account)
            p[name].value = OFF if value is None else value / limit.scale(account)

    def _set_pieces(self, account: Account, mandate: Mandate) -> None:
        pieces = account.sales()
        if not np.array_equal(pieces.asset, self.pieces):
            raise ValueError("this problem was built for other pieces (lots) than the account's")
        p = self.p
        gain = np.clip(pieces.gain, 0.0, None)
        p["cap"].value = np.clip(pieces.cap, 0.0, None)
        p["piece_gain"].value = gain
        p["piece_tax"].value = pieces.tax
        if "piece_cost" in p:
            weight = mandate.gain_weight
            p["piece_cost"].value = pieces.tax if weight is None else weight * gain

    def solve(self, account: Account, mandate: Mandate) -> Solution:
        """Solve for one account and check every limit.

        Clarabel first; when it fails, reports an inaccurate solution or one that misses a limit
        in the numpy re-check, ECOS (tight tolerances) is tried and the better answer kept.
        An answer that still misses a limit is returned flagged ``optimal_inaccurate``.
        """
        self.set(account, mandate)
        attempts = [
            ("CLARABEL", {"warm_start": CLARABEL_WARM_START, **CLARABEL_SETTINGS}),
            ("ECOS", {"abstol": 1e-9, "reltol": 1e-9, "feastol": 1e-9}),
        ]
        errors: list[str] = []
        fallback: Solution | None = None
        for solver, opts in attempts:
            try:
                with warnings.catch_warnings():  # inaccuracy is reported through our own status
                    warnings.simplefilter("ignore", UserWarning)
                    self.problem.solve(solver=solver, **opts)
            except cp.SolverError as exc:
                errors.append(f"{solver}: {exc}")
                continue
            status = self.problem.status
            if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
                return self._infeasible(solver)
            if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
                errors.append(f"{solver}: status {status}")
                continue
            sol = self._solution(status, solver, account, mandate)
            if sol.status == Status.OPTIMAL:
                return sol
            fallback = fallback or sol
        if fallback is not None:
            return fallback
        raise SolverError(
            f"the optimizer broke down ({'; '.join(errors)})",
            "Try a looser mandate or report the file",
        )

    def _infeasible(self, solver: str) -> Solution:
        stats = self.problem.solver_stats
        empty = pd.Series(np.nan, index=self.data.assets)
        nan = float("nan")
        return Solution(
            Status.INFEASIBLE, empty, nan, nan, solver, stats.solve_time or 0.0,
            stats.num_iters or 0, {},
        )  # fmt: skip

    def _solution(self, status: str, solver: str, account: Account, mandate: Mandate) -> Solution:
        stats = self.problem.solver_stats
        w = np.clip(np.asarray(self.w.value, dtype=float), 0.0, None)
        cash = self.data.budget - float(w.sum())
        checks = lim.check_all(Point.of(self.data, account, w, cash), account, mandate)
        ok = all(c["holds"] for c in checks.values())
        final = Status.OPTIMAL if status == cp.OPTIMAL and ok else Status.OPTIMAL_INACCURATE
        return Solution(
            final,
            pd.Series(w, index=self.data.assets),
            cash,
            float(self.problem.value),
            solver,
            stats.solve_time or 0.0,
            stats.num_iters or 0,
            checks,
        )


def bound_names(
    data: ProblemData, w: np.ndarray, account: Account, mandate: Mandate | None = None
) -> list[str]:
    """Per-asset bounds that bind at ``w``, in plain words: ``NVDA held at today's weight (--hold)``.

    The bounds come from ``--hold`` (lower = today's weight), ``--restrict`` (upper = today's),
    ``--max-position`` (upper, stocks), ``--sleeve-min``/``--sleeve-max`` (funds) and the
    minimum position (a position kept at it rather than sold below it). The rule that only the
    sleeves are bought (a stated sleeve mix) is not listed: it binds on every holding.
    """
    hold = {t.upper() for t in (mandate.hold if mandate else ())}
    restrict = {t.upper() for t in (mandate.restrict if mandate else ())}
    out = []
    tol = lim.BINDING_TOL
    for i, t in enumerate(data.assets):
        lo, hi, w0 = account.lo[i], account.hi[i], account.w0[i]
        sleeve = data.sleeve is not None and bool(data.sleeve[i])
        if lo > 0 and w[i] - lo <= tol:
            if str(t) in hold or (mandate is None and abs(lo - w0) <= 1e-12):
                out.append(f"{t} held at today's weight (--hold)")
            elif sleeve:
                out.append(f"{t} at its sleeve floor (--sleeve-min)")
            else:
                out.append(f"{t} kept at the minimum position rather than sold below it")
        if hi < 1 and hi - w[i] <= tol and w[i] > tol:
            if str(t) in restrict:
                out.append(f"{t} restricted, not bought (--restrict)")
            elif data.is_stock[i] and mandate is not None and mandate.max_position is not None:
                out.append(f"{t} at the position cap (--max-position)")
            elif sleeve:
                out.append(f"{t} at its sleeve cap (--sleeve-max)")
    return out


__all__ = ["ALL_LIMITS", "LIMITS", "Account", "ProblemData", "Rebalancer", "Solution", "Status"]
