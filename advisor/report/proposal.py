"""A proposal as JSON, as the custodian's trade CSV, and as terminal tables."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from advisor.optimize.proposal import Proposal
from advisor.report.json import _num, analysis_dict
from advisor.report.table import _contributions, money, pct
from advisor.report.table import _table as _t

LIMIT_LABELS = {
    "max_te": "tracking error cap",
    "max_turnover": "turnover cap",
    "max_megacap": "megacap cap",
    "max_company": "single-company cap",
    "sector_band": "sector band",
    "max_realized_gain": "realised-gain budget",
    "cash_floor": "cash floor",
    "cash_max": "cash maximum (no cash raised)",
}


def proposal_dict(p: Proposal) -> dict[str, Any]:
    """Every figure of a proposal; ``before``/``after`` are the analyze figures."""
    return {
        "status": p.status,
        "as_of": str(p.before.as_of.date()),
        "mandate": {k: v for k, v in p.mandate.__dict__.items()},
        "sleeves": p.sleeves,
        "before": analysis_dict(p.before),
        "after": analysis_dict(p.after) if p.after is not None else None,
        "target_weights": {str(k): _num(v) for k, v in p.target.items()},
        "trades": [
            {k: (_num(v) if k not in ("ticker", "side") else v) for k, v in row.items()}
            for row in p.trades.to_dict(orient="records")
        ],
        "turnover": _num(p.turnover),
        "estimated_cost": _num(p.est_cost),
        "realized_gain": _num(p.realized_gain),
        "binding": p.binding,
        "checks": {
            k: {kk: (bool(vv) if isinstance(vv, bool) else _num(vv)) for kk, vv in c.items()}
            for k, c in p.checks.items()
        },
        "continuous_tracking_error": _num(p.continuous_te),
        "solver": p.solver,
        "diagnostics": p.diagnostics,
        "relaxations": [
            {
                "limit": r.limit,
                "current": _num(r.current),
                "smallest_feasible": _num(r.smallest),
                "message": r.message,
            }
            for r in p.relaxations
        ],
    }


def dumps(p: Proposal) -> str:
    return json.dumps(proposal_dict(p), indent=2)


def trades_csv(p: Proposal) -> str:
    """The trade list for the custodian: Symbol, Action, Quantity, Price, Amount (whole shares)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Symbol", "Action", "Quantity", "Price", "Amount", "Est. Realized Gain"])
    for row in p.trades.itertuples(index=False):
        gain = "" if row.realized_gain != row.realized_gain else f"{row.realized_gain:.2f}"
        w.writerow(
            [
                row.ticker,
                row.side.upper(),
                int(row.shares),
                f"{row.price:.2f}",
                f"{row.amount:.2f}",
                gain,
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
        console.print(Group(head, Text(""), _infeasible(p)))
        return
    parts = [
        head,
        _summary(p),
        _side_by_side(p),
        _groups(p, "sectors", "Sectors (look-through)"),
        _groups(p, "sizes", "Size (look-through)"),
        _trades(p),
        _contributions(
            "Tracking error after, by holding (benchmark = what is not held)",
            p.after.risk.te_by_holding,
            p.after.risk.tracking_error,
        ),
        _contributions(
            "Tracking error after, by group", p.after.risk.te_by_group, p.after.risk.tracking_error
        ),
    ]
    console.print(Group(*[x for part in parts for x in (part, Text(""))]))
