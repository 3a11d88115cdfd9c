"""Out-of-sample validation of the factor risk model on index-fund tracking errors.

At each test date the model is estimated from data up to and including that date only (factor
returns, factor covariance ``F``, fund exposures and residual variances, exactly as
:func:`advisor.data.riskmodel.estimate` does for an ETF), and it predicts the annualised tracking
error of a few index funds against SPY. The prediction is compared with the tracking error the
funds then realized over the next 12 months (252 trading days)::

    realized = std(r_fund - r_SPY) * sqrt(252)        ratio = realized / predicted

on daily returns of the adjusted closes. ``ratio > 1`` means the model under-predicted risk.

``bias_stat`` is the classic bias statistic: the standard deviation, over the same 252 days, of
the daily active return divided by the predicted daily TE. With the prediction frozen for the
whole year it would equal ``ratio`` exactly, so here the model is re-estimated every
``bias_refresh_days`` trading days (out of sample each time) and each day's active return is
standardised by the latest prediction, as the model is used in practice. A calibrated model gives
about 1 for both.

Run ``python -m advisor.data.validate --source ../shared/data --out docs/risk-model-validation.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.data.riskmodel import (
    FACTORS,
    PERIODS_PER_YEAR,
    ModelParams,
    clean_returns,
    factor_covariance,
    factor_returns,
    loadings,
    predicted_te,
    regress,
)
from advisor.data.sources import RawData
from advisor.errors import DataError

FUNDS = ("RSP", "IWM", "IJR", "VTV", "IVE", "QQQ")
BENCHMARK = "SPY"
HORIZON_DAYS = PERIODS_PER_YEAR  # 12 months of trading days after each date
BIAS_REFRESH_DAYS = 21  # re-estimate monthly for the bias statistic
RATIO_BAND = (0.7, 1.3)  # "close enough" for one fund and one year
CALIBRATED = (0.8, 1.25)  # mean ratio over many rows that we call calibrated
FIRST_YEAR, LAST_YEAR = 2019, 2025
COLUMNS = ["date", "fund", "predicted", "realized", "ratio", "bias_stat", "trailing"]
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PARAMS = ModelParams()  # frozen: safe as a default argument

#: Market episodes named in the reading when a biased 12-month window contains them.
EPISODES = (
    ("2020-02-19", "2020-04-30", "the COVID-19 crash and rebound (Feb-Apr 2020)"),
    ("2020-11-01", "2021-03-31", "the late-2020 vaccine rotation into small caps and value"),
    ("2022-01-01", "2022-10-31", "the 2022 rate-rise bear market and growth-to-value rotation"),
    ("2023-03-08", "2023-05-31", "the March 2023 regional-bank stress"),
    ("2025-04-02", "2025-04-30", "the April 2025 tariff shock"),
)


@dataclass(frozen=True, eq=False)
class Prediction:
    """The model at one date for a few funds.

    Attributes
    ----------
    asof : pd.Timestamp
        Last date of data used.
    exposures : pd.DataFrame
        Fund x factor exposures (betas on daily factor returns).
    specific_var : pd.Series
        Annualised residual variance per fund, floored like :func:`riskmodel.estimate`.
    factor_cov : pd.DataFrame
        Annualised factor covariance (factor x factor).
    """

    asof: pd.Timestamp
    exposures: pd.DataFrame
    specific_var: pd.Series
    factor_cov: pd.DataFrame

    def te(self, fund: str, benchmark: str) -> float:
        """Predicted annualised tracking error of ``fund`` against ``benchmark`` (fraction)."""
        return predicted_te(self.exposures, self.specific_var, self.factor_cov, fund, benchmark)


def trading_day(index: pd.DatetimeIndex, date: str | pd.Timestamp) -> pd.Timestamp:
    """The last date of ``index`` on or before ``date``."""
    pos = index.searchsorted(pd.Timestamp(date), side="right") - 1
    if pos < 0:
        raise DataError(f"no prices on or before {pd.Timestamp(date).date()}")
    return pd.Timestamp(index[pos])


def default_dates(index: pd.DatetimeIndex) -> list[pd.Timestamp]:
    """Last trading day of each June and December, 2019-06 .. 2025-06 (13 dates)."""
    ends = [
        pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
        for month in (6, 12)
    ]
    return [trading_day(index, d) for d in ends if d <= pd.Timestamp(LAST_YEAR, 6, 30)]


def predict(
    etf_prices: pd.DataFrame,
    asof: pd.Timestamp,
    names: Sequence[str],
    params: ModelParams = DEFAULT_PARAMS,
    fr: pd.DataFrame | None = None,
) -> Prediction:
    """Estimate the model for the funds ``names`` from prices up to ``asof`` only.

    Parameters
    ----------
    etf_prices : pd.DataFrame
        Adjusted closes, date x ticker (``RawData.etf_daily()``). Rows after ``asof`` are ignored.
    asof : pd.Timestamp
        Estimation date (inclusive).
    names : sequence of str
        Funds to estimate; all load on every factor.
    params : ModelParams
        Estimation settings.
    fr : pd.DataFrame, optional
        Daily factor returns from ``factor_returns(etf_prices)``; each row depends only on that
        day's and the previous day's prices, so passing the full history is equivalent to
        recomputing it from the truncated prices. Truncated at ``asof`` here.
    """
    hist = etf_prices.loc[:asof]
    fr = factor_returns(hist) if fr is None else fr.loc[:asof]
    F = factor_covariance(fr, asof, params)
    names = list(dict.fromkeys(names))
    window = hist[names].iloc[-(params.window_days + 1) :]
    r, _ = clean_returns(window, params.max_abs_daily_return)
    is_fund = pd.Series(True, index=names)
    lo = loadings(pd.Series("", index=names), is_fund)
    B, var, nobs = regress(r.iloc[1:], fr, lo, params, PERIODS_PER_YEAR)
    short = nobs.index[(nobs < params.min_obs) | var.isna()]
    if len(short):
        raise DataError(
            f"too little history at {asof.date()} for {', '.join(short)} "
            f"(fewer than {params.min_obs} daily returns)"
        )
    # the fund floor of riskmodel.estimate(): SPY is the market factor, its residual is ~0
    var = np.maximum(var, params.specific_vol_floor_fund**2)
    return Prediction(asof, B[list(FACTORS)], var, F)


def active_returns(
    etf_prices: pd.DataFrame, fund: str, benchmark: str, start: pd.Timestamp, n: int
) -> pd.Series:
    """Daily active returns ``r_fund - r_benchmark`` of the ``n`` trading days after ``start``."""
    px = etf_prices[[fund, benchmark]].dropna()
    r = px.pct_change(fill_method=None)
    after = r.loc[r.index > start].iloc[:n]
    if len(after) < n:
        raise DataError(
            f"only {len(after)} daily returns of {fund}/{benchmark} after {start.date()}; "
            f"the realized tracking error needs {n}",
            "Choose an earlier date.",
        )
    return after[fund] - after[benchmark]


def realized_te(active: pd.Series) -> float:
    """Annualised standard deviation (ddof=1) of daily active returns."""
    return float(active.std(ddof=1) * np.sqrt(PERIODS_PER_YEAR))


def trailing_te(etf_prices: pd.DataFrame, fund: str, benchmark: str, asof: pd.Timestamp) -> float:
    """Realized TE over the 252 trading days up to ``asof``: the naive forecast."""
    px = etf_prices.loc[:asof, [fund, benchmark]].dropna().iloc[-(HORIZON_DAYS + 1) :]
    r = px.pct_change(fill_method=None).iloc[1:]
    return realized_te(r[fund] - r[benchmark])


def backtest(
    raw: RawData,
    dates: Sequence[str | pd.Timestamp] | None = None,
    funds: Sequence[str] = FUNDS,
    benchmark: str = BENCHMARK,
    params: ModelParams = DEFAULT_PARAMS,
    *,
    bias_refresh_days: int = BIAS_REFRESH_DAYS,
) -> pd.DataFrame:
    """Predicted vs realized 12-month tracking error of ``funds`` against ``benchmark``.

    Returns
    -------
    pd.DataFrame
        One row per (date, fund): ``date``, ``fund``, ``predicted`` and ``realized`` annualised
        TE (fractions), ``ratio`` = realized / predicted, ``bias_stat`` (std of daily active
        returns standardised by the latest monthly re-estimated prediction) and ``trailing``
        (realized TE over the 12 months before the date, a naive forecast for comparison).
        Rows in date order, funds in the given order.
    """
    return backtest_prices(
        raw.etf_daily(), dates, funds, benchmark, params, bias_refresh_days=bias_refresh_days
    )


def backtest_prices(
    etf_prices: pd.DataFrame,
    dates: Sequence[str | pd.Timestamp] | None = None,
    funds: Sequence[str] = FUNDS,
    benchmark: str = BENCHMARK,
    params: ModelParams = DEFAULT_PARAMS,
    *,
    bias_refresh_days: int = BIAS_REFRESH_DAYS,
) -> pd.DataFrame:
    """:func:`backtest` on a price table (date x ticker) instead of the raw data folder."""
    funds = list(funds)
    missing = [t for t in [*funds, benchmark] if t not in etf_prices.columns]
    if missing:
        raise DataError(f"no daily prices for {', '.join(missing)}")
    days = etf_prices[benchmark].dropna().index
    asofs = default_dates(days) if dates is None else [trading_day(days, d) for d in dates]
    fr = factor_returns(etf_prices)
    names = [*funds, benchmark]
    rows = []
    for asof in asofs:
        start = days.get_loc(asof)
        refresh = days[start : start + HORIZON_DAYS : bias_refresh_days]
        preds = [predict(etf_prices, d, names, params, fr) for d in refresh]
        for fund in funds:
            active = active_returns(etf_prices, fund, benchmark, asof, HORIZON_DAYS)
            te = np.array([p.te(fund, benchmark) for p in preds])
            # each day is standardised by the latest prediction made before it (strictly)
            latest = refresh.searchsorted(active.index, side="left") - 1
            z = active / (te[latest] / np.sqrt(PERIODS_PER_YEAR))
            realized = realized_te(active)
            rows.append(
                {
                    "date": asof,
                    "fund": fund,
                    "predicted": te[0],
                    "realized": realized,
                    "ratio": realized / te[0],
                    "bias_stat": float(z.std(ddof=1)),
                    "trailing": trailing_te(etf_prices, fund, benchmark, asof),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _within(ratio: pd.Series) -> float:
    return float(ratio.between(*RATIO_BAND).mean())


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per fund (in table order) and ``all``: means of predicted, realized, ratio, bias_stat.

    ``within`` is the share of dates with ``RATIO_BAND[0] <= ratio <= RATIO_BAND[1]``;
    ``trailing_ratio`` the mean of realized / trailing (the naive forecast's ratio).
    """
    t = table.assign(trailing_ratio=table["realized"] / table["trailing"])
    groups = [(f, t[t["fund"] == f]) for f in dict.fromkeys(t["fund"])] + [("all", t)]
    out = pd.DataFrame(
        [
            {
                "fund": name,
                "n": len(g),
                "predicted": g["predicted"].mean(),
                "realized": g["realized"].mean(),
                "ratio": g["ratio"].mean(),
                "bias_stat": g["bias_stat"].mean(),
                "within": _within(g["ratio"]),
                "trailing_ratio": g["trailing_ratio"].mean(),
            }
            for name, g in groups
        ]
    )
    return out.set_index("fund")


# -- Markdown ---------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _md_table(header: list[str], rows: list[list[str]], align: str) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _verdict(ratio: float) -> str:
    lo, hi = CALIBRATED
    if ratio > hi:
        return f"under-predicts risk (mean ratio {ratio:.2f} > {hi})"
    if ratio < lo:
        return f"over-predicts risk (mean ratio {ratio:.2f} < {lo})"
    return f"is calibrated on average (mean ratio {ratio:.2f}, within {lo}-{hi})"


def _episodes(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """Named episodes overlapping ``(start, end]``."""
    return [text for a, b, text in EPISODES if pd.Timestamp(a) <= end and pd.Timestamp(b) > start]


def _fund_sentences(table: pd.DataFrame, summ: pd.DataFrame) -> list[str]:
    lo, hi = CALIBRATED
    funds = summ.drop(index="all")
    out = []
    for label, sel in (
        ("Under-predicted on average", funds["ratio"] > hi),
        ("Over-predicted on average", funds["ratio"] < lo),
        (f"Calibrated on average ({lo}-{hi})", funds["ratio"].between(lo, hi)),
    ):
        if sel.any():
            out.append(
                f"{label}: "
                + ", ".join(f"{f} ({r:.2f})" for f, r in funds.loc[sel, "ratio"].items())
                + "."
            )
    misses = []
    for f in funds.index:
        g = table[(table["fund"] == f) & ~table["ratio"].between(*RATIO_BAND)]
        if len(g):
            dates = ", ".join(
                f"{pd.Timestamp(d).date()} ({r:.2f})"
                for d, r in zip(g["date"], g["ratio"], strict=True)
            )
            misses.append(f"{f} {dates}")
    if misses:
        out.append(f"Ratios outside {RATIO_BAND[0]}-{RATIO_BAND[1]}: " + "; ".join(misses) + ".")
    return out


def _date_sentences(table: pd.DataFrame) -> list[str]:
    lo, hi = CALIBRATED
    by_date = table.assign(jump=table["realized"] / table["trailing"]).groupby("date")
    out = []
    for d, g in by_date:
        d = pd.Timestamp(d)
        ratio, jump = g["ratio"].mean(), g["jump"].mean()
        if lo <= ratio <= hi:
            continue
        if ratio > hi:
            ep = _episodes(d, d + pd.DateOffset(years=1))
            why = f"; the 12 months after it contain {' and '.join(ep)}" if ep else ""
            side = "under"
        else:
            ep = _episodes(d - pd.DateOffset(years=1), d)
            why = (
                f"; the 12 months before it, which weigh most in the estimate, held "
                f"{' and '.join(ep)}"
                if ep
                else ""
            )
            side = "over"
        out.append(
            f"Predictions made on {d.date()} {side}-predicted the next 12 months (mean ratio "
            f"{ratio:.2f} over the funds): realized TE was on average {jump:.2f} times the TE "
            f"of the preceding 12 months{why}."
        )
    return out


def _reading(table: pd.DataFrame, summ: pd.DataFrame) -> list[str]:
    """Sentences that depend on the numbers, generated from them."""
    al = summ.loc["all"]
    by_date = table.groupby("date")["ratio"].mean()
    worst_date = by_date.idxmax()
    rest = table[table["date"] != worst_date]["ratio"]
    out = [
        f"Over all {int(al['n'])} rows the model {_verdict(al['ratio'])}; the median ratio is "
        f"{table['ratio'].median():.2f}, and without the predictions of "
        f"{pd.Timestamp(worst_date).date()} (the worst date) the mean is {rest.mean():.2f}. "
        f"The monthly-refreshed bias statistic averages {al['bias_stat']:.2f}; "
        f"{100 * al['within']:.0f} % of the ratios fall within {RATIO_BAND[0]}-{RATIO_BAND[1]}.",
        *_fund_sentences(table, summ),
        *_date_sentences(table),
    ]
    worst = table.loc[np.log(table["ratio"]).abs().idxmax()]
    out.append(
        f"The largest single miss is {worst['fund']} on {pd.Timestamp(worst['date']).date()}: "
        f"predicted {_pct(worst['predicted'])}, realized {_pct(worst['realized'])} "
        f"(ratio {worst['ratio']:.2f})."
    )
    model_err = float(np.log(table["ratio"]).abs().mean())
    naive_err = float(np.log(table["realized"] / table["trailing"]).abs().mean())
    if abs(model_err - naive_err) < 0.1 * naive_err:
        better = "about as well as"
    else:
        better = "better than" if model_err < naive_err else "worse than"
    out.append(
        f"Mean absolute log error of the forecasts: model {model_err:.2f}, trailing 12-month "
        f"realized TE {naive_err:.2f}; the model forecasts {better} the naive trailing figure. "
        f"Both lag regime changes by construction: a forecast from past data cannot anticipate "
        f"a shock, and after one it keeps the shock's risk until the half-lives let it decay."
    )
    return out


def _method(params: ModelParams, dates: list[pd.Timestamp]) -> str:
    bench = BENCHMARK
    return (
        f"At each of {len(dates)} dates from {dates[0].date()} to {dates[-1].date()} the risk "
        f"model was estimated from data up to and including that date only (daily ETF factor "
        f"returns, an exponentially weighted factor covariance with a {params.cov_halflife}-day "
        f"half-life over {params.cov_window_days} days, and each fund's exposures and residual "
        f"variance from a weighted regression over {params.window_days} days, exposure "
        f"half-life {params.exposure_halflife} days, residual half-life "
        f"{params.specific_halflife} days, specific-volatility floor "
        f"{_pct(params.specific_vol_floor_fund)}). It predicted the annualised tracking error "
        f"of each fund against {bench}. The *realized* figure is the standard deviation of the "
        f"fund's daily return minus {bench}'s over the next {HORIZON_DAYS} trading days "
        f"(12 months), times sqrt({PERIODS_PER_YEAR}), on adjusted closes. *Ratio* = realized / "
        f"predicted: above 1 the model under-predicted risk, below 1 it over-predicted. *Bias* "
        f"is the standard deviation of the daily active returns each divided by the latest "
        f"predicted daily TE, the model being re-estimated every {BIAS_REFRESH_DAYS} trading "
        f"days (out of sample each time); about 1 is calibrated. *Trailing* is the TE realized "
        f"over the 12 months before the date, the naive forecast."
    )


def _results_table(table: pd.DataFrame) -> str:
    rows = [
        [
            str(pd.Timestamp(r.date).date()),
            str(r.fund),
            _pct(r.predicted),
            _pct(r.realized),
            f"{r.ratio:.2f}",
            f"{r.bias_stat:.2f}",
            _pct(r.trailing),
        ]
        for r in table.itertuples()
    ]
    header = ["date", "fund", "predicted", "realized", "ratio", "bias", "trailing"]
    return _md_table(header, rows, ["---", "---", "--:", "--:", "--:", "--:", "--:"])


def _summary_table(summ: pd.DataFrame) -> str:
    rows = [
        [
            str(f),
            str(int(s["n"])),
            _pct(s["predicted"]),
            _pct(s["realized"]),
            f"{s['ratio']:.2f}",
            f"{s['bias_stat']:.2f}",
            f"{100 * s['within']:.0f} %",
            f"{s['trailing_ratio']:.2f}",
        ]
        for f, s in summ.iterrows()
    ]
    header = ["fund", "dates", "mean predicted", "mean realized", "mean ratio", "mean bias"]
    header += [f"ratio in {RATIO_BAND[0]}-{RATIO_BAND[1]}", "mean realized / trailing"]
    return _md_table(header, rows, ["---", "--:", "--:", "--:", "--:", "--:", "--:", "--:"])


def to_markdown(table: pd.DataFrame, summary: pd.DataFrame, params: ModelParams) -> str:
    """A self-contained Markdown section: method, full table, summary and a reading.

    Percentages with 2 decimals, ratios with 2; every number-dependent sentence of the
    reading is generated from ``table`` and ``summary``.
    """
    dates = [pd.Timestamp(d) for d in sorted(pd.to_datetime(table["date"]).unique())]
    reading = "\n".join(f"- {s}" for s in _reading(table, summary))
    return (
        "## Risk model validation: predicted vs realized tracking error\n\n"
        f"{_method(params, dates)}\n\n"
        f"### Results\n\n{_results_table(table)}\n\n"
        f"### Summary\n\n{_summary_table(summary)}\n\n"
        f"### Reading\n\n{reading}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the back-test and write the Markdown section and the raw CSV next to it."""
    ap = argparse.ArgumentParser(prog="python -m advisor.data.validate", description=__doc__)
    ap.add_argument("--source", type=Path, default=REPO_ROOT / ".." / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "risk-model-validation.md")
    args = ap.parse_args(argv)
    params = DEFAULT_PARAMS
    table = backtest(RawData(args.source), params=params)
    summ = summary(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_markdown(table, summ, params), encoding="utf-8")
    csv = args.out.with_suffix(".csv")
    table.assign(date=table["date"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
    sys.stderr.write(f"wrote {args.out} and {csv}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
