"""What a hedge is made of: overlays (an ETF or a stock sold short), index futures, puts and
collars, parsed from the text an advisor writes (``SPY``, ``ES``, ``put:NVDA@85%``,
``collar:QQQ@90%/110%``), and the terms shared by the options.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from advisor.errors import AdvisorError, UsageError
from advisor.market.snapshot import Market
from advisor.scenarios.options import (
    OptionInputs,
    call_delta,
    call_price,
    put_delta,
    put_price,
)
from advisor.units import parse_money, parse_percent, parse_period

OPTION_MULTIPLIER = 100  # shares per listed equity or ETF option contract
#: Hedges sized when none is named.
DEFAULT_INSTRUMENTS = ("SPY", "QQQ", "put:SPY", "collar:SPY")


class InstrumentKind(StrEnum):
    OVERLAY = "overlay"  # an ETF or a stock sold short
    FUTURE = "future"  # index futures sold
    PUT = "put"  # protective puts bought
    COLLAR = "collar"  # puts bought, calls sold


@dataclass(frozen=True)
class Future:
    """An index future: contract value = index level x multiplier; the ETF stands in for risk."""

    symbol: str
    name: str
    multiplier: float
    proxy: str
    index_per_share: float  # index level / ETF price, to estimate the level from the ETF


#: Index levels per ETF share from published closes of 2024-12-31: S&P 500 5,881.63 / SPY 586.08
#: and Nasdaq-100 21,012.17 / QQQ 511.23. The ratio drifts slowly (fees, dividend timing), so a
#: contract count from it is an estimate; ``--price ES=...`` gives the exact quote.
FUTURES = {
    "ES": Future("ES", "E-mini S&P 500", 50.0, "SPY", 10.036),
    "MES": Future("MES", "Micro E-mini S&P 500", 5.0, "SPY", 10.036),
    "NQ": Future("NQ", "E-mini Nasdaq-100", 20.0, "QQQ", 41.10),
    "MNQ": Future("MNQ", "Micro E-mini Nasdaq-100", 2.0, "QQQ", 41.10),
}


@dataclass(frozen=True)
class Instrument:
    """What ``--with`` names: an overlay (ETF, stock or future), puts or a collar."""

    text: str
    kind: InstrumentKind
    ticker: str  # the security whose risk vector the hedge uses (a future's proxy ETF)
    future: Future | None = None
    put_strike: float | None = None  # moneyness, fraction of spot
    call_strike: float | None = None


def parse_instrument(
    text: str, market: Market, put_strike: float = 0.9, call_strike: float = 1.1
) -> Instrument:
    """``SPY``, ``ES``, ``put:SPY``, ``put:NVDA@85%``, ``collar:QQQ@90%/110%`` (strikes default
    to ``put_strike`` and ``call_strike``, fractions of spot)."""
    raw = text.strip()
    m = re.fullmatch(
        r"(?i)(put|collar):\s*([^@\s]+)\s*(?:@\s*([\d.]+%?)\s*(?:/\s*([\d.]+%?))?)?", raw
    )
    if m:
        kind = InstrumentKind(m.group(1).lower())
        ticker = _security(m.group(2), market, raw)
        ps = _moneyness(m.group(3), put_strike, raw)
        cs = _moneyness(m.group(4), call_strike, raw) if kind == "collar" else None
        if kind == "put" and m.group(4):
            raise AdvisorError(f"{raw!r}: a put has one strike", "Use collar:TICKER@90%/110%")
        if cs is not None and cs <= ps:
            raise AdvisorError(
                f"{raw!r}: the collar's call strike must be above its put strike",
                "e.g. collar:SPY@90%/110%",
            )
        return Instrument(raw, kind, ticker, put_strike=ps, call_strike=cs)
    if raw.upper() in FUTURES:
        fut = FUTURES[raw.upper()]
        return Instrument(raw.upper(), InstrumentKind.FUTURE, fut.proxy, future=fut)
    return Instrument(raw.upper(), InstrumentKind.OVERLAY, _security(raw, market, raw))


def _security(name: str, market: Market, text: str) -> str:
    ticker = market.resolve(name)
    if ticker is None:
        raise AdvisorError(
            f"hedge instrument {text!r}: {name!r} is not in the snapshot",
            "Use an ETF (SPY, QQQ, XLK, ...), a future ("
            + ", ".join(FUTURES)
            + "), a stock, or put:/collar: with one of them",
        )
    if pd.isna(market.securities.at[ticker, "price"]):
        raise AdvisorError(f"hedge instrument {text!r}: the snapshot has no price for {ticker}")
    return ticker


def _moneyness(text: str | None, default: float, raw: str) -> float:
    if text is None:
        return default
    try:
        value = parse_percent(text)
    except ValueError as exc:
        raise AdvisorError(
            f"{raw!r}: strike {text!r} is not a percentage of spot such as 90%",
            "e.g. put:SPY@90% or collar:SPY@90%/110%",
        ) from exc
    if not 0.2 <= value <= 2.0:
        raise AdvisorError(
            f"{raw!r}: strike {text} is not a plausible fraction of today's price",
            "Strikes are percentages of the spot price, e.g. 90%",
        )
    return value


@dataclass(frozen=True)
class OptionTerms:
    """Inputs shared by every option alternative.

    ``years`` to expiry (``parse_period("3m")``); ``vol`` None = the risk model's forecast for
    the underlying; ``rate`` None = the snapshot's 13-week T-bill; ``dividend_yield`` None = the
    underlying's trailing yield from the snapshot (0 where it has none); default strikes as
    fractions of spot.
    """

    years: float = 0.25
    vol: float | None = None
    rate: float | None = None
    dividend_yield: float | None = None
    put_strike: float = 0.9
    call_strike: float = 1.1

    @classmethod
    def of(cls, expiry: str | float = "3m", **kw: Any) -> OptionTerms:
        """Terms with the expiry as text (``3m``, ``6m``, ``1y``, ``45d``) or years; ``None``
        values take the defaults."""
        try:
            years = parse_period(expiry) if isinstance(expiry, str) else float(expiry)
        except ValueError as exc:
            raise UsageError(str(exc), "e.g. --expiry 3m", option="--expiry") from exc
        try:
            return cls(years=years, **{k: v for k, v in kw.items() if v is not None})
        except AdvisorError as exc:
            raise UsageError(exc.message, exc.hint) from exc

    def __post_init__(self) -> None:
        if not 0 < self.years <= 3:
            raise AdvisorError(f"option expiry {self.years:g} years: use up to 3 years")
        if self.vol is not None and not 0 < self.vol < 3:
            raise AdvisorError(f"{self.vol} is not a volatility such as 20%")
        if self.rate is not None and not -0.05 < self.rate < 0.5:
            raise AdvisorError(f"{self.rate} is not an interest rate such as 4%")
        if self.dividend_yield is not None and not 0 <= self.dividend_yield < 0.5:
            raise AdvisorError(f"{self.dividend_yield} is not a dividend yield such as 1.2%")
        if not 0.2 <= self.put_strike <= 2.0 or not 0.2 <= self.call_strike <= 2.0:
            raise AdvisorError("strikes are fractions of spot between 20% and 200%")


@dataclass(frozen=True)
class PricedOption:
    """An option position's Black-Scholes inputs and values per share of the underlying."""

    spot: float
    put_in: OptionInputs
    call_in: OptionInputs | None
    put: float
    call: float
    put_delta: float
    call_delta: float
    sources: dict[str, str]


def price_option(
    inst: Instrument, u: pd.Series, market: Market, terms: OptionTerms
) -> PricedOption:
    spot = float(market.securities.at[inst.ticker, "price"])
    vol = terms.vol if terms.vol is not None else math.sqrt(max(market.risk.variance(u), 0.0))
    rate = terms.rate if terms.rate is not None else market.risk_free_rate
    q = terms.dividend_yield
    q_source = "given"
    if q is None:
        q = market.dividend_yield(inst.ticker)
        q_source = f"{inst.ticker}'s trailing dividend yield in the snapshot"
        if q is None:
            q, q_source = 0.0, f"none known for {inst.ticker} (0 used)"
    assert inst.put_strike is not None
    put_in = OptionInputs(spot, inst.put_strike * spot, terms.years, rate, vol, q)
    call_in = None
    if inst.kind == InstrumentKind.COLLAR:
        assert inst.call_strike is not None
        call_in = OptionInputs(spot, inst.call_strike * spot, terms.years, rate, vol, q)
    return PricedOption(
        spot, put_in, call_in, put_price(put_in),
        0.0 if call_in is None else call_price(call_in),
        put_delta(put_in), 0.0 if call_in is None else call_delta(call_in),
        {
            "volatility": f"the risk model's forecast for {inst.ticker}"
            if terms.vol is None else "given",
            "rate": "13-week T-bill at the snapshot date" if terms.rate is None else "given",
            "dividend_yield": q_source,
        },
    )  # fmt: skip


def option_dict(inst: Instrument, o: PricedOption, premium: float) -> dict[str, Any]:
    return {
        "underlying": inst.ticker,
        "spot": o.spot,
        "put_strike": o.put_in.strike,
        "put_strike_fraction": inst.put_strike,
        "call_strike": None if o.call_in is None else o.call_in.strike,
        "call_strike_fraction": inst.call_strike,
        "expiry_years": o.put_in.years,
        "volatility": o.put_in.vol,
        "volatility_source": o.sources["volatility"],
        "rate": o.put_in.rate,
        "rate_source": o.sources["rate"],
        "dividend_yield": o.put_in.dividend_yield,
        "dividend_yield_source": o.sources["dividend_yield"],
        "put_price": o.put,
        "call_price": o.call if o.call_in is not None else None,
        "put_delta": o.put_delta,
        "call_delta": o.call_delta if o.call_in is not None else None,
        "contract_multiplier": OPTION_MULTIPLIER,
        "contract_notional": o.spot * OPTION_MULTIPLIER,
        "premium_fraction": premium,
    }


def future_prices(prices: dict[str, float | str] | None) -> dict[str, float]:
    """Quoted futures prices by symbol (numbers, or text such as ``6,420``)."""
    out = {}
    for k, v in (prices or {}).items():
        if k.upper() not in FUTURES:
            raise UsageError(
                f"{k!r} is not a future; quote one of {', '.join(FUTURES)}", option="--price"
            )
        try:
            level = parse_money(v)
        except ValueError as exc:
            raise UsageError(f"{k}: {exc}", "e.g. --price ES=6420", option="--price") from exc
        if level >= 1e7:
            raise UsageError(f"{k}={v!r} is not a futures price", option="--price")
        out[k.upper()] = level
    return out
