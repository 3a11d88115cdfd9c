"""Look-through of the fund holdings files of 2025-2026 (``funds/holdings_2025-2026``).

Every line of every file is accounted for in ``fund_info`` as exactly one of:

``zero``
    weight 0.00 or blank (the Vanguard files round weights to 2 decimals: thousands of small
    holdings show 0.00; their weight, 5-10 % of an international fund, stays unseen);
``cash``
    cash, currency, collateral, futures and other derivatives (the iShares sector "Cash and/or
    Derivatives", or the words of :data:`advisor.data.universe._NON_EQUITY_WORDS`): unseen, as
    for the first snapshot's funds;
``us``
    a US-listed security of the snapshot (by ticker, iShares spellings such as ``BRKB``
    resolved; in an international fund only when the name matches too, see
    :mod:`advisor.data.foreign`);
``adr``
    a foreign company mapped to its US ADR (:data:`advisor.data.foreign.ADRS`);
``fund``
    another fund: VXUS's line of VWO is VWO's own look-through; VNQ's line of VRTPX (Vanguard
    Real Estate II Index Fund, which tracks VNQ's index, MSCI US IMI Real Estate 25/50) is
    spread pro rata over VNQ's other lines (:data:`SAME_INDEX_FUNDS`);
``foreign``
    in an international fund, a foreign company of its own (``F:`` id);
``unmapped``
    an equity line that is none of these (a private stake, a ticker the snapshot lacks): unseen.

Weights are carried from the file date to the snapshot date by price (:func:`universe.drift`); a
line without a price (foreign companies, unlisted lines) moves with the fund's own price. Files
dated after the snapshot (IWB 2026-07-17, SOXX 2026-08-03, ARKK 2026-08-07) are used as
published: the prices end on 2026-07-14. The Vanguard and international iShares files carry no
date: 2025-11-19 is the commit date of their source, an upper bound; SMH's 2026-04-20 is inferred
from its market values (``SOURCES.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.data import assets, foreign, universe
from advisor.data.sources import RawData
from advisor.holdings.tickers import RENAMES, canonical, resolve

#: A fund line that is another fund tracking the same index as the holder: spread pro rata.
SAME_INDEX_FUNDS = {("VNQ", "VRTPX")}
#: A holdings file's return gap against its fund is reported only when at least this share of
#: the file is priced (international funds' lines mostly have no US price).
GAP_MIN_PRICED = 0.5
KINDS = ("zero", "cash", "us", "adr", "fund", "foreign", "unmapped")
_INTERNATIONAL = (assets.DEV, assets.EM)


def is_international(fund_name: object) -> bool:
    """True for a fund whose name says it holds non-US stocks (its lines carry local tickers)."""
    return assets.fund_class_from_name(fund_name) in _INTERNATIONAL


def classify_lines(
    h: pd.DataFrame, fund: str, sec: pd.DataFrame, international: bool
) -> pd.DataFrame:
    """The file's lines with ``kind`` (one of :data:`KINDS`) and ``id`` (the snapshot id; a
    zero-weight line keeps the id it would have, since it still says the fund holds it)."""
    stocks = set(sec.index[~sec["is_etf"] & sec["kind"].ne("foreign")])
    funds = set(sec.index[sec["is_etf"]])
    text = (h["ticker"] + " " + h["name"]).str.upper()
    non_eq = text.map(lambda s: any(w in s for w in universe._NON_EQUITY_WORDS))
    declared = h["sector_raw"].eq("Cash and/or Derivatives").to_numpy()
    kinds, ids = [], []
    for i, (ticker, name, weight) in enumerate(
        zip(h["ticker"], h["name"], h["weight"], strict=True)
    ):
        kind, sid = _line(ticker, name, fund, sec, stocks, funds, international)
        if not weight or not np.isfinite(weight):
            kind = "zero"  # keeps its id: the fund holds the company (for asset classes)
        elif declared[i] or (non_eq.iloc[i] and kind != "us"):
            kind, sid = "cash", None
        kinds.append(kind)
        ids.append(sid)
    return h.assign(kind=kinds, id=ids)


def _line(  # noqa: PLR0913
    ticker: str,
    name: str,
    fund: str,
    sec: pd.DataFrame,
    stocks: set[str],
    funds: set[str],
    international: bool,
) -> tuple[str, str | None]:
    t = canonical(ticker) if ticker else ""
    if (fund, t) in SAME_INDEX_FUNDS:
        return "fund", t
    held = resolve(t, funds, RENAMES) if t else None
    if held is not None and foreign.same_company(ticker, name, sec.at[held, "name"]):
        return "fund", held
    us = resolve(t, stocks, RENAMES) if t else None
    if us is not None and (
        not international or foreign.same_company(ticker, name, sec.at[us, "us_name"])
    ):
        return "us", us
    if international:
        adr = foreign.ADRS.get(foreign.normalise(name))
        if adr is not None:
            return "adr", adr
        fid = foreign.foreign_id(name)
        if fid is not None:
            return "foreign", fid
    return "unmapped", None


def look_through(
    lines: pd.DataFrame,
    fund: str,
    growth: pd.Series,
    nested: dict[str, pd.Series],
) -> pd.Series:
    """Constituent weights at the snapshot date (fractions of the fund) from classified lines.

    Weights of one id are summed; unpriced ids move with the fund (``growth[fund]``); a ``fund``
    line becomes its fund's look-through (``nested``) or, for a same-index fund, is spread pro
    rata over the other constituents.
    """
    keep = lines[lines["kind"].isin(("us", "adr", "fund", "foreign"))]
    w = keep.groupby("id")["weight"].sum()
    fund_g = growth.get(fund, np.nan)
    g = growth.reindex(w.index)
    if np.isfinite(fund_g):
        g = g.fillna(fund_g)
    w = universe.drift(w, g)
    fund_lines = keep.loc[keep["kind"].eq("fund"), "id"].unique()
    for held in fund_lines:
        share = float(w.pop(held))
        if (fund, held) in SAME_INDEX_FUNDS:
            w = w * (1.0 + share / float(w.sum()))
        elif held in nested:
            w = w.add(nested[held] * share, fill_value=0.0)
        # a fund line without look-through stays unseen (its weight is dropped)
    return w[w > 0].sort_index()


def record(
    lines: pd.DataFrame,
    w: pd.Series,
    fund: str,
    date: str,
    rel: str,
    growth: pd.Series,
) -> dict:
    """The fund_info row: lines and weight by kind, coverage, the return gap, source."""
    rec: dict = {"fund": fund, "source": rel, "file_date": date}
    rec["lines"] = int(len(lines))
    for kind in KINDS:
        part = lines[lines["kind"].eq(kind)]
        rec[f"lines_{kind}"] = int(len(part))
        rec[f"weight_{kind}"] = round(float(part["weight"].sum()), 6)
    rec["file_weight_sum"] = round(float(lines["weight"].sum()), 6)
    rec["cash_derivatives_weight"] = rec["weight_cash"]
    rec["unmapped_equity_weight"] = rec["weight_unmapped"]
    rec["constituents"] = int(len(w))
    rec["covered_weight"] = float(w.sum())
    priced = lines[lines["kind"].isin(("us", "adr"))]
    pw = priced.groupby("id")["weight"].sum()
    fund_g = growth.get(fund, np.nan)
    gap = np.nan
    if np.isfinite(fund_g) and pw.sum() >= GAP_MIN_PRICED * rec["file_weight_sum"]:
        gap = universe.holdings_growth(pw, growth) / fund_g - 1.0
    rec["holdings_vs_fund_return_gap"] = round(float(gap), 4)
    rec["method"] = (
        "issuer holdings (holdings_2025-2026): lines resolved to US listings, ADRs, other funds' "
        "look-through or foreign companies (F: ids), carried to the snapshot date by price"
    )
    return rec


def build_files(
    raw: RawData, sec: pd.DataFrame, growth_for: dict[str, pd.Series]
) -> tuple[pd.DataFrame, list[dict], pd.DataFrame]:
    """Look-through of every holdings_2025-2026 file whose fund the snapshot knows.

    ``growth_for`` maps a file date to the gross returns from it to the snapshot date. Returns the
    long table (fund, ticker, weight), the fund_info records, and every line with an id
    (fund, id, kind, name, sector, weight, zero-weight lines included): which funds hold which
    company, for the foreign security rows and the asset classes. Funds held by another file
    are computed first, so that the holder can use their look-through.
    """
    sec = sec.assign(us_name=raw.us_symbols()["name"].reindex(sec.index).fillna(sec["name"]))
    files = [f for f in raw.holdings_files() if f[0] in sec.index]
    classified = {}
    for fund, _, _, rel in files:
        intl = is_international(sec.at[fund, "name"])
        classified[fund] = classify_lines(raw.holdings_file(rel), fund, sec, intl)
    order = sorted(files, key=lambda f: _depends(classified[f[0]], classified))
    nested: dict[str, pd.Series] = {}
    rows, info, members = [], [], []
    for fund, date, _, rel in order:
        lines, growth = classified[fund], growth_for[date]
        w = look_through(lines, fund, growth, nested)
        nested[fund] = w
        rows.append(pd.DataFrame({"fund": fund, "ticker": w.index, "weight": w.to_numpy()}))
        info.append(record(lines, w, fund, date, rel, growth))
        held = lines[lines["id"].notna() & lines["kind"].ne("fund")].assign(fund=fund)
        members.append(held[["fund", "id", "kind", "name", "sector", "weight"]])
    return pd.concat(rows, ignore_index=True), info, pd.concat(members, ignore_index=True)


def _depends(lines: pd.DataFrame, classified: dict[str, pd.DataFrame]) -> int:
    """1 for a file holding another file's fund (computed after it), else 0."""
    held = set(lines.loc[lines["kind"].eq("fund"), "id"])
    return int(bool(held & set(classified)))
