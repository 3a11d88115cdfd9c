"""Substantially identical securities (IRC 1091) and harvest substitutes: one documented table.

The IRS has not defined "substantially identical" for funds (Publication 550, "Wash Sales"; see
``docs/tax.md``). This table is deliberately **conservative**, since a missed wash sale costs the
client the loss while a needless flag only forgoes one substitute:

- the same security is identical to itself (any account of the household, IRAs included);
- funds that track the **same index** are one group (each group cites the funds' prospectuses);
- funds that track different indexes of **the same market with the same weighting**, whose
  holdings overlap by weight almost entirely (the whole US market by CRSP, S&P, Dow Jones,
  Russell 3000 or Fidelity; MSCI EAFE and EAFE IMI; ...), are one group too: judged identical;
- index mutual funds join the group of their ETF twin (:mod:`advisor.data.twins`, read from the
  snapshot's ``twins`` table; the three total-market twins of another index join the total
  market group by the rule above);
- share classes of one company (GOOGL and GOOG, BRK-A and BRK-B: one ``company`` id in the
  snapshot) are one group: Publication 550 treats stock convertible into the other as possibly
  identical, and the classes move together.

A harvest **substitute** tracks a *different* index of a clearly different make-up (other
constituents, not only another vendor): S&P 500 funds -> total US market (VTI: ~3,500 stocks
against 500, the usual pair, tax-facts.md), and the reverse. Close cousins (S&P 500 and
Russell 1000 or CRSP Large Cap, ~95 % overlap) are not in the same group but are not offered as
substitutes either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from advisor.holdings.tickers import canonical
from advisor.market.snapshot import load_market

_PROSPECTUS = "the funds' prospectuses: each tracks the {index}"
_JUDGED = (
    "judged identical (conservative): {detail}; different indexes of the same market with the "
    "same weighting, holdings overlapping by weight almost entirely"
)


@dataclass(frozen=True)
class IdenticalGroup:
    """Securities treated as substantially identical to each other, and why (``source``)."""

    name: str
    members: frozenset[str]
    source: str

    def describe(self, ticker: str, other: str) -> str:
        """Plain words for why ``other`` counts as ``ticker`` in a wash sale."""
        if canonical(other) == canonical(ticker):
            return f"{other} is the same security"
        return f"{other} is substantially identical to {ticker} ({self.name}: {self.source})"


def _same(index: str, tickers: str) -> tuple[str, str, str]:
    return index, tickers, _PROSPECTUS.format(index=index)


#: (group name, tickers, source). Twins (index mutual funds) are added from the snapshot.
GROUPS: tuple[tuple[str, str, str], ...] = (
    _same("S&P 500 Index", "SPY IVV VOO SPYM SPLG"),
    ("US total market", "VTI ITOT SCHB IWV VTHR",
     _JUDGED.format(detail="CRSP US Total Market (VTI), S&P Total Market (ITOT), Dow Jones U.S. "
                           "Broad Stock Market (SCHB), Russell 3000 (IWV, VTHR)")),
    _same("Nasdaq-100 Index", "QQQ QQQM"),
    _same("Russell 1000 Index", "IWB VONE"),
    _same("Russell 1000 Growth Index", "IWF VONG"),
    _same("Russell 1000 Value Index", "IWD VONV"),
    _same("Russell 2000 Index", "IWM VTWO"),
    _same("S&P MidCap 400 Index", "IJH MDY IVOO SPMD"),
    _same("S&P SmallCap 600 Index", "IJR VIOO SPSM"),
    _same("S&P 500 Growth Index", "IVW VOOG SPYG"),
    _same("S&P 500 Value Index", "IVE VOOV SPYV"),
    _same("MSCI US IMI Information Technology 25/50 Index", "VGT FTEC"),
    ("MSCI EAFE", "EFA IEFA",
     _JUDGED.format(detail="MSCI EAFE (EFA) and MSCI EAFE Investable Market (IEFA)")),
    ("Developed ex-US (FTSE, S&P)", "VEA SCHF SPDW",
     _JUDGED.format(detail="FTSE Developed All Cap ex US (VEA), FTSE Developed ex US (SCHF), "
                           "S&P Developed Ex-U.S. BMI (SPDW)")),
    ("MSCI Emerging Markets", "EEM IEMG",
     _JUDGED.format(detail="MSCI Emerging Markets (EEM) and MSCI EM Investable Market (IEMG)")),
    ("Emerging markets (FTSE, S&P)", "VWO SCHE SPEM",
     _JUDGED.format(detail="FTSE Emerging Markets All Cap China A Inclusion (VWO), FTSE "
                           "Emerging (SCHE), S&P Emerging BMI (SPEM)")),
    ("Total international ex-US", "VXUS IXUS",
     _JUDGED.format(detail="FTSE Global All Cap ex US (VXUS), MSCI ACWI ex USA IMI (IXUS)")),
    ("US aggregate bond", "AGG BND SCHZ SPAB",
     _JUDGED.format(detail="Bloomberg U.S. Aggregate (AGG, SCHZ, SPAB) and its float-adjusted "
                           "version (BND)")),
)  # fmt: skip

#: group name -> (substitute, why it is not substantially identical). A substitute tracks a
#: different index with clearly different constituents (see the module notes).
SUBSTITUTES: dict[str, tuple[str, str]] = {
    "S&P 500 Index": ("VTI", "CRSP US Total Market Index: ~3,500 US stocks including mid and small caps, not the S&P 500's 500"),
    "US total market": ("IVV", "S&P 500 Index: 500 large US stocks chosen by a committee, no small caps"),
    "Nasdaq-100 Index": ("VUG", "CRSP US Large Cap Growth Index: growth stocks of every exchange, not the 100 largest Nasdaq non-financials"),
    "Russell 1000 Index": ("VTI", "CRSP US Total Market Index: the whole market including small caps"),
    "Russell 1000 Growth Index": ("VUG", "CRSP US Large Cap Growth Index: another growth definition and constituents"),
    "CRSP US Large Cap Growth Index": ("IWF", "Russell 1000 Growth Index: another growth definition and constituents"),
    "Russell 1000 Value Index": ("VTV", "CRSP US Large Cap Value Index: another value definition and constituents"),
    "CRSP US Large Cap Value Index": ("IWD", "Russell 1000 Value Index: another value definition and constituents"),
    "S&P 500 Growth Index": ("IWF", "Russell 1000 Growth Index: ~400 growth stocks by another method"),
    "S&P 500 Value Index": ("IWD", "Russell 1000 Value Index: ~850 value stocks by another method"),
    "Russell 2000 Index": ("IJR", "S&P SmallCap 600 Index: 600 stocks with a profitability screen"),
    "S&P SmallCap 600 Index": ("IWM", "Russell 2000 Index: 2,000 stocks, no profitability screen"),
    "S&P MidCap 400 Index": ("VO", "CRSP US Mid Cap Index: larger mid caps, other constituents"),
    "CRSP US Mid Cap Index": ("IJH", "S&P MidCap 400 Index: 400 stocks with a profitability screen"),
    "MSCI EAFE": ("VEA", "FTSE Developed All Cap ex US: includes Canada and South Korea, which EAFE leaves out"),
    "Developed ex-US (FTSE, S&P)": ("IEFA", "MSCI EAFE IMI: leaves out Canada and South Korea"),
    "MSCI Emerging Markets": ("VWO", "FTSE Emerging: leaves out South Korea, which MSCI includes"),
    "Emerging markets (FTSE, S&P)": ("IEMG", "MSCI EM IMI: includes South Korea"),
    "Total international ex-US": ("VEU", "FTSE All-World ex US: large and mid caps only (a different index; the closest cousin offered, review it)"),
    "US aggregate bond": ("IUSB", "Bloomberg U.S. Universal Index: adds high yield, emerging-market and 144A bonds"),
    "MSCI US IMI Information Technology 25/50 Index": ("XLK", "Technology Select Sector Index: S&P 500 technology stocks only, capped"),
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class IdenticalTable:
    """Ticker -> its :class:`IdenticalGroup` (a ticker in no group is identical only to itself)."""

    groups: dict[str, IdenticalGroup]

    def group(self, ticker: str) -> IdenticalGroup:
        t = canonical(ticker)
        return self.groups.get(t, IdenticalGroup(t, frozenset({t}), "the same security"))

    def same(self, a: str, b: str) -> bool:
        """True if ``a`` and ``b`` are the same or substantially identical securities."""
        return canonical(b) in self.group(a).members

    def substitute(self, ticker: str) -> tuple[str, str] | None:
        """(substitute ticker, why it differs) for a harvest, or None (single stocks, unlisted)."""
        return SUBSTITUTES.get(self.group(ticker).name)


def build_table(twins: pd.DataFrame, companies: pd.Series | None = None) -> IdenticalTable:
    """The table from :data:`GROUPS`, the twin table (index fund ticker -> ``etf``, ``index``,
    ``source``) and optionally company ids by stock ticker (share classes)."""
    members: dict[str, set[str]] = {name: set(t.split()) for name, t, _ in GROUPS}
    sources = {name: src for name, _, src in GROUPS}
    for fund, row in twins.iterrows():
        home = next((n for n, m in members.items() if row["etf"] in m), None)
        if home is None:
            home = str(row["index"])
            members.setdefault(home, {str(row["etf"])})
            sources.setdefault(home, _PROSPECTUS.format(index=home) + " (snapshot twins table)")
        members[home].add(str(fund))
    if companies is not None:  # the few companies with several tickers (a groupby of all: 40 ms)
        classes: dict[str, set[str]] = {}
        for ticker, company in companies[companies.duplicated(keep=False)].items():
            classes.setdefault(str(company), set()).add(str(ticker))
        for tickers in classes.values():
            name = f"share classes of one company ({', '.join(sorted(tickers))})"
            members[name] = tickers
            sources[name] = "share classes of one issuer, treated as identical (conservative)"
    table: dict[str, IdenticalGroup] = {}
    for name, tickers in members.items():
        group = IdenticalGroup(name, frozenset(tickers), sources[name])
        for t in tickers:
            table[t] = group
    return IdenticalTable(table)


@cache
def default_table() -> IdenticalTable:
    """The table built from the embedded snapshot (twins, company ids of stocks); cached."""
    market = load_market()
    sec = market.securities
    stocks = sec.loc[sec["kind"].eq("stock"), "company"].dropna().astype(str)
    return build_table(market.twins, stocks)


def identical_group(ticker: str, table: IdenticalTable | None = None) -> IdenticalGroup:
    """The group of securities substantially identical to ``ticker`` (itself included)."""
    return (table or default_table()).group(ticker)
