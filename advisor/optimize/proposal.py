"""``propose()``: from a client's holdings and a mandate to a checked, whole-share rebalance.

Holdings -> analyze (before) -> optimizer (target weights) -> whole shares, every limit repaired
and checked on the portfolio actually traded (:mod:`advisor.optimize.rounding`) -> analyze
(after) -> :class:`Proposal`. Status ``optimal`` means every limit holds on the whole-share
portfolio; when the continuous optimum exists but no whole-share portfolio near it keeps a limit,
the status is ``infeasible`` and the diagnostics name the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis, analyze
from advisor.domain import POSITION_COLUMNS, Holdings
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market, load_market, with_market_data
from advisor.optimize.diagnostics import Relaxation, precheck, relaxations
from advisor.optimize.limits import BY_NAME, LABELS, active_limits, cash_cap
from advisor.optimize.mandate import Mandate
from advisor.optimize.netting import estimate_tax, trade_tax
from advisor.optimize.optimizer import Rebalancer, Solution, Status, bound_names
from advisor.optimize.problem import Account
from advisor.optimize.rounding import Rounded, round_to_shares
from advisor.optimize.sales import by_account, lot_sales, lots_of
from advisor.optimize.scope import Scope, rejoin
from advisor.optimize.setup import Setup, prepare
from advisor.optimize.setup import book as book_of
from advisor.optimize.stubs import no_stubs
from advisor.optimize.trades import COLUMNS, trade_list
from advisor.units import json_money as _money
from advisor.units import json_number as _num
from advisor.units import quantity_text

#: Re-solves with tightened limits when whole shares break one (before giving up).
ROUNDING_RETRIES = 3


@dataclass(frozen=True, eq=False)
class Proposal:
    """A rebalance proposal and everything needed to explain it.

    ``status`` is ``optimal`` (every limit holds on the whole-share portfolio),
    ``optimal_inaccurate`` (the solver's answer missed a limit slightly; see ``diagnostics``) or
    ``infeasible`` (``after`` is None and ``trades`` empty; ``relaxations`` say what would work).
    ``checks`` are evaluated on the whole-share portfolio; ``binding`` names the limits that
    shape the optimal weights (binding at the continuous optimum).
    """

    status: Status
    mandate: Mandate
    sleeves: dict[str, str]
    before: Analysis
    after: Analysis | None
    target: pd.Series  # continuous optimal weights by ticker (cash excluded)
    trades: pd.DataFrame
    turnover: float  # of the whole-share trades, fraction of total value
    est_cost: float
    realized_gain: float | None
    binding: list[str]
    checks: dict
    continuous_te: float
    solver: dict
    diagnostics: list[str] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    scope: Scope | None = None  # what was decided: the US-equity part or the whole account
    scope_before: Analysis | None = None  # the decided holdings before, against their benchmark
    scope_after: Analysis | None = None
    lot_sales: pd.DataFrame | None = None  # every lot sold (advisor.optimize.tax.SALE_COLUMNS)
    tax: Any = None  # TaxEstimate of the sales (None without lot or basis detail)
    accounts: list[dict[str, Any]] = field(default_factory=list)  # [{id, name, type}]
    holdings_after: Holdings | None = None  # the whole account after the trades
    #: The prepared problem (analysis, scope, problem data, account) the proposal was solved
    #: from: :func:`advisor.optimize.frontier.frontier` re-solves it rather than prepare again.
    setup: Setup | None = field(default=None, repr=False)

    @property
    def feasible(self) -> bool:
        return self.status != Status.INFEASIBLE

    def to_frame(self) -> pd.DataFrame:
        """The trade list (one row per ticker; see :mod:`advisor.optimize.trades`)."""
        return self.trades.copy()

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor propose --format json`` contract)."""
        return proposal_dict(self)


def propose(
    holdings: Holdings,
    market: Market | None = None,
    mandate: Mandate | None = None,
    *,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
    on_analysis: Callable[[Analysis], None] | None = None,
) -> Proposal:
    """Propose a rebalance of ``holdings`` toward the mandate's sleeves, within its limits.

    ``market`` defaults to the embedded snapshot and ``mandate`` to :class:`Mandate` ``()``: the
    US-equity part's megacap weight brought down to the S&P 500's at the least cost, within a 3 %
    tracking error, the money to the default sleeves in equal shares, the asset mix kept
    (:mod:`advisor.optimize.scope`). ``total_value`` values a weights-only file.
    ``on_analysis`` is called once with the analysis of the holdings as they are (the figures of
    the proposal's ``before``) as soon as it is made, before the optimizer runs: ``advisor
    report`` lays out its pages on the portfolio today meanwhile.
    """
    market = market or load_market()
    mandate = mandate or Mandate()
    kw = {"benchmark": benchmark, "megacaps": megacaps, "total_value": total_value}
    day = pd.Timestamp(mandate.trade_date) if mandate.trade_date else market.as_of
    if mandate.harvest:
        return _with_harvest(holdings, market, mandate, day, kw, on_analysis)
    p = _propose(holdings, market, mandate, **kw, on_analysis=on_analysis)
    conflicts = wash_sales(p, holdings, day) if p.feasible else pd.DataFrame()
    if len(conflicts):  # hold back the losses' securities and decide again
        held = sorted(set(conflicts["ticker"]))
        again = _propose(holdings, market, mandate.relaxed(hold=(*mandate.hold, *held)), **kw)
        note = (f"not sold, to avoid a wash sale (a loss while the household buys the same or an "
                f"identical security): {', '.join(held)}")  # fmt: skip
        again.diagnostics.append(note)
        return again
    return p


def _with_harvest(holdings: Holdings, market: Market, mandate: Mandate, day: pd.Timestamp,
                  kw: dict[str, Any], on_analysis: Callable[[Analysis], None] | None = None,
                  ) -> Proposal:  # fmt: skip
    """The proposal with tax-loss harvesting in front (:mod:`advisor.optimize.harvest`)."""
    from advisor.optimize import harvest as hv

    before = analyze(holdings, market, benchmark=kw["benchmark"], megacaps=kw["megacaps"],
                     total_value=kw["total_value"])  # fmt: skip
    if on_analysis is not None:
        on_analysis(before)
    prices = (before.positions["value"] / before.positions["shares"]).dropna()
    chosen = hv.candidates(holdings, market, mandate, day, prices)
    plain = mandate.relaxed(harvest=False)
    if chosen.empty:
        p = propose(holdings, market, plain, **kw)
        p.diagnostics.append("--harvest: no lot at a loss with a substitute to harvest")
        return p
    swapped, trades, sales = hv.swap(holdings, chosen, prices, market, day)
    restricted = plain.relaxed(restrict=(*plain.restrict, *sorted(set(chosen["ticker"]))))
    p = propose(swapped, market, restricted, **kw)
    return hv.harvested(p, before, trades, sales, chosen) if p.feasible else p


def _propose(holdings: Holdings, market: Market, mandate: Mandate, *, benchmark: str | None,
             megacaps: Sequence[str], total_value: float | None,
             on_analysis: Callable[[Analysis], None] | None = None) -> Proposal:  # fmt: skip
    """One proposal (see :func:`propose`)."""
    s = prepared = prepare(holdings, market, mandate, benchmark=benchmark, megacaps=megacaps,
                           total_value=total_value, on_analysis=on_analysis)  # fmt: skip
    m = s.mandate
    cheap = precheck(s.data, s.account, m)
    if cheap:
        return _infeasible(s, ["caught before solving: " + c for c in cheap], [])
    limits = active_limits(m) | ({"lower", "upper"} if m.min_position else set())
    rb = Rebalancer(s.data, m.objective, m.cost_bps, limits, s.account.sales().asset)
    sol = rb.solve(s.account, m)
    if not sol.ok:
        relax = relaxations(s.data, s.account, m)
        return _infeasible(s, ["the solver proved the limits cannot all hold"], relax)
    sol, account, stub_notes = no_stubs(rb, s.data, s.account, m, sol)
    s = replace(s, account=account,
                book=book_of(s.before, s.data.assets, market, account, m.min_position))  # fmt: skip
    rounded, sol, notes = _whole_shares(s, m, sol)
    if rounded.broken:
        return _infeasible(s, *_rounding_failure(rounded, s.account))
    p = _build(s.scope.holdings, s.holdings, market, s, sol, rounded,
               s.notes + stub_notes + notes, megacaps)  # fmt: skip
    return replace(p, setup=prepared)


def _whole_shares(s: Setup, mandate: Mandate, sol: Solution) -> tuple[Rounded, Solution, list[str]]:
    """Round to whole shares; when a limit breaks beyond repair, re-solve with that limit
    tightened by twice the excess and round again (up to :data:`ROUNDING_RETRIES` times)."""
    slack = _cash_slack(s)
    account = replace(s.account, cash_slack=slack)
    rounded = round_to_shares(s.data, account, mandate, s.book, sol.w.to_numpy())
    notes: list[str] = []
    tight = mandate
    for _ in range(ROUNDING_RETRIES):
        if not rounded.broken:
            break
        broken = ", ".join(LABELS[k] for k in rounded.broken)
        tight = _tightened(tight, rounded.broken, s.account)
        if tight is None:
            break
        retry = Rebalancer(
            s.data, tight.objective, tight.cost_bps, active_limits(tight), s.account.sales().asset
        ).solve(s.account, tight)
        if not retry.ok:
            break
        sol = retry
        rounded = round_to_shares(s.data, account, mandate, s.book, sol.w.to_numpy())
        notes.append(
            f"whole shares broke the {broken}: the optimum was found again with it tightened, "
            "and rounded again"
        )
    if rounded.moves:
        notes.append(
            f"after rounding to whole shares, {rounded.moves} trade(s) were adjusted by a share "
            "(or to the minimum trade) to keep every limit"
        )
    return rounded, sol, notes


def _cash_slack(s: Setup) -> float:
    """How far whole shares may leave cash above the no-raise cap: less than one share of the
    dearest sleeve fund that may be bought (the funds the proceeds are meant for), else of the
    cheapest security that may be bought; a fraction of the account."""
    b = s.book
    if b.total <= 0 or not b.may_buy.any():
        return 0.0
    sleeves = s.data.assets.isin(list(s.sleeves.values())) & b.may_buy
    price = b.prices[sleeves].max() if sleeves.any() else b.prices[b.may_buy].min()
    return float(price) / b.total


def _tightened(mandate: Mandate, broken: dict[str, float], account: Account) -> Mandate | None:
    """The mandate with each broken limit tightened by twice its excess (None if none can be)."""
    changes: dict[str, Any] = {}
    for name, excess in broken.items():
        limit = BY_NAME[name]
        if name not in Mandate.__dataclass_fields__:
            continue  # per-asset bounds: nothing to tighten
        if name == "sleeve_mix":
            continue  # its bound is a rounding slack, not a number the mandate holds
        bound = limit.bound(mandate, account)
        if name == "cash_max":
            bound = cash_cap(mandate, account.cash0)  # the continuous cap, without the slack
        if bound is None:
            continue
        step = 2 * excess * limit.scale(account) + (1e-5 if limit.unit == "fraction" else 1.0)
        changes[name] = max(0.0, bound + step if limit.floor else bound - step)
    return mandate.relaxed(**changes) if changes else None


def _rounding_failure(rounded: Rounded, account: Account) -> tuple[list[str], list[Relaxation]]:
    out, relax = [], []
    for name in rounded.broken:
        c = rounded.checks[name]
        label = LABELS[name]
        money = BY_NAME[name].unit == "money"
        shown = (lambda x: f"{x:,.2f}") if money else (lambda x: f"{x:.2%}")
        message = (
            f"no whole-share portfolio near the optimum keeps the {label} "
            f"{shown(c['limit'])}: the closest found has {shown(c['value'])}"
        )
        out.append(message)
        relax.append(Relaxation(name, c["limit"], c["value"], message))
    return out, relax


def _infeasible(s: Setup, diagnostics: list[str], relax: list[Relaxation]) -> Proposal:
    return Proposal(
        status=Status.INFEASIBLE,
        mandate=s.mandate,
        sleeves=s.sleeves,
        before=s.account_before,
        after=None,
        target=pd.Series(dtype=float),
        trades=pd.DataFrame(columns=COLUMNS),
        turnover=0.0,
        est_cost=0.0,
        realized_gain=None,
        binding=[],
        checks={},
        continuous_te=float("nan"),
        solver={},
        diagnostics=diagnostics,
        relaxations=relax,
        scope=s.scope,
        scope_before=s.before,
        setup=s,
    )


def _after_holdings(holdings: Holdings, s: Setup, rounded: Rounded, cash: float) -> Holdings:
    """The whole-share portfolio as holdings, valued exactly as the rounding valued it."""
    keep = rounded.values > 0
    index = s.data.assets[keep].rename("ticker")
    df = pd.DataFrame({c: np.nan for c in POSITION_COLUMNS}, index=index)
    df["shares"] = rounded.shares[keep]
    df["price"] = s.book.prices[keep]
    df["value"] = np.round(rounded.values[keep], 2)  # money to the cent
    df["cost_basis"] = holdings.positions["cost_basis"].reindex(index)
    df["account"] = ""
    df["lines"] = [tuple(holdings.positions["lines"].get(t, ())) for t in index]
    df["raw"] = [tuple(holdings.positions["raw"].get(t, (t,))) for t in index]
    df = df.astype({"account": object, "lines": object, "raw": object})
    fixed = s.data.fixed.index if s.data.fixed is not None else pd.Index([])
    if len(fixed):  # untouched: the same rows as the file's
        kept = holdings.positions.loc[fixed].copy()
        kept["value"] = s.before.positions["value"].reindex(fixed)
        df = pd.concat([df, kept.reindex(columns=df.columns)])
    extra = {"instruments": holdings.instruments} if hasattr(holdings, "instruments") else {}
    return Holdings(path=f"{holdings.path} (proposed)", positions=df, cash=cash, basis="value",
                    **extra)  # fmt: skip


def _build(holdings, original, market, s: Setup, sol: Solution, rounded: Rounded, notes,
           megacaps) -> Proposal:  # type: ignore[no-untyped-def]  # fmt: skip
    mandate = s.mandate
    trades = trade_list(s.data.assets, s.book, rounded, holdings.positions["cost_basis"],
                        mandate.cost_bps)  # fmt: skip
    trades, sold_lots, tax, flags = _accounts_and_lots(trades, holdings, s, market)
    flows = trades["amount"].where(trades["side"] == "sell", -trades["amount"]).sum()
    cash = round(s.book.cash0 + float(flows), 2)
    part = _after_holdings(holdings, s, rounded, cash)
    whole = rejoin(part, original, s.scope, s.account_before)
    after = analyze(whole, market, benchmark=s.account_before.bench, megacaps=megacaps)
    scope_after = (
        after
        if whole is part and s.before is s.account_before
        else analyze(part, market, benchmark=s.before.bench, megacaps=megacaps, detail=False)
    )
    has_basis = holdings.positions["cost_basis"].notna().any()
    gains = round(float(trades["realized_gain"].sum(skipna=True)), 2) if has_basis else None
    if len(sold_lots) and sold_lots["gain"].notna().any():
        gains = round(float(sold_lots["gain"].sum(skipna=True)), 2)
    w = sol.w.to_numpy()
    binding = [k for k, c in sol.checks.items() if c.get("binding")]
    binding += bound_names(s.data, w, s.account, mandate)
    checks = {k: {**c, "binding": bool(sol.checks.get(k, {}).get("binding", False))}
              for k, c in rounded.checks.items()}  # fmt: skip
    ok = all(c["holds"] for c in checks.values())
    return Proposal(
        status=Status.OPTIMAL if ok else Status.OPTIMAL_INACCURATE,
        mandate=mandate,
        sleeves=s.sleeves,
        before=s.account_before,
        after=after,
        target=sol.w[sol.w > 1e-9],
        trades=trades,
        turnover=float(trades["amount"].sum() / 2 / (s.account_before.total_value or 1.0))
        if len(trades)
        else 0.0,
        est_cost=round(float(trades["est_cost"].sum()), 2) if len(trades) else 0.0,
        realized_gain=gains,
        binding=binding,
        checks=checks,
        continuous_te=float(s.data.active.te(w)),
        solver={
            "name": sol.solver,
            "solve_time": sol.solve_time,
            "iterations": sol.iterations,
            "objective": sol.objective,
            "status": str(sol.status),
        },
        diagnostics=notes + flags + _min_trade_notes(s, mandate, sol, rounded),
        scope=s.scope,
        scope_before=s.before,
        scope_after=scope_after,
        lot_sales=sold_lots,
        tax=tax,
        accounts=account_list(s.holdings or holdings),
        holdings_after=whole,
    )


def _accounts_and_lots(trades: pd.DataFrame, holdings: Holdings, s: Setup,
                       market: Market) -> tuple[pd.DataFrame, pd.DataFrame, Any, list[str]]:  # fmt: skip
    """The trades per account with the lots they sell, the lot sales, and the tax estimate
    (:mod:`advisor.optimize.sales`, :mod:`advisor.optimize.netting`)."""
    m = s.mandate
    day = pd.Timestamp(m.trade_date) if m.trade_date else market.as_of
    holdings = s.holdings or holdings  # the account's: the pieces index its lots table
    sold = lot_sales(trades, holdings, s.account.sales(), s.data.assets, m.tax_rates, day,
                     m.lot_method)  # fmt: skip
    per_account = by_account(trades, sold, holdings)
    if sold.empty:
        return per_account, sold, None, []
    flags = lot_flags(sold, per_account, holdings, m, day)
    accounts = getattr(holdings, "accounts", None)
    tax = estimate_tax(sold, accounts if accounts is not None and len(accounts) else None,
                       m.tax_rates)  # fmt: skip
    by_trade = trade_tax(sold, tax)
    keys = list(zip(per_account["account"].astype(str), per_account["ticker"], strict=True))
    per_account["est_tax"] = [float(by_trade.get(k, 0.0)) for k in keys]
    return per_account, sold, tax, flags


def _min_trade_notes(s: Setup, mandate: Mandate, sol: Solution, rounded: Rounded) -> list[str]:
    if mandate.min_trade <= 0:
        return []
    want = np.abs(sol.w.to_numpy() * s.book.total - s.book.value0)
    skipped = [
        str(t)
        for i, t in enumerate(s.data.assets)
        if 0 < want[i] < mandate.min_trade and rounded.delta[i] == 0 and not rounded.whole[i]
    ]
    if not skipped:
        return []
    return [
        f"{len(skipped)} trade(s) below the minimum of {mandate.min_trade:,.2f} not placed: "
        + ", ".join(skipped)
    ]


# -- the JSON contract -------------------------------------------------------------------------


def wash_sales(p: Proposal, holdings: Holdings | None, day: pd.Timestamp) -> pd.DataFrame:
    """The wash sales ``p`` would create (:func:`advisor.optimize.washsale.wash_sale_conflicts`:
    a sale at a loss while any account buys the same or an identical security, or bought one in
    the 30 days before)."""
    from advisor.optimize.washsale import wash_sale_conflicts

    if p.lot_sales is None or p.lot_sales.empty or holdings is None:
        return pd.DataFrame()
    buys = p.trades[p.trades["side"] == "buy"]
    accounts = holdings.accounts if len(holdings.accounts) else None
    return wash_sale_conflicts(p.lot_sales, buys, lots_of(holdings), day, accounts)


def lot_flags(sold: pd.DataFrame, trades: pd.DataFrame, holdings: Holdings, m: Mandate,
              day: pd.Timestamp) -> list[str]:  # fmt: skip
    """Notes on the lots sold: short-term lots that turn long-term within 60 days (the tax
    waiting would save), and losses on securities bought in the last 30 days (a wash sale)."""
    from advisor.optimize.tax import turning_long_soon
    from advisor.optimize.washsale import recent_purchase_flags

    lots = lots_of(holdings)
    keys = set(zip(sold["account"].astype(str), sold["ticker"], sold["line"], strict=True))
    mine = lots[[k in keys for k in zip(lots["account"].astype(str), lots["ticker"],
                                        lots["line"], strict=True)]]  # fmt: skip
    prices = trades.groupby("ticker")["price"].first().astype(float)
    notes = []
    for r in turning_long_soon(mine, prices, day, m.tax_rates).itertuples():
        if r.tax_saved_by_waiting > 0:
            notes.append(
                f"{r.ticker} lot of {pd.Timestamp(r.acquired).date()} ({r.account or 'the account'},"
                f" {r.shares:g} shares) turns long-term on {pd.Timestamp(r.turns_long).date()}, "
                f"{r.days_left} days after the trade date: waiting would save about "
                f"{r.tax_saved_by_waiting:,.2f} of tax (estimate)"
            )
    accounts = holdings.accounts if len(holdings.accounts) else None
    notes += list(recent_purchase_flags(sold, lots, day, accounts)["message"])
    return notes


def account_list(holdings: Holdings | None) -> list[dict[str, Any]]:
    """``[{id, name, type}]`` of the holdings' accounts (empty for a file without accounts)."""
    accounts = getattr(holdings, "accounts", None)
    if accounts is None or not len(accounts):
        return []
    return [{"id": str(r.id), "name": str(r.name), "type": str(r.type)}
            for r in accounts.itertuples()]  # fmt: skip


def _trade_dict(row: dict[str, Any]) -> dict[str, Any]:
    text = ("ticker", "side", "whole_holding", "account", "lots")
    out = {k: (_num(v) if k not in text else v) for k, v in row.items()}
    q = row["shares"]
    out["shares"] = int(q) if float(q).is_integer() else float(quantity_text(q))
    out["whole_holding"] = bool(row["whole_holding"])
    return out


def _part(a: Analysis | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"concentration": a.concentration.to_dict(), "risk": a.risk.to_dict()}


def _scope_dict(p: Proposal) -> dict[str, Any] | None:
    """What was decided, its value, and its figures before and after (the mandate's limits
    apply to them)."""
    if p.scope is None:
        return None
    out = p.scope.to_dict(float(p.before.total_value or 0.0))
    out["before"] = _part(p.scope_before)
    out["after"] = _part(p.scope_after)
    return out


def _mix_dict(p: Proposal) -> dict[str, Any]:
    """The asset-class mix before and after, and whether it changed (0.1 point or more)."""
    before = p.before.asset_mix
    after = p.after.asset_mix if p.after is not None else None
    rows = lambda m: [{"asset_class": str(k), "weight": _num(v)} for k, v in m.items()]  # noqa: E731
    unchanged = None
    if after is not None:
        both = before.index.union(after.index)
        gap = (before.reindex(both, fill_value=0.0) - after.reindex(both, fill_value=0.0)).abs()
        unchanged = bool(gap.max() < 1e-3) if len(gap) else True
    return {"before": rows(before), "after": None if after is None else rows(after),
            "unchanged": unchanged}  # fmt: skip


def _sleeve_money(p: Proposal) -> list[dict[str, Any]]:
    """Money put into each sleeve fund (over the accounts), and its share of the money put into
    the sleeves."""
    buys = p.trades[(p.trades["side"] == "buy") & p.trades["ticker"].isin(list(p.sleeves.values()))]
    buys = buys.groupby("ticker", sort=False)["amount"].sum().reset_index()
    total = float(buys["amount"].sum())
    names = {f: n for n, f in p.sleeves.items()}
    return [
        {
            "sleeve": names[t],
            "fund": t,
            "amount": _money(a),
            "share": _num(a / total) if total else None,
        }
        for t, a in zip(buys["ticker"], buys["amount"], strict=True)
    ]


def proposal_dict(p: Proposal) -> dict[str, Any]:
    """Every figure of a proposal; ``before``/``after`` are the analyze figures."""
    return with_market_data(
        {
            "status": str(p.status),
            "as_of": str(p.before.as_of.date()),
            "mandate": p.mandate.to_dict(),
            "sleeves": p.sleeves,
            "before": p.before.to_dict(),
            "after": p.after.to_dict() if p.after is not None else None,
            "target_weights": {str(k): _num(v) for k, v in p.target.items()},
            "trades": [_trade_dict(r) for r in p.trades.to_dict(orient="records")],
            "scope": _scope_dict(p),
            "asset_mix": _mix_dict(p),
            "sleeve_money": _sleeve_money(p),
            "turnover": _num(p.turnover),
            "estimated_cost": _money(p.est_cost),
            "realized_gain": _money(p.realized_gain),
            "tax": p.tax.to_dict() if p.tax is not None else None,
            "accounts": p.accounts,
            "binding": p.binding,
            "checks": {
                k: {kk: (vv if isinstance(vv, bool) else _num(vv)) for kk, vv in c.items()}
                for k, c in p.checks.items()
            },
            "continuous_tracking_error": _num(p.continuous_te),
            "solver": p.solver,
            "diagnostics": p.diagnostics,
            "relaxations": [
                {
                    "limit": r.limit,
                    "current": _num(r.current),
                    "smallest_feasible": _num(r.smallest),
                    "message": r.message,
                }
                for r in p.relaxations
            ],
        }
    )


__all__ = ["Proposal", "Setup", "prepare", "propose"]
