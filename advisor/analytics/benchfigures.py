"""A benchmark's own figures, computed once per snapshot and benchmark.

An analysis compares a portfolio with its benchmark: company weights, sectors, sizes, styles, the
value score, and the benchmark's risk (its covariance with every security, its variance, its factor
exposures). The benchmark's side does not depend on the portfolio, and computing it means going
over every security of the snapshot; it is computed here once and kept on the
:class:`~advisor.market.snapshot.Market` (``market.cached``), so that a book of accounts pays for
it once. The figures are the ones an analysis computed before this module existed (see
``tests/test_benchfigures.py``, which checks them against a plain recomputation).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.analytics import concentration as conc
from advisor.analytics.risk import BenchmarkRisk, benchmark_risk, mix_risk
from advisor.market.benchmark import Benchmark, fund_vector
from advisor.market.snapshot import Market


@dataclass(frozen=True, eq=False)
class BenchmarkFigures:
    """The benchmark side of an analysis (fractions of the benchmark, annualised risk).

    Attributes
    ----------
    weights : Series
        The benchmark's weights the figures are computed from.
    stocks : Series
        The benchmark's stock part by ticker (not renormalised).
    companies : Series
        Benchmark weight by company id, largest first.
    labels : DataFrame
        The benchmark's companies' labels, in the order of ``companies``: ``ticker``, the share
        class with the largest benchmark weight (GOOGL, not GOOG), and its ``name``. A company
        outside the benchmark is labelled by its first listing (:func:`first_listing`).
    sectors, sizes, styles : Series
        Benchmark weight by sector, size bucket and style tercile (with the funds' own rows of a
        blend as ``unseen``).
    extra : Series
        The funds' own rows of a blend, labelled ``"<fund> (unseen)"`` (for active share).
    value_score : float
        The benchmark's weighted value score.
    value_covered : float
        The weight of the stocks that have a value score.
    risk : BenchmarkRisk
        Its risk-model rows, ``B' b``, ``Sigma b`` and variance.
    """

    weights: pd.Series
    stocks: pd.Series
    companies: pd.Series
    labels: pd.DataFrame
    sectors: pd.Series
    sizes: pd.Series
    styles: pd.Series
    extra: pd.Series
    value_score: float
    risk: BenchmarkRisk
    value_covered: float = 0.0


def style_buckets(market: Market) -> pd.Series:
    """Every security's style tercile (growth, blend, value, unscored), once per snapshot."""
    return market.cached(
        "style_buckets", lambda: conc.style_bucket(market.securities["value_score"])
    )


#: Benchmarks whose figures a snapshot keeps (most recently used): an account's policy benchmark
#: is a blend of its own exact mix, so a book of accounts meets as many blends as accounts.
KEEP = 32


def benchmark_figures(bench: Benchmark, market: Market) -> BenchmarkFigures:
    """The figures of ``bench``, kept for the :data:`KEEP` benchmarks used last. A benchmark is
    known by its name and components, and its weights are checked to be the ones the figures
    were computed from. A blend of funds is computed from its funds' figures (each kept once
    per snapshot): the figures are linear in the weights."""
    kept: OrderedDict = market.cached("benchmark_figures", OrderedDict)
    key = (bench.name, bench.components)
    figures = kept.get(key)
    if figures is None:
        figures = _blend(bench, market) or _compute(bench, market)
        kept[key] = figures
        while len(kept) > KEEP:
            kept.popitem(last=False)
    kept.move_to_end(key)
    if figures.weights is bench.weights or figures.weights.equals(bench.weights):
        return figures
    return _compute(bench, market)  # a hand-made Benchmark of a known name: not kept


def _blend(bench: Benchmark, market: Market) -> BenchmarkFigures | None:
    """The figures of a blend from its funds' (None when ``bench`` is not a blend of funds)."""
    if len(bench.components) < 2:
        return None
    parts = [(_fund_figures(fund, market), weight) for fund, weight in bench.components]
    total = sum(weight * float(f.weights.sum()) for f, weight in parts)
    if not total > 0:
        return None
    c = [weight / total for _, weight in parts]
    figs = [f for f, _ in parts]
    stocks = _mix([f.stocks for f in figs], c)
    companies = _mix([f.companies for f in figs], c).sort_values(ascending=False)
    covered = sum(k * f.value_covered for k, f in zip(c, figs, strict=True))
    scored = sum(k * f.value_covered * f.value_score for k, f in zip(c, figs, strict=True)
                 if f.value_covered > 0)  # fmt: skip
    return BenchmarkFigures(
        weights=bench.weights,
        stocks=stocks,
        companies=companies,
        labels=_labels(stocks, companies.index, market),
        sectors=_mix([f.sectors for f in figs], c),
        sizes=_mix([f.sizes for f in figs], c),
        styles=_mix([f.styles for f in figs], c),
        extra=_mix([f.extra for f in figs], c),
        value_score=float(scored / covered) if covered > 0 else np.nan,
        value_covered=covered,
        risk=mix_risk([f.risk for f in figs], c),
    )


def _fund_figures(fund: str, market: Market) -> BenchmarkFigures:
    """The figures of one unit of a blend's fund (or of the S&P 500), once per snapshot."""

    def build() -> BenchmarkFigures:
        vector = fund_vector(fund, market)
        return _compute(Benchmark(fund, vector, ((fund, 1.0),)), market)

    return market.cached(("fund_figures", fund), build)


def _mix(series: list[pd.Series], coefficients: list[float]) -> pd.Series:
    """``sum_k c_k s_k`` over the union of the labels."""
    scaled = [s * c for s, c in zip(series, coefficients, strict=True) if len(s)]
    if not scaled:
        return pd.Series(dtype=float)
    return pd.concat(scaled).groupby(level=0, sort=False).sum()


def first_listing(market: Market) -> pd.DataFrame:
    """Every company's first listing in the snapshot (``ticker``, ``name`` by company id): the
    label of a company with no benchmark weight."""
    return market.cached(
        "company_first_listing",
        lambda: (
            market.securities.reset_index()
            .drop_duplicates("company")
            .set_index("company")[["ticker", "name"]]
            .astype(object)
        ),
    )


def _labels(stocks: pd.Series, companies: pd.Index, market: Market) -> pd.DataFrame:
    """The label (``ticker``, ``name``) of each of ``companies``: its share class with the largest
    weight in ``stocks``, ties by the snapshot's order (its first listing first)."""
    at = market.securities.index.get_indexer(stocks.index)
    held = (at >= 0) & (stocks.to_numpy() > 0)
    rows = pd.DataFrame(
        {
            "company": market.company_of(stocks.index[held]).to_numpy(),
            "ticker": stocks.index[held].to_numpy(object),
            "at": at[held],
            "bw": stocks.to_numpy()[held],
        }
    ).sort_values(["bw", "at"], ascending=[False, True], kind="stable")
    best = rows.drop_duplicates("company").set_index("company")["ticker"].reindex(companies)
    ticker = np.array(best.to_numpy(object), dtype=object)
    first = first_listing(market).reindex(companies)
    unlisted = pd.isna(ticker)
    ticker[unlisted] = first["ticker"].to_numpy(object)[unlisted]
    name = market.column(ticker, "name")
    name[unlisted] = first["name"].to_numpy(object)[unlisted]
    return pd.DataFrame({"ticker": ticker, "name": name}, index=companies, dtype=object)


def styles_of(names: pd.Index, market: Market) -> np.ndarray:
    """Style tercile of each name (``Unknown`` for a name the snapshot does not have)."""
    buckets = style_buckets(market)
    at = buckets.index.get_indexer(names)
    return np.where(at >= 0, buckets.to_numpy(object)[at], "Unknown")


def _compute(bench: Benchmark, market: Market) -> BenchmarkFigures:
    stocks = bench.stocks(market)
    company = market.company_of(stocks.index)
    companies = conc.by_company(stocks, company)
    unseen = float(bench.weights.sum() - stocks.sum())  # the funds' own rows of a blend
    names, w = stocks.index, stocks.to_numpy()
    sectors = conc.sum_by(market.column(names, "sector", "Unknown"), w)
    sizes = conc.sum_by(market.column(names, "size", "Unknown"), w)
    styles = conc.sum_by(styles_of(names, market), w)
    if unseen > 1e-12:
        sectors[conc.UNSEEN_SECTOR] = unseen
        sizes["unseen"] = unseen
        styles["unseen"] = unseen
    funds = bench.weights.drop(stocks.index, errors="ignore")
    value_score, covered = conc.weighted_score(w, market.column(names, "value_score").astype(float))
    return BenchmarkFigures(
        weights=bench.weights,
        stocks=stocks,
        companies=companies,
        labels=_labels(stocks, companies.index, market),
        sectors=sectors,
        sizes=sizes,
        styles=styles,
        extra=funds.rename(lambda f: f"{f} (unseen)"),
        value_score=value_score,
        value_covered=covered,
        risk=benchmark_risk(market.risk, bench.weights),
    )
