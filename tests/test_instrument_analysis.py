"""Bonds and options in the analysis: what models them, checked by hand, and a proposal never
trades them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import advisor
from advisor.analytics.instruments import bond_fund
from advisor.market.lookthrough import unit_vector

FILE = """Symbol,Description,Quantity,Price,Market Value
AAPL,APPLE INC,400,317.31,126924.00
AAPL 01/15/2027 340.00 C,CALL APPLE INC $340 EXP 01/15/27,-2,17.85,-3570.00
SPY,SPDR S&P 500 ETF,300,751.21,225363.00
91282CJJ1,US TREASURY NOTE 4.50000% 11/15/2033,50000,101.40625,50703.13
CASH,Cash,,,20000
"""


@pytest.fixture()
def account(tmp_path, market):  # noqa: ANN001, ANN201
    f = tmp_path / "mix.csv"
    f.write_text(FILE)
    return advisor.analyze(advisor.read_holdings(f, market), market, benchmark="S&P 500")


def _bs_call_delta(s: float, k: float, t: float, r: float, q: float, v: float) -> float:
    d1 = (math.log(s / k) + (r - q + v * v / 2) * t) / (v * math.sqrt(t))
    return math.exp(-q * t) * 0.5 * (1 + math.erf(d1 / math.sqrt(2)))


def test_option_is_its_delta_equivalent_exposure(account, market) -> None:  # noqa: ANN001
    key = "AAPL270115C00340000"
    m = account.lookthrough.models[key]
    spot = float(market.securities.at["AAPL", "price"])
    years = (pd.Timestamp("2027-01-15") - market.as_of).days / 365.25
    vol = math.sqrt(market.risk.variance(unit_vector("AAPL", market)))
    q = market.dividend_yield("AAPL") or 0.0
    delta = _bs_call_delta(spot, 340.0, years, market.risk_free_rate, q, vol)
    exposure = delta * -2 * 100 * spot
    assert m.ticker == "AAPL"
    assert m.scale * -3570.00 == pytest.approx(exposure, rel=1e-9)
    # the look-through: AAPL direct, through SPY, less the call's delta
    total = account.total_value
    spy_aapl = float(market.constituents("SPY").get("AAPL", 0.0))
    expected = (126924.00 + 225363.00 * spy_aapl + exposure) / total
    assert account.lookthrough.securities["AAPL"] == pytest.approx(expected, rel=1e-9)


def test_bond_is_modelled_by_a_fund_of_its_kind_and_maturity(account, market) -> None:  # noqa: ANN001
    m = account.lookthrough.models["91282CJJ1"]
    assert m.ticker == "IEF" and m.scale == 1.0  # 7.3 years: intermediate Treasuries
    assert bond_fund("treasury", 1.5, market) == "SHY"
    assert bond_fund("treasury", 25.0, market) == "TLT"
    pos = account.positions.loc["91282CJJ1"]
    assert pos["asset_class"] == "US bonds" and pos["kind"] == "bond"
    assert pos["price"] == 101.40625 and pos["value"] == 50703.13


def test_a_proposal_never_trades_bonds_or_options(tmp_path, market) -> None:  # noqa: ANN001
    f = tmp_path / "mix.csv"
    f.write_text(FILE)
    h = advisor.read_holdings(f, market)
    p = advisor.propose(h, market, advisor.Mandate(max_te=0.05))
    assert p.status == "optimal", p.diagnostics
    assert not set(p.trades["ticker"]) & {"91282CJJ1", "AAPL270115C00340000"}
    after = p.after.positions
    assert after.at["91282CJJ1", "value"] == 50703.13
    assert after.at["AAPL270115C00340000", "value"] == -3570.00
    assert p.after.total_value == pytest.approx(p.before.total_value, abs=0.05)
