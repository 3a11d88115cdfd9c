"""``advisor data info``: the snapshot's dates, counts, sources and licence notes, in plain words."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from advisor.report.table import print_parts, table


def _counts(mapping: dict[str, Any]) -> str:
    """``{'mega': 23, 'large': 480}`` as ``mega 23, large 480``."""
    return ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in mapping.items())


def render(manifest: dict[str, Any], console: Console) -> None:
    m = manifest
    c = m["counts"]
    rm = m["risk_model"]
    factors = rm["factors"]
    lines = [
        f"[bold]Snapshot date (prices):[/bold] {m['snapshot_date']}",
        f"Securities: {c['securities']:,} ({c['stocks']:,} stocks, {c['etfs']:,} ETFs); "
        f"by size: {_counts(c['size_buckets'])}",
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
    sources = table("Sources (SHA-256, first 16 characters)", "File", "Hash")
    for k, v in m["sources"].items():
        sources.add_row(k, v[:16])
    notes = table("Licence notes", "Source", "Note")
    for k, v in m["licence_notes"].items():
        notes.add_row(k, v)
    print_parts(console, [Text.from_markup("\n".join(lines)), sources, notes])
