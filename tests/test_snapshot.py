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
    "twins",
    "mutual_funds",
)
KINDS = {"stock", "etf", "closed_end", "mutual_fund", "other", "foreign"}


def test_snapshot_is_small() -> None:
    total = sum(p.stat().st_size for p in SNAPSHOT_DIR.iterdir())
    assert total < 25e6


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
    """Every security but the foreign companies of international funds (no prices)."""
    r = market.risk
    listed = market.securities.index[market.securities["kind"].ne("foreign")]
    assert r.exposures.index.equals(listed)
    assert np.isfinite(r.exposures.to_numpy()).all()
    assert (r.specific_var > 0).all()
    eig = np.linalg.eigvalsh(r.factor_cov.to_numpy())
    assert eig.min() > -1e-12
    assert 0.10 < np.sqrt(r.variance(market.benchmark)) < 0.30  # S&P 500 volatility


def test_share_classes_and_aliases(market: Market) -> None:
    assert market.resolve("BRK.B") == "BRK-B"
    assert market.resolve("brk/b") == "BRK-B"
    assert market.resolve("SPLG") == "SPYM"
    # FB is a listed ETF again (ProShares S&P 500 Dynamic Buffer): the ticker wins over the rename
    assert market.resolve("FB") == "FB" and market.resolve("META") == "META"
    assert market.securities.at["FB", "kind"] == "etf"
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
    assert "prices/daily_us_all_2023-2026.parquet" in m["sources"]
    assert "securities/us_symbols.csv" in m["sources"]
    assert sum(m["counts"]["by_kind"].values()) == m["counts"]["securities"]
    assert sum(m["counts"]["by_asset_class"].values()) == m["counts"]["securities"]
    assert m["risk_model"]["sanity_filters"]["counts"]["large_move"]["count"] > 0
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


def test_whole_market_kinds_and_methods(market: Market) -> None:
    s = market.securities
    assert set(s["kind"]) == KINDS
    funds = s["kind"].isin(["etf", "closed_end", "mutual_fund"])
    assert (s["is_etf"] == funds).all()  # is_etf means "a fund"
    assert (s.loc[funds, "size"] == "fund").all()
    assert set(s["size"]) <= {"mega", "large", "mid", "small", "micro", "unknown", "fund"}
    methods = market.risk_method
    assert set(methods) <= {"daily", "daily-shrunk", "monthly", "peers", "twin"}
    assert (methods[methods.index.isin(s.index[s["twin"].notna()])] == "twin").all()
    r = market._read("risk").set_index("ticker")
    daily = r["method"].eq("daily")
    assert (r.loc[daily, "shrink_weight"] == 1.0).all()
    shrunk = r["method"].eq("daily-shrunk")
    assert r.loc[shrunk, "shrink_weight"].between(0.0, 1.0, inclusive="neither").all()
    assert (r.loc[shrunk, "n_obs"] < 504).all() and (r.loc[daily, "n_obs"] >= 504).all()


def test_twins_copy_their_etf(market: Market) -> None:
    s, t = market.securities, market.twins
    assert len(t) >= 60 and set(t.index) == set(s.index[s["twin"].notna()])
    assert t.at["FXAIX", "etf"] == "IVV" and t.at["VFIAX", "etf"] == "VOO"
    assert t.at["VTSAX", "etf"] == "VTI" and t.at["VBTLX", "etf"] == "BND"
    assert t.at["FTIHX", "etf"] == "IXUS" and bool(t.at["FTIHX", "same_index"])
    assert not t.at["FSKAX", "same_index"]  # Dow Jones U.S. Total Stock Market, not CRSP
    assert (s.loc[t.index, "kind"] == "mutual_fund").all()
    assert (s.loc[t.index, "asset_class"].to_numpy() == s.loc[t["etf"], "asset_class"]).all()
    for fund in ("FXAIX", "VFIAX", "VTSAX", "VBTLX", "FSKAX", "FZROX"):
        assert s.at[fund, "price"] > 0, fund
    assert np.isnan(s.at["SWPPX", "price"]) and s.at["SWPPX", "name"].startswith("Schwab S&P 500")
    B = market.risk.exposures
    pd.testing.assert_series_equal(B.loc["SWPPX"], B.loc["IVV"], check_names=False)
    assert market.risk.specific_var["VTIAX"] == market.risk.specific_var["VXUS"]
    names = market.mutual_fund_names
    assert len(names) > 25_000 and names.at["VWELX", "name"].startswith("Vanguard Wellington")
    assert bool(names.at["SPAXX", "money_market"]) and not bool(names.at["VWELX", "money_market"])


def test_foreign_lines_of_international_funds(market: Market) -> None:
    s = market.securities
    f = s[s["kind"].eq("foreign")]
    assert len(f) > 3000 and f.index.str.startswith("F:").all()
    assert f["price"].isna().all() and not f["is_etf"].any()
    assert set(f["asset_class"]) == {"International developed equity", "Emerging-markets equity"}
    tencent = "F:TENCENT"
    for fund in ("VXUS", "IXUS", "IEMG", "VWO"):  # one id whatever the issuer's spelling
        assert tencent in market.constituents(fund).index, fund
    assert s.at[tencent, "sector"] == "Communication Services"
    # the ADR table: TSMC is TSM in the look-through, so a direct TSM holding combines with it
    for fund in ("VXUS", "IEMG", "VWO", "IXUS"):
        assert "TSM" in market.constituents(fund).index, fund
    assert not any(t.startswith("F:TAIWAN SEMICONDUCTOR MANUF") for t in s.index)
    # a US listing in an international fund by ticker and name; a local code is not a ticker
    assert "ASML" in market.constituents("VXUS").index
    assert "MRK" not in market.constituents("EFA").index  # Merck KGaA is not Merck & Co.
    for fund in ("VXUS", "VEA", "VWO", "VSS", "IEMG", "EFA", "IXUS"):
        assert 0.8 < market.constituents(fund).sum() <= 1.0 + 1e-9, fund


def test_every_holdings_line_is_accounted_for(market: Market) -> None:
    info = market.fund_info
    new = info[info["source"].str.startswith("funds/holdings_2025-2026/")]
    assert len(new) == 15
    kinds = ("zero", "cash", "us", "adr", "fund", "foreign", "unmapped")
    lines = new[[f"lines_{k}" for k in kinds]].sum(axis=1)
    assert (lines == new["lines"]).all()
    weights = new[[f"weight_{k}" for k in kinds]].sum(axis=1)
    assert np.allclose(weights, new["file_weight_sum"], atol=1e-5)
    assert new.at["VNQ", "lines_fund"] == 1 and new.at["VXUS", "lines_fund"] == 1
    # VRTPX (14.45 %, same index as VNQ) is spread over VNQ's own lines: VNQ is seen but for
    # its unmapped lines (delisted REITs)
    vnq = new.loc["VNQ"]
    assert vnq["covered_weight"] == pytest.approx(vnq["weight_us"] + vnq["weight_fund"], abs=0.01)


def test_international_fund_risk_includes_its_foreign_part(market: Market) -> None:
    """Foreign constituents have no risk row: they fold into the fund's own row."""
    from advisor.market.lookthrough import look_through, risk_vector

    w = pd.Series({"VXUS": 0.5, "AAPL": 0.5})
    lt = look_through(w, market)
    foreign = lt.securities[lt.securities.index.str.startswith("F:")].sum()
    assert foreign > 0.3
    v = risk_vector(lt, w)
    assert set(v.index) <= set(market.risk.exposures.index)
    assert v.sum() == pytest.approx(1.0, abs=1e-9)
    assert v["VXUS"] == pytest.approx(foreign + lt.unseen["VXUS"], rel=1e-9)


@needs_raw_data
def test_coverage_of_the_us_market(market: Market) -> None:
    """Of the directory's stocks and ETFs with a year of prices, >= 99 % are in the snapshot."""
    sym = pd.read_csv(RAW_DATA / "securities/us_symbols.csv", keep_default_na=False)
    closes = pd.read_parquet(RAW_DATA / "prices/daily_us_all_2023-2026.parquet").notna().sum()
    kind = sym.set_index("ticker")["kind"].reindex(closes.index)
    target = closes.index[(closes >= 252) & kind.isin(["stock", "etf"])]
    known = target.isin(market.securities.index)
    assert len(target) > 9000
    assert known.mean() >= 0.99, sorted(target[~known])[:20]
    assert market.manifest["coverage"]["share"] == pytest.approx(known.mean())


@needs_raw_data
@pytest.mark.slow
def test_first_snapshot_facts_are_unchanged(market: Market) -> None:
    """The whole market adds rows and columns; the first build's facts of its rows stay (only
    sectors it left Unknown may be filled from the holdings files)."""
    from advisor.data import universe
    from advisor.data.sources import RawData

    raw = RawData(RAW_DATA)
    asof = pd.Timestamp("2026-07-14")
    first = universe.build_securities(raw, asof)
    universe.fill_caps_from_benchmark(first, universe.build_benchmark(raw, first, asof)[0])
    now = market.securities.loc[first.index, first.columns]
    filled = first["sector"].eq("Unknown") & now["sector"].ne("Unknown")
    assert filled.sum() <= 10
    now.loc[filled, "sector"] = "Unknown"
    first.loc[first["is_etf"], "asset_class"] = now.loc[first["is_etf"], "asset_class"]
    pd.testing.assert_frame_equal(
        now, first, check_exact=False, rtol=1e-12, check_dtype=False, check_index_type=False
    )  # the snapshot holds its text as plain Python objects (see market/snapshot.py)


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
    for key in (*keys, "dividend_yields", "asset_classes", "twins", "foreign", "coverage"):
        assert new_m[key] == old_m[key], key
