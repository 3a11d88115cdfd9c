"""Short price histories: shrink a security's own estimates toward its peers' median.

A security with a **full history** (at least :data:`FULL_HISTORY` daily returns in the three-year
window, i.e. two years) keeps its own exposures and specific variance (method ``daily``). One
with less, but at least the estimator's minimum (``ModelParams.min_obs``, half a year), gets a
blend (method ``daily-shrunk``)::

    x = w x_own + (1 - w) x_peers,     w(n) = n / (n + n0 (1 - n / N)),   n < N

with ``n`` its number of daily returns, ``N`` = :data:`FULL_HISTORY` and ``n0`` =
:data:`SHRINK_N0` (half a year: the peers count as that many observations when the history is
short, and less as it approaches two years). ``w`` rises from 0 at ``n = 0`` to 1 at ``n = N``
(``w(126) = 0.57``, ``w(252) = 0.80``, ``w(378) = 0.92``); the usual ``n / (n + n0)`` of
credibility weighting, bent to reach 1 at two years so a full history is never shrunk. Both the
exposures and the specific variance are blended. A security with less than the minimum (or no
daily prices) takes the peers' values (method ``peers``).

**Peers** are the securities with a full history in the same group, the finest of these levels
with at least :data:`MIN_PEERS` members: for stocks and other listings kind + asset class + sector
+ size, then kind + asset class + sector, then kind + asset class, then kind; for funds kind +
asset class + duration bucket, then kind + asset class, then asset class, then all funds; last,
every security with a full history. The peer value is the median, factor by factor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FULL_HISTORY = 504
SHRINK_N0 = 126
MIN_PEERS = 5


def shrink_weight(n: np.ndarray | pd.Series | float) -> np.ndarray:
    """Weight of the own estimate for ``n`` daily returns (see the module docstring)."""
    n = np.clip(np.asarray(n, dtype=float), 0.0, None)
    bend = SHRINK_N0 * np.clip(1.0 - n / FULL_HISTORY, 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(n >= FULL_HISTORY, 1.0, n / (n + bend))
    return np.nan_to_num(w, nan=0.0)


def peer_keys(sec: pd.DataFrame) -> list[pd.Series]:
    """Group labels per security, finest first (see the module docstring)."""
    fund = sec["is_etf"].astype(bool)
    kind = sec["kind"].astype(str)
    ac = sec["asset_class"].fillna("").astype(str)
    sector = sec["sector"].astype(str)
    size = sec["size"].astype(str)
    blank = pd.Series("", index=sec.index)
    dur = sec["bond_duration"].fillna("").astype(str) if "bond_duration" in sec else blank

    def pick(f: pd.Series, s: pd.Series) -> pd.Series:
        return pd.Series(np.where(fund, f, s), index=sec.index)

    return [
        pick(kind + "|" + ac + "|" + dur, kind + "|" + ac + "|" + sector + "|" + size),
        pick(kind + "|" + ac, kind + "|" + ac + "|" + sector),
        pick("fund|" + ac, kind + "|" + ac),
        pick(pd.Series("fund", index=sec.index), kind),
        pd.Series("all", index=sec.index),
    ]


def peer_values(values: pd.DataFrame, full: pd.Index, keys: list[pd.Series]) -> pd.DataFrame:
    """Median of ``values`` over each security's peers with a full history (NaN: no peers)."""
    out = pd.DataFrame(np.nan, index=keys[0].index, columns=values.columns)
    own = values.reindex(full)
    for key in keys:
        groups = own.groupby(key.reindex(full).to_numpy())
        med = groups.median()[groups.size() >= MIN_PEERS]
        found = med.reindex(key.to_numpy())
        found.index = key.index
        out = out.fillna(found)
    return out


def shrink(
    exposures: pd.DataFrame,
    specific_var: pd.Series,
    n_obs: pd.Series,
    estimated: pd.Series,
    sec: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Blend own estimates with the peers' (in the module docstring's way).

    ``estimated`` is True where the security has its own daily estimate. Returns exposures,
    specific variance and the weight ``w`` of the own estimate, for every row of ``sec``.
    """
    n = n_obs.reindex(sec.index).fillna(0)
    has = estimated.reindex(sec.index).fillna(False).astype(bool)
    full = sec.index[has & (n >= FULL_HISTORY)]
    values = exposures.reindex(sec.index).assign(_var=specific_var.reindex(sec.index))
    peers = peer_values(values, full, peer_keys(sec))
    w = pd.Series(np.where(has, shrink_weight(n), 0.0), index=sec.index)
    mine = values.fillna(0.0)
    blended = mine.mul(w, axis=0) + peers.fillna(0.0).mul(1.0 - w, axis=0)
    return blended.drop(columns="_var"), blended["_var"], w
