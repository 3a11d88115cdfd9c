"""The trade-off curve: the least tracking error for each level of megacap weight.

For megacap caps from the least-TE portfolio's megacap weight (or today's, if lower) down to the
least reachable under the mandate's other
limits, solve "minimise TE subject to megacap <= cap" (one compiled problem, re-solved with a
new cap each time). The slope between points is the TE cost of each further point of reduction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from advisor.domain import Holdings
from advisor.errors import AdvisorError
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market, load_market, with_market_data
from advisor.optimize.limits import active_limits
from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import Rebalancer
from advisor.optimize.setup import Setup, prepare
from advisor.units import json_number as _num


@dataclass(frozen=True, eq=False)
class Frontier:
    """Points of the curve (fractions; TE annualised).

    ``points`` columns: megacap_cap, megacap_weight, tracking_error, turnover,
    te_per_point (extra TE per percentage point of megacap reduction from the previous point).
    """

    setup: Setup
    mandate: Mandate
    points: pd.DataFrame
    current_megacap: float
    current_te: float
    benchmark_megacap: float
    min_megacap: float

    def to_frame(self) -> pd.DataFrame:
        """The points: megacap_cap, megacap_weight, tracking_error, turnover, te_per_point."""
        return self.points.copy()

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor frontier --format json`` contract)."""
        return with_market_data(
            {
                "as_of": str(self.setup.before.as_of.date()),
                "source": self.setup.before.source,
                "benchmark": self.setup.before.benchmark,
                "units": "weights, turnover and tracking error are fractions (TE annualised); "
                "te_per_point is the extra TE per percentage point of megacap reduction",
                "current": {
                    "megacap_weight": _num(self.current_megacap),
                    "tracking_error": _num(self.current_te),
                },
                "benchmark_megacap_weight": _num(self.benchmark_megacap),
                "min_megacap_weight": _num(self.min_megacap),
                "sleeves": self.setup.sleeves,
                "points": [
                    {k: _num(v) for k, v in row.items()}
                    for row in self.points.to_dict(orient="records")
                ],
            }
        )


def frontier(
    holdings: Holdings,
    market: Market | None = None,
    mandate: Mandate | None = None,
    *,
    points: int = 12,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
    setup: Setup | None = None,
) -> Frontier:
    """Trace TE against megacap weight for ``holdings`` under the mandate's other limits.

    ``setup``: the prepared problem of a proposal of the same holdings (``Proposal.setup``), to
    re-solve rather than analyse the holdings again; its mandate (with the defaults the proposal
    filled in) is then the frontier's, and ``mandate``, ``benchmark``, ``megacaps`` and
    ``total_value`` are not used.
    """
    market = market or load_market()
    if points < 2:
        raise AdvisorError("a frontier needs at least 2 points", "Use --points 12")
    if setup is not None:
        s, mandate = setup, setup.mandate
    else:
        mandate = mandate or Mandate()
        s = prepare(holdings, market, mandate, benchmark=benchmark, megacaps=megacaps,
                    total_value=total_value)  # fmt: skip
    free = mandate.relaxed(max_te=None, max_megacap=None, megacap_target=None)
    pieces = s.account.sales().asset
    lowest = Rebalancer(s.data, "megacap", 0.0, active_limits(free), pieces).solve(s.account, free)
    if not lowest.ok:
        raise AdvisorError(
            "no portfolio meets the mandate's other limits (turnover, holds, floors)",
            "Relax --max-turnover, --hold or --cash-floor, or run advisor propose for diagnostics",
        )
    m0 = float(s.data.mega @ s.account.w0 + s.data.mega0)
    m_min = float(s.data.mega @ lowest.w.to_numpy() + s.data.mega0)
    rb = Rebalancer(s.data, "te", 0.0, active_limits(free) | {"max_megacap"}, pieces)
    least_te = rb.solve(s.account, free)
    # Above the least-TE portfolio's megacap weight the curve is flat: start there.
    start = (
        min(m0, float(s.data.mega @ least_te.w.to_numpy() + s.data.mega0)) if least_te.ok else m0
    )
    rows = []
    for cap in np.linspace(start, max(m_min, 0.0), points):  # options can take it below 0
        sol = rb.solve(s.account, free.relaxed(max_megacap=float(cap) + 1e-9))
        if not sol.ok:
            continue
        w = sol.w.to_numpy()
        rows.append(
            {
                "megacap_cap": float(cap),
                "megacap_weight": float(s.data.mega @ w + s.data.mega0),
                "tracking_error": s.data.active.te(w),
                "turnover": float(np.abs(w - s.account.w0).sum() / 2),
            }
        )
    table = pd.DataFrame(rows)
    step = -table["megacap_weight"].diff() * 100
    table["te_per_point"] = (table["tracking_error"].diff() / step).where(step > 1e-6)
    return Frontier(
        setup=s,
        mandate=mandate,
        points=table,
        current_megacap=m0,
        current_te=s.before.risk.tracking_error,
        benchmark_megacap=s.before.concentration.benchmark_megacap_weight,
        min_megacap=m_min,
    )
