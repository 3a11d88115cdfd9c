"""Black-Scholes-Merton prices of European options, for protective puts and collars.

With spot ``S``, strike ``K``, years to expiry ``T``, continuously compounded risk-free rate
``r``, continuous dividend yield ``q`` and volatility ``sigma``:

    d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T),   d2 = d1 - sigma sqrt T
    call = S e^{-qT} N(d1) - K e^{-rT} N(d2)
    put  = K e^{-rT} N(-d2) - S e^{-qT} N(-d1)

so that ``call - put = S e^{-qT} - K e^{-rT}`` (put-call parity). Listed index and stock options
are American-style for ETFs and single stocks; for the puts advisors buy (out of the money,
months to expiry, modest dividends) the early-exercise premium is small, and the European value
is stated as an estimate, not a quote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from advisor.errors import AdvisorError

_N = NormalDist()


@dataclass(frozen=True)
class OptionInputs:
    spot: float
    strike: float
    years: float
    rate: float
    vol: float
    dividend_yield: float = 0.0

    def __post_init__(self) -> None:
        for name in ("spot", "strike", "years", "vol"):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise AdvisorError(f"option {name} must be positive, got {value!r}")

    def d1_d2(self) -> tuple[float, float]:
        s = self.vol * math.sqrt(self.years)
        d1 = (
            math.log(self.spot / self.strike)
            + (self.rate - self.dividend_yield + 0.5 * self.vol**2) * self.years
        ) / s
        return d1, d1 - s


def put_price(o: OptionInputs) -> float:
    """European put value per unit of the underlying."""
    d1, d2 = o.d1_d2()
    return o.strike * math.exp(-o.rate * o.years) * _N.cdf(-d2) - o.spot * math.exp(
        -o.dividend_yield * o.years
    ) * _N.cdf(-d1)


def call_price(o: OptionInputs) -> float:
    """European call value per unit of the underlying."""
    d1, d2 = o.d1_d2()
    return o.spot * math.exp(-o.dividend_yield * o.years) * _N.cdf(d1) - o.strike * math.exp(
        -o.rate * o.years
    ) * _N.cdf(d2)


def put_delta(o: OptionInputs) -> float:
    """dPut/dS (negative)."""
    d1, _ = o.d1_d2()
    return -math.exp(-o.dividend_yield * o.years) * _N.cdf(-d1)


def call_delta(o: OptionInputs) -> float:
    """dCall/dS (positive)."""
    d1, _ = o.d1_d2()
    return math.exp(-o.dividend_yield * o.years) * _N.cdf(d1)


def put_payoff(spot_at_expiry: float, strike: float) -> float:
    return max(strike - spot_at_expiry, 0.0)


def call_payoff(spot_at_expiry: float, strike: float) -> float:
    return max(spot_at_expiry - strike, 0.0)
