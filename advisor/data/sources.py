"""Readers of the raw files in ``../shared/data`` (used only by the snapshot build).

Each reader returns tidy pandas objects in canonical ticker spelling and says nothing about what
the project does with them. The raw files are never copied into the project.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import DataError
from advisor.holdings.tickers import canonical

PRICES_DAILY = "prices/daily_sp1500_etfs_2015-2026.parquet"
PRICES_ETF_DAILY = "prices/daily_etfs_1993-2026.parquet"
PRICES_MONTHLY = "prices/monthly_sp1500_r2000_etfs_2000-2026.parquet"
MEMBERSHIP = "prices/membership.csv"
SP500_LISTS = (
    "securities/sp500_constituents_2023-12-31.csv",
    "securities/sp500_constituents_2024-12-27.csv",
    "securities/sp500_constituents_2025-08-12.csv",
    "securities/sp500_constituents_2026-08-08.csv",
)
SP500_FINANCIALS = (
    "securities/sp500_financials_2024-12-01.csv",
    "securities/sp500_financials_2025-01-01.csv",
    "securities/sp500_financials_2025-02-01.csv",
    "securities/sp500_financials_2026-08-22.csv",
)
SP400 = "securities/sp400_2026-04-17.csv"
SP600 = "securities/sp600_2026-04-17.csv"
NDX = "securities/nasdaq100_2026-04-17.csv"
IVV_CSV = "funds/IVV_2025-11-18_ishares.csv"
IWM_CSV = "funds/IWM_2026-05-05_ishares.csv"
QQQ_CSV = "funds/QQQ_2025-09-24_invesco.csv"
FUND_JSON_DIR = "funds/json_2025-11"
# -- added 2026-11: the whole US market --------------------------------------------------------
PRICES_ALL = "prices/daily_us_all_2023-2026.parquet"
PRICES_FUNDS_LONG = "prices/daily_funds_long.parquet"
US_SYMBOLS = "securities/us_symbols.csv"
MUTUAL_FUND_LIST = "securities/mfundslist_2022-06-02.txt"
HOLDINGS_DIR = "funds/holdings_2025-2026"

#: GICS sector names as the snapshot spells them.
SECTORS = (
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
)
_SECTOR_ALIASES = {
    "communication": "Communication Services",
    "telecommunication services": "Communication Services",
    "telecommunications": "Communication Services",
    "information technology": "Information Technology",
    "technology": "Information Technology",
    "consumer discretionary": "Consumer Discretionary",
    "consumer staples": "Consumer Staples",
    "health care": "Health Care",
    "healthcare": "Health Care",
    "real estate": "Real Estate",
    "materials": "Materials",
    "basic materials": "Materials",
}


def sector_name(raw: object) -> str | None:
    """GICS sector in the snapshot's spelling, or None for anything that is not a sector."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    for s in SECTORS:
        if text.lower() == s.lower():
            return s
    return _SECTOR_ALIASES.get(text.lower())


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class RawData:
    """The raw data folder, read lazily, each file at most once."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not (self.root / "README.md").exists() or not (self.root / PRICES_DAILY).exists():
            raise DataError(
                f"{self.root} does not look like the shared market data folder "
                f"(no README.md or {PRICES_DAILY})",
                "Pass the folder with --source, e.g. advisor data build --source ../shared/data",
            )
        self._cache: dict[str, object] = {}
        self.used: set[str] = set()

    def path(self, rel: str) -> Path:
        self.used.add(rel)
        return self.root / rel

    def _memo(self, key: str, fn):  # type: ignore[no-untyped-def]
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # -- prices ---------------------------------------------------------------------------------
    def _prices(self, rel: str) -> pd.DataFrame:
        def load() -> pd.DataFrame:
            df = pd.read_parquet(self.path(rel)).astype("float64")
            df.columns = [canonical(c) if not c.startswith("^") else c for c in df.columns]
            df.index = pd.DatetimeIndex(df.index).normalize()
            return df.sort_index()

        return self._memo(rel, load)  # type: ignore[no-any-return]

    def daily(self) -> pd.DataFrame:
        """Adjusted closes, 2015-2026, S&P 1500 + ETFs (date x ticker)."""
        return self._prices(PRICES_DAILY)

    def etf_daily(self) -> pd.DataFrame:
        """Adjusted closes of the ETFs from inception (date x ticker)."""
        return self._prices(PRICES_ETF_DAILY)

    def daily_all(self) -> pd.DataFrame:
        """Adjusted closes 2023-2026 of every US ticker of the source (date x ticker)."""
        return self._prices(PRICES_ALL)

    def funds_long(self) -> pd.DataFrame:
        """Adjusted closes 2005-2026 of the ETFs and mutual funds of :meth:`daily_all`."""
        return self._prices(PRICES_FUNDS_LONG)

    def monthly(self) -> pd.DataFrame:
        """Month-end adjusted closes 2000-2026 (last row: partial month)."""
        return self._prices(PRICES_MONTHLY)

    def membership(self) -> pd.DataFrame:
        def load() -> pd.DataFrame:
            m = pd.read_csv(self.path(MEMBERSHIP))
            m["ticker"] = [canonical(t) if not t.startswith("^") else t for t in m["ticker"]]
            return m.set_index("ticker")

        return self._memo(MEMBERSHIP, load)  # type: ignore[no-any-return]

    # -- securities -----------------------------------------------------------------------------
    def sp500_lists(self) -> dict[str, pd.DataFrame]:
        """S&P 500 constituent lists by date: Symbol (canonical), Security, GICS Sector, CIK."""
        out = {}
        for rel in SP500_LISTS:
            df = pd.read_csv(self.path(rel))
            df["ticker"] = df["Symbol"].map(canonical)
            out[rel.split("_")[-1].removesuffix(".csv")] = df.set_index("ticker")
        return out

    def sp500_financials(self) -> dict[str, pd.DataFrame]:
        """S&P 500 financials by date: Price, Market Cap (whole company), Price/Book."""
        out = {}
        for rel in SP500_FINANCIALS:
            df = pd.read_csv(self.path(rel))
            df["ticker"] = df["Symbol"].map(canonical)
            out[rel.split("_")[-1].removesuffix(".csv")] = df.set_index("ticker")
        return out

    def simple_list(self, rel: str) -> pd.DataFrame:
        df = pd.read_csv(self.path(rel))
        df["ticker"] = df["Ticker"].map(canonical)
        return df.set_index("ticker")

    def us_symbols(self) -> pd.DataFrame:
        """The symbol directory: name, kind, exchange, source per canonical ticker.

        Read with ``keep_default_na=False`` so that tickers such as ``NA`` stay tickers.
        """

        def load() -> pd.DataFrame:
            df = pd.read_csv(self.path(US_SYMBOLS), keep_default_na=False, na_values=[""])
            df["ticker"] = [canonical(t) if not t.startswith("^") else t for t in df["ticker"]]
            return df.drop_duplicates("ticker").set_index("ticker")

        return self._memo(US_SYMBOLS, load)  # type: ignore[no-any-return]

    def mutual_fund_list(self) -> pd.DataFrame:
        """NASDAQ's mutual fund list: ticker, name, family, type (``$$``/``$S`` money market)."""
        df = pd.read_csv(
            self.path(MUTUAL_FUND_LIST), sep="|", dtype=str, keep_default_na=False, na_values=[""]
        )
        df = df[df["Fund Symbol"].notna() & ~df["Fund Symbol"].str.startswith("File Creation")]
        df = df.rename(
            columns={"Fund Symbol": "ticker", "Fund Name": "name", "Fund Family Name": "family"}
        )
        df["ticker"] = df["ticker"].map(canonical)
        return df[["ticker", "name", "family", "Type"]].rename(columns={"Type": "type"})

    # -- funds ----------------------------------------------------------------------------------
    def holdings_file(self, rel: str) -> pd.DataFrame:
        """A ``holdings_2025-2026`` file: ticker (as published), name, sector, weight (fraction).

        Tickers are kept as the issuer wrote them (``2330``, ``005930``, ``BRKB``): resolving
        them is the look-through's business. Blank tickers become ``""``.
        """
        df = pd.read_csv(
            self.path(rel), dtype={"ticker": str}, keep_default_na=False, na_values=[""]
        )
        df["ticker"] = df["ticker"].fillna("").astype(str).str.strip()
        df["name"] = df["name"].fillna("").astype(str).str.strip()
        df["weight"] = pd.to_numeric(df["weight"], errors="coerce") / 100.0
        df["sector_raw"] = df["sector"]
        df["sector"] = df["sector"].map(sector_name)
        return df[["ticker", "name", "sector", "sector_raw", "weight"]]

    def holdings_files(self) -> list[tuple[str, str, str, str]]:
        """(fund, as-of date, issuer, relative path) of every ``holdings_2025-2026`` file."""
        out = []
        for p in sorted((self.root / HOLDINGS_DIR).glob("*.csv")):
            fund, date, issuer = p.stem.split("_")
            out.append((fund, date, issuer, f"{HOLDINGS_DIR}/{p.name}"))
        return out

    def ishares_csv(self, rel: str) -> pd.DataFrame:
        """An iShares holdings CSV: 9 preamble lines, then the table, then a disclaimer."""
        df = pd.read_csv(self.path(rel), skiprows=9, thousands=",", encoding="utf-8-sig")
        df = df[df["Ticker"].notna() & df["Asset Class"].notna()].copy()
        df["ticker"] = df["Ticker"].astype(str).map(canonical)
        # "Weight (%)" is rounded to 0.01 %: weights come from the exact market values.
        mv = pd.to_numeric(df["Market Value"], errors="coerce")
        df["weight"] = mv / mv.sum()
        df["equity"] = df["Asset Class"].eq("Equity")
        df["sector"] = df["Sector"].map(sector_name)
        return df[["ticker", "Name", "sector", "weight", "equity"]].rename(columns={"Name": "name"})

    def invesco_csv(self, rel: str) -> pd.DataFrame:
        """The Invesco QQQ holdings CSV (tickers with trailing spaces, quoted thousands)."""
        df = pd.read_csv(self.path(rel), thousands=",")
        df["ticker"] = df["Holding Ticker"].astype(str).map(canonical)
        mv = pd.to_numeric(df["MarketValue"], errors="coerce")
        df["weight"] = mv / mv.sum()
        df["equity"] = True
        df["sector"] = df["Sector"].map(sector_name)
        return df[["ticker", "Name", "sector", "weight", "equity"]].rename(columns={"Name": "name"})

    def fund_json(self, fund: str) -> pd.DataFrame:
        """A ``json_2025-11/FUND.json`` holdings list (weights in percent in the file)."""
        with open(self.path(f"{FUND_JSON_DIR}/{fund}.json"), encoding="utf-8") as f:
            df = pd.DataFrame(json.load(f))
        df["ticker"] = df["ticker"].astype(str).map(canonical)
        df["weight"] = pd.to_numeric(df["weight"], errors="coerce") / 100.0
        df["equity"] = True
        df["sector"] = df["sector"].map(sector_name)
        return df[["ticker", "name", "sector", "weight", "equity"]]

    def json_funds(self) -> list[str]:
        folder = self.root / FUND_JSON_DIR
        return sorted(p.stem for p in folder.glob("*.json") if not p.stem.endswith("_metadata"))

    def hashes(self) -> dict[str, str]:
        """SHA-256 of every raw file the build read so far."""
        return {rel: sha256(self.root / rel) for rel in sorted(self.used)}


def last_price(prices: pd.DataFrame, asof: pd.Timestamp, max_age_days: int) -> pd.DataFrame:
    """Last close on or before ``asof`` per ticker, with its date; NaN when older than allowed."""
    upto = prices.loc[:asof]
    seen = upto.notna()
    price = upto.ffill().iloc[-1]
    date = pd.Series(seen.iloc[::-1].idxmax(), index=upto.columns).where(seen.any())
    date = pd.to_datetime(date)
    stale = (asof - date).dt.days > max_age_days
    price[stale | date.isna()] = np.nan
    return pd.DataFrame({"price": price, "price_date": date})
