"""The analysis as terminal tables (rich) and as one tidy CSV (``section,item,metric,value,unit``,
one number per row, each with its unit: loads straight into a spreadsheet pivot or pandas)."""

from __future__ import annotations

import csv
import io
import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.analytics.analysis import Analysis
from advisor.report.table import contributions, money, pct, print_parts, table


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
    t = table("Positions", "Ticker", "Name", "Shares", "Price", "Value", "Weight")
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
    t = table(
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
    t = table("Megacaps, direct and through funds", "Company", "Portfolio", "Benchmark", "Via")
    via = a.megacap_sources
    for tk, w in a.concentration.megacaps.sort_values(ascending=False).items():
        parts = via[via["company"] == tk].sort_values("weight", ascending=False)
        text = ", ".join(
            f"{h} {pct(v)}" for h, v in zip(parts["holding"], parts["weight"], strict=True)
        )
        t.add_row(str(tk), pct(w), pct(a.concentration.benchmark_megacaps[tk]), text)
    return t


def _groups(title: str, df) -> Table:  # type: ignore[no-untyped-def]
    t = table(title, "Group", "Portfolio", "Benchmark", "Active")
    for name, r in df.iterrows():
        t.add_row(str(name), pct(r["weight"]), pct(r["benchmark_weight"]), pct(r["active"]))
    return t


def _risk(a: Analysis) -> Table:
    r = a.risk
    t = table("Risk (annualised, ex ante)", "Measure", "Value")
    t.add_row("Volatility", pct(r.volatility))
    t.add_row("Benchmark volatility", pct(r.benchmark_volatility))
    t.add_row("Beta to benchmark", f"{r.beta:.2f}")
    t.add_row("Tracking error", pct(r.tracking_error, 2))
    t.add_row("  from factors / stock-specific", f"{pct(r.factor_te, 2)} / {pct(r.specific_te, 2)}")
    return t


def _styles(a: Analysis) -> Table:
    t = table(
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
        contributions(
            "Tracking error by holding (benchmark = what is not held)",
            r.te_by_holding,
            r.tracking_error,
        ),
        contributions("Tracking error by group", r.te_by_group, r.tracking_error),
        contributions("Tracking error by sector", r.te_by_sector, r.tracking_error),
    ]
    print_parts(console, parts)


# -- CSV ----------------------------------------------------------------------------------------

_FRACTION = "fraction"
_ANNUAL = "fraction, annualised"


def _rows(a: Analysis) -> list[tuple[str, str, str, object, str]]:
    d = a.to_dict()
    rows: list[tuple[str, str, str, object, str]] = [
        ("summary", "account", "as_of", d["as_of"], "date"),
        ("summary", "account", "total_value", d["total_value"], "account currency"),
        ("summary", "account", "cash_weight", d["cash"]["weight"], _FRACTION),
    ]
    for p in d["positions"]:
        for key, unit in (
            ("shares", "shares"),
            ("price", "account currency"),
            ("value", "account currency"),
            ("weight", _FRACTION),
        ):
            rows.append(("position", p["ticker"], key, p[key], unit))
    c = d["concentration"]
    for key in (
        "megacap_weight",
        "benchmark_megacap_weight",
        "top10_weight",
        "benchmark_top10_weight",
        "max_company_weight",
        "active_share",
    ):
        rows.append(("concentration", "portfolio", key, c[key], _FRACTION))
    for key in ("hhi", "benchmark_hhi"):
        rows.append(("concentration", "portfolio", key, c[key], "index (0-1)"))
    for key in ("effective_n", "benchmark_effective_n"):
        rows.append(("concentration", "portfolio", key, c[key], "companies"))
    for group in ("sectors", "sizes", "styles"):
        for name, v in c[group].items():
            rows.append((group[:-1], name, "weight", v["weight"], _FRACTION))
            rows.append((group[:-1], name, "benchmark_weight", v["benchmark_weight"], _FRACTION))
    for item in d["lookthrough"]:
        rows.append(("lookthrough", item["ticker"], "weight", item["weight"], _FRACTION))
    r = d["risk"]
    for key in (
        "volatility",
        "benchmark_volatility",
        "tracking_error",
        "factor_tracking_error",
        "specific_tracking_error",
    ):
        rows.append(("risk", "portfolio", key, r[key], _ANNUAL))
    rows.append(("risk", "portfolio", "beta", r["beta"], "ratio"))
    for part, values in r["te_contributions"].items():
        for name, v in values.items():
            rows.append((f"te_{part}", name, "te_contribution", v, _ANNUAL))
    for w in d["warnings"]:
        rows.append(("warning", "", "message", w, "text"))
    return rows


def csv_rows(a: Analysis) -> str:
    """The analysis as one tidy CSV: ``section,item,metric,value,unit`` (one number per row)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", "item", "metric", "value", "unit"])
    writer.writerows(_rows(a))
    return buf.getvalue()
