"""The document's SVG charts: round ticks inside the range, numbers as a reader writes them,
every bar and label drawn, well-formed SVG, text escaped."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.report import charts

SVG = "{http://www.w3.org/2000/svg}"


@given(st.floats(-500, 500), st.floats(0.01, 1000))
@settings(max_examples=300, deadline=None)
def test_ticks_are_round_and_inside_the_range(lo: float, span: float) -> None:
    hi = lo + span
    values, step = charts.ticks(lo, hi)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-9
    assert 2 <= len(values) <= 13
    assert all(lo - 1e-9 * span <= v <= hi + 1e-9 * span for v in values)
    assert all(b - a == pytest.approx(step) for a, b in zip(values, values[1:], strict=False))


@pytest.mark.parametrize(("value", "step", "text"), [
    (-40.0, 20.0, "\u221240"), (0.0, 20.0, "0"), (2.5, 2.5, "2.5"), (7.5, 2.5, "7.5"),
    (0.25, 0.25, "0.25"), (10.0, 5.0, "10"), (-0.0, 0.5, "0.0"), (1.0, 0.2, "1.0"),
])  # fmt: skip
def test_tick_labels(value: float, step: float, text: str) -> None:
    assert charts.tick_label(value, step) == text


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox") or "")
    return root


def test_bars_draw_every_value_and_label() -> None:
    labels = ["Energy", "Information Technology", "Cash <& co>"]
    series = [("today", [0.05, 0.55, 0.0]), ("the proposal", [0.03, 0.38, 0.02]),
              ("benchmark", [0.04, 0.36, 0.0])]  # fmt: skip
    root = _parse(charts.bars(labels, series, "Weight (%)", "sectors"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert set(labels) <= set(texts) and {"today", "the proposal", "benchmark"} <= set(texts)
    assert "Weight (%)" in texts
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") != "7"]  # not legend keys
    assert len(bars) == 7  # nine values, two of them zero (nothing drawn)
    widths = sorted(float(r.get("width")) for r in bars)
    assert widths[-1] / widths[0] == pytest.approx(0.55 / 0.02, rel=1e-2)  # to scale


def test_bars_with_losses_have_a_zero_line_and_minus_signs() -> None:
    root = _parse(charts.bars(["sell-off", "rally"], [("today", [-0.28, 0.05])],
                              "Return (%)", "scenarios"))  # fmt: skip
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("\u2212") for t in texts)  # negative ticks, with a true minus
    assert "0" in texts


def test_a_very_long_label_is_cut_not_the_plot() -> None:
    long = "An extraordinarily long scenario name " * 4
    root = _parse(charts.bars([long, "short"], [("today", [0.1, 0.2])], "x", "k"))
    label = next(t.text for t in root.iter(f"{SVG}text") if (t.text or "").startswith("An"))
    assert label.endswith("\u2026") and len(label) < len(long)


def test_frontier_marks_today_the_proposal_and_the_benchmark() -> None:
    f = {"points": [{"megacap_weight": w, "tracking_error": te}
                    for w, te in [(0.38, 0.027), (0.2, 0.05), (0.0, 0.088)]],
         "current": {"megacap_weight": 0.8, "tracking_error": 0.105},
         "benchmark_megacap_weight": 0.33, "benchmark": "S&P 500"}  # fmt: skip
    root = _parse(charts.frontier(f, (0.33, 0.03)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"today", "the proposal", "S&P 500 megacap weight"} <= set(texts)
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1  # the points, and the legend's
    assert len(list(root.iter(f"{SVG}polygon"))) == 2  # the proposal, and the legend's
    without = _parse(charts.frontier(f, None))
    assert "the proposal" not in [t.text for t in without.iter(f"{SVG}text")]


def test_one_series_and_no_series() -> None:
    _parse(charts.bars(["a", "b"], [("today", [0.1, -0.1])], "x", "one"))
    _parse(charts.bars(["a"], [], "x", "none"))  # nothing to draw: an empty, valid chart
    _parse(charts.bars(["a", "b"], [("today", [0.0, 0.0])], "x", "zeros"))
    f = {"points": [], "current": {"megacap_weight": 0.3, "tracking_error": 0.0},
         "benchmark_megacap_weight": 0.3, "benchmark": "S&P 500"}  # fmt: skip
    _parse(charts.frontier(f, None))  # one point, on the benchmark: still a valid chart
