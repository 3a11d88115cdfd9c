"""Build step, part 1: the security master, the benchmark and the fund look-through weights.

Every table is derived from the raw files in ``../shared/data`` (see :mod:`advisor.data.sources`);
the methods are stated next to the code and repeated in the manifest and the README.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from advisor.data import etfs
from advisor.data.sources import (
    IVV_CSV,
    IWM_CSV,
    NDX,
    SP400,
    SP600,
    RawData,
    last_price,
    sector_name,
)
from advisor.holdings.tickers import RENAMES, resolve

#: Size buckets by market cap (USD) and index membership.
MEGACAP_MIN = 200e9
#: Prices older than this many days at the snapshot date are not used.
MAX_PRICE_AGE_DAYS = 7
#: The financials file whose dividend yields the snapshot keeps, and the largest yield taken as a
#: fact (a trailing yield above it would be a data error or a one-off special dividend).
DIVIDEND_FILE = "2026-08-22"
MAX_DIVIDEND_YIELD = 0.20

_NON_EQUITY_WORDS = ("CASH", "MONEY MARKET", "US DOLLAR", "FUTURE", "EMINI", "COLLATERAL", " DEC2")


def build_securities(raw: RawData, asof: pd.Timestamp) -> pd.DataFrame:
    """The security master: one row per canonical ticker.

    Columns: name, sector (GICS or 'Fund'), asset_class, company (company id: CIK for S&P 500
    members so that GOOGL and GOOG are one company, else the ticker), market_cap (USD, whole
    company, NaN when unknown), market_cap_source, size (mega/large/mid/small/fund), value_score,
    price, price_date, in_sp500, in_sp400, in_sp600, in_iwm, is_etf, has_daily, dividend_yield
    (trailing, a fraction; NaN where unknown).
    """
    mem = raw.membership()
    daily, monthly = raw.daily(), raw.monthly()
    tickers = [t for t in mem.index if not t.startswith("^")]
    lists = raw.sp500_lists()
    current = lists["2026-08-08"]
    ever500 = pd.concat([lists[k] for k in sorted(lists, reverse=True)])
    ever500 = ever500[~ever500.index.duplicated()]
    extra = [
        t for t in current.index.union(raw.ishares_csv(IVV_CSV)["ticker"]) if t not in mem.index
    ]
    extra = [t for t in extra if t in current.index]  # S&P 500 members with no prices (UPS, GWW)
    extra += ["SPYM"]
    sec = pd.DataFrame(index=pd.Index(sorted(set(tickers) | set(extra)), name="ticker"))

    flags = mem.reindex(sec.index)
    sec["in_sp500"] = sec.index.isin(current.index)
    sec["in_sp400"] = flags["in_sp400_2026-04"].fillna(False).astype(bool)
    sec["in_sp600"] = flags["in_sp600_2026-04"].fillna(False).astype(bool)
    sec["in_iwm"] = flags["in_iwm_2026-05"].fillna(False).astype(bool)
    sec["is_etf"] = sec.index.isin(list(etfs.ETFS))
    sec["has_daily"] = sec.index.isin(daily.columns)

    sec["name"], sec["sector"] = _names_and_sectors(raw, sec.index, ever500)
    sec["asset_class"] = [etfs.ETFS[t][1] if t in etfs.ETFS else "US equity" for t in sec.index]
    sec["company"] = [
        str(int(ever500.at[t, "CIK"])) if t in ever500.index else t for t in sec.index
    ]
    px = _snapshot_prices(daily, monthly, asof)
    sec["price"] = px["price"].reindex(sec.index).astype("float64").round(4)
    sec["price_date"] = px["price_date"].reindex(sec.index)
    cap, source, value = _caps_and_value(raw, sec, asof, daily)
    sec["market_cap"], sec["market_cap_source"], sec["value_score"] = cap, source, value
    sec["size"] = _size_bucket(sec)
    sec["dividend_yield"] = dividend_yields(raw, sec)
    return sec


def _names_and_sectors(raw: RawData, index: pd.Index, ever500: pd.DataFrame):  # type: ignore[no-untyped-def]
    """Names and GICS sectors, from the most reliable source that has the ticker.

    Order: S&P 500 constituent lists (newest first), the iShares IWM file, the issuers' JSON files
    of IJH, IJR, VB, VO, VTI (their sector column, where it is a GICS sector), then the S&P 400/600
    and Nasdaq-100 lists for names. ETFs get sector 'Fund'.
    """
    names = pd.Series(np.nan, index=index, dtype=object)
    sectors = pd.Series(np.nan, index=index, dtype=object)
    sources = [ever500.rename(columns={"Security": "name", "GICS Sector": "sector"})]
    iwm = raw.ishares_csv(IWM_CSV)
    sources.append(iwm[iwm["equity"]].drop_duplicates("ticker").set_index("ticker"))
    for fund in ("IJH", "IJR", "VB", "VO", "VTI"):
        j = raw.fund_json(fund).drop_duplicates("ticker").set_index("ticker")
        sources.append(j)
    for rel in (SP400, SP600, NDX):
        sources.append(raw.simple_list(rel).rename(columns={"Company": "name"}))
    for src in sources:
        src = src.reindex(index)
        if "name" in src:
            names = names.fillna(src["name"])
        if "sector" in src:
            sectors = sectors.fillna(src["sector"].map(sector_name))
    for t, (name, _) in etfs.ETFS.items():
        if t in index:
            names[t], sectors[t] = name, "Fund"
    sectors = sectors.fillna("Unknown")
    names = names.fillna(pd.Series(index, index=index))
    return names.astype(str).str.strip(), sectors.astype(str)


def _snapshot_prices(
    daily: pd.DataFrame, monthly: pd.DataFrame, asof: pd.Timestamp
) -> pd.DataFrame:
    """Close on the snapshot date, or the last close within a week before it.

    Daily prices first; names with only monthly prices (Russell 2000 members outside the S&P 1500)
    take the monthly file's last row, which holds the close of 2026-07-14 for the partial month.
    """
    d = last_price(daily, asof, MAX_PRICE_AGE_DAYS)
    m = monthly.loc[: asof + pd.offsets.MonthEnd(0)].iloc[-1:]
    m_px = pd.DataFrame({"price": m.iloc[0], "price_date": asof})
    only_monthly = m_px.index.difference(d.index[d["price"].notna()])
    return pd.concat([d[d["price"].notna()], m_px.loc[only_monthly].dropna(subset=["price"])])


def _caps_and_value(raw: RawData, sec: pd.DataFrame, asof: pd.Timestamp, daily: pd.DataFrame):  # type: ignore[no-untyped-def]
    """Market cap at the snapshot date and a value score, for S&P 500 names (newest financials).

    Market cap = the financials file's market cap (whole company, all share classes) x snapshot
    price / the file's price: the share count is held constant between the two dates. Names that
    have no financials line keep NaN (their size bucket comes from index membership).
    Value score = percentile rank of book-to-price (1 / P/B) across the S&P 500, mapped to
    [-1, 1] (-1 most growth, +1 most value); NaN for negative book value and non-S&P 500 names.
    """
    fin = raw.sp500_financials()
    cap = pd.Series(np.nan, index=sec.index)
    source = pd.Series("unknown: size from index membership", index=sec.index, dtype=object)
    pb = pd.Series(np.nan, index=sec.index)
    for date in sorted(fin):  # newest last, so it wins
        f = fin[date].reindex(sec.index)
        ok = f["Market Cap"].notna() & f["Price"].gt(0) & sec["price"].notna()
        scaled = f["Market Cap"] * sec["price"] / f["Price"]
        cap[ok] = scaled[ok]
        source[ok] = f"sp500_financials_{date} scaled by price to {asof.date()}"
        pb[f["Price/Book"].notna()] = f["Price/Book"][f["Price/Book"].notna()]
    bp = (1.0 / pb).where(pb > 0)
    bp = bp.where(sec["in_sp500"])
    value = 2.0 * bp.rank(pct=True) - 1.0
    return cap, source, value


def dividend_yields(raw: RawData, sec: pd.DataFrame) -> pd.Series:
    """Trailing dividend yield at the snapshot date, a fraction (0.0175 = 1.75 %), per stock.

    From the ``Dividend Yield`` column of the S&P 500 financials file of :data:`DIVIDEND_FILE`,
    which is a fraction of that file's price; carried to the snapshot price with the dividend held
    constant (``y x file price / snapshot price``). A line with a price and a blank yield is a
    company that pays no dividend (0: AMZN, TSLA, ...); a line without a price, a name without a
    line (mid and small caps, funds) and a yield over :data:`MAX_DIVIDEND_YIELD` are unknown
    (NaN). A fund's yield is its look-through average (``Market.dividend_yield``).
    """
    f = raw.sp500_financials()[DIVIDEND_FILE]
    f = f[~f.index.duplicated()].reindex(sec.index)
    priced = f["Price"].gt(0) & sec["price"].gt(0)
    y = f["Dividend Yield"].fillna(0.0).where(priced) * f["Price"] / sec["price"]
    return y.where(y.between(0.0, MAX_DIVIDEND_YIELD)).astype("float64").rename("dividend_yield")


def dividend_record(sec: pd.DataFrame, bench: pd.Series) -> dict:
    """What the manifest says about the dividend yields: source, method, counts, the benchmark's."""
    y = sec["dividend_yield"]
    known = y.reindex(bench.index).notna()
    return {
        "source": f"securities/sp500_financials_{DIVIDEND_FILE}.csv, column Dividend Yield "
        "(a fraction of the file's price)",
        "method": "trailing yield x file price / snapshot price (dividend held constant); a "
        "priced line with a blank yield pays none (0); no line, no price or a yield over "
        f"{MAX_DIVIDEND_YIELD:.0%}: unknown (NaN); a fund's yield is its look-through weighted "
        "average over the constituents with a known yield",
        "known": int(y.notna().sum()),
        "non_payers": int((y == 0).sum()),
        "max": float(y.max()),
        "benchmark_yield": float((bench[known] * y.reindex(bench.index)[known]).sum())
        / float(bench[known].sum()),
        "benchmark_weight_known": float(bench[known].sum()),
    }


def _size_bucket(sec: pd.DataFrame) -> pd.Series:
    """mega (cap >= $200B), large (other S&P 500), mid (S&P 400), small (S&P 600, Russell 2000)."""
    size = pd.Series("small", index=sec.index, dtype=object)
    size[sec["in_sp400"]] = "mid"
    size[sec["in_sp500"] | (sec["market_cap"] >= 10e9)] = "large"
    size[sec["market_cap"] >= MEGACAP_MIN] = "mega"
    size[sec["is_etf"]] = "fund"
    return size


def fill_caps_from_benchmark(sec: pd.DataFrame, bench: pd.Series) -> dict:
    """Market caps of S&P 500 members the financials file leaves blank (BRK.B among them).

    cap = company benchmark weight x k, with k = median(cap / company weight) over the members
    whose cap is known (the index's total cap per unit of weight; float adjustment makes it an
    estimate). Size buckets are recomputed. Returns what was filled, for the manifest.
    """
    cw = bench.groupby(sec["company"].reindex(bench.index)).sum()
    company_w = sec["company"].map(cw)
    known = sec["market_cap"].notna() & company_w.gt(0)
    k = float((sec.loc[known, "market_cap"] / company_w[known]).median())
    fill = sec["in_sp500"] & sec["market_cap"].isna() & company_w.gt(0)
    sec.loc[fill, "market_cap"] = company_w[fill] * k
    sec.loc[fill, "market_cap_source"] = "implied by S&P 500 weight (index cap per weight, median)"
    sec["size"] = _size_bucket(sec)
    return {"filled": sorted(sec.index[fill]), "usd_per_unit_weight": k}


# ----------------------------------------------------------------------------------------------
# Benchmark and fund look-through
# ----------------------------------------------------------------------------------------------
def drift(weights: pd.Series, growth: pd.Series) -> pd.Series:
    """Carry holdings weights from the file date to the snapshot date by price.

    ``w_i(T) = w_i(0) * g_i / sum_j w_j(0) g_j * sum_j w_j(0)``, with ``g`` the gross total
    return between the two dates (adjusted closes): exact for a fund that kept its share counts,
    and the weight the file does not cover keeps its share. Names with no growth figure are
    assumed to have moved with the rest (the weighted mean growth).
    """
    g = growth.reindex(weights.index)
    mean_g = float((weights * g).sum() / weights[g.notna()].sum())
    g = g.fillna(mean_g)
    moved = weights * g
    return moved / moved.sum() * weights.sum()


def holdings_growth(weights: pd.Series, growth: pd.Series) -> float:
    """Gross return of a fixed set of holdings (weights renormalised over the priced names)."""
    g = growth.reindex(weights.index)
    ok = g.notna()
    return float((weights[ok] * g[ok]).sum() / weights[ok].sum())


def growth_between(
    daily: pd.DataFrame, monthly: pd.DataFrame, start: str, end: pd.Timestamp
) -> pd.Series:
    """Gross return from the close on/before ``start`` to the close on/before ``end``."""
    s = pd.Timestamp(start)
    a = last_price(daily, s, MAX_PRICE_AGE_DAYS)["price"]
    b = last_price(daily, end, MAX_PRICE_AGE_DAYS)["price"]
    g = (b / a).dropna()
    m = monthly.ffill()
    ma = m.loc[:s].iloc[-1]
    mb = m.loc[: end + pd.offsets.MonthEnd(0)].iloc[-1]
    mg = (mb / ma).dropna()
    return pd.concat([g, mg[mg.index.difference(g.index)]])


def build_benchmark(raw: RawData, sec: pd.DataFrame, asof: pd.Timestamp) -> tuple[pd.Series, dict]:
    """S&P 500 weights on the snapshot date from the iShares IVV file of 2025-11-18.

    Equity lines of the file (float-adjusted weights), tickers resolved to the snapshot, carried
    to the snapshot date by price with :func:`drift` (IVV's own return as the fund return), then
    normalised to sum to 1 (the index holds no cash). Lines that do not resolve are reported.
    """
    ivv = raw.ishares_csv(IVV_CSV)
    eq = ivv[ivv["equity"]]
    known = set(sec.index)
    eq = eq.assign(resolved=[resolve(t, known, RENAMES) for t in eq["ticker"]])
    unresolved = eq[eq["resolved"].isna()]
    w = eq.dropna(subset=["resolved"]).groupby("resolved")["weight"].sum()
    growth = growth_between(raw.daily(), raw.monthly(), "2025-11-18", asof)
    w = drift(w, growth)
    no_price = sorted(set(w.index) - set(growth.index))
    w = w / w.sum()
    info = {
        "source": IVV_CSV,
        "file_date": "2025-11-18",
        "method": "float-adjusted IVV equity weights (from market values) carried to the snapshot "
        "date by price (w_i * g_i / sum w_j g_j), renormalised to sum to 1",
        "members": int(len(w)),
        "no_price_moved_with_index": no_price,
        "unresolved_lines": unresolved["ticker"].tolist(),
        "file_equity_weight": float(eq["weight"].sum()),
    }
    return w.rename("weight"), info


def _classify_unresolved(rows: pd.DataFrame) -> tuple[float, float]:
    """Split unresolved weight into (cash/derivatives/junk, unmapped equity)."""
    text = (rows["ticker"].astype(str) + " " + rows["name"].astype(str)).str.upper()
    words = text.map(lambda s: any(w in s for w in _NON_EQUITY_WORDS)).astype(bool)
    non_eq = ~rows["equity"].astype(bool) | words
    non_eq |= rows["ticker"].isin(["-", "NAN", ""])
    return float(rows.loc[non_eq, "weight"].sum()), float(rows.loc[~non_eq, "weight"].sum())


def look_through_file(
    holdings: pd.DataFrame,
    fund: str,
    file_date: str,
    sec: pd.DataFrame,
    growth: pd.Series,
    resolver: Callable[[str, str], str | None] | None = None,
) -> tuple[pd.Series, dict]:
    """Resolve, check, aggregate and drift one fund's holdings file.

    Returns the constituent weights at the snapshot date (fractions of the fund) and a record of
    the checks: lines, junk lines, duplicate tickers, weight sum, cash/derivatives weight and the
    equity weight that could not be mapped (the part of the fund the snapshot cannot see).
    ``resolver(ticker, name)`` replaces the ticker-only resolution against ``sec``'s stocks.
    """
    if resolver is None:
        known = set(sec.index[~sec["is_etf"]])
        resolved = [resolve(t, known, RENAMES) for t in holdings["ticker"]]
    else:
        resolved = [
            resolver(t, n) for t, n in zip(holdings["ticker"], holdings["name"], strict=True)
        ]
    h = holdings.assign(resolved=resolved)
    junk = int((h["weight"].fillna(0) == 0).sum())
    h = h[h["weight"].fillna(0) != 0]
    dups = int(h["resolved"].dropna().duplicated().sum())
    non_equity, unmapped = _classify_unresolved(h[h["resolved"].isna()])
    w = h.dropna(subset=["resolved"]).groupby("resolved")["weight"].sum()
    fund_growth = float(growth.get(fund, np.nan))
    gap = holdings_growth(w, growth) / fund_growth - 1.0 if np.isfinite(fund_growth) else np.nan
    w = drift(w, growth)
    total = float(holdings["weight"].sum())
    info = {
        "fund": fund,
        "file_date": file_date,
        "lines": int(len(holdings)),
        "zero_or_blank_lines": junk,
        "duplicate_tickers_aggregated": dups,
        "file_weight_sum": round(total, 6),
        "cash_derivatives_weight": round(non_equity, 6),
        "unmapped_equity_weight": round(unmapped, 6),
        "constituents": int(len(w)),
        "covered_weight": float(w.sum()),
        "holdings_vs_fund_return_gap": round(gap, 4),
    }
    return w, info
