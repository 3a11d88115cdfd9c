"""Validation of the estimated look-through (:mod:`advisor.data.style`) on funds with holdings.

Every fund with a holdings file in ``../shared/data/funds`` is estimated as if its holdings were
unknown, from the *other* basis funds (the fund and its near-copies, funds whose holdings overlap
it by :data:`NEAR_COPY_OVERLAP` or more, left out), and the estimate ``sum_b w_b L_b`` is compared
with its true look-through: megacap weight (pp), sector mix (half the sum of absolute sector
differences, pp), top-10 overlap and R². A true look-through is the file's equity lines by
company, carried to the snapshot date by price as in the snapshot; the S&P 500 trackers share the
benchmark's weights and RSP is 1/N over its members.

Run ``python -m advisor.data.style_validation --source ../shared/data`` to regenerate
``docs/lookthrough-estimation.md`` and ``.csv``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.data import style, universe
from advisor.data.build import JSON_FILE_DATE, SNAPSHOT_DATE
from advisor.data.etfs import ETFS
from advisor.data.sources import FUND_JSON_DIR, IWM_CSV, QQQ_CSV, SECTORS, RawData, sector_name
from advisor.errors import DataError
from advisor.holdings.tickers import RENAMES, canonical, resolve

HOLDINGS_DIR = "funds/holdings_2025-2026"
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Funds whose holdings overlap by this much (sum of the smaller weight per company) are copies.
NEAR_COPY_OVERLAP = 0.80
MEGACAPS = ("AAPL", "MSFT", "GOOGL", "GOOG", "AMZN", "NVDA", "META", "TSLA")
#: Words that mark a holdings line as cash, a derivative or collateral, not a company.
NON_EQUITY_WORDS = (
    "CASH", "MONEY MARKET", "US DOLLAR", "FUTURE", "EMINI", "E-MINI", "TRSY", "COLLATERAL",
    "TREASURY", "DERIVATIVE", "SWAP", "FORWARD",
)  # fmt: skip
#: S&P 500 trackers (IVV stands for them) and the holdings gap that calls a file stale.
SP500_COPIES = ("SPY", "VOO", "SPLG", "SPYM")
STALE_GAP = 0.05


# -- true look-throughs -------------------------------------------------------------------------
def read_holdings_csv(path: Path) -> pd.DataFrame:
    """A ``holdings_2025-2026`` file: ticker, name, sector, weight (percent -> fraction)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["weight"] = pd.to_numeric(df["weight"], errors="coerce") / 100.0
    df["sector"] = df["sector"].replace("", np.nan)
    df["equity"] = ~df["sector"].fillna("").str.contains("Cash", case=False)
    return df[["ticker", "name", "sector", "weight", "equity"]]


def holdings_files(
    raw: RawData, funds: Collection[str] | None = None
) -> list[tuple[str, str, str, pd.DataFrame]]:
    """(fund, source file, file date, lines) of the holdings files but the S&P 500 trackers'.

    Lines: ticker, name, sector (as published), weight (fraction), equity (bool). IWM comes from
    the iShares CSV (its JSON file is older). ``funds`` limits the files read (default: all).
    """
    out: list[tuple[str, str, str, Callable[[], pd.DataFrame]]] = [
        ("IWM", IWM_CSV, "2026-05-05", lambda: raw.ishares_csv(IWM_CSV)),
        ("QQQ", QQQ_CSV, "2025-09-24", lambda: raw.invesco_csv(QQQ_CSV)),
    ]
    for f in raw.json_funds():
        if f not in (*SP500_COPIES, "IVV", "IWM"):
            rel = f"{FUND_JSON_DIR}/{f}.json"
            out.append((f, rel, JSON_FILE_DATE, partial(raw.fund_json, f)))
    for path in sorted((raw.root / HOLDINGS_DIR).glob("*.csv")):
        f, date, _ = path.stem.split("_")
        rel = f"{HOLDINGS_DIR}/{path.name}"
        out.append((f, rel, date, partial(read_holdings_csv, raw.path(rel))))
    return [(f, rel, d, read()) for f, rel, d, read in out if funds is None or f in funds]


def _equity_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines that are companies: non-zero weight, equity, no cash/derivative word."""
    text = (lines["ticker"].astype(str) + " " + lines["name"].astype(str)).str.upper()
    junk = text.map(lambda s: any(w in s for w in NON_EQUITY_WORDS))
    junk |= lines["sector"].astype(str).str.contains("Cash and/or", case=False)
    return lines[lines["weight"].fillna(0).ne(0) & lines["equity"].astype(bool) & ~junk]


def _line_keys(lines: pd.DataFrame, known: frozenset[str]) -> pd.Series:
    """Canonical known ticker of each line, else its own spelling (``name:`` when untickered)."""
    keys = []
    for t, n in zip(lines["ticker"].astype(str), lines["name"].astype(str), strict=True):
        t = t.strip()
        blank = t in ("", "-", "--", "NAN", "nan")
        keys.append(
            f"name:{n.strip().upper()}" if blank else resolve(t, known, RENAMES) or canonical(t)
        )
    return pd.Series(keys, index=lines.index)


def sector_map(files: Sequence[tuple[str, str, str, pd.DataFrame]]) -> pd.Series:
    """Ticker -> GICS sector from every file that publishes sectors (first file wins)."""
    parts = []
    for _, _, _, lines in files:
        t = lines["ticker"].astype(str).map(canonical).to_numpy()
        parts.append(pd.Series(lines["sector"].map(sector_name).to_numpy(), index=t).dropna())
    out = pd.concat(parts)
    return out[~out.index.duplicated()]


def _by_company(
    w: pd.Series, sec: pd.DataFrame, file_sector: pd.Series, sectors: pd.Series
) -> pd.DataFrame:
    """company, label (largest line's ticker), sector, weight; largest first.

    Sector: the snapshot's GICS sector, else the file's, else another issuer file's, else Unknown.
    """
    snap = sec["sector"].reindex(w.index)
    sector = snap.where(snap.isin(list(SECTORS))).fillna(file_sector.reindex(w.index))
    company = sec["company"].reindex(w.index).fillna(pd.Series(w.index, index=w.index))
    df = pd.DataFrame({"company": company, "label": w.index, "weight": w})
    df["sector"] = sector.fillna(sectors.reindex(w.index)).fillna("Unknown")
    g = df.sort_values("weight", ascending=False, kind="stable").groupby("company", sort=False)
    g = g.agg(label=("label", "first"), sector=("sector", "first"), weight=("weight", "sum"))
    return g.sort_values("weight", ascending=False, kind="stable").reset_index()


def true_lookthrough(
    lines: pd.DataFrame, known: frozenset[str], growth: pd.Series, fund_growth: float
) -> tuple[pd.DataFrame, float]:
    """A fund's equity lines at the snapshot date, and how stale the file is.

    ``lines``: ticker, name, sector, weight (fraction), equity; ``known``: the tickers lines
    resolve to; ``growth``: gross return per ticker from the file date to the snapshot date;
    ``fund_growth``: the fund's own. Returns a table by line key (resolved ticker, else the
    file's) of ``weight`` (fractions summing to 1, drifted by :func:`universe.drift`) and
    ``sector`` (the file's, or NaN), and the gap: the holdings' gross return over the fund's,
    minus 1 (NaN when less than 80 % of the weight has prices, as in international funds).
    """
    eq = _equity_lines(lines)
    keys = _line_keys(eq, known)
    w = eq["weight"].groupby(keys).sum()
    priced = float(w[w.index.isin(growth.index)].sum() / w.sum())
    gap = universe.holdings_growth(w, growth) / fund_growth - 1.0 if priced >= 0.8 else np.nan
    w = universe.drift(w, growth)
    sector = eq["sector"].map(sector_name).groupby(keys).first()
    return pd.DataFrame({"weight": w / w.sum(), "sector": sector.reindex(w.index)}), gap


def truths(
    raw: RawData, prices: pd.DataFrame, asof: pd.Timestamp, funds: Collection[str] | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """True look-throughs by company, the security master, and per fund: source, date, gap.

    IVV (for SPY, VOO and SPYM) is the snapshot's benchmark, RSP 1/N over its members. ``funds``
    limits the funds (default: all with holdings); unmapped lines then take sectors from
    those funds' files only.
    """
    sec = universe.build_securities(raw, asof)
    bench, _ = universe.build_benchmark(raw, sec, asof)
    symbols = pd.read_csv(raw.path(style.SYMBOLS), keep_default_na=False)
    known = frozenset(sec.index[~sec["is_etf"]])
    known |= frozenset(symbols.loc[symbols["kind"] == "stock", "ticker"].map(canonical))
    files = holdings_files(raw, funds)
    sectors, none = sector_map(files), pd.Series(dtype=object)
    derived = {"IVV": bench, "RSP": pd.Series(1.0 / len(bench), index=bench.index)}
    wanted = {f: w for f, w in derived.items() if funds is None or f in funds}
    looks = {f: _by_company(w, sec, none, sectors) for f, w in wanted.items()}
    info: list[dict[str, object]] = [{"fund": f, "source": "benchmark"} for f in looks]
    growth: dict[str, pd.Series] = {}
    for fund, rel, date, lines in files:
        if date not in growth:
            growth[date] = universe.growth_between(prices, raw.monthly(), date, asof)
        g = growth[date]
        t, gap = true_lookthrough(lines, known, g, float(g.get(fund, np.nan)))
        looks[fund] = _by_company(t["weight"], sec, t["sector"], sectors)
        info.append({"fund": fund, "source": rel, "file_date": date, "gap": gap})
    return looks, sec, pd.DataFrame(info).set_index("fund")


# -- the leave-out validation -------------------------------------------------------------------
def overlaps(looks: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Holdings overlap of every pair of funds: sum over companies of the smaller weight (0..1)."""
    W = pd.DataFrame({f: d.set_index("company")["weight"] for f, d in looks.items()}).fillna(0.0)
    M = W.to_numpy()
    out = np.array([np.minimum(M[:, [j]], M).sum(axis=0) for j in range(M.shape[1])])
    return pd.DataFrame(out, index=W.columns, columns=W.columns)


def near_copies(fund: str, overlap: pd.DataFrame, threshold: float = NEAR_COPY_OVERLAP) -> set[str]:
    """The fund itself and every fund whose holdings overlap it by ``threshold`` or more."""
    row = overlap.loc[fund] if fund in overlap.index else pd.Series(dtype=float)
    return {fund, *row.index[row >= threshold]}


def compare(est: pd.Series, true: pd.DataFrame, sector_of: pd.Series, megacaps: set[str]) -> dict:
    """Megacap weights (%) and error (pp), sector error (pp) and top-10 overlap (0-10).

    ``est`` is company -> weight; ``true`` a look-through (:func:`truths`); ``sector_of`` maps
    companies to sectors. All weights are fractions of the fund.
    """
    true_w = true.set_index("company")["weight"]
    mega_true = float(true_w[true_w.index.isin(megacaps)].sum())
    mega_est = float(est[est.index.isin(megacaps)].sum())
    s_true = true_w.groupby(sector_of.reindex(true_w.index).to_numpy()).sum()
    s_est = est.groupby(sector_of.reindex(est.index).fillna("Unknown").to_numpy()).sum()
    diff = s_est.sub(s_true, fill_value=0.0)
    return {
        "megacap_true": 100 * mega_true,
        "megacap_est": 100 * mega_est,
        "megacap_error": 100 * (mega_est - mega_true),
        "sector_error": 100 * 0.5 * float(diff.abs().sum()),
        "top10_overlap": len(set(true_w.index[:10]) & set(est.index[:10])),
    }


def validate(
    looks: dict[str, pd.DataFrame],
    prices: pd.DataFrame,
    megacaps: set[str],
    asof: pd.Timestamp,
    basis: Sequence[str] = style.BASIS,
    params: style.StyleParams = style.DEFAULT_PARAMS,
    threshold: float = NEAR_COPY_OVERLAP,
) -> pd.DataFrame:
    """Hide each fund's holdings, estimate them from the other basis funds, compare.

    ``looks``: fund -> true look-through (:func:`truths`), every basis fund among them;
    ``prices``: adjusted closes (date x ticker); ``megacaps``: company ids; ``asof``: the
    window's last day; each fund's basis is ``basis`` less the fund and its near-copies at
    ``threshold``. Returns one row per fund: r_squared, tracking_residual, the figures of
    :func:`compare`, left_out and top_weights (the largest basis weights, %).
    """
    overlap = overlaps(looks)
    long = pd.concat([d.assign(fund=f, ticker=d["company"]) for f, d in looks.items()])
    sector_of = long.drop_duplicates("company").set_index("company")["sector"]
    prices = prices[[c for c in prices.columns if c in looks]]
    rows = []
    for fund in looks:
        out = near_copies(fund, overlap, threshold)
        fits, skipped = style.fit_funds(
            prices, [fund], [b for b in basis if b not in out], asof, params
        )
        if fund not in fits:
            raise DataError(f"validation: no fit for {fund}: {skipped.get(fund)}")
        fit = fits[fund]
        rows.append(
            {
                "fund": fund,
                "r_squared": fit.r_squared,
                "tracking_residual": fit.tracking_residual,
                **compare(style.combine(fit.weights, long), looks[fund], sector_of, megacaps),
                "left_out": " ".join(sorted(out - {fund})),
                "top_weights": _top(fit.weights),
            }
        )
    return pd.DataFrame(rows)


def _top(weights: pd.Series) -> str:
    """The four largest basis weights, in percent: "VUG 31, VTV 16, ..."."""
    return ", ".join(f"{b} {100 * w:.0f}" for b, w in weights.head(4).items())


# -- experiments and summaries ------------------------------------------------------------------
BASIS_SETS: dict[str, tuple[str, ...]] = {
    "compact": (*style.SECTOR_SPDRS, "IJH", "IJR", "VTV", "VUG", "EFA", "VWO"),
    "middle": (
        *style.SECTOR_SPDRS, "IVV", "QQQ", "IJH", "IJR", "IWM", "VTV", "VUG", "RSP", "MTUM",
        "USMV", "QUAL", "VLUE", "VIG", "VYM", "SCHD", "SOXX", "VNQ", "ARKK", "EFA", "VEA", "VWO",
        "IEMG", "VSS",
    ),
    "broad": style.BASIS,
}  # fmt: skip
BASIS_LABELS = {
    "compact": "sector SPDRs, IJH, IJR, VTV, VUG, EFA, VWO",
    "middle": "compact plus IVV, QQQ, IWM, RSP, factor and dividend funds, SOXX, VNQ, ARKK, VEA, "
    "IEMG, VSS",
    "broad": "every fund with holdings in the data, IVV for the S&P 500 trackers (the choice)",
    "snapshot": "the broad basis less the funds without a look-through in today's snapshot",
}
#: (window in trading days, half-life in trading days or None) tried for each basis.
WINDOWS = ((252, None), (504, None), (756, None), (504, 252.0), (756, 252.0))


def summarise(table: pd.DataFrame) -> dict[str, float]:
    """Funds, median/mean/worst |megacap error|, median/mean/worst sector error (pp), mean
    top-10 overlap and median R²."""
    mega, sect = table["megacap_error"].abs(), table["sector_error"]
    return {
        "funds": len(table),
        **{f"megacap_{k}": getattr(mega, k)() for k in ("median", "mean", "max")},
        **{f"sector_{k}": getattr(sect, k)() for k in ("median", "mean", "max")},
        "top10": table["top10_overlap"].mean(),
        "r2": table["r_squared"].median(),
    }


def not_sector_funds(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of funds other than the sector SPDRs (leaving one out removes its whole sector)."""
    return table[~table["fund"].isin(style.SECTOR_SPDRS)]


def experiments(
    looks: dict[str, pd.DataFrame],
    prices: pd.DataFrame,
    megacaps: set[str],
    asof: pd.Timestamp,
    basis_sets: Mapping[str, Sequence[str]],
    windows: Sequence[tuple[int, float | None]] = WINDOWS,
) -> pd.DataFrame:
    """:func:`validate` per basis set and window; summaries over the funds that are not sector
    SPDRs, the means over all funds, and ``score`` = mean |megacap error| + mean sector error
    (pp) over the former, the figure the choice minimises."""
    rows = []
    for name, basis in basis_sets.items():
        for days, halflife in windows:
            p = style.StyleParams(window_days=days, halflife_days=halflife)
            t = validate(looks, prices, megacaps, asof, basis, p)
            s, al = summarise(not_sector_funds(t)), summarise(t)
            rows.append(
                {"basis": name, "window_days": days, "halflife_days": halflife, **s}
                | {"all_megacap_mean": al["megacap_mean"], "all_sector_mean": al["sector_mean"]}
                | {"score": s["megacap_mean"] + s["sector_mean"]}
            )
    return pd.DataFrame(rows)


def summaries(groups: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`summarise` of each group of rows, with the group's funds."""
    rows = [{"group": g, **summarise(t), "names": " ".join(t["fund"])} for g, t in groups.items()]
    return pd.DataFrame(rows)


def r2_buckets(table: pd.DataFrame, edges: Sequence[float] = (0, 0.8, 0.9, 0.95, 0.98, 1)) -> dict:
    """The rows of ``table`` by R² bucket (the first bucket takes everything below its top)."""
    r2 = table["r_squared"].where(table["r_squared"] >= edges[0], edges[0])
    pairs = zip(edges[:-1], edges[1:], strict=True)
    return {f"R² {lo:.2f}-{hi:.2f}": table[(r2 >= lo) & (r2 < hi)] for lo, hi in pairs}


# -- Markdown -----------------------------------------------------------------------------------
def _md(frame: pd.DataFrame, spec: Sequence[tuple[str, str, str]]) -> str:
    """A Markdown table of ``frame``: (column, header, format spec; "" for text) per column."""
    rows = [
        [format(r[c], f) if f else (str(r[c]) or "-") for c, _, f in spec]
        for _, r in frame.iterrows()
    ]
    lines = ["| " + " | ".join(h for _, h, _ in spec) + " |"]
    lines.append("|" + "|".join("--:" if f else "---" for _, _, f in spec) + "|")
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _weighting(halflife: float | None) -> str:
    return "equal" if halflife is None or pd.isna(halflife) else f"half-life {halflife:g} d"


def _method(p: style.StyleParams, asof: pd.Timestamp, n: int) -> str:
    return (
        f"Each of the {n} funds with holdings in the data was estimated as if they were unknown, "
        f"its daily returns over the {p.window_days} trading days to {asof.date()} "
        f"({_weighting(p.halflife_days)} weights) regressed on the basis funds' (weights >= 0 "
        "summing to 1: Sharpe's style analysis), the fund and its near-copies (holdings "
        f"overlap >= {NEAR_COPY_OVERLAP:.2f}: the sum over companies of the smaller weight) left "
        "out of its basis; the estimate is the weighted sum of the basis funds' true "
        "look-throughs, a true look-through a holdings file's equity lines by company (GOOGL "
        f"and GOOG are one) carried to {asof.date()} by price (IVV: the snapshot's S&P 500; RSP: "
        "1/N over it). *Megacap*: AAPL, MSFT, GOOGL+GOOG, AMZN, NVDA, META and TSLA, % of the "
        "fund; *error* estimated minus true, percentage points (pp). *Sector*: half the sum of "
        "absolute differences of GICS sector weights, pp (0 the same mix, 100 none in common; "
        "no known sector counts as Unknown). *Top 10*: the true ten largest companies among the "
        "estimate's ten. *R²*: 1 - SSE/SST of the constrained fit; *residual*: the annualised "
        "standard deviation of the unexplained daily return."
    )


_EXPERIMENTS = [
    ("basis", "basis", ""), ("window_days", "days", ".0f"), ("weights", "weights", ""),
    ("megacap_median", "megacap median", ".2f"), ("megacap_mean", "mean", ".2f"),
    ("sector_median", "sector median", ".1f"), ("sector_mean", "mean", ".1f"),
    ("all_megacap_mean", "all funds: megacap mean", ".2f"),
    ("all_sector_mean", "sector mean", ".1f"), ("top10", "top 10", ".1f"),
    ("r2", "median R²", ".3f"), ("score", "score", ".2f"),
]  # fmt: skip
_RESULTS = [
    ("fund", "fund", ""), ("r_squared", "R²", ".3f"), ("residual", "residual %", ".1f"),
    ("megacap_true", "megacap true %", ".1f"), ("megacap_est", "est. %", ".1f"),
    ("megacap_error", "error pp", "+.1f"), ("sector_error", "sector pp", ".1f"),
    ("top10_overlap", "top 10", ".0f"), ("left_out", "left out", ""),
    ("top_weights", "largest basis weights %", ""),
]  # fmt: skip
_SUMMARY = [
    ("group", "", ""), ("funds", "funds", ".0f"), ("megacap_median", "megacap median", ".2f"),
    ("megacap_mean", "mean", ".2f"), ("megacap_max", "worst", ".2f"),
    ("sector_median", "sector median", ".1f"), ("sector_mean", "mean", ".1f"),
    ("sector_max", "worst", ".1f"), ("top10", "top 10", ".1f"), ("names", "funds", ""),
]  # fmt: skip


def _megacap_sentences(table: pd.DataFrame, mega_of: pd.Series) -> list[str]:
    """The four largest megacap errors outside the sector SPDRs, and why."""
    out = []
    rest = not_sector_funds(table)
    for _, r in rest.loc[rest["megacap_error"].abs().nlargest(4).index].iterrows():
        own = mega_of.drop(labels=[r["fund"], *r["left_out"].split()], errors="ignore")
        if r["megacap_true"] > own.max():
            why = (
                f"no fund left in its basis holds that much in the megacaps ({own.idxmax()} "
                f"has the most, {own.max():.1f} %) and a mix holds no more than its parts"
            )
        else:
            why = "the basis funds that best match its returns " + (
                "hold more megacaps" if r["megacap_error"] > 0 else "hold fewer megacaps"
            )
        left = f"; left out as near-copies: {r['left_out']}" if r["left_out"] else ""
        out.append(
            f"{r['fund']}: megacap {r['megacap_true']:.1f} % true, {r['megacap_est']:.1f} % "
            f"estimated ({r['megacap_error']:+.1f} pp, R² {r['r_squared']:.2f}; basis "
            f"{r['top_weights']} %{left}): {why}."
        )
    return out


def _reading(res: dict) -> list[str]:
    """Sentences that depend on the numbers, generated from them."""
    table, out = res["table"], []
    for label, t in (("all funds", table), ("all but the sector SPDRs", not_sector_funds(table))):
        s = summarise(t)
        worst_m = t.loc[t["megacap_error"].abs().idxmax(), "fund"]
        worst_s = t.loc[t["sector_error"].idxmax(), "fund"]
        out.append(
            f"Over {label} ({s['funds']}): megacap error median {s['megacap_median']:.2f} pp, "
            f"mean {s['megacap_mean']:.2f}, worst {s['megacap_max']:.2f} ({worst_m}); sector "
            f"error median {s['sector_median']:.1f} pp, worst {s['sector_max']:.1f} ({worst_s}); "
            f"{s['top10']:.1f} of the true top ten in the estimate's on average; median R² "
            f"{s['r2']:.3f}."
        )
    out += _megacap_sentences(table, res["megacap_of"])
    worst = not_sector_funds(table).nlargest(3, "sector_error")
    out.append(
        "Largest sector errors outside the sector SPDRs: "
        + "; ".join(
            f"{r.fund} {r.sector_error:.1f} pp (R² {r.r_squared:.2f})" for r in worst.itertuples()
        )
        + "."
    )
    spdr = table[table["fund"].isin(style.SECTOR_SPDRS)]
    out.append(
        f"The {len(spdr)} sector SPDRs: median sector error {spdr['sector_error'].median():.1f} "
        f"pp, median R² {spdr['r_squared'].median():.2f}. Left out, each takes the only basis "
        "fund concentrated in its sector with it, so this measures a basis without the fund's "
        "sector; a sector fund without holdings is estimated with its SPDR in the basis."
    )
    stale = res["info"][res["info"]["gap"].abs() > STALE_GAP]
    if len(stale):
        out.append(
            "Holdings files that drifted from their fund by the snapshot date (the holdings' "
            "return since the file date over the fund's): "
            + ", ".join(f"{f} {r.gap:+.1%} ({r.file_date})" for f, r in stale.iterrows())
            + ". Their 'true' look-through is itself approximate, and a basis fund passes the "
            "same error on."
        )
    return [*out, _choice(res["experiments"], len(res["snapshot_basis"]))]


def _choice(exp: pd.DataFrame, n_snapshot: int) -> str:
    """Which basis and window scored best, whether the defaults are it, and the snapshot's."""
    best, snap = exp.loc[exp["score"].idxmin()], exp[exp["basis"] == "snapshot"]
    p = style.DEFAULT_PARAMS
    chosen = ("broad", p.window_days, _weighting(p.halflife_days))
    same = (best["basis"], best["window_days"], _weighting(best["halflife_days"])) == chosen
    text = (
        f"The lowest score is the {best['basis']} basis over {int(best['window_days'])} days "
        f"with {_weighting(best['halflife_days'])} weights ({best['score']:.2f}); the build's "
        f"defaults {'are' if same else 'are NOT'} that choice."
    )
    if len(snap):
        s = snap.iloc[0]
        text += (
            f" With only the {n_snapshot} basis funds today's snapshot looks through, the score "
            f"is {s['score']:.2f} (megacap median {s['megacap_median']:.2f} pp, mean "
            f"{s['megacap_mean']:.2f}): the other holdings files belong in the snapshot."
        )
    return text


def _coverage_md(res: dict) -> str:
    c = res["coverage"]
    return (
        f"### The whole market\n\nThe build's hook on the {c['funds']:,} ETFs and mutual funds "
        f"with prices (names only), the broad basis known: {c['candidates']:,} are long-only "
        f"equity funds by name; {c['estimated']:,} get an estimate (R² >= "
        f"{style.DEFAULT_PARAMS.min_r_squared:.2f}; {c['r2_90']:,} with R² >= 0.90), "
        f"{c['below']:,} fit worse and stay unseen, {c['short']:,} have less than a year of "
        f"prices and {c['stale']:,} no recent price. The style table has {c['lines']:,} lines. "
        "Funds named in issue 9:\n\n"
        + _md(res["examples"], [_RESULTS[0], _RESULTS[1], _RESULTS[2], _RESULTS[-1]])
    )


def to_markdown(res: dict, asof: pd.Timestamp) -> str:
    """The document: method, the choice of basis and window, results, summaries, reading."""
    p, table = style.DEFAULT_PARAMS, res["table"]
    labels = "\n".join(f"- *{k}*: {v}" for k, v in BASIS_LABELS.items())
    exp = res["experiments"].assign(weights=res["experiments"]["halflife_days"].map(_weighting))
    exp["basis"] = exp["basis"].where(exp.index != exp["score"].idxmin(), exp["basis"] + " (best)")
    results = table.assign(residual=100 * table["tracking_residual"])
    return (
        "## Estimated look-through: validation on funds with known holdings\n\n"
        f"{_method(p, asof, len(table))}\n\n### Choice of basis and window\n\n{labels}\n\n"
        "Errors in pp, median / mean over the funds but the sector SPDRs unless said; *score* "
        "= mean |megacap error| + mean sector error over those funds.\n\n"
        f"{_md(exp, _EXPERIMENTS)}\n\n### Results (broad basis, {p.window_days} "
        f"days, {_weighting(p.halflife_days)} weights)\n\n{_md(results, _RESULTS)}\n\n"
        f"### Errors by R²\n\nThe build keeps estimates with R² >= {p.min_r_squared:.2f}.\n\n"
        f"{_md(res['buckets'], _SUMMARY)}\n\n### Near-copies left out\n\nThe same at other "
        "overlap thresholds (lower: more funds left out of each basis).\n\n"
        f"{_md(res['sensitivity'], _SUMMARY[:-1])}\n\n{_coverage_md(res)}\n\n### Reading\n\n"
        + "\n".join(f"- {s}" for s in _reading(res))
        + "\n"
    )


def run(raw: RawData, asof: pd.Timestamp) -> dict:
    """Every table of the document (results, experiments, R² buckets, near-copy thresholds)."""
    prices = style.us_daily(raw)
    looks, sec, info = truths(raw, prices, asof)
    mega = set(sec["company"].reindex(list(MEGACAPS)).dropna())
    have = {"IVV", "RSP", "IWM", "QQQ"} | {f for f in raw.json_funds() if f in ETFS}
    snap = [b for b in style.BASIS if b in have]  # the funds today's snapshot looks through
    exp = experiments(looks, prices, mega, asof, BASIS_SETS)
    window = [(style.DEFAULT_PARAMS.window_days, style.DEFAULT_PARAMS.halflife_days)]
    exp = pd.concat([exp, experiments(looks, prices, mega, asof, {"snapshot": snap}, window)])
    table = validate(looks, prices, mega, asof)
    mega_of = {f: 100 * d.loc[d["company"].isin(mega), "weight"].sum() for f, d in looks.items()}

    def label(t: float) -> str:
        return "the fund itself only" if t > 1 else f"overlap >= {t:.2f}"

    return {
        "table": table,
        "experiments": exp.reset_index(drop=True),
        "buckets": summaries(r2_buckets(table)),
        "sensitivity": summaries(
            {
                label(t): validate(looks, prices, mega, asof, threshold=t)
                for t in (0.7, 0.8, 0.9, 1.01)
            }
        ),
        "megacap_of": pd.Series(mega_of).reindex(list(style.BASIS)),
        "info": info,
        "snapshot_basis": snap,
        **dict(zip(("coverage", "examples", "seconds"), coverage(raw, asof), strict=True)),
    }


#: Funds without holdings named in issue 9 (and a few index funds), shown in the document.
EXAMPLES = (
    "JEPI", "COWZ", "DGRO", "NOBL", "SCHX", "SCHB", "MGK", "DIA", "SPYG", "IVW", "SPHQ", "FXAIX",
    "VTSAX", "IWV", "ACWI",
)  # fmt: skip


def coverage(raw: RawData, asof: pd.Timestamp) -> tuple[dict, pd.DataFrame, float]:
    """The build's hook on every ETF and mutual fund of the symbol list (by name: no asset
    class), with the broad basis known: counts, the :data:`EXAMPLES` and the seconds it took
    (prices already read)."""
    sym = pd.read_csv(raw.path(style.SYMBOLS), keep_default_na=False)
    sym = sym[sym["kind"].isin(["etf", "mutual_fund"])]
    sec = sym.assign(ticker=sym["ticker"].map(canonical)).set_index("ticker")[["name", "kind"]]
    style.us_daily(raw)
    start = time.perf_counter()
    weights, info = style.estimate_lookthrough(raw, sec, [*style.BASIS, *SP500_COPIES], asof)
    seconds = time.perf_counter() - start
    rec, r2 = info.attrs["record"], info["r_squared"]
    counts = {"funds": len(sec), "candidates": rec["candidates"], "estimated": len(info)}
    counts |= {"r2_90": int((r2 >= 0.9).sum()), "lines": len(weights)}
    counts |= {"below": len(rec["below_min_r_squared"]), "short": len(rec["too_little_history"])}
    counts["stale"] = len(rec["no_recent_price"])
    top = {f: _top(g.set_index("basis")["weight"]) for f, g in weights.groupby("fund")}
    ex = info[info["fund"].isin(EXAMPLES)].assign(top_weights=lambda d: d["fund"].map(top))
    return counts, ex.assign(residual=100 * ex["tracking_residual"]), seconds


def main(argv: Sequence[str] | None = None) -> int:
    """Run the validation; write the Markdown document and the per-fund CSV next to it."""
    ap = argparse.ArgumentParser(
        prog="python -m advisor.data.style_validation", description=__doc__
    )
    ap.add_argument("--source", type=Path, default=REPO_ROOT / ".." / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "lookthrough-estimation.md")
    args = ap.parse_args(argv)
    asof = pd.Timestamp(SNAPSHOT_DATE)
    res = run(RawData(args.source), asof)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_markdown(res, asof), encoding="utf-8")
    csv = args.out.with_suffix(".csv")
    res["table"].round(6).to_csv(csv, index=False)
    sys.stderr.write(f"wrote {args.out} and {csv}; the hook on {res['coverage']['candidates']} ")
    sys.stderr.write(f"candidate funds took {res['seconds']:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
