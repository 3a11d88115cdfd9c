"""The book summary: per household, for the book, by ticker; as JSON, CSV and an HTML page.

Built from the households' records alone (``result.json``: figures copied from each
proposal's JSON), so a summary of 10,000 households reads 10,000 small files.

Units: weights, turnover and tracking error are fractions (0.25 = 25 %); money in the account
currency. ``megacap_*`` is the look-through megacap share of the whole household; the book's is
value-weighted (the megacap money over the book's value), where an infeasible household keeps
its weight (no trades) and a failed one is left out. ``te_*`` is the tracking error of the
decided part against its benchmark (the part ``max-te`` caps), annualised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from advisor.book import store
from advisor.book.sources import safe_name

#: Columns of summary.csv (and the keys of each ``households`` entry of summary.json).
COLUMNS = ("household", "source", "status", "accounts", "value", "megacap_before",
           "megacap_after", "te_before", "te_after", "turnover", "trades", "traded",
           "realized_gain", "estimated_tax", "note")  # fmt: skip
TICKER_COLUMNS = ("ticker", "bought", "sold", "net", "realized_gain", "estimated_tax",
                  "households")  # fmt: skip
FILES = ("summary.json", "summary.csv", "summary.html", "trades_by_ticker.csv")


def household_row(record: dict[str, Any]) -> dict[str, Any]:
    """One household's line of the summary."""
    f = record.get("figures") or {}
    note = record.get("error") or record.get("relaxation") or ""
    row = {"household": record["household"], "source": record.get("source", ""),
           "status": record["status"], "accounts": len(record.get("accounts") or [])}  # fmt: skip
    row["folder"] = safe_name(record["household"])
    for key in COLUMNS[4:-1]:
        row[key] = f.get(key)
    row["note"] = note
    return row


def _total(rows: Sequence[dict[str, Any]], key: str) -> float:
    return round(sum(r[key] or 0.0 for r in rows), 2)


def book_totals(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The book's figures over the households that were read (see the module notes)."""
    read = [r for r in rows if r["value"] is not None]
    value = sum(r["value"] for r in read)
    before = sum(r["value"] * r["megacap_before"] for r in read)
    after = sum(r["value"] * (r["megacap_after"] if r["megacap_after"] is not None
                              else r["megacap_before"]) for r in read)  # fmt: skip
    count = lambda s: sum(r["status"] == s for r in rows)  # noqa: E731
    traded = _total(read, "traded")
    return {
        "households": len(rows),
        "proposed": count("optimal") + count("optimal_inaccurate"),
        "inaccurate": count("optimal_inaccurate"),
        "infeasible": count("infeasible"),
        "failed": count("failed"),
        "value": round(value, 2),
        "megacap_before": before / value if value else None,
        "megacap_after": after / value if value else None,
        "megacap_value_before": round(before, 2),
        "megacap_value_after": round(after, 2),
        "traded": traded,
        "turnover": traded / 2 / value if value else None,
        "trades": sum(r["trades"] or 0 for r in read),
        "realized_gain": _total(read, "realized_gain"),
        "estimated_tax": _total(read, "estimated_tax"),
    }


def tickers(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trading and tax by ticker over the book, the most traded first."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        for t in record.get("by_ticker") or []:
            row = out.setdefault(t["ticker"], dict.fromkeys(TICKER_COLUMNS, 0.0))
            row["ticker"] = t["ticker"]
            for key in ("bought", "sold", "realized_gain", "estimated_tax"):
                row[key] += t[key]
            row["households"] += 1
    for row in out.values():
        row["net"] = row["bought"] - row["sold"]
        for key in TICKER_COLUMNS[1:-1]:
            row[key] = round(row[key], 2)
        row["households"] = int(row["households"])
    return sorted(out.values(), key=lambda r: (-(r["bought"] + r["sold"]), r["ticker"]))


def summarize(records: Sequence[dict[str, Any]], refused: Sequence[dict[str, str]],
              header: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """The summary (summary.json): ``header`` (as_of, snapshot, run, notes) then the figures."""
    ordered = sorted(records, key=lambda r: r["household"].lower())
    rows = [household_row(r) for r in ordered]
    rows += [{**dict.fromkeys(COLUMNS), "household": r["key"], "source": r["path"],
              "status": "failed", "accounts": 0, "note": r["error"],
              "folder": safe_name(r["key"])} for r in refused]  # fmt: skip
    return {
        **header,
        "units": {"weights": "fraction (0.25 = 25 %)", "money": "account currency",
                  "megacap": "look-through share of the household (book: value-weighted)",
                  "tracking_error": "annualised, of the decided part against its benchmark"},
        "book": book_totals(rows),
        "households": rows,
        "by_ticker": tickers(ordered),
        "infeasible": [{"household": r["household"], "relaxation": r["note"]}
                       for r in rows if r["status"] == "infeasible"],
        "failed": [{"household": r["household"], "source": r["source"], "error": r["note"]}
                   for r in rows if r["status"] == "failed"],
    }  # fmt: skip


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r[k] for k in columns})
    return buf.getvalue()


def write(out: str | Path, summary: dict[str, Any]) -> list[Path]:
    """Write summary.json, summary.csv, summary.html and trades_by_ticker.csv (atomically)."""
    folder = Path(out)
    texts = {
        "summary.json": json.dumps(summary, indent=2) + "\n",
        "summary.csv": _csv(summary["households"], COLUMNS),
        "summary.html": html(summary),
        "trades_by_ticker.csv": _csv(summary["by_ticker"], TICKER_COLUMNS),
    }
    for name, text in texts.items():
        store.atomic_write(folder / name, text)
    return [folder / name for name in texts]


# -- the HTML page --------------------------------------------------------------------------------


def _pct(x: Any) -> str:
    return "" if x is None else f"{100 * x:.1f} %"


def _money(x: Any) -> str:
    return "" if x is None else f"{x:,.0f}"


def html(summary: dict[str, Any]) -> str:
    """One self-contained page (no script, no network): the book, the households, the infeasible
    and failed ones, trading and tax by ticker."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("advisor.book", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))  # fmt: skip
    env.filters.update(pct=_pct, money=_money)
    return env.get_template("summary.html.j2").render(s=summary)
