"""Asset classes and bond duration buckets, derived by documented rules.

Every security gets one of :data:`ASSET_CLASSES`; bond funds (and exchange-traded notes) also a
``bond_duration`` bucket: ``short`` (under about 3 years), ``intermediate``, ``long`` (over about
10 years) or empty when unknown. The rules, in the order they apply:

**Funds** (etf, closed_end, mutual_fund)

1. *Look-through*: a fund whose holdings the snapshot sees (covered weight >= 50 %) takes the
   class holding the majority of that weight, when one class holds at least 60 % of it (VXUS:
   developed; IEMG: emerging; SMH: US equity).
2. *Name keywords* (:func:`fund_class_from_name`), first match wins: leveraged and inverse funds,
   crypto, volatility, currency and alternative strategies -> ``Other``; money-market, T-bill and
   0-3 month Treasury funds -> ``Cash-like``; gold, silver, commodity, oil (but not miners or
   producers) -> ``Commodities and gold``; allocation, balanced, target-date, 60/40 ->
   ``Multi-asset``; bond words (Bond, Treasury, Municipal, Corporate, High Yield, TIPS,
   Aggregate, Fixed Income, Mortgage, Loan, Credit, ...) -> ``US bonds``, or ``International
   bonds`` with international words; preferred and convertible funds -> ``Other``; emerging-
   market words (Emerging, China, India, Brazil, Latin America, Korea, Taiwan, Frontier, ...) ->
   ``Emerging-markets equity``; developed words (International, EAFE, Developed, ex-US, Europe,
   Japan, Canada, Pacific, ...) and multi-region words (World, Global, ACWI, All Country; the
   brand "Global X" excepted) -> ``International developed equity`` (Morningstar's category
   groups count world-stock funds as international equity, though they hold 50-60 % US stocks);
   equity words (S&P, Nasdaq, Russell, Dividend, Growth, Value, sector and theme words, ...) ->
   ``US equity``.
3. *Returns* (:func:`style_classes`): a fund no rule names is classed by returns-based style
   analysis (Sharpe 1992): its daily returns over the risk model's window are regressed, with
   weights >= 0 summing to 1, on one index ETF per class (:data:`STYLE_PROXIES`); the class of
   the largest weight when the fit's R^2 >= 0.5, else ``Other``.

**Stocks** listed in the US: ``US equity``, except international companies: ADRs and ADSs (name
says "American Depositary", "ADR", "ADS" or "New York Registry"), a US listing that an
international fund holds (its line resolved by ticker and name, or through the ADR table of
:mod:`advisor.data.foreign`), or a country in parentheses in the directory's name ("(Canada)").
They are ``Emerging-markets equity`` when an emerging-markets fund (VWO, IEMG) holds them, when
they are in :data:`EMERGING_ADRS`, or when the name names an emerging country; else ``International
developed equity``. S&P 1500 and Russell 2000 members stay ``US equity`` (those indices' rule).

**Other listings**: notes, debentures and bonds -> ``US bonds`` (duration bucket from the years to
the maturity in the name); limited-partnership units -> ``US equity``; preferreds, units of
SPACs, warrants and rights -> ``Other``. **Foreign** lines: from the funds holding them
(:func:`advisor.data.foreign.foreign_asset_class`). **Twins**: their ETF's class.

**Duration buckets** of bond funds: maturity words in the name (1-3 Year, Short-Term, Ultra
Short, Floating Rate, 7-10 Year, Intermediate, 20+ Year, Long-Term, Extended Duration, ...);
else the typical duration of the category (:data:`CATEGORY_DURATION`: aggregate and total-bond,
corporate, high-yield, municipal, TIPS, mortgage and emerging-market bonds all have index
durations of 3-8 years: intermediate; loans and floating rate: short); else the empirical rate
duration (minus the beta of the fund's daily returns on daily changes of the 10-year Treasury
yield ``^TNX``) when that regression's R^2 >= 0.3.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from advisor.analytics.assets import ASSET_CLASSES  # the one list, in report order

US_EQ, DEV, EM, US_BONDS, INTL_BONDS, CASH, COMMOD, MULTI, OTHER = ASSET_CLASSES
#: The first snapshot's spellings, unified.
OLD_SPELLINGS = {
    "Bond": US_BONDS,
    "Short-term Treasury": CASH,
    "Commodity": COMMOD,
    "International equity": DEV,
}
DURATIONS = ("short", "intermediate", "long")


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(patterns) + r")\b", re.IGNORECASE)


_LEVERAGED = re.compile(
    r"(\b\d(\.\d+)?[Xx]\b|\bUltraPro\b|\bUltraShort\b|\bUltra\b(?![- ]?(Short|Buffer))|\bInverse\b|"
    r"\bBear\b|\bBull\b|Daily Target|Leveraged|^ProShares Short\b|\bShort (S&P|QQQ|Dow|Russell|"
    r"MSCI|Bitcoin|Ether|High Yield|20\+|7-10|Real Estate|Financials|Oil)|-1x|\bT-Rex\b)",
    re.IGNORECASE,
)
_ALTERNATIVE = _words(
    "Bitcoin", "Ether", "Ethereum", "Crypto", "Cryptocurrency", "Solana", "XRP", "Litecoin",
    "Dogecoin", "VIX", "Volatility Index", r"(?<!Local )Currency(?![- ](Hedged|Neutral))",
    "CurrencyShares", "US Dollar Index",
    "Dollar Index", "Yen", "Swiss Franc", "British Pound", "Australian Dollar", "Canadian Dollar",
    "Managed Futures", "Merger Arbitrage", "Long/Short", "Long-Short", "Market Neutral",
    "Hedge Fund", "Alternative", "Trend Following", "Tail Risk", "Carbon Strategy",
    "Carbon Credits?", "Carbon Allowances?", "Futures Strategy",
)  # fmt: skip
_CASH = _words(
    "Money Market", "T-Bill", "T-Bills", "Treasury Bill", "Treasury Bills", "0-3 Month",
    "1-3 Month", "0-1 Month", r"\d+ Month Bill", r"\d+ Month T-Bill", r"\d+-\d+ Month T-Bill",
    "0-6 Month", "Floating Rate Treasury",
    "Treasury Floating Rate", "Cash Management", "Ultra Short Treasury", "Ultra-Short Treasury",
    "Government Money", "0-1 Year Treasury", "Treasury 0-1",
)  # fmt: skip
_COMMODITY = _words(
    "Gold", "Silver", "Platinum", "Palladium", "Precious Metals?", "Commodity", "Commodities",
    "Oil Fund", "Crude", "Brent", "Natural Gas Fund", "Gasoline", "Agriculture", "Agricultural",
    "Copper Fund", "Copper Index", "Physical", "Bullion", "Uranium Trust", "Base Metals",
    "Industrial Metals", "Corn Fund", "Sugar Fund", "Wheat Fund", "Soybean Fund", "Invesco DB",
)  # fmt: skip
_NOT_COMMODITY = _words(
    "Miners?", "Mining", "Producers?", "Explorers?", "Equity", "Equities", "Stocks?",
    "Companies", "Royalty", "Streaming", "Exploration", "Services", "Equipment", "Goldman",
    "Golden", "Call", "Option", "Income", "Covered",
)  # fmt: skip
_MULTI = _words(
    "Allocation", "Balanced", "Target Date", "Target Retirement", r"Retirement 20\d\d",
    r"20\d\d Fund", "Multi-Asset", "Multi Asset", "Asset Allocation", r"\d\d/\d\d",
    "Stock and Bond", "Stocks and Bonds", "Lifestyle", "LifePath", "Wellesley", "Wellington",
    "Real Return", "Risk Parity", "Endowment",
)  # fmt: skip
_BOND = _words(
    "Bonds?", "Treasury", "Treasuries", "Municipal", "Muni", "Munis", "Corporate", "High Yield",
    "TIPS", "Inflation-Protected", "Inflation Protected", "Inflation-Linked", "Inflation Linked",
    "Aggregate", "Fixed Income", "Fixed-Income", "Credit", "Mortgage", "Mortgage-Backed", "MBS",
    "Securitized", "Asset-Backed", "ABS", "CLO", "AAA CLO", "Loan", "Loans", "Senior Loan",
    "Bank Loan", "Floating Rate", "Floating-Rate", "Government", "Agency", "iBonds", "Tax-Free",
    "Short Duration", "Ultra Short Income", "Ultra-Short Income", "Short-Term Income",
    "Short Maturity",
    "BulletShares", "Debt", "Total Return Bond", "Yield Curve",
    "Investment Grade", "Tax-Exempt", "Tax Exempt", "Core Plus", "Strategic Income",
    "Multi-Sector",
)  # fmt: skip
_EQUITY_HINT = _words(
    "Equity", "Equities", "Stock", "Stocks", "Dividend", "S&P 500", "Nasdaq", "Russell",
    "Large-Cap", "Large Cap", "Small-Cap", "Small Cap", "Mid-Cap", "Mid Cap", "Covered Call",
    "BuyWrite", "Premium Income", "REIT", "REITs", "Real Estate",
)  # fmt: skip
_HYBRID = _words("Preferred", "Preferreds", "Convertible", "Convertibles")
_EMERGING = _words(
    "Emerging", "EM", "China", "Chinese", "India", "Indian", "Brazil", "Latin America", "LatAm",
    "Mexico", "Korea", "Korean", "Taiwan", "Indonesia", "Thailand", "Malaysia", "Philippines",
    "Vietnam", "South Africa", "Africa", "Saudi", "Turkey", "Turkiye", "Poland", "Chile", "Peru",
    "Colombia", "Argentina", "Qatar", "UAE", "Kuwait", "Egypt", "Frontier Markets",
    "Frontier Emerging", "BRIC", "Greater China",
    "Asia ex Japan", "Asia ex-Japan", "Middle East", "Hang Seng", "CSI", "MSCI EM", "BIC",
)  # fmt: skip
_DEVELOPED = _words(
    "International", "Intl", "EAFE", "Developed", "ex-US", "ex US", "ex-U.S.", "ex U.S.",
    "ex-USA", "Foreign", "Europe", "European", "Eurozone", "Euro Stoxx", "STOXX", "Japan",
    "Japanese", "Pacific", "Canada", "Canadian", "United Kingdom", "U.K.", "UK", "Germany",
    "German", "France", "French", "Switzerland", "Swiss", "Australia", "Australian",
    "Netherlands", "Sweden", "Spain", "Italy", "Israel", "Singapore", "Hong Kong", "New Zealand",
    "Ireland", "Belgium", "Denmark", "Norway", "Austria", "Nordic", "World", "Global", "ACWI",
    "All Country", "All-World", "All World", "Worldwide", "Ex-North America", "Non-US", "Non-U.S.",
)  # fmt: skip
_BRANDS = re.compile(
    r"\bGlobal X\b|\bGlobal Jets\b|\bWorld Gold Trust\b|\bGoldman Sachs\b|\bFrontier Asset\b|"
    r"\bAristotle Pacific\b|\bPacific Asset\b|\bPacer\b|\bAmerican Century\b",
    re.IGNORECASE,
)
#: Words that make a bond fund international (narrower than the equity lists: "Pacific" or
#: "Canada" in a bond fund's name is usually a manager's name).
_INTL_BOND = _words(
    "International", "Intl", "ex-US", "ex US", "ex-U.S.", "Emerging", "EM", "Global", "World",
    "Euro", "European", "Asia", "China", "Chinese", "Japan", "Latin America", "Sovereign Debt",
    "Foreign",
)  # fmt: skip


def fund_class_from_name(name: object) -> str | None:
    """The asset class a fund's name says (rule 2 of the module docstring), or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    text = _BRANDS.sub(" ", _SHARE_WORDS.sub("", name))
    if _LEVERAGED.search(text) or _ALTERNATIVE.search(text):
        return OTHER
    if _CASH.search(text):
        return CASH
    if _COMMODITY.search(text) and not _NOT_COMMODITY.search(text):
        return COMMOD
    if _MULTI.search(text):
        return MULTI
    if _BOND.search(text) and not _EQUITY_HINT.search(text):
        return INTL_BONDS if _INTL_BOND.search(text) else US_BONDS
    if _HYBRID.search(text):
        return OTHER
    if _EMERGING.search(text):
        return EM
    if _DEVELOPED.search(text):
        return DEV
    if _EQUITY_HINT.search(text) or _SECTOR_OR_THEME.search(text):
        return US_EQ
    return None


_SECTOR_OR_THEME = _words(
    "Technology", "Tech", "Health", "Healthcare", "Biotech", "Biotechnology", "Pharmaceutical",
    "Financials?", "Bank", "Banks", "Insurance", "Energy", "Utilities", "Industrials?",
    "Materials", "Consumer", "Staples", "Discretionary", "Communication", "Media", "Real Estate",
    "REIT", "REITs", "Semiconductors?", "Software", "Internet", "Cloud", "Cybersecurity",
    "Robotics", "Innovation", "Infrastructure", "Homebuilders", "Retail", "Transportation",
    "Aerospace", "Defense", "Clean Energy", "Solar", "Water", "Momentum", "Quality", "Value",
    "Growth", "Low Volatility", "Min Vol", "Minimum Volatility", "Factor", "ESG", "Sustainable",
    "Total Market", "Total Stock", "Broad Market", "Extended Market", "Dow Jones", "Wilshire",
    "Blue Chip", "Multi-Factor", "Multifactor", "Fundamental", "Equal Weight", "Buffer",
    "Defined Outcome", "Option Income", "Enhanced Income", "Premium", "Opportunities",
    "Leaders", "Select", "Focus", "Core", "Mega", "Titans", "Moat", "Rising Dividend",
    "Shareholder Yield", "Buyback", "Insider", "IPO", "Spin-Off", "Small", "Mid", "Large",
    "Micro-Cap", "Microcap", "Sector", "AI", "Artificial Intelligence", "Genomic", "Fintech",
    "Gaming", "Esports", "Cannabis", "Space", "Lithium", "Battery", "Electric Vehicle",
    "Uranium", "Nuclear", "Miners", "Mining", "Oil & Gas", "MLP", "Midstream", "Pipeline",
    "Explorers", "Producers", "Royalty", "Natural Resources", "Revenue", "Free Cash Flow",
)  # fmt: skip
#: The directory's share-type words, which say nothing about what a fund holds.
_SHARE_WORDS = re.compile(
    r"\b(Common Stock|Common Shares of Beneficial Interest|Common Shares|Shares of Beneficial "
    r"Interest|Closed End Fund|Ordinary Shares)\b",
    re.IGNORECASE,
)

#: EM companies whose US listings are ADRs (or US listings of EM-based companies) that the
#: holdings files may not reveal (their home line has another name, or the files omit them).
EMERGING_ADRS = frozenset(
    (
        "TSM", "BABA", "PDD", "INFY", "HDB", "IBN", "WIT", "RDY", "SIFY", "MMYT", "VALE", "JD",
        "BIDU", "NTES", "TCOM", "BEKE", "LI", "NIO", "XPEV", "YUMC", "ZTO", "TME", "BILI",
        "VIPS", "HTHT", "ATHM", "EDU", "TAL", "QFIN", "FUTU", "TIGR", "WB", "IQ", "BZ", "YMM",
        "LU", "GDS", "MNSO", "ITUB", "BBD", "BBDO", "PBR", "PBR-A", "ABEV", "SBS", "GGB",
        "CIG", "ERJ", "EMBJ", "KOF", "FMX", "AMX", "CX", "ASR", "PAC", "OMAB", "BAP", "SQM",
        "EC", "CIB", "GFI", "SBSW", "HMY", "SID", "UGP", "BSBR", "VIV", "TIMB", "BCH", "CCU",
        "LTM", "GGAL", "YPF", "PAM", "TEO", "BMA", "SUPV", "CEPU", "EDN", "LOMA", "KB", "SHG",
        "WF", "PKX", "KEP", "KT", "SKM", "LPL", "UMC", "ASX", "CHT", "HIMX", "TLK", "PHI",
        "NU", "XP", "STNE", "PAGS", "SCCO",
    )
)  # fmt: skip
_ADR_WORDS = re.compile(
    r"American Depositary|American Depository|\bADRs?\b|\bADSs?\b|New York Registry",
    re.IGNORECASE,
)
_COUNTRY_IN_PARENS = re.compile(r"\(([A-Za-z .]+)\)\s*$")
_NOTES = _words("Notes?", "Debentures?", "Bonds?", "Senior Notes", "Subordinated")
_LP_UNITS = re.compile(r"(Limited Partner|L\.P\.|\bLP\b).*\bUnits?\b|Common Units", re.IGNORECASE)
_PREFERRED_ETC = _words(
    "Preferred", "Depositary Shares?", "Warrants?", "Rights?", "Units?", "Acquisition"
)
_DUE_YEAR = re.compile(r"\bdue\s+(?:[A-Za-z]+\s+\d{1,2},?\s+)?(20\d\d|21\d\d)", re.IGNORECASE)


def stock_class(name: object, ticker: str, held_by: set[str], intl_funds: set[str]) -> str:
    """Asset class of a US-listed stock (not an index member): see the module docstring."""
    text = name if isinstance(name, str) else ""
    em_funds = {"VWO", "IEMG"}
    country = _COUNTRY_IN_PARENS.search(text)
    place = country.group(1) if country else ""
    international = (
        bool(_ADR_WORDS.search(text))
        or bool(held_by & intl_funds)
        or ticker in EMERGING_ADRS
        or bool(place and place.strip().upper() not in ("THE", "NEW", "US", "USA"))
    )
    if not international:
        return US_EQ
    if held_by & em_funds or ticker in EMERGING_ADRS or _EMERGING.search(place or ""):
        return EM
    return DEV


def _stock_basis(name: object, ticker: str, held_by: set[str]) -> str:
    """Which rule classed a new stock (for the manifest)."""
    text = name if isinstance(name, str) else ""
    if held_by:
        return "stock held by an international fund"
    if ticker in EMERGING_ADRS:
        return "stock in the EM ADR list"
    if _ADR_WORDS.search(text) or _COUNTRY_IN_PARENS.search(text):
        return "stock with ADR or country words (no fund evidence)"
    return "US listing"


def other_class(name: object) -> str:
    """Asset class of an 'other' listing (notes, preferreds, units, warrants)."""
    text = name if isinstance(name, str) else ""
    if _NOTES.search(text) and not re.search(r"Preferred", text, re.IGNORECASE):
        return US_BONDS
    if _LP_UNITS.search(text) and not re.search(r"Acquisition", text, re.IGNORECASE):
        return US_EQ
    return OTHER


def notes_duration(name: object, asof: pd.Timestamp) -> str | None:
    """Duration bucket of exchange-traded notes from the years to their maturity ('due 2029')."""
    m = _DUE_YEAR.search(name if isinstance(name, str) else "")
    if not m:
        return None
    years = int(m.group(1)) - asof.year
    return "short" if years < 3 else "long" if years > 10 else "intermediate"


# -- from returns ------------------------------------------------------------------------------
#: One liquid ETF per class for the returns-based style analysis (several for US bonds, whose
#: durations differ, and for commodities).
STYLE_PROXIES: dict[str, str] = {
    "SPY": US_EQ,
    "IWM": US_EQ,
    "EFA": DEV,
    "VWO": EM,
    "SHY": US_BONDS,
    "AGG": US_BONDS,
    "TLT": US_BONDS,
    "HYG": US_BONDS,
    "BNDX": INTL_BONDS,
    "BIL": CASH,
    "GLD": COMMOD,
    "DBC": COMMOD,
}
STYLE_MIN_R2 = 0.5
STYLE_MIN_OBS = 120
#: Equity and bond shares, and the fit, that make a fund Multi-asset in the style analysis
#: (REIT, utility and dividend funds load on bonds too, with a looser fit).
MULTI_MIN_SHARE = 0.25
MULTI_MIN_R2 = 0.8


def style_weights(r: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, float]:
    """Sharpe's style weights (>= 0, summing to 1) of returns ``r`` on proxies ``X``, and R^2.

    Solved as non-negative least squares with the budget as a heavily weighted extra row.
    """
    from scipy.optimize import nnls

    scale = 1e3 * float(np.abs(X).max() or 1.0)
    A = np.vstack([X, np.full(X.shape[1], scale)])
    b = np.concatenate([r, [scale]])
    w, _ = nnls(A, b)
    resid = r - X @ w
    sst = float(((r - r.mean()) ** 2).sum())
    return w, 1.0 - float((resid**2).sum()) / sst if sst > 0 else 0.0


def style_class(weights: pd.Series, r2: float) -> str:
    """The class of a fund's style weights (grouped by :data:`STYLE_PROXIES`)."""
    if r2 < STYLE_MIN_R2:
        return OTHER
    by_class = {c: 0.0 for c in ASSET_CLASSES}
    for proxy, w in weights.items():
        by_class[STYLE_PROXIES[str(proxy)]] += float(w)
    equity = by_class[US_EQ] + by_class[DEV] + by_class[EM]
    bonds = by_class[US_BONDS] + by_class[INTL_BONDS]
    if equity >= MULTI_MIN_SHARE and bonds >= MULTI_MIN_SHARE and r2 >= MULTI_MIN_R2:
        return MULTI
    return max(by_class, key=lambda c: by_class[c])


def style_classes(returns: pd.DataFrame, proxies: pd.DataFrame) -> pd.DataFrame:
    """Style-analysis class and R^2 of each column of ``returns`` (daily, date-aligned).

    Each fund is fitted on the dates where it and every proxy have a return; funds with fewer
    than :data:`STYLE_MIN_OBS` such dates get class ``Other`` and R^2 NaN.
    """
    P = proxies.reindex(returns.index)
    ok_p = P.notna().all(axis=1).to_numpy()
    Pn, Rn = P.to_numpy(), returns.to_numpy()
    rows = []
    for j, t in enumerate(returns.columns):
        ok = ok_p & ~np.isnan(Rn[:, j])
        if ok.sum() < STYLE_MIN_OBS:
            rows.append((t, OTHER, np.nan))
            continue
        w, r2 = style_weights(Rn[ok, j], Pn[ok])
        rows.append((t, style_class(pd.Series(w, index=P.columns), r2), r2))
    return pd.DataFrame(rows, columns=["ticker", "style_class", "style_r2"]).set_index("ticker")


# -- durations ---------------------------------------------------------------------------------
_SHORT = _words(
    r"0-\d Year", r"1-[2-5] Year", r"0-[1-5] Yr", "Short-Term", "Short Term", "Short Duration",
    "Short Maturity", "Ultra-Short", "Ultra Short", "Ultrashort", "Limited Duration",
    "Low Duration", "Enhanced Short", "Floating Rate", "Floating-Rate", "Floating",
    r"2 Year", r"3 Year Note", "Senior Loan", "Bank Loan", "Loans?", "Enhanced Cash",
)  # fmt: skip
_LONG = _words(
    r"20\+ Year", r"25\+ Year", r"10\+ Year", r"10-20 Year", r"15\+ Year", r"20 Year",
    r"30 Year", "Long-Term", "Long Term", "Long Duration", "Extended Duration", "Long Treasury",
    "Long Bond", "Zero Coupon", r"25 Year",
)  # fmt: skip
_INTERMEDIATE = _words(
    r"3-7 Year", r"5-10 Year", r"7-10 Year", r"3-10 Year", r"1-10 Year", r"5 Year",
    r"10 Year Note", "Intermediate", "Intermediate-Term", "Aggregate", "Total Bond",
    "Core Bond", "Core Plus", "Broad Market", "Investment Grade", "Corporate", "High Yield",
    "Municipal", "Muni", "TIPS", "Inflation-Protected", "Inflation Protected", "Mortgage",
    "MBS", "Emerging Markets", "Sovereign", "Total International Bond", "International Bond",
)  # fmt: skip
DURATION_MIN_R2 = 0.3


def duration_from_name(name: object) -> str | None:
    """Duration bucket a bond fund's name says: explicit maturity words first, then the category's
    typical index duration (aggregate, corporate, high-yield, municipal, TIPS, MBS, EM: 3-8 years,
    intermediate; loans and floating rate: short)."""
    text = _SHARE_WORDS.sub("", name) if isinstance(name, str) else ""
    for pattern, bucket in ((_SHORT, "short"), (_LONG, "long"), (_INTERMEDIATE, "intermediate")):
        if pattern.search(text):
            return bucket
    return None


def empirical_durations(returns: pd.DataFrame, yield_pct: pd.Series) -> pd.DataFrame:
    """Rate duration of each fund: minus the slope of its daily returns on the daily change of
    a yield (``^TNX``, percent), with the regression's R^2."""
    dy = (yield_pct / 100.0).diff().reindex(returns.index)
    rows = []
    for t in returns.columns:
        ok = returns[t].notna() & dy.notna()
        if ok.sum() < STYLE_MIN_OBS:
            rows.append((t, np.nan, np.nan))
            continue
        x, y = dy[ok].to_numpy(), returns.loc[ok, t].to_numpy()
        c = np.cov(x, y)
        slope = c[0, 1] / c[0, 0]
        rows.append((t, -slope, c[0, 1] ** 2 / (c[0, 0] * c[1, 1]) if c[1, 1] > 0 else 0.0))
    return pd.DataFrame(rows, columns=["ticker", "duration", "r2"]).set_index("ticker")


def duration_bucket(years: float) -> str:
    """short (< 3 years), intermediate, long (> 10 years)."""
    return "short" if years < 3 else "long" if years > 10 else "intermediate"


# -- the whole table ---------------------------------------------------------------------------
LOOKTHROUGH_MIN_COVERED = 0.5
LOOKTHROUGH_MIN_MAJORITY = 0.6
_FUND_KINDS = ("etf", "closed_end", "mutual_fund")
#: The first snapshot's classes each derived class must agree with (International equity may
#: now be developed or emerging).
_OLD_AGREES = {
    "US equity": {US_EQ},
    "Bond": {US_BONDS},
    "Short-term Treasury": {CASH},
    "Commodity": {COMMOD},
    "International equity": {DEV, EM},
}


def classify(
    sec: pd.DataFrame,
    directory_names: pd.Series,
    lookthrough: pd.DataFrame,
    holders: dict[str, set[str]],
    returns: pd.DataFrame,
    tnx: pd.Series,
    old: pd.DataFrame,
    asof: pd.Timestamp,
) -> tuple[pd.DataFrame, dict]:
    """``asset_class`` and ``bond_duration`` of every security (the module docstring's rules).

    ``directory_names``: the symbol directory's names (with their ADR words); ``holders``: the
    international funds holding each US listing; ``returns``: daily fund returns for the style
    analysis and empirical durations; ``old``: the first snapshot's securities (name, is_etf,
    asset_class). Returns the two columns and a record for the manifest.
    """
    ac = sec["asset_class"].where(sec["kind"].eq("foreign"))
    how = pd.Series(np.where(ac.notna(), "foreign holders", ""), index=sec.index, dtype=object)
    intl_funds = {f for fs in holders.values() for f in fs}
    for t in sec.index[sec["kind"].isin(("stock", "other"))]:
        name = directory_names.get(t, sec.at[t, "name"])
        if t in old.index:
            ac[t], how[t] = US_EQ, "index member"
        elif sec.at[t, "kind"] == "stock":
            held = holders.get(t, set())
            ac[t], how[t] = stock_class(name, t, held, intl_funds), _stock_basis(name, t, held)
        else:
            ac[t], how[t] = other_class(name), "other listing"
    funds = sec.index[sec["kind"].isin(_FUND_KINDS) & sec["twin"].isna()]
    lt = _lookthrough_classes(lookthrough, ac)
    style = style_classes(returns.reindex(columns=funds), returns[list(STYLE_PROXIES)])
    for t in funds:
        named = fund_class_from_name(sec.at[t, "name"])
        if t in lt.index:
            ac[t], how[t] = lt[t], "look-through"
        elif named is not None:
            ac[t], how[t] = named, "name"
        else:
            ac[t], how[t] = style.at[t, "style_class"], "returns (style analysis)"
    twins = sec.index[sec["twin"].notna()]
    ac[twins] = ac.reindex(sec.loc[twins, "twin"]).to_numpy()
    how[twins] = "twin"
    duration = _durations(sec, ac, directory_names, returns, tnx, asof)
    record = _record(sec, ac, how, style, funds, old, duration)
    return pd.DataFrame({"asset_class": ac, "bond_duration": duration}), record


def _lookthrough_classes(lookthrough: pd.DataFrame, ac: pd.Series) -> pd.Series:
    """Majority class of each fund's look-through (rule 1), where it applies."""
    lt = lookthrough.assign(cls=ac.reindex(lookthrough["ticker"]).to_numpy())
    out = {}
    for fund, g in lt.groupby("fund"):
        covered = float(g["weight"].sum())
        by_class = g.groupby("cls")["weight"].sum()
        if covered >= LOOKTHROUGH_MIN_COVERED and len(by_class):
            top = by_class.idxmax()
            if by_class[top] >= LOOKTHROUGH_MIN_MAJORITY * covered:
                out[fund] = str(top)
    return pd.Series(out, dtype=object)


def _durations(
    sec: pd.DataFrame,
    ac: pd.Series,
    directory_names: pd.Series,
    returns: pd.DataFrame,
    tnx: pd.Series,
    asof: pd.Timestamp,
) -> pd.Series:
    """Duration buckets of bond funds, notes and bond twins (None where unknown)."""
    out = pd.Series(None, index=sec.index, dtype=object)
    bonds = sec.index[ac.isin((US_BONDS, INTL_BONDS)) & sec["twin"].isna()]
    funds = [t for t in bonds if sec.at[t, "is_etf"]]
    emp = empirical_durations(returns.reindex(columns=funds), tnx)
    for t in bonds:
        if not sec.at[t, "is_etf"]:
            out[t] = notes_duration(directory_names.get(t, sec.at[t, "name"]), asof)
            continue
        bucket = duration_from_name(sec.at[t, "name"])
        if bucket is None and emp.at[t, "r2"] >= DURATION_MIN_R2:
            bucket = duration_bucket(float(emp.at[t, "duration"]))
        out[t] = bucket
    twins = sec.index[sec["twin"].notna()]
    out[twins] = out.reindex(sec.loc[twins, "twin"]).to_numpy()
    return out


def _record(sec, ac, how, style, funds, old, duration) -> dict:  # type: ignore[no-untyped-def]
    """Counts by class and rule, the style analysis' agreement, the first snapshot's check."""
    named = pd.Series({t: fund_class_from_name(sec.at[t, "name"]) for t in funds}).dropna()
    both = named.index.intersection(style.index[style["style_r2"] >= STYLE_MIN_R2])
    agree = float((named[both] == style.loc[both, "style_class"]).mean()) if len(both) else 0.0
    old_funds = old.index[old["is_etf"]]
    disagree = [
        t for t in old_funds if ac.get(t) not in _OLD_AGREES.get(str(old.at[t, "asset_class"]), {})
    ]
    return {
        "classes": list(ASSET_CLASSES),
        "counts": {c: int((ac == c).sum()) for c in ASSET_CLASSES},
        "by_rule": how.value_counts().to_dict(),
        "bond_duration": duration.value_counts().to_dict(),
        "style_vs_name_agreement": {"funds": int(len(both)), "share_agreeing": round(agree, 3)},
        "first_snapshot_classes_unified": {"funds": int(len(old_funds)), "disagreeing": disagree},
    }
