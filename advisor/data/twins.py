"""Index mutual funds and the ETF that holds the same index portfolio (their "twin").

Few mutual funds have prices in the data, and no holdings file; but many common index mutual
funds track exactly the index of an ETF the snapshot knows, often as a share class of the same
fund (Vanguard's ETF Shares are a class of the fund: VFIAX, VOO and VFINX are one portfolio). A
twin is a security of kind ``mutual_fund`` whose ``twin`` column names that ETF; it takes the
ETF's asset class and risk-model row (``method`` ``twin``), and its price from the data where it
has one (else NaN: the client's file must give the price or value).

Only **same-index** twins are listed: the index each fund tracks is as its family states it in the
fund's prospectus and fact sheet (the ``source`` of each line). Three total-market funds the issue
names are the exception, and say so: FSKAX and SWTSX track the Dow Jones U.S. Total Stock Market
Index and FZROX the Fidelity U.S. Total Investable Market Index, not VTI's CRSP US Total Market
Index; all three are cap-weighted indices of the whole US market (their holdings overlap by
weight almost entirely), so VTI stands in for them, with ``same_index`` False in the table.
Not listed: balanced funds (VBIAX: 60 % CRSP US Total Market and 40 % Bloomberg US Aggregate
Float Adjusted, no one ETF), active funds (VWELX, FCNTX, AGTHX, DODGX), target-date funds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from advisor.data.sources import RawData


@dataclass(frozen=True)
class Twin:
    """A mutual fund, its ETF twin, the index both track, and whose statement says so."""

    fund: str
    etf: str
    index: str
    source: str
    same_index: bool = True


def _vanguard(funds: str, etf: str, fund_name: str, index: str) -> list[Twin]:
    """Share classes of one Vanguard fund whose ETF Shares are ``etf``."""
    source = (
        f"Vanguard {fund_name} prospectus: {', '.join(funds.split())} and {etf} (ETF Shares) "
        f"are share classes of one fund tracking the {index}"
    )
    return [Twin(f, etf, index, source) for f in funds.split()]


def _other(fund: str, etf: str, family_fund: str, index: str, etf_issuer: str) -> Twin:
    source = (
        f"{family_fund} prospectus: tracks the {index}; {etf_issuer} {etf} tracks the same index"
    )
    return Twin(fund, etf, index, source)


SP500 = "S&P 500 Index"
TWINS: tuple[Twin, ...] = (
    *_vanguard("VFIAX VFINX VFFSX", "VOO", "500 Index Fund", SP500),
    _other("VINIX", "IVV", "Vanguard Institutional Index Fund", SP500, "iShares"),
    _other("VIIIX", "IVV", "Vanguard Institutional Index Fund (Institutional Plus)", SP500, "iShares"),
    _other("FXAIX", "IVV", "Fidelity 500 Index Fund", SP500, "iShares"),
    _other("SWPPX", "IVV", "Schwab S&P 500 Index Fund", SP500, "iShares"),
    _other("PREIX", "IVV", "T. Rowe Price Equity Index 500 Fund", SP500, "iShares"),
    *_vanguard("VTSAX VTSMX VITSX VSMPX", "VTI", "Total Stock Market Index Fund", "CRSP US Total Market Index"),
    Twin("FSKAX", "VTI", "Dow Jones U.S. Total Stock Market Index",
         "Fidelity Total Market Index Fund prospectus: tracks the Dow Jones U.S. Total Stock Market "
         "Index (VTI: CRSP US Total Market Index; same market, another index)", same_index=False),
    Twin("FZROX", "VTI", "Fidelity U.S. Total Investable Market Index",
         "Fidelity ZERO Total Market Index Fund prospectus: tracks the Fidelity U.S. Total "
         "Investable Market Index (VTI: CRSP US Total Market Index; same market, another index)",
         same_index=False),
    Twin("SWTSX", "VTI", "Dow Jones U.S. Total Stock Market Index",
         "Schwab Total Stock Market Index Fund prospectus: tracks the Dow Jones U.S. Total Stock "
         "Market Index (VTI: CRSP US Total Market Index; same market, another index)",
         same_index=False),
    *_vanguard("VTIAX VGTSX VTSNX VTPSX", "VXUS", "Total International Stock Index Fund", "FTSE Global All Cap ex US Index"),
    _other("FTIHX", "IXUS", "Fidelity Total International Index Fund", "MSCI ACWI ex USA Investable Market Index", "iShares"),
    _other("FSPSX", "EFA", "Fidelity International Index Fund", "MSCI EAFE Index", "iShares"),
    _other("SWISX", "EFA", "Schwab International Index Fund", "MSCI EAFE Index", "iShares"),
    _other("FPADX", "EEM", "Fidelity Emerging Markets Index Fund", "MSCI Emerging Markets Index", "iShares"),
    *_vanguard("VTMGX VDVIX", "VEA", "Developed Markets Index Fund", "FTSE Developed All Cap ex US Index"),
    *_vanguard("VEMAX VEIEX", "VWO", "Emerging Markets Stock Index Fund", "FTSE Emerging Markets All Cap China A Inclusion Index"),
    *_vanguard("VFWAX", "VEU", "FTSE All-World ex-US Index Fund", "FTSE All-World ex US Index"),
    *_vanguard("VFSAX", "VSS", "FTSE All-World ex-US Small-Cap Index Fund", "FTSE Global Small Cap ex US Index"),
    *_vanguard("VTWAX", "VT", "Total World Stock Index Fund", "FTSE Global All Cap Index"),
    *_vanguard("VEUSX", "VGK", "European Stock Index Fund", "FTSE Developed Europe All Cap Index"),
    *_vanguard("VPADX", "VPL", "Pacific Stock Index Fund", "FTSE Developed Asia Pacific All Cap Index"),
    *_vanguard("VBTLX VBMFX VBTIX", "BND", "Total Bond Market Index Fund", "Bloomberg US Aggregate Float Adjusted Index"),
    _other("FXNAX", "AGG", "Fidelity U.S. Bond Index Fund", "Bloomberg U.S. Aggregate Bond Index", "iShares"),
    _other("SWAGX", "AGG", "Schwab U.S. Aggregate Bond Index Fund", "Bloomberg U.S. Aggregate Bond Index", "iShares"),
    _other("FIPDX", "SCHP", "Fidelity Inflation-Protected Bond Index Fund", "Bloomberg U.S. Treasury Inflation-Linked Bond Index (Series-L)", "Schwab"),
    *_vanguard("VTABX", "BNDX", "Total International Bond Index Fund", "Bloomberg Global Aggregate ex-USD Float Adjusted RIC Capped Index (USD Hedged)"),
    *_vanguard("VBIRX", "BSV", "Short-Term Bond Index Fund", "Bloomberg U.S. 1-5 Year Government/Credit Float Adjusted Index"),
    *_vanguard("VBILX", "BIV", "Intermediate-Term Bond Index Fund", "Bloomberg U.S. 5-10 Year Government/Credit Float Adjusted Index"),
    *_vanguard("VBLAX", "BLV", "Long-Term Bond Index Fund", "Bloomberg U.S. Long Government/Credit Float Adjusted Index"),
    *_vanguard("VSCSX", "VCSH", "Short-Term Corporate Bond Index Fund", "Bloomberg U.S. 1-5 Year Corporate Bond Index"),
    *_vanguard("VICSX", "VCIT", "Intermediate-Term Corporate Bond Index Fund", "Bloomberg U.S. 5-10 Year Corporate Bond Index"),
    *_vanguard("VLTCX", "VCLT", "Long-Term Corporate Bond Index Fund", "Bloomberg U.S. 10+ Year Corporate Bond Index"),
    *_vanguard("VSBSX", "VGSH", "Short-Term Treasury Index Fund", "Bloomberg U.S. Treasury 1-3 Year Index"),
    *_vanguard("VSIGX", "VGIT", "Intermediate-Term Treasury Index Fund", "Bloomberg U.S. Treasury 3-10 Year Index"),
    *_vanguard("VLGSX", "VGLT", "Long-Term Treasury Index Fund", "Bloomberg U.S. Long Treasury Index"),
    *_vanguard("VMBSX", "VMBS", "Mortgage-Backed Securities Index Fund", "Bloomberg U.S. MBS Float Adjusted Index"),
    *_vanguard("VTAPX", "VTIP", "Short-Term Inflation-Protected Securities Index Fund", "Bloomberg U.S. TIPS 0-5 Year Index"),
    *_vanguard("VTEAX", "VTEB", "Tax-Exempt Bond Index Fund", "S&P National AMT-Free Municipal Bond Index"),
    *_vanguard("VIGAX VIGRX VIGIX", "VUG", "Growth Index Fund", "CRSP US Large Cap Growth Index"),
    *_vanguard("VVIAX VIVAX VIVIX", "VTV", "Value Index Fund", "CRSP US Large Cap Value Index"),
    *_vanguard("VLCAX", "VV", "Large-Cap Index Fund", "CRSP US Large Cap Index"),
    *_vanguard("VIMAX VIMSX VMCIX", "VO", "Mid-Cap Index Fund", "CRSP US Mid Cap Index"),
    *_vanguard("VMGMX", "VOT", "Mid-Cap Growth Index Fund", "CRSP US Mid Cap Growth Index"),
    *_vanguard("VMVAX", "VOE", "Mid-Cap Value Index Fund", "CRSP US Mid Cap Value Index"),
    *_vanguard("VSMAX NAESX VSCIX", "VB", "Small-Cap Index Fund", "CRSP US Small Cap Index"),
    *_vanguard("VSGAX", "VBK", "Small-Cap Growth Index Fund", "CRSP US Small Cap Growth Index"),
    *_vanguard("VSIAX", "VBR", "Small-Cap Value Index Fund", "CRSP US Small Cap Value Index"),
    *_vanguard("VEXAX VIEIX", "VXF", "Extended Market Index Fund", "S&P Completion Index"),
    *_vanguard("VDADX", "VIG", "Dividend Appreciation Index Fund", "S&P U.S. Dividend Growers Index"),
    *_vanguard("VHYAX", "VYM", "High Dividend Yield Index Fund", "FTSE High Dividend Yield Index"),
    *_vanguard("VIHAX", "VYMI", "International High Dividend Yield Index Fund", "FTSE All-World ex US High Dividend Yield Index"),
    *_vanguard("VIAAX", "VIGI", "International Dividend Appreciation Index Fund", "S&P Global Ex-U.S. Dividend Growers Index"),
    *_vanguard("VGSLX VGSIX", "VNQ", "Real Estate Index Fund", "MSCI US Investable Market Real Estate 25/50 Index"),
    *_vanguard("VITAX", "VGT", "Information Technology Index Fund", "MSCI US IMI Information Technology 25/50 Index"),
    *_vanguard("VHCIX", "VHT", "Health Care Index Fund", "MSCI US IMI Health Care 25/50 Index"),
    *_vanguard("VENAX", "VDE", "Energy Index Fund", "MSCI US IMI Energy 25/50 Index"),
    *_vanguard("VINAX", "VIS", "Industrials Index Fund", "MSCI US IMI Industrials 25/50 Index"),
    *_vanguard("VMIAX", "VAW", "Materials Index Fund", "MSCI US IMI Materials 25/50 Index"),
    *_vanguard("VUIAX", "VPU", "Utilities Index Fund", "MSCI US IMI Utilities 25/50 Index"),
    *_vanguard("VCDAX", "VCR", "Consumer Discretionary Index Fund", "MSCI US IMI Consumer Discretionary 25/50 Index"),
    *_vanguard("VCSAX", "VDC", "Consumer Staples Index Fund", "MSCI US IMI Consumer Staples 25/50 Index"),
    *_vanguard("VTCAX", "VOX", "Communication Services Index Fund", "MSCI US IMI Communication Services 25/50 Index"),
    _other("FSMDX", "IWR", "Fidelity Mid Cap Index Fund", "Russell Midcap Index", "iShares"),
    _other("SWMCX", "IWR", "Schwab U.S. Mid-Cap Index Fund", "Russell Midcap Index", "iShares"),
    _other("FSSNX", "IWM", "Fidelity Small Cap Index Fund", "Russell 2000 Index", "iShares"),
    _other("SWSSX", "IWM", "Schwab Small-Cap Index Fund", "Russell 2000 Index", "iShares"),
    _other("FSPGX", "IWF", "Fidelity Large Cap Growth Index Fund", "Russell 1000 Growth Index", "iShares"),
    _other("SWLGX", "IWF", "Schwab U.S. Large-Cap Growth Index Fund", "Russell 1000 Growth Index", "iShares"),
    _other("FLCOX", "IWD", "Fidelity Large Cap Value Index Fund", "Russell 1000 Value Index", "iShares"),
    _other("SWLVX", "IWD", "Schwab U.S. Large-Cap Value Index Fund", "Russell 1000 Value Index", "iShares"),
    _other("FNCMX", "ONEQ", "Fidelity Nasdaq Composite Index Fund", "Nasdaq Composite Index", "Fidelity"),
)  # fmt: skip

#: NASDAQ fund-list types kept in the names table: open-end funds and money-market funds
#: (``$$``, ``$S``); unit investment trusts, collective trusts, annuities, models and test
#: funds are not mutual funds a client holds in a brokerage account.
MUTUAL_FUND_TYPES = ("MF", "MS", "$$", "$S")
MONEY_MARKET_TYPES = ("$$", "$S")


def twin_table() -> pd.DataFrame:
    """The twins as a table indexed by mutual-fund ticker: etf, index, same_index, source."""
    rows = [
        {"ticker": t.fund, "etf": t.etf, "index": t.index, "same_index": t.same_index,
         "source": t.source}
        for t in TWINS
    ]  # fmt: skip
    return pd.DataFrame(rows).set_index("ticker")


def mutual_fund_names(raw: RawData) -> pd.DataFrame:
    """Ticker -> name, family, money_market for every mutual fund of the NASDAQ list."""
    df = raw.mutual_fund_list()
    df = df[df["type"].isin(MUTUAL_FUND_TYPES) & df["family"].ne("NASDAQ Test Funds")]
    df = df.drop_duplicates("ticker").sort_values("ticker")
    out = pd.DataFrame(
        {
            "ticker": df["ticker"].to_numpy(),
            "name": df["name"].str.strip().to_numpy(),
            "family": pd.Categorical(df["family"].fillna("").str.strip()),
            "money_market": df["type"].isin(MONEY_MARKET_TYPES).to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def twin_rows(sec: pd.DataFrame, names: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set the ``twin`` column of priced twins in ``sec`` (in place) and return the rows of
    twins without prices (kind mutual_fund, price NaN), and the twin table of the snapshot."""
    table = twin_table()
    missing = sorted(set(table["etf"]) - set(sec.index))
    if missing:
        raise ValueError(f"twins name ETFs the snapshot does not have: {missing}")
    unnamed = sorted(set(table.index) - set(names["ticker"]))
    if unnamed:
        raise ValueError(f"twins not in the mutual fund list: {unnamed}")
    sec["twin"] = table["etf"].reindex(sec.index)
    new = table.index.difference(sec.index)
    fund_names = names.set_index("ticker")["name"]
    rows = pd.DataFrame(index=pd.Index(new, name="ticker"))
    for flag in ("in_sp500", "in_sp400", "in_sp600", "in_iwm", "in_iwb", "has_daily"):
        rows[flag] = False
    rows["is_etf"] = True
    rows["name"] = fund_names.reindex(new).to_numpy()
    rows["sector"] = "Fund"
    rows["company"] = rows.index
    rows["price"] = float("nan")
    rows["market_cap_source"] = "unknown"
    rows["size"] = "fund"
    rows["kind"] = "mutual_fund"
    rows["twin"] = table["etf"].reindex(new).to_numpy()
    named = table.index.intersection(sec.index)
    sec.loc[named, "name"] = fund_names.reindex(named).to_numpy()
    return rows, table
