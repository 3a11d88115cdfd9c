"""Estimated look-through for funds without published holdings: returns-based style analysis.

Sharpe (1992), "Asset allocation: management style and performance measurement": a fund's daily
returns ``y`` are explained by those of *basis* funds whose holdings are known, ``X``::

    minimise  Var(y - X w)  subject to  w >= 0, sum(w) = 1       R^2 = 1 - SSE / SST

(the variance: the fund's mean return is its "selection", not its style), with observation
weights (equal or exponential) summing to 1. Clarabel solves the QP, a KKT step polishes it,
scipy ``nnls`` is the fallback. The tracking residual ``sqrt(252 SSE)`` is the annualised
standard deviation of what the basis does not explain. The estimated look-through is
``sum_b w_b L_b`` (``L_b``: basis fund ``b``'s); the snapshot stores ``w`` (the ``style`` table)
and the library combines the look-throughs at load time. All is pure pandas/numpy on price
tables (date x ticker) but :func:`estimate_lookthrough`, the build's hook.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass

import clarabel
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import nnls

from advisor.data.sources import RawData
from advisor.errors import DataError

PERIODS_PER_YEAR = 252
PRICES_US_ALL = "prices/daily_us_all_2023-2026.parquet"
SYMBOLS = "securities/us_symbols.csv"
#: A fund's price older than this at the snapshot date: no estimate.
MAX_PRICE_AGE_DAYS = 7

#: The eleven Select Sector SPDRs.
SECTOR_SPDRS = ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")
#: The basis: every fund whose holdings are in the data (IVV stands for the S&P 500 trackers).
#: Chosen over smaller sets by the validation (docs/lookthrough-estimation.md); the build uses
#: those of them that have a look-through in the snapshot.
BASIS = (
    # broad US market: S&P 500, its equal weight, total market, Russell 1000
    "IVV", "RSP", "VTI", "ITOT", "IWB",
    # size: mid and small caps
    "IJH", "MDY", "VO", "IJR", "IWM", "VB",
    # style and factors
    "VTV", "IWD", "VUG", "IWF", "SCHG", "QQQ", "MTUM", "USMV", "QUAL", "VLUE", "LRGF", "VIG",
    "VYM", "SCHD",
    # sectors and themes
    *SECTOR_SPDRS, "VGT", "SOXX", "SMH", "VNQ", "ARKK",
    # international
    "EFA", "VEA", "VWO", "IEMG", "VXUS", "IXUS", "VSS",
)  # fmt: skip


@dataclass(frozen=True)
class StyleParams:
    """Settings of the estimate (recorded in the manifest and the validation document).

    Attributes
    ----------
    window_days : int
        Daily returns in the estimation window, ending at the snapshot date (trading days).
    halflife_days : float or None
        Half-life of the exponential weights, trading days; None weighs every day equally.
    min_obs : int
        Fewest daily returns a fund needs in the window: a year (252 trading days) less 5 %
        for missing days.
    max_abs_daily_return : float
        A fund's daily move larger than this (a fraction) is a data error; the day is dropped.
    min_weight : float
        Basis weights below this (a fraction) are set to zero, the rest re-fitted to sum to 1.
    min_r_squared : float
        Fits with a lower R-squared give no estimate (the fund stays unseen).
    """

    window_days: int = 756
    halflife_days: float | None = None
    min_obs: int = 240
    max_abs_daily_return: float = 0.25
    min_weight: float = 1e-3
    min_r_squared: float = 0.80

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_PARAMS = StyleParams()  # frozen: safe as a default argument


@dataclass(frozen=True, eq=False)
class StyleFit:
    """One fund's style weights and the quality of the fit.

    Attributes
    ----------
    fund : str
        The fund's ticker.
    weights : pd.Series
        Basis fund -> weight (fractions, >= 0, summing to 1), largest first, zeros dropped.
    r_squared : float
        ``1 - SSE/SST`` of the constrained fit on the (weighted) estimation window.
    tracking_residual : float
        Annualised standard deviation of the residual return (fraction, 252 days a year).
    n_obs : int
        Daily returns used.
    start, end : pd.Timestamp
        First and last return date of the window.
    solver : str
        ``clarabel`` or ``nnls`` (the fallback).
    """

    fund: str
    weights: pd.Series
    r_squared: float
    tracking_residual: float
    n_obs: int
    start: pd.Timestamp
    end: pd.Timestamp
    solver: str = "clarabel"

    def __post_init__(self) -> None:
        w = self.weights
        if (w < 0).any() or abs(float(w.sum()) - 1.0) > 1e-6:
            raise DataError(f"style weights of {self.fund} are not a mix (sum {w.sum():.6f})")


# -- the estimator ------------------------------------------------------------------------------
def exp_weights(ages: np.ndarray, halflife: float | None) -> np.ndarray:
    """Observation weights ``0.5 ** (age / halflife)`` normalised to sum to 1.

    Parameters
    ----------
    ages : np.ndarray
        Age of each observation in trading days (0 = the window's last day).
    halflife : float or None
        Half-life in trading days; None gives equal weights.
    """
    ages = np.asarray(ages, dtype=float)
    v = np.ones_like(ages) if halflife is None else 0.5 ** (ages / halflife)
    return v / v.sum()


def simplex_lsq(G: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, str]:
    """Minimise ``w'Gw - 2b'w`` over the simplex ``w >= 0, sum(w) = 1``.

    ``G`` (k x k, positive semi-definite) and ``b`` (k) are the weighted covariance of the basis
    returns and their covariance with the fund's. Clarabel solves the QP (scaled to unit mean
    diagonal); when it reports no optimum, :func:`simplex_nnls` does. Returns the weights
    (clipped at 0 and rescaled to sum to 1) and the solver's name.
    """
    k = len(b)
    scale = float(np.trace(G)) / k or 1.0
    P = sp.csc_matrix(np.triu(G / scale))
    A, rhs, cones = _simplex_constraints(k)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    sol = clarabel.DefaultSolver(P, -b / scale, A, rhs, cones, settings).solve()
    if str(sol.status) == "Solved":
        w, solver = np.array(sol.x), "clarabel"
    else:
        w, solver = simplex_nnls(G / scale, b / scale), "nnls"
    w = np.clip(w, 0.0, None)
    return _polish(G / scale, b / scale, w / w.sum()), solver


def _on_support(G: np.ndarray, b: np.ndarray, S: np.ndarray) -> np.ndarray | None:
    """The optimum of ``w'Gw - 2b'w`` with ``sum(w) = 1`` and ``w = 0`` outside ``S`` (the KKT
    system, least squares where ``G_SS`` is singular), or None when it has a negative weight."""
    k = len(S)
    if k == 0:
        return None
    K = np.ones((k + 1, k + 1))
    K[:k, :k] = 2.0 * G[np.ix_(S, S)]
    K[k, k] = 0.0
    sol = np.linalg.lstsq(K, np.r_[2.0 * b[S], 1.0], rcond=None)[0]
    w = np.zeros(len(b))
    w[S] = sol[:k]
    return None if w.min() < 0 or abs(w.sum() - 1.0) > 1e-9 else w


def _polish(G: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The exact optimum near an interior-point solution: the best feasible :func:`_on_support`
    over the supports ``{i: w_i > t}`` (t from 1e-7 to 1e-3), if no worse than ``w`` itself.

    An interior-point solver stops with inactive weights at 1e-5 rather than 0 and active ones
    off by as much; on the right support the KKT system gives the exact weights.
    """

    def f(x: np.ndarray) -> float:
        return float(x @ G @ x - 2.0 * b @ x)

    best, f_best = w, f(w) + 1e-12 * max(1.0, abs(f(w)))
    supports = {tuple(np.flatnonzero(w > t)) for t in (1e-7, 1e-6, 1e-5, 1e-4, 1e-3)}
    for S in sorted(supports, key=lambda s: (len(s), s)):
        cand = _on_support(G, b, np.array(S, dtype=int))
        if cand is not None and f(cand) <= f_best:
            best, f_best = cand, f(cand)
    return best


def simplex_nnls(G: np.ndarray, b: np.ndarray, budget_weight: float = 1e4) -> np.ndarray:
    """The fallback of :func:`simplex_lsq`: scipy ``nnls`` on ``[U; M 1'] w ~ [z; M]`` with
    ``U'U = G + 1e-12 I``, ``U'z = b``, ``M = budget_weight`` (``w >= 0``; the budget holds to
    about ``1 / M**2`` relative to the scale of ``G``)."""
    k = len(b)
    U = np.linalg.cholesky(G + 1e-12 * np.eye(k)).T
    z = np.linalg.solve(U.T, b)
    w, _ = nnls(np.vstack([U, budget_weight * np.ones((1, k))]), np.r_[z, budget_weight])
    return np.asarray(w)


@functools.cache
def _simplex_constraints(k: int) -> tuple[sp.csc_matrix, np.ndarray, list]:  # type: ignore[type-arg]
    """Clarabel's ``A w + s = rhs``, ``s`` in the cones: ``sum(w) = 1`` and ``w >= 0``."""
    A = sp.csc_matrix(np.vstack([np.ones((1, k)), -np.eye(k)]))
    return A, np.r_[1.0, np.zeros(k)], [clarabel.ZeroConeT(1), clarabel.NonnegativeConeT(k)]


def _prune(G: np.ndarray, b: np.ndarray, w: np.ndarray, min_weight: float) -> np.ndarray:
    """Weights below ``min_weight`` set to 0 and the rest re-optimised on their support (or
    rescaled to sum to 1 when that gives a negative weight)."""
    keep = np.flatnonzero(w >= min_weight)
    if len(keep) == len(w) or len(keep) == 0:
        return w
    refit = _on_support(G, b, keep)
    if refit is not None:
        return refit
    w = np.where(w >= min_weight, w, 0.0)
    return w / w.sum()


def fit_arrays(
    Y: np.ndarray, X: np.ndarray, v: np.ndarray, min_weight: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Style weights of ``m`` funds on ``k`` basis funds, each fund on the days it has.

    The moments of all funds come from a few matrix products (each fund's observation weights
    are ``v`` on its own days, renormalised), then each fund solves one small QP.

    Parameters
    ----------
    Y : np.ndarray
        Fund returns, n days x m funds (fractions per day; NaN where a fund has no return).
    X : np.ndarray
        Basis returns, n days x k basis funds (fractions per day, no NaN).
    v : np.ndarray
        Observation weights of the n days (see :func:`exp_weights`).
    min_weight : float
        Weights below it are dropped after solving (see :func:`_prune`).

    Returns
    -------
    W : np.ndarray
        m x k weights, each row >= 0 and summing to 1.
    r2 : np.ndarray
        R-squared per fund, ``1 - SSE/SST`` (weighted, demeaned).
    residual : np.ndarray
        Annualised residual standard deviation per fund, ``sqrt(252 SSE)`` (fractions).
    solvers : list of str
        Solver per fund.
    """
    n, k = X.shape
    have = np.isfinite(Y)
    U = have * v[:, None]
    U = U / U.sum(axis=0)
    Y0 = np.where(have, Y, 0.0)
    mx, my = U.T @ X, (U * Y0).sum(axis=0)
    X2 = (X[:, :, None] * X[:, None, :]).reshape(n, k * k)
    G = (U.T @ X2).reshape(-1, k, k) - mx[:, :, None] * mx[:, None, :]
    B = (U * Y0).T @ X - mx * my[:, None]
    fits = [simplex_lsq(G[j], B[j]) for j in range(Y.shape[1])]
    W = np.array([_prune(G[j], B[j], w, min_weight) for j, (w, _) in enumerate(fits)])
    W = W.reshape(Y.shape[1], k)
    R = Y0 - X @ W.T
    R = R - (U * R).sum(axis=0)
    sse = (U * R**2).sum(axis=0)
    sst = (U * (Y0 - my) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(sst > 0, 1.0 - sse / sst, np.nan)
    return W, r2, np.sqrt(PERIODS_PER_YEAR * sse), [s for _, s in fits]


def fit_style(
    fund: pd.Series, basis: pd.DataFrame, halflife: float | None = None, min_weight: float = 0.0
) -> StyleFit:
    """Sharpe style weights of one fund's daily returns on the basis funds' daily returns.

    Parameters
    ----------
    fund : pd.Series
        Daily returns of the fund (fractions), indexed by date; aligned with ``basis`` by date
        label, days without a return are left out.
    basis : pd.DataFrame
        Daily returns of the basis funds (date x ticker, fractions); days where one of them
        has no return are left out. Ages for the weights count its rows back from the last.
    halflife : float or None
        Half-life of the observation weights in trading days (None: equal weights).
    min_weight : float
        Basis weights below it are set to zero and the rest rescaled.
    """
    basis = basis.dropna()
    y = fund.reindex(basis.index).to_numpy(dtype=float)[:, None]
    if np.isfinite(y).sum() < 2:
        raise DataError(f"{fund.name}: fewer than two daily returns shared with the basis")
    v = exp_weights(np.arange(len(basis))[::-1], halflife)
    W, r2, resid, solvers = fit_arrays(y, basis.to_numpy(dtype=float), v, min_weight)
    dates = basis.index[np.isfinite(y[:, 0])]
    return _fit(str(fund.name), W[0], basis.columns, r2[0], resid[0], dates, solvers[0])


def _fit(
    fund: str,
    w: np.ndarray,
    names: Iterable[str],
    r2: float,
    resid: float,
    dates: pd.Index,
    solver: str,
) -> StyleFit:
    weights = pd.Series(w, index=pd.Index(list(names), name="basis"), name="weight")
    weights = weights[weights > 0].sort_values(ascending=False)
    return StyleFit(fund, weights, float(r2), float(resid), len(dates), dates[0], dates[-1], solver)


def fit_funds(
    prices: pd.DataFrame,
    funds: Sequence[str],
    basis: Sequence[str],
    asof: pd.Timestamp,
    params: StyleParams = DEFAULT_PARAMS,
) -> tuple[dict[str, StyleFit], dict[str, str]]:
    """Style fits of many funds on one basis, from adjusted closes.

    The window is the last ``params.window_days`` daily returns up to ``asof``. A fund's
    return on a day needs its close on that day and the day before (a day after a gap is left
    out rather than matched with the basis's compounded return); moves over
    ``params.max_abs_daily_return`` are data errors and left out too. Funds in blocks of 500
    share the matrix products (:func:`fit_arrays`).

    Parameters
    ----------
    prices : pd.DataFrame
        Adjusted closes, date x ticker, holding the funds and the basis.
    funds, basis : sequence of str
        Tickers to estimate (basis funds among them are skipped), and the basis funds (each
        must be priced on the window's first day).
    asof : pd.Timestamp
        Last day of the window (the snapshot date).
    params : StyleParams
        Window, weights, limits.

    Returns
    -------
    fits : dict
        Fund -> :class:`StyleFit`, in the order of ``funds``.
    skipped : dict
        Fund -> reason it has no fit (too little history, no recent price).
    """
    px = prices.loc[:asof].iloc[-(params.window_days + 1) :]
    bpx = px[list(basis)].ffill()
    if bpx.iloc[0].isna().any():
        short = ", ".join(bpx.columns[bpx.iloc[0].isna()])
        raise DataError(f"basis funds without prices at the window's start: {short}")
    rb = bpx.pct_change().iloc[1:]
    rf = px[[f for f in funds if f not in set(basis)]].pct_change(fill_method=None).iloc[1:]
    rf = rf.where(rf.abs() <= params.max_abs_daily_return)
    skipped = _too_short(px[rf.columns], rf, asof, params)
    rf = rf.drop(columns=list(skipped))
    v = exp_weights(np.arange(len(rb))[::-1], params.halflife_days)
    X = rb.to_numpy(dtype=float)
    fits: dict[str, StyleFit] = {}
    for lo in range(0, rf.shape[1], 500):
        block = rf.iloc[:, lo : lo + 500]
        Y = block.to_numpy(dtype=float)
        W, r2, res, solv = fit_arrays(Y, X, v, params.min_weight)
        for j, f in enumerate(block.columns):
            dates = rb.index[np.isfinite(Y[:, j])]
            fits[f] = _fit(f, W[j], basis, r2[j], res[j], dates, solv[j])
    return fits, skipped


def _too_short(
    px: pd.DataFrame, rf: pd.DataFrame, asof: pd.Timestamp, params: StyleParams
) -> dict[str, str]:
    """Funds without a recent price or with fewer than ``params.min_obs`` returns, and why."""
    priced = px.notna().to_numpy()
    last = pd.Series(px.index[len(px) - 1 - priced[::-1].argmax(axis=0)], index=px.columns)
    stale = ~priced.any(axis=0) | ((asof - last).dt.days > MAX_PRICE_AGE_DAYS).to_numpy()
    n_obs = rf.notna().sum()
    out = {}
    for f, is_stale, n in zip(px.columns, stale, n_obs, strict=True):
        if is_stale:
            out[f] = f"no price in the {MAX_PRICE_AGE_DAYS} days before the snapshot date"
        elif n < params.min_obs:
            out[f] = f"{n} daily returns in the window (needs {params.min_obs})"
    return out


def combine(weights: pd.Series, lookthrough: pd.DataFrame) -> pd.Series:
    """An estimated look-through ``sum_b w_b L_b``, largest first.

    Parameters
    ----------
    weights : pd.Series
        Basis fund -> style weight (fractions summing to 1).
    lookthrough : pd.DataFrame
        Long table ``fund, ticker, weight`` of the basis funds' look-throughs (fractions of
        each fund; the snapshot's ``funds`` table has this layout).

    Returns
    -------
    pd.Series
        Ticker -> weight (fraction of the estimated fund; sums to the weighted covered share).
    """
    lt = lookthrough[lookthrough["fund"].isin(weights.index)]
    w = lt["weight"].to_numpy() * lt["fund"].map(weights).to_numpy()
    out = pd.Series(w, index=lt["ticker"].to_numpy()).groupby(level=0).sum()
    return out.sort_values(ascending=False, kind="stable").rename("weight")


# -- which funds get an estimate ----------------------------------------------------------------
#: Name words of funds that are not equity funds: bonds, cash, currencies, crypto, multi-asset.
_NOT_EQUITY = re.compile(
    r"\b(bonds?|treasur(y|ies)|t-bills?|municipal|muni|fixed income|credit|loans?|mortgage|mbs|"
    r"clo|high yield|investment grade|aggregate|duration|tips|inflation|money market|"
    r"floating rate|variable rate|preferred|convertible|agricultur\w*|bitcoin|ether(eum)?|"
    r"crypto|solana|xrp|currency|currencyshares|dollar|vix|volatility index|futures|"
    r"allocation|multi-asset|multi-strategy|arbitrage)\b",
    re.IGNORECASE,
)
#: Words of commodity and cash funds, unless an equity word says otherwise (gold miners, COWZ).
_COMMODITY = re.compile(
    r"\b(gold|silver|platinum|palladium|commodit(y|ies)|crude|oil fund|natural gas fund|cash|"
    r"bills?)\b",
    re.IGNORECASE,
)
_EQUITY_HINT = re.compile(
    r"\b(equity|stocks?|miners|mining|producers|exploration|companies|dividend|cash cows|"
    r"free cash flow)\b",
    re.IGNORECASE,
)
#: Leveraged, inverse and long/short funds: a long-only mix summing to 1 cannot describe them.
_LEVERED = re.compile(
    r"(\b\d+(\.\d+)?x\b|-\d+(\.\d+)?x\b|\bultra|\bbull\b|\bbear\b|\binverse\b|\bshort\b|"
    r"\bleverag|\bdaily\b|\bhedged equity\b|\blong/short\b)",
    re.IGNORECASE,
)


def is_equity_fund(name: object, asset_class: object = None) -> bool:
    """True for a long-only equity fund, the funds that get an estimated look-through.

    ``asset_class`` decides when given (equity when it contains "equity", e.g. "US equity",
    "International equity"); otherwise the name: no bond, currency, crypto, VIX or
    multi-asset word, and no commodity or cash word unless an equity word says otherwise
    ("Gold Miners", "Cash Cows"). Names of leveraged, inverse and long/short funds are excluded
    in both cases.
    """
    text = name if isinstance(name, str) else ""
    if isinstance(asset_class, str) and asset_class.strip():
        equity = "equity" in asset_class.lower()
    else:
        commodity = bool(_COMMODITY.search(text)) and not _EQUITY_HINT.search(text)
        equity = bool(text) and not _NOT_EQUITY.search(text) and not commodity
    return equity and not _LEVERED.search(text)


def candidates(
    securities: pd.DataFrame, known_funds: Collection[str], prices: pd.DataFrame
) -> list[str]:
    """Funds of the security master that get an estimate: equity, priced, no look-through yet.

    A fund is a row with ``is_etf`` true or ``kind`` etf/mutual_fund; its ``asset_class`` is used
    where the table has one (see :func:`is_equity_fund`), its name otherwise. Sorted by ticker.
    """
    col = securities.get
    is_fund = col("is_etf", pd.Series(False, index=securities.index)).fillna(False).astype(bool)
    is_fund |= col("kind", pd.Series("", index=securities.index)).isin(["etf", "mutual_fund"])
    funds = securities.index[is_fund].difference(pd.Index(list(known_funds)))
    names, classes = (
        col("name", pd.Series(dtype=object)),
        col("asset_class", pd.Series(dtype=object)),
    )
    keep = [
        t
        for t in funds.intersection(prices.columns)
        if is_equity_fund(names.get(t), classes.get(t))
    ]
    return sorted(keep)


# -- the build's hook ---------------------------------------------------------------------------
def us_daily(raw: RawData) -> pd.DataFrame:
    """Adjusted closes of every US ticker, 2023-2026 (date x canonical ticker, float64).

    Read (once per ``raw``) by the raw-data reader that the build uses for its other price files.
    """
    return raw._prices(PRICES_US_ALL)


def basis_funds(
    known_funds: Collection[str], prices: pd.DataFrame, asof: pd.Timestamp, params: StyleParams
) -> list[str]:
    """The :data:`BASIS` funds that have a look-through and a price all through the window."""
    px = prices.loc[:asof].iloc[-(params.window_days + 1) :]
    known = set(known_funds)
    return [b for b in BASIS if b in known and b in px.columns and px[b].notna().all()]


def style_tables(
    fits: dict[str, StyleFit], params: StyleParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``style`` table (fund, basis, weight) and the ``fund_info`` rows of the estimates.

    Only fits with ``R^2 >= params.min_r_squared`` are kept. ``fund_info`` columns: fund, source,
    file_date (last return date), method ``"estimated"``, r_squared, tracking_residual
    (annualised, fraction), basis (basis funds, largest weight first), window (dates, number of
    daily returns, weighting), n_obs.
    """
    hl = params.halflife_days
    weighting = "equal weights" if hl is None else f"half-life {hl:g} days"
    rows, info = [], []
    for f, fit in fits.items():
        if not fit.r_squared >= params.min_r_squared:  # NaN (a constant price) fails too
            continue
        rows.append(pd.DataFrame({"fund": f, "basis": fit.weights.index, "weight": fit.weights}))
        info.append(
            {
                "fund": f,
                "source": f"returns-based style analysis of {PRICES_US_ALL}",
                "file_date": str(fit.end.date()),
                "method": "estimated",
                "r_squared": fit.r_squared,
                "tracking_residual": fit.tracking_residual,
                "basis": ",".join(fit.weights.index),
                "window": f"{fit.start.date()}..{fit.end.date()}, {fit.n_obs} daily returns, "
                f"{weighting}",
                "n_obs": fit.n_obs,
            }
        )
    cols = ["fund", "basis", "weight"]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return table[cols], pd.DataFrame(info)


def estimate_lookthrough(
    raw: RawData,
    securities: pd.DataFrame,
    known_funds: Collection[str],
    asof: pd.Timestamp,
    params: StyleParams = DEFAULT_PARAMS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Estimated look-through weights for the equity funds of ``securities`` without holdings.

    Parameters
    ----------
    raw : RawData
        The raw data folder (prices from :data:`PRICES_US_ALL`).
    securities : pd.DataFrame
        The security master as built (index ticker; ``name``, ``is_etf``, and ``asset_class``
        or ``kind`` where it has them; see :func:`candidates`).
    known_funds : collection of str
        Funds with a look-through in the snapshot: they are not estimated, and those in
        :data:`BASIS` form the basis.
    asof : pd.Timestamp
        The snapshot date, the window's last day.
    params : StyleParams
        Window, weights and limits.

    Returns
    -------
    style_weights : pd.DataFrame
        fund, basis, weight (fractions of the fund; each fund's weights sum to 1).
    fund_info : pd.DataFrame
        One row per estimated fund (see :func:`style_tables`). ``attrs["record"]`` holds what the
        manifest says: method, parameters, basis, counts, funds rejected and why.
    """
    prices = us_daily(raw)
    basis = basis_funds(known_funds, prices, asof, params)
    if not basis:
        raise DataError("no basis fund for the style analysis has a look-through and prices")
    funds = candidates(securities, known_funds, prices)
    fits, skipped = fit_funds(prices, funds, basis, asof, params)
    weights, info = style_tables(fits, params)
    kept = set(weights["fund"])
    low = {f: round(x.r_squared, 3) for f, x in fits.items() if f not in kept}
    stale = sorted(f for f, why in skipped.items() if why.startswith("no price"))
    info.attrs["record"] = {
        "method": "returns-based style analysis (Sharpe 1992): min Var(r_fund - R_basis w), "
        "w >= 0, sum w = 1; look-through = sum_b w_b x look-through of basis fund b",
        "params": params.as_dict(),
        "basis": basis,
        "candidates": len(funds),
        "estimated": len(info),
        "below_min_r_squared": low,
        "too_little_history": sorted(set(skipped) - set(stale)),
        "no_recent_price": stale,
    }
    return weights, info
