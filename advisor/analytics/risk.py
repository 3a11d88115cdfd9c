"""Ex-ante risk against a benchmark: volatility, beta, tracking error and its decomposition.

Vectors are weights over risk-model securities (fractions of total value); the covariance is the
snapshot's factor model, used in factor form. Every figure is annualised; tracking error is a
standard deviation, never a variance.

Decomposition (Euler): with active weights ``a`` and ``TE = sqrt(a' S a)``, the contribution of a
set ``G`` of securities is ``sum_{i in G} a_i (S a)_i / TE``; contributions over any partition add
up to ``TE``. By holding, the active vector is split into each holding's look-through column and
the benchmark (``-b``): ``c_h = w_h L_h' S a / TE`` and ``c_bench = -b' S a / TE``. Those two
parts are large and of opposite sign (every holding's market risk, then the benchmark's taken
back), so the reports use a second split, by *active position*: each holding against the same
amount of the benchmark, ``a = sum_h w_h (L_h - b) - (1 - sum_h w_h) b`` (the last term is cash,
a short position in the benchmark), giving ``c_h = w_h (L_h - b)' S a / TE`` and
``c_cash = -(1 - sum_h w_h) b' S a / TE``; a holding of the benchmark itself contributes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor.analytics.concentration import CASH, GROUP_ORDER, SECTOR_ORDER, in_order
from advisor.market.snapshot import RiskModel
from advisor.units import json_number as _num


@dataclass(frozen=True, eq=False)
class Risk:
    """Risk figures of a portfolio, annualised, fractions.

    Attributes
    ----------
    volatility, benchmark_volatility : float
        Standard deviations of return.
    beta : float
        ``cov(p, b) / var(b)``.
    tracking_error : float
        Standard deviation of active return ``p - b``.
    factor_te, specific_te : float
        ``sqrt`` of the factor and specific parts of ``TE^2`` (they add in squares).
    te_by_holding : Series
        Euler contributions per holding, plus a ``benchmark`` line; sums to ``tracking_error``.
    te_by_active_holding : Series
        Euler contributions of each holding's active position (the holding minus the same amount
        of the benchmark), plus a ``Cash`` line when the account holds cash; sums to TE.
    te_by_group : Series
        Euler contributions by group (megacaps, other stocks, unseen fund parts); sums to TE.
    te_by_sector : Series
        Euler contributions by sector of the security; sums to TE.
    active_exposures : DataFrame
        Factor exposures: portfolio, benchmark, active.
    """

    volatility: float
    benchmark_volatility: float
    beta: float
    tracking_error: float
    factor_te: float
    specific_te: float
    te_by_holding: pd.Series
    te_by_group: pd.Series
    te_by_sector: pd.Series
    active_exposures: pd.DataFrame
    te_by_active_holding: pd.Series

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready fractions (the ``risk`` block of ``analyze``)."""

        def series(s: pd.Series) -> dict[str, Any]:
            return {str(k): _num(v) for k, v in s.items()}

        return {
            "volatility": _num(self.volatility),
            "benchmark_volatility": _num(self.benchmark_volatility),
            "beta": _num(self.beta),
            "tracking_error": _num(self.tracking_error),
            "factor_tracking_error": _num(self.factor_te),
            "specific_tracking_error": _num(self.specific_te),
            "te_contributions": {
                "by_holding": series(self.te_by_holding),
                "by_active_holding": series(self.te_by_active_holding),
                "by_group": series(self.te_by_group),
                "by_sector": series(self.te_by_sector),
            },
            "factor_exposures": {
                str(f): {k: _num(v) for k, v in row.items()}
                for f, row in self.active_exposures.iterrows()
            },
        }

    def __post_init__(self) -> None:
        parts = (self.te_by_holding, self.te_by_active_holding, self.te_by_group, self.te_by_sector)
        for part in parts:
            if (
                len(part)
                and abs(float(part.sum()) - self.tracking_error) > 1e-9 + 1e-7 * self.tracking_error
            ):
                raise ValueError("tracking-error contributions do not add up to the total")


@dataclass(frozen=True, eq=False)
class ActiveRisk:
    """Tracking error as an affine form: ``TE(x) = || [G x - g ; H x - h] ||``.

    With the factor model ``S = B F B' + D`` and ``F = Q' Q`` (``Q`` the symmetric square root),
    active weights ``a = M x - b`` over risk-model securities (``M`` maps the decision ``x`` to
    securities: the identity for a portfolio given by security, the look-through matrix for one
    given by holding) give ``a' S a = ||Q B' a||^2 + ||sqrt(D) a||^2``; so ``G = Q B' M``,
    ``g = Q B' b``, ``H = sqrt(D) M`` and ``h = sqrt(D) b``. This is the one tracking-error formula
    of the package: :func:`measure`, the optimizer (on a cvxpy variable, the same expression it
    checks with numpy) and the hedges all use it.
    """

    G: np.ndarray  # k x n, dense
    g: np.ndarray  # k
    H: Any  # N x n, scipy sparse; or a 1-d array, the diagonal of a square H
    h: np.ndarray  # N

    def _specific(self, x: Any) -> Any:
        return self.H * x if isinstance(self.H, np.ndarray) and self.H.ndim == 1 else self.H @ x

    def terms(self, x: Any) -> Any:
        """The stacked vector whose Euclidean norm is the TE (numpy array or cvxpy expression)."""
        if isinstance(x, np.ndarray):
            return np.concatenate([self.G @ x - self.g, self._specific(x) - self.h])
        import cvxpy as cp  # only reached with a cvxpy expression, so cvxpy is loaded already

        return cp.hstack([self.G @ x - self.g, self._specific(x) - self.h])

    def te(self, x: Any) -> Any:
        """Tracking error of ``x``: a float for numpy, a cvxpy expression for a variable."""
        v = self.terms(x)
        if isinstance(v, np.ndarray):
            return float(np.sqrt(v @ v))
        import cvxpy as cp

        return cp.norm(v, 2)

    def parts(self, x: np.ndarray) -> tuple[float, float]:
        """(factor, specific) parts of the TE of ``x``; they add in squares."""
        f, s = self.G @ x - self.g, self._specific(x) - self.h
        return float(np.sqrt(f @ f)), float(np.sqrt(s @ s))


def active_risk(model: RiskModel, names: pd.Index, b: pd.Series, mapping: Any = None) -> ActiveRisk:
    """The :class:`ActiveRisk` form of ``model`` over securities ``names`` against ``b``.

    ``mapping`` (securities ``names`` x decision variables, sparse or dense) maps the decision to
    security weights; by default the decision is the security weights themselves.
    """
    B = model.exposures.reindex(names).fillna(0.0).to_numpy()
    sd = np.sqrt(model.specific_var.reindex(names).fillna(0.0).to_numpy())
    bv = b.reindex(names, fill_value=0.0).to_numpy()
    QB = model.factor_half @ B.T  # k x N
    if mapping is None:  # the decision is the security weights: H is diagonal (no scipy needed)
        return ActiveRisk(G=QB, g=QB @ bv, H=sd, h=sd * bv)
    import scipy.sparse as sp

    M = sp.csr_matrix(mapping)
    return ActiveRisk(G=np.asarray(M.T @ QB.T).T, g=QB @ bv, H=sp.diags(sd) @ M, h=sd * bv)


def euler(a: pd.Series, sa: pd.Series, te: float) -> pd.Series:
    """Per-security contributions ``a_i (S a)_i / TE`` (zero when TE is zero)."""
    if te <= 0:
        return pd.Series(0.0, index=a.index)
    return a * sa.reindex(a.index) / te


def _by_holding(
    columns: pd.DataFrame, weights: pd.Series, sa: pd.Series, b: pd.Series, te: float
) -> pd.Series:
    """Euler contributions per holding, ``w_h L_h' S a / TE``, and the benchmark's ``-b' S a / TE``."""
    cols = columns.reindex(index=sa.index, fill_value=0.0)
    if te <= 0:
        out = pd.Series(0.0, index=cols.columns)
        out["benchmark"] = 0.0
        return out
    out = (cols.T @ sa) * weights.reindex(cols.columns) / te
    out["benchmark"] = -float(b @ sa.reindex(b.index)) / te
    return out


def _by_active_holding(
    columns: pd.DataFrame, weights: pd.Series, sa: pd.Series, b: pd.Series, te: float
) -> pd.Series:
    """Euler contributions of each holding's active position, ``w_h (L_h - b)' S a / TE``, and of
    cash, ``-(1 - sum w) b' S a / TE`` (cash is a short position in the benchmark)."""
    cols = columns.reindex(index=sa.index, fill_value=0.0)
    w = weights.reindex(cols.columns)
    bsa = float(b @ sa.reindex(b.index))
    scale = 1.0 / te if te > 0 else 0.0
    out = w * ((cols.T @ sa) - bsa) * scale
    cash = 1.0 - float(w.sum())
    if abs(cash) > 1e-12:
        out[CASH] = -cash * bsa * scale
    return out


def measure(
    model: RiskModel,
    w: pd.Series,
    b: pd.Series,
    holding_columns: pd.DataFrame,
    holding_weights: pd.Series,
    groups: pd.Series,
    sectors: pd.Series,
) -> Risk:
    """All risk figures of risk vector ``w`` against benchmark vector ``b``.

    Parameters
    ----------
    holding_columns : DataFrame
        Risk-model security x holding: each holding's risk vector per unit of weight.
    holding_weights : Series
        Weight of each holding (fractions of total value).
    groups, sectors : Series
        Label per risk-model security for the group and sector breakdowns.
    """
    a = w.sub(b, fill_value=0.0)
    a = a[a != 0]
    names = w.index.union(b.index)
    x = w.reindex(names, fill_value=0.0).to_numpy()
    form = active_risk(model, names, b)
    te = form.te(x)
    factor_te, specific_te = form.parts(x)
    sa = model.covariance_times(a)  # S a, for the Euler contributions (they add up to te)
    sb = model.covariance_times(b)
    var_b = float(b @ sb.reindex(b.index))
    var_w = model.variance(w)
    beta = float(w @ sb.reindex(w.index).fillna(0.0)) / var_b if var_b > 0 else float("nan")
    B = model.exposures

    by_holding = _by_holding(holding_columns, holding_weights, sa, b, te)
    by_active = _by_active_holding(holding_columns, holding_weights, sa, b, te)
    per_sec = euler(a, sa, te)
    by_group = per_sec.groupby(groups.reindex(per_sec.index).fillna("other")).sum()
    by_sector = per_sec.groupby(sectors.reindex(per_sec.index).fillna("Unknown")).sum()
    exposures = pd.DataFrame(
        {
            "portfolio": B.reindex(w.index).T @ w,
            "benchmark": B.reindex(b.index).T @ b,
        }
    )
    exposures["active"] = exposures["portfolio"] - exposures["benchmark"]
    return Risk(
        volatility=float(np.sqrt(max(var_w, 0.0))),
        benchmark_volatility=float(np.sqrt(max(var_b, 0.0))),
        beta=beta,
        tracking_error=te,
        factor_te=factor_te,
        specific_te=specific_te,
        te_by_holding=by_holding.sort_values(ascending=False),
        te_by_group=in_order(by_group, GROUP_ORDER),
        te_by_sector=in_order(by_sector, SECTOR_ORDER),
        active_exposures=exposures,
        te_by_active_holding=by_active.sort_values(ascending=False),
    )
