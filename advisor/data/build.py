"""``advisor data build``: derive the embedded market snapshot from ``../shared/data``.

Writes to ``advisor/data/snapshot/`` (or ``out``):

* ``securities.parquet``  the security master (one row per canonical ticker)
* ``aliases.parquet``     other spellings that resolve to a ticker (renames)
* ``benchmark.parquet``   S&P 500 weights on the snapshot date
* ``funds.parquet``       fund look-through weights (fund, ticker, weight)
* ``fund_info.parquet``   per fund: source, file date, method, covered weight and file checks
* ``risk.parquet``        factor exposures, specific variance and estimation method per security
* ``factor_cov.parquet``  annualised factor covariance
* ``factor_returns.parquet`` daily factor returns since 1993 (for scenario replays)
* ``manifest.json``       sources with hashes, dates, parameters, counts, checks, licence notes
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advisor.data import (
    assets,
    etfs,
    foreign,
    fundfiles,
    market_wide,
    riskmodel,
    style,
    twins,
    universe,
)
from advisor.data import manifest as snapshot_manifest
from advisor.data.names import names_match
from advisor.data.sources import FUND_JSON_DIR, IWM_CSV, QQQ_CSV, RawData
from advisor.holdings.tickers import RENAMES, resolve

SNAPSHOT_DATE = "2026-07-14"
SNAPSHOT_DIR = Path(__file__).parent / "snapshot"
JSON_FILE_DATE = "2025-11-18"  # the JSON files match the iShares IVV CSV of that date


def _fund_lookthrough(
    raw: RawData, sec: pd.DataFrame, old: pd.Index, bench: pd.Series, asof: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Look-through weights for every fund with a holdings source, the per-fund record, and the
    foreign lines of the international funds (for their security rows)."""
    rows, info = _benchmark_funds(bench, asof)
    resolver = _first_files_resolver(raw, sec, old)
    for fund, holdings, rel, date, growth in _fund_files(raw, sec, asof):
        w, rec = universe.look_through_file(holdings, fund, date, sec, growth, resolver)
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
    dates = {d for _, d, _, _ in raw.holdings_files()}
    growth_for = {d: _growth(raw, d, asof, new_first=True) for d in dates}
    new_rows, new_info, foreign_lines = fundfiles.build_files(raw, sec, growth_for)
    skipped = [f for f in raw.json_funds() if f not in sec.index]
    skipped += [f for f, _, _, _ in raw.holdings_files() if f not in sec.index]
    table = pd.concat([*rows, new_rows], ignore_index=True)
    fi = pd.DataFrame(info + new_info).set_index("fund")
    fi.attrs["skipped"] = skipped
    return table, fi, foreign_lines


def _first_files_resolver(raw: RawData, sec: pd.DataFrame, old: pd.Index):  # type: ignore[no-untyped-def]
    """Resolution for the first snapshot's fund files: by ticker among the first snapshot's
    stocks, as before; a ticker only the whole market knows counts when the names match too
    (junk lines of the JSON files carry foreign tickers that collide with US ones)."""
    first = set(old[~sec.loc[old, "is_etf"]])
    others = set(sec.index[sec["kind"].isin(("stock", "other"))]) - first
    names = raw.us_symbols()["name"]

    def resolver(ticker: str, name: str) -> str | None:
        t = resolve(ticker, first, RENAMES)
        if t is not None:
            return t
        t = resolve(ticker, others, RENAMES)
        return t if t is not None and names_match(name, names.get(t)) else None

    return resolver


def _growth(raw: RawData, date: str, asof: pd.Timestamp, new_first: bool) -> pd.Series:
    """Gross returns from ``date`` to ``asof``: the first snapshot's (S&P 1500 daily, then
    monthly) and the whole market's daily ones, ``new_first`` deciding which wins (the values
    agree where both have daily prices). A file dated after the snapshot is used as published:
    every gross return is 1."""
    if pd.Timestamp(date) > asof:
        tickers = raw.daily().columns.union(raw.daily_all().columns).union(raw.monthly().columns)
        return pd.Series(1.0, index=tickers)
    first, whole = (
        raw._memo(  # each file date's growth is computed once per build
            f"growth {which} {date} {asof.date()}",
            lambda d=daily: universe.growth_between(d, raw.monthly(), date, asof),
        )
        for which, daily in (("first", raw.daily()), ("whole", raw.daily_all()))
    )
    return whole.combine_first(first) if new_first else first.combine_first(whole)


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
    g_json = _growth(raw, JSON_FILE_DATE, asof, new_first=False)
    sources: list[tuple] = [  # type: ignore[type-arg]
        ("IWM", raw.ishares_csv(IWM_CSV), IWM_CSV, "2026-05-05",
         _growth(raw, "2026-05-05", asof, new_first=False)),
        ("QQQ", raw.invesco_csv(QQQ_CSV), QQQ_CSV, "2025-09-24",
         _growth(raw, "2025-09-24", asof, new_first=False)),
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
    old = sec.copy()
    sec, wide_info = market_wide.extend(raw, sec, asof)
    mf_names = twins.mutual_fund_names(raw)
    twin_new, twin_table = twins.twin_rows(sec, mf_names)
    sec = pd.concat([sec, twin_new])
    funds, fund_info, members = _fund_lookthrough(raw, sec, old.index, bench, asof)
    sec = pd.concat([sec, foreign.foreign_rows(members)])
    sec = sec.loc[sorted(sec.index)].rename_axis("ticker")
    asset_info = _classify(raw, sec, members, funds, old, asof)
    market_wide.size_new(sec, sec.index.difference(old.index))
    model = _risk_model(raw, sec, asof, params)
    style_weights, style_info = style.estimate_lookthrough(raw, sec, list(fund_info.index), asof)
    extra = {
        "market_wide": wide_info,
        "asset_classes": asset_info,
        "twins": twin_table,
        "foreign_lines": members[members["id"].str.startswith(foreign.FOREIGN_PREFIX)],
        "mutual_funds": mf_names,
        "snapshot_date": SNAPSHOT_DATE,
        "style": (style_weights, style_info),
    }
    return _write(Path(out), raw, sec, bench, funds, fund_info, model, params,
                  (bench_info, cap_info, extra))  # fmt: skip


def _classify(
    raw: RawData,
    sec: pd.DataFrame,
    members: pd.DataFrame,
    funds: pd.DataFrame,
    old: pd.DataFrame,
    asof: pd.Timestamp,
) -> dict:
    """Set ``asset_class`` and ``bond_duration`` (in place); return the manifest's record."""
    window = raw.daily_all().loc[:asof].iloc[-(riskmodel.ModelParams().window_days + 1) :]
    fund_cols = [t for t in sec.index[sec["is_etf"]] if t in window.columns]
    proxies = list(assets.STYLE_PROXIES)
    r = window[sorted(set(fund_cols) | set(proxies))].pct_change(fill_method=None).iloc[1:]
    r = r.mask(r.abs() > riskmodel.ModelParams().max_abs_daily_return)
    holders = _international_holders(sec, members)
    names = raw.us_symbols()["name"]
    table, record = assets.classify(sec, names, funds, holders, r, window["^TNX"], old, asof)
    sec["asset_class"] = table["asset_class"]
    sec["bond_duration"] = table["bond_duration"]
    return record


def _international_holders(sec: pd.DataFrame, members: pd.DataFrame) -> dict[str, set[str]]:
    """US listings (and ADRs) held by the international funds' files: ticker -> those funds
    (zero-weight lines count: the fund holds the company)."""
    intl = [f for f in members["fund"].unique() if fundfiles.is_international(sec.at[f, "name"])]
    lines = members[
        members["fund"].isin(intl) & ~members["id"].str.startswith(foreign.FOREIGN_PREFIX)
    ]
    return {t: set(g["fund"]) for t, g in lines.groupby("id")}


def _risk_model(
    raw: RawData, sec: pd.DataFrame, asof: pd.Timestamp, params: riskmodel.ModelParams
) -> dict:
    """The factor model for every security with prices (not foreign lines, not twins), then the
    twins' rows copied from their ETFs."""
    has_row = sec.index[sec["kind"].ne("foreign") & sec["twin"].isna()]
    daily = raw.daily_all().drop(columns=["^IRX", "^TNX"], errors="ignore")
    first = raw.daily()
    extra = [c for c in first.columns if c not in daily.columns and c in has_row]
    window = first.index[first.index <= asof][-(params.window_days + 1) :]
    panel = pd.concat([daily.reindex(window), first.loc[window, extra]], axis=1)
    model: dict[str, Any] = riskmodel.estimate(
        panel, raw.monthly(), raw.etf_daily(), sec.loc[has_row], asof, params
    )
    twin_of = sec.loc[sec["twin"].notna(), "twin"]
    for key in ("exposures", "specific_var", "n_obs", "shrink_weight"):
        copied = model[key].reindex(twin_of.to_numpy())
        copied.index = twin_of.index
        model[key] = pd.concat([model[key], copied])
    model["method"] = pd.concat([model["method"], pd.Series("twin", index=twin_of.index)])
    return model


def _write(out, raw, sec, bench, funds, fund_info, model, params, infos) -> dict:  # type: ignore[no-untyped-def]
    """Write every table and the manifest; return the manifest."""
    bench_info, cap_info, extra = infos
    risk = model["exposures"].copy()
    risk["specific_var"] = model["specific_var"]
    risk["method"] = model["method"]
    risk["n_obs"] = model["n_obs"]
    risk["shrink_weight"] = model["shrink_weight"]
    risk = risk.loc[sorted(risk.index)]
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "securities": sec.reset_index(),
        "aliases": _aliases(sec),
        "benchmark": bench.rename_axis("ticker").reset_index(),
        "funds": funds,
        "fund_info": _with_estimates(fund_info, extra["style"][1]),
        "style": extra["style"][0],
        "risk": risk.rename_axis("ticker").reset_index(),
        "factor_cov": model["factor_cov"].rename_axis("factor").reset_index(),
        "factor_returns": model["factor_returns"].rename_axis("date").reset_index(),
        "twins": extra["twins"].reset_index(),
        "mutual_funds": extra["mutual_funds"],
    }
    for name, df in tables.items():
        df.to_parquet(out / f"{name}.parquet", index=False, compression="zstd")
    manifest = snapshot_manifest.manifest(
        raw, sec, bench, bench_info, cap_info, fund_info, model, params, extra
    )
    manifest["rates"] = _rates(raw.etf_daily(), pd.Timestamp(SNAPSHOT_DATE))
    manifest["dividend_yields"] = universe.dividend_record(sec, bench)
    manifest["style"] = extra["style"][1].attrs["record"]
    manifest["size_bytes"] = sum(p.stat().st_size for p in out.glob("*.parquet"))
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
