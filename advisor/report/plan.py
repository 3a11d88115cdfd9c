"""A transition plan as terminal tables (JSON is ``Plan.to_dict()``, CSV ``Plan.to_frame()``)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from advisor.optimize.plan import Plan
from advisor.report.table import header, money, pct, print_parts, shares
from advisor.report.table import table as _t


def _years(p: Plan) -> object:
    t = _t("Year by year (megacap weight and tracking error of the decided part after the "
           "year's trades; gain and estimated tax in account currency)", "Year", "Trade date",
           "Megacap", "Tracking error", "Turnover", "Realised gain", "Est. tax", text=(0, 1))  # fmt: skip
    for y in p.years:
        f = y.figures
        t.add_row(str(f["year"]), f["trade_date"], pct(f["megacap_weight"]),
                  pct(f["tracking_error"], 2), pct(f["turnover"]), money(f["realized_gain"] or 0.0),
                  money(f["estimated_tax"] or 0.0))  # fmt: skip
    return t


def _trades(p: Plan) -> list[object]:
    out: list[object] = []
    for y in p.years:
        rows = y.figures["trades"]
        if not rows:
            continue
        t = _t(f"Year {y.year} ({y.figures['trade_date']}): {y.mandate_used}", "Account",
               "Ticker", "Side", "Shares", "Amount", "Est. tax", text=(0, 1, 2))  # fmt: skip
        for r in rows:
            tax = r.get("est_tax")
            t.add_row(escape(str(r.get("account") or "-")), r["ticker"], r["side"],
                      shares(r["shares"]), money(r["amount"]),
                      "-" if tax is None or r["side"] == "buy" else money(tax))  # fmt: skip
        out.append(t)
    return out


def _comparison(p: Plan) -> Text:
    c = p.comparison()
    now = c["all_now_estimated_tax"]
    lines = [
        f"[bold]Plan:[/bold] estimated tax {money(c['plan_estimated_tax'])} over "
        f"{len(p.years)} year(s); {c['plan_years_above_target']} year(s) end above the "
        f"{pct(p.target)} megacap target.",
        "[bold]All now:[/bold] "
        + (f"estimated tax {money(now)}, at the target after the first trades."
           if now is not None else f"not possible under the mandate ({c['all_now_status']}).")
        + (_saving(c["tax_saved_by_the_plan"]) if now is not None else ""),
    ]  # fmt: skip
    lines += [f"[yellow]Note:[/yellow] {escape(n)}" for n in p.notes]
    return Text.from_markup("\n".join(lines))


def _saving(saved: float) -> str:
    if saved >= 0:
        return f" The plan saves {money(saved)} of tax."
    return (f" The plan costs {money(-saved)} more tax in all: it spreads the tax over the "
            "years rather than lowering it.")  # fmt: skip


def render(p: Plan, console: Console) -> None:
    head = header(
        "plan", p.source, p.as_of,
        f"Tax budget {money(p.budget)} a year; megacap target {pct(p.target)}. Prices are held "
        "at the snapshot's every year (no return forecast); taxes are estimates (docs/tax.md).",
    )  # fmt: skip
    print_parts(console, [head, _comparison(p), _years(p), *_trades(p)])
