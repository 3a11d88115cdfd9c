"""``propose()``: from a client's holdings and a mandate to a checked, whole-share rebalance.

Holdings -> analyze (before) -> optimizer (target weights) -> trades (whole shares, cash
reconciled) -> analyze (after, on the portfolio actually traded) -> :class:`Proposal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis, analyze
from advisor.domain import POSITION_COLUMNS, Holdings
from advisor.errors import AdvisorError, InputError
from advisor.market.sleeves import resolve_sleeves
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market
from advisor.optimize.diagnostics import Relaxation, precheck, relaxations
from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import (
    Account,
    ProblemData,
    Rebalancer,
    Solution,
    active_limits,
    bound_names,
    problem_data,
)
from advisor.optimize.trades import trade_list, whole_share_trades


@dataclass(frozen=True, eq=False)
class Proposal:
    """A rebalance proposal and everything needed to explain it.

    ``status`` is ``optimal``, ``optimal_inaccurate`` (limits checked; see ``diagnostics``) or
    ``infeasible`` (``after`` and ``trades`` are empty; ``relaxations`` say what would work).
    """

    status: str
    mandate: Mandate
    sleeves: dict[str, str]
    before: Analysis
    after: Analysis | None
    target: pd.Series  # continuous optimal weights by ticker (cash excluded)
    trades: pd.DataFrame
    turnover: float  # of the rounded trades, fraction of total value
    est_cost: float
    realized_gain: float | None
    binding: list[str]
    checks: dict
    continuous_te: float
    solver: dict
    diagnostics: list[str] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible"


def _account(
    before: Analysis,
    holdings: Holdings,
    assets: pd.Index,
    mandate: Mandate,
    sleeves: dict[str, str],
    is_stock: np.ndarray,
    market: Market,
) -> Account:
    w0 = before.positions["weight"].reindex(assets, fill_value=0.0).to_numpy()
    lo, hi = np.zeros(len(assets)), np.ones(len(assets))
    for t in mandate.hold:
        r = market.resolve(t)
        if r in assets:
            lo[assets.get_loc(r)] = w0[assets.get_loc(r)]
    for t in mandate.restrict:
        r = market.resolve(t)
        if r in assets:
            hi[assets.get_loc(r)] = w0[assets.get_loc(r)]
    if mandate.max_position is not None:
        hi = np.where(is_stock, np.minimum(hi, mandate.max_position), hi)
    for name, fund in sleeves.items():
        i = assets.get_loc(fund)
        lo[i] = max(lo[i], mandate.sleeve_min.get(name, 0.0))
        hi[i] = min(hi[i], mandate.sleeve_max.get(name, 1.0))
    value = before.positions["value"].reindex(assets)
    basis = holdings.positions["cost_basis"].reindex(assets)
    gain = (1.0 - basis / value).where(value > 0).clip(lower=0.0).fillna(0.0).to_numpy()
    return Account(
        w0=w0,
        cash0=before.cash_weight,
        lo=lo,
        hi=hi,
        gain_rate=gain,
        total_value=float(before.total_value or 0.0),
    )


def _after_holdings(
    holdings: Holdings, shares: pd.Series, prices: pd.Series, cash: float
) -> Holdings:
    df = pd.DataFrame({c: np.nan for c in POSITION_COLUMNS}, index=shares.index.rename("ticker"))
    df["shares"] = shares.astype(float)
    df["price"] = prices.reindex(shares.index).astype(float)
    df["cost_basis"] = holdings.positions["cost_basis"].reindex(shares.index)
    df["account"] = ""
    df["lines"] = [tuple(holdings.positions["lines"].get(t, ())) for t in shares.index]
    df["raw"] = [tuple(holdings.positions["raw"].get(t, (t,))) for t in shares.index]
    df = df.astype({"account": object, "lines": object, "raw": object})
    return Holdings(path=f"{holdings.path} (proposed)", positions=df, cash=cash, basis="shares")


@dataclass(frozen=True, eq=False)
class Setup:
    """What every optimisation of one account needs: the analysis and the problem's inputs."""

    before: Analysis
    sleeves: dict[str, str]
    data: ProblemData
    account: Account


def prepare(
    holdings: Holdings,
    market: Market,
    mandate: Mandate,
    *,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
) -> Setup:
    """Analyse the account and build the problem over its holdings and the sleeve funds."""
    if holdings.basis == "weight":
        raise InputError(
            "a proposal needs shares or market values, not only weights",
            path=holdings.path,
            hint="Export the positions with quantities or values.",
        )
    before = analyze(holdings, market, benchmark=benchmark, megacaps=megacaps)
    sleeves = resolve_sleeves(mandate.sleeves, mandate.sleeve_funds)
    assets = before.positions.index.union(pd.Index(list(sleeves.values())))
    bench = market.benchmark_weights(benchmark)
    mega = market.megacap_companies(list(megacaps))
    data = problem_data(list(assets), market, bench, mega)
    account = _account(before, holdings, assets, mandate, sleeves, data.is_stock, market)
    return Setup(before, sleeves, data, account)


def propose(
    holdings: Holdings,
    market: Market,
    mandate: Mandate,
    *,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
) -> Proposal:
    """Propose a rebalance of ``holdings`` toward the mandate's sleeves, within its limits."""
    s = prepare(holdings, market, mandate, benchmark=benchmark, megacaps=megacaps)
    before, sleeves, data, account = s.before, s.sleeves, s.data, s.account
    empty = _infeasible_parts(mandate, sleeves, before)
    cheap = precheck(data, account, mandate)
    if cheap:
        return Proposal(**empty, diagnostics=["caught before solving: " + m for m in cheap])
    rb = Rebalancer(data, mandate.objective, mandate.cost_bps, active_limits(mandate))
    sol = rb.solve(account, mandate)
    if not sol.ok:
        return Proposal(
            **empty,
            diagnostics=["the solver proved the limits cannot all hold"],
            relaxations=relaxations(data, account, mandate),
        )
    return _build(
        holdings, market, mandate, sleeves, before, data, account, sol, benchmark, megacaps
    )


def _infeasible_parts(mandate: Mandate, sleeves: dict[str, str], before: Analysis) -> dict:
    return dict(
        status="infeasible",
        mandate=mandate,
        sleeves=sleeves,
        before=before,
        after=None,
        target=pd.Series(dtype=float),
        trades=trade_list(
            pd.Series(dtype=float),
            pd.Series(dtype=float),
            pd.Series(dtype=float),
            pd.Series(dtype=float),
            0.0,
        ),
        turnover=0.0,
        est_cost=0.0,
        realized_gain=None,
        binding=[],
        checks={},
        continuous_te=float("nan"),
        solver={},
    )


def _build(
    holdings, market, mandate, sleeves, before, data, account, sol: Solution, benchmark, megacaps
) -> Proposal:  # type: ignore[no-untyped-def]
    prices = before.positions["price"].reindex(data.assets)
    prices = prices.fillna(market.securities["price"].reindex(data.assets))
    if prices.isna().any():
        raise AdvisorError(
            "no price for " + ", ".join(prices.index[prices.isna()]),
            "Choose sleeve funds the snapshot prices, e.g. --sleeve value=VTV",
        )
    shares0 = before.positions["shares"].reindex(data.assets)
    shares0 = shares0.fillna(before.positions["value"].reindex(data.assets) / prices).fillna(0.0)
    total = float(before.total_value)
    cash0 = before.cash_weight * total
    new, new_cash, notes = whole_share_trades(
        shares0,
        prices,
        cash0,
        sol.w,
        total,
        cash_floor=mandate.cash_floor,
        min_trade=mandate.min_trade,
    )
    trades = trade_list(shares0, new, prices, holdings.positions["cost_basis"], mandate.cost_bps)
    after = analyze(
        _after_holdings(holdings, new[new > 0], prices, new_cash),
        market,
        benchmark=benchmark,
        megacaps=megacaps,
    )
    has_basis = holdings.positions["cost_basis"].notna().any()
    gains = float(trades["realized_gain"].sum(skipna=True)) if has_basis else None
    binding = [k for k, c in sol.checks.items() if c.get("binding")]
    binding += bound_names(data, sol.w.to_numpy(), account)
    diagnostics = list(notes)
    if sol.status != "optimal":
        bad = [k for k, c in sol.checks.items() if not c["holds"]]
        diagnostics.append(
            f"solution flagged inaccurate by {sol.solver}; limits not within tolerance: {bad}"
        )
    diagnostics += _rounding_notes(after, mandate, gains)
    return Proposal(
        status=sol.status,
        mandate=mandate,
        sleeves=sleeves,
        before=before,
        after=after,
        target=sol.w[sol.w > 1e-9],
        trades=trades,
        turnover=float(trades["amount"].sum() / 2 / total) if len(trades) else 0.0,
        est_cost=float(trades["est_cost"].sum()) if len(trades) else 0.0,
        realized_gain=gains,
        binding=binding,
        checks=sol.checks,
        continuous_te=float(data.te(sol.w.to_numpy())),
        solver={
            "name": sol.solver,
            "solve_time": sol.solve_time,
            "iterations": sol.iterations,
            "objective": sol.objective,
            "status": sol.status,
        },
        diagnostics=diagnostics,
    )


def _rounding_notes(after: Analysis, mandate: Mandate, gains: float | None) -> list[str]:
    """Limits that the whole-share rounding moved past (the continuous solution met them)."""
    out = []
    te = after.risk.tracking_error
    if mandate.max_te is not None and te > mandate.max_te + 1e-4:
        out.append(
            f"after rounding to whole shares the tracking error is {te:.2%}, "
            f"{te - mandate.max_te:.2%} above the cap"
        )
    cap = mandate.megacap_cap
    mw = after.concentration.megacap_weight
    if cap is not None and mw > cap + 1e-4:
        out.append(f"after rounding the megacap weight is {mw:.2%}, above the {cap:.2%} cap")
    budget = mandate.max_realized_gain
    if budget is not None and gains is not None and gains > budget + 0.005:
        out.append(
            f"after rounding to whole shares the estimated realised gain is {gains:,.2f}, "
            f"{gains - budget:,.2f} over the {budget:,.2f} budget (the optimal weights meet it)"
        )
    return out
