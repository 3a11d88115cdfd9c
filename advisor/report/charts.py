"""Static SVG charts for the proposal document (matplotlib, Agg backend, no display).

Colour-blind-safe (Okabe-Ito) colours of clearly different lightness (dark blue, orange, light
grey), and distinct markers on the frontier, so the charts also read in grey. No hatching: its
SVG patterns make the page slow to lay out as a PDF. Every number plotted comes from a result's
``to_dict()``: the charts compute nothing. Text stays text in the SVG (``svg.fonttype = none``),
which keeps it small and sharp, in the document's own embedded typeface (DejaVu Sans, the font
matplotlib measures the labels with). No pyplot: a bare ``Figure`` is lighter to import.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

from advisor.report.typeface import FAMILY

#: Okabe-Ito: today, the proposal, the benchmark (dark blue, orange, light grey).
TODAY, PROPOSAL, BENCHMARK = "#0072B2", "#E69F00", "#DDDDDD"
#: Series colours by name (the document's three series); others take TODAY.
COLOURS = {"today": TODAY, "the proposal": PROPOSAL, "benchmark": BENCHMARK}
RC = {"svg.fonttype": "none", "font.size": 8, "font.family": "sans-serif",
      "font.sans-serif": ["DejaVu Sans"], "svg.hashsalt": "advisor"}  # fmt: skip


@contextlib.contextmanager
def _figure(width: float, height: float) -> Iterator[tuple[Any, Any]]:
    """A figure of ``width`` x ``height`` inches and its one axes, built under the charts' own
    settings (matplotlib's global ones are left alone), without pyplot."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        yield fig, ax


def _legend_above(ax: Any, columns: int) -> None:
    """The legend in a row above the plot, where it covers no data."""
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=columns,
              frameon=False, borderaxespad=0)  # fmt: skip


def _svg(fig: Any, key: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prologue or metadata, no fixed pixel
    size, its text in the document's typeface, and its ids prefixed with ``key`` so that
    several charts share one page."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    text = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", text, count=1)
    text = re.sub(r'(id="|url\(#|href="#)', rf"\1{key}-", text)
    text = re.sub(
        r"font-family: [^;\"]*", f"font-family: '{FAMILY}', 'DejaVu Sans', sans-serif", text
    )
    return text.replace("<svg ", f'<svg role="img" aria-label="{key} chart" class="chart" ', 1)


def bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], xlabel: str,
         key: str) -> str:  # fmt: skip
    """Horizontal grouped bars, in percent: one group per label, one bar per series (coloured
    by the series' name: today, the proposal, benchmark)."""
    n, k = len(labels), len(series)
    with _figure(5.6, 0.075 * n * k + 1.0) as (fig, ax):
        height = 0.8 / k
        for j, (name, values) in enumerate(series):
            ys = [i + (j - (k - 1) / 2) * height for i in range(n)]
            ax.barh(ys, [100 * v for v in values], height, label=name,
                    color=COLOURS.get(name, TODAY), edgecolor="black", linewidth=0.4)  # fmt: skip
        ax.set_yticks(range(n), labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        _legend_above(ax, k)
        return _svg(fig, key)


def frontier(f: dict[str, Any], proposal: tuple[float, float] | None) -> str:
    """The frontier (``Frontier.to_dict()``) with today and (when given) the proposal marked."""
    with _figure(5.6, 3.4) as (fig, ax):
        pts = f["points"]
        ax.plot([100 * p["megacap_weight"] for p in pts],
                [100 * p["tracking_error"] for p in pts], "o-", color=TODAY, markersize=4,
                label="least tracking error at each megacap weight")  # fmt: skip
        cur = f["current"]
        ax.plot([100 * cur["megacap_weight"]], [100 * cur["tracking_error"]], "s",
                color="black", markersize=8, label="today")  # fmt: skip
        if proposal is not None:
            ax.plot([100 * proposal[0]], [100 * proposal[1]], "D", color=PROPOSAL,
                    markersize=8, markeredgecolor="black", label="the proposal")  # fmt: skip
        ax.axvline(100 * f["benchmark_megacap_weight"], color="grey", ls="--", lw=1,
                   label=f"{f['benchmark']} megacap weight")  # fmt: skip
        ax.set_xlabel("Megacap weight, seen through the funds (% of the portfolio)")
        ax.set_ylabel("Tracking error vs benchmark (% a year)")
        ax.invert_xaxis()
        _legend_above(ax, 2)
        return _svg(fig, "frontier")
