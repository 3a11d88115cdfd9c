"""The data of a rebalance problem: the assets' matrices (:class:`ProblemData`) and one account's
inputs (:class:`Account`), as numpy arrays in the order of the assets.

Decision: weights ``w`` of the account's holdings and the sleeve funds (fractions of total value)
and cash ``c``. Everything the mandate limits is linear or second-order-cone in ``w`` *through the
funds*: look-through exposure ``x = L w``, risk-model weights ``R w`` (stocks, and the unseen parts
of funds represented by the fund itself), tracking error in factor form
(:class:`~advisor.analytics.risk.ActiveRisk`, never an n x n matrix), megacap weight ``m' w``,
company weights ``C w`` and sector weights ``S w``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from advisor.analytics.risk import ActiveRisk, active_risk
from advisor.market.lookthrough import Model, lookthrough_matrix, unit_risk_matrix
from advisor.market.snapshot import Market
from advisor.optimize.pieces import DEFAULT_LONG_RATE, Pieces

if TYPE_CHECKING:
    import scipy.sparse as sp


@dataclass(frozen=True, eq=False)
class ProblemData:
    """The fixed matrices of a rebalance problem over a list of assets (holdings + sleeves).

    Vectors are numpy arrays in the order of ``assets``; matrices map asset weights to the named
    quantity. Built by :func:`problem_data`; independent of any one account's weights.
    """

    assets: pd.Index
    active: ActiveRisk  # tracking error of asset weights against the benchmark
    mega: np.ndarray  # n: megacap look-through weight per unit
    C: sp.csr_matrix  # companies x n
    companies: pd.Index
    S: np.ndarray  # sectors x n
    sectors: pd.Index
    b_sector: np.ndarray  # the benchmark's sector weights less the fixed holdings' own
    is_stock: np.ndarray  # n bool
    mega0: float = 0.0  # megacap weight of the fixed holdings
    c0: np.ndarray | None = None  # company weights of the fixed holdings (aligned with companies)
    budget: float = 1.0  # what the assets and cash share: 1 less the fixed holdings' weight
    fixed: pd.Series | None = None  # weights of holdings that are not traded (by ticker)
    sleeve: np.ndarray | None = None  # n bool: the sleeve funds
    classes: np.ndarray | None = None  # asset classes x n: 1 where an asset is of the class
    class_names: tuple[str, ...] = ()
    class_fixed: np.ndarray | None = None  # the fixed holdings' weight in each class


@dataclass(frozen=True, eq=False)
class Account:
    """One account's inputs to the problem, aligned with ``ProblemData.assets``.

    ``lo``/``hi`` are per-asset weight bounds (hold: ``lo = w0``; restrict: ``hi = w0``; sleeve
    and position limits); ``gain_rate`` is realised gain per unit of weight sold (>= 0).
    ``cash_slack`` widens the no-raise cash cap for whole shares: cash left over that is less than
    one share of the dearest sleeve fund (0 for the continuous problem).
    """

    w0: np.ndarray
    cash0: float
    lo: np.ndarray
    hi: np.ndarray
    gain_rate: np.ndarray
    total_value: float
    cash_slack: float = 0.0
    class_target: np.ndarray | None = None  # the asset mix per data.class_names
    mix_tolerance: float = 0.0  # how far a class may be from its target (fraction)
    sleeve_mix: np.ndarray | None = None  # share of the sleeve money per asset (None: free)
    sleeve_slack: float = 0.0  # whole shares: money a sleeve may miss its share by (fraction)
    pieces: Pieces | None = None  # what sales draw from (lots per account); None: one per asset

    def sales(self) -> Pieces:
        """The pieces sales draw from: the lots given, else one piece per asset at its average
        basis, taxed at the default long-term rate."""
        if self.pieces is not None:
            return self.pieces
        gain = np.asarray(self.gain_rate, float)
        return Pieces.per_asset(self.w0, gain, DEFAULT_LONG_RATE * np.clip(gain, 0.0, None))


def problem_data(
    assets: list[str],
    market: Market,
    benchmark: pd.Series,
    megacaps: set[str],
    models: Mapping[str, Model] | None = None,
    fixed: pd.Series | None = None,
    sleeves: list[str] | None = None,
    classes: pd.Series | None = None,
) -> ProblemData:
    """Matrices of the problem over ``assets`` (holdings and sleeves; ``models`` say how holdings
    that are not snapshot securities themselves are modelled, as in the analysis).

    ``fixed`` holdings (weights by ticker; an individual bond, an option, and by default the
    holdings outside US equity) are not traded: their contribution is a constant of every
    measure (the benchmark less their risk vector, megacap and company weights added, sector
    targets less their sector weights) and the traded assets and cash share what they leave.
    ``sleeves`` name the sleeve funds (for a sleeve mix), ``classes`` the asset class of every
    asset and fixed holding (for an asset mix).
    """
    import scipy.sparse as sp  # here, not at import: see advisor/optimize/cvxpy_import.py

    fixed = pd.Series(dtype=float) if fixed is None else fixed[fixed != 0]
    index = pd.Index(assets)
    every = index.append(fixed.index.difference(index))
    matrix, unseen = lookthrough_matrix(every, market, models)
    risk = unit_risk_matrix(matrix, unseen, market, models)
    names = risk.index.union(benchmark.index)
    R = risk.reindex(names, fill_value=0.0)
    held = R[fixed.index] @ fixed if len(fixed) else pd.Series(0.0, index=names)
    company = market.company_of(matrix.index)
    C = matrix.groupby(company.to_numpy()).sum()
    sector = market.securities["sector"].reindex(matrix.index).fillna("Unknown")
    S = matrix.groupby(sector.to_numpy()).sum()
    b_sector = benchmark.groupby(
        market.securities["sector"].reindex(benchmark.index).fillna("Unknown")
    ).sum()
    S = S.reindex(S.index.union(b_sector.index), fill_value=0.0)
    mega = C.loc[C.index.isin(list(megacaps))].sum()
    f = fixed.reindex(every, fill_value=0.0)
    return ProblemData(
        assets=index,
        active=active_risk(
            market.risk,
            names,
            benchmark.reindex(names, fill_value=0.0) - held,
            sp.csr_matrix(R[index].to_numpy()),
        ),  # fmt: skip
        mega=mega.reindex(index).to_numpy(),
        C=sp.csr_matrix(C[index].to_numpy()),
        companies=C.index,
        S=S[index].to_numpy(),
        sectors=S.index,
        b_sector=(b_sector.reindex(S.index, fill_value=0.0) - S @ f).to_numpy(),
        is_stock=~market.securities["is_etf"].reindex(index).fillna(False).to_numpy(dtype=bool),
        mega0=float(mega @ f),
        c0=(C @ f).to_numpy(),
        budget=1.0 - float(fixed.sum()),
        fixed=fixed,
        sleeve=index.isin(sleeves or []),
        **_class_matrix(index, fixed, classes),
    )


def _class_matrix(index: pd.Index, fixed: pd.Series, classes: pd.Series | None) -> dict:
    """Asset classes x assets membership, and the fixed holdings' weight per class."""
    if classes is None:
        return {}
    names = tuple(dict.fromkeys(classes.reindex(index.append(fixed.index)).dropna()))
    K = np.array([[1.0 if classes.get(a) == c else 0.0 for a in index] for c in names])
    held = np.array([float(fixed[classes.reindex(fixed.index) == c].sum()) for c in names])
    return {"classes": K, "class_names": names, "class_fixed": held}
