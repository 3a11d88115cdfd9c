"""Look-through: from position weights to exposure to each underlying security.

A stock held directly is its own exposure. A fund with known holdings contributes its weight times
each constituent's weight; the part of the fund the snapshot cannot see (cash, derivatives,
unmapped lines) is kept as the fund's *unseen* part. A fund without holdings in the snapshot is
unseen as a whole; a fund whose holdings are **estimated** from its returns
(:mod:`advisor.data.style`) shows them for concentration. Everything is linear in the position
weights, so the optimizer uses the same matrices.

Each holding is *modelled* by a snapshot security (:class:`Model`): itself; an index mutual fund
by its ETF twin; an individual bond by a bond fund of its kind and maturity; an option by its
underlying, scaled by its delta-equivalent exposure per unit of its value.

Two matrices: the **look-through** (concentration: companies, sectors, megacaps) and the
**risk** one (risk-model rows per unit of each holding). They differ where the risk model has no
row for a constituent (a foreign company inside an international fund: its weight is modelled
by the fund's own returns, with the unseen part) and for estimated look-throughs (the fund's own
returns model it better than a mix of other funds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.market.snapshot import Market


@dataclass(frozen=True)
class Model:
    """How a holding is modelled: the snapshot security ``ticker`` standing for it, ``scale``
    units of exposure per unit of the holding's value, and ``how`` in words ("" for itself)."""

    ticker: str
    scale: float = 1.0
    how: str = ""


def models_of(
    holdings: pd.Index, market: Market, given: Mapping[str, Model] | None = None
) -> dict[str, Model]:
    """The model of each holding: ``given`` ones, ETF twins, else the holding itself."""
    out = {}
    for h in holdings:
        if given and h in given:
            out[h] = given[h]
            continue
        twin = market.twin_of(h)
        out[h] = Model(twin, 1.0, f"modelled as its ETF twin {twin}") if twin else Model(h)
    return out


@dataclass(frozen=True, eq=False)
class LookThrough:
    """Exposures of a portfolio, all fractions of the portfolio's total value.

    Attributes
    ----------
    matrix : DataFrame
        Security (rows, stocks) x holding (columns): weight of the security per unit of the
        holding. Direct stocks have a 1 on their own row.
    securities : Series
        Exposure to each stock, direct and through funds (index: ticker).
    unseen : Series
        Per fund holding, the portfolio weight the snapshot cannot see through.
    by_holding : DataFrame
        Long table: holding, ticker, weight (the exposure each holding brings).
    unseen_unit : Series
        Per holding, the unseen share of one unit.
    models : dict
        Holding -> :class:`Model`.
    """

    matrix: pd.DataFrame
    securities: pd.Series
    unseen: pd.Series
    by_holding: pd.DataFrame
    unseen_unit: pd.Series
    market: Market
    models: dict[str, Model] = field(default_factory=dict)

    def risk_matrix(self) -> pd.DataFrame:
        """Risk-model security x holding matrix (see :func:`unit_risk_matrix`), computed once."""
        if "_risk" not in self.__dict__:
            risk = unit_risk_matrix(self.matrix, self.unseen_unit, self.market, self.models)
            object.__setattr__(self, "_risk", risk)
        return self.__dict__["_risk"]

    def part(self, weights: pd.Series) -> LookThrough:
        """The look-through of some of the holdings, with new weights (the matrix is reused)."""
        cols = weights.index
        matrix = self.matrix[cols]
        matrix = matrix[(matrix != 0).any(axis=1)]
        models = {h: self.models[h] for h in cols if h in self.models}
        return _assemble(matrix, self.unseen_unit[cols], weights, self.market, models)


def lookthrough_matrix(
    holdings: pd.Index, market: Market, models: Mapping[str, Model] | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Security x holding look-through matrix and each holding's unseen share (per unit).

    Funds with look-through map to their constituents; other funds are wholly unseen; stocks map
    to themselves; a holding modelled by another security takes that security's column, scaled.
    Built from one long (security, holding, weight) table filled into a numpy array. Rows are
    sorted by ticker.
    """
    models = models_of(holdings, market, models)
    is_etf = market.securities["is_etf"]
    parts: list[tuple[np.ndarray, int, np.ndarray]] = []
    unseen = np.zeros(len(holdings))
    for j, h in enumerate(holdings):
        m = models[h]
        if market.has_lookthrough(m.ticker):
            w = market.constituents(m.ticker)
            parts.append((w.index.to_numpy(), j, m.scale * w.to_numpy(dtype=float)))
            unseen[j] = m.scale * max(0.0, 1.0 - float(w.sum()))
        elif bool(is_etf.get(m.ticker, False)):
            unseen[j] = m.scale
        else:
            parts.append((np.array([m.ticker], dtype=object), j, np.full(1, m.scale)))
    names = np.concatenate([t for t, _, _ in parts]) if parts else np.array([], dtype=object)
    cols = np.concatenate([np.full(len(t), j) for t, j, _ in parts]) if parts else np.array([], int)
    weights = np.concatenate([w for _, _, w in parts]) if parts else np.array([])
    codes, rows = pd.factorize(names, sort=True)
    matrix = np.zeros((len(rows), len(holdings)))
    np.add.at(matrix, (codes, cols), weights)
    frame = pd.DataFrame(matrix, index=pd.Index(rows, dtype=object), columns=holdings)
    return frame, pd.Series(unseen, index=holdings)


def unit_risk_matrix(
    matrix: pd.DataFrame,
    unseen_unit: pd.Series,
    market: Market,
    models: Mapping[str, Model] | None = None,
) -> pd.DataFrame:
    """Risk-model security x holding: each holding as risk-model weights per unit.

    Seen constituents with a risk-model row are themselves; the fund's unseen share, and its
    constituents without a row (foreign companies), are represented by the fund itself (its own
    factor exposures and specific risk, estimated from its return history). A fund whose
    look-through is estimated is its own row entirely.
    """
    models = models_of(matrix.columns, market, models)
    has_row = matrix.index.isin(list(market.risk_rows)) if len(matrix) else np.zeros(0, bool)
    own = unseen_unit.to_numpy() + matrix.to_numpy()[~has_row].sum(axis=0)
    estimated = np.array(
        [market.lookthrough_method(models[h].ticker) == "estimated" for h in matrix.columns],
        dtype=bool,
    )
    tickers = [models[h].ticker for h in matrix.columns]
    rows = matrix.index[has_row].union(pd.Index(tickers, dtype=object).unique())
    out = np.zeros((len(rows), len(matrix.columns)))
    out[rows.get_indexer(matrix.index[has_row])] = matrix.to_numpy()[has_row]
    at = rows.get_indexer(tickers)
    j = np.arange(len(tickers))
    out[:, estimated] = 0.0
    scale = np.array([models[h].scale for h in matrix.columns])
    np.add.at(out, (at, j), np.where(estimated, scale, own))
    frame = pd.DataFrame(out, index=rows, columns=matrix.columns)
    return frame[(frame != 0).any(axis=1)]


def unit_vector(ticker: str, market: Market) -> pd.Series:
    """Risk-model weights of one unit of a security (a fund through its look-through)."""
    mat, unseen = lookthrough_matrix(pd.Index([ticker]), market)
    col = unit_risk_matrix(mat, unseen, market)[ticker]
    return col[col != 0]


def look_through(
    weights: pd.Series, market: Market, models: Mapping[str, Model] | None = None
) -> LookThrough:
    """Exposures of a portfolio given its position weights (fractions of total value)."""
    models = models_of(weights.index, market, models)
    matrix, unseen_unit = lookthrough_matrix(weights.index, market, models)
    return _assemble(matrix, unseen_unit, weights, market, models)


def _assemble(matrix: pd.DataFrame, unseen_unit: pd.Series, weights: pd.Series, market: Market,
              models: dict[str, Model]) -> LookThrough:  # fmt: skip
    w = weights.reindex(matrix.columns).to_numpy()
    exposure = matrix.to_numpy() * w  # security x holding
    securities = pd.Series(exposure.sum(axis=1), index=matrix.index)
    securities = securities[securities != 0].sort_values(ascending=False)
    i, j = np.nonzero(exposure)
    by_holding = pd.DataFrame(
        {"holding": matrix.columns[j], "ticker": matrix.index[i], "weight": exposure[i, j]}
    )
    unseen = (unseen_unit * weights)[unseen_unit > 0]
    return LookThrough(
        matrix=matrix,
        securities=securities,
        unseen=unseen,
        by_holding=by_holding,
        unseen_unit=unseen_unit,
        market=market,
        models=models,
    )


def risk_vector(lt: LookThrough, weights: pd.Series) -> pd.Series:
    """The portfolio as weights over risk-model securities (cash has no risk)."""
    v = lt.risk_matrix() @ weights.reindex(lt.matrix.columns)
    return v[v != 0]
