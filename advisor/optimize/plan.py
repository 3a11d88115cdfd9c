"""A multi-year transition: the way to the target spread over years under a yearly tax budget.

Each year, on the trade date one year after the last (the first: the snapshot date, or
``--trade-date``), the household is proposed a rebalance with the year's tax budget as
``max_tax``, in this order of mandates, the first that can be met:

1. the mandate as given (its megacap target, tracking-error budget and other limits), when it
   ends within the tracking-error budget;
2. megacap weight at the target or below, and the tracking error as low as the tax budget allows
   (a transition year: the target is reached, the tracking error not yet);
3. as little megacap weight as the tax budget buys (the target is out of reach this year).

The year's trades are then applied: lots sold leave (in part or whole), purchases become new lots
acquired on the trade date at their cost, and the next year's holding periods are measured from
the next trade date, so short-term lots age into long-term ones. Prices stay at the snapshot's:
the plan shows the tax and the path, not a forecast of returns, and the report says so.

The plan is compared with doing it all now (the mandate as given, no tax budget): its tax, and
the years each spends above the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from advisor.domain import Holdings
from advisor.errors import UsageError
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market, load_market, with_market_data
from advisor.optimize.mandate import Mandate, Objective
from advisor.optimize.proposal import Proposal, propose
from advisor.optimize.sales import lots_of
from advisor.units import json_money as _money
from advisor.units import json_number as _num

#: A year ends "at the target" within this of it (whole shares, rounding).
AT_TARGET = 0.005


@dataclass(frozen=True, eq=False)
class PlanYear:
    """One year of the plan: its proposal and the figures after its trades."""

    year: int
    trade_date: pd.Timestamp
    proposal: Proposal
    mandate_used: str  # which of the module notes' mandates was met

    @property
    def figures(self) -> dict[str, Any]:
        p = self.proposal
        part = p.scope_after if p.scope_after is not None else p.after
        tax = p.tax.to_dict() if p.tax is not None else None
        return {
            "year": self.year,
            "trade_date": str(self.trade_date.date()),
            "status": str(p.status),
            "mandate": self.mandate_used,
            "trades": [_trade(r) for r in p.trades.to_dict(orient="records")],
            "megacap_weight": _num(part.concentration.megacap_weight) if part else None,
            "tracking_error": _num(part.risk.tracking_error) if part else None,
            "turnover": _num(p.turnover),
            "realized_gain": _money(p.realized_gain),
            "estimated_tax": None if tax is None else tax["estimated_tax"],
            "tax": tax,
        }


def _trade(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("account", "ticker", "side", "shares", "price", "amount", "realized_gain", "est_tax",
            "lots")  # fmt: skip
    return {k: (_num(row[k]) if k in ("price", "amount", "realized_gain", "est_tax") else row[k])
            for k in keep if k in row}  # fmt: skip


@dataclass(frozen=True, eq=False)
class Plan:
    """A year-by-year transition and the all-now alternative (see the module notes)."""

    source: str
    target: float
    budget: float
    years: list[PlanYear]
    all_now: Proposal
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)

    def comparison(self) -> dict[str, Any]:
        """Total tax of the plan and of doing it all now, and the years each spends above the
        target (a year counts when it ends above the target)."""
        plan_tax = sum(float(y.figures["estimated_tax"] or 0.0) for y in self.years)
        now_tax = self.all_now.tax.to_dict()["estimated_tax"] if self.all_now.tax else 0.0
        above = sum(1 for y in self.years if not _at_target(y, self.target))
        now_ok = self.all_now.feasible
        return {
            "plan_estimated_tax": round(plan_tax, 2),
            "all_now_estimated_tax": now_tax if now_ok else None,
            "all_now_status": str(self.all_now.status),
            "plan_years_above_target": above,
            "all_now_years_above_target": 0 if now_ok else len(self.years),
            "tax_saved_by_the_plan": round((now_tax or 0.0) - plan_tax, 2) if now_ok else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``advisor plan --format json`` contract: ``plan`` with its ``years``."""
        return with_market_data(
            {
                "source": self.source,
                "as_of": str(self.as_of.date()),
                "prices": "held at the snapshot's for every year (no return forecast)",
                "megacap_target": _num(self.target),
                "max_tax_per_year": _money(self.budget),
                "plan": {"years": [y.figures for y in self.years]},
                "comparison": self.comparison(),
                "notes": self.notes,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per year: trade date, mandate met, megacap weight, TE, gain, tax."""
        cols = ["year", "trade_date", "mandate", "megacap_weight", "tracking_error", "turnover",
                "realized_gain", "estimated_tax"]  # fmt: skip
        return pd.DataFrame([{c: y.figures[c] for c in cols} for y in self.years], columns=cols)


def _at_target(y: PlanYear, target: float) -> bool:
    w = y.figures["megacap_weight"]
    return w is not None and w <= target + AT_TARGET


def plan(
    holdings: Holdings,
    market: Market | None = None,
    mandate: Mandate | None = None,
    *,
    years: int = 3,
    max_tax_per_year: float,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
) -> Plan:
    """The transition of ``holdings`` over ``years`` under ``max_tax_per_year`` (see the notes)."""
    if not 1 <= years <= 10:
        raise UsageError(f"--years {years}: plan 1 to 10 years", option="--years")
    if not max_tax_per_year >= 0:
        raise UsageError("--max-tax-per-year must be an amount >= 0", option="--max-tax-per-year")
    market = market or load_market()
    mandate = mandate or Mandate()
    kw: dict[str, Any] = {"benchmark": benchmark, "megacaps": megacaps}
    now = propose(holdings, market, mandate, total_value=total_value, **kw)
    target = _target(now, mandate)
    start = pd.Timestamp(mandate.trade_date) if mandate.trade_date else market.as_of
    out, h, notes = [], holdings, []
    for year in range(1, years + 1):
        day = start + pd.DateOffset(years=year - 1)
        p, used = _year(h, market, mandate, max_tax_per_year, day, target, total_value, kw)
        out.append(PlanYear(year, day, p, used))
        if p.feasible and p.holdings_after is not None:
            h = applied(p, h, day)
            total_value = None
    if out and not _at_target(out[-1], target):
        notes.append(f"the target {target:.1%} is not reached in {years} year(s) under this budget")
    return Plan(holdings.path, target, max_tax_per_year, out, now, market.as_of, notes)


def _target(now: Proposal, mandate: Mandate) -> float:
    if mandate.megacap_target is not None:
        return float(mandate.megacap_target)
    applied_target = getattr(now.mandate, "megacap_target", None)
    if applied_target is not None:
        return float(applied_target)
    part = now.scope_before or now.before
    return float(part.concentration.benchmark_megacap_weight)


def _year(h, market, mandate, budget, day, target, total_value, kw) -> tuple[Proposal, str]:  # type: ignore[no-untyped-def]
    """The year's proposal under the first mandate of the module notes that can be met."""
    date = str(day.date())
    base = {"max_tax": budget, "trade_date": date}
    tries = [
        ("as given", mandate.relaxed(**base, megacap_target=target)),
        ("transition: megacap at the target, tracking error as low as the tax budget allows",
         mandate.relaxed(**base, megacap_target=None, max_megacap=target, max_te=None,
                         objective=Objective.TE)),
        ("transition: as little megacap weight as the tax budget buys",
         mandate.relaxed(**base, megacap_target=None, max_te=None,
                         objective=Objective.MEGACAP)),
    ]  # fmt: skip
    p = None
    for label, m in tries:
        p = propose(h, market, m, total_value=total_value, **kw)
        if p.feasible and (label != "as given" or _within_te(p, mandate)):
            return p, label
    assert p is not None
    return p, "none: no trades"


def _within_te(p: Proposal, mandate: Mandate) -> bool:
    """The proposal ends within the mandate's tracking-error budget (not only at the target)."""
    part = p.scope_after if p.scope_after is not None else p.after
    cap = mandate.max_te
    return cap is None or part is None or part.risk.tracking_error <= cap + 1e-6


def applied(p: Proposal, before: Holdings, day: pd.Timestamp) -> Holdings:
    """The holdings after ``p``'s trades, with their lots: lots sold leave, purchases become new
    lots acquired on ``day`` at their cost; positions' cost basis is their lots' sum."""
    after = p.holdings_after
    assert after is not None
    lots = lots_of(before).copy()
    sold = p.lot_sales if p.lot_sales is not None else pd.DataFrame()
    for s in sold.itertuples():
        at = _lot_row(lots, s)
        if at is not None:
            lots.at[at, "shares"] = float(lots.at[at, "shares"]) - float(s.shares)
            lots.at[at, "cost_basis"] = float(lots.at[at, "cost_basis"]) - float(s.cost_basis)
    lots = lots[lots["shares"] > 1e-9]
    buys = p.trades[p.trades["side"] == "buy"]
    new = pd.DataFrame({
        "account": buys.get("account", pd.Series("", index=buys.index)).astype(str),
        "ticker": buys["ticker"], "acquired": day, "shares": buys["shares"].astype(float),
        "cost_basis": buys["amount"].astype(float), "term": "", "line": -1,
    })  # fmt: skip
    lots = pd.concat([lots, new], ignore_index=True)
    basis = lots.groupby("ticker")["cost_basis"].sum(min_count=1)
    positions = after.positions.copy()
    positions["cost_basis"] = basis.reindex(positions.index).to_numpy()
    lots = lots.astype({"account": str, "term": str}).reset_index(drop=True)
    return replace(after, positions=positions, path=before.path, lots=lots,
                   accounts=before.accounts)  # fmt: skip


def _lot_row(lots: pd.DataFrame, s: Any) -> int | None:
    """The lots table's row of a lot sale (account, ticker, line and acquired date)."""
    same = (lots["ticker"] == s.ticker) & (lots["account"].astype(str) == str(s.account))
    same &= lots["line"] == s.line
    acquired = pd.to_datetime(lots["acquired"])
    same &= (acquired == s.acquired) | (acquired.isna() & pd.isna(s.acquired))
    rows = np.flatnonzero(same.to_numpy())
    return int(lots.index[rows[0]]) if len(rows) else None


__all__ = ["Plan", "PlanYear", "applied", "plan"]
