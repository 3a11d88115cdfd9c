"""Foreign lines of international funds: which are US listings, which are foreign companies.

The international holdings files (VXUS VEA VWO VSS from Vanguard, IEMG EFA IXUS from iShares)
give each line the local ticker of its home market: ``2330`` is Taiwan Semiconductor in Taipei,
``700`` Tencent in Hong Kong, ``MRK`` Merck KGaA in Frankfurt. A local code is **not** a US
ticker, so a line of an international fund is resolved in this order:

1. **US listing**: the line's ticker resolves to a US-listed stock of the snapshot AND the line's
   name names the same company (:func:`advisor.data.names.names_match`: ``ASML HOLDING NV`` is
   ASML Holding N.V., the NASDAQ listing; ``SHOPIFY`` in VEA is the NYSE/TSX SHOP), except the
   :data:`HOMONYMS` (same ticker and name, different companies).
2. **ADR table**: a few large foreign companies whose US depositary receipts trade in the US are
   mapped deliberately to the ADR (:data:`ADRS`: TSMC -> TSM, Novo Nordisk -> NVO, ...), so that
   VXUS's TSMC and a client's direct TSM holding are one company in the look-through and its risk
   comes from the ADR's daily returns. A company held through the ADR table keeps its weight in
   the fund; the ADR's price carries it to the snapshot date.
3. **Foreign security**: any other equity line is a security of its own, ``kind`` ``foreign``,
   id ``F:`` + the normalised name (:func:`advisor.data.names.normalise`), so the same company in
   VXUS, IXUS, IEMG and VWO is one id whatever each issuer's spelling. It has no price and no
   risk-model row (in a portfolio's risk it folds into its fund's own row); its sector is the
   iShares line's GICS sector where one exists; its asset class comes from which funds hold it
   (:func:`foreign_asset_class`).
"""

from __future__ import annotations

import pandas as pd

from advisor.data.names import names_match, normalise

FOREIGN_PREFIX = "F:"
EMERGING_FUNDS = ("VWO", "IEMG")
DEVELOPED_FUNDS = ("VEA", "EFA")
EMERGING = "Emerging-markets equity"
DEVELOPED = "International developed equity"

#: Normalised name of a foreign company -> the ticker of its US ADR (or US line) in the snapshot.
#: The 26 largest foreign companies of VXUS/IXUS/IEMG/EFA (by look-through weight) whose home
#: line does not resolve by ticker and whose US listing is the same company (checked by name in
#: ``securities/us_symbols.csv``; the build checks each ticker is a snapshot stock).
ADRS: dict[str, str] = {
    "TAIWAN SEMICONDUCTOR MANUFACTURING": "TSM",
    "ALIBABA": "BABA",
    "HSBC": "HSBC",
    "NOVARTIS": "NVS",
    "HDFC BANK": "HDB",
    "TOYOTA MOTOR": "TM",
    "SONY": "SONY",
    "MITSUBISHI UFJ FINANCIAL": "MUFG",
    "NOVO NORDISK": "NVO",
    "UNILEVER": "UL",
    "ICICI BANK": "IBN",
    "UBS": "UBS",
    "SANOFI": "SNY",
    "NETEASE": "NTES",
    "RELX": "RELX",
    "BARCLAYS": "BCS",
    "TRIP": "TCOM",  # Trip.com Group (".COM" reads as a cut-off "COMPANY")
    "LLOYDS BANKING": "LYG",
    "JD": "JD",  # JD.com
    "DEUTSCHE BANK": "DB",
    "ANHEUSER BUSCH INBEV": "BUD",
    "BAIDU": "BIDU",
    "DIAGEO": "DEO",
    "TAKEDA PHARMACEUTICAL": "TAK",
    "HONDA MOTOR": "HMC",
    "VALE": "VALE",
    "CIA VALE DO RIO DOCE SH": "VALE",  # iShares' spelling of Vale SA
}
#: (line ticker, normalised line name) of international-fund lines whose ticker and name match a
#: US listing that is a different company: Merck KGaA (Frankfurt MRK) is not Merck & Co.; EQT AB
#: (Stockholm) is not EQT Corporation; APA Group (Sydney) is not APA Corporation.
HOMONYMS: frozenset[tuple[str, str]] = frozenset({("MRK", "MERCK"), ("EQT", "EQT"), ("APA", "APA")})


def same_company(line_ticker: str, line_name: str, us_name: object) -> bool:
    """True when an international fund's line is the US listing its ticker resolved to."""
    if (line_ticker.strip().upper(), normalise(line_name)) in HOMONYMS:
        return False
    return names_match(line_name, us_name)


def foreign_id(name: str) -> str | None:
    """``F:`` + the normalised name, or None for a line without a usable name."""
    key = normalise(name)
    return f"{FOREIGN_PREFIX}{key}" if key else None


def foreign_asset_class(funds: set[str]) -> str:
    """The asset class of a foreign company from the funds that hold it.

    Held by an emerging-markets fund (VWO, IEMG) -> emerging markets; else held by a developed
    fund (VEA, EFA) -> developed; else (only in VXUS, IXUS or VSS, which hold both) developed,
    the larger part of those funds. South Korea and Poland are developed for FTSE (VEA) and
    emerging for MSCI (IEMG): the first rule makes them emerging.
    """
    if funds & set(EMERGING_FUNDS):
        return EMERGING
    return DEVELOPED


def foreign_rows(lines: pd.DataFrame) -> pd.DataFrame:
    """Security rows for the foreign ids of the look-through lines.

    ``lines`` has one row per file line with ``fund``, ``id``, ``name``, ``sector`` (GICS or NaN)
    and ``weight`` (zero-weight lines included: they say which funds hold the company). A row
    for each id with a positive weight somewhere. Name: the spelling of the heaviest line;
    sector: the most common GICS sector of its lines (Unknown when no line has one); asset
    class: :func:`foreign_asset_class` of every fund holding it.
    """
    lines = lines[lines["id"].str.startswith(FOREIGN_PREFIX)]
    weighted = lines.groupby("id")["weight"].sum()
    lines = lines[lines["id"].isin(weighted.index[weighted > 0])]
    heaviest = lines.sort_values("weight", ascending=False).drop_duplicates("id")
    names = heaviest.set_index("id")["name"]
    counted = lines.dropna(subset=["sector"]).groupby(["id", "sector"]).size()
    counted = counted.sort_values(ascending=False).reset_index().drop_duplicates("id")
    sectors = counted.set_index("id")["sector"]
    held = lines.groupby("id")["fund"].agg(lambda f: ",".join(sorted(set(f))))
    out = pd.DataFrame(index=pd.Index(sorted(held.index), name="ticker"))
    out["name"] = names.reindex(out.index)
    out["sector"] = sectors.reindex(out.index).fillna("Unknown")
    out["held_by"] = held.reindex(out.index)
    out["asset_class"] = [foreign_asset_class(set(h.split(","))) for h in out["held_by"]]
    for flag in ("in_sp500", "in_sp400", "in_sp600", "in_iwm", "in_iwb", "is_etf", "has_daily"):
        out[flag] = False
    out["company"] = out.index
    out["kind"] = "foreign"
    out["size"] = "unknown"
    out["market_cap_source"] = "unknown"
    return out
