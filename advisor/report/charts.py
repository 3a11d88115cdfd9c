"""Static SVG charts for the proposal document, written directly as SVG elements.

Two kinds: grouped horizontal bars (sectors, scenarios) and the frontier (a line of points with
today, the proposal and the benchmark's megacap weight marked). Colour-blind-safe (Okabe-Ito)
colours of clearly different lightness (dark blue, orange, light grey), black outlines and
distinct markers, so the charts also read in grey. Every number plotted comes from a result's
``to_dict()``: the charts compute nothing but their own layout. Text stays text, in the
document's embedded typeface, measured with its advance widths
(:func:`advisor.report.typeface.text_width`), so labels never collide or get cut.

Why not matplotlib, which drew these charts before: importing it and drawing three figures took
0.6-0.7 s of a report's 3 s budget (issue 12), and WeasyPrint took 0.16 s to lay its SVG out
(0.10 s for these: 189 elements and 18 kB for the example's three charts, against 259 and
42 kB). The elements here are the few a chart needs (a rectangle per bar, a line per grid line
and tick, a text per label), at a hundredth of a point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from advisor.report.typeface import FAMILY, text_width

#: Okabe-Ito: today, the proposal, the benchmark (dark blue, orange, light grey).
TODAY, PROPOSAL, BENCHMARK = "#0072B2", "#E69F00", "#DDDDDD"
#: Series colours by name (the document's three series); others take TODAY.
COLOURS = {"today": TODAY, "the proposal": PROPOSAL, "benchmark": BENCHMARK}
WIDTH = 403.2  # 5.6 in, in points: the charts' own units (the page scales them to its width)
FONT, SMALL = 8.0, 7.0  # sizes of labels and of the legend, points
TICK, PAD = 3.5, 3.5  # tick length and the gap between a tick and its label
GRID, AXIS = "#B0B0B0", "#000000"
MINUS = "\u2212"


class _Svg:
    """The elements of one chart, in drawing order."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, tag: str, text: str | None = None, **attrs: Any) -> None:
        items = " ".join(f"{k.rstrip('_').replace('_', '-')}=\"{escape(_fmt(v))}\""
                         for k, v in attrs.items() if v is not None)  # fmt: skip
        self.parts.append(f"<{tag} {items}/>" if text is None
                          else f"<{tag} {items}>{escape(text, quote=False)}</{tag}>")  # fmt: skip

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: Any) -> None:
        self.add("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)

    def text(self, x: float, y: float, text: str, anchor: str = "start", size: float = FONT,
             **attrs: Any) -> None:  # fmt: skip
        """``text`` with its baseline at ``y`` (centred on ``y`` when ``middle_y`` is set)."""
        if attrs.pop("middle_y", False):
            y += 0.36 * size  # the x-height's middle, for DejaVu Sans
        self.add("text", text, x=x, y=y, font_size=size,
                 text_anchor=None if anchor == "start" else anchor, **attrs)  # fmt: skip

    def svg(self, height: float, key: str) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(WIDTH)} '
            f'{_fmt(height)}" role="img" aria-label="{key} chart" class="chart" '
            f"font-family=\"'{FAMILY}', 'DejaVu Sans', sans-serif\" fill=\"#000000\">"
        )
        return head + "".join(self.parts) + "</svg>"


def _fmt(v: Any) -> str:
    """Numbers to a hundredth of a point, without trailing zeros; anything else as text."""
    if isinstance(v, float):
        text = f"{v:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(v)


def ticks(lo: float, hi: float, target: int = 6) -> tuple[list[float], float]:
    """Round tick values inside ``[lo, hi]`` (steps of 1, 2, 2.5 or 5 times a power of ten,
    about ``target`` of them) and the step."""
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    values = [round(i * step, 10) for i in range(first, math.floor(hi / step + 1e-9) + 1)]
    return values, step


def tick_label(value: float, step: float) -> str:
    """A tick's number with the decimals its step needs (2.5 -> one), and a true minus sign."""
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
        decimals += 1
    text = f"{abs(value):.{decimals}f}"
    return (MINUS if value < 0 and float(text) != 0 else "") + text


def _fit(text: str, width: float) -> str:
    """``text``, cut with an ellipsis to fit ``width`` points (a label never eats the plot)."""
    if text_width(text, FONT) <= width:
        return text
    while text and text_width(text + "\u2026", FONT) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _range(values: Sequence[float], zero: bool) -> tuple[float, float]:
    """The axis range: the data with a 5 % margin; anchored at zero when bars start there."""
    lo, hi = min(values), max(values)
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:  # one value (or all zero): a range of its size, or of 1, around it
        span = max(abs(hi), 1.0)
        return (lo, lo + span) if zero and lo == 0 else (lo - span / 2, hi + span / 2)
    span = hi - lo
    return (lo if zero and lo == 0 else lo - 0.05 * span,
            hi if zero and hi == 0 else hi + 0.05 * span)  # fmt: skip


class _Scale:
    """Data to chart coordinates along one axis (``reverse``: largest value first)."""

    def __init__(self, lo: float, hi: float, start: float, end: float, reverse: bool = False):
        self.lo, self.hi, self.start, self.end = lo, hi, start, end
        if reverse:
            self.start, self.end = end, start

    def __call__(self, v: float) -> float:
        return self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)


def _legend(svg: _Svg, x: float, y: float, entries: Sequence[tuple[str, Any]],
            columns: int, width: float) -> float:  # fmt: skip
    """Legend entries (label, a function drawing the key at x, y) in rows of ``columns``,
    from ``x`` rightwards at ``y`` (the first row's middle); the height it took."""
    if not entries:
        return 0.0
    row, columns = SMALL * 1.9, max(1, min(columns, len(entries)))
    per = [22 + text_width(label, SMALL) + 14 for label, _ in entries]
    col = [max(per[i::columns]) for i in range(columns)]
    if sum(col) > width:  # one entry a row when they cannot share one
        columns, col = 1, [max(per)]
    for i, (label, key) in enumerate(entries):
        cx = x + sum(col[: i % columns])
        cy = y + (i // columns) * row
        key(cx, cy)
        svg.text(cx + 22, cy, label, size=SMALL, middle_y=True)
    return math.ceil(len(entries) / columns) * row


def _box(svg: _Svg, colour: str) -> Any:
    return lambda x, y: svg.add("rect", x=x, y=y - 3.5, width=14.0, height=7.0, fill=colour,
                                stroke=AXIS, stroke_width=0.4)  # fmt: skip


def _x_axis(svg: _Svg, sx: _Scale, values: list[float], step: float, top: float, bottom: float,
            label: str) -> None:  # fmt: skip
    """Vertical grid lines, the bottom axis with its ticks and numbers, and its label."""
    for v in values:
        x = sx(v)
        svg.line(x, top, x, bottom, stroke=GRID, stroke_width=0.8, stroke_opacity=0.3)
        svg.line(x, bottom, x, bottom + TICK, stroke=AXIS, stroke_width=0.8)
        svg.text(x, bottom + TICK + PAD + FONT * 0.76, tick_label(v, step), anchor="middle")
    svg.line(min(sx.start, sx.end), bottom, max(sx.start, sx.end), bottom, stroke=AXIS,
             stroke_width=0.8)  # fmt: skip
    mid = (sx.start + sx.end) / 2
    svg.text(mid, bottom + TICK + PAD + FONT * 0.76 + FONT * 1.6, label, anchor="middle")


def bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], xlabel: str,
         key: str) -> str:  # fmt: skip
    """Horizontal grouped bars, in percent: one group per label (top to bottom in the given
    order), one bar per series (coloured by the series' name: today, the proposal, benchmark),
    with a line at zero when a value is negative."""
    n, k = len(labels), max(len(series), 1)
    values = [100 * v for _, vs in series for v in vs] or [0.0]
    lo, hi = _range(values, zero=True)
    tick_values, step = ticks(lo, hi)
    svg = _Svg()
    labels = [_fit(t, 0.4 * WIDTH) for t in labels]
    left = 8 + max((text_width(t, FONT) for t in labels), default=0.0) + TICK + PAD
    right = WIDTH - 12
    legend = _legend(svg, left, 8.0, [(name, _box(svg, COLOURS.get(name, TODAY)))
                                      for name, _ in series], k, right - left)  # fmt: skip
    top = 8.0 + legend + 6
    pitch = max(5.4 * k, 10.0)  # points per group
    bottom = top + pitch * n + 4
    sx, band = _Scale(lo, hi, left, right), 0.8 * pitch / k
    _x_axis(svg, sx, tick_values, step, top, bottom, xlabel)
    x0 = sx(0.0)
    for i, label in enumerate(labels):
        mid = top + 2 + pitch * (i + 0.5)
        for j, (name, vs) in enumerate(series):
            v = 100 * vs[i]
            if abs(sx(v) - x0) < 0.05:  # nothing to see; its outline would thicken the axis
                continue
            y = mid - 0.4 * pitch + j * band
            svg.add("rect", x=min(x0, sx(v)), y=y, width=abs(sx(v) - x0), height=band,
                    fill=COLOURS.get(name, TODAY), stroke=AXIS, stroke_width=0.4)  # fmt: skip
        svg.line(left - TICK, mid, left, mid, stroke=AXIS, stroke_width=0.8)
        svg.text(left - TICK - PAD, mid, label, anchor="end", middle_y=True)
    svg.line(left, top, left, bottom, stroke=AXIS, stroke_width=0.8)
    if lo < 0 < hi:
        svg.line(x0, top, x0, bottom, stroke=AXIS, stroke_width=0.6)
    return svg.svg(bottom + TICK + PAD + FONT * 2.6 + 6, key)


def _marker(svg: _Svg, shape: str, x: float, y: float, size: float, fill: str,
            edge: str) -> None:  # fmt: skip
    """A marker ``size`` points across: circle, square or diamond."""
    h = size / 2
    if shape == "circle":
        svg.add("circle", cx=x, cy=y, r=h, fill=fill, stroke=edge, stroke_width=0.8)
    elif shape == "square":
        svg.add("rect", x=x - h, y=y - h, width=size, height=size, fill=fill, stroke=edge,
                stroke_width=0.8)  # fmt: skip
    else:
        points = (
            f"{_fmt(x)},{_fmt(y - h * 1.2)} {_fmt(x + h)},{_fmt(y)} "
            f"{_fmt(x)},{_fmt(y + h * 1.2)} {_fmt(x - h)},{_fmt(y)}"
        )
        svg.add("polygon", points=points, fill=fill, stroke=edge, stroke_width=0.8)


def frontier(f: dict[str, Any], proposal: tuple[float, float] | None) -> str:
    """The frontier (``Frontier.to_dict()``) with today and (when given) the proposal marked;
    megacap weight falls from left to right, the benchmark's is a dashed line."""
    pts = [(100 * p["megacap_weight"], 100 * p["tracking_error"]) for p in f["points"]]
    cur = (100 * f["current"]["megacap_weight"], 100 * f["current"]["tracking_error"])
    prop = None if proposal is None else (100 * proposal[0], 100 * proposal[1])
    bench = 100 * f["benchmark_megacap_weight"]
    marked = [*pts, cur, *([prop] if prop else [])]
    x_lo, x_hi = _range([p[0] for p in marked] + [bench], zero=False)
    y_lo, y_hi = _range([p[1] for p in marked], zero=True)
    xt, x_step = ticks(x_lo, x_hi)
    yt, y_step = ticks(y_lo, y_hi, target=5)
    svg = _Svg()
    y_numbers = max(text_width(tick_label(v, y_step), FONT) for v in yt)
    left = 8 + FONT * 1.4 + y_numbers + TICK + PAD
    right = WIDTH - 12
    entries = [("least tracking error at each megacap weight",
                lambda x, y: (svg.line(x, y, x + 16, y, stroke=TODAY, stroke_width=1.5),
                              _marker(svg, "circle", x + 8, y, 4, TODAY, TODAY))),
               ("today", lambda x, y: _marker(svg, "square", x + 8, y, 7, AXIS, AXIS))]  # fmt: skip
    if prop:
        entries.append(
            ("the proposal", lambda x, y: _marker(svg, "diamond", x + 8, y, 7, PROPOSAL, AXIS))
        )
    entries.append((f"{f['benchmark']} megacap weight",
                    lambda x, y: svg.line(x, y, x + 16, y, stroke="#808080", stroke_width=1,
                                          stroke_dasharray="3.7,1.6")))  # fmt: skip
    top = 8.0 + _legend(svg, left, 8.0, entries, 2, right - left) + 6
    bottom = top + 190.0
    sx = _Scale(x_lo, x_hi, left, right, reverse=True)
    sy = _Scale(y_lo, y_hi, bottom, top)
    _x_axis(
        svg,
        sx,
        xt,
        x_step,
        top,
        bottom,
        "Megacap weight, seen through the funds (% of the portfolio)",
    )
    for v in yt:
        y = sy(v)
        svg.line(left, y, right, y, stroke=GRID, stroke_width=0.8, stroke_opacity=0.3)
        svg.line(left - TICK, y, left, y, stroke=AXIS, stroke_width=0.8)
        svg.text(left - TICK - PAD, y, tick_label(v, y_step), anchor="end", middle_y=True)
    svg.line(left, top, left, bottom, stroke=AXIS, stroke_width=0.8)
    mid = (top + bottom) / 2
    svg.text(8 + FONT, mid, "Tracking error vs benchmark (% a year)", anchor="middle",
             transform=f"rotate(-90 {_fmt(8 + FONT)} {_fmt(mid)})")  # fmt: skip
    svg.line(sx(bench), top, sx(bench), bottom, stroke="#808080", stroke_width=1,
             stroke_dasharray="3.7,1.6")  # fmt: skip
    if len(pts) > 1:
        path = " ".join(f"{_fmt(sx(x))},{_fmt(sy(y))}" for x, y in pts)
        svg.add("polyline", points=path, fill="none", stroke=TODAY, stroke_width=1.5)
    for x, y in pts:
        _marker(svg, "circle", sx(x), sy(y), 4, TODAY, TODAY)
    _marker(svg, "square", sx(cur[0]), sy(cur[1]), 8, AXIS, AXIS)
    if prop:
        _marker(svg, "diamond", sx(prop[0]), sy(prop[1]), 8, PROPOSAL, AXIS)
    return svg.svg(bottom + TICK + PAD + FONT * 2.6 + 6, "frontier")
