"""Hedging alternatives as JSON (fractions) and as terminal tables (percent, money)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.report.table import (
    _header_width,
    _rounded,
    header,
    money,
    notes,
    pct,
    print_parts,
    split_columns,
    table,
    total_value,
)
from advisor.scenarios.hedging import Hedge, HedgeReport, comparison
from advisor.scenarios.instruments import InstrumentKind

# -- tables ---------------------------------------------------------------------------------------

_OPTIONS = (InstrumentKind.PUT, InstrumentKind.COLLAR)


def _label(h: Hedge, target: str) -> str:
    """The hedge's label, naming its target when it is not the table's."""
    return h.label if h.target == target else f"{h.label} (hedging the {h.target})"


def _units(h: Hedge, signed: bool = False) -> str:
    """Whole shares or contracts: ``-1,533`` (sold short) with ``signed``, else ``1,533``."""
    if h.units is None:
        return "-"
    return f"{h.units:+,}" if signed and h.units else f"{abs(h.units):,}"


def _unit_words(rows: list[Hedge]) -> str:
    """``share`` or ``contract`` (or both) for the rows' headers."""
    return " or ".join(sorted({h.unit.removesuffix("s") for h in rows}, reverse=True))


def _cost_unit(r: HedgeReport) -> str:
    return "account currency" if r.before.total_value is not None else "% of the portfolio's value"


def _overlays(r: HedgeReport) -> Table | None:
    rows = [h for h in r.hedges if h.kind not in _OPTIONS]
    if not rows:
        return None
    unit = _unit_words(rows)
    t = table(
        f"Overlays hedging the {r.target}: sold short (-), or bought (+) where the ratio is "
        "negative (ratio = notional sold per unit of portfolio value; price and notional in "
        f"account currency; cost = trading cost at {r.cost_bps:g} bp, in {_cost_unit(r)})",
        "Hedge",
        "Ratio",
        {"share": "Shares", "contract": "Contracts"}.get(unit, "Shares or contracts"),
        f"Price per {unit}",
        "Notional",
        "Cost",
    )
    for h in rows:
        t.add_row(
            _label(h, r.target),
            f"{h.ratio:.3f}",
            _units(h, signed=True),
            money(h.unit_price),
            money(h.notional),
            money(h.cost) if h.cost is not None else pct(h.cost_fraction, 2),
        )
    return t


def _protection(r: HedgeReport) -> Table | None:
    rows = [h for h in r.hedges if h.kind in _OPTIONS]
    if not rows:
        return None
    t = table(
        f"Puts bought, protecting the {r.target}; a collar also sells as many calls (ratio = "
        "protected notional per unit of portfolio value; "
        + (
            "notional and premiums in account currency"
            if r.before.total_value is not None
            else "premium per contract in account currency, net premium in % of the value"
        )
        + "; a collar's premium is the put's less the call's, negative when the call brings in "
        "more)",
        "Hedge",
        "Ratio",
        "Contracts",
        "Protected notional",
        "Premium per contract",
        "Net premium",
    )
    for h in rows:
        t.add_row(
            _label(h, r.target),
            f"{h.ratio:.3f}",
            _units(h),
            money(None if h.notional is None else -h.notional),
            money(h.unit_price),
            money(h.cost) if h.cost is not None else pct(h.cost_fraction, 2),
        )
    return t


def _option_prices(r: HedgeReport) -> list[Any]:
    rows = [h for h in r.hedges if h.option is not None]
    if not rows:
        return []
    t = table(
        "Option prices (Black-Scholes, European; money per share of the underlying)",
        "Hedge",
        "Spot",
        "Put strike",
        "Call strike",
        "Put",
        "Call",
    )
    inputs: dict[str, list[str]] = {}
    for h in rows:
        o = h.option
        assert o is not None
        call = o["call_price"]
        t.add_row(h.instrument, money(o["spot"]), money(o["put_strike"]),
                  money(o["call_strike"]), money(o["put_price"]),
                  "-" if call is None else money(call))  # fmt: skip
        text = (
            f"expiry {12 * o['expiry_years']:.1f} months; volatility {pct(o['volatility'])} "
            f"({o['volatility_source']}); rate {pct(o['rate'], 2)} ({o['rate_source']}); "
            f"dividend yield {pct(o['dividend_yield'], 2)} ({o['dividend_yield_source']})"
        )
        inputs.setdefault(text, []).append(h.instrument)
    lines = [f"{', '.join(names)}: {text}." for text, names in inputs.items()]
    return [t, notes(lines, "Option inputs")]


def _comparison(r: HedgeReport, width: int) -> list[Any]:
    comp = comparison(r)
    known = r.before.total_value is not None
    gains = r.proposal is not None
    t = table(
        "Alternatives compared: risk after (annualised) and cost ("
        + ("account currency" if known else "% of value")
        + ("; realised gain of the rebalance's sales" if gains else "")
        + ")",
        "Alternative",
        "Tracking error",
        "Volatility",
        "Beta",
        "Cost",
        *(["Realised gain"] if gains else []),
    )
    for row in comp.to_dict(orient="records"):
        gain = row["realized_gain"]
        t.add_row(
            row["alternative"],
            pct(row["tracking_error"]),
            pct(row["volatility"]),
            f"{_rounded(row['beta'], 2):.2f}",
            money(row["cost"]) if known else pct(row["cost_fraction"], 2),
            *(["unknown" if gain is None or gain != gain else money(gain)] if gains else []),
        )
    names = [x.name for x in r.whatif.results]
    frame = comp.set_index("alternative")[names].astype(float)
    return [t, *_scenario_tables(frame, width)]


def _scenario_tables(frame: pd.DataFrame, width: int) -> list[Any]:
    """Scenario returns with each alternative in place: one table, or several if too wide."""
    title = "Scenario returns with each alternative in place (% of the portfolio's value)"
    labels = [str(x) for x in frame.index]
    widths = [max([_header_width(c), 6]) for c in frame.columns]
    out = []
    groups = split_columns(max(map(len, labels)), widths, width)
    for n, group in enumerate(groups, 1):
        cols = [frame.columns[i] for i in group]
        part = f" ({n}/{len(groups)})" if len(groups) > 1 else ""
        t = table(title + part, "Alternative", *cols)
        for label, row in zip(labels, frame[cols].itertuples(index=False), strict=True):
            t.add_row(label, *[pct(v) for v in row])
        out.append(t)
    return out


def render(r: HedgeReport, console: Console) -> None:
    a = r.before
    head = header(
        "hedge",
        a.source,
        a.as_of,
        f"Benchmark {escape(a.benchmark)}; {total_value(a.total_value)}. "
        f"Today: volatility {pct(a.risk.volatility)}, beta {a.risk.beta:.2f}, "
        f"tracking error {pct(a.risk.tracking_error)} (annualised); megacaps "
        f"{pct(a.concentration.megacap_weight)} of the portfolio.",
    )
    scen = "\n".join(f"  {escape(x.name)}: {escape(x.move.description)}" for x in r.whatif.results)
    hedge_notes = list(dict.fromkeys([n for h in r.hedges for n in h.notes] + r.notes))
    hedge_notes.append(
        "a short ETF also pays its dividends, and every hedge gives up the hedged exposure's "
        "gains; option risk figures are for the delta-equivalent short"
    )
    parts: list[Any] = [
        head,
        Text.from_markup("[bold]Scenarios[/bold]\n" + scen),
        _overlays(r),
        _protection(r),
        *_option_prices(r),
        *_comparison(r, console.width),
        notes(hedge_notes),
    ]
    print_parts(console, parts)
