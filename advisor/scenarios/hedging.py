"""``hedge()``: overlays, protective puts and collars for a client's portfolio, beside a rebalance.

All risk is the snapshot's factor model, on the same look-through vectors ``analyze`` uses. With
the portfolio ``w``, the benchmark ``b``, the instrument's unit vector ``u`` and the hedged
exposure ``e`` (the whole portfolio, its megacap part, or one company's position), the hedge
ratio ``h`` (short notional per unit of portfolio value) is

* ``beta``: ``h = e'S b / u'S b`` -- the target's benchmark beta over the instrument's, so that
  hedging the whole portfolio leaves its beta at zero;
* ``min-variance``: ``h = e'S u / u'S u`` -- the regression of the target on the instrument,
  which minimises the variance of ``e - h u``;
* ``min-tracking-error``: ``h = (w - b)'S u / u'S u`` -- the overlay that brings the whole
  portfolio closest to the benchmark (the target does not enter).

Overlays are shorts of an ETF (shares) or of index futures (contracts; the contract moves with its
index, proxied by the index's ETF). Puts and collars are sized by the beta ratio, priced by
Black-Scholes (:mod:`advisor.scenarios.options`), and their risk after the hedge is the delta-equivalent
short. Under a scenario, an overlay earns ``-h r_u``; an option position is worth its payoff at
expiry as if the scenario's move had happened by then, less the premium paid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis
from advisor.errors import AdvisorError
from advisor.market.lookthrough import risk_vector, unit_vector
from advisor.market.snapshot import Market, RiskModel
from advisor.scenarios.options import (
    OptionInputs,
    call_delta,
    call_payoff,
    call_price,
    put_delta,
    put_payoff,
    put_price,
)
from advisor.scenarios.whatif import WhatIf

if TYPE_CHECKING:
    from advisor.optimize.proposal import Proposal

METHODS = ("beta", "min-variance", "min-tracking-error")
TARGETS = ("portfolio", "megacaps")
OPTION_MULTIPLIER = 100  # shares per listed equity or ETF option contract


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
    kind: str  # overlay | future | put | collar
    ticker: str  # the security whose risk vector the hedge uses (a future's proxy ETF)
    future: Future | None = None
    put_strike: float | None = None  # moneyness, fraction of spot
    call_strike: float | None = None


def parse_instrument(
    text: str, market: Market, put_strike: float, call_strike: float
) -> Instrument:
    """``SPY``, ``ES``, ``put:SPY``, ``put:NVDA@85%``, ``collar:QQQ@90%/110%``."""
    raw = text.strip()
    m = re.fullmatch(
        r"(?i)(put|collar):\s*([^@\s]+)\s*(?:@\s*([\d.]+%?)\s*(?:/\s*([\d.]+%?))?)?", raw
    )
    if m:
        kind = m.group(1).lower()
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
        return Instrument(raw.upper(), "future", fut.proxy, future=fut)
    return Instrument(raw.upper(), "overlay", _security(raw, market, raw))


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
    value = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    if not 0.2 <= value <= 2.0:
        raise AdvisorError(
            f"{raw!r}: strike {text} is not a plausible fraction of today's price",
            "Strikes are percentages of the spot price, e.g. 90%",
        )
    return value


@dataclass(frozen=True)
class OptionTerms:
    """Inputs shared by every option alternative (``vol`` None = the model's forecast)."""

    years: float = 0.25
    vol: float | None = None
    rate: float | None = None  # None = the snapshot's T-bill rate
    dividend_yield: float = 0.0


@dataclass(frozen=True, eq=False)
class Hedge:
    """One hedging alternative, sized and measured.

    ``ratio`` is the hedge's notional per unit of portfolio value (positive: protection, i.e. a
    short overlay or long puts); ``notional`` is signed money (negative = short exposure).
    After-hedge figures use the whole-share (or whole-contract) ``units`` when the account value
    is known, else the exact ratio.
    """

    instrument: str
    kind: str
    method: str
    target: str
    ratio: float
    ratio_rounded: float
    notional: float | None
    units: int | None
    unit: str  # shares | contracts
    unit_price: float  # money per share, or per contract (index level x multiplier)
    volatility_after: float
    beta_after: float
    tracking_error_after: float
    cost: float | None  # money (trading cost, or net premium)
    cost_fraction: float
    scenario_returns: dict[str, float]  # hedged portfolio return per scenario
    option: dict | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class HedgeReport:
    """Everything ``advisor hedge`` reports."""

    before: Analysis
    whatif: WhatIf  # the scenarios on the current (and proposed) portfolio
    hedges: list[Hedge]
    target: str
    cost_bps: float
    notes: list[str] = field(default_factory=list)

    @property
    def proposal(self) -> Proposal | None:
        return self.whatif.proposal


@dataclass(frozen=True, eq=False)
class _Setup:
    model: RiskModel
    w: pd.Series
    b: pd.Series
    sb: pd.Series
    var_b: float
    total: float | None


def _target_vector(target: str, w: pd.Series, market: Market, mega: set[str]) -> pd.Series:
    if target == "portfolio":
        return w
    company = market.company_of(w.index)
    if target == "megacaps":
        return w[company.isin(list(mega)).to_numpy()]
    return w[(company == target).to_numpy()]


def _cov(model: RiskModel, x: pd.Series, y: pd.Series) -> float:
    return float(x @ model.covariance_times(y).reindex(x.index))


def _after(s: _Setup, hedge_vec: pd.Series) -> tuple[float, float, float]:
    """(volatility, beta, tracking error) of the portfolio minus ``hedge_vec``."""
    model = s.model
    wh = s.w.sub(hedge_vec, fill_value=0.0)
    vol = math.sqrt(max(model.variance(wh), 0.0))
    beta = float(wh @ s.sb.reindex(wh.index).fillna(0.0)) / s.var_b
    a = wh.sub(s.b, fill_value=0.0)
    te = math.sqrt(max(model.variance(a), 0.0))
    return vol, beta, te


def hedge(
    before: Analysis,
    instruments: Sequence[Instrument],
    market: Market,
    whatif: WhatIf,
    *,
    target: str = "portfolio",
    methods: Sequence[str] = METHODS,
    terms: OptionTerms = OptionTerms(),
    cost_bps: float = 5.0,
    prices: dict[str, float] | None = None,
    benchmark: str | None = None,
) -> HedgeReport:
    """Size and measure each instrument's hedge of ``before`` (see the module notes)."""
    model = market.risk
    w = risk_vector(before.lookthrough, before.positions["weight"])
    b = market.benchmark_weights(benchmark)
    sb = model.covariance_times(b)
    s = _Setup(model, w, b, sb, float(b @ sb.reindex(b.index)), before.total_value)
    mega = market.megacap_companies(list(before.megacap_tickers))
    prices = {k.upper(): v for k, v in (prices or {}).items()}
    hedges: list[Hedge] = []
    notes: list[str] = []
    for inst in instruments:
        u = unit_vector(inst.ticker, market)
        if inst.kind in ("put", "collar"):
            hedges.append(_option_hedge(inst, u, s, market, mega, target, terms, whatif))
            continue
        # a stock hedges the client's own position in it: the regression ratio is the position
        is_stock = not bool(market.securities.at[inst.ticker, "is_etf"])
        for method in ("min-variance",) if is_stock else methods:
            hedges.append(
                _overlay(inst, u, method, s, market, mega, target, whatif, cost_bps, prices)
            )
    if any(h.kind == "future" for h in hedges):
        notes.append(
            "futures are modelled by their index ETF (SPY for ES/MES, QQQ for NQ/MNQ): the "
            "contract's basis and financing are left out"
        )
    notes.append(
        "overlays and options are measured as held to the scenario's end; option values use "
        "the payoff at expiry, as if each scenario's move had happened by then"
    )
    return HedgeReport(before, whatif, hedges, target, cost_bps, notes)


def _company_target(inst: Instrument, target: str, market: Market) -> str:
    """A stock instrument hedges the client's position in that company."""
    if bool(market.securities.at[inst.ticker, "is_etf"]):
        return target
    return str(market.company_of(pd.Index([inst.ticker])).iloc[0])


def _exposure(
    inst: Instrument, target: str, s: _Setup, market: Market, mega: set[str], verb: str
) -> tuple[str, pd.Series]:
    """(target, the exposure it names) for an instrument; an error when there is none."""
    tgt = _company_target(inst, target, market)
    e = _target_vector(tgt, s.w, market, mega)
    if e.abs().sum() == 0:
        raise AdvisorError(
            f"{inst.text}: the portfolio has no {_target_label(tgt, inst)} exposure to {verb}"
        )
    return tgt, e


def _target_label(target: str, inst: Instrument) -> str:
    return target if target in TARGETS else f"{inst.ticker} position"


def _ratio(method: str, s: _Setup, e: pd.Series, u: pd.Series) -> float:
    model = s.model
    if method == "beta":
        denom = _cov(model, u, s.b)
        return _cov(model, e, s.b) / denom if denom else float("nan")
    var_u = _cov(model, u, u)
    if method == "min-variance":
        return _cov(model, e, u) / var_u
    active = s.w.sub(s.b, fill_value=0.0)
    return _cov(model, active, u) / var_u


def _scenario_unit_return(whatif: WhatIf, u: pd.Series) -> dict[str, float]:
    return {
        r.name: float(u @ r.move.returns.reindex(u.index, fill_value=0.0)) for r in whatif.results
    }


def _overlay(
    inst: Instrument,
    u: pd.Series,
    method: str,
    s: _Setup,
    market: Market,
    mega: set[str],
    target: str,
    whatif: WhatIf,
    cost_bps: float,
    prices: dict[str, float],
) -> Hedge:
    tgt, e = _exposure(inst, target, s, market, mega, "hedge")
    h = _ratio(method, s, e, u)
    etf_price = float(market.securities.at[inst.ticker, "price"])
    notes = []
    if inst.future is not None:
        fut = inst.future
        level = prices.get(fut.symbol)
        if level is None:
            level = etf_price * fut.index_per_share
            notes.append(
                f"{fut.symbol} price estimated at {level:,.2f} ({fut.proxy} {etf_price:,.2f} x "
                f"{fut.index_per_share}); give the quote with --price {fut.symbol}=LEVEL"
            )
        unit_price, unit = level * fut.multiplier, "contracts"
    else:
        unit_price, unit = etf_price, "shares"
    units, h_used = _round(h, unit_price, s.total)
    if units is not None and abs(h_used - h) > 0.1 * abs(h):
        micro = {"ES": "MES", "NQ": "MNQ"}.get(inst.text, "")
        notes.append(
            f"{inst.text}: whole {unit} move the ratio from {h:.3f} to {h_used:.3f}"
            + (f"; the micro contract {micro} sizes more finely" if micro else "")
        )
    units = None if units is None else -units  # a short overlay sells
    vol, beta, te = _after(s, u * h_used)
    notional = None if s.total is None else -h_used * s.total + 0.0
    cost_frac = abs(h_used) * cost_bps / 1e4
    unit_ret = _scenario_unit_return(whatif, u)
    scen = {r.name: r.current.ret - h_used * unit_ret[r.name] for r in whatif.results}
    return Hedge(
        instrument=inst.text,
        kind=inst.kind,
        method=method,
        target="portfolio" if method == "min-tracking-error" else _target_label(tgt, inst),
        ratio=h,
        ratio_rounded=h_used,
        notional=notional,
        units=units,
        unit=unit,
        unit_price=unit_price,
        volatility_after=vol,
        beta_after=beta,
        tracking_error_after=te,
        cost=None if s.total is None else cost_frac * s.total,
        cost_fraction=cost_frac,
        scenario_returns=scen,
        notes=notes,
    )


def _round(h: float, unit_price: float, total: float | None) -> tuple[int | None, float]:
    """Whole units of a hedge ratio and the ratio they amount to (exact without a value)."""
    if total is None or not np.isfinite(h):
        return None, h
    units = int(round(h * total / unit_price))
    return units, units * unit_price / total


def _option_hedge(
    inst: Instrument,
    u: pd.Series,
    s: _Setup,
    market: Market,
    mega: set[str],
    target: str,
    terms: OptionTerms,
    whatif: WhatIf,
) -> Hedge:
    tgt, e = _exposure(inst, target, s, market, mega, "protect")
    h = _ratio("beta", s, e, u)
    if not h > 0:
        raise AdvisorError(
            f"{inst.text}: the {_target_label(tgt, inst)} has no positive beta to {inst.ticker}, "
            "so puts on it protect nothing"
        )
    spot = float(market.securities.at[inst.ticker, "price"])
    model_vol = math.sqrt(max(market.risk.variance(u), 0.0))
    vol = terms.vol if terms.vol is not None else model_vol
    rate = terms.rate if terms.rate is not None else market.risk_free_rate
    assert inst.put_strike is not None
    put_in = OptionInputs(
        spot, inst.put_strike * spot, terms.years, rate, vol, terms.dividend_yield
    )
    put = put_price(put_in)
    delta = put_delta(put_in)
    call = call_d = 0.0
    call_in = None
    if inst.kind == "collar":
        assert inst.call_strike is not None
        call_in = OptionInputs(
            spot, inst.call_strike * spot, terms.years, rate, vol, terms.dividend_yield
        )
        call, call_d = call_price(call_in), call_delta(call_in)
    contract_value = spot * OPTION_MULTIPLIER
    units, h_used = _round(h, contract_value, s.total)
    # per unit of portfolio value: h_used of the underlying's notional is protected
    net_premium = h_used * (put - call) / spot
    delta_equiv = h_used * (-delta + call_d)  # short-equivalent fraction of the underlying
    vol_after, beta_after, te_after = _after(s, u * delta_equiv)
    unit_ret = _scenario_unit_return(whatif, u)
    scen = {}
    for r in whatif.results:
        s1 = spot * (1.0 + unit_ret[r.name])
        payoff = put_payoff(s1, put_in.strike)
        if call_in is not None:
            payoff -= call_payoff(s1, call_in.strike)
        scen[r.name] = r.current.ret + h_used * payoff / spot - net_premium
    vol_source = f"the risk model's forecast for {inst.ticker}" if terms.vol is None else "given"
    option = {
        "underlying": inst.ticker,
        "spot": spot,
        "put_strike": put_in.strike,
        "put_strike_fraction": inst.put_strike,
        "call_strike": None if call_in is None else call_in.strike,
        "call_strike_fraction": inst.call_strike,
        "expiry_years": terms.years,
        "volatility": vol,
        "volatility_source": vol_source,
        "rate": rate,
        "rate_source": "13-week T-bill at the snapshot date" if terms.rate is None else "given",
        "dividend_yield": terms.dividend_yield,
        "put_price": put,
        "call_price": call if call_in is not None else None,
        "put_delta": delta,
        "call_delta": call_d if call_in is not None else None,
        "contract_multiplier": OPTION_MULTIPLIER,
        "premium_fraction": net_premium,
    }
    notes = [
        f"Black-Scholes estimate at {vol:.1%} volatility ({vol_source}); quoted out-of-the-money "
        "puts usually trade at a higher implied volatility (skew), so expect to pay more"
    ]
    return Hedge(
        instrument=inst.text,
        kind=inst.kind,
        method="beta",
        target=_target_label(tgt, inst),
        ratio=h,
        ratio_rounded=h_used,
        notional=None if s.total is None else -h_used * s.total,
        units=units,
        unit="contracts",
        unit_price=contract_value,
        volatility_after=vol_after,
        beta_after=beta_after,
        tracking_error_after=te_after,
        cost=None if s.total is None else net_premium * s.total,
        cost_fraction=net_premium,
        scenario_returns=scen,
        option=option,
        notes=notes,
    )
