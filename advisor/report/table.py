"""The analysis as terminal tables (rich). Percentages here; raw fractions only in JSON/CSV."""

from __future__ import annotations

import math

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from advisor.analytics.analysis import Analysis


def pct(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{100 * x:.{digits}f}%"


def money(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.2f}"


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold", show_edge=False)
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    return t


def _header(a: Analysis) -> Text:
    total = (
        "not given (weights-only file; --total-value adds money figures)"
        if a.total_value is None
        else f"{money(a.total_value)} (account currency)"
    )
    return Text.from_markup(
        f"[bold]advisor analyze[/bold]  {a.source}\n"
        f"Prices and market data as of [bold]{a.as_of.date()}[/bold]; benchmark: {a.benchmark}; "
        f"total value {total}; cash {pct(a.cash_weight)}.\n"
        "Risk figures are annualised standard deviations (ex ante, factor model)."
    )


def _positions(a: Analysis, limit: int = 25) -> Table:
    t = _table("Positions", "Ticker", "Name", "Shares", "Price", "Value", "Weight")
    for tk, p in a.positions.head(limit).iterrows():
        shares = "-" if math.isnan(p["shares"]) else f"{p['shares']:,.4g}"
        t.add_row(
            str(tk),
            str(p["name"])[:34],
            shares,
            money(p["price"]),
            money(p["value"]),
            pct(p["weight"]),
        )
    if len(a.positions) > limit:
        t.add_row(f"... {len(a.positions) - limit} more", "", "", "", "", "")
    return t


def _concentration(a: Analysis) -> Table:
    c = a.concentration
    t = _table(
        "Concentration (look-through)",
        "Measure",
        "Portfolio",
        "S&P 500" if a.benchmark == "S&P 500" else a.benchmark,
    )
    t.add_row(
        "Megacap weight (" + ", ".join(c.megacaps.index) + ")",
        pct(c.megacap_weight),
        pct(c.benchmark_megacap_weight),
    )
    t.add_row("Top-10 companies", pct(c.top10_weight), pct(c.benchmark_top10_weight))
    t.add_row("Largest company", f"{c.max_company} {pct(c.max_company_weight)}", "")
    t.add_row("HHI (companies)", f"{c.hhi:.4f}", f"{c.benchmark_hhi:.4f}")
    t.add_row(
        "Effective number of companies", f"{c.effective_n:.1f}", f"{c.benchmark_effective_n:.1f}"
    )
    t.add_row("Active share", pct(c.active_share), "")
    t.add_row(
        f"Value score (-1 growth..+1 value; {pct(c.value_score_coverage, 0)} covered)",
        f"{c.value_score:+.2f}",
        f"{c.benchmark_value_score:+.2f}",
    )
    return t


def _megacaps(a: Analysis) -> Table:
    t = _table("Megacaps, direct and through funds", "Company", "Portfolio", "Benchmark", "Via")
    via = a.megacap_sources
    for tk, w in a.concentration.megacaps.sort_values(ascending=False).items():
        parts = via[via["company"] == tk].sort_values("weight", ascending=False)
        text = ", ".join(
            f"{h} {pct(v)}" for h, v in zip(parts["holding"], parts["weight"], strict=True)
        )
        t.add_row(str(tk), pct(w), pct(a.concentration.benchmark_megacaps[tk]), text)
    return t


def _groups(title: str, df) -> Table:  # type: ignore[no-untyped-def]
    t = _table(title, "Group", "Portfolio", "Benchmark", "Active")
    for name, r in df.iterrows():
        t.add_row(str(name), pct(r["weight"]), pct(r["benchmark_weight"]), pct(r["active"]))
    return t


def _risk(a: Analysis) -> Table:
    r = a.risk
    t = _table("Risk (annualised, ex ante)", "Measure", "Value")
    t.add_row("Volatility", pct(r.volatility))
    t.add_row("Benchmark volatility", pct(r.benchmark_volatility))
    t.add_row("Beta to benchmark", f"{r.beta:.2f}")
    t.add_row("Tracking error", pct(r.tracking_error, 2))
    t.add_row("  from factors / stock-specific", f"{pct(r.factor_te, 2)} / {pct(r.specific_te, 2)}")
    return t


def _contributions(title: str, s, total: float, limit: int = 12) -> Table:  # type: ignore[no-untyped-def]
    t = _table(title, "Part", "TE contribution", "Share of TE")
    shown = s.reindex(s.abs().sort_values(ascending=False).index)
    for name, v in shown.head(limit).items():
        t.add_row(str(name), pct(v, 2), pct(v / total if total > 0 else float("nan"), 0))
    if len(shown) > limit:
        rest = float(shown.iloc[limit:].sum())
        t.add_row(
            f"{len(shown) - limit} others",
            pct(rest, 2),
            pct(rest / total if total > 0 else float("nan"), 0),
        )
    t.add_row("Total", pct(float(s.sum()), 2), "100%")
    return t


def _styles(a: Analysis) -> Table:
    t = _table(
        "Style and market exposures (risk-model betas)",
        "Factor",
        "Portfolio",
        "Benchmark",
        "Active",
    )
    ex = a.risk.active_exposures
    for f in ("market", "size", "value", "momentum"):
        row = ex.loc[f]
        t.add_row(
            f, f"{row['portfolio']:+.2f}", f"{row['benchmark']:+.2f}", f"{row['active']:+.2f}"
        )
    return t


def render(a: Analysis, console: Console) -> None:
    """Print the analysis to ``console``."""
    r = a.risk
    parts = [
        _header(a),
        _positions(a),
        _concentration(a),
        _megacaps(a),
        _groups("Sectors (look-through)", a.concentration.sectors),
        _groups("Size (look-through)", a.concentration.sizes),
        _groups(
            "Style: growth / blend / value terciles of book-to-price (S&P 500 names)",
            a.concentration.styles,
        ),
        _styles(a),
        _risk(a),
        _contributions(
            "Tracking error by holding (benchmark = what is not held)",
            r.te_by_holding,
            r.tracking_error,
        ),
        _contributions("Tracking error by group", r.te_by_group, r.tracking_error),
        _contributions("Tracking error by sector", r.te_by_sector, r.tracking_error),
    ]
    console.print(Group(*[p for item in parts for p in (item, Text(""))]))
