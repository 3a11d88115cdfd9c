"""The market snapshot: securities, prices, benchmark, fund look-through and the risk model.

Loaded once from ``advisor/data/snapshot`` (built by ``advisor data build``). Nothing here reads
the network or the raw data; everything is indexed by canonical ticker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from advisor.errors import DataError
from advisor.holdings import tickers
from advisor.market import store

SNAPSHOT_DIR = store.PACKAGE_SNAPSHOT  # the snapshot embedded in the package
BENCHMARK_NAME = "S&P 500"
#: The seven megacaps of the brief, in this order; a ticker names its company (GOOGL covers GOOG).
DEFAULT_MEGACAPS = ("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA")
#: Market data older than this many days is called stale in every report.
STALE_AFTER_DAYS = 30


def today() -> date:
    """Today's date (one place to read the clock, so tests can fix it)."""
    return date.today()


@dataclass(frozen=True)
class DataAge:
    """How old the snapshot's market data is on ``today``: ``days`` since ``as_of``."""

    as_of: date
    today: date

    @property
    def days(self) -> int:
        return (self.today - self.as_of).days

    @property
    def stale(self) -> bool:
        """More than :data:`STALE_AFTER_DAYS` days old."""
        return self.days > STALE_AFTER_DAYS

    def to_dict(self) -> dict[str, Any]:
        """``{as_of, age_days, stale, stale_after_days}`` (the JSON ``market_data`` block)."""
        return {
            "as_of": str(self.as_of),
            "age_days": self.days,
            "stale": self.stale,
            "stale_after_days": STALE_AFTER_DAYS,
        }

    def message(self, hint: str = "`advisor data info`") -> str:
        """One line for a report's header; it names the staleness (and ``hint``) when stale."""
        if not self.stale:
            return f"Market data as of {self.as_of} ({self.days} days old)"
        return (
            f"Market data of {self.as_of}, {self.days} days old: prices and risk have moved "
            f"since; {hint}"
        )


def data_age(as_of: date | str | pd.Timestamp, on: date | None = None) -> DataAge:
    """The age of market data of ``as_of`` on the day ``on`` (default: :func:`today`)."""
    return DataAge(pd.Timestamp(as_of).date(), on or today())


def with_market_data(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with ``market_data`` (the data's age) inserted after its ``as_of`` key."""
    if "as_of" not in d or "market_data" in d:
        return d
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v
        if k == "as_of":
            out["market_data"] = data_age(v).to_dict()
    return out


@dataclass(frozen=True, eq=False)
class RiskModel:
    """``Sigma = B F B' + D`` over every security of the snapshot, annualised.

    Attributes
    ----------
    exposures : DataFrame
        B, ticker x factor.
    factor_cov : DataFrame
        F, factor x factor, annualised (252 trading days).
    specific_var : Series
        Diagonal of D by ticker, annualised variance.
    """

    exposures: pd.DataFrame
    factor_cov: pd.DataFrame
    specific_var: pd.Series

    def __post_init__(self) -> None:
        if not self.exposures.columns.equals(self.factor_cov.index):
            raise DataError("risk model: exposures and factor covariance name different factors")
        if not self.exposures.index.equals(self.specific_var.index):
            raise DataError("risk model: exposures and specific variances cover different tickers")

    @property
    def factors(self) -> list[str]:
        return list(self.factor_cov.index)

    @cached_property
    def factor_half(self) -> np.ndarray:
        """``Q`` with ``Q' Q = F`` (the symmetric square root; F may be singular)."""
        vals, vecs = np.linalg.eigh(self.factor_cov.to_numpy())
        return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T

    def covariance_times(self, w: pd.Series) -> pd.Series:
        """``Sigma @ w`` for a weight vector over tickers (factor form, never N x N)."""
        w = w.reindex(self.exposures.index, fill_value=0.0)
        B = self.exposures.to_numpy()
        f = self.factor_cov.to_numpy() @ (B.T @ w.to_numpy())
        return pd.Series(B @ f + self.specific_var.to_numpy() * w.to_numpy(), index=w.index)

    def variance(self, w: pd.Series) -> float:
        """``w' Sigma w`` (annualised variance)."""
        w = w.reindex(self.exposures.index, fill_value=0.0)
        return float(w @ self.covariance_times(w))

    def dense(self, names: list[str]) -> np.ndarray:
        """The full covariance over ``names`` (for tests and small problems only)."""
        B = self.exposures.loc[names].to_numpy()
        return B @ self.factor_cov.to_numpy() @ B.T + np.diag(self.specific_var[names].to_numpy())


#: Text columns are held as plain Python objects (the classic ``object`` dtype). A look-up by
#: ticker into the snapshot's 16,636 rows costs 0.01-0.1 ms with an object index whatever the
#: dtype of the tickers asked for (pandas 3 makes new text ``str``, Arrow-backed). An Arrow-backed
#: index is as fast only when asked with Arrow text and costs 1.6 ms with object text; a
#: Python-backed ``str`` index costs 2.7-3.2 ms when asked with Arrow text or a list (each call
#: converts the whole index). Measured on ``Index.get_indexer``; ``.loc`` and ``reindex`` alike.
TEXT = object


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns held as Python objects (same values)."""
    text = [c for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)]
    return frame.astype(dict.fromkeys(text, TEXT)) if text else frame


class _FundWeights(Mapping[str, pd.Series]):
    """Each fund's look-through weights by constituent, built when first asked for (the
    snapshot holds 50 funds; an analysis looks at a few)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._rows = table.groupby("fund").indices
        self._table = table
        self._built: dict[str, pd.Series] = {}

    def __getitem__(self, fund: str) -> pd.Series:
        if fund not in self._built:
            rows = self._table.iloc[self._rows[fund]]
            self._built[fund] = pd.Series(
                rows["weight"].to_numpy(), index=pd.Index(rows["ticker"]), name="weight"
            )
        return self._built[fund]

    def __contains__(self, fund: object) -> bool:
        return fund in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class Market:
    """The embedded market snapshot. Use :func:`load_market` (cached) rather than the class."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else store.default_folder()
        manifest = self.folder / "manifest.json"
        if not manifest.exists():
            raise DataError(
                f"no market snapshot in {self.folder}",
                "Build it with: advisor data build --source ../shared/data",
            )
        self.manifest: dict = json.loads(manifest.read_text())
        self.as_of = pd.Timestamp(self.manifest["snapshot_date"])
        sec = self._read("securities").set_index("ticker")
        self.securities: pd.DataFrame = sec
        aliases = self._read("aliases")
        self.aliases: dict[str, str] = dict(zip(aliases["alias"], aliases["ticker"], strict=True))
        self.benchmark: pd.Series = self._read("benchmark").set_index("ticker")["weight"]
        self.fund_weights: pd.DataFrame = self._read("funds")
        self.fund_info: pd.DataFrame = self._read("fund_info").set_index("fund")

    def _read(self, name: str) -> pd.DataFrame:
        # the file read whole by pyarrow's ParquetFile: the frame pd.read_parquet gives, without
        # its dataset layer (10 ms of a proposal's reads, measured)
        import pyarrow.parquet as pq

        path = self.folder / f"{name}.parquet"
        try:
            return _plain_text(pq.ParquetFile(path).read().to_pandas())
        except (OSError, ValueError) as exc:
            raise DataError(
                f"cannot read {path}: {exc}", "Rebuild with: advisor data build"
            ) from exc

    def cached(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per snapshot and ``key``: figures that depend on the
        snapshot alone (a benchmark's sectors, each company's label) and that every analysis
        would otherwise recompute over all securities."""
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = build()
        return memo[key]

    # -- tickers --------------------------------------------------------------------------------
    @cached_property
    def known(self) -> frozenset[str]:
        """Every ticker the snapshot knows."""
        return frozenset(self.securities.index)

    def resolve(self, raw: str) -> str | None:
        """Canonical known ticker for a spelling, or None."""
        return tickers.resolve(raw, self.known, {**tickers.RENAMES, **self.aliases})

    def company_of(self, index: pd.Index) -> pd.Series:
        """Company id per ticker (GOOGL and GOOG share one); a ticker the snapshot does not know
        is its own company."""
        company = self._companies
        return pd.Series([company.get(t, t) for t in index], index=index, dtype=object)

    def column(
        self, names: pd.Index | Sequence[str], column: str, missing: Any = np.nan
    ) -> np.ndarray:
        """A column of the securities table for ``names``, as an array; ``missing`` where the
        snapshot has no row or no value (one lookup, no pandas alignment)."""
        values = self.cached(("column", column), lambda: self.securities[column].to_numpy(object))
        at = self._rows_of(names)
        out = values[at]
        gap = (at < 0) | pd.isna(out)
        if gap.any():
            out[gap] = missing
        return out

    def _rows_of(self, names: pd.Index | Sequence[str]) -> np.ndarray:
        """Row positions of ``names`` in the securities table (-1: unknown); the last lookup is
        kept, since an analysis asks for several columns of the same names in turn."""
        last = self.__dict__.get("_last_rows")
        if last is not None and last[0] is names:
            return last[1]
        at = self.securities.index.get_indexer(names)
        self.__dict__["_last_rows"] = (names, at)
        return at

    @cached_property
    def _companies(self) -> dict[str, str]:
        c = self.securities["company"]
        pairs = zip(c.index.to_numpy(object), c.to_numpy(object), strict=True)
        return {t: (v if isinstance(v, str) else t) for t, v in pairs}

    def megacap_companies(self, names: tuple[str, ...] | list[str] = DEFAULT_MEGACAPS) -> set[str]:
        """Company ids of a list of tickers (any share class names the whole company)."""
        key = ("megacap_companies", tuple(names))
        return set(self.cached(key, lambda: frozenset(self._megacap_companies(names))))

    def _megacap_companies(self, names: tuple[str, ...] | list[str]) -> set[str]:
        resolved = []
        for n in names:
            t = self.resolve(n)
            if t is None:
                raise DataError(
                    f"megacap list: {n!r} is not in the snapshot",
                    "Give known tickers, e.g. --megacaps AAPL,MSFT,GOOGL,AMZN,NVDA,META,TSLA",
                )
            resolved.append(t)
        return set(self.company_of(pd.Index(resolved)))

    # -- look-through ---------------------------------------------------------------------------
    @cached_property
    def _funds(self) -> _FundWeights:
        return _FundWeights(self.fund_weights)

    @cached_property
    def _style_table(self) -> pd.DataFrame:
        """Estimated look-through: fund, basis, weight (returns-based style); empty if absent."""
        if not (self.folder / "style.parquet").exists():
            return pd.DataFrame({"fund": [], "basis": [], "weight": []})
        return self._read("style")

    @cached_property
    def _style_funds(self) -> frozenset[str]:
        return frozenset(self._style_table["fund"].unique())

    def _style(self, fund: str) -> pd.Series:
        """An estimated fund's weights over its basis funds."""
        t = self._style_table
        rows = t[t["fund"].to_numpy() == fund]
        return pd.Series(rows["weight"].to_numpy(), index=rows["basis"].to_numpy(), name=fund)

    def lookthrough_method(self, ticker: str) -> str | None:
        """``holdings`` (published holdings), ``estimated`` (from returns) or None."""
        if ticker in self._funds:
            return "holdings"
        return "estimated" if ticker in self._style_funds else None

    def lookthrough_label(self, ticker: str) -> str:
        """``holdings (file of 2025-11-18)``, ``estimated (R-squared 0.97)`` or ``none``."""
        method = self.lookthrough_method(ticker)
        info = self.fund_info
        if method == "estimated":
            r2 = info["r_squared"].get(ticker) if "r_squared" in info.columns else None
            return "estimated" + ("" if r2 is None or pd.isna(r2) else f" (R-squared {r2:.2f})")
        if method == "holdings":
            date = info["file_date"].get(ticker) if "file_date" in info.columns else None
            return "holdings" + ("" if date is None or pd.isna(date) else f" (file of {date})")
        return "none"

    def has_lookthrough(self, ticker: str) -> bool:
        return self.lookthrough_method(ticker) is not None

    def constituents(self, fund: str) -> pd.Series:
        """Look-through weights of a fund (fractions of the fund; sum = covered share); for an
        estimated one, its basis funds' look-throughs mixed in the estimated weights."""
        if fund in self._funds:
            return self._funds[fund]
        if fund not in self._mixed:
            parts = [self._funds[b] * w for b, w in self._style(fund).items() if b in self._funds]
            mix = (
                pd.concat(parts, axis=1).fillna(0.0).sum(axis=1)
                if parts
                else pd.Series(dtype=float)
            )
            self._mixed[fund] = mix[mix != 0]
        return self._mixed[fund]

    @cached_property
    def _mixed(self) -> dict[str, pd.Series]:
        return {}

    def twin_of(self, ticker: str) -> str | None:
        """The ETF an index mutual fund is modelled by (None for anything else)."""
        return self._twins.get(ticker)

    @cached_property
    def _twins(self) -> dict[str, str]:
        if "twin" not in self.securities.columns:
            return {}
        t = self.securities["twin"]
        pairs = zip(t.index.to_numpy(object), t.to_numpy(object), strict=True)
        return {k: str(v) for k, v in pairs if isinstance(v, str) and v}

    @cached_property
    def risk_rows(self) -> frozenset[str]:
        """The securities the risk model has a row for."""
        return frozenset(self.risk.exposures.index)

    # -- risk model -----------------------------------------------------------------------------
    @cached_property
    def _risk_table(self) -> pd.DataFrame:
        return self._read("risk").set_index("ticker")

    @cached_property
    def risk(self) -> RiskModel:
        r = self._risk_table
        cov = self._read("factor_cov").set_index("factor")
        factors = list(cov.index)
        return RiskModel(
            exposures=r[factors].astype("float64"),
            factor_cov=cov[factors].astype("float64"),
            specific_var=r["specific_var"].astype("float64"),
        )

    @cached_property
    def risk_method(self) -> pd.Series:
        return self._risk_table["method"]

    # -- age ------------------------------------------------------------------------------------
    def age_days(self, today: date | None = None) -> int:
        """Days from the snapshot date to ``today`` (default: the clock's today)."""
        return data_age(self.as_of, today).days

    def data_age(self, today: date | None = None) -> DataAge:
        """The snapshot's :class:`DataAge` on ``today`` (stale after :data:`STALE_AFTER_DAYS`)."""
        return data_age(self.as_of, today)

    def dividend_yield(self, ticker: str) -> float | None:
        """Trailing dividend yield (a fraction) of a stock, or of a fund through its look-through
        (weighted over the constituents with a known yield); None when the snapshot has none."""
        if "dividend_yield" not in self.securities.columns:
            return None
        y = self.securities["dividend_yield"]
        if self.has_lookthrough(ticker):
            w = self.constituents(ticker)
            known = y.reindex(w.index).notna()
            if float(w[known].sum()) < 0.5 * float(w.sum()):
                return None
            return float((w[known] * y.reindex(w.index)[known]).sum() / w[known].sum())
        value = y.get(ticker)
        return None if value is None or pd.isna(value) else float(value)

    @property
    def risk_free_rate(self) -> float:
        """Continuously compounded 13-week T-bill rate at the snapshot date (for option pricing)."""
        rates = self.manifest.get("rates")
        if not rates:
            raise DataError(
                "the snapshot has no risk-free rate", "Rebuild it with: advisor data build"
            )
        return float(rates["risk_free_continuous"])

    def factor_returns(self) -> pd.DataFrame:
        """Daily factor returns since 1993 (for scenario replays)."""
        return self._read("factor_returns").set_index("date")

    # -- the whole market (snapshot format 2) ---------------------------------------------------
    @cached_property
    def twins(self) -> pd.DataFrame:
        """Index mutual funds and their ETF twins, by mutual-fund ticker: ``etf``, ``index``,
        ``same_index`` (False where the ETF tracks another index of the same market) and
        ``source`` (the fund family's statement). Empty for a snapshot without twins."""
        if not (self.folder / "twins.parquet").exists():
            return pd.DataFrame(columns=["etf", "index", "same_index", "source"])
        return self._read("twins").set_index("ticker")

    @cached_property
    def mutual_fund_names(self) -> pd.DataFrame:
        """Every mutual fund of NASDAQ's list (2022-06-02), by ticker: ``name``, ``family``,
        ``money_market``; most have no price in the snapshot. Empty for a snapshot without it."""
        if not (self.folder / "mutual_funds.parquet").exists():
            return pd.DataFrame(columns=["name", "family", "money_market"])
        return self._read("mutual_funds").set_index("ticker")

    def mutual_fund_label(self, ticker: str) -> str | None:
        """ "Name (family)" of a mutual fund of NASDAQ's list the snapshot does not know, for the
        reader's message on such a line; None for any other ticker."""
        t = self.mutual_fund_names
        if ticker in self.known or ticker not in t.index:
            return None
        name, family = t.at[ticker, "name"], t.at[ticker, "family"]
        return f"{name} ({family})" if isinstance(family, str) and family else str(name)


_CACHE: dict[Path, Market] = {}


def load_market(folder: str | Path | None = None) -> Market:
    """The snapshot at ``folder`` (default: the one selected, see :mod:`advisor.market.store`),
    loaded once per process."""
    key = Path(folder if folder is not None else store.default_folder()).resolve()
    if key not in _CACHE:
        _CACHE[key] = Market(key)
    return _CACHE[key]
