"""The benchmark's figures computed once per snapshot equal a plain recomputation, and a cached
figure is never served for other weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.analytics.benchfigures import benchmark_figures
from advisor.market import benchmark as bm
from advisor.market.benchmark import Benchmark


def test_sp500_figures_match_a_plain_recomputation(market) -> None:  # noqa: ANN001
    b = market.benchmark
    f = benchmark_figures(bm.sp500(market), market)
    sec = market.securities
    sectors = b.groupby(sec["sector"].reindex(b.index).fillna("Unknown")).sum()
    assert f.sectors.sort_index().to_dict() == pytest.approx(sectors.sort_index().to_dict())
    assert float(f.companies.sum()) == pytest.approx(float(b.sum()))
    # Alphabet is one company, labelled by its larger share class
    assert f.labels.at[sec.at["GOOG", "company"], "ticker"] == "GOOGL"
    names = [t for t in b.index if t in market.risk_rows]
    dense = market.risk.dense(names)
    w = b[names].to_numpy()
    assert f.risk.variance == pytest.approx(float(w @ dense @ w), rel=1e-10)
    sb = pd.Series(f.risk.covariance, index=market.risk.exposures.index)[names]
    np.testing.assert_allclose(sb.to_numpy(), dense @ w, rtol=1e-10, atol=1e-14)


def test_figures_are_computed_once_and_reused(market) -> None:  # noqa: ANN001
    first = benchmark_figures(bm.sp500(market), market)
    assert benchmark_figures(bm.sp500(market), market) is first


def test_other_weights_under_a_known_name_are_not_served_cached_figures(market) -> None:  # noqa: ANN001
    sp = bm.sp500(market)
    cached = benchmark_figures(sp, market)
    tilted = sp.weights.copy()
    tilted.iloc[:10] *= 2.0
    own = Benchmark(sp.name, tilted / tilted.sum(), sp.components)
    f = benchmark_figures(own, market)
    assert f is not cached
    assert f.risk.variance != pytest.approx(cached.risk.variance, rel=1e-6)


def test_a_policy_blend_is_known_by_its_exact_mix(market) -> None:  # noqa: ANN001
    a = bm.blend({"S&P 500": 0.6, "AGG": 0.4}, market, "test")
    b = bm.blend({"S&P 500": 0.61, "AGG": 0.39}, market, "test")
    fa, fb = benchmark_figures(a, market), benchmark_figures(b, market)
    assert fa is not fb
    assert fa.sectors["Unseen (fund remainder)"] == pytest.approx(0.4, abs=0.02)
    assert fb.sectors["Unseen (fund remainder)"] < fa.sectors["Unseen (fund remainder)"]


@pytest.mark.parametrize("parts", [{"S&P 500": 1.0}, {"S&P 500": 0.5, "QQQ": 0.3, "VEA": 0.2}])
def test_company_labels_are_the_largest_share_class(market, parts) -> None:  # noqa: ANN001
    """Against the plain rule: sort every listing by its benchmark weight (stable), keep each
    company's first."""
    bench = bm.blend(parts, market, "test")
    f = benchmark_figures(bench, market)
    sec = market.securities
    stocks = bench.stocks(market)
    plain = (
        sec.assign(bw=stocks.reindex(sec.index).fillna(0.0))
        .reset_index()
        .sort_values("bw", ascending=False, kind="stable")
        .drop_duplicates("company")
        .set_index("company")[["ticker", "name"]]
    )
    from advisor.analytics.benchfigures import first_listing

    base = first_listing(market)
    mine = pd.concat([f.labels, base.drop(f.labels.index)]).sort_index()
    plain = plain.sort_index()
    assert mine.index.equals(plain.index)
    for column in ("ticker", "name"):
        assert list(mine[column].astype(object)) == list(plain[column].astype(object))


@pytest.mark.parametrize(
    "parts",
    [
        {"S&P 500": 0.85, "AGG": 0.10, "BIL": 0.05},
        {"S&P 500": 0.6, "VEA": 0.2, "VWO": 0.05, "AGG": 0.15},
        {"QQQ": 0.7, "GLD": 0.3},
    ],
)
def test_a_blend_from_its_funds_equals_the_direct_computation(market, parts) -> None:  # noqa: ANN001
    from advisor.analytics.benchfigures import _compute

    bench = bm.blend(parts, market, "test")
    mixed, direct = benchmark_figures(bench, market), _compute(bench, market)
    for name in ("sectors", "sizes", "styles", "extra", "companies"):
        a, b = getattr(mixed, name), getattr(direct, name)
        assert set(a.index) == set(b.index), name
        np.testing.assert_allclose(a[b.index].to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-15)
    assert mixed.value_score == pytest.approx(direct.value_score, rel=1e-12)
    assert mixed.risk.variance == pytest.approx(direct.risk.variance, rel=1e-12)
    np.testing.assert_allclose(mixed.risk.covariance, direct.risk.covariance, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(mixed.risk.rows, direct.risk.rows)
    assert mixed.labels.equals(direct.labels)


def test_kept_figures_are_bounded(market) -> None:  # noqa: ANN001
    from advisor.analytics import benchfigures

    for k in range(benchfigures.KEEP + 5):
        benchmark_figures(bm.blend({"S&P 500": 0.5 + k / 1000, "AGG": 0.5}, market, "t"), market)
    assert len(market.cached("benchmark_figures", dict)) == benchfigures.KEEP
