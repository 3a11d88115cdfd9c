"""Asset classes: what each position is (US equity, bonds, gold, ...) and the account's mix.

Every security in the snapshot has an asset class, derived by the build from data
(:mod:`advisor.data.assets`); the account's cash is cash-like. The mix is in a fixed order.
"""

from __future__ import annotations

import math
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
    known = set(ASSET_CLASSES)
    cls = (_OLD.get(c, c) for c in securities["asset_class"].reindex(tickers).to_numpy(object))
    return pd.Series([c if c in known else "Other" for c in cls], index=tickers, dtype=object)


def mix(weights: pd.Series, classes: pd.Series, cash_weight: float) -> pd.Series:
    """Weight of each asset class (fractions of the account; cash is cash-like), in order, the
    classes the account holds only."""
    parts: dict[str, list[float]] = {}
    for c, w in zip(classes.reindex(weights.index).to_numpy(object), weights.to_numpy(float),
                    strict=True):  # fmt: skip
        if w == w:  # a missing weight adds nothing
            parts.setdefault(c if isinstance(c, str) else "Other", []).append(w)
    if cash_weight:
        parts.setdefault(CASH_LIKE, []).append(cash_weight)
    # exact sums: 40 % + 15 % + 10 % + 10 % + 15 % of US equity is 90 %, not 89.99...% (the
    # policy benchmark starts at 10 % outside US equity)
    sums = {c: math.fsum(w) for c, w in parts.items()}
    held = [c for c in ASSET_CLASSES if sums.get(c, 0.0) != 0]
    return pd.Series([sums[c] for c in held], index=pd.Index(held, dtype=object), dtype=float)


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
