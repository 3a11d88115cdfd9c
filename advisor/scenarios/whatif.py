"""``what_if()``: the current portfolio, the proposed one and the benchmark under scenarios.

Scenarios -> security returns (:mod:`advisor.scenarios.shocks`) -> each portfolio's return through its
look-through (the same risk-model vectors ``analyze`` measures risk on) -> :class:`WhatIf`.
Returns are fractions of each portfolio's value; P&L is money where the account value is known.
Every return is a sum of contributions, by holding, by group and by sector, that add up exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from advisor.analytics.analysis import Analysis, analyze, security_groups
from advisor.analytics.concentration import GROUP_ORDER, SECTOR_ORDER, in_order
from advisor.domain import Holdings
from advisor.errors import AdvisorError, UsageError
from advisor.market.lookthrough import risk_vector
from advisor.market.sleeves import SLEEVES, resolve_sleeves
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market, load_market, with_market_data
from advisor.scenarios.files import load_scenarios
from advisor.scenarios.shocks import (
    REPLAYS,
    Move,
    Scenario,
    default_name,
    parse_shock,
    scenario_move,
)
from advisor.units import json_money as _money
from advisor.units import json_number as _num

if TYPE_CHECKING:  # keeps cvxpy out of what-if runs without a proposal
    from advisor.optimize.mandate import Mandate
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

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor what-if --format json`` contract)."""
        return whatif_dict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario: returns (fractions) and P&L (money) of each portfolio."""
        return whatif_frame(self)


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
        by_group=in_order(per_security.groupby(groups).sum(), GROUP_ORDER),
        by_sector=in_order(per_security.groupby(sectors).sum(), SECTOR_ORDER),
    )


#: Run when no scenario is given: the brief's stress set (and, in :func:`default_scenarios`,
#: every named replay).
DEFAULT_SHOCKS = (("megacap sell-off", "megacaps=-30%"), ("small-cap rally", "small-cap=+10%"))


def default_scenarios(replays: Sequence[str] | None = None) -> list[Scenario]:
    """The default stress set: a megacap sell-off (-30 %), a small-cap rally (+10 %) and the
    named replays (all of them unless ``replays`` names some)."""
    out = [Scenario(name, (parse_shock(text),)) for name, text in DEFAULT_SHOCKS]
    names = list(REPLAYS) if replays is None else list(replays)
    return out + [Scenario(r, replay=r) for r in names]


def build_scenarios(
    shocks: Sequence[str] = (),
    replays: Sequence[str] = (),
    file: str | None = None,
    *,
    propagate: bool = True,
) -> list[Scenario]:
    """Scenarios from stated moves (one scenario of all ``shocks``), replays (one each) and a
    scenario file, in that order; empty when none is given. Names must not repeat."""
    out = []
    if shocks:
        try:
            parsed = tuple(parse_shock(s) for s in shocks)
        except AdvisorError as exc:
            raise UsageError(exc.message, exc.hint, option="--shock") from exc
        out.append(Scenario(default_name(parsed, None), parsed, propagate=propagate))
    out += [Scenario(r, replay=r) for r in replays]
    if file is not None:
        out += load_scenarios(str(file))
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise AdvisorError(f"the same scenario is given twice: {', '.join(dup)}")
    return out


def _as_scenarios(scenarios: Sequence[Scenario | str] | None) -> list[Scenario]:
    if scenarios is None:
        return default_scenarios()
    return [s if isinstance(s, Scenario) else Scenario.parse(s) for s in scenarios]


def what_if(
    portfolio: Holdings | Analysis,
    market: Market | None = None,
    scenarios: Sequence[Scenario | str] | None = None,
    *,
    proposal: Proposal | None = None,
    mandate: Mandate | None = None,
    sleeves: dict[str, str] | None = None,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
) -> WhatIf:
    """Run ``scenarios`` on a portfolio, the benchmark and (optionally) a proposed rebalance.

    Parameters
    ----------
    portfolio : Holdings or Analysis
        The client's holdings (analysed here) or their analysis.
    market : Market, optional
        The snapshot (default: the embedded one).
    scenarios : sequence of Scenario or str, optional
        Scenarios, or texts such as ``"megacaps=-30%"`` and ``"covid"`` (see
        :meth:`Scenario.parse`); default :func:`default_scenarios`.
    proposal : Proposal, optional
        A rebalance to test beside the current portfolio.
    mandate : Mandate, optional
        When given without ``proposal``, the rebalance is proposed here (needs Holdings).
    sleeves : dict, optional
        Sleeve name -> fund for sleeve-named shocks (default: every sleeve's default fund, or
        the mandate's choice).
    """
    market = market or load_market()
    if mandate is not None and proposal is None:
        if not isinstance(portfolio, Holdings):
            raise AdvisorError("proposing a rebalance needs the holdings, not an analysis")
        from advisor.optimize.proposal import propose

        proposal = propose(portfolio, market, mandate, benchmark=benchmark, megacaps=megacaps,
                           total_value=total_value)  # fmt: skip
    if proposal is not None:
        before = proposal.before
    elif isinstance(portfolio, Holdings):
        before = analyze(portfolio, market, benchmark=benchmark, megacaps=megacaps,
                         total_value=total_value)  # fmt: skip
    else:
        before = portfolio
    if sleeves is None:
        chosen = mandate.sleeve_funds if mandate is not None else {}
        sleeves = resolve_sleeves(list(SLEEVES), chosen)
    return _run(before, _as_scenarios(scenarios), market, sleeves, benchmark, proposal)


def _run(before: Analysis, scenarios: list[Scenario], market: Market, sleeves: dict[str, str],
         benchmark: str | None, proposal: Proposal | None) -> WhatIf:  # fmt: skip
    mega = market.megacap_companies(list(before.megacap_tickers))
    bench = before.bench.weights if before.bench is not None else market.benchmark
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
    return WhatIf(before, results, proposal, _notes(before, market, proposal))


def _notes(before: Analysis, market: Market, proposal: Proposal | None) -> list[str]:
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
    if proposal is not None and proposal.after is None:
        notes.append(
            "the mandate is infeasible, so there is no proposed portfolio to test"
            + "".join(f"; {r.message}" for r in proposal.relaxations)
        )
    return notes


# -- the JSON contract -------------------------------------------------------------------------


def _series(s: pd.Series) -> dict[str, float | None]:
    return {str(k): _num(v) for k, v in s.items()}


def _outcome(o: Outcome | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "return": _num(o.ret),
        "pnl": _money(o.pnl),
        "by_holding": _series(o.by_holding),
        "by_group": _series(o.by_group),
        "by_sector": _series(o.by_sector),
    }


def _move(m: Move) -> dict[str, Any]:
    s = m.scenario
    return {
        "kind": str(s.kind),
        "description": m.description,
        "shocks": [{"group": x.group, "move": x.move} for x in s.shocks],
        "propagated": s.propagate if s.kind == "shock" else None,
        "replay": s.replay,
        "window": None
        if m.window is None
        else {"start": str(m.window[0].date()), "end": str(m.window[1].date())},
        "market_actual_return": _num(m.market_actual),
        "factor_moves": _series(m.factor_moves),
        "notes": m.notes,
    }


def scenario_dict(r: ScenarioResult) -> dict[str, Any]:
    """One scenario's figures (returns and contributions are fractions, P&L money)."""
    out: dict[str, Any] = {
        "name": r.name,
        "portfolio_return": _num(r.current.ret),
        "benchmark_return": _num(r.benchmark.ret),
        "active_return": _num(r.active_return),
        "portfolio_pnl": _money(r.current.pnl),
    }
    if r.proposed is not None:
        out["proposed_return"] = _num(r.proposed.ret)
        out["proposed_active_return"] = _num(r.proposed_active_return)
        out["proposed_pnl"] = _money(r.proposed.pnl)
    out.update(_move(r.move))
    out["portfolio"] = _outcome(r.current)
    out["benchmark"] = _outcome(r.benchmark)
    out["proposed"] = _outcome(r.proposed)
    return out


def whatif_dict(w: WhatIf) -> dict[str, Any]:
    """Every figure of a what-if run (the ``advisor what-if --format json`` contract)."""
    a = w.before
    out: dict[str, Any] = with_market_data(
        {
            "as_of": str(a.as_of.date()),
            "source": a.source,
            "benchmark": a.benchmark,
            "total_value": _money(a.total_value),
            "units": "returns and contributions are fractions of each portfolio's value; pnl is in "
            "account currency",
            "scenarios": [scenario_dict(r) for r in w.results],
            "notes": w.notes,
        }
    )
    p = w.proposal
    if p is not None:
        out["proposal"] = {
            "status": str(p.status),
            "turnover": _num(p.turnover),
            "estimated_cost": _money(p.est_cost),
            "realized_gain": _money(p.realized_gain),
            "tracking_error_after": _num(None if p.after is None else p.after.risk.tracking_error),
            "megacap_weight_after": _num(
                None if p.after is None else p.after.concentration.megacap_weight
            ),
            "trades": len(p.trades),
        }
    return out


def whatif_frame(w: WhatIf) -> pd.DataFrame:
    """One row per scenario (fractions; P&L money)."""
    rows = []
    for r in w.results:
        rows.append(
            {
                "scenario": r.name,
                "kind": str(r.move.scenario.kind),
                "description": r.move.description,
                "portfolio_return": r.current.ret,
                "portfolio_pnl": r.current.pnl,
                "proposed_return": None if r.proposed is None else r.proposed.ret,
                "proposed_pnl": None if r.proposed is None else r.proposed.pnl,
                "benchmark_return": r.benchmark.ret,
                "active_return": r.active_return,
                "proposed_active_return": r.proposed_active_return,
                "market_actual_return": r.move.market_actual,
            }
        )
    return pd.DataFrame(rows)
