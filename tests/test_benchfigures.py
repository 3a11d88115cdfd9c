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
