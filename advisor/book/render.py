"""The book on the terminal: the summary's tables, and the dry run's list (rich)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from advisor.report.table import header, money, pct, table

#: At most this many households are listed on the terminal (summary.html lists them all).
MAX_ROWS = 40


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render(s: dict[str, Any], console: Console) -> None:
    """The summary: the book's figures, the households, the infeasible and failed ones, and the
    most traded tickers; money in the account currency, weights in percent."""
    b = s["book"]
    ran = s.get("run") or {}
    status = (f"{_count(b['households'], 'household')}: {b['proposed']} proposed, "
              f"{b['infeasible']} infeasible, {b['failed']} failed; "
              f"{ran.get('households_run', 0)} run now, "
              f"{ran.get('households_reused', 0)} unchanged since an earlier run")  # fmt: skip
    console.print(header("book", s.get("output"), s["as_of"], escape(status)))
    t = table("The book (value-weighted over the households read)", "Measure", "Before", "After")
    t.add_row("Value (account currency)", money(b["value"]), money(b["value"]))
    t.add_row("Megacap weight (look-through)", pct(b["megacap_before"]), pct(b["megacap_after"]))
    t.add_row("Megacap money", money(b["megacap_value_before"]), money(b["megacap_value_after"]))
    t.add_row("Traded (buys + sales)", "", money(b["traded"]))
    t.add_row("Turnover", "", pct(b["turnover"]))
    t.add_row("Realised gain", "", money(b["realized_gain"]))
    t.add_row("Estimated tax", "", money(b["estimated_tax"]))
    console.print(t)
    _households(s["households"], console)
    _problems(s, console)
    _tickers(s["by_ticker"], console)
    for note in s.get("notes") or []:
        console.print(f"Note: {escape(note)}")


def _whole(x: Any) -> str:
    """Money to the unit: ``909,316``."""
    return "-" if x is None else f"{x:,.0f}"


def _households(rows: Sequence[dict[str, Any]], console: Console) -> None:
    """Two tables (each fits 80 columns): concentration and risk; trading and tax."""
    shown = sorted(rows, key=lambda r: -(r["value"] or 0))[:MAX_ROWS]
    more = f" (the {MAX_ROWS} largest of {len(rows)})" if len(rows) > MAX_ROWS else ""
    t = table(f"Households{more}: megacap weight and tracking error", "Household", "Status",
              "Value", "Megacap before", "Megacap after", "TE after", text=(0, 1))  # fmt: skip
    for r in shown:
        t.add_row(escape(r["household"]), r["status"], _whole(r["value"]),
                  pct(r["megacap_before"]), pct(r["megacap_after"]), pct(r["te_after"], 2))  # fmt: skip
    console.print(t)
    t = table(f"Households{more}: trading and tax (account currency)", "Household", "Turnover",
              "Trades", "Traded", "Realised gain", "Est. tax")  # fmt: skip
    for r in shown:
        if r["status"] != "failed":
            t.add_row(escape(r["household"]), pct(r["turnover"]), str(r["trades"]),
                      _whole(r["traded"]), _whole(r["realized_gain"]), _whole(r["estimated_tax"]))  # fmt: skip
    console.print(t)


def _problems(s: dict[str, Any], console: Console) -> None:
    if s["infeasible"]:
        t = table("Infeasible: the smallest relaxation that works", "Household", "Relaxation",
                  text=(0, 1))  # fmt: skip
        for r in s["infeasible"][:MAX_ROWS]:
            t.add_row(escape(r["household"]), escape(r["relaxation"] or ""))
        console.print(t)
    if s["failed"]:
        t = table("Failed: nothing proposed", "Household", "Error", text=(0, 1))
        for r in s["failed"][:MAX_ROWS]:
            t.add_row(escape(r["household"]), escape(r["error"] or ""))
        console.print(t)


def _tickers(rows: Sequence[dict[str, Any]], console: Console) -> None:
    if not rows:
        return
    t = table("Most traded tickers (account currency; all in trades_by_ticker.csv)", "Ticker",
              "Bought", "Sold", "Realised gain", "Est. tax", "Households")  # fmt: skip
    for r in rows[:10]:
        t.add_row(r["ticker"], money(r["bought"]), money(r["sold"]), money(r["realized_gain"]),
                  money(r["estimated_tax"]), str(r["households"]))  # fmt: skip
    console.print(t)


def render_checks(checks: Sequence[Any], as_of: str, default: dict[str, Any],
                  console: Console) -> None:  # fmt: skip
    """The dry run: the book's default mandate (the options the mandate file's ``default:``
    sets), then each household: whether it would run (or is done), the options where its
    mandate differs from the default, or why it cannot run."""
    bad = sum(c.error is not None for c in checks)
    done = sum(c.done and c.error is None for c in checks)
    line = (f"dry run: {_count(len(checks), 'household')}, {len(checks) - bad - done} would run, "
            f"{done} done and unchanged, {bad} with errors; nothing proposed or written")  # fmt: skip
    given = ", ".join(f"{k}={_short(v)}" for k, v in default.items()) or "the mandate's defaults"
    console.print(header("book", None, as_of, escape(line), f"Book default: {escape(given)}"))
    t = table("Households", "Household", "Kind", "Accounts", "Would run",
              "Mandate beside the default, or the error", text=(0, 1, 3, 4))  # fmt: skip
    for c in checks:
        if c.error is not None:
            what, mandate = "[red]error[/red]", escape(c.error)
        else:
            what = "no: done" if c.done else "yes"
            mandate = escape(", ".join(f"{k}={_short(v)}" for k, v in c.mandate.items()) or "-")
        t.add_row(escape(c.key), c.kind, str(c.accounts), what, mandate)
    console.print(t)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v)
