"""What a proposal decides: the US-equity part of the account (by default) or the whole account.

**The asset mix is kept** by default: the rebalance happens inside the US-equity part, which is
treated as its own portfolio, measured against the S&P 500; every other holding (bonds,
international and gold funds, individual bonds, options on other assets) and the account's cash
keep their value, neither sold to fund equity purchases nor bought. The mandate's limits (TE
budget, megacap target, sleeve bounds, turnover, position caps) are then fractions of the
US-equity part. Cash joins the decision only when the mandate sets ``--cash-floor`` or
``--cash-max``.

**The whole account** is the decision when the mandate gives a target asset mix
(``--asset-mix equity=60,bond=40``) or an explicit benchmark: the limits then apply to the whole
account, against the benchmark (by default the blend of the target mix's standard funds).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis
from advisor.analytics.assets import US_EQUITY
from advisor.domain import Holdings
from advisor.optimize.mandate import Mandate

PART = "US-equity part"
ACCOUNT = "whole account"


@dataclass(frozen=True, eq=False)
class Scope:
    """The holdings a proposal decides, and how they sit in the account.

    Attributes
    ----------
    name : str
        ``US-equity part`` or ``whole account``.
    holdings : Holdings
        The positions decided (with the account's cash when cash is part of the decision).
    outside : pd.Index
        Positions of the account left as they are.
    benchmark : str or None
        What the decided holdings are measured against (``S&P 500`` for the part).
    value : float
        Value of the decided holdings (and cash, when decided), account currency.
    """

    name: str
    holdings: Holdings
    outside: pd.Index
    benchmark: object
    value: float
    cash_decided: bool

    def to_dict(self, account_value: float) -> dict[str, object]:
        return {
            "name": self.name,
            "value": round(self.value, 2),
            "weight": self.value / account_value if account_value else None,
            "benchmark": self.benchmark if isinstance(self.benchmark, str) else None,
            "cash_decided": self.cash_decided,
            "positions_kept": [str(t) for t in self.outside],
        }


def choose(holdings: Holdings, account: Analysis, mandate: Mandate, benchmark: object) -> Scope:
    """The decision's scope for ``holdings`` (see the module notes)."""
    total = float(account.total_value or 0.0)
    if mandate.asset_mix is not None or benchmark:
        return Scope(ACCOUNT, holdings, pd.Index([]), benchmark, total, True)
    classes = account.positions["asset_class"]
    inside = classes.index[(classes == US_EQUITY).to_numpy()]
    outside = holdings.positions.index.difference(inside)
    cash_decided = mandate.cash_max is not None or mandate.cash_floor > 0
    cash = float(holdings.cash) if cash_decided and not np.isnan(holdings.cash) else 0.0
    part = replace(
        holdings,
        positions=holdings.positions.loc[holdings.positions.index.isin(inside)],
        cash=cash,
        cash_lines=holdings.cash_lines if cash_decided else (),
        instruments=_instruments_of(holdings, inside),
    )
    value = float(account.positions["value"].reindex(inside).sum()) + cash
    return Scope(PART, part, outside, "S&P 500", value, cash_decided)


def _instruments_of(holdings: Holdings, keep: pd.Index) -> pd.DataFrame:
    table = holdings.instruments
    return table.loc[table.index.isin(keep)]


def rejoin(after: Holdings, original: Holdings, scope: Scope, account: Analysis) -> Holdings:
    """The account after the trades: the decided holdings as traded, the rest as they were
    (valued as the analysis before valued them)."""
    if scope.name == ACCOUNT:
        return after
    kept = original.positions.loc[scope.outside].copy()
    kept["value"] = account.positions["value"].reindex(scope.outside)
    positions = pd.concat([after.positions, kept.reindex(columns=after.positions.columns)])
    # cash outside the decision keeps its value; what whole shares leave over in the part joins it
    cash = after.cash if scope.cash_decided else round(float(original.cash) + float(after.cash), 2)
    return replace(
        after,
        positions=positions,
        cash=cash,
        instruments=original.instruments,
        path=f"{original.path} (proposed)",
    )
