"""Black-Scholes against put-call parity, a textbook value and finite-difference deltas."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import AdvisorError
from advisor.scenarios.options import OptionInputs, call_delta, call_price, put_delta, put_price


def test_textbook_value() -> None:
    """Hull, Options, Futures and Other Derivatives: S=42, K=40, r=10 %, sigma=20 %, T=0.5
    gives a call of 4.76 and a put of 0.81."""
    o = OptionInputs(spot=42, strike=40, years=0.5, rate=0.10, vol=0.20)
    assert call_price(o) == pytest.approx(4.7594, abs=5e-5)
    assert put_price(o) == pytest.approx(0.8086, abs=5e-5)


@given(
    spot=st.floats(20, 2000),
    moneyness=st.floats(0.5, 1.5),
    years=st.floats(0.02, 3),
    rate=st.floats(-0.01, 0.08),
    vol=st.floats(0.05, 1.0),
    q=st.floats(0, 0.05),
)
def test_put_call_parity(
    spot: float, moneyness: float, years: float, rate: float, vol: float, q: float
) -> None:
    o = OptionInputs(spot, spot * moneyness, years, rate, vol, q)
    parity = spot * math.exp(-q * years) - o.strike * math.exp(-rate * years)
    assert call_price(o) - put_price(o) == pytest.approx(parity, abs=1e-9 * spot)
    assert put_price(o) >= -1e-12 and call_price(o) >= -1e-12


def test_deltas_match_finite_differences() -> None:
    o = OptionInputs(100, 90, 0.25, 0.04, 0.2, 0.01)
    eps = 1e-4
    up = OptionInputs(100 + eps, 90, 0.25, 0.04, 0.2, 0.01)
    down = OptionInputs(100 - eps, 90, 0.25, 0.04, 0.2, 0.01)
    assert put_delta(o) == pytest.approx((put_price(up) - put_price(down)) / (2 * eps), rel=1e-6)
    assert call_delta(o) == pytest.approx((call_price(up) - call_price(down)) / (2 * eps), rel=1e-6)


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(AdvisorError, match="vol"):
        OptionInputs(100, 90, 0.25, 0.04, 0.0)
    with pytest.raises(AdvisorError, match="years"):
        OptionInputs(100, 90, -1, 0.04, 0.2)
