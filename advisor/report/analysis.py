"""The analysis as terminal tables (rich) and as one tidy CSV (``section,item,metric,value,unit``,
one number per row, each with its unit: loads straight into a spreadsheet pivot or pandas)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.analytics.analysis import Analysis
from advisor.report.table import (
    all_zero,
    contributions,
    header,
    money,
    others,
    pct,
    print_parts,
    shares,
    table,
    total_value,
)


def _header(a: Analysis) -> Text:
    return header(
        "analyze",
        a.source,
        a.as_of,
        f"Benchmark: {escape(a.benchmark)}{_why(a)}; {total_value(a.total_value)}; cash "
        f"{pct(a.cash_weight)}.",
        "Weights are % of the account's total value, looked through funds to the companies "
        "inside; risk figures are annualised standard deviations (ex ante, factor model).",
    )


def _models(a: Analysis) -> Text | None:
    """Holdings modelled by another security (an ETF twin, a bond fund, an underlying)."""
    pos = a.positions
    notes = [
        f"{_label(str(h), pos.loc[h]) if h in pos.index else h}: {m.how}"
        for h, m in a.lookthrough.models.items()
        if m.how
    ]
    if not notes:
        return None
    return Text("Modelled by another security: " + "; ".join(notes) + ".")


def _why(a: Analysis) -> str:
    """Why this benchmark, when it is not the plain S&P 500 default."""
    if a.bench is None or a.bench.reason == "the default":
        return ""
    return f" ({escape(a.bench.reason)})"


def _asset_mix(a: Analysis) -> Table | None:
    """The account's asset classes (value in account currency, weight % of total)."""
    if len(a.asset_mix) <= 1 and a.asset_mix.index.tolist() in ([], ["US equity"]):
        return None
    t = table("Asset classes (value in account currency, % of total)", "Asset class", "Value",
              "Weight", text=(0,))  # fmt: skip
    for cls, w in a.asset_mix.items():
        t.add_row(str(cls), money(None if a.total_value is None else w * a.total_value), pct(w))
    return t


def _accounts(a: Analysis) -> list[Table | None]:
    """Per-account figures, unrealised gains and asset mixes, when the holdings name accounts
    (a household): three narrow tables, so that names stay whole at 80 columns."""
    acc = a.accounts
    if acc.empty or (len(acc) == 1 and acc.index[0] == ""):
        return []
    labels = [escape(str(r["name"] or account)) for account, r in acc.iterrows()]
    t = table("Accounts (value in account currency; weight % of the household; megacaps % of "
              "the account, look-through)", "Account", "Type", "Value", "Weight", "Megacaps",
              text=(0, 1))  # fmt: skip
    undated = bool((acc["unknown_term_gain"].fillna(0.0) != 0).any())
    g = table(
        f"Unrealised gains by account (before tax, account currency; short- and long-term by "
        f"holding period on {a.as_of.date()}" + ("; undated: lots of unknown date)" if undated
                                                  else ")"),
        "Account", "Gain", "Short-term", "Long-term", *(["Undated"] if undated else []),
        text=(0,),
    )  # fmt: skip
    for label, (_, r) in zip(labels, acc.iterrows(), strict=True):
        t.add_row(label, str(r["type"]).removeprefix("tax_"), money(r["value"]),
                  pct(r["weight"]), pct(r["megacap_weight"]))  # fmt: skip
        g.add_row(label, money(r["unrealized_gain"]), money(r["short_term_gain"]),
                  money(r["long_term_gain"]),
                  *([money(r["unknown_term_gain"])] if undated else []))  # fmt: skip
    classes = list(dict.fromkeys(k for mix in acc["asset_mix"] for k in mix))
    m = table("Asset mix by account (% of the account)", "Asset class", *labels, text=(0,))
    for c in classes:
        m.add_row(str(c), *[pct(mix.get(c, 0.0)) for mix in acc["asset_mix"]])
    return [t, g, m]


def _us_equity(a: Analysis) -> Table | None:
    """The US-equity part as its own portfolio against the S&P 500 (when it is not all of it)."""
    u = a.us_equity
    if u is None or u.weight >= 1 - 1e-9 - a.cash_weight and a.benchmark == "S&P 500":
        return None
    c, r = u.concentration, u.risk
    t = table(
        f"US-equity part ({pct(u.weight)} of the account) against the S&P 500 (% of the part; "
        "risk annualised)",
        "Measure",
        "US equity",
        "S&P 500",
    )
    t.add_row("Megacap weight", pct(c.megacap_weight), pct(c.benchmark_megacap_weight))
    t.add_row("Top-10 companies", pct(c.top10_weight), pct(c.benchmark_top10_weight))
    t.add_row("Effective number of companies", f"{c.effective_n:.1f}",
              f"{c.benchmark_effective_n:.1f}")  # fmt: skip
    t.add_row("Volatility", pct(r.volatility), pct(r.benchmark_volatility))
    t.add_row("Beta", f"{r.beta:.2f}", "1.00")
    t.add_row("Tracking error", pct(r.tracking_error, 2), "")
    return t


def _label(ticker: str, p: pd.Series) -> str:
    """A position's short label: its ticker or CUSIP; an option's underlying, strike and right."""
    if p.get("kind") != "option" or len(ticker) < 16:
        return ticker
    root = ticker[:-15]
    return f"{root} {float(ticker[-8:]) / 1000:g}{ticker[-9]}"


def _positions(a: Analysis, limit: int = 25) -> Table:
    t = table(
        "Positions (price and value in account currency, weight % of total)",
        "Ticker",
        "Name",
        "Shares",
        "Price",
        "Value",
        "Weight",
        text=(0, 1),
    )
    for tk, p in a.positions.head(limit).iterrows():
        t.add_row(
            _label(str(tk), p),
            str(p["name"])[:48],
            shares(p["shares"]),
            money(p["price"]),
            money(p["value"]),
            pct(p["weight"]),
        )
    if len(a.positions) > limit:
        rest = a.positions.iloc[limit:]
        t.add_row(others(len(rest)), "", "", "", money(rest["value"].sum()),
                  pct(rest["weight"].sum()))  # fmt: skip
    return t


def _concentration(a: Analysis) -> Table:
    c = a.concentration
    t = table(
        "Concentration (look-through, % of total)",
        "Measure",
        "Portfolio",
        a.benchmark if len(a.benchmark) <= 12 else "Benchmark",
    )
    t.add_row(
        "Megacap weight (" + ", ".join(c.megacaps.index) + ")",
        pct(c.megacap_weight),
        pct(c.benchmark_megacap_weight),
    )
    t.add_row("Top-10 companies", pct(c.top10_weight), pct(c.benchmark_top10_weight))
    t.add_row(f"Largest company ({c.max_company})", pct(c.max_company_weight), "")
    t.add_row("HHI (companies, 0 to 1)", f"{c.hhi:.4f}", f"{c.benchmark_hhi:.4f}")
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
    t = table(
        "Megacaps, direct and through funds (% of total)",
        "Company",
        "Portfolio",
        "Benchmark",
        "Held through",
        text=(0, 3),
    )
    via = a.megacap_sources
    for tk, w in a.concentration.megacaps.items():
        parts = via[via["company"] == tk]
        text = ", ".join(
            f"{h} {pct(v, 1 if abs(v) >= 5e-4 else 2)}"
            for h, v in zip(parts["holding"], parts["weight"], strict=True)
        )
        t.add_row(str(tk), pct(w), pct(a.concentration.benchmark_megacaps[tk]), text or "-")
    return t


def _groups(title: str, df: pd.DataFrame, first: str) -> Table:
    t = table(title, first, "Portfolio", "Benchmark", "Active")
    for name, r in df.iterrows():
        cells = [pct(r["weight"]), pct(r["benchmark_weight"]), pct(r["active"])]
        if not all_zero(cells):
            t.add_row(str(name), *cells)
    return t


def _risk(a: Analysis) -> Table:
    r = a.risk
    t = table("Risk (annualised standard deviations, ex ante)", "Measure", "Value")
    t.add_row("Volatility", pct(r.volatility))
    t.add_row("Benchmark volatility", pct(r.benchmark_volatility))
    t.add_row("Beta to benchmark", f"{r.beta:.2f}")
    t.add_row("Tracking error", pct(r.tracking_error, 2))
    t.add_row("  from factor bets", pct(r.factor_te, 2))
    t.add_row("  from stock-specific risk", pct(r.specific_te, 2))
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
        t.add_row(f, *[f"{_signed(row[k])}" for k in ("portfolio", "benchmark", "active")])
    return t


def _signed(x: float) -> str:
    v = round(float(x), 2)
    return "0.00" if v == 0 else f"{v:+.2f}"


def te_by_holding(title: str, a: Analysis) -> list[Any]:
    """The tracking error by holding, each against the same amount of the benchmark, and the
    sentence that says how to read it."""
    r = a.risk
    bench = escape(a.benchmark)
    note = Text.from_markup(
        f"[dim]How to read it:[/dim] each holding counts for its bet against the benchmark, i.e. "
        f"the holding minus the same amount of the {bench} (a fund tracking the {bench} adds "
        "nothing); cash is a bet against the whole benchmark. The parts add up to the tracking "
        "error; a negative part offsets the other bets."
    )
    return [contributions(title, r.te_by_active_holding, r.tracking_error), note]


def render(a: Analysis, console: Console) -> None:
    """Print the analysis to ``console``."""
    r = a.risk
    c = a.concentration
    parts = [
        _header(a),
        _positions(a),
        *_accounts(a),
        _models(a),
        _asset_mix(a),
        _concentration(a),
        _us_equity(a),
        _megacaps(a),
        _groups("Sectors (look-through, % of total)", c.sectors, "Sector"),
        _groups("Size (look-through, % of total)", c.sizes, "Size"),
        _groups(
            "Style: growth / blend / value terciles of book-to-price (S&P 500 names, % of total)",
            c.styles,
            "Style",
        ),
        _styles(a),
        _risk(a),
        *te_by_holding("Tracking error by holding (annualised)", a),
        contributions(
            "Tracking error by group (annualised)",
            r.te_by_group,
            r.tracking_error,
            limit=None,
            first="Group",
        ),  # fmt: skip
        contributions(
            "Tracking error by sector (annualised)",
            r.te_by_sector,
            r.tracking_error,
            limit=None,
            first="Sector",
        ),  # fmt: skip
    ]
    print_parts(console, parts)


# -- CSV ----------------------------------------------------------------------------------------

_FRACTION = "fraction"
_ANNUAL = "fraction, annualised"


def _rows(a: Analysis) -> list[tuple[str, str, str, object, str]]:
    d = a.to_dict()
    rows: list[tuple[str, str, str, object, str]] = [
        ("summary", "account", "as_of", d["as_of"], "date"),
        ("summary", "market_data", "age_days", d["market_data"]["age_days"], "days"),
        ("summary", "market_data", "stale", d["market_data"]["stale"], "bool"),
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
    for acc in d["accounts"]:
        for key in ("value", "cash", "unrealized_gain", "short_term_gain", "long_term_gain"):
            rows.append(("account", acc["id"], key, acc[key], "account currency"))
        for key in ("weight", "cash_weight", "megacap_weight"):
            rows.append(("account", acc["id"], key, acc[key], _FRACTION))
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
