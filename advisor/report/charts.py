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
SVG, XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
RC: Any = {"svg.fonttype": "none", "font.size": 8, "font.family": "sans-serif",
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
    """The figure as an inline ``<svg>`` element (:func:`_slim`), with no fixed pixel size and
    an accessible name."""
    from xml.etree import ElementTree as ET

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    root = ET.fromstring(buf.getvalue())
    _slim(root, key)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.attrib.update({"xmlns": SVG, "role": "img", "aria-label": f"{key} chart",
                        "class": "chart"})  # fmt: skip
    return ET.tostring(root, encoding="unicode")


def _slim(root: Any, key: str) -> None:
    """Matplotlib's SVG made lighter to lay out (WeasyPrint draws it node by node; about 0.15 s
    less per document) and fit to share a page: the metadata dropped; groups that carry only an
    id unwrapped (half the elements); ``style`` declarations written as presentation attributes
    (no CSS to parse per element; the ``*`` rule of its style sheet on the root, whence they
    inherit as before); tags without a namespace prefix; the text in the document's typeface; ``xlink:href`` as ``href``; and
    every id prefixed with ``key``, so that several charts share one page."""
    _unwrap(root, root)
    for el in root.iter():
        el.tag = el.tag.removeprefix(f"{{{SVG}}}")  # written unprefixed, xmlns on the root
        for part in el.attrib.pop("style", "").split(";"):
            name, _, value = part.partition(":")
            if value.strip():
                el.set(name.strip(), value.strip())
        if "font-family" in el.attrib:
            el.set("font-family", f"'{FAMILY}', 'DejaVu Sans', sans-serif")
        if f"{{{XLINK}}}href" in el.attrib:
            el.set("href", el.attrib.pop(f"{{{XLINK}}}href"))
        for name, value in el.attrib.items():
            if name == "id":
                el.set(name, f"{key}-{value}")
            elif name == "href" and value.startswith("#"):
                el.set(name, f"#{key}-{value[1:]}")
            elif "url(#" in value:
                el.set(name, value.replace("url(#", f"url(#{key}-"))


def _unwrap(el: Any, root: Any) -> None:
    """Depth first: drop ``el``'s metadata, style sheet and empty defs; put the children of its
    id-only groups in their place."""
    kept = []
    for child in el:
        _unwrap(child, root)
        tag = child.tag.removeprefix(f"{{{SVG}}}")
        if tag == "metadata" or (tag == "style" and _root_style(root, child.text or "")):
            continue
        if tag == "defs" and len(child) == 0:
            continue
        if tag == "g" and set(child.attrib) <= {"id"}:
            kept.extend(child)
        else:
            kept.append(child)
    el[:] = kept


def _root_style(root: Any, css: str) -> bool:
    """Matplotlib's one-rule style sheet (``*{stroke-linejoin: round; ...}``) as attributes of
    the root, which every element inherits unless it says otherwise; False for anything else."""
    rule = re.fullmatch(r"\s*\*\s*\{([^{}]*)\}\s*", css)
    if rule is None:
        return False
    for part in rule[1].split(";"):
        name, _, value = part.partition(":")
        if value.strip():
            root.set(name.strip(), value.strip())
    return True


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
