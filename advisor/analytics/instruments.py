"""Individual bonds and options in an account: what models them, and their asset class.

* A **bond** is modelled by a bond fund of its kind and maturity: Treasuries and agencies by SHY
  (under 3 years to maturity), IEF (3 to 10) or TLT (over 10); municipals by MUB; corporates by
  LQD; unknown issuers by AGG (the first of each list the snapshot knows). Its asset class is
  US bonds, its duration bucket from its maturity.
* An **option** is modelled by its underlying, scaled by its delta-equivalent exposure per unit
  of its value: ``delta x contracts x multiplier x spot / value`` (Black-Scholes delta at the risk
  model's volatility of the underlying, the snapshot's rate and dividend yield). A covered call
  thus reduces the exposure to the stock it is written on; a protective put reduces the
  exposure to the index. Its asset class is its underlying's.
"""

from __future__ import annotations

import math

import pandas as pd

from advisor.analytics.assets import asset_classes
from advisor.domain import Holdings
from advisor.market.lookthrough import Model, unit_vector
from advisor.market.snapshot import Market
from advisor.scenarios.options import OptionInputs, call_delta, put_delta

#: Bond funds standing for individual bonds: issuer kind -> ((max years to maturity, funds), ...)
BOND_FUNDS: dict[str, tuple[tuple[float, tuple[str, ...]], ...]] = {
    "treasury": ((3.0, ("SHY", "VGSH")), (10.0, ("IEF", "VGIT")), (math.inf, ("TLT", "VGLT"))),
    "agency": ((3.0, ("SHY", "VGSH")), (10.0, ("IEF", "VGIT")), (math.inf, ("TLT", "VGLT"))),
    "municipal": ((math.inf, ("MUB", "VTEB", "AGG")),),
    "corporate": ((math.inf, ("LQD", "VCIT", "AGG")),),
    "unknown": ((math.inf, ("AGG", "BND")),),
}
FALLBACK_BOND_FUNDS = ("AGG", "BND")


def _terms(holdings: Holdings) -> pd.DataFrame:
    table = getattr(holdings, "instruments", None)
    return table if table is not None else pd.DataFrame()


def years_to(date: object, as_of: pd.Timestamp) -> float:
    """Years from ``as_of`` to ``date`` (NaN when unknown)."""
    if date is None or pd.isna(date):
        return math.nan
    return (pd.Timestamp(date) - as_of).days / 365.25


def duration_bucket(years: float) -> str:
    """short (under 3 years), intermediate (3 to 10), long (over 10), or '' when unknown."""
    if math.isnan(years):
        return ""
    return "short" if years < 3 else ("intermediate" if years <= 10 else "long")


def bond_fund(issuer: str, years: float, market: Market) -> str:
    """The bond fund standing for a bond of this issuer kind and maturity."""
    for limit, funds in BOND_FUNDS.get(issuer, BOND_FUNDS["unknown"]):
        if math.isnan(years) or years <= limit:
            for f in funds:
                if f in market.known and f in market.risk_rows:
                    return f
            break
    return next(f for f in (*FALLBACK_BOND_FUNDS, "SPY") if f in market.known)


def _bond_model(terms: pd.Series, market: Market) -> Model:
    issuer = str(terms.get("issuer_kind") or "unknown")
    years = years_to(terms.get("maturity"), market.as_of)
    fund = bond_fund(issuer, years, market)
    span = "" if math.isnan(years) else f", {years:.1f} years to maturity"
    return Model(fund, 1.0, f"modelled as {fund} (a {issuer} bond{span})")


def option_delta(terms: pd.Series, market: Market) -> tuple[float, float, float]:
    """(delta, spot, volatility) of one option on its underlying, Black-Scholes."""
    u = str(terms["underlying"])
    spot = float(market.securities.at[u, "price"])
    vol = math.sqrt(max(market.risk.variance(unit_vector(u, market)), 1e-8))
    years = max(years_to(terms.get("expiry"), market.as_of), 1 / 365)
    q = market.dividend_yield(u) or 0.0
    o = OptionInputs(spot, float(terms["strike"]), years, market.risk_free_rate, vol, q)
    delta = call_delta(o) if str(terms["right"]) == "call" else put_delta(o)
    return delta, spot, vol


def _option_model(terms: pd.Series, value: float, market: Market) -> Model:
    u = str(terms.get("underlying") or "")
    if u not in market.known or pd.isna(market.securities.at[u, "price"]) or not value:
        return Model(u if u in market.known else "SPY", 0.0, "not modelled (underlying unknown)")
    delta, spot, vol = option_delta(terms, market)
    contracts, mult = float(terms["contracts"]), float(terms.get("multiplier") or 100.0)
    exposure = delta * contracts * mult * spot
    how = (
        f"modelled as its delta-equivalent {exposure:,.0f} of {u} (delta {delta:+.2f} x "
        f"{contracts:g} contracts x {mult:g} x {spot:,.2f}; Black-Scholes at {vol:.0%})"
    )
    return Model(u, exposure / value, how)


def instrument_models(holdings: Holdings, values: pd.Series, market: Market) -> dict[str, Model]:
    """The model of each bond and option position (the others are modelled as themselves)."""
    terms = _terms(holdings)
    kind = holdings.positions.get("instrument")
    out: dict[str, Model] = {}
    if kind is None or terms.empty:
        return out
    for key, t in terms.iterrows():
        what = str(kind.get(key, "security"))
        if what == "bond":
            out[key] = _bond_model(t, market)
        elif what == "option":
            out[key] = _option_model(t, float(values.get(key, 0.0)), market)
    return out


def option_names(terms: pd.DataFrame) -> pd.Series:
    """``Call on AAPL 340, 2027-01-15`` for each option row (empty for other rows)."""
    if terms.empty or "underlying" not in terms:
        return pd.Series(dtype=object)
    rows = terms[terms["underlying"].notna()]
    return pd.Series(
        [
            f"{str(r['right']).title()} on {r['underlying']} {r['strike']:g}, "
            f"{pd.Timestamp(r['expiry']).date()}"
            for _, r in rows.iterrows()
        ],
        index=rows.index,
        dtype=object,
    )


def position_classes(holdings: Holdings, market: Market, index: pd.Index) -> pd.Series:
    """Asset class of every position: the snapshot's, US bonds for a bond, the underlying's for
    an option."""
    out = asset_classes(index, market.securities)
    terms = _terms(holdings)
    kind = holdings.positions.get("instrument")
    if kind is None or terms.empty:
        return out
    for key, t in terms.iterrows():
        if key not in out.index:
            continue
        what = str(kind.get(key, "security"))
        if what == "bond":
            out[key] = "US bonds"
        elif what == "option" and t.get("underlying") in market.known:
            out[key] = asset_classes(pd.Index([t["underlying"]]), market.securities).iloc[0]
    return out
