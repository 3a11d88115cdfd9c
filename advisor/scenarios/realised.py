"""Returns of portfolios bought and held on actual daily closes, and their realised tracking
error: the evaluation half of the back-test (:mod:`advisor.scenarios.backtest`).

Closes are a wide frame (date x ticker, adjusted); weights are fractions of a portfolio's value,
indexed by ticker; tracking error is annualised with :data:`PERIODS_PER_YEAR` trading days.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from advisor.errors import DataError
from advisor.market.snapshot import BENCHMARK_NAME, Market

#: Trading days each portfolio is held after a date (12 months).
HORIZON_DAYS = 252
PERIODS_PER_YEAR = 252
#: The fund whose daily returns stand for the S&P 500's.
PROXY = {BENCHMARK_NAME: "SPY"}


def calendar(closes: pd.DataFrame) -> pd.DatetimeIndex:
    """Trading days: the days the S&P 500's proxy has a close."""
    return pd.DatetimeIndex(closes[PROXY[BENCHMARK_NAME]].dropna().index)


def window(
    days: pd.DatetimeIndex, start: pd.Timestamp, horizon: int = HORIZON_DAYS
) -> pd.DatetimeIndex:
    """``start`` and the ``horizon`` trading days after it (fewer at the data's end)."""
    i = days.get_loc(start)
    return days[i : i + horizon + 1]


def growth(closes: pd.DataFrame, names: Sequence[str], days: pd.DatetimeIndex) -> pd.DataFrame:
    """Gross return since ``days[0]`` of each name on each of ``days`` (a missing close carries
    the last one forward)."""
    px = closes.loc[: days[-1], list(names)].ffill().reindex(days)
    return px / px.iloc[0]


def hold(weights: pd.Series, cash: float, g: pd.DataFrame) -> pd.Series:
    """Value of a bought-and-held portfolio worth 1 at ``g``'s first day: ``cash + sum w_i g_i``
    (weights and cash fractions of the value; cash earns nothing)."""
    return cash + g[weights.index] @ weights


def fund_of(component: str) -> str:
    """The fund whose closes give a benchmark component's returns (SPY for the S&P 500)."""
    return PROXY.get(component, component)


def benchmark_returns(
    components: Sequence[tuple[str, float]], closes: pd.DataFrame, days: pd.DatetimeIndex
) -> pd.Series:
    """Daily returns of the benchmark over ``days[1:]``: its components' funds at fixed weights
    (rebalanced daily), the S&P 500 by SPY."""
    funds = {fund_of(c): w for c, w in components}
    missing = [f for f in funds if f not in closes.columns]
    if missing:
        raise DataError(f"no daily closes for the benchmark fund(s) {', '.join(missing)}")
    r = closes.loc[: days[-1], list(funds)].ffill().reindex(days).pct_change(fill_method=None)
    return (r.iloc[1:] @ pd.Series(funds)).rename("benchmark")


def _is_sp500(comps: Sequence[tuple[str, float]]) -> bool:
    return [c for c, _ in comps] == [BENCHMARK_NAME]


def model_benchmark_returns(
    market: Market, closes: pd.DataFrame, days: pd.DatetimeIndex
) -> pd.Series:
    """Daily returns over ``days[1:]`` of the risk model's own S&P 500 at ``market``'s date (its
    benchmark weights, bought and held): what the predicted TE is measured against. Against SPY
    it differs by survivorship and the carry of today's weights (``benchmark_carry_te``)."""
    w = market.benchmark[market.benchmark.index.isin(closes.columns)]
    value = hold(w / w.sum(), 0.0, growth(closes, list(w.index), days))
    return value.pct_change().iloc[1:].rename("model_benchmark")


def realised_te(active: pd.Series) -> float:
    """Annualised standard deviation (ddof 1) of daily active returns, a fraction."""
    return float(active.std(ddof=1) * np.sqrt(PERIODS_PER_YEAR))


def trailing_te(
    weights: pd.Series, closes: pd.DataFrame, days: pd.DatetimeIndex, rb: pd.Series
) -> float:
    """Realised TE over ``days`` of ``weights`` held fixed (rebalanced daily; cash earns nothing):
    the naive forecast. A name without a return on a day moves with the benchmark then."""
    r = closes.loc[: days[-1], list(weights.index)].reindex(days).pct_change(fill_method=None)
    r = r.iloc[1:].apply(lambda col: col.fillna(rb))
    return realised_te(r @ weights - rb)


__all__ = [
    "HORIZON_DAYS",
    "PROXY",
    "benchmark_returns",
    "calendar",
    "growth",
    "hold",
    "model_benchmark_returns",
    "realised_te",
    "trailing_te",
    "window",
]
