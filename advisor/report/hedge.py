"""Hedging alternatives as JSON (fractions) and as terminal tables (percent, money)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.report.table import money, pct, print_parts, table
from advisor.scenarios.hedging import HedgeReport, action, comparison


def csv_rows(r: HedgeReport) -> str:
    """The alternatives compared, one line each (fractions; cost in money)."""
    return r.to_frame().to_csv(index=False)


# -- tables ---------------------------------------------------------------------------------------


def _trades(r: HedgeReport) -> Table:
    t = table(
        f"Hedges (target: {r.target}; ratio = protected notional per unit of portfolio value)",
        "Hedge",
        "Target",
        "Ratio",
        "Trade",
        "Notional",
        "Unit price",
        "Cost",
    )
    t.columns[0].no_wrap = True
    for h in r.hedges:
        t.add_row(
            h.label,
            h.target,
            f"{h.ratio:.3f}",
            action(h),
            money(h.notional),
            money(h.unit_price),
            money(h.cost) if h.cost is not None else pct(h.cost_fraction, 2),
        )
    return t


def _options(r: HedgeReport) -> Table | None:
    rows = [h for h in r.hedges if h.option is not None]
    if not rows:
        return None
    t = table(
        "Options (Black-Scholes, European; per share of the underlying)",
        "Hedge",
        "Spot",
        "Strikes",
        "Expiry",
        "Vol",
        "Rate",
        "Put",
        "Call",
        "Net premium",
    )
    for h in rows:
        o = h.option
        assert o is not None
        strikes = money(o["put_strike"]) + (
            "" if o["call_strike"] is None else f" / {money(o['call_strike'])}"
        )
        t.add_row(
            h.instrument,
            money(o["spot"]),
            strikes,
            f"{12 * o['expiry_years']:.1f}m",
            pct(o["volatility"]),
            pct(o["rate"], 2),
            money(o["put_price"]),
            "-" if o["call_price"] is None else money(o["call_price"]),
            pct(o["premium_fraction"], 2) + " of value",
        )
    return t


def _comparison(r: HedgeReport) -> Table:
    comp = comparison(r)
    names = [x.name for x in r.whatif.results]
    t = table(
        "Alternatives compared (risk annualised; scenario columns: return of the portfolio "
        "with the alternative in place)",
        "Alternative",
        "TE",
        "Vol",
        "Beta",
        *names,
        "Cost",
        "Realised gain",
    )
    t.columns[0].no_wrap = True
    for c in t.columns[1:]:
        c.overflow = "fold"
    for row in comp.to_dict(orient="records"):
        gain = row["realized_gain"]
        t.add_row(
            row["alternative"],
            pct(row["tracking_error"]),
            pct(row["volatility"]),
            f"{row['beta']:.2f}",
            *[pct(row.get(n)) for n in names],
            money(row["cost"]) if r.before.total_value is not None else pct(row["cost"], 2),
            "unknown" if gain is None or gain != gain else money(gain),
        )
    return t


def render(r: HedgeReport, console: Console) -> None:
    a = r.before
    head = Text.from_markup(
        f"[bold]advisor hedge[/bold]  {a.source}\n"
        f"Prices, rates and risk model as of [bold]{a.as_of.date()}[/bold]; benchmark "
        f"{a.benchmark}; total value {money(a.total_value)} (account currency).\n"
        f"Today: volatility {pct(a.risk.volatility)}, beta {a.risk.beta:.2f}, tracking error "
        f"{pct(a.risk.tracking_error)} (annualised); megacaps "
        f"{pct(a.concentration.megacap_weight)} of the portfolio."
    )
    scen = "\n".join(f"  {x.name}: {x.move.description}" for x in r.whatif.results)
    notes = list(dict.fromkeys([n for h in r.hedges for n in h.notes] + r.notes))
    parts: list[Any] = [
        head,
        Text("Scenarios:\n" + scen),
        _trades(r),
        _options(r),
        _comparison(r),
        Text.from_markup(
            "\n".join(f"[dim]Note:[/dim] {n}" for n in notes)
            + f"\n[dim]Note:[/dim] overlay cost is trading cost at {r.cost_bps:g} bp of "
            "notional; a short ETF also pays its dividends, and every hedge gives up the "
            "hedged exposure's gains. Option risk figures are for the delta-equivalent short."
        ),
    ]
    print_parts(console, parts)
