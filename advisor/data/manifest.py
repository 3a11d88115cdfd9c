"""The snapshot's manifest: sources with hashes, dates, methods, counts, filters and checks.

Written by :func:`advisor.data.build.build` next to the tables (``manifest.json``); read by
``advisor data info`` and by :class:`advisor.market.snapshot.Market`.
"""

from __future__ import annotations

import json
import platform

import numpy as np
import pandas as pd

from advisor.data import etfs, market_wide, peers, riskmodel, sanity, universe

FORMAT_VERSION = 2
LICENCE_NOTES = {
    "prices": "Yahoo-derived adjusted closes from a public repository; no licence given. "
    "Derived figures only (returns, betas, variances, last prices) are shipped.",
    "securities": "S&P 500 constituent and financials lists: ODC-PDDL (fields Yahoo-derived). "
    "NASDAQ Trader symbol directory and NASDAQ mutual fund list (public snapshots): names, "
    "kinds and exchanges only.",
    "funds": "Issuers' published holdings (iShares, Invesco, SPDR, Vanguard, Schwab, VanEck, "
    "ARK); derived weights only are shipped, for look-through analysis.",
    "factors": "Kenneth R. French data library (not used by this build).",
}


def _counts(sec: pd.DataFrame, bench: pd.Series, fund_info: pd.DataFrame, model: dict) -> dict:
    method_counts = model["method"].value_counts().to_dict()
    return {
        "securities": int(len(sec)),
        "stocks": int(sec["kind"].eq("stock").sum()),
        "etfs": int(sec["kind"].eq("etf").sum()),
        "by_kind": sec["kind"].value_counts().to_dict(),
        "by_asset_class": sec["asset_class"].value_counts().to_dict(),
        "funds_by_asset_class": sec.loc[sec["is_etf"], "asset_class"].value_counts().to_dict(),
        "bond_duration": sec["bond_duration"].value_counts().to_dict(),
        "benchmark_members": int(len(bench)),
        "funds_with_lookthrough": int(len(fund_info)),
        "size_buckets": sec["size"].value_counts().to_dict(),
        "risk_model_methods": {str(k): int(v) for k, v in method_counts.items()},
        "priced": int(sec["price"].notna().sum()),
    }


def _risk_model_record(model: dict, params: riskmodel.ModelParams) -> dict:
    filters = model["filters"]
    return {
        "form": "Sigma = B F B' + D, annualised (252 days)",
        "factors": list(riskmodel.FACTORS),
        "factor_definitions": {
            "market": "SPY",
            **{k: f"{a} - {b}" for k, (a, b) in riskmodel.STYLES.items()},
            **{k: f"{v} - SPY" for k, v in riskmodel.SECTOR_ETFS.items()},
        },
        "params": params.as_dict(),
        "daily_moves_treated_as_errors": model["dropped_returns"],
        "factor_returns_span": [
            str(model["factor_returns"].index[0].date()),
            str(model["factor_returns"].index[-1].date()),
        ],
        "loadings": "stocks and other listings: market, own GICS sector, size, value, momentum; "
        "stocks with sector Unknown: market and the three styles only (their sector risk stays "
        "in the specific variance); funds: every factor",
        "shrinkage": {
            "full_history_days": peers.FULL_HISTORY,
            "n0_days": peers.SHRINK_N0,
            "weight": "w(n) = n / (n + n0 (1 - n/N)) for n < N, 1 from N on; exposures and "
            "specific variance = w own + (1 - w) peers' median",
            "min_peers": peers.MIN_PEERS,
            "peer_levels": "stocks: kind+asset class+sector+size, kind+asset class+sector, "
            "kind+asset class, kind; funds: kind+asset class+duration, kind+asset class, asset "
            "class, all funds; then every security with a full history",
        },
        "sanity_filters": {
            "rules": {
                "nonpositive": "close <= 0 dropped",
                "absurd_level": f"close > {sanity.MAX_CLOSE:,.0f} dropped (back-adjusted "
                "reverse splits)",
                "spike": f"one-day print > {sanity.SPIKE_RATIO}x away from both neighbours "
                f"(which agree within {sanity.SPIKE_NEIGHBOURS}x) dropped",
                "stale": f"runs of >= {sanity.STALE_RUN} identical closes: repeats dropped",
                "gap": "missing close inside a series: the return across it is not computed",
                "large_move": f"daily return beyond {params.max_abs_daily_return:.0%} dropped",
            },
            "window": "the risk model's three-year window of daily closes",
            "counts": {
                k: {"count": v["count"], "tickers": v["tickers"]} for k, v in filters.items()
            },
            "listed": {k: v.get("where", v.get("by_ticker")) for k, v in filters.items()},
        },
    }


def _prices(sec: pd.DataFrame, date: str) -> dict:
    listed = sec[sec["kind"].ne("foreign") & sec["twin"].isna()]
    return {
        "date": date,
        "method": "last adjusted close on or before the snapshot date, at most "
        f"{universe.MAX_PRICE_AGE_DAYS} days old; monthly file's last row for names with only "
        "monthly prices; foreign lines of international funds have no price",
        "price_dates": sec["price_date"].dt.strftime("%Y-%m-%d").value_counts().to_dict(),
        "without_price": sorted(listed.index[listed["price"].isna()]),
        "twins_without_price": sorted(sec.index[sec["twin"].notna() & sec["price"].isna()]),
    }


def _twins(table: pd.DataFrame, sec: pd.DataFrame) -> dict:
    return {
        "method": "index mutual funds tracking the index of an ETF of the snapshot (advisor/data/"
        "twins.py, each line sourced): kind mutual_fund, twin = the ETF, asset class and "
        "risk-model row (method twin) of the ETF, price from the data where it has one",
        "count": int(len(table)),
        "priced": sorted(table.index[sec["price"].reindex(table.index).notna()]),
        "other_index": sorted(table.index[~table["same_index"]]),
        "by_etf": table.groupby("etf").size().to_dict(),
    }


def _foreign(lines: pd.DataFrame, sec: pd.DataFrame) -> dict:
    f = sec[sec["kind"].eq("foreign")]
    return {
        "method": "equity lines of international funds that are neither a US listing (ticker and "
        "name) nor in the ADR table: id F: + normalised name, no price, no risk row",
        "securities": int(len(f)),
        "lines": int((lines["weight"] > 0).sum()),
        "zero_weight_lines_counted_as_holdings": int((lines["weight"].fillna(0) == 0).sum()),
        "by_asset_class": f["asset_class"].value_counts().to_dict(),
        "with_sector": int(f["sector"].ne("Unknown").sum()),
        "held_by_several_funds": int(f["held_by"].str.contains(",").sum()),
    }


def coverage(sec: pd.DataFrame, symbols: pd.DataFrame, closes: pd.Series) -> dict:
    """Share of the directory's stocks and ETFs with a year of prices that the snapshot knows."""
    kinds = symbols["kind"].reindex(closes.index)
    target = closes.index[(closes >= market_wide.MIN_CLOSES) & kinds.isin(("stock", "etf"))]
    known = target.isin(sec.index)
    return {
        "stocks_and_etfs_with_a_year_of_prices": int(len(target)),
        "known": int(known.sum()),
        "share": round(float(known.mean()), 6),
        "missing": sorted(target[~known]),
    }


def manifest(raw, sec, bench, bench_info, cap_info, fund_info, model, params, extra) -> dict:  # type: ignore[no-untyped-def]
    """The whole manifest (without rates and dividends, which the build adds)."""
    closes = raw.daily_all().notna().sum()
    return {
        "format_version": FORMAT_VERSION,
        "snapshot_date": extra["snapshot_date"],
        "built_with": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "counts": _counts(sec, bench, fund_info, model),
        "coverage": coverage(sec, raw.us_symbols(), closes),
        "prices": _prices(sec, extra["snapshot_date"]),
        "market_caps": {
            "method": "sp500_financials market cap (whole company) x snapshot price / file price; "
            "blanks filled from the S&P 500 weight; new Russell 1000 names from their IWB "
            "weight; none for other names",
            "filled_from_benchmark": cap_info,
            "known": int(sec["market_cap"].notna().sum()),
        },
        "size_buckets": "mega: market cap >= $200B; large: other S&P 500 members (or cap >= "
        "$10B); mid: S&P 400 (and Russell 1000 names under $10B); small: S&P 600 and Russell "
        "2000 members; micro: other US-equity stocks; unknown: international stocks, other "
        "listings and foreign lines; fund: funds",
        "value_score": "percentile rank of book-to-price among S&P 500 members mapped to [-1, 1] "
        "(+1 = deepest value); blank for negative book value and non-S&P 500 names",
        "market_wide": extra["market_wide"],
        "asset_classes": extra["asset_classes"],
        "twins": _twins(extra["twins"], sec),
        "mutual_fund_names": {
            "source": "securities/mfundslist_2022-06-02.txt (types MF, MS, $$, $S)",
            "count": int(len(extra["mutual_funds"])),
        },
        "foreign": _foreign(extra["foreign_lines"], sec),
        "benchmark": bench_info,
        "funds": {
            "records": json.loads(fund_info.reset_index().to_json(orient="records")),
            "skipped_no_price": fund_info.attrs.get("skipped", []),
            "replaced_sources": etfs.REPLACED_SOURCES,
        },
        "risk_model": _risk_model_record(model, params),
        "sources": raw.hashes(),
        "licence_notes": LICENCE_NOTES,
    }
