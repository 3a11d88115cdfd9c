"""The mandate's limits, one small object each: its measure, its constraint, its check, its label.

A limit's :meth:`Limit.measure` is one formula written once for two uses: on numpy weights it is
the figure the proposal reports and checks; on the optimizer's cvxpy variable it is the expression
the problem constrains (model: cvxportfolio's constraint classes, PyPortfolioOpt's objective
functions). Everything is a fraction of the account's total value except the realised-gain budget,
which is money.

:class:`Point` carries what a measure reads: asset weights ``w`` and cash ``c`` (numpy or cvxpy),
the account's current weights ``w0`` and the weights sold ``sold = (w0 - w)+`` (in the optimizer,
an epigraph variable, so the problem stays DPP).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from advisor.optimize.mandate import Mandate
    from advisor.optimize.problem import Account, ProblemData

TOL = 1e-6  # a limit holds within this (fractions)
BINDING_TOL = 1e-5  # a limit binds within this


def _is_np(x: Any) -> bool:
    return isinstance(x, np.ndarray | float | int | np.floating)


def _abs(x: Any) -> Any:
    if _is_np(x):
        return np.abs(x)
    import cvxpy as cp

    return cp.abs(x)


def _sum(x: Any) -> Any:
    if _is_np(x):
        return float(np.sum(x))
    import cvxpy as cp

    return cp.sum(x)


def _max(x: Any) -> Any:
    if _is_np(x):
        return float(np.max(x, initial=-np.inf))
    import cvxpy as cp

    return cp.max(x)


@dataclass(frozen=True, eq=False)
class Point:
    """A portfolio to measure: asset weights ``w`` and cash ``c``, with the account's current
    weights ``w0``, the realised gain ``gain`` and estimated tax ``tax`` of the sales (per unit
    of account value) and per-asset bounds ``lo``/``hi``: numpy arrays and floats, or cvxpy
    variables, parameters and expressions."""

    data: ProblemData
    w: Any
    c: Any
    w0: Any
    gain: Any
    tax: Any
    lo: Any
    hi: Any
    trade: Any = None  # |w - w0|, built once in the optimizer (the cost shares it)
    class_target: Any = None  # the asset mix's target per class (data.class_names)
    sleeve_mix: Any = None  # share of the sleeve money per asset (0 outside the sleeves)

    @classmethod
    def of(cls, data: ProblemData, account: Account, w: np.ndarray, c: float) -> Point:
        """A numpy point of ``account``: its own bounds; the sales' gain and tax drawn from its
        pieces cheapest first (:class:`~advisor.optimize.pieces.Pieces`)."""
        sold = np.clip(account.w0 - w, 0.0, None)
        pieces = account.sales()
        return cls(data, w, c, account.w0, pieces.realized_gain(sold), pieces.estimated_tax(sold),
                   account.lo, account.hi, None, account.class_target,
                   account.sleeve_mix)  # fmt: skip


@dataclass(frozen=True)
class Limit:
    """One limit of a mandate.

    Attributes
    ----------
    name : str
        Its key in ``checks`` and ``binding`` (the mandate field, mostly).
    label : str
        Plain words for reports ("tracking error cap").
    measure : callable
        ``Point -> value`` with numpy, or a cvxpy expression on the optimizer's variable.
    bound : callable
        ``(Mandate, Account) -> float | None``: the limit's value in the measure's units, or None
        when the mandate does not set it.
    floor : bool
        True for a lower limit (``measure >= bound``).
    relax : tuple of str
        Mandate fields to switch off to find the smallest value that works with the other
        limits (empty: not reported as a relaxation).
    unit : str
        ``fraction`` or ``money`` (the measure's unit: money limits are scaled by the account).
    vector : callable, optional
        An elementwise form of the measure for the constraint (``C w <= cap`` rather than
        ``max(C w) <= cap``: fewer auxiliary variables for the solver).
    """

    name: str
    label: str
    measure: Callable[[Point], Any]
    bound: Callable[[Mandate, Account], float | None]
    floor: bool = False
    relax: tuple[str, ...] = ()
    unit: str = "fraction"
    vector: Callable[[Point], Any] | None = None

    def scale(self, account: Account) -> float:
        """Money per unit of the measure (the account's value for money limits, else 1)."""
        return account.total_value if self.unit == "money" else 1.0

    def constraints(self, p: Point, value: Any) -> list[Any]:
        """cvxpy constraints of the limit at variable point ``p``; ``value`` is a Parameter in
        the measure's units (a money bound divided by :meth:`scale`)."""
        expr = (self.vector or self.measure)(p)
        return [expr >= value] if self.floor else [expr <= value]

    def check(self, p: Point, account: Account, mandate: Mandate) -> dict[str, Any] | None:
        """value, limit, holds, binding at numpy point ``p`` (None when the mandate sets none).

        Money limits hold within a cent (or 1e-6 of the account), fraction limits within 1e-6.
        """
        limit = self.bound(mandate, account)
        if limit is None:
            return None
        scale = self.scale(account)
        value = float(self.measure(p)) * scale
        tol = max(TOL * scale, 0.01) if self.unit == "money" else TOL
        slack = (value - limit) if self.floor else (limit - value)
        return {
            "value": value,
            "limit": float(limit),
            "holds": bool(slack >= -tol),
            "binding": bool(slack <= BINDING_TOL * max(1.0, abs(limit)) + tol - TOL),
        }

    def excess(self, p: Point, account: Account, mandate: Mandate) -> float:
        """How far ``p`` breaks the limit, in the measure's units (0 when it holds within
        tolerance): a fraction of the account for every limit."""
        limit = self.bound(mandate, account)
        if limit is None:
            return 0.0
        value = float(self.measure(p))
        bound = limit / self.scale(account)
        over = (bound - value) if self.floor else (value - bound)
        tol = max(TOL, 0.01 / account.total_value) if self.unit == "money" else TOL
        return over if over > tol else 0.0


# -- the measures --------------------------------------------------------------------------------


def tracking_error(p: Point) -> Any:
    return p.data.active.te(p.w)


def turnover(p: Point) -> Any:
    return _sum(_abs(p.w - p.w0) if p.trade is None else p.trade) / 2


def megacap(p: Point) -> Any:
    return p.data.mega @ p.w + p.data.mega0


def company(p: Point) -> Any:
    c = p.data.C @ p.w
    return c if p.data.c0 is None else c + p.data.c0


def largest_company(p: Point) -> Any:
    return _max(company(p))


def sector_gap(p: Point) -> Any:
    return _max(_abs(p.data.S @ p.w - p.data.b_sector))


def sector_gaps(p: Point) -> Any:
    gap = p.data.S @ p.w - p.data.b_sector
    import cvxpy as cp

    return cp.hstack([gap, -gap])


def realized_gain(p: Point) -> Any:
    """Estimated realised gain of the sales per unit of account value (gains only: losses are
    not credited); the limit's unit is money, so checks scale it by the account's value."""
    return p.gain


def estimated_tax(p: Point) -> Any:
    """Estimated tax of the sales per unit of account value (before losses are netted)."""
    return p.tax


def bounds_excess(p: Point) -> Any:
    """How far the weights go outside the per-asset bounds (hold, restrict, sleeves, position)."""
    return _max(np.r_[p.lo - p.w, p.w - p.hi, 0.0]) if _is_np(p.w) else None


def cash(p: Point) -> Any:
    return p.c


def class_gaps(p: Point) -> Any:
    """Each asset class's weight less its target (cash counts as cash-like)."""
    d = p.data
    cash_row = np.array([n == "Cash-like" for n in d.class_names], dtype=float)
    return d.classes @ p.w + cash_row * p.c + d.class_fixed - p.class_target


def asset_mix_gap(p: Point) -> Any:
    return _max(_abs(class_gaps(p)))


def asset_mix_gaps(p: Point) -> Any:
    import cvxpy as cp

    g = class_gaps(p)
    return cp.hstack([g, -g])


def sleeve_mix_gap(p: Point) -> Any:
    """How far the money put into each sleeve is from its stated share (numpy only: the
    optimizer states the mix as equalities)."""
    bought = np.where(p.data.sleeve, p.w - p.w0, 0.0)
    return float(np.max(np.abs(bought - p.sleeve_mix * bought.sum()), initial=0.0))


def cash_cap(mandate: Mandate, cash0: float) -> float:
    """Most cash a proposal may hold: --cash-max, else the larger of current cash and the floor.

    Without this cap, raising cash would be the cheapest way to cut megacap weight or HHI.
    """
    if mandate.cash_max is not None:
        return max(mandate.cash_max, mandate.cash_floor)
    return max(cash0, mandate.cash_floor)


def _budget(m: Mandate, a: Account) -> float | None:
    return m.max_realized_gain


LIMITS: tuple[Limit, ...] = (
    Limit("max_te", "tracking error cap", tracking_error, lambda m, a: m.max_te, relax=("max_te",)),
    Limit(
        "max_turnover",
        "turnover cap",
        turnover,
        lambda m, a: m.max_turnover,
        relax=("max_turnover",),
    ),
    Limit(
        "max_megacap",
        "megacap cap",
        megacap,
        lambda m, a: m.megacap_cap,
        relax=("max_megacap", "megacap_target"),
    ),
    Limit(
        "max_company",
        "single-company cap",
        largest_company,
        lambda m, a: m.max_company,
        vector=company,
    ),
    Limit("sector_band", "sector band", sector_gap, lambda m, a: m.sector_band, vector=sector_gaps),
    Limit(
        "max_realized_gain",
        "realised-gain budget",
        realized_gain,
        _budget,
        relax=("max_realized_gain",),
        unit="money",
    ),
    Limit(
        "max_tax",
        "tax budget",
        estimated_tax,
        lambda m, a: m.max_tax,
        relax=("max_tax",),
        unit="money",
    ),
    Limit(
        "asset_mix",
        "asset mix",
        asset_mix_gap,
        lambda m, a: a.mix_tolerance if m.asset_mix else None,
        vector=asset_mix_gaps,
    ),
    Limit(
        "sleeve_mix",
        "sleeve mix",
        sleeve_mix_gap,
        lambda m, a: a.sleeve_slack if a.sleeve_mix is not None else None,
    ),
    Limit("cash_floor", "cash floor", cash, lambda m, a: m.cash_floor, floor=True),
    Limit(
        "cash_max",
        "cash maximum (no cash raised)",
        cash,
        lambda m, a: cash_cap(m, a.cash0) + a.cash_slack,
    ),
    Limit(
        "bounds",
        "position bounds (hold, restrict, sleeves, positions)",
        bounds_excess,
        lambda m, a: 0.0,
    ),  # fmt: skip
)
BY_NAME = {limit.name: limit for limit in LIMITS}
#: Limits the optimizer builds as constraints only when a mandate sets them (the sleeve mix is
#: stated by equalities in the optimizer, and checked as a limit on whole shares).
OPTIONAL = ("max_te", "max_turnover", "max_megacap", "max_company", "sector_band",
            "max_realized_gain", "max_tax", "asset_mix")  # fmt: skip
LABELS = {limit.name: limit.label for limit in LIMITS}


def active_limits(mandate: Mandate) -> frozenset[str]:
    """The optional limits a mandate sets, plus per-asset ``lower``/``upper`` bounds it needs."""
    on = {name for name in OPTIONAL if BY_NAME[name].bound(mandate, _NO_ACCOUNT) is not None}
    if mandate.hold or mandate.sleeve_min:
        on.add("lower")
    if mandate.restrict or mandate.sleeve_max or mandate.max_position is not None:
        on.add("upper")
    if mandate.sleeve_mix != "free":  # a stated mix (equal shares by default): only sleeves bought
        on |= {"sleeve_mix", "upper"}
    return frozenset(on)


class _NoAccount:
    cash0 = 0.0
    total_value = 1.0
    cash_slack = 0.0
    mix_tolerance = 0.0
    sleeve_slack = 0.0
    sleeve_mix = None


_NO_ACCOUNT: Any = _NoAccount()


def check_all(p: Point, account: Account, mandate: Mandate) -> dict[str, dict[str, Any]]:
    """Every limit the mandate sets (and the cash, bounds and long-only rules) checked at ``p``."""
    out = {}
    for limit in LIMITS:
        c = limit.check(p, account, mandate)
        if c is not None:
            if limit.name == "bounds":
                c["binding"] = False
            out[limit.name] = c
    low = float(np.min(p.w, initial=0.0))
    out["long_only"] = {"value": -low, "limit": 0.0, "holds": bool(low >= -TOL), "binding": False}
    return out


def excesses(p: Point, account: Account, mandate: Mandate) -> dict[str, float]:
    """Each broken limit's excess at numpy point ``p``, fractions of the account (empty: all
    hold)."""
    out = {limit.name: limit.excess(p, account, mandate) for limit in LIMITS}
    return {k: v for k, v in out.items() if v > 0}
