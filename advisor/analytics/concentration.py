"""Concentration figures on look-through exposures: megacaps, top 10, HHI, sectors, size, style.

All inputs and outputs are fractions of the portfolio's total value unless stated. Functions take
pandas Series indexed by ticker or company and align by label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor.units import json_number as _num

# -- the one order of every group, in tables, JSON dicts and CSV -------------------------------
#: GICS sectors in sector-code order (10 Energy ... 60 Real Estate).
GICS_SECTORS = (
    "Energy",
    "Materials",
    "Industrials",
    "Consumer Discretionary",
    "Consumer Staples",
    "Health Care",
    "Financials",
    "Information Technology",
    "Communication Services",
    "Utilities",
    "Real Estate",
)
UNKNOWN_SECTOR = "Unknown"  # a stock the data gives no sector
CASH = "Cash"
UNSEEN_SECTOR = "Unseen (fund remainder)"  # the part of a fund the look-through cannot see
#: Sectors, then names without one, cash, and the unseen remainder of funds.
SECTOR_ORDER = (*GICS_SECTORS, UNKNOWN_SECTOR, CASH, UNSEEN_SECTOR)
#: Size buckets, largest first (micro: US stocks outside the Russell 1000/2000 and S&P 1500;
#: unknown: foreign companies, international stocks and other listings), then cash and the
#: unseen fund remainder.
SIZE_ORDER = ("mega", "large", "mid", "small", "micro", "unknown", "cash", "unseen")
#: Style terciles from growth to value, names without a score, cash, unseen.
STYLE_ORDER = ("growth", "blend", "value", "unscored", "cash", "unseen")
#: Look-through groups of the tracking-error and scenario breakdowns.
MEGACAPS, OTHER_STOCKS, UNSEEN_GROUP = "megacaps", "other stocks", "unseen fund parts"
GROUP_ORDER = (MEGACAPS, OTHER_STOCKS, UNSEEN_GROUP)


def in_order(obj: pd.Series | pd.DataFrame, order: tuple[str, ...]) -> Any:
    """``obj`` with its index in ``order``; labels not in ``order`` follow, sorted by name."""
    known = [k for k in order if k in obj.index]
    rest = sorted((k for k in obj.index if k not in order), key=str)
    return obj.reindex([*known, *rest])


def ordered_table(
    portfolio: pd.Series, benchmark: pd.Series, order: tuple[str, ...]
) -> pd.DataFrame:
    """``in_order(side_by_side(portfolio, benchmark), order)`` for a handful of groups (sectors,
    sizes, styles), without pandas alignment: an analysis makes a dozen such tables."""
    p, b = portfolio.to_dict(), benchmark.to_dict()
    labels = set(p) | set(b)
    ordered = [k for k in order if k in labels]
    ordered += sorted((k for k in labels if k not in order), key=str)
    weight = np.array([p.get(k, 0.0) for k in ordered], dtype=float)
    bench = np.array([b.get(k, 0.0) for k in ordered], dtype=float)
    return pd.DataFrame(
        {"weight": weight, "benchmark_weight": bench, "active": weight - bench},
        index=pd.Index(ordered, dtype=object),
    )


def sum_by(labels: np.ndarray, weights: np.ndarray) -> pd.Series:
    """``weights`` summed by label (text labels), labels sorted (as ``groupby(...).sum()``)."""
    if len(labels) == 0:
        return pd.Series(dtype=float)
    keys, inverse = np.unique(labels, return_inverse=True)
    return pd.Series(np.bincount(inverse, weights=weights), index=pd.Index(keys, dtype=object))


def by_company(weights: pd.Series, company: pd.Series) -> pd.Series:
    """Sum security weights by company id (GOOGL + GOOG -> Alphabet), largest first."""
    return weights.groupby(company.reindex(weights.index)).sum().sort_values(ascending=False)


def hhi(weights: pd.Series) -> float:
    """Herfindahl-Hirschman index of weights normalised to sum to 1 (1/N .. 1)."""
    total = float(weights.sum())
    if total <= 0:
        return float("nan")
    s = weights / total
    return float((s**2).sum())


def effective_n(weights: pd.Series) -> float:
    """Effective number of companies, ``1 / HHI``."""
    h = hhi(weights)
    return 1.0 / h if h > 0 else float("nan")


def top_n(weights: pd.Series, n: int = 10) -> float:
    """Sum of the ``n`` largest weights."""
    return float(np.sort(weights.to_numpy())[::-1][:n].sum())


def active_share(portfolio: pd.Series, benchmark: pd.Series) -> float:
    """``0.5 * sum |w_p - w_b|`` over the union of names (cash and unseen lines included)."""
    p, b = align(portfolio, benchmark)
    return float(0.5 * np.abs(p.to_numpy() - b.to_numpy()).sum())


def align(portfolio: pd.Series, benchmark: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Both Series over the union of their labels (the benchmark's, then the portfolio's
    others), 0 where one has none.

    The same as ``portfolio.align(benchmark, fill_value=0.0)`` for unique labels, several
    times faster for a few holdings against a benchmark of hundreds of companies.
    """
    if not (portfolio.index.is_unique and benchmark.index.is_unique):
        return portfolio.align(benchmark, fill_value=0.0)
    # the benchmark's hash table, not Index.isin: with pandas' Arrow-backed text, isin turns each
    # of the benchmark's labels into an Arrow scalar in Python (4 ms a call under cProfile, S&P 500)
    extra = portfolio.index[benchmark.index.get_indexer(portfolio.index) < 0]
    union = benchmark.index.append(extra) if len(extra) else benchmark.index
    return portfolio.reindex(union, fill_value=0.0), benchmark.reindex(union, fill_value=0.0)


def style_bucket(score: pd.Series) -> pd.Series:
    """Growth / blend / value terciles of the value score (-1..+1); 'unscored' where missing."""
    out = pd.Series("blend", index=score.index, dtype=object)
    out[score <= -1 / 3] = "growth"
    out[score >= 1 / 3] = "value"
    out[score.isna()] = "unscored"
    return out


def weighted_score(weights: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """Weight-averaged score over the names that have one (NaN: none) and the weight of those
    names (not a fraction: a blend of benchmarks adds them up)."""
    scored = ~np.isnan(score)
    covered = float(weights[scored].sum())
    if covered <= 0:
        return float("nan"), 0.0
    return float((weights[scored] * score[scored]).sum() / covered), covered


@dataclass(frozen=True, eq=False)
class Concentration:
    """Concentration of a portfolio next to its benchmark (fractions of total value).

    ``hhi`` and ``effective_n`` are over the look-through company weights renormalised to the
    seen part of the portfolio (cash and unseen fund parts are not companies).
    """

    megacap_weight: float
    benchmark_megacap_weight: float
    megacaps: pd.Series  # company label -> weight, portfolio
    benchmark_megacaps: pd.Series
    top10_weight: float
    benchmark_top10_weight: float
    hhi: float
    benchmark_hhi: float
    effective_n: float
    benchmark_effective_n: float
    max_company: str
    max_company_weight: float
    companies: pd.Series  # company label -> weight
    active_share: float
    sectors: pd.DataFrame  # index sector; columns weight, benchmark_weight
    sizes: pd.DataFrame  # index size bucket; columns weight, benchmark_weight
    styles: pd.DataFrame  # index growth/blend/value/unscored; columns weight, benchmark_weight
    value_score: float
    value_score_coverage: float
    benchmark_value_score: float

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready fractions (the ``concentration`` block of ``analyze``)."""
        out: dict[str, Any] = {
            "megacap_weight": _num(self.megacap_weight),
            "benchmark_megacap_weight": _num(self.benchmark_megacap_weight),
            "megacaps": {
                str(t): {
                    "weight": _num(self.megacaps[t]),
                    "benchmark_weight": _num(self.benchmark_megacaps[t]),
                }
                for t in self.megacaps.index
            },
        }
        for key in ("top10_weight", "benchmark_top10_weight", "hhi", "benchmark_hhi",
                    "effective_n", "benchmark_effective_n"):  # fmt: skip
            out[key] = _num(getattr(self, key))
        out["max_company"] = self.max_company
        out["max_company_weight"] = _num(self.max_company_weight)
        out["active_share"] = _num(self.active_share)
        for key in ("sectors", "sizes", "styles"):
            out[key] = {
                str(k): {
                    "weight": _num(r["weight"]),
                    "benchmark_weight": _num(r["benchmark_weight"]),
                }
                for k, r in getattr(self, key).iterrows()
            }
        for key in ("value_score", "value_score_coverage", "benchmark_value_score"):
            out[key] = _num(getattr(self, key))
        return out

    def __post_init__(self) -> None:
        for name in ("megacap_weight", "top10_weight", "max_company_weight", "active_share"):
            v = getattr(self, name)
            if not (np.isnan(v) or -1e-9 <= v <= 1 + 1e-9):
                raise ValueError(f"{name}={v} is not a fraction")


def side_by_side(portfolio: pd.Series, benchmark: pd.Series) -> pd.DataFrame:
    """Two weight Series as a table with columns weight, benchmark_weight, active; largest
    benchmark weight first (ties in label order)."""
    p, b = align(portfolio, benchmark)
    out = pd.DataFrame({"weight": p.to_numpy(), "benchmark_weight": b.to_numpy()}, index=p.index)
    out["active"] = out["weight"] - out["benchmark_weight"]
    return out.sort_values("benchmark_weight", ascending=False, kind="stable")
