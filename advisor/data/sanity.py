"""Sanity filters for daily closes, applied before any return is estimated.

The raw closes are adjusted (splits and dividends) and mostly clean, but the whole-market file
carries known artefacts (``../shared/data/README.md``). Each rule below sets the offending closes
or returns to NaN; nothing is repaired or interpolated, and every rule is counted (and its
occurrences listed) in the manifest:

``nonpositive``
    A close of zero or less is no price.
``absurd_level``
    A close above :data:`MAX_CLOSE` per share. No US listing closed above about $0.8M (BRK-A) in
    2023-2026; larger adjusted closes are micro caps whose repeated reverse splits were
    back-adjusted (WHLR 4.1e9, SMX 2.4e9, XXII 2.7e8 in 2023). Their early returns compound the
    adjustment of every split, so only the part of the series below the limit is used.
``spike``
    A one-day print more than :data:`SPIKE_RATIO` times away from both neighbours, in the same
    direction, while the neighbours agree within :data:`SPIKE_NEIGHBOURS` (a bad tick or a split
    applied a day late): the close is dropped, which removes both returns it touches.
``stale``
    A run of :data:`STALE_RUN` or more identical closes (a quote that did not update): the
    repeated closes after the first are dropped.
``gap``
    A close missing inside a series: the return across it is not computed (counted only).
``large_move``
    A daily return beyond ``max_abs`` (50 %, the rule of the first snapshot) is a data error:
    dropped and listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_CLOSE = 5e6
SPIKE_RATIO = 1.5
SPIKE_NEIGHBOURS = 1.1
STALE_RUN = 10
RULES = ("nonpositive", "absurd_level", "spike", "stale", "gap", "large_move")


def _spikes(p: pd.DataFrame) -> pd.DataFrame:
    """True where a close is an isolated spike (see the module docstring)."""
    prev, nxt = p.shift(1), p.shift(-1)
    up = (p > SPIKE_RATIO * prev) & (p > SPIKE_RATIO * nxt)
    down = (p * SPIKE_RATIO < prev) & (p * SPIKE_RATIO < nxt)
    ratio = nxt / prev
    agree = (ratio < SPIKE_NEIGHBOURS) & (ratio > 1.0 / SPIKE_NEIGHBOURS)
    return (up | down) & agree


def _stale(p: pd.DataFrame) -> pd.DataFrame:
    """True on the repeated closes of runs of at least :data:`STALE_RUN` identical closes."""
    same = p.eq(p.shift(1)) & p.notna()
    x = same.to_numpy()
    run = np.zeros(x.shape, dtype=np.int32)  # length of the run of repeats ending here
    for i in range(1, len(x)):
        run[i] = np.where(x[i], run[i - 1] + 1, 0)
    # a run ends where the next row is no repeat; mark it back to its start when long enough
    out = np.zeros(x.shape, dtype=bool)
    length = np.zeros(x.shape[1], dtype=np.int32)
    for i in range(len(x) - 1, -1, -1):
        length = np.where(x[i], np.maximum(length, run[i]), 0)
        out[i] = x[i] & (length >= STALE_RUN - 1)
    return pd.DataFrame(out, index=p.index, columns=p.columns)


def _inside(p: pd.DataFrame) -> pd.DataFrame:
    """True between a series' first and last close (where a missing close is a gap)."""
    seen = p.notna()
    return seen.cummax() & seen[::-1].cummax()[::-1]


def _cells(mask: pd.DataFrame) -> list[tuple[str, pd.Timestamp, int, int]]:
    """(ticker, date, row, column) of the True cells of a date x ticker mask, by ticker."""
    rows, cols = np.nonzero(mask.to_numpy())
    order = np.lexsort((rows, cols))
    return [(str(mask.columns[cols[k]]), mask.index[rows[k]], rows[k], cols[k]) for k in order]


def _where(mask: pd.DataFrame) -> dict[str, list[str]]:
    """{ticker: [dates]} of the True cells of a date x ticker mask."""
    out: dict[str, list[str]] = {}
    for ticker, date, _, _ in _cells(mask):
        out.setdefault(ticker, []).append(str(date.date()))
    return out


def clean_prices(prices: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Closes with the price rules applied, and what each rule removed.

    Returns the cleaned date x ticker frame and a record ``{rule: {count, tickers, where}}``;
    ``where`` maps ticker -> dates for the rare rules (all but ``stale``, listed by count).
    """
    p = prices.astype("float64")
    record: dict[str, dict] = {}
    bad = p <= 0
    p = p.mask(bad)
    record["nonpositive"] = _summary(bad, list_dates=True)
    bad = p > MAX_CLOSE
    p = p.mask(bad)
    record["absurd_level"] = _summary(bad, list_dates=False)
    bad = _spikes(p)
    p = p.mask(bad)
    record["spike"] = _summary(bad, list_dates=True)
    bad = _stale(p)
    p = p.mask(bad)
    record["stale"] = _summary(bad, list_dates=False)
    return p, record


def daily_returns(prices: pd.DataFrame, max_abs: float) -> tuple[pd.DataFrame, dict]:
    """Simple daily returns of cleaned closes, with gaps counted and large moves dropped.

    The first row is dropped (it has no return). Returns the date x ticker returns and the
    record of the ``gap`` and ``large_move`` rules (large moves listed as ``date +123%``).
    """
    r = prices.pct_change(fill_method=None)
    gaps = prices.isna() & _inside(prices)
    bad = r.abs() > max_abs
    values = r.to_numpy()
    listed: dict[str, list[str]] = {}
    for ticker, date, i, j in _cells(bad):
        listed.setdefault(ticker, []).append(f"{date.date()} {values[i, j]:+.0%}")
    record = {
        "gap": _summary(gaps, list_dates=False),
        "large_move": {
            "count": int(bad.to_numpy().sum()),
            "tickers": len(listed),
            "where": listed,
        },
    }
    return r.mask(bad).iloc[1:], record


def _summary(mask: pd.DataFrame, list_dates: bool) -> dict:
    per = mask.sum()
    per = per[per > 0]
    out: dict = {"count": int(per.sum()), "tickers": len(per)}
    if list_dates:
        out["where"] = _where(mask.loc[:, per.index])
    else:
        out["by_ticker"] = {str(k): int(v) for k, v in per.sort_values(ascending=False).items()}
    return out
