"""What-if results as JSON (fractions) and as terminal tables (percent, money)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.analytics.concentration import GROUP_ORDER, SECTOR_ORDER, in_order
from advisor.report.table import (
    header,
    matrix,
    money,
    notes,
    others,
    pct,
    print_parts,
    table,
    total_value,
)
from advisor.scenarios.whatif import WhatIf

# -- tables ---------------------------------------------------------------------------------------


def _summary(w: WhatIf) -> list[Table]:
    """Returns (percent) and, when the account value is known, P&L (account currency)."""
    has_p, has_money = w.after is not None, w.before.total_value is not None
    cols = ["Scenario", "Portfolio"]
    cols += ["P&L"] if has_money and not has_p else []
    cols += ["Proposed"] if has_p else []
    cols += ["Benchmark", "Active"] + (["Proposed active"] if has_p else [])
    money_note = "; P&L in account currency" if has_money and not has_p else ""
    t = table(
        f"Scenario returns (% of each portfolio's value; active = the portfolio's minus the "
        f"benchmark's{money_note})",
        *cols,
    )
    for r in w.results:
        row = [r.name, pct(r.current.ret)]
        row += [money(r.current.pnl)] if has_money and not has_p else []
        row += [pct(r.proposed.ret)] if r.proposed is not None else []
        row += [pct(r.benchmark.ret), pct(r.active_return)]
        row += [pct(r.proposed_active_return)] if has_p else []
        t.add_row(*row)
    if not (has_p and has_money):
        return [t]
    pnl = table(
        "Scenario P&L (account currency)", "Scenario", "Portfolio", "Proposed", "Difference"
    )
    for r in w.results:
        assert r.proposed is not None and r.current.pnl is not None
        diff = None if r.proposed.pnl is None else r.proposed.pnl - r.current.pnl
        pnl.add_row(r.name, money(r.current.pnl), money(r.proposed.pnl), money(diff))
    return [t, pnl]


def _frame(w: WhatIf, side: str, attr: str) -> pd.DataFrame:
    """Contributions of one portfolio (``current`` or ``proposed``): rows x scenarios."""
    return pd.DataFrame({r.name: getattr(getattr(r, side), attr) for r in w.results}).fillna(0.0)


def _holdings(df: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """The ``limit`` holdings that move most in any scenario, the rest summed in one row."""
    order = df.abs().max(axis=1).sort_values(ascending=False).index
    if len(order) <= limit + 1:
        return df.loc[order]
    rest = df.loc[order[limit:]].sum().rename(others(len(order) - limit))
    return pd.concat([df.loc[order[:limit]], rest.to_frame().T])


def _matrices(w: WhatIf, width: int) -> list[Table]:
    sides = [("current", "")]
    if w.after is not None:
        sides = [("current", ", current portfolio"), ("proposed", ", proposed portfolio")]
    out: list[Table] = []
    for attr, what, shape in (
        ("by_holding", "holding", _holdings),
        ("by_group", "group (look-through)", lambda d: in_order(d, GROUP_ORDER)),
        ("by_sector", "sector (look-through)", lambda d: in_order(d, SECTOR_ORDER)),
    ):
        for side, label in sides:
            title = f"Contribution by {what}{label} (percentage points of the return)"
            out += matrix(title, shape(_frame(w, side, attr)), width, what.split()[0].title())
    return out


def _scenarios(w: WhatIf) -> Text:
    """What each scenario is, in words."""
    lines = ["[bold]The scenarios[/bold]"]
    for r in w.results:
        m = r.move
        desc = m.description
        if m.scenario.kind == "shock" and desc.startswith(r.name):  # named by its moves
            desc = desc[len(r.name) :].strip(" ()") or desc
        line = f"[bold]{escape(r.name)}[/bold]: {escape(desc)}."
        if m.market_actual is not None:
            line += (
                f" SPY actually returned {pct(m.market_actual)} over the window; today's "
                f"benchmark replays at {pct(r.benchmark.ret)}."
            )
        lines.append(line)
        lines += [f"  [dim]{escape(n)}[/dim]" for n in m.notes[1:]]
    return Text.from_markup("\n".join(lines))


def _notes(w: WhatIf) -> Text | None:
    generic: dict[str, str] = {}
    for r in w.results:  # the first note says how every scenario of its kind works
        kind = r.move.scenario.kind
        key = kind if kind == "replay" else f"{kind}, propagated={r.move.scenario.propagate}"
        generic.setdefault(key, r.move.notes[0])
    return notes([*generic.values(), *w.notes])


def render(w: WhatIf, console: Console) -> None:
    a = w.before
    head = header(
        "what-if",
        a.source,
        a.as_of,
        f"Benchmark {escape(a.benchmark)}; {total_value(a.total_value)}. "
        "Returns are % of each portfolio's value; contributions are percentage "
        "points of it and add up to it.",
    )
    parts: list[Any] = [head]
    p = w.proposal
    if p is not None and p.after is not None:
        parts.append(
            Text(
                f"Proposed: the `advisor propose` rebalance with the same mandate "
                f"(status {p.status}, turnover {pct(p.turnover)}, tracking error "
                f"{pct(a.risk.tracking_error)} -> {pct(p.after.risk.tracking_error)} a year, "
                f"megacaps {pct(a.concentration.megacap_weight)} -> "
                f"{pct(p.after.concentration.megacap_weight)})."
            )
        )
    parts += [*_summary(w), _scenarios(w), *_matrices(w, console.width), _notes(w)]
    print_parts(console, parts)
