"""analyze(): closed-form concentration and look-through; risk against plain numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_holdings
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.analytics.analysis import analyze
from advisor.analytics.concentration import active_share, align
from advisor.errors import InputError
from advisor.market.snapshot import DEFAULT_MEGACAPS

RTOL = 1e-10


def px(market, t):  # noqa: ANN001, ANN201
    return float(market.securities.at[t, "price"])


def dense_te(market, w: pd.Series, b: pd.Series) -> tuple[float, float, float]:  # noqa: ANN001
    """(volatility, beta, TE) from the full covariance matrix, plain numpy."""
    names = sorted(set(w.index) | set(b.index))
    S = market.risk.dense(names)
    wv = w.reindex(names, fill_value=0.0).to_numpy()
    bv = b.reindex(names, fill_value=0.0).to_numpy()
    a = wv - bv
    return (
        float(np.sqrt(wv @ S @ wv)),
        float(wv @ S @ bv / (bv @ S @ bv)),
        float(np.sqrt(a @ S @ a)),
    )


def test_two_stocks_closed_form(market) -> None:  # noqa: ANN001
    h = make_holdings({"AAPL": 10, "JPM": 30}, cash=500.0)
    a = analyze(h, market)
    va, vj = 10 * px(market, "AAPL"), 30 * px(market, "JPM")
    total = va + vj + 500.0
    assert a.total_value == pytest.approx(total, rel=RTOL)
    assert a.positions.at["AAPL", "weight"] == pytest.approx(va / total, rel=RTOL)
    assert a.cash_weight == pytest.approx(500.0 / total, rel=RTOL)
    wa, wj = va / total, vj / total
    s = wa + wj
    expected_hhi = (wa / s) ** 2 + (wj / s) ** 2
    assert a.concentration.hhi == pytest.approx(expected_hhi, rel=RTOL)
    assert a.concentration.effective_n == pytest.approx(1 / expected_hhi, rel=RTOL)
    assert a.concentration.megacap_weight == pytest.approx(wa, rel=RTOL)
    assert a.concentration.top10_weight == pytest.approx(wa + wj, rel=RTOL)
    assert a.concentration.max_company_weight == pytest.approx(max(wa, wj), rel=RTOL)


def test_share_classes_are_one_company(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"GOOGL": 10, "GOOG": 10, "JPM": 10}), market)
    wg = a.positions.loc[["GOOGL", "GOOG"], "weight"].sum()
    wj = a.positions.at["JPM", "weight"]
    assert a.concentration.hhi == pytest.approx(wg**2 + wj**2, rel=RTOL)
    assert a.concentration.megacaps["GOOGL"] == pytest.approx(wg, rel=RTOL)
    assert a.concentration.effective_n < 2.0


def test_fund_lookthrough_closed_form(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"QQQ": 100, "AAPL": 50}), market)
    wq, wa = a.positions.at["QQQ", "weight"], a.positions.at["AAPL", "weight"]
    qqq = market.constituents("QQQ")
    lt = a.lookthrough.securities
    assert lt["AAPL"] == pytest.approx(wa + wq * qqq["AAPL"], rel=RTOL)
    assert lt["NVDA"] == pytest.approx(wq * qqq["NVDA"], rel=RTOL)
    # the whole-market snapshot sees all of QQQ (ASML, AZN, PDD ... are US listings now)
    unseen = a.lookthrough.unseen.get("QQQ", 0.0)
    assert unseen == pytest.approx(wq * max(0.0, 1 - qqq.sum()), rel=RTOL, abs=1e-12)
    assert lt.sum() + a.lookthrough.unseen.sum() == pytest.approx(1.0, rel=RTOL)
    mega = market.megacap_companies(list(DEFAULT_MEGACAPS))
    company = market.company_of(qqq.index)
    expected = wa + wq * qqq[company.isin(list(mega))].sum()
    assert a.concentration.megacap_weight == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("fund", ["IVV", "SPY", "VOO"])
def test_sp500_tracker_matches_benchmark(market, fund: str) -> None:  # noqa: ANN001
    a = analyze(make_holdings({fund: 100}), market)
    c = a.concentration
    assert c.megacap_weight == pytest.approx(c.benchmark_megacap_weight, rel=RTOL)
    assert 0.25 < c.benchmark_megacap_weight < 0.40  # the seven: ~33 % in mid-2026
    assert a.risk.tracking_error < 1e-6
    assert a.risk.beta == pytest.approx(1.0, rel=1e-9)
    assert c.active_share < 1e-9


def test_risk_matches_dense_numpy(market) -> None:  # noqa: ANN001
    h = make_holdings(
        {"AAPL": 200, "NVDA": 300, "QQQ": 150, "IWM": 100, "IJS": 40, "XOM": 50}, cash=2000
    )
    a = analyze(h, market)
    w = a.lookthrough.risk_matrix() @ a.positions["weight"].reindex(a.lookthrough.matrix.columns)
    vol, beta, te = dense_te(market, w[w != 0], market.benchmark)
    assert a.risk.volatility == pytest.approx(vol, rel=RTOL)
    assert a.risk.beta == pytest.approx(beta, rel=RTOL)
    assert a.risk.tracking_error == pytest.approx(te, rel=RTOL)
    assert a.risk.factor_te**2 + a.risk.specific_te**2 == pytest.approx(te**2, rel=1e-9)


def test_te_contributions_add_up(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"AAPL": 200, "MSFT": 50, "RSP": 100, "VTV": 80, "IJS": 30}), market)
    te = a.risk.tracking_error
    for part in (a.risk.te_by_holding, a.risk.te_by_group, a.risk.te_by_sector):
        assert part.sum() == pytest.approx(te, rel=1e-10)
    assert set(a.risk.te_by_holding.index) == {"AAPL", "MSFT", "RSP", "VTV", "IJS", "benchmark"}
    assert a.risk.te_by_holding["AAPL"] > 0


def test_benchmark_option_uses_fund_weights(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"QQQ": 10}), market, benchmark="QQQ")
    assert a.risk.tracking_error < 0.01  # only the unseen part of QQQ differs
    assert a.concentration.megacap_weight == pytest.approx(
        a.concentration.benchmark_megacap_weight * market.constituents("QQQ").sum(), rel=1e-9
    )


def test_megacaps_option(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings({"AAPL": 10, "AVGO": 10}), market, megacaps=["AVGO"])
    assert a.concentration.megacap_weight == pytest.approx(
        a.positions.at["AVGO", "weight"], rel=RTOL
    )


# -- metamorphic ------------------------------------------------------------------------------
BASE = {"AAPL": 120, "QQQ": 80, "RSP": 60, "IWM": 40, "JPM": 25}


def _figures(a) -> np.ndarray:  # noqa: ANN001
    c, r = a.concentration, a.risk
    return np.array(
        [
            c.megacap_weight,
            c.top10_weight,
            c.hhi,
            c.active_share,
            r.volatility,
            r.beta,
            r.tracking_error,
        ]
    )


def test_row_order_changes_nothing(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings(BASE, cash=1000), market)
    b = analyze(make_holdings(dict(reversed(list(BASE.items()))), cash=1000), market)
    np.testing.assert_allclose(_figures(a), _figures(b), rtol=1e-12)


def test_scaling_quantities_changes_no_fraction(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings(BASE, cash=1000), market)
    b = analyze(make_holdings({k: 7 * v for k, v in BASE.items()}, cash=7000), market)
    np.testing.assert_allclose(_figures(a), _figures(b), rtol=1e-10)
    assert b.total_value == pytest.approx(7 * a.total_value, rel=1e-12)


def test_zero_line_changes_nothing(market) -> None:  # noqa: ANN001
    a = analyze(make_holdings(BASE), market)
    b = analyze(make_holdings({**BASE, "XOM": 0}), market)
    np.testing.assert_allclose(_figures(a), _figures(b), rtol=1e-12)


def test_unpriced_position_is_an_input_error(market) -> None:  # noqa: ANN001
    with pytest.raises(InputError, match="SPYM"):
        analyze(make_holdings({"SPYM": 10}), market)


def test_all_zero_is_an_input_error(market) -> None:  # noqa: ANN001
    with pytest.raises(InputError, match="worth nothing"):
        analyze(make_holdings({"AAPL": 0}), market)


def test_te_split_by_active_holding_against_numpy(market) -> None:  # noqa: ANN001
    """Each holding against the same amount of the benchmark, plus cash: dense numpy Euler."""
    h = make_holdings({"AAPL": 200, "SPY": 100, "QQQ": 80, "IJS": 30}, cash=20_000.0)
    a = analyze(h, market)
    L = a.lookthrough.risk_matrix()  # risk-model security x holding, per unit of weight
    b = market.benchmark
    names = sorted(set(L.index) | set(b.index))
    S = market.risk.dense(names)
    Lm = L.reindex(index=names, fill_value=0.0).to_numpy()
    wv = a.positions["weight"].reindex(L.columns).to_numpy()
    bv = b.reindex(names, fill_value=0.0).to_numpy()
    act = Lm @ wv - bv
    te = float(np.sqrt(act @ S @ act))
    expected = {t: wv[i] * (Lm[:, i] - bv) @ S @ act / te for i, t in enumerate(L.columns)}
    expected["Cash"] = -(1.0 - wv.sum()) * (bv @ S @ act) / te
    got = a.risk.te_by_active_holding
    assert set(got.index) == set(expected)
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k
    assert sum(expected.values()) == pytest.approx(te, rel=1e-10)
    assert got.sum() == pytest.approx(a.risk.tracking_error, rel=1e-10)
    assert got["SPY"] == pytest.approx(0.0, abs=1e-12)  # holding the benchmark is no bet
    assert a.to_dict()["risk"]["te_contributions"]["by_active_holding"]["AAPL"] == got["AAPL"]


def _in(order: tuple[str, ...], labels: list[str]) -> bool:
    """``labels`` appear in ``order``'s order (a subsequence of it)."""
    return [x for x in order if x in labels] == labels


def test_groups_come_in_one_fixed_order(market) -> None:  # noqa: ANN001
    from advisor.analytics import concentration as conc

    h = make_holdings({"TSLA": 10, "NVDA": 10, "GOOG": 5, "AAPL": 10, "XOM": 20, "IJS": 30},
                      cash=1_000.0)  # fmt: skip
    a = analyze(h, market)
    c = a.concentration
    assert list(c.megacaps.index) == ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]
    assert _in(conc.SECTOR_ORDER, list(c.sectors.index))
    assert list(c.sectors.index)[-2:] == ["Cash", "Unseen (fund remainder)"]
    assert _in(conc.SIZE_ORDER, list(c.sizes.index))
    assert _in(conc.STYLE_ORDER, list(c.styles.index))
    assert _in(conc.SECTOR_ORDER, list(a.risk.te_by_sector.index))
    assert _in(conc.GROUP_ORDER, list(a.risk.te_by_group.index))
    d = a.to_dict()["concentration"]
    assert list(d["megacaps"]) == list(c.megacaps.index)
    for key in ("sectors", "sizes", "styles"):
        assert list(d[key]) == list(getattr(c, key).index)
    assert list(a.megacap_sources["company"].drop_duplicates()) == [
        "AAPL", "GOOGL", "NVDA", "TSLA"
    ]  # fmt: skip
    given = analyze(h, market, megacaps=["TSLA", "GOOG", "NVDA"]).concentration.megacaps
    assert list(given.index) == ["TSLA", "GOOGL", "NVDA"]  # the user's order; GOOG -> GOOGL


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from("ABCDEFGH"), st.floats(0, 1), max_size=6),
    st.dictionaries(st.sampled_from("CDEFGHIJ"), st.floats(0, 1), max_size=6),
    st.sampled_from([object, "str"]),
    st.sampled_from([object, "str"]),
)
def test_align_is_pandas_align(portfolio: dict, benchmark: dict, p_text: object,
                               b_text: object) -> None:  # fmt: skip
    """concentration.align: the union of labels, the benchmark's first, 0 where one has none;
    the same values as pandas' own align, whatever the labels' text type (object or pandas'
    Arrow-backed str)."""
    p = pd.Series(portfolio, dtype=float, index=pd.Index(list(portfolio), dtype=p_text))
    b = pd.Series(benchmark, dtype=float, index=pd.Index(list(benchmark), dtype=b_text))
    pa, ba = align(p, b)
    assert list(pa.index) == list(b.index) + [t for t in p.index if t not in benchmark]
    assert list(ba.index) == list(pa.index)
    ep, eb = p.align(b, fill_value=0.0)
    assert pa.to_dict() == ep.to_dict() and ba.to_dict() == eb.to_dict()
    assert active_share(p, b) == pytest.approx(0.5 * float(np.abs(ep - eb).sum()))
