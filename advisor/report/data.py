"""``advisor data info``: the snapshot's dates, counts, sources and licence notes, in plain
words."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from advisor.analytics.concentration import SIZE_ORDER
from advisor.market.snapshot import data_age
from advisor.report.table import pct, print_parts, table


def _counts(mapping: dict[str, Any], order: tuple[str, ...] = ()) -> str:
    """``{'mega': 23, 'large': 480}`` as ``mega 23, large 480`` (keys in ``order`` first)."""
    keys = [k for k in order if k in mapping] + [k for k in mapping if k not in order]
    return ", ".join(
        f"{k} {mapping[k]:,}" if isinstance(mapping[k], int) else f"{k} {mapping[k]}" for k in keys
    )


def _repriced(m: dict[str, Any]) -> list[str]:
    r = m.get("repriced")
    if not r:
        return []
    return [
        f"Repriced from {r['source']} ({r['tickers_repriced']:,} securities; "
        f"{r['tickers_not_repriced']:,} keep the price of {r['from_snapshot']}); the risk model, "
        f"factor history and rates are those of the snapshot of {r['from_snapshot']}"
    ]


def _facts(m: dict[str, Any]) -> list[str]:
    c = m["counts"]
    rm = m["risk_model"]
    factors = rm["factors"]
    lines = [
        f"Snapshot: {m.get('snapshot_kind', 'the snapshot embedded in the package')}",
        *_repriced(m),
        f"Securities: {c['securities']:,} ({c['stocks']:,} stocks, {c['etfs']:,} ETFs); "
        f"by size: {_counts(c['size_buckets'], (*SIZE_ORDER, 'fund'))}",
        f"Benchmark: S&P 500, {c['benchmark_members']:,} members, from "
        f"{m['benchmark']['source']} ({m['benchmark']['file_date']}): {m['benchmark']['method']}",
        f"Funds with look-through: {c['funds_with_lookthrough']}",
        f"Risk model: {rm['form']}; {len(factors)} factors ({', '.join(factors[:4])} and "
        f"{len(factors) - 4} sectors); estimated per security: "
        f"{_counts(c['risk_model_methods'])}",
        "Factor returns: {} to {}".format(*rm["factor_returns_span"]),
        "Securities without a snapshot price (priced from the client's file): "
        + (", ".join(m["prices"]["without_price"]) or "none"),
    ]
    rates = m.get("rates")
    if rates:
        lines.append(
            f"Risk-free rate (13-week T-bill of {rates['date']}, continuous): "
            f"{pct(rates['risk_free_continuous'], 2)}"
        )
    div = m.get("dividend_yields")
    if div:
        lines.append(
            f"Dividend yields: {div['known']:,} S&P 500 members ({div['non_payers']} pay none); "
            f"S&P 500 weighted {pct(div['benchmark_yield'], 2)}; from {div['source']}"
        )
    return lines


def render(manifest: dict[str, Any], console: Console) -> None:
    m = manifest
    age = data_age(m["snapshot_date"])
    dated = (
        f"[bold yellow]{escape(age.message('rebuild the snapshot from newer data'))}[/bold yellow]"
        if age.stale
        else f"Snapshot date (prices): [bold]{m['snapshot_date']}[/bold] ({age.days} days old)"
    )
    head = Text.from_markup(
        "[bold]advisor data info[/bold]\n" + dated + "\n" + "\n".join(escape(x) for x in _facts(m))
    )
    sources = table("Sources (SHA-256, first 16 characters)", "File", "Hash", text=(0, 1))
    for k, v in m["sources"].items():
        sources.add_row(k, v[:16])
    licence = table("Licence notes", "Source", "Note", text=(0, 1))
    for k, v in m["licence_notes"].items():
        licence.add_row(k, v)
    print_parts(console, [head, sources, licence])
