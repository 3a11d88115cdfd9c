"""What-if results as JSON (fractions) and as terminal tables (percent, money)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.report.table import money, pct, print_parts, table
from advisor.scenarios.whatif import WhatIf


def csv_rows(w: WhatIf) -> str:
    """One line per scenario (fractions), for spreadsheets."""
    return w.to_frame().to_csv(index=False)


# -- tables ---------------------------------------------------------------------------------------


def _pp(x: float) -> str:
    return f"{100 * x:+.1f}"


def _summary(w: WhatIf) -> Table:
    has_p = w.after is not None
    cols = ["Scenario", "Portfolio", "P&L"]
    if has_p:
        cols += ["Proposed", "P&L"]
    cols += ["Benchmark", "Active"]
    if has_p:
        cols.append("Proposed active")
    t = table("Scenario returns (percent of each portfolio; P&L in account currency)", *cols)
    for r in w.results:
        row = [r.name, pct(r.current.ret), money(r.current.pnl)]
        if has_p:
            assert r.proposed is not None
            row += [pct(r.proposed.ret), money(r.proposed.pnl)]
        row += [pct(r.benchmark.ret), pct(r.active_return)]
        if has_p:
            row.append(pct(r.proposed_active_return))
        t.add_row(*row)
    return t


def _matrix(title: str, w: WhatIf, attr: str, limit: int = 10) -> Table:
    """Contributions (percentage points) per scenario: rows are holdings/groups/sectors."""
    sides = [("", "current")] + ([(" (proposed)", "proposed")] if w.after is not None else [])
    frames = {}
    for r in w.results:
        for suffix, side in sides:
            o = getattr(r, side)
            frames[r.name + suffix] = getattr(o, attr)
    df = pd.DataFrame(frames).fillna(0.0)
    order = df.abs().max(axis=1).sort_values(ascending=False).index
    t = table(title, "", *df.columns)
    t.columns[0].no_wrap = True
    for c in t.columns[1:]:
        c.overflow = "fold"
    for k in order[:limit]:
        t.add_row(str(k), *[_pp(v) for v in df.loc[k]])
    if len(order) > limit:
        rest = df.loc[order[limit:]].sum()
        t.add_row(f"{len(order) - limit} others", *[_pp(v) for v in rest])
    t.add_row("[bold]total[/bold]", *[f"[bold]{_pp(v)}[/bold]" for v in df.sum()])
    return t


def _details(w: WhatIf) -> Text:
    lines = []
    for r in w.results:
        m = r.move
        desc = m.description
        if m.scenario.kind == "shock" and desc.startswith(r.name):  # named by its moves
            desc = desc[len(r.name) :].strip(" ()") or desc
        line = f"[bold]{r.name}[/bold]: {desc}."
        if m.market_actual is not None:
            line += (
                f" SPY actually returned {pct(m.market_actual)} over the window; today's "
                f"benchmark replays at {pct(r.benchmark.ret)}."
            )
        lines.append(line)
        lines += [f"  [dim]{n}[/dim]" for n in m.notes[1:]]
    generic: dict[str, str] = {}
    for r in w.results:  # the first note says how every scenario of its kind works
        kind = r.move.scenario.kind
        key = kind if kind == "replay" else f"{kind}, propagated={r.move.scenario.propagate}"
        generic.setdefault(key, r.move.notes[0])
    lines += [f"[dim]Note:[/dim] {n}" for n in generic.values()]
    lines += [f"[dim]Note:[/dim] {n}" for n in w.notes]
    return Text.from_markup("\n".join(lines))


def render(w: WhatIf, console: Console) -> None:
    a = w.before
    head = Text.from_markup(
        f"[bold]advisor what-if[/bold]  {a.source}\n"
        f"Prices and risk model as of [bold]{a.as_of.date()}[/bold]; benchmark {a.benchmark}; "
        f"total value {money(a.total_value)} (account currency). Contributions are percentage "
        "points of each portfolio's return and add up to it."
    )
    parts: list[Any] = [head, _details(w), _summary(w)]
    p = w.proposal
    if p is not None and p.after is not None:
        parts.insert(
            2,
            Text(
                f"Proposed: the `advisor propose` rebalance with the same mandate "
                f"(status {p.status}, turnover {pct(p.turnover)}, TE {pct(a.risk.tracking_error)}"
                f" -> {pct(p.after.risk.tracking_error)}, megacaps "
                f"{pct(a.concentration.megacap_weight)} -> "
                f"{pct(p.after.concentration.megacap_weight)})."
            ),
        )
    parts += [
        _matrix("Contribution by holding (percentage points)", w, "by_holding"),
        _matrix("Contribution by group (look-through, percentage points)", w, "by_group"),
        _matrix("Contribution by sector (look-through, percentage points)", w, "by_sector", 8),
    ]
    print_parts(console, parts)
