"""``advisor data reprice``: fresh last prices without rebuilding the snapshot.

From a CSV of closes (``ticker, date, close``) or a custodian positions file's Price column, a
new snapshot is written into the user's data folder (:mod:`advisor.market.store`) and selected:

* last prices and price dates of the tickers given; the others keep theirs (and are counted);
* the benchmark's and every fund's look-through weights carried to the new prices,
  ``w_i g_i / sum_j w_j g_j`` (times the fund's covered share), with ``g`` each name's price
  ratio (names without a new price are assumed to have moved with the rest), as the build
  carries file dates to the snapshot date;
* market caps and dividend yields moved with the price (shares and dividends held constant);
* the risk model, factor history and rates are **kept**, and the manifest says so.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from advisor.data.universe import drift
from advisor.errors import InputError
from advisor.holdings.numbers import PRICE_REFUSE_FACTOR
from advisor.market import store
from advisor.market.snapshot import Market

_CLOSE_COLUMNS = ("ticker", "date", "close")


@dataclass(frozen=True)
class Closes:
    """New last prices by canonical ticker, the date they are as of, and what was left out."""

    prices: pd.Series
    dates: pd.Series
    source: str
    notes: list[str] = field(default_factory=list)


def read_closes(path: str | Path, market: Market, date: str | None = None) -> Closes:
    """New prices from a closes CSV (``ticker,date,close``: the last date per ticker wins) or from
    a positions file's Price column (dated ``date``, default today)."""
    name = str(path)
    try:
        head = pd.read_csv(name, nrows=0)
    except (OSError, ValueError, UnicodeDecodeError):  # not a plain CSV: a custodian export
        head = pd.DataFrame()
    columns = {c.strip().lower(): c for c in head.columns}
    if all(c in columns for c in _CLOSE_COLUMNS):
        return _from_closes(name, market, columns)
    return _from_positions(name, market, date)


def _from_closes(path: str, market: Market, columns: dict[str, str]) -> Closes:
    df = pd.read_csv(path, dtype=str).rename(columns={v: k for k, v in columns.items()})
    notes: list[str] = []
    rows = []
    for i, r in enumerate(df.itertuples(index=False), start=2):
        ticker = market.resolve(str(r.ticker))
        try:
            close, when = float(str(r.close).replace(",", "")), pd.Timestamp(str(r.date))
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"cannot read the close {r.close!r} of {r.date!r}", path=path, line=i,
                value=f"{r.ticker},{r.date},{r.close}", hint="Each line: ticker, YYYY-MM-DD, close",
            ) from exc  # fmt: skip
        if not (math.isfinite(close) and 0 < close < 1e7):
            raise InputError("a close must be a positive price", path=path, line=i,
                             value=str(r.close))  # fmt: skip
        if ticker is None:
            notes.append(f"line {i}: {r.ticker} is not in the snapshot, left out")
            continue
        rows.append((ticker, when, close))
    table = pd.DataFrame(rows, columns=["ticker", "date", "close"]).sort_values("date")
    last = table.groupby("ticker").last()
    return Closes(last["close"], last["date"], path, notes)


def _from_positions(path: str, market: Market, date: str | None) -> Closes:
    import advisor

    h = advisor.read_holdings(path, market, unknown="skip")
    priced = h.positions["price"].dropna()
    priced = priced[priced > 0]
    if priced.empty:
        raise InputError(
            "no prices to take: the file has neither ticker,date,close columns nor a Price column",
            path=path,
            hint="Give a CSV of closes (ticker,date,close) or a positions export with prices",
        )
    when = pd.Timestamp(date) if date else pd.Timestamp.today().normalize()
    notes = [w for w in h.warnings if "left out" in w]
    return Closes(priced, pd.Series(when, index=priced.index), path, notes)


def _carry(weights: pd.Series, g: pd.Series) -> pd.Series:
    """:func:`advisor.data.universe.drift`, unchanged when none of the names has a new price."""
    if not weights.index.isin(g.index).any():
        return weights
    return drift(weights, g)


def _check(closes: Closes, market: Market) -> list[str]:
    """Refuse prices a factor 3 from the snapshot's (units, not a move); list large moves."""
    old = market.securities["price"].reindex(closes.prices.index)
    ratio = closes.prices / old
    bad = ratio[(ratio > PRICE_REFUSE_FACTOR) | (ratio < 1 / PRICE_REFUSE_FACTOR)]
    if len(bad):
        t = bad.index[0]
        raise InputError(
            f"{t}: new price {closes.prices[t]:,.2f} against {old[t]:,.2f} in the snapshot "
            f"({ratio[t]:.3g} times): a price in other units, or a split the snapshot does not "
            "know",
            path=closes.source,
            value=f"{closes.prices[t]}",
            hint="Fix the price, or leave the ticker out of the file",
        )
    big = ratio[(ratio - 1).abs() > 0.25]
    return (
        [f"{len(big)} price(s) moved more than 25 %: {', '.join(big.index[:10])}"]
        if len(big)
        else []
    )


def reprice(market: Market, closes: Closes) -> Path:
    """Write the repriced snapshot into the user's folder, select it, and return its folder."""
    notes = closes.notes + _check(closes, market)
    sec = market.securities.copy()
    g = (closes.prices / sec["price"].reindex(closes.prices.index)).dropna()
    sec.loc[g.index, "price"] = closes.prices[g.index]
    if "price_date" in sec.columns:
        sec.loc[g.index, "price_date"] = closes.dates[g.index].to_numpy()
    for col, power in (("market_cap", 1.0), ("dividend_yield", -1.0)):
        if col in sec.columns:
            sec.loc[g.index, col] = sec.loc[g.index, col] * g**power
    bench = _carry(market.benchmark, g)
    funds = market.fund_weights.copy()
    funds["weight"] = funds.groupby("fund")["weight"].transform(
        lambda w: _carry(w.set_axis(funds.loc[w.index, "ticker"]), g).to_numpy()
    )
    as_of = pd.Timestamp(closes.dates.max()).normalize()
    digest = hashlib.sha256(Path(closes.source).read_bytes()).hexdigest()
    folder = store.user_dir() / "snapshots" / f"{as_of.date()}-{digest[:8]}"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(market.folder, folder)
    sec.reset_index().to_parquet(folder / "securities.parquet", index=False)
    bench.rename("weight").rename_axis("ticker").reset_index().to_parquet(
        folder / "benchmark.parquet", index=False
    )
    funds.to_parquet(folder / "funds.parquet", index=False)
    manifest = dict(market.manifest)
    manifest["snapshot_date"] = str(as_of.date())
    manifest["repriced"] = {
        "from_snapshot": str(market.as_of.date()),
        "from_folder": str(market.folder),
        "source": str(closes.source),
        "source_sha256": digest,
        "tickers_repriced": int(len(g)),
        "tickers_not_repriced": int(sec["price"].notna().sum() - len(g)),
        "method": "last prices replaced; benchmark and fund weights carried by price; market "
        "caps and dividend yields moved with the price; the risk model, factor history and "
        "rates are kept from the snapshot of " + str(market.as_of.date()),
        "notes": notes,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    store.select(folder)
    return folder


__all__ = ["Closes", "read_closes", "reprice"]
