"""``backtest()``: the tracking-error budget of a proposal, tested out of sample.

At each date the client's portfolio is taken as its **current weights by value** (the fractions of
today's file, the same at every date: the back-test asks what the proposal would have done for
this mix of holdings then, not what the client held then). The market is the one of that date,
from data up to it only (:func:`advisor.data.history.market_at`); the proposal is whatever
:func:`advisor.propose` builds on it under the mandate. The current and the proposed portfolios
are then **bought and held** for the next :data:`HORIZON_DAYS` trading days (12 months) of
actual daily closes (a fund by its own prices, a stock by its own; weights drift, nothing is
rebalanced, cash earns nothing), and compared with the benchmark's realised return: SPY's daily
returns stand for the S&P 500 (a blend benchmark is its funds at fixed weights, rebalanced daily).

*Realised tracking error* is the annualised standard deviation of the daily active returns,
``std(r_p - r_b) sqrt(252)`` (ddof 1), as in :mod:`advisor.data.validate`. *Trailing* is the naive
forecast: the proposed weights, held fixed, over the 12 months before the date. *Fixed-weight*
is the proposal's TE over the same 12 months after the date with its weights reset every day (no
drift): the gap between it and the realised TE is what buy-and-hold drift adds. A date whose 12
months run past the data's end is evaluated on the shorter window and flagged ``short_window``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis, value_positions
from advisor.domain import POSITION_COLUMNS, Holdings, Instrument
from advisor.errors import AdvisorError, DataError, UsageError
from advisor.market import store
from advisor.market.snapshot import BENCHMARK_NAME, DEFAULT_MEGACAPS, Market, load_market
from advisor.scenarios.realised import (
    HORIZON_DAYS,
    PROXY,
    _is_sp500,
    benchmark_returns,
    calendar,
    growth,
    hold,
    model_benchmark_returns,
    realised_te,
    trailing_te,
    window,
)
from advisor.units import json_number as _num

if TYPE_CHECKING:  # keeps cvxpy and the raw-data readers out of the import
    from advisor.data.riskmodel import ModelParams
    from advisor.data.sources import RawData
    from advisor.optimize.mandate import Mandate
    from advisor.optimize.proposal import Proposal

#: A date needs at least this many trading days after it to be evaluated at all.
MIN_WINDOW_DAYS = 21
#: ... and at least this many trading days of daily prices before it (the risk model's
#: ``min_obs``: with fewer, every stock's exposures would be its peers' medians).
MIN_HISTORY_DAYS = 126
#: Realised / budgeted tracking error within this band counts as the budget kept.
RATIO_BAND = (0.7, 1.3)
#: Notional account value for a file that gives only weights (account currency).
NOTIONAL = 1_000_000.0
#: How often ``--every`` places dates, in months.
FREQUENCIES = {"month": 1, "quarter": 3, "year": 12}

COLUMNS = (
    "date", "end", "days", "short_window", "status", "budget",
    "predicted_te", "realised_te", "ratio", "current_predicted_te", "current_realised_te",
    "trailing_te", "current_trailing_te", "fixed_weight_te", "realised_te_model_benchmark",
    "benchmark_carry_te", "current_return", "proposed_return", "benchmark_return",
    "current_megacap_start", "current_megacap_end", "proposed_megacap_start",
    "proposed_megacap_end", "turnover", "left_out",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Client:
    """A client's portfolio as weights by value, what the back-test proposes for at every date.

    Attributes
    ----------
    source : str
        The holdings file.
    weights : Series
        Securities by ticker, fractions of the account's total value.
    cash : float
        Cash, a fraction of the total value.
    total_value : float
        Account value, account currency (:data:`NOTIONAL` for a weights-only file).
    notes : tuple of str
        What was left out or assumed.
    """

    source: str
    weights: pd.Series
    cash: float
    total_value: float
    notes: tuple[str, ...] = ()


def client_of(holdings: Holdings, market: Market, total_value: float | None = None) -> Client:
    """Today's weights by value of ``holdings`` (valued as ``analyze`` values them; a weights-only
    file at ``total_value``, else a notional account); bonds and options are left out (the
    back-test holds securities with daily prices)."""
    positions, total, cash = value_positions(holdings, market, total_value)
    kind = holdings.positions["instrument"].reindex(positions.index).astype(str)
    security = (kind == Instrument.SECURITY).to_numpy()
    notes = []
    if not security.all():
        out = list(positions.index[~security])
        notes.append(f"bonds and options left out of the back-test: {', '.join(out)}")
    if total is None:
        notes.append(f"the file gives weights only: a notional account of {NOTIONAL:,.0f}")
    weights = positions["weight"][security].astype(float)
    return Client(holdings.path, weights, float(cash), float(total or NOTIONAL), tuple(notes))


def holdings_at(client: Client, market: Market, closes: pd.DataFrame) -> tuple[Holdings, list[str]]:
    """The client's weights as holdings valued at ``market``'s prices (fractional shares).

    Securities without a daily close at the date (not listed yet) are left out and returned;
    the rest are scaled to keep the cash weight.
    """
    price = market.securities["price"].reindex(client.weights.index)
    daily = client.weights.index.isin(closes.columns)
    ok = price.notna().to_numpy() & daily
    left_out = [str(t) for t in client.weights.index[~ok]]
    w = client.weights[ok]
    if w.sum() <= 0:
        raise DataError(
            f"none of the holdings of {client.source} has a price at {market.as_of.date()}"
        )
    values = (w * (1.0 - client.cash) / w.sum() * client.total_value).round(2)
    index = pd.Index(w.index, name="ticker")
    df = pd.DataFrame({c: np.nan for c in POSITION_COLUMNS}, index=index)
    df["shares"] = values / price[ok]
    df["price"] = price[ok]
    df["value"] = values
    df = df.astype({"account": object, "lines": object, "raw": object, "instrument": object})
    df["account"] = ""
    df["lines"] = [(i + 2,) for i in range(len(index))]
    df["raw"] = [(t,) for t in index]
    df["instrument"] = Instrument.SECURITY
    path = f"{client.source} (weights by value, at {market.as_of.date()})"
    cash = round(client.cash * client.total_value, 2)
    return Holdings(path=path, positions=df, cash=cash, basis="value"), left_out


# -- evaluation ------------------------------------------------------------------------------


def megacap_exposure(a: Analysis, market: Market, megacaps: Sequence[str]) -> pd.Series:
    """Look-through exposure to each megacap security (fractions of the portfolio's value):
    ``L w`` over the megacap rows of the look-through ``L`` (security x holding, per unit)."""
    matrix = a.lookthrough.matrix
    mega = market.megacap_companies(list(megacaps))
    rows = matrix.index[market.company_of(matrix.index).isin(list(mega)).to_numpy()]
    return matrix.loc[rows] @ a.positions["weight"].reindex(matrix.columns).fillna(0.0)


def _held(
    a: Analysis, market: Market, megacaps: Sequence[str], closes: pd.DataFrame,
    days: pd.DatetimeIndex, rb: pd.Series, rm: pd.Series | None = None,
) -> dict[str, float]:  # fmt: skip
    """Realised TE (against ``rb``, and against ``rm`` when given), return and megacap weight
    (start, end) of an analysed portfolio held.

    The megacaps' value at the end is ``sum_k g_k e_k`` over the megacap securities ``k`` with
    exposure ``e_k`` at the start, each drifted by its own return ``g_k`` (a fund's holdings by
    theirs: exact for a fund that keeps its share counts), over the portfolio's value then.
    """
    w = a.positions["weight"].astype(float)
    e = megacap_exposure(a, market, megacaps)
    names = list(dict.fromkeys([*w.index, *[k for k in e.index if k in closes.columns]]))
    g = growth(closes, names, days)
    value = hold(w, a.cash_weight, g)
    end = float(value.iloc[-1])
    g_mega = g.iloc[-1].reindex(e.index).fillna(end)  # no close: moves with the portfolio
    r = value.pct_change().iloc[1:]
    return {
        "realised_te": realised_te(r - rb),
        "realised_te_model": np.nan if rm is None else realised_te(r - rm),
        "return": end - 1.0,
        "megacap_start": float(e.sum()),
        "megacap_end": float((e * g_mega).sum() / end),
    }


def _nan_row(date: pd.Timestamp, status: str, budget: float) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, np.nan)
    row.update(date=date, status=status, budget=budget, short_window=False, left_out=())
    return row


def evaluate(
    client: Client,
    market: Market,
    mandate: Mandate,
    closes: pd.DataFrame,
    *,
    horizon: int = HORIZON_DAYS,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
) -> dict[str, Any]:
    """One date of the back-test: the proposal on ``market`` (its ``as_of`` is the date, a
    trading day of ``closes``), then current and proposed portfolios held for ``horizon`` days.

    Returns a row with :data:`COLUMNS` (fractions; TE annualised; NaN where the proposal is
    infeasible). Raises :class:`DataError` when fewer than :data:`MIN_WINDOW_DAYS` follow.
    """
    from advisor.optimize.proposal import propose

    date, days = market.as_of, calendar(closes)
    if date not in days:
        raise DataError(f"{date.date()} is not a trading day of the daily prices")
    win = window(days, date, horizon)
    if len(win) - 1 < MIN_WINDOW_DAYS:
        raise DataError(
            f"only {len(win) - 1} trading days of prices after {date.date()}; a back-test date "
            f"needs at least {MIN_WINDOW_DAYS}",
            f"Choose dates up to {days[-1 - MIN_WINDOW_DAYS].date()}.",
        )
    holdings, left_out = holdings_at(client, market, closes)
    p = propose(holdings, market, mandate, benchmark=benchmark, megacaps=megacaps)
    budget = np.nan if mandate.max_te is None else float(mandate.max_te)
    comps = p.before.bench.components if p.before.bench is not None else ((BENCHMARK_NAME, 1.0),)
    rb = benchmark_returns(comps, closes, win)
    rm = model_benchmark_returns(market, closes, win) if _is_sp500(comps) else None
    cur = _held(p.before, market, megacaps, closes, win, rb)
    row = _nan_row(date, str(p.status), budget)
    row.update(
        benchmark_carry_te=np.nan if rm is None else realised_te(rm - rb),
    )
    row.update(
        end=win[-1], days=len(win) - 1, short_window=len(win) - 1 < horizon,
        current_predicted_te=p.before.risk.tracking_error, current_realised_te=cur["realised_te"],
        current_trailing_te=_trailing(p.before, closes, win, comps, horizon),
        current_return=cur["return"], benchmark_return=float((1.0 + rb).prod() - 1.0),
        current_megacap_start=cur["megacap_start"], current_megacap_end=cur["megacap_end"],
        left_out=tuple(left_out),
    )  # fmt: skip
    if p.after is not None:
        row.update(_proposed(p, market, megacaps, closes, win, (rb, rm), comps, horizon))
        row["ratio"] = row["realised_te"] / budget
    return row


def _proposed(
    p: Proposal, market: Market, megacaps: Sequence[str], closes: pd.DataFrame,
    win: pd.DatetimeIndex, bench: tuple[pd.Series, pd.Series | None],
    comps: Sequence[tuple[str, float]], horizon: int,
) -> dict[str, Any]:  # fmt: skip
    """The proposed portfolio's figures: predicted and realised TE (against the benchmark's
    fund ``bench[0]`` and the model's own benchmark ``bench[1]``), trailing and fixed-weight
    TE, return, megacap weights, turnover."""
    assert p.after is not None
    rb, rm = bench
    new = _held(p.after, market, megacaps, closes, win, rb, rm)
    return {
        "predicted_te": p.after.risk.tracking_error,
        "realised_te": new["realised_te"],
        "realised_te_model_benchmark": new["realised_te_model"],
        "trailing_te": _trailing(p.after, closes, win, comps, horizon),
        "fixed_weight_te": trailing_te(p.after.positions["weight"].astype(float), closes, win, rb),
        "proposed_return": new["return"],
        "proposed_megacap_start": new["megacap_start"],
        "proposed_megacap_end": new["megacap_end"],
        "turnover": p.turnover,
    }


def _trailing(
    a: Analysis, closes: pd.DataFrame, win: pd.DatetimeIndex,
    comps: Sequence[tuple[str, float]], horizon: int,
) -> float:  # fmt: skip
    """The naive forecast for an analysed portfolio: its weights held fixed over the ``horizon``
    trading days up to the window's first day (:func:`trailing_te`)."""
    days = calendar(closes)
    i = days.get_loc(win[0])
    prev = days[max(0, i - horizon) : i + 1]
    w = a.positions["weight"].astype(float)
    return trailing_te(w, closes, prev, benchmark_returns(comps, closes, prev))


# -- the result --------------------------------------------------------------------------------


def summarize(rows: pd.DataFrame, band: tuple[float, float] = RATIO_BAND) -> dict[str, Any]:
    """Headline figures over the dates with a proposal and a full window.

    ``ratio`` quantiles (realised / budgeted TE: 10, 25, 50, 75, 90 %), ``within_band`` (share
    of ratios in ``band``), the medians of realised / predicted TE and of realised / trailing TE
    (the naive forecast) for the proposal and for the current portfolio, and the means of
    predicted and realised TE. Counts: ``dates``, ``evaluated``, ``short_windows``,
    ``infeasible``, ``errors``.
    """
    ok = rows[rows["realised_te"].notna() & ~rows["short_window"].astype(bool)]
    ratio = ok["ratio"].dropna()
    q = ratio.quantile([0.1, 0.25, 0.5, 0.75, 0.9]) if len(ratio) else pd.Series(dtype=float)
    full = rows[~rows["short_window"].astype(bool) & rows["current_realised_te"].notna()]
    return {
        "dates": int(len(rows)),
        "evaluated": int(len(ok)),
        "short_windows": int(rows["short_window"].astype(bool).sum()),
        "infeasible": int((rows["status"] == "infeasible").sum()),
        "errors": int((rows["status"] == "error").sum()),
        "ratio_quantiles": {f"p{round(100 * k)}": _num(v) for k, v in q.items()},
        "within_band": _num(ratio.between(*band).mean()) if len(ratio) else None,
        "band": list(band),
        "mean_predicted_te": _num(ok["predicted_te"].mean()),
        "mean_realised_te": _num(ok["realised_te"].mean()),
        "median_realised_over_predicted": _num((ok["realised_te"] / ok["predicted_te"]).median()),
        "median_realised_over_trailing": _num((ok["realised_te"] / ok["trailing_te"]).median()),
        "current_median_realised_over_predicted": _num(
            (full["current_realised_te"] / full["current_predicted_te"]).median()
        ),
        "current_median_realised_over_trailing": _num(
            (full["current_realised_te"] / full["current_trailing_te"]).median()
        ),
    }


@dataclass(frozen=True, eq=False)
class Backtest:
    """Predicted against realised tracking error of a client's proposals through time.

    Attributes
    ----------
    source : str
        The holdings file.
    mandate : Mandate
        The limits every proposal was built under (``max_te`` is the budget).
    benchmark : str
        What the proposals were measured against (the S&P 500 by default).
    rows : DataFrame
        One row per date, columns :data:`COLUMNS`: fractions, TE annualised, returns over the
        window (``end``: its last day; ``days``: its trading days), ``ratio`` = realised / budget.
    horizon_days : int
        Trading days each portfolio is held after a date.
    notes : list of str
        What was left out, assumed, or failed at a date.
    """

    source: str
    mandate: Mandate
    benchmark: str
    rows: pd.DataFrame
    horizon_days: int = HORIZON_DAYS
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        missing = [c for c in COLUMNS if c not in self.rows.columns]
        if missing:
            raise ValueError(f"back-test rows lack columns {missing}")

    def summary(self) -> dict[str, Any]:
        """Headline figures (see :func:`summarize`)."""
        return summarize(self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per date (:data:`COLUMNS`); dates as ``YYYY-MM-DD``, ``left_out`` joined."""
        df = self.rows.copy()
        for c in ("date", "end"):
            df[c] = pd.to_datetime(df[c]).dt.strftime("%Y-%m-%d")
        df["left_out"] = [" ".join(x) for x in df["left_out"]]
        return df[list(COLUMNS)]

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor backtest --format json`` contract)."""
        frame = self.to_frame()
        dates = []
        for row, left in zip(frame.to_dict(orient="records"), self.rows["left_out"], strict=True):
            d = {k: (v if isinstance(v, str | bool) else _num(v)) for k, v in row.items()}
            d["days"] = None if d["days"] is None else int(d["days"])
            d["short_window"] = bool(row["short_window"])
            d["end"] = None if row["end"] == "NaT" or pd.isna(row["end"]) else row["end"]
            d["left_out"] = list(left)
            dates.append(d)
        return {
            "source": self.source,
            "benchmark": self.benchmark,
            "benchmark_proxy": {k: v for k, v in PROXY.items()},
            "horizon_days": self.horizon_days,
            "mandate": self.mandate.to_dict(),
            "summary": self.summary(),
            "dates": dates,
            "notes": self.notes,
        }


# -- the run ------------------------------------------------------------------------------------


def schedule(
    start: str | pd.Timestamp,
    end: str | pd.Timestamp | None,
    every: str,
    days: pd.DatetimeIndex,
    horizon: int = HORIZON_DAYS,
) -> list[pd.Timestamp]:
    """``start``, then every 1, 3 or 12 months after it up to ``end`` (a month-end start stays on
    month-ends: 2019-06-30, 2019-09-30, ...), as given: :func:`backtest` moves each to the last
    trading day of ``days`` on or before it (and notes it). ``end`` None: the last date with a
    full ``horizon`` of prices after it.

    Raises :class:`UsageError` for an unknown ``every``, a ``start`` earlier than
    :data:`MIN_HISTORY_DAYS` trading days into ``days`` or after ``end``, and an empty schedule.
    """
    from advisor.data.history import trading_day

    if every not in FREQUENCIES:
        raise UsageError(
            f"--every {every!r}: use one of {', '.join(FREQUENCIES)}", option="--every"
        )
    first, earliest = pd.Timestamp(start), _earliest(days)
    last = pd.Timestamp(end) if end is not None else days[max(0, len(days) - 1 - horizon)]
    if first < earliest:
        raise UsageError(
            f"the first date {first.date()} is too early: the daily prices start "
            f"{days[0].date()} and a date needs {MIN_HISTORY_DAYS} trading days of prices "
            f"before it for the risk model, so the earliest is {earliest.date()}",
            f"Give --from {earliest.date()} or later.",
            option="--from",
        )
    if first > last:
        raise UsageError(
            f"the first date {first.date()} is after the last {last.date()} (by default the "
            f"last with {horizon} trading days of prices after it)",
            "Give an earlier --from (or a later --to).",
            option="--from",
        )
    month_end = first == first + pd.offsets.MonthEnd(0)
    out, k = [], 0
    while (d := first + pd.DateOffset(months=k * FREQUENCIES[every])) <= last:
        d = d + pd.offsets.MonthEnd(0) if month_end else d
        if trading_day(days, d) <= last:
            out.append(pd.Timestamp(d))
        k += 1
    return out


def _earliest(days: pd.DatetimeIndex) -> pd.Timestamp:
    """The first day with :data:`MIN_HISTORY_DAYS` trading days of prices before it."""
    return pd.Timestamp(days[min(MIN_HISTORY_DAYS, len(days) - 1)])


def needed_tickers(client: Client, mandate: Mandate, benchmark: str | None) -> set[str]:
    """Securities the past markets' risk model must cover for this client: its holdings, the
    sleeve funds and the funds a ``--benchmark`` names."""
    import re

    from advisor.market.sleeves import resolve_sleeves

    sleeves = resolve_sleeves(mandate.sleeves, mandate.sleeve_funds).values()
    named = {t.strip().upper() for t in re.split(r"[,+:]", benchmark or "") if t.strip()}
    return {*client.weights.index, *sleeves, *named}


def _check_mandate(mandate: Mandate) -> None:
    if mandate.max_realized_gain is not None:
        raise UsageError(
            "a realised-gain budget cannot be back-tested: the cost basis at past dates is unknown",
            "Drop --max-realized-gain for the back-test.",
            option="--max-realized-gain",
        )


def backtest(
    holdings: Holdings,
    mandate: Mandate | None,
    dates: Sequence[str | pd.Timestamp],
    raw: RawData | str,
    *,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
    params: ModelParams | None = None,
    horizon: int = HORIZON_DAYS,
    market: Market | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Backtest:
    """Back-test ``mandate``'s proposals for ``holdings`` at ``dates`` (see the module notes).

    Parameters
    ----------
    holdings : Holdings
        The client's file, read against ``market``; its weights by value are used at every date.
    mandate : Mandate or None
        The proposal's limits (default ``Mandate()``: tracking error at most 3 %).
    dates : sequence of str or Timestamp
        Dates to propose at, each moved to the last trading day on or before it.
    raw : RawData or str
        The raw data folder (``../shared/data``): prices and the past risk models come from it.
    benchmark, megacaps, total_value
        As for :func:`advisor.propose` (``total_value`` values a weights-only file).
    params : ModelParams, optional
        Risk-model settings (the build's by default).
    horizon : int
        Trading days to hold each portfolio (252, 12 months).
    market : Market, optional
        The snapshot the holdings were read against and whose universe is carried back
        (default: the embedded one).
    progress : callable, optional
        Called ``progress(done, total, label)`` after each date.
    """
    from advisor.data import history
    from advisor.data.sources import RawData
    from advisor.optimize.mandate import Mandate

    mandate = mandate or Mandate()
    _check_mandate(mandate)
    raw = raw if isinstance(raw, RawData) else RawData(raw)
    base = market or load_market(store.PACKAGE_SNAPSHOT)
    client = client_of(holdings, base, total_value)
    closes = raw.daily()
    days = calendar(closes)
    when = sorted({history.trading_day(days, d) for d in dates})
    if not when:
        raise UsageError("no dates to back-test", "Give --from (and --to) dates.", option="--from")
    tickers = needed_tickers(client, mandate, benchmark)
    run = {"benchmark": benchmark, "megacaps": megacaps, "horizon": horizon}
    rows, notes = [], [*client.notes, *_moved(dates, days)]
    for n, date in enumerate(when, 1):
        row, note = _at(client, mandate, raw, date, base, tickers, params, run)
        rows.append(row)
        notes += [note] if note else []
        if progress is not None:
            progress(n, len(when), str(date.date()))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    notes += _row_notes(table, horizon)
    return Backtest(holdings.path, mandate, benchmark or BENCHMARK_NAME, table, horizon, notes)


def _at(
    client: Client, mandate: Mandate, raw: RawData, date: pd.Timestamp, base: Market,
    tickers: set[str], params: ModelParams | None, run: dict[str, Any],
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """One date of :func:`backtest`: its row, and a note when it failed (an error row)."""
    from advisor.data import history

    try:
        past = history.market_at(
            raw, date, params or history.DEFAULT_PARAMS, tickers=tickers, base=base
        )
        return evaluate(client, past, mandate, raw.daily(), **run), ""
    except UsageError:
        raise
    except AdvisorError as exc:
        row = _nan_row(date, "error", np.nan if mandate.max_te is None else mandate.max_te)
        return row, f"{date.date()}: {exc.message}"


def _moved(dates: Sequence[str | pd.Timestamp], days: pd.DatetimeIndex) -> list[str]:
    """A note on the dates that were not trading days and moved to the one before."""
    from advisor.data.history import trading_day

    pairs = [(pd.Timestamp(d), trading_day(days, d)) for d in dates]
    moved = [f"{a.date()} -> {b.date()}" for a, b in pairs if a != b]
    if not moved:
        return []
    return [f"not trading days, moved to the last trading day before: {', '.join(moved)}"]


def _row_notes(rows: pd.DataFrame, horizon: int) -> list[str]:
    """Notes on short windows and on holdings left out at some dates."""
    out = []
    short = rows[rows["short_window"].astype(bool)]
    for r in short.itertuples():
        out.append(
            f"{pd.Timestamp(r.date).date()}: the data ends {int(r.days)} trading days later, "
            f"before the {horizon}-day window; evaluated on the shorter window"
        )
    for r in rows[[bool(x) for x in rows["left_out"]]].itertuples():
        out.append(
            f"{pd.Timestamp(r.date).date()}: no price then for {', '.join(r.left_out)}: left "
            "out, the other holdings scaled up to keep the cash weight"
        )
    return out


__all__ = ["Backtest", "Client", "backtest", "client_of", "evaluate", "schedule", "summarize"]
