"""The committed market snapshot: its invariants, and that the build step reproduces it."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import RAW_DATA, needs_raw_data

from advisor.market import snapshot
from advisor.market.snapshot import SNAPSHOT_DIR, STALE_AFTER_DAYS, Market, data_age

TABLES = (
    "securities",
    "aliases",
    "benchmark",
    "funds",
    "fund_info",
    "risk",
    "factor_cov",
    "factor_returns",
)


def test_snapshot_is_small() -> None:
    total = sum(p.stat().st_size for p in SNAPSHOT_DIR.iterdir())
    assert total < 10e6


def test_benchmark_is_a_full_weight_vector(market: Market) -> None:
    b = market.benchmark
    assert b.sum() == pytest.approx(1.0, abs=1e-12)
    assert (b > 0).all() and b.index.is_unique
    assert 480 < len(b) <= 505
    assert set(b.index) <= market.known
    top = b.nlargest(3).index
    assert {"NVDA", "AAPL"} <= set(top)


def test_fund_lookthrough_is_sane(market: Market) -> None:
    for fund, w in market.fund_weights.groupby("fund"):
        assert 0.8 < w["weight"].sum() <= 1.0 + 1e-9, fund
        assert (w["weight"] > 0).all(), fund
        assert w["ticker"].is_unique, fund
        assert set(w["ticker"]) <= market.known, fund
    for tracker in ("SPY", "IVV", "VOO", "SPYM"):
        pd.testing.assert_series_equal(
            market.constituents(tracker).sort_index(),
            market.benchmark.sort_index(),
            check_names=False,
        )
    rsp = market.constituents("RSP")
    assert np.allclose(rsp, 1.0 / len(market.benchmark))


def test_every_security_has_a_risk_model_row(market: Market) -> None:
    r = market.risk
    assert r.exposures.index.equals(market.securities.index)
    assert np.isfinite(r.exposures.to_numpy()).all()
    assert (r.specific_var > 0).all()
    eig = np.linalg.eigvalsh(r.factor_cov.to_numpy())
    assert eig.min() > -1e-12
    assert 0.10 < np.sqrt(r.variance(market.benchmark)) < 0.30  # S&P 500 volatility


def test_share_classes_and_aliases(market: Market) -> None:
    assert market.resolve("BRK.B") == "BRK-B"
    assert market.resolve("brk/b") == "BRK-B"
    assert market.resolve("SPLG") == "SPYM"
    assert market.resolve("FB") == "META"
    company = market.company_of(pd.Index(["GOOGL", "GOOG", "AAPL"]))
    assert company["GOOGL"] == company["GOOG"] != company["AAPL"]


def test_size_buckets(market: Market) -> None:
    s = market.securities
    assert s.at["AAPL", "size"] == "mega" and s.at["BRK-B", "size"] == "mega"
    assert (s.loc[s["market_cap"] >= 200e9, "size"] == "mega").all()
    assert (s.loc[s["in_sp400"] & ~s["in_sp500"] & s["market_cap"].isna(), "size"] == "mid").all()


def test_manifest_records_sources_and_dates(market: Market) -> None:
    m = market.manifest
    assert m["snapshot_date"] == "2026-07-14"
    assert all(len(h) == 64 for h in m["sources"].values())
    assert "prices/daily_sp1500_etfs_2015-2026.parquet" in m["sources"]
    assert m["risk_model"]["factors"][:4] == ["market", "size", "value", "momentum"]


def test_market_data_age(market: Market, monkeypatch: pytest.MonkeyPatch) -> None:
    assert market.age_days(date(2026, 7, 14)) == 0
    fresh = market.data_age(date(2026, 8, 13))
    assert fresh.days == STALE_AFTER_DAYS == 30 and not fresh.stale
    old = market.data_age(date(2026, 11, 29))
    assert old.days == 138 and old.stale
    assert old.message() == (
        "Market data of 2026-07-14, 138 days old: prices and risk have moved since; "
        "`advisor data info`"
    )
    assert old.to_dict() == {
        "as_of": "2026-07-14", "age_days": 138, "stale": True, "stale_after_days": 30
    }  # fmt: skip
    assert data_age("2026-07-14", date(2026, 8, 14)).stale  # 31 days
    monkeypatch.setattr(snapshot, "today", lambda: date(2026, 7, 20))
    assert market.age_days() == 6 and not market.data_age().stale


def test_dividend_yields_are_fractions(market: Market) -> None:
    y = market.securities["dividend_yield"]
    known = y.dropna()
    assert 400 < len(known) < 520  # S&P 500 members only
    assert ((known >= 0) & (known <= 0.20)).all()
    assert market.dividend_yield("AMZN") == 0.0  # a priced line with no yield pays none
    assert 0.001 < market.dividend_yield("AAPL") < 0.01
    assert market.dividend_yield("IJR") is None  # small caps: no yields in the data
    spy = market.dividend_yield("SPY")
    assert spy is not None and 0.011 <= spy <= 0.014
    assert market.dividend_yield("SPY") == pytest.approx(
        market.manifest["dividend_yields"]["benchmark_yield"], rel=1e-12
    )
    assert market.dividend_yield("VYM") > spy > market.dividend_yield("QQQ")


@needs_raw_data
@pytest.mark.slow
def test_rebuild_matches_committed_snapshot(tmp_path) -> None:  # noqa: ANN001
    from advisor.data.build import build

    build(RAW_DATA, tmp_path)
    for name in TABLES:
        new = pd.read_parquet(tmp_path / f"{name}.parquet")
        old = pd.read_parquet(SNAPSHOT_DIR / f"{name}.parquet")
        pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-9, atol=1e-12, obj=name)
    new_m = json.loads((tmp_path / "manifest.json").read_text())
    old_m = json.loads((SNAPSHOT_DIR / "manifest.json").read_text())
    keys = ("snapshot_date", "counts", "sources", "benchmark", "risk_model", "prices", "rates")
    for key in (*keys, "dividend_yields"):
        assert new_m[key] == old_m[key], key
