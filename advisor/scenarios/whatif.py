"""``what_if()``: the current portfolio, the proposed one and the benchmark under scenarios.

Scenarios -> security returns (:mod:`advisor.scenarios.shocks`) -> each portfolio's return through its
look-through (the same risk-model vectors ``analyze`` measures risk on) -> :class:`WhatIf`.
Returns are fractions of each portfolio's value; P&L is money where the account value is known.
Every return is a sum of contributions, by holding, by group and by sector, that add up exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from advisor.analytics.analysis import Analysis, security_groups
from advisor.market.lookthrough import risk_vector
from advisor.market.snapshot import Market
from advisor.scenarios.shocks import Move, Scenario, scenario_move

if TYPE_CHECKING:  # keeps cvxpy out of what-if runs without --propose
    from advisor.optimize.proposal import Proposal


@dataclass(frozen=True, eq=False)
class Outcome:
    """One portfolio under one scenario.

    Attributes
    ----------
    ret : float
        Return, a fraction of the portfolio's value.
    pnl : float or None
        Profit and loss in account currency (None for weights-only files and the benchmark).
    by_holding, by_group, by_sector : Series
        Contributions to ``ret``; each sums to ``ret`` (cash contributes nothing).
    """

    ret: float
    pnl: float | None
    by_holding: pd.Series
    by_group: pd.Series
    by_sector: pd.Series


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    move: Move
    current: Outcome
    benchmark: Outcome
    proposed: Outcome | None = None

    @property
    def name(self) -> str:
        return self.move.scenario.name

    @property
    def active_return(self) -> float:
        return self.current.ret - self.benchmark.ret

    @property
    def proposed_active_return(self) -> float | None:
        return None if self.proposed is None else self.proposed.ret - self.benchmark.ret


@dataclass(frozen=True, eq=False)
class WhatIf:
    """Everything ``advisor what-if`` reports."""

    before: Analysis
    results: list[ScenarioResult]
    proposal: Proposal | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def after(self) -> Analysis | None:
        return None if self.proposal is None else self.proposal.after


def outcome(
    analysis: Analysis | None,
    returns: pd.Series,
    market: Market,
    mega: set[str],
    bench: pd.Series | None = None,
) -> Outcome:
    """A portfolio's (or, with ``bench``, the benchmark's) return under security ``returns``."""
    if analysis is not None:
        weights = analysis.positions["weight"]
        lt = analysis.lookthrough
        cols = lt.risk_matrix()
        unit = cols.T @ returns.reindex(cols.index, fill_value=0.0)
        by_holding = (unit * weights.reindex(unit.index)).sort_values()
        vector = risk_vector(lt, weights)
        total = analysis.total_value
    else:
        assert bench is not None
        vector = bench
        by_holding = pd.Series(dtype=float)
        total = None
    per_security = vector * returns.reindex(vector.index, fill_value=0.0)
    groups, sectors = security_groups(vector.index, market, mega)
    ret = float(per_security.sum())
    return Outcome(
        ret=ret,
        pnl=None if total is None else ret * total,
        by_holding=by_holding,
        by_group=per_security.groupby(groups).sum().sort_values(),
        by_sector=per_security.groupby(sectors).sum().sort_values(),
    )


def what_if(
    before: Analysis,
    scenarios: Sequence[Scenario],
    market: Market,
    *,
    sleeves: dict[str, str],
    benchmark: str | None = None,
    proposal: Proposal | None = None,
) -> WhatIf:
    """Run ``scenarios`` on the analysed portfolio (and on ``proposal.after`` when given)."""
    mega = market.megacap_companies(list(before.megacap_tickers))
    bench = market.benchmark_weights(benchmark)
    history = market.factor_returns() if any(s.replay for s in scenarios) else None
    after = None if proposal is None else proposal.after
    results = []
    for s in scenarios:
        move = scenario_move(s, market, mega, sleeves, history)
        results.append(
            ScenarioResult(
                move=move,
                current=outcome(before, move.returns, market, mega),
                benchmark=outcome(None, move.returns, market, mega, bench=bench),
                proposed=None if after is None else outcome(after, move.returns, market, mega),
            )
        )
    notes = []
    asset = market.securities["asset_class"].reindex(before.positions.index)
    other = asset[asset.notna() & (asset != "US equity")]
    if len(other):
        notes.append(
            ", ".join(f"{t} ({c})" for t, c in other.items())
            + ": the risk model has only US equity factors (no interest-rate, credit, currency "
            "or commodity factor), so these move only by their equity-factor betas and "
            "their scenario moves are likely understated"
        )
    if proposal is not None and after is None:
        notes.append(
            "the mandate is infeasible, so there is no proposed portfolio to test"
            + "".join(f"; {r.message}" for r in proposal.relaxations)
        )
    return WhatIf(before, results, proposal, notes)
