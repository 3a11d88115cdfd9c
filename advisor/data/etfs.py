"""Facts about the exchange-traded funds the snapshot knows: name, asset class, what they track.

Names and asset classes are public facts from the issuers' fund pages; the price history of every
fund here comes from ``../shared/data``. ``SPYM`` (formerly SPLG) has no price history there: it is
known, looked through to the S&P 500 and valued from the client's own file.
"""

from __future__ import annotations

#: ticker -> (name, asset class). Asset classes: "US equity", "International equity",
#: "Bond", "Short-term Treasury", "Commodity".
ETFS: dict[str, tuple[str, str]] = {
    "AGG": ("iShares Core US Aggregate Bond ETF", "Bond"),
    "BIL": ("SPDR Bloomberg 1-3 Month T-Bill ETF", "Short-term Treasury"),
    "BND": ("Vanguard Total Bond Market ETF", "Bond"),
    "DIA": ("SPDR Dow Jones Industrial Average ETF Trust", "US equity"),
    "EFA": ("iShares MSCI EAFE ETF", "International equity"),
    "EQAL": ("Invesco Russell 1000 Equal Weight ETF", "US equity"),
    "EUSA": ("iShares MSCI USA Equal Weighted ETF", "US equity"),
    "GLD": ("SPDR Gold Shares", "Commodity"),
    "IEF": ("iShares 7-10 Year Treasury Bond ETF", "Bond"),
    "IJH": ("iShares Core S&P Mid-Cap ETF", "US equity"),
    "IJJ": ("iShares S&P Mid-Cap 400 Value ETF", "US equity"),
    "IJK": ("iShares S&P Mid-Cap 400 Growth ETF", "US equity"),
    "IJR": ("iShares Core S&P Small-Cap ETF", "US equity"),
    "IJS": ("iShares S&P Small-Cap 600 Value ETF", "US equity"),
    "IJT": ("iShares S&P Small-Cap 600 Growth ETF", "US equity"),
    "ITOT": ("iShares Core S&P Total U.S. Stock Market ETF", "US equity"),
    "IUSV": ("iShares Core S&P U.S. Value ETF", "US equity"),
    "IVE": ("iShares S&P 500 Value ETF", "US equity"),
    "IVV": ("iShares Core S&P 500 ETF", "US equity"),
    "IVW": ("iShares S&P 500 Growth ETF", "US equity"),
    "IWB": ("iShares Russell 1000 ETF", "US equity"),
    "IWD": ("iShares Russell 1000 Value ETF", "US equity"),
    "IWF": ("iShares Russell 1000 Growth ETF", "US equity"),
    "IWM": ("iShares Russell 2000 ETF", "US equity"),
    "IWN": ("iShares Russell 2000 Value ETF", "US equity"),
    "IWO": ("iShares Russell 2000 Growth ETF", "US equity"),
    "IWV": ("iShares Russell 3000 ETF", "US equity"),
    "MDY": ("SPDR S&P MidCap 400 ETF Trust", "US equity"),
    "MDYG": ("SPDR S&P 400 Mid Cap Growth ETF", "US equity"),
    "MDYV": ("SPDR S&P 400 Mid Cap Value ETF", "US equity"),
    "MTUM": ("iShares MSCI USA Momentum Factor ETF", "US equity"),
    "QQEW": ("First Trust NASDAQ-100 Equal Weighted Index Fund", "US equity"),
    "QQQ": ("Invesco QQQ Trust", "US equity"),
    "QUAL": ("iShares MSCI USA Quality Factor ETF", "US equity"),
    "RSP": ("Invesco S&P 500 Equal Weight ETF", "US equity"),
    "RSPT": ("Invesco S&P 500 Equal Weight Technology ETF", "US equity"),
    "SCHD": ("Schwab U.S. Dividend Equity ETF", "US equity"),
    "SGOV": ("iShares 0-3 Month Treasury Bond ETF", "Short-term Treasury"),
    "SHY": ("iShares 1-3 Year Treasury Bond ETF", "Bond"),
    "SIZE": ("iShares MSCI USA Size Factor ETF", "US equity"),
    "SPHQ": ("Invesco S&P 500 Quality ETF", "US equity"),
    "SPLV": ("Invesco S&P 500 Low Volatility ETF", "US equity"),
    "SPMD": ("SPDR Portfolio S&P 400 Mid Cap ETF", "US equity"),
    "SPSM": ("SPDR Portfolio S&P 600 Small Cap ETF", "US equity"),
    "SPY": ("SPDR S&P 500 ETF Trust", "US equity"),
    "SPYG": ("SPDR Portfolio S&P 500 Growth ETF", "US equity"),
    "SPYM": ("SPDR Portfolio S&P 500 ETF (formerly SPLG)", "US equity"),
    "SPYV": ("SPDR Portfolio S&P 500 Value ETF", "US equity"),
    "TLT": ("iShares 20+ Year Treasury Bond ETF", "Bond"),
    "USMV": ("iShares MSCI USA Min Vol Factor ETF", "US equity"),
    "VB": ("Vanguard Small-Cap ETF", "US equity"),
    "VBR": ("Vanguard Small-Cap Value ETF", "US equity"),
    "VEA": ("Vanguard FTSE Developed Markets ETF", "International equity"),
    "VIG": ("Vanguard Dividend Appreciation ETF", "US equity"),
    "VLUE": ("iShares MSCI USA Value Factor ETF", "US equity"),
    "VO": ("Vanguard Mid-Cap ETF", "US equity"),
    "VONV": ("Vanguard Russell 1000 Value ETF", "US equity"),
    "VOO": ("Vanguard S&P 500 ETF", "US equity"),
    "VOOG": ("Vanguard S&P 500 Growth ETF", "US equity"),
    "VOOV": ("Vanguard S&P 500 Value ETF", "US equity"),
    "VTI": ("Vanguard Total Stock Market ETF", "US equity"),
    "VTV": ("Vanguard Value ETF", "US equity"),
    "VUG": ("Vanguard Growth ETF", "US equity"),
    "VWO": ("Vanguard FTSE Emerging Markets ETF", "International equity"),
    "VYM": ("Vanguard High Dividend Yield ETF", "US equity"),
    "XLB": ("Materials Select Sector SPDR Fund", "US equity"),
    "XLC": ("Communication Services Select Sector SPDR Fund", "US equity"),
    "XLE": ("Energy Select Sector SPDR Fund", "US equity"),
    "XLF": ("Financial Select Sector SPDR Fund", "US equity"),
    "XLI": ("Industrial Select Sector SPDR Fund", "US equity"),
    "XLK": ("Technology Select Sector SPDR Fund", "US equity"),
    "XLP": ("Consumer Staples Select Sector SPDR Fund", "US equity"),
    "XLRE": ("Real Estate Select Sector SPDR Fund", "US equity"),
    "XLU": ("Utilities Select Sector SPDR Fund", "US equity"),
    "XLV": ("Health Care Select Sector SPDR Fund", "US equity"),
    "XLY": ("Consumer Discretionary Select Sector SPDR Fund", "US equity"),
}

#: Funds that hold the S&P 500 at index weights: they share the benchmark's look-through.
SP500_TRACKERS = ("SPY", "IVV", "VOO", "SPYM")

#: Fund tickers whose published holdings file is known to be contaminated (checked in the build).
#: Their look-through comes from a cleaner source.
REPLACED_SOURCES = {
    "SPY": "benchmark (SPY.json has ~85 junk lines with non-US countries and duplicate tickers)",
    "SPLG": "benchmark (SPLG.json has ~86 junk lines; the fund trades as SPYM)",
    "VOO": "benchmark (an S&P 500 tracker)",
    "IVV": "benchmark (the iShares CSV is the benchmark source)",
    "IWM": "funds/IWM_2026-05-05_ishares.csv (newer and cleaner than IWM.json)",
}
