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
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis
from advisor.analytics.risk import active_risk
from advisor.domain import Holdings
from advisor.errors import AdvisorError, UsageError
from advisor.market.lookthrough import risk_vector, unit_vector
from advisor.market.snapshot import (
    DEFAULT_MEGACAPS,
    Market,
    RiskModel,
    load_market,
    with_market_data,
)
from advisor.scenarios.instruments import (
    DEFAULT_INSTRUMENTS,
    OPTION_MULTIPLIER,
    Instrument,
    InstrumentKind,
    OptionTerms,
    future_prices,
    option_dict,
    parse_instrument,
    price_option,
)
from advisor.scenarios.options import call_payoff, put_payoff
from advisor.scenarios.shocks import Scenario, parse_shock
from advisor.scenarios.whatif import DEFAULT_SHOCKS, WhatIf, what_if
from advisor.units import json_money as _money
from advisor.units import json_number as _num

if TYPE_CHECKING:
    from advisor.optimize.mandate import Mandate
    from advisor.optimize.proposal import Proposal


class Method(StrEnum):
    """How an overlay is sized (see the module notes)."""

    BETA = "beta"
    MIN_VARIANCE = "min-variance"
    MIN_TRACKING_ERROR = "min-tracking-error"


METHODS = tuple(Method)
TARGETS = ("portfolio", "megacaps")
#: Scenarios a hedge is tested under when none is given.
HEDGE_SCENARIOS = ("megacap sell-off", "covid", "rates-2022")


@dataclass(frozen=True, eq=False)
class Hedge:
    """One hedging alternative, sized and measured.

    ``ratio`` is the hedge's notional per unit of portfolio value (positive: protection, i.e. a
    short overlay or long puts); ``notional`` is signed money (negative = short exposure).
    After-hedge figures use the whole-share (or whole-contract) ``units`` when the account value
    is known, else the exact ratio.
    """

    instrument: str
    kind: InstrumentKind
    method: Method
    target: str
    ratio: float
    ratio_rounded: float
    notional: float | None
    units: int | None
    unit: str  # shares | contracts
    unit_price: float  # money per unit: a share, a future's contract value, an option's premium
    volatility_after: float
    beta_after: float
    tracking_error_after: float
    cost: float | None  # money (trading cost, or net premium)
    cost_fraction: float
    scenario_returns: dict[str, float]  # hedged portfolio return per scenario
    option: dict | None = None
    notes: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)  # methods that size it identically

    @property
    def label(self) -> str:
        if self.kind in (InstrumentKind.PUT, InstrumentKind.COLLAR):
            return self.instrument
        same = "".join(f" = {m}" for m in self.same_as)
        return f"{self.instrument} {self.method}{same}"


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

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor hedge --format json`` contract)."""
        return report_dict(self)

    def to_frame(self) -> pd.DataFrame:
        """The alternatives compared: no action, the rebalance, each hedge (fractions, money)."""
        return comparison(self)


@dataclass(frozen=True, eq=False)
class _Setup:
    model: RiskModel
    w: pd.Series
    b: pd.Series
    sb: pd.Series
    var_b: float
    total: float | None
    market: Market


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
    names = wh.index.union(s.b.index)
    te = active_risk(model, names, s.b).te(wh.reindex(names, fill_value=0.0).to_numpy())
    return vol, beta, te


def hedge(
    portfolio: Holdings | Analysis | WhatIf,
    market: Market | None = None,
    instruments: Sequence[Instrument | str] | None = None,
    *,
    scenarios: Sequence[Scenario | str] | None = None,
    mandate: Mandate | None = None,
    target: str = "portfolio",
    methods: Sequence[str] = METHODS,
    terms: OptionTerms | None = None,
    cost_bps: float = 5.0,
    prices: dict[str, float | str] | None = None,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
) -> HedgeReport:
    """Size and measure hedges of a portfolio, side by side with a rebalance, under scenarios.

    Parameters
    ----------
    portfolio : Holdings, Analysis or WhatIf
        The client's holdings, their analysis, or a what-if run to reuse (its scenarios and
        proposal).
    instruments : sequence of Instrument or str, optional
        ``SPY``, ``ES``, ``put:SPY``, ``put:NVDA@85%``, ``collar:QQQ@90%/110%``; default
        :data:`~advisor.scenarios.instruments.DEFAULT_INSTRUMENTS`.
    scenarios : optional
        As for :func:`~advisor.scenarios.whatif.what_if`; default a megacap sell-off and the
        COVID and 2022 replays.
    mandate : Mandate, optional
        Also propose the rebalance (``advisor propose``) and compare it.
    prices : dict, optional
        Quoted futures prices, e.g. ``{"ES": 6420}`` (default: estimated from the index ETF).
    """
    market = market or load_market()
    terms = terms or OptionTerms()
    prices = future_prices(prices)
    if target not in TARGETS:
        raise UsageError(f"unknown hedge target {target!r}", f"Use one of {', '.join(TARGETS)}")
    methods = [Method(m) for m in methods]
    if isinstance(portfolio, WhatIf):
        whatif = portfolio
    else:
        whatif = what_if(
            portfolio, market, _hedge_scenarios() if scenarios is None else scenarios,
            mandate=mandate, benchmark=benchmark, megacaps=megacaps, total_value=total_value,
        )  # fmt: skip
    parsed = [
        i if isinstance(i, Instrument)
        else parse_instrument(i, market, terms.put_strike, terms.call_strike)
        for i in (instruments or DEFAULT_INSTRUMENTS)
    ]  # fmt: skip
    report = _size_all(whatif, parsed, market, target, methods, terms, cost_bps, prices,
                       benchmark)  # fmt: skip
    if isinstance(portfolio, Holdings):
        _constructive_sales(report, portfolio, market)
    return report


def _constructive_sales(report: HedgeReport, holdings: Holdings, market: Market) -> None:
    """Warn, on each short overlay of shares, when it shorts the same (or a substantially
    identical) security the client holds at a gain in a taxable account: a constructive sale
    (IRC 1259; :func:`advisor.optimize.washsale.constructive_sale_warnings`)."""
    from advisor.optimize.sales import lots_of
    from advisor.optimize.washsale import constructive_sale_warnings

    lots = lots_of(holdings)
    lots = lots[lots["shares"].notna() & lots["cost_basis"].notna()]
    if lots.empty:
        return
    accounts = getattr(holdings, "accounts", None)
    accounts = accounts if accounts is not None and len(accounts) else None
    valued = report.before.positions  # the analysis valued every line (snapshot prices)
    prices = valued["value"] / valued["shares"]
    for h in report.hedges:
        if h.unit != "shares" or h.units is None or h.units >= 0:
            continue
        shorts = pd.Series({h.instrument: float(-h.units)})
        for w in constructive_sale_warnings(shorts, lots, prices.dropna(), accounts):
            if w["message"] not in h.notes:
                h.notes.append(w["message"])
            if w["message"] not in report.notes:
                report.notes.append(w["message"])


def _hedge_scenarios() -> list[Scenario]:
    """A megacap sell-off and the COVID and 2022 replays."""
    shocks = dict(DEFAULT_SHOCKS)
    return [
        Scenario(n, (parse_shock(shocks[n]),)) if n in shocks else Scenario(n, replay=n)
        for n in HEDGE_SCENARIOS
    ]


def _size_all(whatif: WhatIf, instruments: list[Instrument], market: Market, target: str,
              methods: list[Method], terms: OptionTerms, cost_bps: float,
              prices: dict[str, float], benchmark: str | None) -> HedgeReport:  # fmt: skip
    before = whatif.before
    model = market.risk
    w = risk_vector(before.lookthrough, before.positions["weight"])
    b = before.bench.weights if before.bench is not None else market.benchmark
    sb = model.covariance_times(b)
    s = _Setup(model, w, b, sb, float(b @ sb.reindex(b.index)), before.total_value, market)
    mega = market.megacap_companies(list(before.megacap_tickers))
    hedges: list[Hedge] = []
    for inst in instruments:
        u = unit_vector(inst.ticker, market)
        if inst.kind in (InstrumentKind.PUT, InstrumentKind.COLLAR):
            hedges.append(_option_hedge(inst, u, s, market, mega, target, terms, whatif))
            continue
        # a stock hedges the client's own position in it: the regression ratio is the position
        is_stock = not bool(market.securities.at[inst.ticker, "is_etf"])
        sized = [
            _overlay(inst, u, m, s, market, mega, target, whatif, cost_bps, prices)
            for m in ((Method.MIN_VARIANCE,) if is_stock else methods)
        ]
        tracking = math.sqrt(max(model.variance(u.sub(b, fill_value=0.0)), 0.0))
        hedges += _merge_same(sized, tracking, before.benchmark)
    notes: list[str] = []
    if any(h.kind == InstrumentKind.FUTURE for h in hedges):
        notes.append(
            "futures are modelled by their index ETF (SPY for ES/MES, QQQ for NQ/MNQ): the "
            "contract's basis and financing are left out"
        )
    notes.append(
        "overlays and options are measured as held to the scenario's end; option values use "
        "the payoff at expiry, as if each scenario's move had happened by then"
    )
    return HedgeReport(before, whatif, hedges, target, cost_bps, notes)


def _merge_same(sized: list[Hedge], tracking: float, benchmark: str) -> list[Hedge]:
    """One row, with a note saying why, for methods that size an overlay identically (same whole
    units, ratios within 0.5 %): e.g. SPY's beta and min-variance ratios (``tracking``: the
    instrument's tracking error against the benchmark; under 1 %, it tracks it)."""
    out: list[Hedge] = []
    for h in sized:
        twin = next(
            (o for o in out if o.units == h.units
             and abs(o.ratio - h.ratio) <= 0.005 * max(abs(o.ratio), 1e-12)),
            None,
        )  # fmt: skip
        if twin is None:
            out.append(h)
            continue
        twin.same_as.append(str(h.method))
        i = twin.instrument
        why = f"{i} holds or tracks the {benchmark}" if tracking < 0.01 else f"{i}'s ratios agree"
        twin.notes.append(f"{twin.label}: {why}, so sizing the short by beta and by least "
                          "variance gives the same trade (one row shows both)")  # fmt: skip
    return out


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
    if method == Method.BETA:
        denom = _cov(model, u, s.b)
        return _cov(model, e, s.b) / denom if denom else float("nan")
    var_u = _cov(model, u, u)
    if method == Method.MIN_VARIANCE:
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
        target="portfolio" if method == Method.MIN_TRACKING_ERROR else _target_label(tgt, inst),
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
    h = _ratio(Method.BETA, s, e, u)
    if not h > 0:
        raise AdvisorError(
            f"{inst.text}: the {_target_label(tgt, inst)} has no positive beta to {inst.ticker}, "
            "so puts on it protect nothing"
        )
    o = price_option(inst, u, market, terms)
    units, h_used = _round(h, o.spot * OPTION_MULTIPLIER, s.total)
    # per unit of portfolio value: h_used of the underlying's notional is protected
    net_premium = h_used * (o.put - o.call) / o.spot
    delta_equiv = h_used * (-o.put_delta + o.call_delta)  # short-equivalent of the underlying
    vol_after, beta_after, te_after = _after(s, u * delta_equiv)
    unit_ret = _scenario_unit_return(whatif, u)
    scen = {}
    for r in whatif.results:
        s1 = o.spot * (1.0 + unit_ret[r.name])
        payoff = put_payoff(s1, o.put_in.strike)
        if o.call_in is not None:
            payoff -= call_payoff(s1, o.call_in.strike)
        scen[r.name] = r.current.ret + h_used * payoff / o.spot - net_premium
    notes = [
        f"Black-Scholes estimate at {o.put_in.vol:.1%} volatility ({o.sources['volatility']}); "
        "quoted out-of-the-money puts usually trade at a higher implied volatility (skew), so "
        "expect to pay more"
    ]
    return Hedge(
        instrument=inst.text,
        kind=inst.kind,
        method=Method.BETA,
        target=_target_label(tgt, inst),
        ratio=h,
        ratio_rounded=h_used,
        notional=None if s.total is None else -h_used * s.total,
        units=units,
        unit="contracts",
        unit_price=(o.put - o.call) * OPTION_MULTIPLIER,  # net premium per contract
        volatility_after=vol_after,
        beta_after=beta_after,
        tracking_error_after=te_after,
        cost=None if s.total is None else net_premium * s.total,
        cost_fraction=net_premium,
        scenario_returns=scen,
        option=option_dict(inst, o, net_premium),
        notes=notes,
    )


# -- the JSON contract -------------------------------------------------------------------------


def action(h: Hedge) -> str:
    """The trade in words: ``sell short 1,203 shares``, ``buy 12 puts, sell 12 calls``."""
    if h.units is None:
        return "-"
    if h.kind == InstrumentKind.PUT:
        return f"buy {h.units:,} puts"
    if h.kind == InstrumentKind.COLLAR:
        return f"buy {h.units:,} puts, sell {h.units:,} calls"
    if h.units == 0:
        return "none (rounds to zero)"
    verb = "sell short" if h.units < 0 else "buy"
    return f"{verb} {abs(h.units):,} {h.unit}"


def hedge_dict(h: Hedge) -> dict[str, Any]:
    return {
        "instrument": h.instrument,
        "label": h.label,
        "kind": str(h.kind),
        "method": str(h.method),
        "same_as": list(h.same_as),
        "target": h.target,
        "ratio": _num(h.ratio),
        "ratio_rounded": _num(h.ratio_rounded),
        "notional": _money(h.notional),
        "units": h.units,
        "unit": h.unit,
        "unit_price": _money(h.unit_price),
        "unit_price_is": "net premium per contract"
        if h.kind in (InstrumentKind.PUT, InstrumentKind.COLLAR)
        else f"price per {h.unit.removesuffix('s')}",
        "action": action(h),
        "volatility_after": _num(h.volatility_after),
        "beta_after": _num(h.beta_after),
        "tracking_error_after": _num(h.tracking_error_after),
        "cost": _money(h.cost),
        "cost_fraction": _num(h.cost_fraction),
        "scenarios": [{"name": k, "return": _num(v)} for k, v in h.scenario_returns.items()],
        "option": None
        if h.option is None
        else {k: (v if isinstance(v, str) else _num(v)) for k, v in h.option.items()},
        "notes": h.notes,
    }


def comparison(r: HedgeReport) -> pd.DataFrame:
    """One row per alternative: no action, the rebalance (when proposed), each hedge. ``cost``
    is account currency (None for a file of weights only), ``cost_fraction`` the same cost as a
    fraction of the account's value."""
    a = r.before
    results = r.whatif.results
    rows = [
        {
            "alternative": "no action",
            "tracking_error": a.risk.tracking_error,
            "volatility": a.risk.volatility,
            "beta": a.risk.beta,
            **{x.name: x.current.ret for x in results},
            "cost": 0.0 if a.total_value is not None else None,
            "cost_fraction": 0.0,
            "realized_gain": 0.0,
        }
    ]
    p = r.proposal
    if p is not None and p.after is not None:
        rows.append(
            {
                "alternative": "rebalance (advisor propose)",
                "tracking_error": p.after.risk.tracking_error,
                "volatility": p.after.risk.volatility,
                "beta": p.after.risk.beta,
                **{x.name: x.proposed.ret for x in results if x.proposed is not None},
                "cost": p.est_cost,
                "cost_fraction": p.est_cost / a.total_value if a.total_value else None,
                "realized_gain": p.realized_gain,
            }
        )
    for h in r.hedges:
        rows.append(
            {
                "alternative": h.label,
                "tracking_error": h.tracking_error_after,
                "volatility": h.volatility_after,
                "beta": h.beta_after,
                **h.scenario_returns,
                "cost": h.cost,
                "cost_fraction": h.cost_fraction,
                "realized_gain": 0.0,
            }
        )
    return pd.DataFrame(rows)


def report_dict(r: HedgeReport) -> dict[str, Any]:
    """Every figure of a hedge run (the ``advisor hedge --format json`` contract)."""
    from advisor.scenarios.whatif import scenario_dict

    a = r.before
    names = [x.name for x in r.whatif.results]
    return with_market_data(
        {
            "as_of": str(a.as_of.date()),
            "source": a.source,
            "benchmark": a.benchmark,
            "total_value": _money(a.total_value),
            "target": r.target,
            "units": "ratios, returns, volatility, beta and tracking error are fractions "
            "(annualised risk); notional, cost and realised gain are account currency (negative "
            "notional = protection); units are whole shares or contracts (negative = sold short); "
            "unit_price is money per share, per futures contract, or an option's net premium per "
            "contract",
            "current": {
                "volatility": _num(a.risk.volatility),
                "beta": _num(a.risk.beta),
                "tracking_error": _num(a.risk.tracking_error),
            },
            "hedges": [hedge_dict(h) for h in r.hedges],
            "scenarios": [scenario_dict(x) for x in r.whatif.results],
            "comparison": [
                {
                    "alternative": row["alternative"],
                    "tracking_error": _num(row["tracking_error"]),
                    "volatility": _num(row["volatility"]),
                    "beta": _num(row["beta"]),
                    "scenario_returns": {n: _num(row.get(n)) for n in names},
                    "cost": _money(row["cost"]),
                    "cost_fraction": _num(row["cost_fraction"]),
                    "realized_gain": _money(row["realized_gain"]),
                }
                for row in comparison(r).to_dict(orient="records")
            ],
            "cost_bps": r.cost_bps,
            "notes": r.notes,
        }
    )
