"""What a proposal's optimisation needs: the scope's analysis, the problem's matrices, the
account's arrays and the trading book, and the mandate as applied.

The mandate as applied fills in the defaults that depend on the account: with the ``cost``
objective and no megacap target, the target is the benchmark's megacap weight; the minimum
position, a fraction of the account, becomes a fraction of the scope decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from advisor.analytics.analysis import Analysis, analyze
from advisor.analytics.assets import US_EQUITY, asset_classes
from advisor.domain import Holdings
from advisor.errors import AdvisorError, InputError, UsageError
from advisor.market.benchmark import CLASS_FUNDS, blend
from advisor.market.sleeves import resolve_sleeves
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market
from advisor.optimize import scope as scopes
from advisor.optimize.mandate import Mandate, Objective
from advisor.optimize.problem import Account, ProblemData, problem_data
from advisor.optimize.rounding import Book
from advisor.optimize.sales import sale_pieces

#: How far an asset class may end from its target in ``--asset-mix`` (fraction of the account).
MIX_TOLERANCE = 0.005


@dataclass(frozen=True, eq=False)
class Setup:
    """Everything one optimisation of an account needs."""

    account_before: Analysis  # the whole account
    scope: scopes.Scope
    before: Analysis  # the holdings decided (the US-equity part, or the whole account)
    sleeves: dict[str, str]  # sleeve name -> fund (and, for an asset mix, class -> fund)
    data: ProblemData
    account: Account
    book: Book
    mandate: Mandate  # as applied
    notes: list[str] = field(default_factory=list)
    holdings: Holdings | None = None  # the account's holdings, valued (weights-only files too)


def with_values(holdings: Holdings, market: Market, total_value: float | None) -> Holdings:
    """A weights-only file as market values of ``total_value`` (priced by the snapshot)."""
    if holdings.basis != "weight":
        return holdings
    if not total_value:
        raise InputError(
            "a proposal needs shares or market values, not only weights",
            path=holdings.path,
            hint="Export the positions with quantities or values, or give the account's value "
            "with --total-value",
        )
    p = holdings.positions.copy()
    cash_w = 0.0 if np.isnan(holdings.cash_weight) else float(holdings.cash_weight)
    scale = total_value / (float(p["weight"].sum()) + cash_w)
    p["value"] = (p["weight"] * scale).round(2)
    p["shares"] = p["value"] / market.securities["price"].reindex(p.index)
    return replace(holdings, positions=p, cash=round(cash_w * scale, 2), basis="value")


def _scope_before(s: scopes.Scope, account: Analysis, market: Market, mandate: Mandate,
                  megacaps: Sequence[str]) -> Analysis:  # fmt: skip
    if s.name == scopes.PART:
        if s.holdings.positions.empty:
            raise AdvisorError(
                "the account holds no US equity to rebalance",
                "Rebalance the whole account toward a mix with --asset-mix, e.g. "
                "--asset-mix equity=60,bond=40",
            )
        return analyze(s.holdings, market, benchmark="S&P 500", megacaps=megacaps, detail=False)
    if mandate.asset_mix is not None and not s.benchmark:
        parts = {CLASS_FUNDS.get(c, "S&P 500"): w for c, w in mandate.asset_mix.items()}
        target = blend(parts, market, "the target asset mix's standard funds")
        return analyze(s.holdings, market, benchmark=target, megacaps=megacaps, detail=False)
    return account


def applied(mandate: Mandate, before: Analysis, s: scopes.Scope,
            account_value: float) -> tuple[Mandate, list[str]]:  # fmt: skip
    """The mandate with the account's defaults filled in (see the module notes), and notes.

    A portfolio whose megacap weight is already at or below the target has nothing to sell for
    it: its tracking-error budget is then no tighter than today's tracking error, so the
    default proposal is to leave it alone (``--objective te`` asks to bring it closer).
    """
    changes: dict[str, object] = {}
    notes: list[str] = []
    c, r = before.concentration, before.risk
    if mandate.objective == Objective.COST and mandate.max_megacap is None:
        target = mandate.megacap_target
        if target is None:
            target = float(c.benchmark_megacap_weight)
            changes["megacap_target"] = target
            notes.append(f"megacap target: the benchmark's megacap weight, {target:.1%}")
        te_cap = mandate.max_te
        if c.megacap_weight <= target + 1e-9 and te_cap is not None and r.tracking_error > te_cap:
            changes["max_te"] = float(r.tracking_error) + 1e-6
            notes.append(
                f"megacap weight {c.megacap_weight:.1%} is already at or below the "
                f"{target:.1%} target: nothing to sell; the tracking error, "
                f"{r.tracking_error:.2%}, is above the {mandate.max_te:.0%} budget but a "
                "proposal for concentration does not change it (--objective te brings it "
                "closer to the benchmark)"
            )
    if s.value > 0 and mandate.min_position:
        changes["min_position"] = min(0.49, mandate.min_position * account_value / s.value)
    return (mandate.relaxed(**changes) if changes else mandate), notes


def _sleeves(mandate: Mandate, market: Market) -> tuple[dict[str, str], dict[str, str]]:
    """(equity sleeves, class funds of an asset mix's other classes)."""
    equity = resolve_sleeves(mandate.sleeves, mandate.sleeve_funds)
    funds = {}
    for cls in mandate.asset_mix or {}:
        fund = CLASS_FUNDS.get(cls)
        if cls != US_EQUITY and fund and fund in market.known:
            funds[cls] = fund
    return equity, funds


def prepare(
    holdings: Holdings,
    market: Market,
    mandate: Mandate,
    *,
    benchmark: object = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
    on_analysis: Callable[[Analysis], None] | None = None,
) -> Setup:
    """Analyse the account (``on_analysis`` is given the analysis as soon as it is made),
    choose the scope, and build the problem over the scope's holdings and the sleeve funds."""
    holdings = with_values(holdings, market, total_value)
    account_before = analyze(holdings, market, benchmark=benchmark, megacaps=megacaps)
    if on_analysis is not None:
        on_analysis(account_before)
    total = float(account_before.total_value or 0.0)
    s = scopes.choose(holdings, account_before, mandate, benchmark)
    _check_cost_basis(s.holdings, mandate)
    before = _scope_before(s, account_before, market, mandate, megacaps)
    m, notes = applied(mandate, before, s, total)
    equity, class_funds = _sleeves(m, market)
    fixed = fixed_holdings(before, s.holdings)
    traded = before.positions.index.difference(fixed.index)
    assets = traded.union(pd.Index([*equity.values(), *class_funds.values()]))
    classes = _classes(before, assets, market) if m.asset_mix else None
    data = problem_data(
        list(assets), market, before.bench.weights, market.megacap_companies(list(megacaps)),
        before.lookthrough.models, fixed, list(equity.values()), classes,
    )  # fmt: skip
    account = _account(before, holdings, assets, data, m, equity, market)
    return Setup(account_before, s, before, {**equity, **class_funds}, data, account,
                 book(before, assets, market, account, m.min_position), m, notes,
                 holdings)  # fmt: skip


def _classes(before: Analysis, assets: pd.Index, market: Market) -> pd.Series:
    """Asset class of every asset and held position (sleeves from the snapshot)."""
    held = before.positions["asset_class"]
    rest = asset_classes(assets.difference(held.index), market.securities)
    return pd.concat([held, rest])


def _account(before: Analysis, holdings: Holdings, assets: pd.Index, data: ProblemData,
             m: Mandate, equity: dict[str, str], market: Market) -> Account:  # fmt: skip
    w0 = before.positions["weight"].reindex(assets, fill_value=0.0).to_numpy()
    lo, hi = _bounds(assets, w0, m, equity, data.is_stock, market)
    value = before.positions["value"].reindex(assets)
    basis = holdings.positions["cost_basis"].reindex(assets)
    gain = (1.0 - basis / value).where(value > 0).clip(lower=0.0).fillna(0.0).to_numpy()
    total = float(before.total_value or 0.0)
    mix, slack = _sleeve_mix(m, assets, equity, market, total)
    target = None
    if m.asset_mix is not None:
        target = np.array([m.asset_mix.get(c, 0.0) for c in data.class_names])
    day = pd.Timestamp(m.trade_date) if m.trade_date else market.as_of
    pieces = sale_pieces(holdings, before.positions, assets, total, m.tax_rates, day)
    return Account(w0, before.cash_weight, lo, hi, gain, total, 0.0, target,
                   MIX_TOLERANCE if target is not None else 0.0, mix, slack,
                   pieces)  # fmt: skip


def _sleeve_mix(m: Mandate, assets: pd.Index, equity: dict[str, str], market: Market,
                total: float) -> tuple[np.ndarray | None, float]:  # fmt: skip
    """Share of the sleeve money per asset (None when the optimizer chooses), and how far whole
    shares may miss a share: one share of the dearest sleeve fund."""
    if m.sleeve_mix == "free" or not equity:
        return None, 0.0
    stated = m.sleeve_mix or {name: 1.0 / len(equity) for name in equity}
    unknown = set(stated) - set(equity)
    if unknown:
        raise UsageError(
            f"--sleeve-mix names {', '.join(sorted(unknown))}, not among the sleeves "
            f"{', '.join(equity)}",
            option="--sleeve-mix",
        )
    mix = np.zeros(len(assets))
    for name, fund in equity.items():
        mix[assets.get_loc(fund)] = stated.get(name, 0.0)
    prices = market.securities["price"].reindex(list(equity.values()))
    return mix, float(prices.max()) / total if total > 0 else 0.0


def _bounds(assets: pd.Index, w0: np.ndarray, mandate: Mandate, sleeves: dict[str, str],
            is_stock: np.ndarray, market: Market) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per-asset weight bounds: hold, restrict, position cap, sleeve bounds; with a stated
    sleeve mix, holdings are not bought (the money goes to the sleeves)."""
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
    is_sleeve = assets.isin(list(sleeves.values()))
    if mandate.sleeve_mix != "free":
        class_funds = assets.isin(list(CLASS_FUNDS.values())) & (mandate.asset_mix is not None)
        hi = np.where(is_sleeve | class_funds, hi, np.minimum(hi, w0))
    for name, fund in sleeves.items():
        i = assets.get_loc(fund)
        lo[i] = max(lo[i], mandate.sleeve_min.get(name, 0.0))
        hi[i] = min(hi[i], mandate.sleeve_max.get(name, 1.0))
    return lo, hi


def book(before: Analysis, assets: pd.Index, market: Market, account: Account,
         min_position: float = 0.0) -> Book:  # fmt: skip
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
        may_sell=account.lo < account.w0 - 1e-12,
        may_buy=account.hi > account.w0 + 1e-12,
        min_stub=min_position * total,
    )


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
