"""``propose()``: from a client's holdings and a mandate to a checked, whole-share rebalance.

Holdings -> analyze (before) -> optimizer (target weights) -> whole shares, every limit repaired
and checked on the portfolio actually traded (:mod:`advisor.optimize.rounding`) -> analyze
(after) -> :class:`Proposal`. Status ``optimal`` means every limit holds on the whole-share
portfolio; when the continuous optimum exists but no whole-share portfolio near it keeps a limit,
the status is ``infeasible`` and the diagnostics name the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis, analyze
from advisor.domain import POSITION_COLUMNS, Holdings
from advisor.errors import AdvisorError, InputError, UsageError
from advisor.market.sleeves import resolve_sleeves
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market, load_market, with_market_data
from advisor.optimize.diagnostics import Relaxation, precheck, relaxations
from advisor.optimize.limits import BY_NAME, LABELS, active_limits, cash_cap
from advisor.optimize.mandate import Mandate
from advisor.optimize.optimizer import Rebalancer, Solution, Status, bound_names
from advisor.optimize.problem import Account, ProblemData, problem_data
from advisor.optimize.rounding import Book, Rounded, round_to_shares
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

    @property
    def feasible(self) -> bool:
        return self.status != Status.INFEASIBLE

    def to_frame(self) -> pd.DataFrame:
        """The trade list (one row per ticker; see :mod:`advisor.optimize.trades`)."""
        return self.trades.copy()

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor propose --format json`` contract)."""
        return proposal_dict(self)


@dataclass(frozen=True, eq=False)
class Setup:
    """What every optimisation of one account needs: the analysis and the problem's inputs."""

    before: Analysis
    sleeves: dict[str, str]
    data: ProblemData
    account: Account
    book: Book


def _bounds(assets: pd.Index, w0: np.ndarray, mandate: Mandate, sleeves: dict[str, str],
            is_stock: np.ndarray, market: Market) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per-asset weight bounds: hold, restrict, position cap, sleeve bounds."""
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
    return lo, hi


def _book(before: Analysis, assets: pd.Index, market: Market, lo: np.ndarray,
          hi: np.ndarray, w0: np.ndarray) -> Book:  # fmt: skip
    """Shares, values and trade prices: a held position trades at its own value per share (so
    the account's value never changes by trading), a new one at the snapshot's price."""
    pos = before.positions
    value0 = pos["value"].reindex(assets, fill_value=0.0).to_numpy(dtype=float)
    price = pos["price"].reindex(assets).fillna(market.securities["price"].reindex(assets))
    if price.isna().any():
        raise AdvisorError(
            "no price for " + ", ".join(price.index[price.isna()]),
            "Choose sleeve funds the snapshot prices, e.g. --sleeve value=VTV",
        )
    shares = pos["shares"].reindex(assets).to_numpy(dtype=float)
    held = value0 > 0
    shares = np.where(np.isnan(shares), value0 / price.to_numpy(), shares)
    prices = np.where(held & (shares > 0), value0 / np.where(shares > 0, shares, 1.0), price)
    total = float(before.total_value or 0.0)
    return Book(
        shares0=np.where(held, shares, 0.0),
        value0=value0,
        prices=prices,
        cash0=before.cash_weight * total,
        total=total,
        may_sell=lo < w0 - 1e-12,
        may_buy=hi > w0 + 1e-12,
    )


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
    _check_cost_basis(holdings, mandate)
    before = analyze(holdings, market, benchmark=benchmark, megacaps=megacaps)
    sleeves = resolve_sleeves(mandate.sleeves, mandate.sleeve_funds)
    fixed = fixed_holdings(before, holdings)
    traded = before.positions.index.difference(fixed.index)
    assets = traded.union(pd.Index(list(sleeves.values())))
    bench = before.bench.weights if before.bench is not None else market.benchmark
    mega = market.megacap_companies(list(megacaps))
    data = problem_data(list(assets), market, bench, mega, before.lookthrough.models, fixed)
    w0 = before.positions["weight"].reindex(assets, fill_value=0.0).to_numpy()
    lo, hi = _bounds(assets, w0, mandate, sleeves, data.is_stock, market)
    value = before.positions["value"].reindex(assets)
    basis = holdings.positions["cost_basis"].reindex(assets)
    gain = (1.0 - basis / value).where(value > 0).clip(lower=0.0).fillna(0.0).to_numpy()
    total = float(before.total_value or 0.0)
    account = Account(w0, before.cash_weight, lo, hi, gain, total)
    return Setup(before, sleeves, data, account, _book(before, assets, market, lo, hi, w0))


def fixed_holdings(before: Analysis, holdings: Holdings) -> pd.Series:
    """Holdings a proposal does not trade, with their weights: individual bonds and options
    (kept as they are; their risk and exposure still count in every measure)."""
    kind = holdings.positions.get("instrument")
    if kind is None:
        return pd.Series(dtype=float)
    keep = kind.fillna("security").astype(str) != "security"
    return before.positions["weight"].reindex(kind.index[keep.to_numpy()]).dropna()


def _check_cost_basis(holdings: Holdings, mandate: Mandate) -> None:
    """A realised-gain budget needs a cost basis for every position that may be sold."""
    if mandate.max_realized_gain is None:
        return
    basis = holdings.positions["cost_basis"]
    held = {h for t in mandate.hold for h in (t, t.upper())}
    missing = [t for t in basis.index[basis.isna()] if t not in held]
    if basis.isna().all():
        raise UsageError(
            f"--max-realized-gain needs a cost-basis column, and {holdings.path} has none",
            "Export the positions with their cost basis (a 'Cost Basis' column), or drop "
            "--max-realized-gain",
            option="--max-realized-gain",
        )
    if missing:
        raise UsageError(
            f"--max-realized-gain needs the cost basis of every position that may be sold; "
            f"{holdings.path} has none for {', '.join(missing)}",
            f"Fill in their cost basis, or keep them with --hold {','.join(missing)}",
            option="--max-realized-gain",
        )


def propose(
    holdings: Holdings,
    market: Market | None = None,
    mandate: Mandate | None = None,
    *,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
) -> Proposal:
    """Propose a rebalance of ``holdings`` toward the mandate's sleeves, within its limits.

    ``market`` defaults to the embedded snapshot and ``mandate`` to :class:`Mandate` ``()``
    (tracking error at most 3 %, least megacap weight, the default sleeves).
    """
    market = market or load_market()
    mandate = mandate or Mandate()
    s = prepare(holdings, market, mandate, benchmark=benchmark, megacaps=megacaps)
    cheap = precheck(s.data, s.account, mandate)
    if cheap:
        return _infeasible(s, mandate, ["caught before solving: " + m for m in cheap], [])
    rb = Rebalancer(s.data, mandate.objective, mandate.cost_bps, active_limits(mandate))
    sol = rb.solve(s.account, mandate)
    if not sol.ok:
        relax = relaxations(s.data, s.account, mandate)
        return _infeasible(s, mandate, ["the solver proved the limits cannot all hold"], relax)
    rounded, sol, notes = _whole_shares(s, mandate, sol)
    if rounded.broken:
        return _infeasible(s, mandate, *_rounding_failure(rounded, s.account))
    return _build(holdings, market, mandate, s, sol, rounded, notes, benchmark, megacaps)


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
        retry = Rebalancer(s.data, tight.objective, tight.cost_bps, active_limits(tight)).solve(
            s.account, tight
        )
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


def _infeasible(s: Setup, mandate: Mandate, diagnostics: list[str],
                relax: list[Relaxation]) -> Proposal:  # fmt: skip
    return Proposal(
        status=Status.INFEASIBLE,
        mandate=mandate,
        sleeves=s.sleeves,
        before=s.before,
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


def _build(holdings, market, mandate, s: Setup, sol: Solution, rounded: Rounded, notes,
           benchmark, megacaps) -> Proposal:  # type: ignore[no-untyped-def]  # fmt: skip
    trades = trade_list(s.data.assets, s.book, rounded, holdings.positions["cost_basis"],
                        mandate.cost_bps)  # fmt: skip
    flows = trades["amount"].where(trades["side"] == "sell", -trades["amount"]).sum()
    cash = round(s.book.cash0 + float(flows), 2)
    after = analyze(_after_holdings(holdings, s, rounded, cash), market,
                    benchmark=s.before.bench, megacaps=megacaps)  # fmt: skip
    has_basis = holdings.positions["cost_basis"].notna().any()
    gains = round(float(trades["realized_gain"].sum(skipna=True)), 2) if has_basis else None
    w = sol.w.to_numpy()
    binding = [k for k, c in sol.checks.items() if c.get("binding")]
    binding += bound_names(s.data, w, s.account)
    checks = {k: {**c, "binding": bool(sol.checks.get(k, {}).get("binding", False))}
              for k, c in rounded.checks.items()}  # fmt: skip
    ok = all(c["holds"] for c in checks.values())
    return Proposal(
        status=Status.OPTIMAL if ok else Status.OPTIMAL_INACCURATE,
        mandate=mandate,
        sleeves=s.sleeves,
        before=s.before,
        after=after,
        target=sol.w[sol.w > 1e-9],
        trades=trades,
        turnover=float(trades["amount"].sum() / 2 / s.book.total) if len(trades) else 0.0,
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
        diagnostics=notes + _min_trade_notes(s, mandate, sol, rounded),
    )


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


def _trade_dict(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: (_num(v) if k not in ("ticker", "side", "whole_holding") else v)
           for k, v in row.items()}  # fmt: skip
    q = row["shares"]
    out["shares"] = int(q) if float(q).is_integer() else float(quantity_text(q))
    out["whole_holding"] = bool(row["whole_holding"])
    return out


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
            "turnover": _num(p.turnover),
            "estimated_cost": _money(p.est_cost),
            "realized_gain": _money(p.realized_gain),
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
