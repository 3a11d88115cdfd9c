"""Tests of the out-of-sample risk-model validation (``advisor.data.validate``).

The tests on real prices need ``../shared/data`` and skip with a reason when it is absent; the
full 13-date back-test is marked ``slow``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor.data import validate as v
from advisor.data.riskmodel import FACTORS, ModelParams, factor_returns
from advisor.data.sources import RawData
from advisor.errors import DataError

DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
needs_data = pytest.mark.skipif(
    not (DATA / "README.md").exists(),
    reason=f"shared market data not found at {DATA.resolve()} (CI always has it)",
)
ASOF = pd.Timestamp("2023-06-30")
P = ModelParams()


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    if not (DATA / "README.md").exists():
        pytest.skip(f"shared market data not found at {DATA.resolve()}")
    return RawData(DATA).etf_daily()


# -- independent plain-numpy formulations -------------------------------------------------------


def numpy_exp_cov(x: np.ndarray, halflife: float, periods: int) -> np.ndarray:
    """EWMA covariance of demeaned returns, weights (1 - alpha) ** age, as exp_cov defines it."""
    alpha = 1.0 - 0.5 ** (1.0 / halflife)
    w = (1.0 - alpha) ** np.arange(len(x) - 1, -1, -1)
    d = x - x.mean(axis=0)
    return (d * w[:, None]).T @ d / w.sum() * periods


def numpy_fund_model(prices: pd.DataFrame, names: list[str], asof: pd.Timestamp, p: ModelParams):
    """Exposures (normal equations) and floored residual variance, by hand."""
    px = prices.loc[:asof, names].to_numpy()[-(p.window_days + 1) :]
    dates = prices.loc[:asof].index[-p.window_days :]
    r = px[1:] / px[:-1] - 1.0
    X = factor_returns(prices).reindex(dates)[list(FACTORS)].fillna(0.0).to_numpy()
    X1 = np.column_stack([np.ones(len(X)), X])
    age = np.arange(len(X) - 1, -1, -1)
    w, vw = 0.5 ** (age / p.exposure_halflife), 0.5 ** (age / p.specific_halflife)
    coef = np.linalg.solve(X1.T @ (X1 * w[:, None]), X1.T @ (r * w[:, None]))
    e = r - X1 @ coef
    s2 = (vw[:, None] * e**2).sum(axis=0) / vw.sum() * 252
    return coef[1:].T, np.maximum(s2, p.specific_vol_floor_fund**2)


# -- fast tests on real prices --------------------------------------------------------------------


@needs_data
def test_predicted_and_realized_match_plain_numpy(prices: pd.DataFrame) -> None:
    fund = "RSP"
    row = v.backtest_prices(prices, [ASOF], [fund]).iloc[0]
    assert row["date"] == ASOF and row["fund"] == fund

    # factor covariance by hand (exp_cov over the last cov_window_days, PSD already)
    fr = factor_returns(prices).loc[:ASOF].iloc[-P.cov_window_days :].fillna(0.0)
    F = numpy_exp_cov(fr.to_numpy(), P.cov_halflife, 252)
    B, s2 = numpy_fund_model(prices, [fund, "SPY"], ASOF, P)
    d = B[0] - B[1]
    expected = np.sqrt(d @ F @ d + s2[0] + s2[1])
    np.testing.assert_allclose(row["predicted"], expected, rtol=1e-8)
    # the same figure from the model's own exposures and covariance
    pred = v.predict(prices, ASOF, [fund, "SPY"])
    db = (pred.exposures.loc[fund] - pred.exposures.loc["SPY"]).to_numpy()
    own = np.sqrt(db @ pred.factor_cov.to_numpy() @ db + pred.specific_var.sum())
    np.testing.assert_allclose(row["predicted"], own, rtol=1e-10)
    # SPY is the market factor: exposure [1, 0, ...], residual at the fund floor
    np.testing.assert_allclose(pred.exposures.loc["SPY"], np.eye(len(FACTORS))[0], atol=1e-6)
    assert pred.specific_var["SPY"] == pytest.approx(P.specific_vol_floor_fund**2)

    # realized: plain numpy std of the 252 active returns after the date
    px = prices[[fund, "SPY"]].to_numpy()
    i = prices.index.get_loc(ASOF)
    r = px[i + 1 : i + 253] / px[i : i + 252] - 1.0
    realized = np.std(r[:, 0] - r[:, 1], ddof=1) * np.sqrt(252)
    np.testing.assert_allclose(row["realized"], realized, rtol=1e-10)
    np.testing.assert_allclose(row["ratio"], realized / row["predicted"], rtol=1e-12)


@needs_data
def test_no_data_after_the_date_is_used(prices: pd.DataFrame) -> None:
    rng = np.random.default_rng(7)
    after = prices.index > ASOF
    noisy = prices.copy()
    noisy.loc[after] *= np.exp(rng.normal(0.0, 0.03, size=noisy.loc[after].shape))
    base = v.backtest_prices(prices, [ASOF], ["IWM"])
    pert = v.backtest_prices(noisy, [ASOF], ["IWM"])
    assert pert["predicted"].iloc[0] == base["predicted"].iloc[0]
    assert pert["trailing"].iloc[0] == base["trailing"].iloc[0]
    assert abs(pert["realized"].iloc[0] / base["realized"].iloc[0] - 1) > 0.1  # it did change
    # and the prediction from the truncated table is identical
    cut = v.predict(prices.loc[:ASOF], ASOF, ["IWM", "SPY"])
    assert cut.te("IWM", "SPY") == base["predicted"].iloc[0]


@needs_data
def test_frozen_prediction_makes_bias_stat_equal_ratio(prices: pd.DataFrame) -> None:
    t = v.backtest_prices(prices, ["2021-12-31"], ["QQQ"], bias_refresh_days=252)
    np.testing.assert_allclose(t["bias_stat"], t["ratio"], rtol=1e-10)
    monthly = v.backtest_prices(prices, ["2021-12-31"], ["QQQ"])
    assert monthly["predicted"].iloc[0] == t["predicted"].iloc[0]
    assert monthly["bias_stat"].iloc[0] != t["bias_stat"].iloc[0]


@needs_data
def test_default_dates_and_too_late_a_date(prices: pd.DataFrame) -> None:
    days = prices["SPY"].dropna().index
    dates = v.default_dates(days)
    assert len(dates) == 13
    assert dates[0] == pd.Timestamp("2019-06-28") and dates[-1] == pd.Timestamp("2025-06-30")
    for d in dates:
        assert d.month in (6, 12) and d in days
        assert days[days.get_loc(d) + 1].month != d.month  # the month's last trading day
    # a weekend date resolves to the Friday before
    assert v.trading_day(days, "2023-07-02") == pd.Timestamp("2023-06-30")
    with pytest.raises(DataError, match="252"):
        v.backtest_prices(prices, ["2026-01-30"], ["RSP"])


@needs_data
@pytest.mark.slow
def test_full_backtest_and_main(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "validation.md"
    assert v.main(["--source", str(DATA), "--out", str(out)]) == 0
    t = pd.read_csv(out.with_suffix(".csv"), parse_dates=["date"])
    assert list(t.columns) == v.COLUMNS and len(t) == 13 * len(v.FUNDS)
    assert all(list(g) == list(v.FUNDS) for _, g in t.groupby("date")["fund"])
    assert t[["predicted", "realized", "bias_stat", "trailing"]].gt(0).all().all()
    np.testing.assert_allclose(t["ratio"], t["realized"] / t["predicted"], rtol=1e-10)
    # loose sanity: a broken model (variance for std, a wrong annualisation) lands far outside
    assert 0.7 < t["ratio"].median() < 1.4
    assert 0.7 < t["bias_stat"].mean() < 1.4
    md = out.read_text(encoding="utf-8")
    assert md.count("\n| 20") == len(t) and "### Reading" in md


# -- no data needed -------------------------------------------------------------------------------


def synthetic_table() -> pd.DataFrame:
    d1, d2 = pd.Timestamp("2020-06-30"), pd.Timestamp("2020-12-31")
    t = pd.DataFrame(
        {
            "date": [d1, d1, d2, d2],
            "fund": ["AAA", "BBB", "AAA", "BBB"],
            "predicted": [0.02, 0.05, 0.04, 0.05],
            "realized": [0.04, 0.05, 0.02, 0.06],
            "trailing": [0.02, 0.04, 0.05, 0.05],
        }
    )
    t["ratio"] = t["realized"] / t["predicted"]
    t["bias_stat"] = t["ratio"]
    return t[v.COLUMNS]


def test_summary_means_and_band_share() -> None:
    s = v.summary(synthetic_table())
    assert list(s.index) == ["AAA", "BBB", "all"]
    assert s.loc["AAA", "ratio"] == pytest.approx((2.0 + 0.5) / 2, rel=1e-12)
    assert s.loc["AAA", "within"] == 0.0
    assert s.loc["BBB", "within"] == 1.0
    assert s.loc["all", "within"] == 0.5
    assert s.loc["all", "predicted"] == pytest.approx(0.04, rel=1e-12)
    assert s.loc["all", "n"] == 4


def test_markdown_formats_and_generates_the_reading() -> None:
    t = synthetic_table()
    md = v.to_markdown(t, v.summary(t), P)
    assert "| 2020-06-30 | AAA | 2.00 % | 4.00 % | 2.00 |" in md
    assert "| all | 4 | 4.00 % | 4.25 % |" in md
    # mean ratio (2 + 1 + 0.5 + 1.2) / 4 = 1.175 is within 0.8-1.25
    assert "is calibrated on average (mean ratio 1.1" in md
    assert "Predictions made on 2020-06-30 under-predicted" in md  # (2 + 1) / 2 = 1.5
    assert "COVID" not in md.split("2020-06-30 under-predicted")[1].split("\n")[0]
    assert "The largest single miss is AAA on 2020-06-30" in md
