"""Build step, part 2: estimate the factor risk model ``Sigma = B F B' + D``.

Factors are returns of liquid index funds, so that an advisor can read every one and so that the
factor-return history reaches back to the 1990s for the scenario replays:

* ``market``   SPY
* ``size``     IJR - IVV (S&P 600 small caps over the S&P 500)
* ``value``    IVE - IVW (S&P 500 value over S&P 500 growth)
* ``momentum`` MTUM - IVV
* one factor per GICS sector: the Select Sector SPDR fund minus SPY.

Exposures ``B`` are time-series (weighted least squares) betas of each security's daily returns
on the factor returns over the estimation window, with exponentially decaying weights. A stock
loads on the market, its own sector, size, value and momentum (a stock of sector ``Unknown`` on
the market and the styles only); a fund loads on every factor. The daily closes pass the sanity
filters of :mod:`advisor.data.sanity` first; short histories are shrunk toward their peers
(:mod:`advisor.data.peers`). Securities with only monthly prices are regressed on monthly factor
returns. ``F`` is the exponentially weighted covariance of the factor returns
(PyPortfolioOpt ``risk_models.exp_cov``); ``D`` is the exponentially weighted variance of each
security's regression residuals. Everything is annualised with 252 trading days (12 months).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from advisor.data import peers, sanity
from advisor.data.sources import SECTORS

PERIODS_PER_YEAR = 252
MARKET = "market"
STYLES = {"size": ("IJR", "IVV"), "value": ("IVE", "IVW"), "momentum": ("MTUM", "IVV")}
SECTOR_ETFS = {
    "Communication Services": "XLC",
    "Consumer Discretionary": "XLY",
    "Consumer Staples": "XLP",
    "Energy": "XLE",
    "Financials": "XLF",
    "Health Care": "XLV",
    "Industrials": "XLI",
    "Information Technology": "XLK",
    "Materials": "XLB",
    "Real Estate": "XLRE",
    "Utilities": "XLU",
}
FACTORS = (MARKET, *STYLES, *SECTORS)


@dataclass(frozen=True)
class ModelParams:
    """Estimation settings (recorded in the manifest)."""

    window_days: int = 756  # three years of daily returns for exposures and residuals
    exposure_halflife: int = 252  # days
    cov_halflife: int = 126  # days, factor covariance
    cov_window_days: int = 756
    specific_halflife: int = 84  # days, residual variance
    min_obs: int = 126  # fewer daily returns: exposures from the peers (advisor.data.peers)
    monthly_window: int = 60  # months, for names with only monthly prices
    min_months: int = 24
    max_abs_daily_return: float = 0.5  # larger daily moves are treated as data errors
    specific_vol_floor_stock: float = 0.05  # annualised
    specific_vol_floor_fund: float = 0.002

    def as_dict(self) -> dict:
        return asdict(self)


def _factors(r: pd.DataFrame) -> pd.DataFrame:
    """Factor returns from fund returns (the definitions in the module docstring)."""
    out = pd.DataFrame(index=r.index)
    out[MARKET] = r["SPY"]
    for name, (long, short) in STYLES.items():
        out[name] = r[long] - r[short]
    for sector, etf in SECTOR_ETFS.items():
        out[sector] = r[etf] - r["SPY"]
    return out[list(FACTORS)]


def factor_returns(etf_prices: pd.DataFrame) -> pd.DataFrame:
    """Daily factor returns (fractions) from ETF adjusted closes; NaN before a factor exists.

    The first returns of each fund (its first week) are dropped: MTUM, VLUE and SIZE repeat
    their first price for a few days in the raw data.
    """
    r = etf_prices.pct_change(fill_method=None)
    for col in r.columns:
        first = etf_prices[col].first_valid_index()
        if first is not None:
            r.loc[: first + pd.Timedelta(days=7), col] = np.nan
    return _factors(r).iloc[1:]


def monthly_factor_returns(etf_prices: pd.DataFrame) -> pd.DataFrame:
    """Monthly factor returns: the same definitions on month-end closes."""
    return _factors(etf_prices.resample("ME").last().pct_change(fill_method=None))


def decay_weights(n: int, halflife: float) -> np.ndarray:
    """Weights ``0.5 ** (age / halflife)`` for ``n`` observations, the newest last."""
    age = np.arange(n - 1, -1, -1, dtype=float)
    return 0.5 ** (age / halflife)


def span_for_halflife(halflife: float) -> float:
    """pandas ``ewm(span=...)`` equivalent of a half-life in observations."""
    alpha = 1.0 - 0.5 ** (1.0 / halflife)
    return 2.0 / alpha - 1.0


def factor_covariance(fr: pd.DataFrame, asof: pd.Timestamp, p: ModelParams) -> pd.DataFrame:
    """Annualised EWMA factor covariance at ``asof`` (PyPortfolioOpt ``exp_cov``).

    Factors with no history in the window (before their fund existed) have zero returns there,
    hence little variance: they only matter in the back-tests before 2018 (XLC).
    """
    from pypfopt import risk_models

    window = fr.loc[:asof].iloc[-p.cov_window_days :].fillna(0.0)
    cov = risk_models.exp_cov(
        window,
        returns_data=True,
        span=span_for_halflife(p.cov_halflife),
        frequency=PERIODS_PER_YEAR,
    )
    vals, vecs = np.linalg.eigh(cov.to_numpy())
    fixed = (vecs * np.clip(vals, 0.0, None)) @ vecs.T
    return pd.DataFrame((fixed + fixed.T) / 2, index=cov.index, columns=cov.columns)


def _wls(
    X: np.ndarray, Y: np.ndarray, w: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares with intercept; returns (betas k x n, residual variance n).

    ``w`` weights the regression, ``v`` the residual variance (both length T).
    """
    X1 = np.column_stack([np.ones(len(X)), X])
    sw = np.sqrt(w)[:, None]
    coef, *_ = np.linalg.lstsq(X1 * sw, Y * sw, rcond=None)
    resid = Y - X1 @ coef
    var = (v[:, None] * resid**2).sum(axis=0) / v.sum()
    return coef[1:], var


def _wls_masked(
    X: np.ndarray, Y: np.ndarray, w: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_wls` for many assets at once, each on its own dates (where ``Y`` is not NaN).

    Solves each asset's weighted normal equations ``(X1' W_j X1) b = X1' W_j y_j``, with ``W_j``
    the weights on the asset's dates, in one batch; the same estimator as :func:`_wls`.
    """
    X1 = np.column_stack([np.ones(len(X)), X])
    M = ~np.isnan(Y)
    Y0 = np.where(M, Y, 0.0)
    Wm = w[:, None] * M
    k = X1.shape[1]
    outer = (X1[:, :, None] * X1[:, None, :]).reshape(len(X1), k * k)
    A = (Wm.T @ outer).reshape(-1, k, k)
    c = (Wm * Y0).T @ X1
    coef = np.linalg.solve(A, c[:, :, None])[:, :, 0]
    resid = np.where(M, Y0 - X1 @ coef.T, 0.0)
    vm = v[:, None] * M
    var = (vm * resid**2).sum(axis=0) / vm.sum(axis=0)
    return coef[:, 1:].T, var


def regress(
    returns: pd.DataFrame,
    fr: pd.DataFrame,
    columns: dict[str, list[str]],
    p: ModelParams,
    periods: int,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Exposures, annualised residual variance and observation counts for each asset.

    ``columns`` maps each asset to the factors it loads on. Assets sharing a factor set are
    solved together (those with gaps each on its own dates, :func:`_wls_masked`).
    """
    X = fr.reindex(returns.index).fillna(0.0)
    T = len(returns)
    hl_scale = PERIODS_PER_YEAR / periods
    w = decay_weights(T, p.exposure_halflife / hl_scale)
    v = decay_weights(T, p.specific_halflife / hl_scale)
    B = pd.DataFrame(0.0, index=returns.columns, columns=fr.columns)
    var = pd.Series(np.nan, index=returns.columns)
    nobs = returns.notna().sum()
    complete = nobs == T
    min_obs = p.min_obs if periods == PERIODS_PER_YEAR else p.min_months
    groups: dict[tuple[str, ...], list[str]] = {}
    for asset in returns.columns:
        if complete[asset]:
            groups.setdefault(tuple(columns[asset]), []).append(asset)
    for cols, assets in groups.items():
        b, s2 = _wls(X[list(cols)].to_numpy(), returns[assets].to_numpy(), w, v)
        B.loc[assets, list(cols)] = b.T
        var[assets] = s2
    partial: dict[tuple[str, ...], list[str]] = {}
    for asset in returns.columns[~complete & (nobs >= min_obs)]:
        partial.setdefault(tuple(columns[asset]), []).append(asset)
    for cols, assets in partial.items():
        b, s2 = _wls_masked(X[list(cols)].to_numpy(), returns[assets].to_numpy(), w, v)
        B.loc[assets, list(cols)] = b.T
        var[assets] = s2
    return B, var * periods, nobs


def loadings(sectors: pd.Series, is_fund: pd.Series) -> dict[str, list[str]]:
    """The factors each asset loads on: funds all, stocks market + own sector + styles."""
    out = {}
    for t, sector in sectors.items():
        if is_fund[t]:
            out[t] = list(FACTORS)
        else:
            own = [sector] if sector in SECTOR_ETFS else []
            out[t] = [MARKET, *own, *STYLES]
    return out


def clean_returns(prices: pd.DataFrame, max_abs: float) -> tuple[pd.DataFrame, int]:
    """Simple returns with moves beyond ``max_abs`` set to NaN (count returned)."""
    r = prices.pct_change(fill_method=None)
    bad = r.abs() > max_abs
    return r.mask(bad), int(bad.to_numpy().sum())


def estimate(
    daily: pd.DataFrame,
    monthly: pd.DataFrame,
    etf_prices: pd.DataFrame,
    sec: pd.DataFrame,
    asof: pd.Timestamp,
    p: ModelParams,
) -> dict[str, object]:
    """Estimate the whole model at ``asof`` for every security in ``sec``.

    ``daily`` holds the daily closes (date x ticker) of every security that has them. The last
    three years pass the sanity filters (:mod:`advisor.data.sanity`), then each security with at
    least ``p.min_obs`` returns is regressed on its factors; short histories are shrunk toward
    their peers (:mod:`advisor.data.peers`). Securities without daily prices use monthly returns
    when they have ``p.min_months`` of them, else their peers' values.

    Returns a dict with ``exposures`` (N x K), ``specific_var`` (N), ``factor_cov`` (K x K),
    ``factor_returns`` (daily history), ``method`` (daily, daily-shrunk, monthly or peers per
    security), ``n_obs``, ``shrink_weight``, ``dropped_returns`` (daily moves treated as data
    errors) and ``filters`` (what each sanity rule removed).
    """
    fr = factor_returns(etf_prices)
    F = factor_covariance(fr, asof, p)
    lo = loadings(sec["sector"], sec["is_etf"])
    d_names = [t for t in sec.index if t in daily.columns]
    window = daily.loc[:asof, d_names].iloc[-(p.window_days + 1) :]
    prices, filters = sanity.clean_prices(window)
    r, moves = sanity.daily_returns(prices, p.max_abs_daily_return)
    B, var, nobs = regress(r, fr, {t: lo[t] for t in d_names}, p, PERIODS_PER_YEAR)
    estimated = var.notna()
    B, var, weight = peers.shrink(B, var, nobs, estimated, sec)
    method = pd.Series("peers", index=sec.index, dtype=object)
    own = estimated.reindex(sec.index, fill_value=False)
    method[own & weight.ge(1.0)] = "daily"
    method[own & weight.lt(1.0)] = "daily-shrunk"
    nobs = nobs.reindex(sec.index).fillna(0).astype(int)
    Bm, varm, nm = _monthly(monthly, etf_prices, sec, d_names, lo, asof, p)
    ok = varm.index[varm.notna()]
    B.loc[ok], var[ok], method[ok], nobs[ok] = Bm.loc[ok], varm[ok], "monthly", nm[ok]
    weight[ok] = np.nan
    floor = np.where(sec["is_etf"], p.specific_vol_floor_fund, p.specific_vol_floor_stock) ** 2
    var = np.maximum(var, floor)
    return {
        "exposures": B[list(fr.columns)],
        "specific_var": var,
        "factor_cov": F,
        "factor_returns": fr,
        "method": method,
        "n_obs": nobs,
        "shrink_weight": weight,
        "dropped_returns": moves["large_move"]["count"],
        "filters": {**filters, **moves},
    }


def _monthly(
    monthly: pd.DataFrame,
    etf_prices: pd.DataFrame,
    sec: pd.DataFrame,
    d_names: list[str],
    lo: dict[str, list[str]],
    asof: pd.Timestamp,
    p: ModelParams,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Monthly regressions for securities without daily prices (NaN variance: too few)."""
    daily = set(d_names)
    m_names = [t for t in sec.index if t not in daily and t in monthly.columns]
    end = asof - pd.offsets.MonthEnd(1) if asof != asof + pd.offsets.MonthEnd(0) else asof
    mwin = monthly.loc[:end, m_names].iloc[-(p.monthly_window + 1) :]
    mr = mwin.pct_change(fill_method=None).iloc[1:]
    mr = mr.mask(mr.abs() > 1.0)
    return regress(mr, monthly_factor_returns(etf_prices), {t: lo[t] for t in m_names}, p, 12)


def predicted_te(
    exposures: pd.DataFrame, specific_var: pd.Series, F: pd.DataFrame, a: str, b: str
) -> float:
    """Predicted annualised tracking error of fund ``a`` against fund ``b``."""
    d = (exposures.loc[a] - exposures.loc[b]).to_numpy()
    v = d @ F.to_numpy() @ d + specific_var[a] + specific_var[b]
    return float(np.sqrt(v))
