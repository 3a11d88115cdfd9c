"""Build step, part 1b: the rest of the US market, every listing with a year of daily prices.

:mod:`advisor.data.universe` builds the S&P 1500 / Russell 2000 / ETF security master of the first
snapshot; this module adds every other ticker of ``prices/daily_us_all_2023-2026.parquet`` with at
least :data:`MIN_CLOSES` daily closes (stocks, ETFs, closed-end funds, mutual funds and other
listings such as preferreds, notes, units and warrants) **without changing any fact of the
existing rows**: it only adds columns (``kind``, ``exchange``, ``in_iwb``) to them, and fills their
sector where the first build left it ``Unknown``.

Facts of the new rows, by rule:

* ``kind`` and ``exchange`` from ``securities/us_symbols.csv``; the existing rows are ``stock``
  (index members) or ``etf``. ``is_etf`` is True for every fund (etf, closed_end, mutual_fund).
* ``name``: funds and other listings as in the directory; stocks without the directory's
  share-type suffix (:func:`advisor.data.names.display_name`: "Apple Inc. Common Stock" ->
  "Apple Inc.").
* ``sector``: funds ``Fund``; stocks the GICS sector of a holdings file that lists their ticker
  (:data:`SECTOR_FILES`, most reliable first; the international iShares files only where the
  line's name matches too, or through the ADR table of :mod:`advisor.data.foreign`), else
  ``Unknown``; other listings ``Unknown``.
* ``price``: the last close within a week of the snapshot date (as for the existing rows).
* ``company``: the ticker, except share classes of one company (same normalised issuer name,
  tickers that differ in a class letter: BRK-A joins BRK-B), which share the existing or first
  ticker's id, and its sector and whole-company market cap.
* ``in_iwb``: a line of the iShares Russell 1000 file of 2026-07-17; for new stocks in it the
  ``market_cap`` is implied by its weight (``w x k``, ``k`` the median cap per unit of IWB
  weight over the S&P 500 members whose cap is known; float-adjusted, so an estimate).
* ``size``: from that cap for Russell 1000 names (mega >= $200B, large >= $10B, else mid);
  ``micro`` for other US-equity stocks (outside the Russell 1000/2000 and S&P 1500 lists: micro
  caps and listings since the lists' dates); ``unknown`` for international stocks (ADRs and
  foreign companies listed in the US) and other listings; ``fund`` for funds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.data import foreign, universe
from advisor.data.names import display_name, normalise
from advisor.data.sources import HOLDINGS_DIR, IWM_CSV, RawData, last_price
from advisor.holdings.tickers import RENAMES, canonical, resolve

MIN_CLOSES = 252
FUND_KINDS = ("etf", "closed_end", "mutual_fund")
IWB_FILE = f"{HOLDINGS_DIR}/IWB_2026-07-17_ishares.csv"
SOXX_FILE = f"{HOLDINGS_DIR}/SOXX_2026-08-03_ishares.csv"
#: iShares US-equity JSON files whose sectors agree with the S&P lists on >= 99 % of the names
#: they share (the Vanguard and SPDR JSON files agree on 94-97 % only and are not used here).
ISHARES_JSON = ("ITOT", "IJR", "IJH", "IWM", "IWD", "IWF", "IVV", "LRGF", "USMV", "QUAL", "MTUM")
#: International iShares files: a sector only where the line's ticker AND name match.
INTERNATIONAL_ISHARES = tuple(
    f"{HOLDINGS_DIR}/{f}_2025-11-19_ishares.csv" for f in ("EFA", "IEMG", "IXUS")
)
SECTOR_FILES = (IWB_FILE, IWM_CSV, SOXX_FILE, *ISHARES_JSON, *INTERNATIONAL_ISHARES)
LARGE_MIN = 10e9


def eligible(raw: RawData) -> pd.Index:
    """Tickers of the whole-market file with at least :data:`MIN_CLOSES` closes (no indices)."""
    closes = raw.daily_all().notna().sum()
    sym = raw.us_symbols()
    kind = sym["kind"].reindex(closes.index)
    return closes.index[
        (closes >= MIN_CLOSES) & kind.ne("index") & ~closes.index.str.startswith("^")
    ]


def extend(raw: RawData, sec: pd.DataFrame, asof: pd.Timestamp) -> tuple[pd.DataFrame, dict]:
    """The security master with every eligible listing added; and a record for the manifest."""
    sym = raw.us_symbols()
    sec = sec.copy()
    sec["kind"] = np.where(sec["is_etf"], "etf", "stock")
    sec["exchange"] = sym["exchange"].reindex(sec.index)
    new = eligible(raw).difference(sec.index)
    rows = _new_rows(sym.reindex(new), raw.daily_all()[new], asof)
    out = pd.concat([sec, rows])
    out = out.loc[sorted(out.index)]
    out.index.name = "ticker"
    iwb = iwb_weights(raw, out)
    out["in_iwb"] = out.index.isin(iwb.index)
    filled = _sectors(raw, out, new)
    joined = join_share_classes(out, new, sym)
    cap_k = _iwb_caps(out, iwb, new)
    _inherit(out, joined)
    record = {
        "rule": f"every ticker of prices/daily_us_all_2023-2026.parquet with >= {MIN_CLOSES} "
        "daily closes (kind index excluded), added to the first snapshot's securities",
        "added": int(len(new)),
        "added_by_kind": rows["kind"].value_counts().to_dict(),
        "existing_unknown_sectors_filled": filled,
        "share_classes_joined": joined,
        "iwb_cap_usd_per_unit_weight": cap_k,
    }
    return out, record


def _new_rows(sym: pd.DataFrame, daily: pd.DataFrame, asof: pd.Timestamp) -> pd.DataFrame:
    """One row per new listing, with the existing columns' meanings."""
    kind = sym["kind"].fillna("other").astype(str)
    is_fund = kind.isin(FUND_KINDS)
    px = last_price(daily, asof, universe.MAX_PRICE_AGE_DAYS)
    names = [
        display_name(n, t) if k == "stock" else (n if isinstance(n, str) and n.strip() else t)
        for t, n, k in zip(sym.index, sym["name"], kind, strict=True)
    ]
    rows = pd.DataFrame(index=sym.index)
    for flag in ("in_sp500", "in_sp400", "in_sp600", "in_iwm"):
        rows[flag] = False
    rows["is_etf"] = is_fund.to_numpy()
    rows["has_daily"] = True
    rows["name"] = names
    rows["sector"] = np.where(is_fund, "Fund", "Unknown")
    rows["asset_class"] = None
    rows["company"] = rows.index
    rows["price"] = px["price"].reindex(rows.index).astype("float64").round(4)
    rows["price_date"] = px["price_date"].reindex(rows.index)
    rows["market_cap"] = np.nan
    rows["market_cap_source"] = "unknown"
    rows["value_score"] = np.nan
    rows["size"] = np.where(is_fund, "fund", "unknown")
    rows["dividend_yield"] = np.nan
    rows["kind"] = kind
    rows["exchange"] = sym["exchange"]
    return rows


def iwb_weights(raw: RawData, sec: pd.DataFrame) -> pd.Series:
    """Russell 1000 (IWB) equity weights by canonical ticker (fractions; iShares spelling
    resolved: BRKB -> BRK-B)."""
    h = raw.holdings_file(IWB_FILE)
    h = h[h["sector"].notna()]  # cash and futures lines carry no GICS sector
    known = set(sec.index[~sec["is_etf"]])
    h = h.assign(resolved=[resolve(t, known, RENAMES) for t in h["ticker"]])
    return h.dropna(subset=["resolved"]).groupby("resolved")["weight"].sum()


def _sector_sources(raw: RawData, known: set[str], names: pd.Series) -> list[pd.Series]:
    """ticker -> GICS sector from each of :data:`SECTOR_FILES`, in order."""
    out = []
    for rel in SECTOR_FILES:
        if rel in ISHARES_JSON:
            df = raw.fund_json(rel)
        elif rel == IWM_CSV:
            df = raw.ishares_csv(rel)
        else:
            df = raw.holdings_file(rel)
        df = df[df["sector"].notna()]
        resolved = [resolve(canonical(t), known, RENAMES) for t in df["ticker"].astype(str)]
        if rel in INTERNATIONAL_ISHARES:  # ticker and name, or the ADR table
            resolved = [
                r if r is not None and foreign.same_company(t, n, names.get(r))
                else foreign.ADRS.get(normalise(n))
                for t, n, r in zip(df["ticker"].astype(str), df["name"], resolved, strict=True)
            ]  # fmt: skip
        df = df.assign(resolved=resolved).dropna(subset=["resolved"])
        out.append(df.drop_duplicates("resolved").set_index("resolved")["sector"])
    return out


def _sectors(raw: RawData, sec: pd.DataFrame, new: pd.Index) -> list[str]:
    """Fill the sector of new stocks, and of existing stocks left Unknown, in place."""
    stocks = sec.index[sec["kind"].eq("stock")]
    target = stocks[sec.loc[stocks, "sector"].eq("Unknown")]
    names = raw.us_symbols()["name"].reindex(sec.index).fillna(sec["name"])
    found = pd.Series(np.nan, index=target, dtype=object)
    for src in _sector_sources(raw, set(stocks), names):
        found = found.fillna(src.reindex(target))
    found = found.dropna()
    sec.loc[found.index, "sector"] = found
    return sorted(found.index.difference(new))


def join_share_classes(sec: pd.DataFrame, new: pd.Index, sym: pd.DataFrame) -> dict[str, str]:
    """Give new share classes of one company one company id (in place); {ticker: company}.

    Stocks with the same normalised issuer name whose tickers (dashes removed) agree but for the
    last letter of the shorter one (BRK-A/BRK-B, LBRDA/LBRDK, FOX/FOXA, Z/ZG) are one company;
    an existing row's id wins, else the shortest (then first) ticker's.
    """
    stocks = sec.index[sec["kind"].eq("stock")]
    issuer = sym["name"].reindex(stocks).fillna(sec.loc[stocks, "name"]).map(normalise)
    joined: dict[str, str] = {}
    for _, group in pd.Series(stocks, index=stocks).groupby(issuer.to_numpy()):
        members = sorted(group, key=lambda t: (t in new, len(t), t))
        if len(members) < 2 or not set(members) & set(new) or not issuer[members[0]]:
            continue
        lead = members[0]
        for t in members[1:]:
            if t in new and _share_class_tickers(lead, t):
                sec.at[t, "company"] = sec.at[lead, "company"]
                joined[t] = str(sec.at[lead, "company"])
    return joined


def _inherit(sec: pd.DataFrame, joined: dict[str, str]) -> None:
    """A joined share class takes its company's sector and (whole-company) market cap (in
    place), as GOOG and GOOGL do in the first snapshot."""
    lead = sec.reset_index().drop_duplicates("company").set_index("company")["ticker"]
    for t, company in joined.items():
        src = lead.get(company)
        if src is None or src == t:
            continue
        if sec.at[t, "sector"] == "Unknown":
            sec.at[t, "sector"] = sec.at[src, "sector"]
        if pd.notna(sec.at[src, "market_cap"]):
            sec.at[t, "market_cap"] = sec.at[src, "market_cap"]
            sec.at[t, "market_cap_source"] = f"the company's, as share class {src}"


def _share_class_tickers(a: str, b: str) -> bool:
    """True when two tickers differ only in a share-class letter (see :func:`join_share_classes`)."""
    x, y = a.replace("-", ""), b.replace("-", "")
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    common = len(short) - 1 if len(short) > 1 else 1
    return long_[:common] == short[:common] and len(long_) - len(short) <= 1


def _iwb_caps(sec: pd.DataFrame, iwb: pd.Series, new: pd.Index) -> float:
    """Market caps of new Russell 1000 stocks implied by their IWB weight (in place)."""
    company_w = iwb.groupby(sec["company"].reindex(iwb.index)).sum()
    w = sec["company"].map(company_w)
    known = sec["in_sp500"] & sec["market_cap"].notna() & w.gt(0)
    k = float((sec.loc[known, "market_cap"] / w[known]).median())
    fill = sec.index.isin(new) & sec["kind"].eq("stock") & w.gt(0)
    sec.loc[fill, "market_cap"] = w[fill] * k
    sec.loc[fill, "market_cap_source"] = (
        "implied by Russell 1000 (IWB 2026-07-17) weight (index cap per weight, median over "
        "S&P 500 members; float-adjusted estimate)"
    )
    return k


def size_new(sec: pd.DataFrame, new: pd.Index) -> None:
    """Size buckets of the new rows (in place; needs ``asset_class``): see the module docstring."""
    s = sec.loc[new]
    cap = s["market_cap"]
    size = pd.Series("unknown", index=new, dtype=object)
    us_stock = s["kind"].eq("stock") & s["asset_class"].eq("US equity")
    size[us_stock] = "micro"
    size[cap.notna()] = "mid"
    size[cap >= LARGE_MIN] = "large"
    size[cap >= universe.MEGACAP_MIN] = "mega"
    size[s["is_etf"]] = "fund"
    sec.loc[new, "size"] = size
