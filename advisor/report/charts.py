"""Static SVG charts for the proposal document (matplotlib, Agg backend, no display).

Colour-blind-safe (Okabe-Ito) colours of clearly different lightness (dark blue, orange, light
grey), and distinct markers on the frontier, so the charts also read in grey. No hatching: its
SVG patterns make the page slow to lay out as a PDF. Every number plotted comes from a result's ``to_dict()``: the charts compute
nothing. Text stays text in the SVG (``svg.fonttype = none``), which keeps it small and sharp.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

#: Okabe-Ito: today, the proposal, the benchmark (dark blue, orange, light grey).
TODAY, PROPOSAL, BENCHMARK = "#0072B2", "#E69F00", "#DDDDDD"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 8, "font.family": "sans-serif",
                         "svg.hashsalt": "advisor"})  # fmt: skip
    return plt


def _svg(fig: Any, key: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prologue or metadata, no fixed pixel
    size, and its ids prefixed with ``key`` so that several charts share one page."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    text = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", text, count=1)
    text = re.sub(r'(id="|url\(#|href="#)', rf"\1{key}-", text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{key} chart" class="chart" ', 1)


def bars(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], xlabel: str, key: str
) -> str:
    """Horizontal grouped bars, in percent: one group per label, one bar per series."""
    plt = _pyplot()
    n, k = len(labels), len(series)
    fig, ax = plt.subplots(figsize=(6.6, 0.09 * n * k + 0.9))
    height = 0.8 / k
    colours = (TODAY, PROPOSAL, BENCHMARK)
    for j, (name, values) in enumerate(series):
        ys = [i + (j - (k - 1) / 2) * height for i in range(n)]
        ax.barh(ys, [100 * v for v in values], height, label=name, color=colours[j % 3],
                edgecolor="black", linewidth=0.4)  # fmt: skip
    ax.set_yticks(range(n), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    out = _svg(fig, key)
    plt.close(fig)
    return out


def frontier(f: dict[str, Any], proposal: tuple[float, float] | None) -> str:
    """The frontier (``Frontier.to_dict()``) with today and the proposal marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.6, 3.6))
    pts = f["points"]
    ax.plot([100 * p["megacap_weight"] for p in pts], [100 * p["tracking_error"] for p in pts],
            "o-", color=TODAY, markersize=4, label="least tracking error at each megacap weight")  # fmt: skip
    cur = f["current"]
    ax.plot([100 * cur["megacap_weight"]], [100 * cur["tracking_error"]], "s", color="black",
            markersize=8, label="today")  # fmt: skip
    if proposal is not None:
        ax.plot([100 * proposal[0]], [100 * proposal[1]], "D", color=PROPOSAL, markersize=8,
                markeredgecolor="black", label="the proposal")  # fmt: skip
    ax.axvline(100 * f["benchmark_megacap_weight"], color="grey", ls="--", lw=1,
               label="S&P 500 megacap weight")  # fmt: skip
    ax.set_xlabel("Megacap weight, seen through the funds (% of the portfolio)")
    ax.set_ylabel("Tracking error vs benchmark (% a year)")
    ax.invert_xaxis()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    out = _svg(fig, "frontier")
    plt.close(fig)
    return out
