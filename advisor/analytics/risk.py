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


def _euler_sums(contrib: np.ndarray, labels: pd.Series, missing: str) -> pd.Series:
    """Contributions summed by label (a missing label counts as ``missing``)."""
    return pd.Series(contrib).groupby(labels.fillna(missing).to_numpy()).sum()


def _holding_contributions(cols: pd.DataFrame, weights: pd.Series, sa: np.ndarray, bsa: float,
                           scale: float) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """Euler contributions per holding, ``w_h L_h' Sigma a / TE`` with the benchmark's
    ``-b' Sigma a / TE``; and per active holding, ``w_h (L_h - b)' Sigma a / TE`` with cash's
    ``-(1 - sum w) b' Sigma a / TE`` (cash is a short position in the benchmark). ``cols``:
    each holding's risk vector on the rows of ``sa`` (``Sigma a``); ``scale``: 1 / TE."""
    hw = weights.reindex(cols.columns).to_numpy()
    per_unit = cols.to_numpy().T @ sa
    by_holding = pd.Series(per_unit * hw * scale, index=cols.columns)
    by_holding["benchmark"] = -bsa * scale
    by_active = pd.Series(hw * (per_unit - bsa) * scale, index=cols.columns)
    cash = 1.0 - float(np.nansum(hw))
    if abs(cash) > 1e-12:
        by_active[CASH] = -cash * bsa * scale
    return by_holding, by_active


def measure(
    model: RiskModel,
    w: pd.Series,
    b: pd.Series,
    holding_columns: pd.DataFrame,
    holding_weights: pd.Series,
    groups: pd.Series,
    sectors: pd.Series,
    bench: BenchmarkRisk | None = None,
) -> Risk:
    """All risk figures of risk vector ``w`` against benchmark vector ``b``.

    With ``a = w - b`` and ``Sigma = B F B' + D``: TE is ``sqrt(a' Sigma a)`` (factor part
    ``(B'a)' F (B'a)``, specific part ``sum d a^2``); the Euler contributions are ``a_i (Sigma
    a)_i / TE``, per security, per holding (``w_h L_h' Sigma a / TE``) and per active holding.
    Everything is computed on the rows ``w`` and ``b`` touch, never over the whole model.

    Parameters
    ----------
    holding_columns : DataFrame
        Risk-model security x holding: each holding's risk vector per unit of weight.
    holding_weights : Series
        Weight of each holding (fractions of total value).
    groups, sectors : Series
        Label per risk-model security for the group and sector breakdowns.
    bench : BenchmarkRisk, optional
        ``b``'s rows, ``B'b`` and ``Sigma b``, when already computed (they do not depend on ``w``).
    """
    bench = bench or benchmark_risk(model, b)
    index = model.exposures.index
    B = model.exposures.to_numpy()
    F = model.factor_cov.to_numpy()
    d = model.specific_var.to_numpy()
    w_rows = index.get_indexer(w.index)
    w_ok = w_rows >= 0
    w_rows, w_vals = w_rows[w_ok], w.to_numpy()[w_ok]
    # the active vector over the rows either side touches, as positions in the model
    col_rows = index.get_indexer(holding_columns.index)
    rows = np.union1d(np.union1d(w_rows, bench.rows), col_rows[col_rows >= 0])
    a = np.zeros(len(rows))
    a[np.searchsorted(rows, w_rows)] += w_vals
    a[np.searchsorted(rows, bench.rows)] -= bench.values
    Bw = B[w_rows].T @ w_vals
    Ba = Bw - bench.exposures
    factor_var = float(Ba @ F @ Ba)
    specific_var = float(d[rows] @ (a * a))
    te = float(np.sqrt(max(factor_var + specific_var, 0.0)))
    fa = F @ Ba
    sa = B[rows] @ fa + d[rows] * a  # (Sigma a) on those rows
    var_w = float(Bw @ F @ Bw + d[w_rows] @ (w_vals * w_vals))
    var_b = bench.variance
    beta = float(w_vals @ bench.covariance[w_rows]) / var_b if var_b > 0 else float("nan")
    bsa = float(bench.values @ sa[np.searchsorted(rows, bench.rows)])
    scale = 1.0 / te if te > 0 else 0.0
    cols = holding_columns.reindex(index=index[rows], fill_value=0.0)
    by_holding, by_active = _holding_contributions(cols, holding_weights, sa, bsa, scale)
    nz = a != 0
    per_sec = a[nz] * sa[nz] * scale
    names = index[rows[nz]]
    by_group = _euler_sums(per_sec, groups.reindex(names), "other")
    by_sector = _euler_sums(per_sec, sectors.reindex(names), "Unknown")
    exposures = pd.DataFrame(
        {"portfolio": Bw, "benchmark": bench.exposures}, index=model.exposures.columns
    )
    exposures["active"] = exposures["portfolio"] - exposures["benchmark"]
    return Risk(
        volatility=float(np.sqrt(max(var_w, 0.0))),
        benchmark_volatility=float(np.sqrt(max(var_b, 0.0))),
        beta=beta,
        tracking_error=te,
        factor_te=float(np.sqrt(max(factor_var, 0.0))),
        specific_te=float(np.sqrt(max(specific_var, 0.0))),
        te_by_holding=by_holding.sort_values(ascending=False),
        te_by_group=in_order(by_group, GROUP_ORDER),
        te_by_sector=in_order(by_sector, SECTOR_ORDER),
        active_exposures=exposures,
        te_by_active_holding=by_active.sort_values(ascending=False),
    )


@dataclass(frozen=True, eq=False)
class BenchmarkRisk:
    """A benchmark's side of :func:`measure`: its risk-model ``rows`` (positions) and weights
    ``values``, ``exposures`` ``B'b``, ``covariance`` ``Sigma b`` over every row, ``variance``."""

    rows: np.ndarray
    values: np.ndarray
    exposures: np.ndarray
    covariance: np.ndarray
    variance: float


def benchmark_risk(model: RiskModel, b: pd.Series) -> BenchmarkRisk:
    """The :class:`BenchmarkRisk` of weights ``b`` (names the model has no row for carry no risk)."""
    rows = model.exposures.index.get_indexer(b.index)
    ok = rows >= 0
    rows, values = rows[ok], b.to_numpy()[ok]
    order = np.argsort(rows)
    rows, values = rows[order], values[order]
    B = model.exposures.to_numpy()
    exposures = B[rows].T @ values
    covariance = B @ (model.factor_cov.to_numpy() @ exposures)
    covariance[rows] += model.specific_var.to_numpy()[rows] * values
    return BenchmarkRisk(rows, values, exposures, covariance, float(values @ covariance[rows]))


def mix_risk(parts: list[BenchmarkRisk], coefficients: list[float]) -> BenchmarkRisk:
    """The :class:`BenchmarkRisk` of ``sum_k c_k b_k`` from those of the ``b_k`` (linear in the
    weights, but for the variance, computed from the mixed vectors)."""
    rows = np.unique(np.concatenate([p.rows for p in parts]))
    values = np.zeros(len(rows))
    exposures = np.zeros_like(parts[0].exposures)
    covariance = np.zeros_like(parts[0].covariance)
    for p, c in zip(parts, coefficients, strict=True):
        values[np.searchsorted(rows, p.rows)] += c * p.values
        exposures += c * p.exposures
        covariance += c * p.covariance
    return BenchmarkRisk(rows, values, exposures, covariance, float(values @ covariance[rows]))
