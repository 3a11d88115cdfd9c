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

from dataclasses import dataclass

import pandas as pd

from advisor.analytics import concentration as conc
from advisor.analytics.risk import BenchmarkRisk, benchmark_risk
from advisor.market.benchmark import Benchmark
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
        By company id (every company of the snapshot): ``ticker``, the share class with the
        largest benchmark weight (GOOGL, not GOOG), and its ``name``.
    company_labels : DataFrame
        ``labels`` of the benchmark's companies, in the order of ``companies``.
    sectors, sizes, styles : Series
        Benchmark weight by sector, size bucket and style tercile (with the funds' own rows of a
        blend as ``unseen``).
    extra : Series
        The funds' own rows of a blend, labelled ``"<fund> (unseen)"`` (for active share).
    value_score : float
        The benchmark's weighted value score.
    risk : BenchmarkRisk
        Its risk-model rows, ``B' b``, ``Sigma b`` and variance.
    """

    weights: pd.Series
    stocks: pd.Series
    companies: pd.Series
    labels: pd.DataFrame
    company_labels: pd.DataFrame
    sectors: pd.Series
    sizes: pd.Series
    styles: pd.Series
    extra: pd.Series
    value_score: float
    risk: BenchmarkRisk


def style_buckets(market: Market) -> pd.Series:
    """Every security's style tercile (growth, blend, value, unscored), once per snapshot."""
    return market.cached(
        "style_buckets", lambda: conc.style_bucket(market.securities["value_score"])
    )


def benchmark_figures(bench: Benchmark, market: Market) -> BenchmarkFigures:
    """The figures of ``bench``, computed once per snapshot; a benchmark is known by its name and
    components, and its weights are checked to be the ones the figures were computed from."""
    key = ("benchmark_figures", bench.name, bench.components)
    figures = market.cached(key, lambda: _compute(bench, market))
    if figures.weights is bench.weights or figures.weights.equals(bench.weights):
        return figures
    return _compute(bench, market)  # a hand-made Benchmark of a known name: not cached


def _compute(bench: Benchmark, market: Market) -> BenchmarkFigures:
    sec = market.securities
    stocks = bench.stocks(market)
    company = market.company_of(stocks.index)
    companies = conc.by_company(stocks, company)
    bw = stocks.reindex(sec.index).fillna(0.0)
    first = (
        sec.assign(bw=bw)
        .reset_index()
        .sort_values("bw", ascending=False, kind="stable")
        .drop_duplicates("company")
        .set_index("company")[["ticker", "name"]]
    )
    unseen = float(bench.weights.sum() - stocks.sum())  # the funds' own rows of a blend
    sectors = conc.group_weights(stocks, sec["sector"])
    sizes = conc.group_weights(stocks, sec["size"])
    styles = conc.group_weights(stocks, style_buckets(market))
    if unseen > 1e-12:
        sectors[conc.UNSEEN_SECTOR] = unseen
        sizes["unseen"] = unseen
        styles["unseen"] = unseen
    funds = bench.weights.drop(stocks.index, errors="ignore")
    value_score, _ = conc.weighted_score(stocks, sec["value_score"])
    return BenchmarkFigures(
        weights=bench.weights,
        stocks=stocks,
        companies=companies,
        labels=first,
        company_labels=first.reindex(companies.index),
        sectors=sectors,
        sizes=sizes,
        styles=styles,
        extra=funds.rename(lambda f: f"{f} (unseen)"),
        value_score=value_score,
        risk=benchmark_risk(market.risk, bench.weights),
    )
