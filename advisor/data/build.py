"""``advisor data build``: derive the embedded market snapshot from ``../shared/data``.

Writes to ``advisor/data/snapshot/`` (or ``out``):

* ``securities.parquet``  the security master (one row per canonical ticker)
* ``aliases.parquet``     other spellings that resolve to a ticker (renames)
* ``benchmark.parquet``   S&P 500 weights on the snapshot date
* ``funds.parquet``       fund look-through weights (fund, ticker, weight)
* ``fund_info.parquet``   per fund: source, file date, method, covered weight and file checks;
  funds with an estimated look-through have method ``estimated``, r_squared, basis and window
* ``style.parquet``       estimated look-through of funds without holdings: style weights
  (fund, basis, weight) on basis funds of ``funds.parquet`` (:mod:`advisor.data.style`)
* ``risk.parquet``        factor exposures, specific variance and estimation method per security
* ``factor_cov.parquet``  annualised factor covariance
* ``factor_returns.parquet`` daily factor returns since 1993 (for scenario replays)
* ``manifest.json``       sources with hashes, dates, parameters, counts, checks, licence notes
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.data import etfs, riskmodel, style, universe
from advisor.data.sources import FUND_JSON_DIR, IWM_CSV, QQQ_CSV, RawData

SNAPSHOT_DATE = "2026-07-14"
SNAPSHOT_DIR = Path(__file__).parent / "snapshot"
JSON_FILE_DATE = "2025-11-18"  # the JSON files match the iShares IVV CSV of that date
FORMAT_VERSION = 1

LICENCE_NOTES = {
    "prices": "Yahoo-derived adjusted closes from a public repository; no licence given. "
    "Derived figures only (returns, betas, variances, last prices) are shipped.",
    "securities": "S&P 500 constituent and financials lists: ODC-PDDL (fields Yahoo-derived).",
    "funds": "Issuers' published holdings (iShares, Invesco, SPDR, Vanguard); derived weights "
    "only are shipped, for look-through analysis.",
    "factors": "Kenneth R. French data library (not used by this build).",
}


def _fund_lookthrough(
    raw: RawData, sec: pd.DataFrame, bench: pd.Series, asof: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Look-through weights for every fund with a holdings source, and the per-fund record."""
    rows, info = _benchmark_funds(bench, asof)
    for fund, holdings, rel, date, growth in _fund_files(raw, sec, asof):
        w, rec = universe.look_through_file(holdings, fund, date, sec, growth)
        if rec["covered_weight"] > 1.0:  # a file summing over 100 %: scale to the whole fund
            w = w / rec["covered_weight"]
            rec["scaled_to_one"] = True
        rec["covered_weight"] = float(w.sum())
        rec.update(
            source=rel,
            method="issuer holdings, equity lines resolved to the snapshot, "
            "carried to the snapshot date by price",
        )
        rows.append(pd.DataFrame({"fund": fund, "ticker": w.index, "weight": w.values}))
        info.append(rec)
    skipped = [f for f in raw.json_funds() if f not in sec.index]
    table = pd.concat(rows, ignore_index=True)
    fi = pd.DataFrame(info).set_index("fund")
    fi.attrs["skipped"] = skipped
    return table, fi


def _benchmark_funds(bench: pd.Series, asof: pd.Timestamp) -> tuple[list, list]:  # type: ignore[type-arg]
    """S&P 500 trackers share the benchmark's weights; RSP is 1/N over its members."""
    rows, info = [], []
    for fund in etfs.SP500_TRACKERS:
        rows.append(pd.DataFrame({"fund": fund, "ticker": bench.index, "weight": bench.values}))
        info.append(
            {
                "fund": fund,
                "source": "benchmark",
                "file_date": "2025-11-18",
                "method": "S&P 500 tracker: shares the benchmark's weights",
                "constituents": len(bench),
                "covered_weight": 1.0,
            }
        )
    ew = pd.Series(1.0 / len(bench), index=bench.index)
    rows.append(pd.DataFrame({"fund": "RSP", "ticker": ew.index, "weight": ew.values}))
    info.append(
        {
            "fund": "RSP",
            "source": "benchmark members",
            "file_date": str(asof.date()),
            "method": "equal weight 1/N over the benchmark's members (RSP resets quarterly; drift "
            "since the last reset is ignored)",
            "constituents": len(ew),
            "covered_weight": 1.0,
        }
    )
    return rows, info


def _fund_files(raw: RawData, sec: pd.DataFrame, asof: pd.Timestamp) -> list[tuple]:  # type: ignore[type-arg]
    """(fund, holdings table, source file, file date, growth since then) of each holdings file."""
    daily, monthly = raw.daily(), raw.monthly()
    g_json = universe.growth_between(daily, monthly, JSON_FILE_DATE, asof)
    sources: list[tuple] = [  # type: ignore[type-arg]
        ("IWM", raw.ishares_csv(IWM_CSV), IWM_CSV, "2026-05-05",
         universe.growth_between(daily, monthly, "2026-05-05", asof)),
        ("QQQ", raw.invesco_csv(QQQ_CSV), QQQ_CSV, "2025-09-24",
         universe.growth_between(daily, monthly, "2025-09-24", asof)),
    ]  # fmt: skip
    for fund in raw.json_funds():
        if fund in etfs.REPLACED_SOURCES or fund not in sec.index:
            continue
        sources.append(
            (fund, raw.fund_json(fund), f"{FUND_JSON_DIR}/{fund}.json", JSON_FILE_DATE, g_json)
        )
    return sources


def _with_estimates(fund_info: pd.DataFrame, estimated: pd.DataFrame) -> pd.DataFrame:
    """The ``fund_info`` table: funds with holdings, then funds with an estimated look-through
    (:func:`advisor.data.style.estimate_lookthrough`); integer columns stay integers."""
    held = fund_info.reset_index()
    ints = [
        c
        for c in [*held.columns, *estimated.columns]
        if pd.api.types.is_integer_dtype(held[c] if c in held else estimated[c])
    ]
    out = pd.concat([held, estimated], ignore_index=True)
    return out.astype({c: "Int64" for c in ints} | {"file_date": str})


def _aliases(sec: pd.DataFrame) -> pd.DataFrame:
    from advisor.holdings.tickers import RENAMES

    rows = [(old, new) for old, new in RENAMES.items() if new in sec.index]
    return pd.DataFrame(rows, columns=["alias", "ticker"])


def build(
    source: str | Path, out: str | Path = SNAPSHOT_DIR, params: riskmodel.ModelParams | None = None
) -> dict:
    """Build the snapshot from the raw data folder ``source`` into ``out``; return the manifest."""
    params = params or riskmodel.ModelParams()
    raw = RawData(source)
    asof = pd.Timestamp(SNAPSHOT_DATE)
    sec = universe.build_securities(raw, asof)
    bench, bench_info = universe.build_benchmark(raw, sec, asof)
    cap_info = universe.fill_caps_from_benchmark(sec, bench)
    funds, fund_info = _fund_lookthrough(raw, sec, bench, asof)
    style_weights, style_info = style.estimate_lookthrough(raw, sec, list(fund_info.index), asof)
    model = riskmodel.estimate(raw.daily(), raw.monthly(), raw.etf_daily(), sec, asof, params)
    risk = model["exposures"].copy()
    risk["specific_var"] = model["specific_var"]
    risk["method"] = model["method"]
    risk["n_obs"] = model["n_obs"]

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "securities": sec.reset_index(),
        "aliases": _aliases(sec),
        "benchmark": bench.rename_axis("ticker").reset_index(),
        "funds": funds,
        "fund_info": _with_estimates(fund_info, style_info),
        "style": style_weights,
        "risk": risk.rename_axis("ticker").reset_index(),
        "factor_cov": model["factor_cov"].rename_axis("factor").reset_index(),
        "factor_returns": model["factor_returns"].rename_axis("date").reset_index(),
    }
    for name, df in tables.items():
        df.to_parquet(out / f"{name}.parquet", index=False, compression="zstd")
    manifest = _manifest(raw, sec, bench, bench_info, cap_info, fund_info, model, params)
    manifest["rates"] = _rates(raw.etf_daily(), asof)
    manifest["dividend_yields"] = universe.dividend_record(sec, bench)
    manifest["style"] = style_info.attrs["record"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return manifest


def _rates(prices: pd.DataFrame, asof: pd.Timestamp) -> dict:
    """Risk-free rate at the snapshot date, for option pricing.

    ``^IRX`` is the 13-week Treasury bill's discount yield in percent. It is converted to the
    bill's investment (money-market) yield ``365 d / (360 - 91 d)`` and then to a continuously
    compounded rate ``ln(1 + y 91/365) 365/91``. ``^TNX`` (10-year yield, percent) is kept as a
    fact.
    """
    irx = prices["^IRX"].loc[:asof].dropna()
    tnx = prices["^TNX"].loc[:asof].dropna()
    d = float(irx.iloc[-1]) / 100.0
    y = 365.0 * d / (360.0 - 91.0 * d)
    cont = float(np.log1p(y * 91.0 / 365.0) * 365.0 / 91.0)
    return {
        "date": str(irx.index[-1].date()),
        "t_bill_13w_discount_yield": d,
        "risk_free_continuous": cont,
        "treasury_10y_yield": float(tnx.iloc[-1]) / 100.0,
        "source": "^IRX and ^TNX in prices/daily_etfs_1993-2026.parquet",
        "method": "13-week bill discount yield -> investment yield 365d/(360-91d) -> "
        "continuously compounded ln(1 + y 91/365) 365/91",
    }


def _risk_model_record(model: dict, params: riskmodel.ModelParams) -> dict:  # type: ignore[type-arg]
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
    }


def _manifest(raw, sec, bench, bench_info, cap_info, fund_info, model, params) -> dict:  # type: ignore[no-untyped-def]
    method_counts = model["method"].value_counts().to_dict()
    return {
        "format_version": FORMAT_VERSION,
        "snapshot_date": SNAPSHOT_DATE,
        "built_with": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "counts": {
            "securities": int(len(sec)),
            "stocks": int((~sec["is_etf"]).sum()),
            "etfs": int(sec["is_etf"].sum()),
            "benchmark_members": int(len(bench)),
            "funds_with_lookthrough": int(len(fund_info)),
            "size_buckets": sec["size"].value_counts().to_dict(),
            "risk_model_methods": {str(k): int(v) for k, v in method_counts.items()},
        },
        "prices": {
            "date": SNAPSHOT_DATE,
            "method": "last adjusted close on or before the snapshot date, at most "
            f"{universe.MAX_PRICE_AGE_DAYS} days old; monthly file's last row for names with "
            "only monthly prices",
            "price_dates": sec["price_date"].dt.strftime("%Y-%m-%d").value_counts().to_dict(),
            "without_price": sorted(sec.index[sec["price"].isna()]),
        },
        "market_caps": {
            "method": "sp500_financials market cap (whole company) x snapshot price / file price; "
            "blanks filled from the S&P 500 weight; none for non-S&P 500 names",
            "filled_from_benchmark": cap_info,
            "known": int(sec["market_cap"].notna().sum()),
        },
        "size_buckets": "mega: market cap >= $200B; large: other S&P 500 members (or cap >= "
        "$10B); mid: S&P 400; small: S&P 600 and Russell 2000 members; fund: ETFs",
        "value_score": "percentile rank of book-to-price among S&P 500 members mapped to [-1, 1] "
        "(+1 = deepest value); blank for negative book value and non-S&P 500 names",
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
