"""Hedging alternatives as JSON (fractions) and as terminal tables (percent, money)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from advisor.report.json import _num
from advisor.report.table import _table, money, pct
from advisor.report.whatif import scenario_dict
from advisor.scenarios.hedging import Hedge, HedgeReport


def _label(h: Hedge) -> str:
    return h.instrument if h.kind in ("put", "collar") else f"{h.instrument} {h.method}"


def _action(h: Hedge) -> str:
    if h.units is None:
        return "-"
    if h.kind == "put":
        return f"buy {h.units:,} puts"
    if h.kind == "collar":
        return f"buy {h.units:,} puts, sell {h.units:,} calls"
    if h.units == 0:
        return "none (rounds to zero)"
    verb = "sell short" if h.units < 0 else "buy"
    return f"{verb} {abs(h.units):,} {h.unit}"


def hedge_dict(h: Hedge) -> dict[str, Any]:
    return {
        "instrument": h.instrument,
        "kind": h.kind,
        "method": h.method,
        "target": h.target,
        "ratio": _num(h.ratio),
        "ratio_rounded": _num(h.ratio_rounded),
        "notional": _num(h.notional),
        "units": h.units,
        "unit": h.unit,
        "unit_price": _num(h.unit_price),
        "action": _action(h),
        "volatility_after": _num(h.volatility_after),
        "beta_after": _num(h.beta_after),
        "tracking_error_after": _num(h.tracking_error_after),
        "cost": _num(h.cost),
        "cost_fraction": _num(h.cost_fraction),
        "scenarios": [{"name": k, "return": _num(v)} for k, v in h.scenario_returns.items()],
        "option": None if h.option is None else {k: _num(v) for k, v in h.option.items()},
        "notes": h.notes,
    }


def comparison(r: HedgeReport) -> pd.DataFrame:
    """One row per alternative: no action, the rebalance (when proposed), each hedge."""
    a = r.before
    names = [x.name for x in r.whatif.results]
    rows = [
        {
            "alternative": "no action",
            "tracking_error": a.risk.tracking_error,
            "volatility": a.risk.volatility,
            "beta": a.risk.beta,
            **{n: x.current.ret for n, x in zip(names, r.whatif.results, strict=True)},
            "cost": 0.0,
            "realized_gain": 0.0,
        }
    ]
    p = r.proposal
    if p is not None and p.after is not None:
        rows.append(
            {
                "alternative": "rebalance (advisor propose)",
                "tracking_error": p.after.risk.tracking_error,
                "volatility": p.after.risk.volatility,
                "beta": p.after.risk.beta,
                **{
                    n: x.proposed.ret
                    for n, x in zip(names, r.whatif.results, strict=True)
                    if x.proposed is not None
                },
                "cost": p.est_cost,
                "realized_gain": p.realized_gain,
            }
        )
    for h in r.hedges:
        rows.append(
            {
                "alternative": _label(h),
                "tracking_error": h.tracking_error_after,
                "volatility": h.volatility_after,
                "beta": h.beta_after,
                **h.scenario_returns,
                "cost": h.cost if h.cost is not None else h.cost_fraction,
                "realized_gain": 0.0,
            }
        )
    return pd.DataFrame(rows)


def report_dict(r: HedgeReport) -> dict[str, Any]:
    a = r.before
    comp = comparison(r)
    names = [x.name for x in r.whatif.results]
    return {
        "as_of": str(a.as_of.date()),
        "source": a.source,
        "benchmark": a.benchmark,
        "total_value": _num(a.total_value),
        "target": r.target,
        "units": "ratios, returns, volatility, beta and tracking error are fractions "
        "(annualised risk); notional, cost and realised gain are account currency (negative "
        "notional = protection); units are whole shares or contracts (negative = sold short)",
        "current": {
            "volatility": _num(a.risk.volatility),
            "beta": _num(a.risk.beta),
            "tracking_error": _num(a.risk.tracking_error),
        },
        "hedges": [hedge_dict(h) for h in r.hedges],
        "scenarios": [scenario_dict(x) for x in r.whatif.results],
        "comparison": [
            {
                "alternative": row["alternative"],
                "tracking_error": _num(row["tracking_error"]),
                "volatility": _num(row["volatility"]),
                "beta": _num(row["beta"]),
                "scenario_returns": {n: _num(row.get(n)) for n in names},
                "cost": _num(row["cost"]),
                "realized_gain": _num(row["realized_gain"]),
            }
            for row in comp.to_dict(orient="records")
        ],
        "cost_bps": r.cost_bps,
        "notes": r.notes,
    }


def dumps(r: HedgeReport) -> str:
    return json.dumps(report_dict(r), indent=2)


def csv_rows(r: HedgeReport) -> str:
    return comparison(r).to_csv(index=False)


# -- tables ---------------------------------------------------------------------------------------


def _trades(r: HedgeReport) -> Table:
    t = _table(
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
            _label(h),
            h.target,
            f"{h.ratio:.3f}",
            _action(h),
            money(h.notional),
            money(h.unit_price),
            money(h.cost) if h.cost is not None else pct(h.cost_fraction, 2),
        )
    return t


def _options(r: HedgeReport) -> Table | None:
    rows = [h for h in r.hedges if h.option is not None]
    if not rows:
        return None
    t = _table(
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
    t = _table(
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
    console.print(Group(*[x for part in parts if part is not None for x in (part, Text(""))]))
