"""The back-test as terminal tables and as a PNG chart (matplotlib, no display needed); its CSV is
the result's ``to_frame()``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from advisor.report.table import notes, pct, print_parts, table
from advisor.scenarios.backtest import PROXY, RATIO_BAND, Backtest


def _date(r: pd.Series) -> str:
    """``2019-06-28``, with ``*`` for a short window and the status when not optimal."""
    d = str(pd.Timestamp(r["date"]).date()) + ("*" if bool(r["short_window"]) else "")
    return d if str(r["status"]).startswith("optimal") else f"{d} {r['status']}"


def _date_column(t):  # type: ignore[no-untyped-def]
    """Keep the date column whole on a narrow terminal (the numbers' headers wrap instead)."""
    t.columns[0].min_width, t.columns[0].no_wrap = 10, True
    return t


def _ratio(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:.2f}"


def _head(b: Backtest) -> Text:
    rows = b.rows
    first, last = (pd.Timestamp(rows["date"].iloc[i]).date() for i in (0, -1))
    budget = b.mandate.max_te
    proxy = ", ".join(f"{k} by {v}" for k, v in PROXY.items())
    lines = [
        f"[bold]advisor backtest[/bold]  {escape(b.source)}",
        f"{len(rows)} date(s) from {first} to {last}: at each, today's weights by value, the "
        f"market of that date (data up to it only) and the proposal built on it; both held "
        f"{b.horizon_days} trading days (buy and hold).",
        f"Budget: tracking error {pct(budget, 2) if budget is not None else 'none'} against "
        f"{escape(b.benchmark)}; realised against daily closes ({escape(proxy)}).",
    ]
    return Text.from_markup("\n".join(lines))


def _te_table(b: Backtest):  # type: ignore[no-untyped-def]
    t = table(
        "Tracking error, annualised (% a year): predicted at the date, realised over the next "
        "12 months; trailing (naive) = the proposal's weights over the 12 months before (the "
        "current portfolio's trailing TE is in the JSON and CSV)",
        "Date",
        "Proposed predicted",
        "Proposed realised",
        "Realised / budget",
        "Trailing (naive)",
        "Current predicted",
        "Current realised",
    )
    for _, r in b.rows.iterrows():
        t.add_row(
            _date(r),
            pct(r["predicted_te"], 2),
            pct(r["realised_te"], 2),
            _ratio(r["ratio"]),
            pct(r["trailing_te"], 2),
            pct(r["current_predicted_te"], 2),
            pct(r["current_realised_te"], 2),
        )
    return _date_column(t)


def _return_table(b: Backtest):  # type: ignore[no-untyped-def]
    t = table(
        "Over the window: returns (%), turnover of the proposal and look-through megacap weight "
        "at the start and the end, drifted (% of each portfolio)",
        "Date",
        "Current return",
        "Proposed return",
        "Benchmark return",
        "Turnover",
        "Megacaps current",
        "Megacaps proposed",
    )
    for _, r in b.rows.iterrows():
        cur = f"{pct(r['current_megacap_start'], 0)}→{pct(r['current_megacap_end'], 0)}"
        new = f"{pct(r['proposed_megacap_start'], 0)}→{pct(r['proposed_megacap_end'], 0)}"
        t.add_row(
            _date(r),
            pct(r["current_return"]),
            pct(r["proposed_return"]),
            pct(r["benchmark_return"]),
            pct(r["turnover"], 0),
            cur if pd.notna(r["current_megacap_start"]) else "-",
            new if pd.notna(r["proposed_megacap_start"]) else "-",
        )
    return _date_column(t)


def _summary(b: Backtest) -> Text:
    s = b.summary()
    if not s["evaluated"]:
        return Text("No date with a proposal and a full 12-month window to summarise.")
    q = s["ratio_quantiles"]
    lo, hi = RATIO_BAND
    text = (
        f"Over {s['evaluated']} date(s) with a full window: realised / budgeted TE median "
        f"{q['p50']:.2f} (10-90 %: {q['p10']:.2f} to {q['p90']:.2f}); "
        f"{100 * s['within_band']:.0f} % within {lo}-{hi}. Realised / predicted: proposal "
        f"{s['median_realised_over_predicted']:.2f}, current portfolio "
        f"{s['current_median_realised_over_predicted']:.2f} (medians); realised / trailing "
        f"(the naive forecast): proposal {s['median_realised_over_trailing']:.2f}, current "
        f"portfolio {s['current_median_realised_over_trailing']:.2f}."
    )
    if s["short_windows"]:
        text += f" * {s['short_windows']} window(s) cut short by the data's end, left out here."
    return Text(text)


def render(b: Backtest, console: Console) -> None:
    """The header, the tracking-error table, the returns table, a summary and the notes."""
    parts = [_head(b), _te_table(b), _return_table(b), _summary(b), notes(b.notes)]
    print_parts(console, parts)


def chart(b: Backtest, path: str | Path) -> None:
    """Predicted against realised TE through time, and the realised / budget ratio (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = b.rows.assign(date=pd.to_datetime(b.rows["date"]))
    full = ~r["short_window"].astype(bool)
    fig, (top, low) = plt.subplots(2, 1, figsize=(8, 6), dpi=120, sharex=True)
    for col, label, style in (
        ("predicted_te", "proposal, predicted", dict(color="#6fa8dc", ls="--", marker="o")),
        ("realised_te", "proposal, realised", dict(color="#1f5fa8", marker="o")),
        ("current_predicted_te", "current, predicted", dict(color="#e6a09a", ls="--", marker="s")),
        ("current_realised_te", "current, realised", dict(color="#c0392b", marker="s")),
    ):
        top.plot(r["date"], 100 * r[col], label=label, ms=4, lw=1.2, **style)  # type: ignore[arg-type]
    if b.mandate.max_te is not None:
        top.axhline(100 * b.mandate.max_te, color="black", lw=0.8, ls=":", label="budget")
    top.set_ylim(bottom=0)
    top.set_ylabel("Tracking error (% a year)")
    top.set_title(
        f"{Path(b.source).name}: tracking error against {b.benchmark}, predicted at each date "
        f"and realised\nover the next {b.horizon_days} trading days (buy and hold)",
        fontsize=9,
    )
    top.legend(fontsize=7)
    top.grid(alpha=0.3)
    low.axhspan(*RATIO_BAND, color="#2e8b57", alpha=0.12, label=f"{RATIO_BAND[0]}-{RATIO_BAND[1]}")
    low.axhline(1.0, color="grey", lw=1)
    low.plot(r["date"], r["ratio"], color="#1f5fa8", lw=1)
    low.plot(r.loc[full, "date"], r.loc[full, "ratio"], "o", color="#1f5fa8", ms=4,
             label="realised / budget")  # fmt: skip
    low.plot(r.loc[~full, "date"], r.loc[~full, "ratio"], "o", mfc="white", color="#1f5fa8",
             ms=4, label="window cut short")  # fmt: skip
    low.set_ylabel("Realised / budget")
    low.legend(fontsize=7)
    low.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
