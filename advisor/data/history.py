"""A market at a past date, for back-tests: :func:`market_at` returns a :class:`Market` the
library accepts, built from the raw data up to that date only.

The universe is the embedded snapshot's (its securities, with their names, sectors, companies,
asset classes and value scores: today's facts), and everything that depends on the date is
rebuilt from ``../shared/data`` as it stood then:

* **prices**: the build's rule, the last close on or before the date and at most
  :data:`~advisor.data.universe.MAX_PRICE_AGE_DAYS` days old (daily closes; names with only
  monthly closes take the month-end close when the date closes its month). A security without a
  price at the date (not listed yet) stays known but unpriced, as GWW and UPS are in the snapshot.
* **benchmark and fund look-through**: the snapshot's weights carried back by price with the
  build's own :func:`~advisor.data.universe.drift` (``w_i g_i / sum_j w_j g_j``, ``g`` = price at
  the date / price at the snapshot date). ``drift`` composes, so this equals carrying the
  issuers' files (IVV of 2025-11-18 and the others) from their own dates to the past date.
  Names without a price at the date are dropped and the rest renormalised (a fund keeps its
  covered share). This is **today's S&P 500 membership and today's fund holdings carried
  back**: names that left the index since are missing and names that joined since are in it
  (survivorship). S&P 500 trackers share the benchmark; RSP is 1/N over its members, as in the
  build. ``holdings_vs_fund_return_gap`` in ``fund_info`` becomes the gap between the carried
  holdings' return and the fund's own from the date to the snapshot date: how far the carry is
  from what the fund held.
* **risk model**: factor returns, factor covariance, exposures and residual variances exactly as
  :func:`advisor.data.riskmodel.estimate` estimates them, from the windows ending at the date,
  for the securities asked for (and the benchmark's members and every priced fund); short
  histories are shrunk toward their peers'. Prices come from the S&P 1500 and ETF daily file
  (2015-2026) and the monthly file: a name only in the whole-market file (2023-2026) has no
  price at a past date, so a holding of it is left out of the back-test (and said so), and so is
  a mutual fund modelled by its ETF twin.
* **market caps** carried back by price (share counts held constant), size buckets recomputed at
  the build's $200B megacap threshold; **dividend yields** from the newest S&P 500 financials
  file dated on or before the date (the data has them from 2024-12-01; unknown before);
  **rates** from ``^IRX`` and ``^TNX`` at the date.

The market is written to a temporary folder (the snapshot format) that lives as long as the
returned object.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.data import etfs
from advisor.data.riskmodel import FACTORS, ModelParams, estimate
from advisor.data.sources import PRICES_DAILY, RawData, last_price
from advisor.data.universe import MAX_PRICE_AGE_DAYS, MEGACAP_MIN, drift
from advisor.errors import DataError
from advisor.market import store
from advisor.market.snapshot import Market, load_market

DEFAULT_PARAMS = ModelParams()  # frozen: safe as a default argument
#: Funds the build models as 1/N over the benchmark's members (RSP resets quarterly).
EQUAL_WEIGHT_FUNDS = ("RSP",)
#: The largest yield taken as a fact (as the build: above it, a data error or a special dividend).
MAX_DIVIDEND_YIELD = 0.20
#: Calendar used for trading days: the days the market fund has a close.
CALENDAR_TICKER = "SPY"


#: Where the raw data is looked for when no folder is given: from the current folder, then from
#: the project's root (the layout of a development checkout and of CI).
RAW_DATA_PLACES = (
    Path("../shared/data"),
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data",
)


def raw_data(source: str | Path | None = None) -> RawData:
    """The raw data folder ``source`` (default: ``../shared/data`` from the current folder, else
    from the project root), or a :class:`DataError` that names where it looked and what to do."""
    places = [Path(source)] if source is not None else list(RAW_DATA_PLACES)
    for place in places:
        if (place / "README.md").exists() and (place / PRICES_DAILY).exists():
            return RawData(place)
    where = " nor ".join(str(p.resolve()) for p in places)
    raise DataError(
        f"the back-test needs the raw market data (daily prices 2015-2026), not found at {where}",
        "It is the shared data folder (see ../shared/data/README.md in a development checkout): "
        "put it at ../shared/data beside the project, or pass its path with --source PATH.",
    )


def trading_days(raw: RawData) -> pd.DatetimeIndex:
    """The trading days of the daily prices (the days SPY has a close)."""
    return pd.DatetimeIndex(raw.daily()[CALENDAR_TICKER].dropna().index)


def trading_day(days: pd.DatetimeIndex, date: str | pd.Timestamp) -> pd.Timestamp:
    """The last trading day of ``days`` on or before ``date``."""
    pos = days.searchsorted(pd.Timestamp(date), side="right") - 1
    if pos < 0:
        raise DataError(f"no prices on or before {pd.Timestamp(date).date()}")
    return pd.Timestamp(days[pos])


def prices_at(raw: RawData, date: pd.Timestamp) -> pd.DataFrame:
    """``price`` and ``price_date`` per ticker at ``date``: the build's rule, data to ``date`` only.

    Daily closes: the last close on or before ``date``, at most ``MAX_PRICE_AGE_DAYS`` old. Names
    with only monthly closes take the close of ``date``'s month when ``date`` is the month's last
    trading day in the data (at the snapshot date, the partial month's last row), else the
    previous month's close if it is recent enough; otherwise they have no price.
    """
    daily, monthly = raw.daily(), raw.monthly()
    d = last_price(daily, date, MAX_PRICE_AGE_DAYS).dropna(subset=["price"])
    days = trading_days(raw)
    month_end = date + pd.offsets.MonthEnd(0)
    row = month_end if days[days <= month_end][-1] <= date else month_end - pd.offsets.MonthEnd(1)
    closed = days[days <= row][-1] if (days <= row).any() else None
    only = monthly.columns.difference(daily.columns)
    if row not in monthly.index or closed is None or (date - closed).days > MAX_PRICE_AGE_DAYS:
        return d
    m = monthly.loc[row, only].dropna()
    m_px = pd.DataFrame({"price": m, "price_date": closed})
    return pd.concat([d, m_px])


def carry_back(weights: pd.Series, growth: pd.Series, priced: Iterable[str]) -> pd.Series:
    """Weights carried by ``growth`` (gross return per name) with :func:`universe.drift`, over
    the names in ``priced`` only, keeping the weights' total (a fund's covered share)."""
    priced = priced if isinstance(priced, set | frozenset) else set(priced)
    keep = weights[[t in priced for t in weights.index]]
    if keep.empty or keep.sum() <= 0:
        return keep
    moved = drift(keep, growth)
    return moved / moved.sum() * float(weights.sum())


def funds_at(
    base: Market, bench: pd.Series, growth: pd.Series, priced: frozenset[str]
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every fund's look-through at the date, and the carry's return gap per carried fund.

    S&P 500 trackers take the benchmark ``bench``; :data:`EQUAL_WEIGHT_FUNDS` 1/N over its
    members; the others their snapshot weights carried back (:func:`carry_back`). The gap is the
    carried holdings' gross return from the date to the snapshot date over the fund's own, less 1.
    """
    rows, gaps = [], {}
    for fund, table in base.fund_weights.groupby("fund", sort=False):
        w = table.set_index("ticker")["weight"]
        if fund in etfs.SP500_TRACKERS:
            w = bench
        elif fund in EQUAL_WEIGHT_FUNDS:
            w = pd.Series(1.0 / len(bench), index=bench.index)
        else:
            w = carry_back(w, growth, priced)
            fund_g = growth.get(fund, np.nan)
            ok = w.index.intersection(growth.dropna().index)
            if np.isfinite(fund_g) and fund_g > 0 and len(ok):
                back = float((w[ok] / growth[ok]).sum() / w[ok].sum())  # date -> snapshot
                gaps[str(fund)] = back * fund_g - 1.0
        rows.append(pd.DataFrame({"fund": fund, "ticker": w.index, "weight": w.to_numpy()}))
    return pd.concat(rows, ignore_index=True), gaps


def securities_at(base: Market, px: pd.DataFrame, raw: RawData, date: pd.Timestamp) -> pd.DataFrame:
    """The snapshot's security master with the date's prices, caps, sizes and dividend yields."""
    sec = base.securities.copy()
    g = px["price"].reindex(sec.index) / sec["price"]
    sec["price"] = px["price"].reindex(sec.index).astype("float64").round(4)
    sec["price_date"] = pd.to_datetime(px["price_date"].reindex(sec.index))
    if "market_cap" in sec.columns:
        sec["market_cap"] = sec["market_cap"] * g
        if "market_cap_source" in sec.columns:
            known = sec["market_cap"].notna()
            sec.loc[known, "market_cap_source"] = (
                f"the snapshot's market cap carried back by price to {date.date()}"
            )
    if "size" in sec.columns and "market_cap" in sec.columns:
        big = sec["size"].isin(["mega", "large"])
        sec.loc[big & (sec["market_cap"] >= MEGACAP_MIN), "size"] = "mega"
        sec.loc[big & (sec["market_cap"] < MEGACAP_MIN), "size"] = "large"
    if "dividend_yield" in sec.columns:
        sec["dividend_yield"] = dividend_yields_at(raw, sec["price"], date)
    return sec


def dividend_yields_at(raw: RawData, price: pd.Series, date: pd.Timestamp) -> pd.Series:
    """Trailing yields at ``date`` (fractions) from the newest S&P 500 financials file dated on or
    before it, carried to the date's price with the dividend held constant (a priced line with a
    blank yield pays none); NaN for every name when no file is that old."""
    files = {pd.Timestamp(k): v for k, v in raw.sp500_financials().items()}
    past = [k for k in files if k <= date]
    if not past:
        return pd.Series(np.nan, index=price.index, name="dividend_yield")
    f = files[max(past)]
    f = f[~f.index.duplicated()].reindex(price.index)
    priced = f["Price"].gt(0) & price.gt(0)
    y = f["Dividend Yield"].fillna(0.0).where(priced) * f["Price"] / price
    return y.where(y.between(0.0, MAX_DIVIDEND_YIELD)).astype("float64").rename("dividend_yield")


def rates_at(raw: RawData, date: pd.Timestamp) -> dict[str, object]:
    """The risk-free rate at ``date`` as the build records it (13-week bill discount yield ->
    investment yield -> continuously compounded; the 10-year yield as a fact)."""
    prices = raw.etf_daily()
    irx = prices["^IRX"].loc[:date].dropna()
    tnx = prices["^TNX"].loc[:date].dropna()
    d = float(irx.iloc[-1]) / 100.0
    y = 365.0 * d / (360.0 - 91.0 * d)
    return {
        "date": str(irx.index[-1].date()),
        "t_bill_13w_discount_yield": d,
        "risk_free_continuous": float(np.log1p(y * 91.0 / 365.0) * 365.0 / 91.0),
        "treasury_10y_yield": float(tnx.iloc[-1]) / 100.0,
        "source": "^IRX and ^TNX in prices/daily_etfs_1993-2026.parquet, on or before the date",
        "method": "13-week bill discount yield -> investment yield 365d/(360-91d) -> "
        "continuously compounded ln(1 + y 91/365) 365/91",
    }


def risk_universe(
    sec: pd.DataFrame, funds: pd.DataFrame, bench: pd.Series, tickers: Iterable[str] | None
) -> pd.Index:
    """The priced securities the risk model covers: all of them (``tickers`` None), else the
    benchmark's members, every fund, ``tickers`` and the look-through of the funds among them."""
    priced = sec.index[sec["price"].notna()]
    if tickers is None:
        return priced
    wanted = set(tickers)
    inside = funds.loc[funds["fund"].isin(wanted), "ticker"]
    names = wanted | set(bench.index) | set(sec.index[sec["is_etf"]]) | set(inside)
    return priced[priced.isin(list(names))]


def risk_at(
    raw: RawData, date: pd.Timestamp, sec: pd.DataFrame, names: pd.Index, params: ModelParams
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """The factor risk model at ``date`` for ``names``, from data up to ``date`` only.

    The build's own :func:`advisor.data.riskmodel.estimate` (sanity filters, weighted
    regressions of daily returns, or of monthly ones for names with only monthly closes, short
    histories shrunk toward their peers, floors on specific volatility), given the daily closes
    of the S&P 1500 and ETF file and the ETF closes up to ``date`` only.

    Returns
    -------
    risk : DataFrame
        Index ticker (``names``); the factor exposures, ``specific_var`` (annualised),
        ``method`` (daily, daily-shrunk, monthly, peers), ``n_obs`` and ``shrink_weight``.
    factor_cov : DataFrame
        Annualised factor covariance (factor x factor).
    factor_returns : DataFrame
        Daily factor returns up to ``date`` (date x factor, fractions).
    record : dict
        Counts: securities per method, daily moves treated as data errors.
    """
    sub = sec.loc[names]
    model = estimate(
        raw.daily().loc[:date], raw.monthly(), raw.etf_daily().loc[:date], sub, date, params
    )
    risk = model["exposures"].reindex(names)[list(FACTORS)]
    for key in ("specific_var", "method", "n_obs", "shrink_weight"):
        risk[key] = model[key].reindex(names)
    record = {str(k): int(v) for k, v in risk["method"].value_counts().items()}
    record["daily_moves_treated_as_errors"] = int(model["dropped_returns"])
    return risk, model["factor_cov"], model["factor_returns"], record


def market_at(
    raw: RawData,
    date: str | pd.Timestamp,
    params: ModelParams = DEFAULT_PARAMS,
    *,
    tickers: Iterable[str] | None = None,
    base: Market | None = None,
) -> Market:
    """The market as it stood at ``date`` (see the module notes), from data up to ``date`` only.

    Parameters
    ----------
    raw : RawData
        The raw data folder (``../shared/data``).
    date : str or Timestamp
        The date; prices are the last closes on or before it.
    params : ModelParams
        Risk-model settings (the build's by default).
    tickers : iterable of str, optional
        Securities the risk model must cover besides the benchmark's members and the funds
        (a portfolio's holdings and sleeve funds; a fund among them brings its look-through).
        Default: every security priced at the date (slower).
    base : Market, optional
        The snapshot whose universe and weights are carried back (default: the embedded one).

    Returns
    -------
    Market
        ``as_of`` is ``date``; its files live in a temporary folder removed with the object.
    """
    base = base or load_market(store.PACKAGE_SNAPSHOT)
    date = pd.Timestamp(date).normalize()
    if date > base.as_of:
        raise DataError(
            f"{date.date()} is after the snapshot's date {base.as_of.date()}",
            "A past market is built from the snapshot back, not forward: choose an earlier date.",
        )
    px = prices_at(raw, date)
    sec = securities_at(base, px, raw, date)
    priced = frozenset(sec.index[sec["price"].notna()])
    growth = (px["price"].reindex(sec.index) / base.securities["price"]).dropna()
    bench = carry_back(base.benchmark, growth, priced)
    bench = bench / bench.sum()
    funds, gaps = funds_at(base, bench, growth, priced)
    names = risk_universe(sec, funds, bench, tickers)
    risk, F, fr, record = risk_at(raw, date, sec, names, params)
    tables = {
        "securities": sec.reset_index(),
        "benchmark": bench.rename("weight").rename_axis("ticker").reset_index(),
        "funds": funds,
        "fund_info": _fund_info(base, gaps).reset_index(),
        "risk": risk.rename_axis("ticker").reset_index(),
        "factor_cov": F.rename_axis("factor").reset_index(),
        "factor_returns": fr.rename_axis("date").reset_index(),
    }
    history = {
        "from_snapshot": str(base.as_of.date()),
        "benchmark_members": int(len(bench)),
        "benchmark_dropped_no_price": sorted(set(base.benchmark.index) - set(bench.index)),
        "risk_model": record,
        "params": params.as_dict(),
    }
    manifest = {**base.manifest, "snapshot_date": str(date.date()), "history": history}
    manifest["rates"] = rates_at(raw, date)
    return _written(base, tables, manifest)


def _fund_info(base: Market, gaps: dict[str, float]) -> pd.DataFrame:
    """The snapshot's fund notes with the carry's return gap per fund (see :func:`funds_at`)."""
    info = base.fund_info.copy()
    if "holdings_vs_fund_return_gap" in info.columns:
        info["holdings_vs_fund_return_gap"] = pd.Series(gaps).reindex(info.index)
    return info


def _written(base: Market, tables: dict[str, pd.DataFrame], manifest: dict) -> Market:
    """A :class:`Market` over a temporary copy of ``base``'s folder with ``tables`` replaced; the
    folder is removed when the market is garbage-collected (or at exit)."""
    folder = Path(tempfile.mkdtemp(prefix=f"advisor-market-{manifest['snapshot_date']}-"))
    shutil.copytree(base.folder, folder, dirs_exist_ok=True)
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    market = Market(folder)
    weakref.finalize(market, shutil.rmtree, folder, ignore_errors=True)
    return market


__all__ = [
    "carry_back",
    "market_at",
    "prices_at",
    "raw_data",
    "risk_at",
    "trading_day",
    "trading_days",
]
