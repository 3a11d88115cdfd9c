"""Asset classes: what each position is (US equity, bonds, gold, ...) and the account's mix.

Every security in the snapshot has an asset class, derived by the build from data
(:mod:`advisor.data.assets`); the account's cash is cash-like. The mix is in a fixed order.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

US_EQUITY = "US equity"
#: Asset classes, in the order every report lists them.
ASSET_CLASSES = (
    US_EQUITY,
    "International developed equity",
    "Emerging-markets equity",
    "US bonds",
    "International bonds",
    "Cash-like",
    "Commodities and gold",
    "Multi-asset",
    "Other",
)
CASH_LIKE = "Cash-like"
#: Spellings of earlier snapshots, read as today's classes.
_OLD: Mapping[str, str] = {
    "Bond": "US bonds",
    "Short-term Treasury": CASH_LIKE,
    "Commodity": "Commodities and gold",
    "International equity": "International developed equity",
}


def asset_classes(tickers: pd.Index, securities: pd.DataFrame) -> pd.Series:
    """The asset class of each ticker (``Other`` where the snapshot gives none)."""
    if "asset_class" not in securities.columns:
        return pd.Series(US_EQUITY, index=tickers)
    cls = securities["asset_class"].reindex(tickers).replace(_OLD)
    return cls.where(cls.isin(ASSET_CLASSES), "Other").fillna("Other")


def mix(weights: pd.Series, classes: pd.Series, cash_weight: float) -> pd.Series:
    """Weight of each asset class (fractions of the account; cash is cash-like), in order, the
    classes the account holds only."""
    out = weights.groupby(classes.reindex(weights.index).fillna("Other")).sum()
    if cash_weight:
        out[CASH_LIKE] = out.get(CASH_LIKE, 0.0) + cash_weight
    out = out.reindex([c for c in ASSET_CLASSES if c in out.index])
    return out[out != 0]


def mix_table(mix_weights: pd.Series, total_value: float | None) -> pd.DataFrame:
    """``asset_class, value, weight`` rows (value None when the account's value is unknown)."""
    return pd.DataFrame(
        {
            "asset_class": mix_weights.index,
            "value": [
                None if total_value is None else round(w * total_value, 2) for w in mix_weights
            ],
            "weight": mix_weights.to_numpy(),
        }
    )
