"""Look-through: from position weights to exposure to each underlying security.

A stock held directly is its own exposure. A fund with known holdings contributes its weight times
each constituent's weight; the part of the fund the snapshot cannot see (cash, derivatives,
unmapped lines) is kept as the fund's *unseen* part. A fund without holdings in the snapshot is
unseen as a whole. Everything is linear in the position weights, so the optimizer can use the same
matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.market.snapshot import Market


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
    """

    matrix: pd.DataFrame
    securities: pd.Series
    unseen: pd.Series
    by_holding: pd.DataFrame
    unseen_unit: pd.Series

    def risk_matrix(self) -> pd.DataFrame:
        """Risk-model security x holding matrix (see :func:`unit_risk_matrix`)."""
        return unit_risk_matrix(self.matrix, self.unseen_unit)


def lookthrough_matrix(holdings: pd.Index, market: Market) -> tuple[pd.DataFrame, pd.Series]:
    """Security x holding look-through matrix and each holding's unseen share (per unit).

    Funds with look-through map to their constituents; other funds are wholly unseen; stocks map
    to themselves. Built from one long (security, holding, weight) table filled into a numpy
    array (a DataFrame of a dict of Series took 13x as long at 500 holdings). Rows are sorted by
    ticker.
    """
    is_etf = market.securities["is_etf"]
    parts: list[tuple[np.ndarray, int, np.ndarray]] = []
    unseen = np.zeros(len(holdings))
    for j, h in enumerate(holdings):
        if market.has_lookthrough(h):
            w = market.constituents(h)
            parts.append((w.index.to_numpy(), j, w.to_numpy(dtype=float)))
            unseen[j] = max(0.0, 1.0 - float(w.sum()))
        elif bool(is_etf.get(h, False)):
            unseen[j] = 1.0
        else:
            parts.append((np.array([h], dtype=object), j, np.ones(1)))
    names = np.concatenate([t for t, _, _ in parts]) if parts else np.array([], dtype=object)
    cols = np.concatenate([np.full(len(t), j) for t, j, _ in parts]) if parts else np.array([], int)
    weights = np.concatenate([w for _, _, w in parts]) if parts else np.array([])
    codes, rows = pd.factorize(names, sort=True)
    matrix = np.zeros((len(rows), len(holdings)))
    np.add.at(matrix, (codes, cols), weights)
    frame = pd.DataFrame(matrix, index=pd.Index(rows, dtype=object), columns=holdings)
    # constituents the risk model has no row for (foreign companies of international funds)
    frame.attrs["no_risk_row"] = frame.index.difference(market.risk.exposures.index)
    return frame, pd.Series(unseen, index=holdings)


def unit_risk_matrix(matrix: pd.DataFrame, unseen_unit: pd.Series) -> pd.DataFrame:
    """Risk-model security x holding: each holding as risk-model weights per unit.

    Seen constituents are stocks; a fund's unseen share is represented by the fund itself (its own
    factor exposures and specific risk, estimated from its return history). Constituents without
    a risk-model row (``matrix.attrs["no_risk_row"]``, set by :func:`lookthrough_matrix`: the
    foreign companies of international funds) fold into their fund's own row in the same way.
    """
    units = unseen_unit[unseen_unit > 0]
    missing = matrix.index.intersection(matrix.attrs.get("no_risk_row", pd.Index([])))
    if len(missing):
        folded = matrix.loc[missing].sum()
        units = units.add(folded[folded != 0], fill_value=0.0)
        matrix = matrix.drop(index=missing)
    extra = pd.DataFrame(0.0, index=units.index, columns=matrix.columns)
    for fund, u in units.items():
        extra.at[fund, fund] = u
    return matrix.add(extra, fill_value=0.0).fillna(0.0)


def unit_vector(ticker: str, market: Market) -> pd.Series:
    """Risk-model weights of one unit of a security (a fund through its look-through)."""
    mat, unseen = lookthrough_matrix(pd.Index([ticker]), market)
    col = unit_risk_matrix(mat, unseen)[ticker]
    return col[col != 0]


def look_through(weights: pd.Series, market: Market) -> LookThrough:
    """Exposures of a portfolio given its position weights (fractions of total value)."""
    matrix, unseen_unit = lookthrough_matrix(weights.index, market)
    securities = matrix @ weights
    securities = securities[securities != 0].sort_values(ascending=False)
    long = matrix.mul(weights, axis=1).stack()
    long = long[long != 0]
    by_holding = long.rename_axis(["ticker", "holding"]).rename("weight").reset_index()
    by_holding = by_holding[["holding", "ticker", "weight"]]
    unseen = (unseen_unit * weights)[unseen_unit > 0]
    return LookThrough(
        matrix=matrix,
        securities=securities,
        unseen=unseen,
        by_holding=by_holding,
        unseen_unit=unseen_unit,
    )


def risk_vector(lt: LookThrough, weights: pd.Series) -> pd.Series:
    """The portfolio as weights over risk-model securities (cash has no risk)."""
    v = lt.risk_matrix() @ weights.reindex(lt.matrix.columns)
    return v[v != 0]
