"""A proposal as JSON, as the custodian's trade CSV, and as terminal tables."""

from __future__ import annotations

import csv
import io

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.analytics.analysis import Analysis
from advisor.analytics.concentration import SECTOR_ORDER, SIZE_ORDER, in_order
from advisor.optimize.limits import LABELS as LIMIT_LABELS
from advisor.optimize.proposal import Proposal, proposal_dict
from advisor.report.analysis import te_by_holding
from advisor.report.table import (
    all_zero,
    contributions,
    header,
    money,
    pct,
    print_parts,
    shares,
    total_value,
)
from advisor.report.table import table as _t
from advisor.units import quantity_text


def trades_csv(p: Proposal) -> str:
    """The trade list for the custodian: Account, Symbol, Action, Quantity, Price, Amount, Est.
    Realized Gain, Est. Tax, Whole Holding, Lots. Quantities are exact (a whole holding keeps its
    fraction of a share) and Quantity x Price rounds to Amount, as in the JSON; Lots names each
    lot a sale draws on (acquired date x shares) for specific identification."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Account", "Symbol", "Action", "Quantity", "Price", "Amount",
                "Est. Realized Gain", "Est. Tax", "Whole Holding", "Lots"])  # fmt: skip
    for row in p.trades.to_dict(orient="records"):
        gain = row["realized_gain"]
        tax = row.get("est_tax", float("nan"))
        w.writerow(
            [
                row.get("account", ""),
                row["ticker"],
                row["side"].upper(),
                quantity_text(row["shares"]),
                repr(float(row["price"])),
                f"{row['amount']:.2f}",
                "" if gain != gain else f"{gain:.2f}",
                "" if tax != tax else f"{tax:.2f}",
                "yes" if row["whole_holding"] else "",
                _lots_text(row.get("lots") or []),
            ]
        )
    return buf.getvalue()


def _lots_text(lots: list[dict]) -> str:  # type: ignore[type-arg]
    """``2021-03-01 x 100; unknown date x 17``."""
    return "; ".join(
        f"{lot['acquired'] or 'unknown date'} x {quantity_text(lot['shares'])}" for lot in lots
    )


def _side_by_side(b: Analysis, a: Analysis | None, title: str) -> Table:
    assert a is not None
    t = _t(title, "Measure", "Before", "After", "Benchmark")
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
            f"{f.capitalize()} exposure (active beta)",
            _signed(b.risk.active_exposures.at[f, "active"]),
            _signed(a.risk.active_exposures.at[f, "active"]),
            "",
        )
    return t


def _signed(x: float) -> str:
    v = round(float(x), 2)
    return "0.00" if v == 0 else f"{v:+.2f}"


def _groups(p: Proposal, attr: str, title: str, first: str, order: tuple[str, ...]) -> Table:
    assert p.after is not None
    b, a = getattr(p.before.concentration, attr), getattr(p.after.concentration, attr)
    t = _t(title, first, "Before", "After", "Benchmark")
    for name in in_order(pd.Series(index=b.index.union(a.index), dtype=float), order).index:
        bench = b["benchmark_weight"].get(name, a["benchmark_weight"].get(name, 0.0))
        cells = [pct(b["weight"].get(name, 0.0)), pct(a["weight"].get(name, 0.0)), pct(bench)]
        if not all_zero(cells):
            t.add_row(str(name), *cells)
    return t


def _trades(p: Proposal) -> Table:
    accounts = "account" in p.trades and p.trades["account"].astype(str).ne("").any()
    taxed = "est_tax" in p.trades
    cols = [*(["Account"] if accounts else []), "Ticker", "Side", "Shares", "Price", "Amount",
            "Realised gain", *(["Est. tax"] if taxed else [])]  # fmt: skip
    t = _t(
        "Trades (whole shares; price, amount, estimated realised gain and tax in account currency)",
        *cols,
        text=tuple(range(3 if accounts else 2)),
    )
    for r in p.trades.to_dict(orient="records"):
        no_gain = r["realized_gain"] != r["realized_gain"] or r["side"] == "buy"
        gain = "-" if no_gain else money(r["realized_gain"])
        cells = [r["ticker"], r["side"], shares(r["shares"]), money(r["price"]),
                 money(r["amount"]), gain]  # fmt: skip
        if accounts:
            cells.insert(0, escape(str(r.get("account", ""))))
        if taxed:
            cells.append("-" if r["side"] == "buy" else money(r.get("est_tax", 0.0)))
        t.add_row(*cells)
    return t


def _summary(p: Proposal) -> Text:
    assert p.after is not None
    binding = ", ".join(LIMIT_LABELS.get(b, b) for b in p.binding) or "none"
    gain = "unknown (no cost basis)" if p.realized_gain is None else money(p.realized_gain)
    if p.tax is not None:
        t = p.tax.to_dict()
        free = f" ({money(t['not_taxable_gain'])} in tax-free accounts)" if t[
            "not_taxable_gain"] else ""  # fmt: skip
        gain += f"{free}; estimated tax {money(t['estimated_tax'])} (after netting; docs/tax.md)"
    lines = [
        f"[bold]Status:[/bold] {p.status}   objective: {p.mandate.objective}   sleeves: "
        + ", ".join(f"{k} = {v}" for k, v in p.sleeves.items()),
        f"Turnover {pct(p.turnover)}; estimated trading cost {money(p.est_cost)} "
        f"({p.mandate.cost_bps:g} bp of traded value); estimated realised gain {gain}.",
        f"Limits that bind: {escape(binding)}.",
        *_scope_lines(p),
    ]
    lines += [f"[yellow]Note:[/yellow] {escape(d)}" for d in p.diagnostics]
    return Text.from_markup("\n".join(lines))


def _scope_lines(p: Proposal) -> list[str]:
    """What was decided, against what, and the tracking error of the optimal and traded weights
    of that same part (the budget's measure)."""
    scope, after = p.scope, p.scope_after or p.after
    assert after is not None
    te = (
        f"tracking error of the optimal weights {pct(p.continuous_te, 2)}; after rounding "
        f"{pct(after.risk.tracking_error, 2)} (annualised)."
    )
    if scope is None:
        return [te[0].upper() + te[1:]]
    total = float(p.before.total_value or 0.0)
    share = f"{scope.value / total:.0%} of the account, " if total else ""
    bench = escape(str(scope.benchmark or p.before.benchmark))
    rest = (
        "; the other holdings keep their value (the asset mix is kept)"
        if len(scope.outside)
        else ""
    )
    return [
        f"Decided: the {escape(scope.name)} ({share}{money(scope.value)}), against the {bench}"
        f"{rest}.",
        f"Of the {escape(scope.name)}: {te}",
    ]


def _asset_mix(p: Proposal) -> list[Table | Text]:
    """The asset-class mix before and after, and whether it is unchanged."""
    mix = proposal_dict(p)["asset_mix"]
    if mix["after"] is None:
        return []
    after = {r["asset_class"]: r["weight"] for r in mix["after"]}
    t = _t("Asset classes (% of total)", "Asset class", "Before", "After", text=(0,))
    for r in mix["before"]:
        t.add_row(r["asset_class"], pct(r["weight"]), pct(after.pop(r["asset_class"], 0.0)))
    for cls, w in after.items():
        t.add_row(cls, pct(0.0), pct(w))
    word = "unchanged" if mix["unchanged"] else "changed"
    return [t, Text(f"The asset mix is {word} (within 0.1 point per class).")]


def _sleeve_money(p: Proposal) -> list[Table]:
    rows = proposal_dict(p)["sleeve_money"]
    if not rows:
        return []
    t = _t("Money into the sleeves (account currency; share of the sleeve money)",
           "Sleeve", "Fund", "Amount", "Share", text=(0, 1))  # fmt: skip
    for r in rows:
        t.add_row(r["sleeve"], r["fund"], money(r["amount"]), pct(r["share"]))
    return [t]


def _infeasible(p: Proposal) -> Text:
    lines = ["[bold red]Status: infeasible[/bold red], the mandate's limits cannot all hold."]
    lines += [f"  {escape(d)}" for d in p.diagnostics]
    for r in p.relaxations:
        lines.append(f"  - {escape(r.message)}")
    lines.append("No trades are proposed. Relax one of the limits above and run again.")
    return Text.from_markup("\n".join(lines))


def render(p: Proposal, console: Console) -> None:
    b = p.before
    head = header(
        "propose",
        b.source,
        b.as_of,
        f"Benchmark {escape(b.benchmark)}; {total_value(b.total_value)}. "
        "Weights are % of the total; risk figures are annualised.",
    )
    if not p.feasible:
        print_parts(console, [head, _infeasible(p)])
        return
    a = p.after
    assert a is not None
    whole = "after = the whole-share portfolio actually traded; % of total, risk annualised"
    decided = []
    if p.scope is not None and len(p.scope.outside) and p.scope_before is not None:
        decided = [
            _side_by_side(
                p.scope_before,
                p.scope_after,
                f"The {p.scope.name}, against the {p.scope.benchmark or p.before.benchmark} "
                f"(% of the part; risk annualised): the mandate's limits apply here",
            )
        ]
    parts = [
        head,
        _summary(p),
        *decided,
        _side_by_side(p.before, p.after, f"The whole account, before and after ({whole})"),
        *_asset_mix(p),
        *_sleeve_money(p),
        _groups(p, "sectors", "Sectors (look-through, % of total)", "Sector", SECTOR_ORDER),
        _groups(p, "sizes", "Size (look-through, % of total)", "Size", SIZE_ORDER),
        _trades(p),
        *te_by_holding("Tracking error after, by holding (annualised)", a),
        contributions(
            "Tracking error after, by group (annualised)",
            a.risk.te_by_group,
            a.risk.tracking_error,
            limit=None,
            first="Group",
        ),  # fmt: skip
    ]
    print_parts(console, parts)
