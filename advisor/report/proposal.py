"""A proposal as JSON, as the custodian's trade CSV, and as terminal tables."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.optimize.limits import LABELS as LIMIT_LABELS
from advisor.optimize.proposal import Proposal
from advisor.report.table import contributions, money, pct, print_parts
from advisor.report.table import table as _t
from advisor.units import quantity_text


def trades_csv(p: Proposal) -> str:
    """The trade list for the custodian: Symbol, Action, Quantity, Price, Amount, Est. Realized
    Gain, Whole Holding. Quantities are exact (a whole holding keeps its fraction of a share) and
    Quantity x Price rounds to Amount, as in the JSON."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["Symbol", "Action", "Quantity", "Price", "Amount", "Est. Realized Gain", "Whole Holding"]
    )
    for row in p.trades.itertuples(index=False):
        gain = "" if row.realized_gain != row.realized_gain else f"{row.realized_gain:.2f}"
        w.writerow(
            [
                row.ticker,
                row.side.upper(),
                quantity_text(row.shares),
                repr(float(row.price)),
                f"{row.amount:.2f}",
                gain,
                "yes" if row.whole_holding else "",
            ]
        )
    return buf.getvalue()


def _side_by_side(p: Proposal) -> Table:
    b, a = p.before, p.after
    t = _t(
        "Before and after (after = the whole-share portfolio actually traded)",
        "Measure",
        "Before",
        "After",
        "Benchmark",
    )
    rows = [
        (
            "Megacap weight",
            b.concentration.megacap_weight,
            a.concentration.megacap_weight,
            b.concentration.benchmark_megacap_weight,
        ),
        (
            "Top-10 companies",
            b.concentration.top10_weight,
            a.concentration.top10_weight,
            b.concentration.benchmark_top10_weight,
        ),
        (
            "Largest company",
            b.concentration.max_company_weight,
            a.concentration.max_company_weight,
            None,
        ),
        ("Cash", b.cash_weight, a.cash_weight, None),
        ("Volatility", b.risk.volatility, a.risk.volatility, b.risk.benchmark_volatility),
        ("Tracking error", b.risk.tracking_error, a.risk.tracking_error, None),
        ("Active share", b.concentration.active_share, a.concentration.active_share, None),
    ]
    for name, x, y, z in rows:
        t.add_row(name, pct(x), pct(y), pct(z) if z is not None else "")
    t.add_row(
        "Effective number of companies",
        f"{b.concentration.effective_n:.1f}",
        f"{a.concentration.effective_n:.1f}",
        f"{b.concentration.benchmark_effective_n:.1f}",
    )
    t.add_row("Beta", f"{b.risk.beta:.2f}", f"{a.risk.beta:.2f}", "1.00")
    for f in ("size", "value", "momentum"):
        t.add_row(
            f"{f.capitalize()} exposure (active)",
            f"{b.risk.active_exposures.at[f, 'active']:+.2f}",
            f"{a.risk.active_exposures.at[f, 'active']:+.2f}",
            "",
        )
    return t


def _groups(p: Proposal, attr: str, title: str) -> Table:
    b, a = getattr(p.before.concentration, attr), getattr(p.after.concentration, attr)
    t = _t(title, "Group", "Before", "After", "Benchmark")
    for name in b.index.union(a.index):
        values = (
            b["weight"].get(name, 0.0),
            a["weight"].get(name, 0.0),
            b["benchmark_weight"].get(name, 0.0),
        )
        if max(abs(v) for v in values) < 5e-4:
            continue
        t.add_row(
            str(name),
            pct(b["weight"].get(name, 0.0)),
            pct(a["weight"].get(name, 0.0)),
            pct(b["benchmark_weight"].get(name, a["benchmark_weight"].get(name, 0.0))),
        )
    return t


def _trades(p: Proposal) -> Table:
    t = _t("Trades (whole shares)", "Ticker", "Side", "Shares", "Price", "Amount", "Est. gain")
    for r in p.trades.itertuples(index=False):
        gain = "-" if r.realized_gain != r.realized_gain else money(r.realized_gain)
        t.add_row(r.ticker, r.side, f"{r.shares:,.0f}", money(r.price), money(r.amount), gain)
    return t


def _summary(p: Proposal) -> Text:
    binding = ", ".join(LIMIT_LABELS.get(b, b) for b in p.binding) or "none"
    gain = "unknown (no cost basis)" if p.realized_gain is None else money(p.realized_gain)
    lines = [
        f"[bold]Status:[/bold] {p.status}   objective: {p.mandate.objective}   sleeves: "
        + ", ".join(f"{k} = {v}" for k, v in p.sleeves.items()),
        f"Turnover {pct(p.turnover)}; estimated trading cost {money(p.est_cost)} "
        f"({p.mandate.cost_bps:g} bp of traded value); estimated realised gain {gain}.",
        f"Limits that bind: {binding}.",
        f"Tracking error of the optimal weights {pct(p.continuous_te, 2)}; after rounding "
        f"{pct(p.after.risk.tracking_error, 2)} (annualised).",
    ]
    lines += [f"[yellow]Note:[/yellow] {d}" for d in p.diagnostics]
    return Text.from_markup("\n".join(lines))


def _infeasible(p: Proposal) -> Text:
    lines = ["[bold red]Status: infeasible[/bold red], the mandate's limits cannot all hold."]
    lines += [f"  {d}" for d in p.diagnostics]
    for r in p.relaxations:
        lines.append(f"  - {r.message}")
    lines.append("No trades are proposed. Relax one of the limits above and run again.")
    return Text.from_markup("\n".join(lines))


def render(p: Proposal, console: Console) -> None:
    head = Text.from_markup(
        f"[bold]advisor propose[/bold]  {p.before.source}\nPrices as of [bold]{p.before.as_of.date()}[/bold]; "
        f"benchmark {p.before.benchmark}; total value {money(p.before.total_value)} (account currency). "
        "Risk figures are annualised."
    )
    if not p.feasible:
        print_parts(console, [head, _infeasible(p)])
        return
    parts = [
        head,
        _summary(p),
        _side_by_side(p),
        _groups(p, "sectors", "Sectors (look-through)"),
        _groups(p, "sizes", "Size (look-through)"),
        _trades(p),
        contributions(
            "Tracking error after, by holding (benchmark = what is not held)",
            p.after.risk.te_by_holding,
            p.after.risk.tracking_error,
        ),
        contributions(
            "Tracking error after, by group", p.after.risk.te_by_group, p.after.risk.tracking_error
        ),
    ]
    print_parts(console, parts)
