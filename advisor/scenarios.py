"""What-if scenarios: hypothetical shocks and historical replays on the risk model.

**Shocks.** A shock sets the return of one or more *groups* (a ticker, the megacaps, a sector, a
sleeve fund, a risk-model factor). Each group is a weight vector ``a_g`` over risk-model securities
(a factor is a unit factor exposure). With ``r = B f + e`` and ``Sigma = B F B' + D``, the model's
expected returns given the stated moves ``m`` are the conditional expectation

    E[r | A' r = m] = Sigma A (A' Sigma A)^-1 m,

computed in factor form (never an n x n matrix). ``propagate=False`` applies only the stated
moves: each member of a shocked group moves by the group's move (a factor shock moves each
security by its exposure times the move).

**Replays.** The factor returns of a historical window, compounded day by day through each
portfolio's factor exposure: ``R = prod_t (1 + x' f_t) - 1`` with ``x = B' w``. Stock-specific
returns are not replayed (they are not in the history); securities that did not exist then are
replayed through today's exposures, as if they had; factors that did not exist then (a fund
not yet listed) contribute nothing and the result says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.errors import AdvisorError
from advisor.market import Market

#: Named historical episodes (inclusive windows).
REPLAYS: Mapping[str, tuple[str, str, str]] = {
    "dotcom": ("2000-03-24", "2002-10-09", "dot-com bust"),
    "gfc": ("2007-10-09", "2009-03-09", "global financial crisis"),
    "q4-2018": ("2018-09-20", "2018-12-24", "Q4 2018 sell-off"),
    "covid": ("2020-02-19", "2020-03-23", "COVID crash"),
    "rates-2022": ("2022-01-03", "2022-12-30", "2022 rate shock"),
    "broadening-2023": ("2023-10-31", "2023-12-29", "late-2023 broadening"),
}


@dataclass(frozen=True)
class Shock:
    """A stated move: ``group`` (as the user wrote it) returns ``move`` (a fraction)."""

    group: str
    move: float


def parse_shock(text: str) -> Shock:
    """``megacaps=-30%`` or ``AAPL=-0.2`` -> Shock."""
    if "=" not in text:
        raise AdvisorError(f"shock {text!r}: use GROUP=MOVE, e.g. megacaps=-30%")
    group, value = (t.strip() for t in text.split("=", 1))
    pct = value.endswith("%")
    try:
        move = float(value.rstrip("%")) / (100.0 if pct else 1.0)
    except ValueError as exc:
        raise AdvisorError(f"shock {text!r}: {value!r} is not a move such as -30% or -0.3") from exc
    if move <= -1:
        raise AdvisorError(f"shock {text!r}: a return cannot be -100% or below")
    return Shock(group, move)


def group_vector(
    group: str, market: Market, megacaps: set[str], sleeves: Mapping[str, str]
) -> tuple[str, pd.Series | None, str | None]:
    """(kind, weights over risk-model securities, factor name) of a group name.

    Kinds: ``factor`` (a style factor by name, any factor as ``factor:NAME``; a sector name means
    the sector's stocks, not its excess-return factor), ``megacaps`` and ``sector``
    (benchmark-weighted members), ``fund`` (look-through plus the fund's unseen part), ``ticker``.
    """
    from advisor.lookthrough import lookthrough_matrix, unit_risk_matrix

    g = group.strip()
    factors = {f.lower(): f for f in market.risk.factors}
    bench = market.benchmark
    sec = market.securities
    sector_names = {s.lower(): s for s in sec["sector"].unique()}
    forced = g.lower().removeprefix("factor:").strip() if g.lower().startswith("factor:") else None
    if forced is not None or (g.lower() in factors and g.lower() not in sector_names):
        name = forced if forced is not None else g.lower()
        if name not in factors:
            raise AdvisorError(
                f"{group!r} is not a risk-model factor",
                "Factors: " + ", ".join(market.risk.factors),
            )
        return "factor", None, factors[name]
    if g.lower() in ("megacaps", "megacap", "mega"):
        members = bench[market.company_of(bench.index).isin(list(megacaps)).to_numpy()]
        return "megacaps", members / members.sum(), None
    if g.lower() in sector_names:
        s = sector_names[g.lower()]
        members = bench[sec["sector"].reindex(bench.index).eq(s).to_numpy()]
        return "sector", members / members.sum(), None
    fund = sleeves.get(g.lower())
    ticker = fund or market.resolve(g)
    if ticker is None:
        raise AdvisorError(
            f"shock group {group!r} is not a ticker, megacaps, a sector, a sleeve or a factor",
            "Groups: megacaps, a sector (e.g. 'Information Technology'), a sleeve (small-cap), a "
            "factor (" + ", ".join(market.risk.factors[:4]) + ", ...) or a ticker",
        )
    if bool(sec.at[ticker, "is_etf"]):
        mat, unseen = lookthrough_matrix(pd.Index([ticker]), market)
        col = unit_risk_matrix(mat, unseen)[ticker]
        return "fund", col[col != 0], None
    return "ticker", pd.Series({ticker: 1.0}), None


@dataclass(frozen=True, eq=False)
class ShockScenario:
    """Expected return of every risk-model security under a set of stated moves."""

    shocks: tuple[Shock, ...]
    propagated: bool
    returns: pd.Series  # by risk-model security, fractions
    factor_moves: pd.Series  # expected factor returns (empty without propagation)
    notes: list[str] = field(default_factory=list)


def shock_returns(
    shocks: Sequence[Shock],
    market: Market,
    megacaps: set[str],
    sleeves: Mapping[str, str],
    propagate: bool = True,
) -> ShockScenario:
    """Security returns implied by ``shocks`` (conditional expectation, or only the stated moves)."""
    model = market.risk
    B = model.exposures
    names = B.index
    cols, moves, notes = [], [], []
    F = model.factor_cov.to_numpy()
    for s in shocks:
        kind, vec, factor = group_vector(s.group, market, megacaps, sleeves)
        moves.append(s.move)
        if kind == "factor":
            cols.append(("factor", factor))
        else:
            cols.append(("weights", vec.reindex(names, fill_value=0.0)))
    m = np.array(moves)
    if not propagate:
        r = pd.Series(0.0, index=names)
        for (kind, obj), mv in zip(cols, m, strict=True):
            if kind == "factor":
                r += B[obj] * mv
            else:
                r[obj > 0] = mv
        notes.append("only the stated moves are applied; nothing else moves")
        return ShockScenario(tuple(shocks), False, r, pd.Series(dtype=float), notes)
    # X: factor exposure of each group (k x g); A: security weights (N x g; zero for factors)
    k = len(model.factors)
    X = np.zeros((k, len(cols)))
    A = np.zeros((len(names), len(cols)))
    for j, (kind, obj) in enumerate(cols):
        if kind == "factor":
            X[model.factors.index(obj), j] = 1.0
        else:
            A[:, j] = obj.to_numpy()
            X[:, j] = B.to_numpy().T @ A[:, j]
    d = model.specific_var.to_numpy()
    cov_gg = X.T @ F @ X + A.T @ (d[:, None] * A)
    try:
        coef = np.linalg.solve(cov_gg, m)
    except np.linalg.LinAlgError as exc:
        raise AdvisorError(
            "the shocked groups are redundant (one is a combination of others)",
            "Shock each group once, or use --no-propagate",
        ) from exc
    f_move = F @ X @ coef
    r = B.to_numpy() @ f_move + d * (A @ coef)
    notes.append(
        "other securities move by what the risk model expects given the stated moves "
        "(conditional expectation from the factor covariance)"
    )
    return ShockScenario(
        tuple(shocks),
        True,
        pd.Series(r, index=names),
        pd.Series(f_move, index=model.factors),
        notes,
    )


def replay_window(
    name_or_range: str, history: pd.DataFrame
) -> tuple[str, pd.Timestamp, pd.Timestamp]:
    """(label, start, end) of a named replay or ``FROM:TO``, checked against the history."""
    if name_or_range in REPLAYS:
        a, b, label = REPLAYS[name_or_range]
    elif ":" in name_or_range:
        a, b = name_or_range.split(":", 1)
        label = f"{a} to {b}"
    else:
        raise AdvisorError(
            f"unknown replay {name_or_range!r}",
            "Named replays: " + ", ".join(REPLAYS) + "; or FROM:TO, e.g. 2020-02-19:2020-03-23",
        )
    try:
        start, end = pd.Timestamp(a), pd.Timestamp(b)
    except ValueError as exc:
        raise AdvisorError(f"replay {name_or_range!r}: dates must be YYYY-MM-DD") from exc
    first, last = history.index[0], history.index[-1]
    if start >= end or start < first or end > last:
        raise AdvisorError(
            f"replay {name_or_range!r}: the factor history covers {first.date()} to {last.date()}",
            "Choose a window inside it",
        )
    return label, start, end


def replay_return(
    exposure: pd.Series, history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[float, list[str]]:
    """Compounded return of a factor exposure over (start, end]; notes on missing factors."""
    window = history.loc[(history.index > start) & (history.index <= end)]
    missing = [f for f in window.columns if window[f].isna().mean() > 0.5]
    daily = (
        window.fillna(0.0).to_numpy() @ exposure.reindex(window.columns, fill_value=0.0).to_numpy()
    )
    notes = [
        f"factor {f} did not exist for most of the window and contributes nothing" for f in missing
    ]
    return float(np.prod(1.0 + daily) - 1.0), notes
