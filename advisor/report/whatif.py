"""What-if results as JSON (fractions) and as terminal tables (percent, money)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from advisor.report.json import _num
from advisor.report.table import _table, money, pct
from advisor.scenarios.shocks import REPLAYS, Move
from advisor.scenarios.whatif import Outcome, ScenarioResult, WhatIf


def _series(s: pd.Series) -> dict[str, float | None]:
    return {str(k): _num(v) for k, v in s.items()}


def _outcome(o: Outcome | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "return": _num(o.ret),
        "pnl": _num(o.pnl),
        "by_holding": _series(o.by_holding),
        "by_group": _series(o.by_group),
        "by_sector": _series(o.by_sector),
    }


def _move(m: Move) -> dict[str, Any]:
    s = m.scenario
    return {
        "kind": s.kind,
        "description": m.description,
        "shocks": [{"group": x.group, "move": x.move} for x in s.shocks],
        "propagated": s.propagate if s.kind == "shock" else None,
        "replay": s.replay,
        "window": None
        if m.window is None
        else {"start": str(m.window[0].date()), "end": str(m.window[1].date())},
        "market_actual_return": _num(m.market_actual),
        "factor_moves": _series(m.factor_moves),
        "notes": m.notes,
    }


def scenario_dict(r: ScenarioResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": r.name,
        "portfolio_return": _num(r.current.ret),
        "benchmark_return": _num(r.benchmark.ret),
        "active_return": _num(r.active_return),
        "portfolio_pnl": _num(r.current.pnl),
    }
    if r.proposed is not None:
        out["proposed_return"] = _num(r.proposed.ret)
        out["proposed_active_return"] = _num(r.proposed_active_return)
        out["proposed_pnl"] = _num(r.proposed.pnl)
    out.update(_move(r.move))
    out["portfolio"] = _outcome(r.current)
    out["benchmark"] = _outcome(r.benchmark)
    out["proposed"] = _outcome(r.proposed)
    return out


def whatif_dict(w: WhatIf) -> dict[str, Any]:
    a = w.before
    out: dict[str, Any] = {
        "as_of": str(a.as_of.date()),
        "source": a.source,
        "benchmark": a.benchmark,
        "total_value": _num(a.total_value),
        "units": "returns and contributions are fractions of each portfolio's value; pnl is in "
        "account currency",
        "scenarios": [scenario_dict(r) for r in w.results],
        "notes": w.notes,
    }
    p = w.proposal
    if p is not None:
        out["proposal"] = {
            "status": p.status,
            "turnover": _num(p.turnover),
            "estimated_cost": _num(p.est_cost),
            "realized_gain": _num(p.realized_gain),
            "tracking_error_after": _num(None if p.after is None else p.after.risk.tracking_error),
            "megacap_weight_after": _num(
                None if p.after is None else p.after.concentration.megacap_weight
            ),
            "trades": len(p.trades),
        }
    return out


def dumps(w: WhatIf) -> str:
    return json.dumps(whatif_dict(w), indent=2)


def csv_rows(w: WhatIf) -> str:
    """One line per scenario (fractions), for spreadsheets."""
    rows = []
    for r in w.results:
        rows.append(
            {
                "scenario": r.name,
                "kind": r.move.scenario.kind,
                "description": r.move.description,
                "portfolio_return": r.current.ret,
                "portfolio_pnl": r.current.pnl,
                "proposed_return": None if r.proposed is None else r.proposed.ret,
                "proposed_pnl": None if r.proposed is None else r.proposed.pnl,
                "benchmark_return": r.benchmark.ret,
                "active_return": r.active_return,
                "proposed_active_return": r.proposed_active_return,
                "market_actual_return": r.move.market_actual,
            }
        )
    return pd.DataFrame(rows).to_csv(index=False)


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
    t = _table("Scenario returns (percent of each portfolio; P&L in account currency)", *cols)
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
    t = _table(title, "", *df.columns)
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
    console.print(Group(*[x for part in parts for x in (part, Text(""))]))


def replays_table(history: pd.DataFrame) -> tuple[Table, list[dict[str, Any]]]:
    """The named replays, their windows, SPY's return then, and the factor history's span."""
    from advisor.scenarios.shocks import replay_window

    t = _table(
        f"Historical replays (factor history {history.index[0].date()} to "
        f"{history.index[-1].date()}; any FROM:TO inside it also works)",
        "Name",
        "Episode",
        "From",
        "To",
        "SPY then",
        "Factors missing (share of window)",
    )
    for c in t.columns[:4]:
        c.no_wrap = True
    rows = []
    for name in REPLAYS:
        label, start, end = replay_window(name, history)
        window = history.loc[(history.index > start) & (history.index <= end)]
        spy = float((1 + window["market"]).prod() - 1)
        gaps = window.isna().mean()
        missing = [f for f in window.columns if gaps[f] > 0]
        shown = ", ".join(f"{f} {gaps[f]:.0%}" for f in missing) or "-"
        t.add_row(name, label, str(start.date()), str(end.date()), pct(spy), shown)
        rows.append(
            {
                "name": name,
                "episode": label,
                "start": str(start.date()),
                "end": str(end.date()),
                "market_actual_return": spy,
                "factors_missing_some_days": missing,
            }
        )
    return t, rows
