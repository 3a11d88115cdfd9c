"""Asset classes and bond duration buckets (advisor/data/assets.py) of well-known securities."""

from __future__ import annotations

import pandas as pd
import pytest

from advisor.data import assets
from advisor.data.assets import (
    ASSET_CLASSES,
    CASH,
    COMMOD,
    DEV,
    EM,
    INTL_BONDS,
    MULTI,
    OTHER,
    US_BONDS,
    US_EQ,
)
from advisor.market.snapshot import Market

#: ticker -> (asset class, duration bucket or None), as an advisor would file them.
EXPECTED: dict[str, tuple[str, str | None]] = {
    # US equity funds and stocks
    "SPY": (US_EQ, None), "VTI": (US_EQ, None), "QQQ": (US_EQ, None), "IWM": (US_EQ, None),
    "VNQ": (US_EQ, None), "JEPI": (US_EQ, None), "SCHD": (US_EQ, None), "SCHG": (US_EQ, None),
    "VGT": (US_EQ, None), "SMH": (US_EQ, None), "ARKK": (US_EQ, None), "AAPL": (US_EQ, None),
    "MSFT": (US_EQ, None), "BRK-A": (US_EQ, None),
    # US bonds with their duration bucket
    "AGG": (US_BONDS, "intermediate"), "BND": (US_BONDS, "intermediate"),
    "TLT": (US_BONDS, "long"), "IEF": (US_BONDS, "intermediate"), "SHY": (US_BONDS, "short"),
    "LQD": (US_BONDS, "intermediate"), "HYG": (US_BONDS, "intermediate"),
    "MUB": (US_BONDS, "intermediate"), "TIP": (US_BONDS, "intermediate"),
    "VGSH": (US_BONDS, "short"), "BLV": (US_BONDS, "long"), "JPST": (US_BONDS, "short"),
    # international bonds
    "BNDX": (INTL_BONDS, "intermediate"), "EMB": (INTL_BONDS, "intermediate"),
    # cash-like
    "BIL": (CASH, None), "SGOV": (CASH, None), "USFR": (CASH, None),
    # commodities and gold
    "GLD": (COMMOD, None), "IAU": (COMMOD, None), "SLV": (COMMOD, None), "DBC": (COMMOD, None),
    "USO": (COMMOD, None),
    # international equity funds (world funds are international: Morningstar's convention)
    "EFA": (DEV, None), "VEA": (DEV, None), "IEFA": (DEV, None), "VXUS": (DEV, None),
    "IXUS": (DEV, None), "VT": (DEV, None), "VWO": (EM, None), "IEMG": (EM, None),
    # multi-asset
    "AOR": (MULTI, None), "AOM": (MULTI, None),
    # other: crypto, leveraged and inverse, preferreds
    "IBIT": (OTHER, None), "TQQQ": (OTHER, None), "SH": (OTHER, None), "PFF": (OTHER, None),
    # ADRs and foreign companies listed in the US
    "TSM": (EM, None), "BABA": (EM, None), "PDD": (EM, None), "INFY": (EM, None),
    "HDB": (EM, None), "VALE": (EM, None), "ASML": (DEV, None), "SAP": (DEV, None),
    "NVO": (DEV, None), "TM": (DEV, None), "SONY": (DEV, None), "SHOP": (DEV, None),
    "RY": (DEV, None),
    # twins take their ETF's class
    "FXAIX": (US_EQ, None), "SWPPX": (US_EQ, None), "VBTLX": (US_BONDS, "intermediate"),
    "VTIAX": (DEV, None), "FTIHX": (DEV, None), "VEMAX": (EM, None),
    # foreign companies of international funds
    "F:TENCENT": (EM, None), "F:NESTLE": (DEV, None), "F:SAMSUNG ELECTRONICS": (EM, None),
}  # fmt: skip


@pytest.mark.parametrize("ticker", sorted(EXPECTED))
def test_well_known_securities(market: Market, ticker: str) -> None:
    cls, duration = EXPECTED[ticker]
    row = market.securities.loc[ticker]
    assert row["asset_class"] == cls, (ticker, row["name"])
    got = row["bond_duration"] if isinstance(row["bond_duration"], str) else None
    assert got == duration, (ticker, row["name"])


def test_every_security_has_one_of_the_classes(market: Market) -> None:
    s = market.securities
    assert set(s["asset_class"]) <= set(ASSET_CLASSES)
    assert s["asset_class"].notna().all()
    dur = s["bond_duration"].dropna()
    assert set(dur) <= set(assets.DURATIONS)
    assert s.loc[dur.index, "asset_class"].isin([US_BONDS, INTL_BONDS]).all()
    for old in assets.OLD_SPELLINGS:  # the first snapshot's spellings are gone
        assert not s["asset_class"].eq(old).any()


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("iShares Currency Hedged MSCI EAFE ETF", DEV),
        ("VanEck Gold Miners ETF", US_EQ),
        ("Goldman Sachs Physical Gold ETF Shares", COMMOD),
        ("Global X Uranium ETF", US_EQ),
        ("Global X MSCI China Consumer Discretionary ETF", EM),
        ("iShares Core 80/20 Aggressive Allocation ETF", MULTI),
        ("Innovator U.S. Equity Ultra Buffer ETF - March", US_EQ),
        ("ProShares UltraShort 20+ Year Treasury", OTHER),
        ("iShares Mortgage Real Estate ETF", US_EQ),
        ("VanEck J. P. Morgan EM Local Currency Bond ETF", INTL_BONDS),
        ("Invesco CurrencyShares Euro Currency Trust", OTHER),
        ("Western Asset Emerging Markets Debt Fund Inc Common Stock", INTL_BONDS),
        ("AllianzIM U.S. Large Cap 6 Month Buffer10 Jun/Dec ETF", US_EQ),
        ("Vanguard Total World Stock Index ETF", DEV),
        ("Fidelity Magellan", None),  # no rule: the returns decide
    ],
)
def test_name_rules(name: str, cls: str | None) -> None:
    assert assets.fund_class_from_name(name) == cls


def test_style_analysis_recovers_a_mix() -> None:
    """Returns built as 60 % of one proxy and 40 % of another are classed from the weights."""
    import numpy as np

    rng = np.random.default_rng(3)
    proxies = pd.DataFrame(
        rng.normal(0, 0.01, size=(500, len(assets.STYLE_PROXIES))),
        columns=list(assets.STYLE_PROXIES),
    )
    mix = 0.6 * proxies["SPY"] + 0.4 * proxies["AGG"] + rng.normal(0, 0.0005, 500)
    stocks = 0.9 * proxies["EFA"] + 0.1 * proxies["BIL"]
    got = assets.style_classes(pd.DataFrame({"mix": mix, "intl": stocks}), proxies)
    assert got.at["mix", "style_class"] == MULTI and got.at["mix", "style_r2"] > 0.95
    assert got.at["intl", "style_class"] == DEV
    w, r2 = assets.style_weights(mix.to_numpy(), proxies.to_numpy())
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0, abs=1e-6)
    assert w[list(assets.STYLE_PROXIES).index("SPY")] == pytest.approx(0.6, abs=0.02)


def test_duration_buckets_from_names_and_rates() -> None:
    assert assets.duration_from_name("iShares 1-3 Year Treasury Bond ETF") == "short"
    assert assets.duration_from_name("Vanguard Long-Term Bond ETF") == "long"
    assert assets.duration_from_name("iShares Core US Aggregate Bond ETF") == "intermediate"
    assert assets.duration_from_name("PIMCO Active Bond ETF") is None
    assert assets.duration_bucket(2.0) == "short" and assets.duration_bucket(16) == "long"
    assert (
        assets.notes_duration("X Corp 5.25% Notes due 2061", pd.Timestamp("2026-07-14")) == "long"
    )
