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
security's factor exposure, ``R_i = prod_t (1 + B_i' f_t) - 1``; a portfolio is bought and held
through the window, so its return is ``sum_i w_i R_i`` over its look-through securities and every
contribution adds up. Stock-specific returns are not replayed (they are not in the history).
Securities that did not exist then (a company listed since, a fund launched since) are replayed
through *today's* exposures, as if they had existed; factors that did not exist then (a sector
fund not yet listed) contribute nothing on those days and the result says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from advisor.errors import AdvisorError
from advisor.market.snapshot import Market
from advisor.units import parse_percent

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
    group, sep, value = (t.strip() for t in text.partition("="))
    if not sep or not group:
        raise AdvisorError(f"shock {text!r}: use GROUP=MOVE, e.g. megacaps=-30%")
    try:
        move = parse_percent(value)
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
    from advisor.market.lookthrough import unit_vector

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
        return "fund", unit_vector(ticker, market), None
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
    names = market.risk.exposures.index
    cols = []
    for s in shocks:
        kind, vec, factor = group_vector(s.group, market, megacaps, sleeves)
        cols.append(("factor", factor) if kind == "factor" else ("weights", vec.reindex(names, fill_value=0.0)))  # fmt: skip
    m = np.array([s.move for s in shocks])
    if not propagate:
        return _stated_only(tuple(shocks), cols, m, market)
    r, f_move = _conditional(cols, m, market)
    notes = [
        "other securities move by what the risk model expects given the stated moves "
        "(conditional expectation from the factor covariance)"
    ]
    return ShockScenario(tuple(shocks), True, pd.Series(r, index=names),
                         pd.Series(f_move, index=market.risk.factors), notes)  # fmt: skip


def _stated_only(shocks: tuple[Shock, ...], cols: list, m: np.ndarray,  # type: ignore[type-arg]
                 market: Market) -> ShockScenario:  # fmt: skip
    """Each member of a shocked group moves by the group's move; nothing else moves."""
    B = market.risk.exposures
    r = pd.Series(0.0, index=B.index)
    for kind, obj, mv in _broad_first(cols, m):
        if kind == "factor":
            r += B[obj] * mv
        else:
            r[obj > 0] = mv
    notes = [
        "only the stated moves are applied; nothing else moves (where groups overlap, the "
        "narrower group's move applies, e.g. a ticker's over its sector's)"
    ]
    return ShockScenario(shocks, False, r, pd.Series(dtype=float), notes)


def _conditional(cols: list, m: np.ndarray, market: Market) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """``E[r | A'r = m] = S A (A'S A)^-1 m`` in factor form: (security returns, factor moves).

    X is the factor exposure of each group (k x g), A its security weights (N x g; zero for a
    factor group)."""
    model = market.risk
    B = model.exposures.to_numpy()
    F = model.factor_cov.to_numpy()
    X = np.zeros((len(model.factors), len(cols)))
    A = np.zeros((B.shape[0], len(cols)))
    for j, (kind, obj) in enumerate(cols):
        if kind == "factor":
            X[model.factors.index(obj), j] = 1.0
        else:
            A[:, j] = obj.to_numpy()
            X[:, j] = B.T @ A[:, j]
    d = model.specific_var.to_numpy()
    try:
        coef = np.linalg.solve(X.T @ F @ X + A.T @ (d[:, None] * A), m)
    except np.linalg.LinAlgError as exc:
        raise AdvisorError(
            "the shocked groups are redundant (one is a combination of others)",
            "Shock each group once, or use --no-propagate",
        ) from exc
    f_move = F @ X @ coef
    return B @ f_move + d * (A @ coef), f_move


def _broad_first(cols: list, moves: np.ndarray) -> list:  # type: ignore[type-arg]
    """Factor moves first, then groups from the most members to the fewest (narrow ones win)."""
    items = [(kind, obj, mv) for (kind, obj), mv in zip(cols, moves, strict=True)]
    return sorted(items, key=lambda x: -1 if x[0] == "factor" else -int((x[1] > 0).sum()))


def replay_window(
    name_or_range: str, history: pd.DataFrame
) -> tuple[str, pd.Timestamp, pd.Timestamp]:
    """(label, start, end) of a named replay or ``FROM:TO``, checked against the history."""
    if name_or_range in REPLAYS:
        a, b, label = REPLAYS[name_or_range]
    elif ":" in name_or_range:
        a, b = name_or_range.split(":", 1)
        label = "custom window"
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


def window_of(history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The daily factor returns of a replay: the days after ``start`` up to ``end`` (a position
    bought at the close of ``start`` earns them)."""
    return history.loc[(history.index > start) & (history.index <= end)]


def replay_returns(
    exposures: pd.DataFrame, history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.Series, list[str]]:
    """Each security's compounded factor-implied return over (start, end]; notes on gaps.

    ``exposures`` is B (security x factor). Days on which a factor has no return (its fund was not
    listed yet) count that factor as zero.
    """
    window = window_of(history, start, end)
    cols = list(window.columns)
    daily = window.fillna(0.0).to_numpy() @ exposures.reindex(columns=cols).fillna(0.0).to_numpy().T
    gaps = window.isna().mean()
    gaps = gaps[gaps > 0]
    notes = []
    if len(gaps):
        notes.append(
            "factors with no history for part of the window (their fund was not listed yet), "
            "counted as zero on those days: " + ", ".join(f"{f} {g:.0%}" for f, g in gaps.items())
        )
    return pd.Series(np.prod(1.0 + daily, axis=0) - 1.0, index=exposures.index), notes


# -- scenario definitions -------------------------------------------------------------------------


class ScenarioKind(StrEnum):
    SHOCK = "shock"  # stated moves of groups
    REPLAY = "replay"  # a historical window's factor returns


@dataclass(frozen=True)
class Scenario:
    """A named what-if: stated shocks (propagated or not) or a historical replay."""

    name: str
    shocks: tuple[Shock, ...] = ()
    replay: str | None = None
    propagate: bool = True
    origin: str | None = None  # "file, line N" for scenarios read from a file

    @property
    def kind(self) -> ScenarioKind:
        return ScenarioKind.REPLAY if self.replay is not None else ScenarioKind.SHOCK

    @classmethod
    def parse(cls, text: str, propagate: bool = True) -> Scenario:
        """A scenario from text: a replay (``covid``, ``2020-02-19:2020-03-23``) or stated moves
        (``megacaps=-30%``, several joined by ``,``: ``megacaps=-15%,small-cap=+10%``)."""
        if "=" not in text:
            return cls(text.strip(), replay=text.strip())
        shocks = tuple(parse_shock(part) for part in text.split(",") if part.strip())
        return cls(default_name(shocks, None), shocks, propagate=propagate)


@dataclass(frozen=True, eq=False)
class Move:
    """What a scenario does to the market: a return for every risk-model security (fractions).

    For a shock, the expected return given the stated moves; for a replay, the compounded
    factor-implied return over the window. ``market_actual`` is SPY's actual total return over a
    replay's window (the market factor *is* SPY), to set today's replay beside what happened.
    """

    scenario: Scenario
    returns: pd.Series
    description: str
    notes: list[str]
    factor_moves: pd.Series
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None
    market_actual: float | None = None


def describe_shocks(shocks: Sequence[Shock]) -> str:
    return ", ".join(f"{s.group} {s.move:+.1%}" for s in shocks)


def scenario_move(
    scenario: Scenario,
    market: Market,
    megacaps: set[str],
    sleeves: Mapping[str, str],
    history: pd.DataFrame | None = None,
) -> Move:
    """Security returns under ``scenario`` (see the module notes for the two kinds)."""
    try:
        return _scenario_move(scenario, market, megacaps, sleeves, history)
    except AdvisorError as exc:
        if scenario.origin is None:
            raise
        raise AdvisorError(f"{scenario.origin}: {exc.message}", exc.hint) from exc


def _scenario_move(
    scenario: Scenario,
    market: Market,
    megacaps: set[str],
    sleeves: Mapping[str, str],
    history: pd.DataFrame | None,
) -> Move:
    if scenario.replay is None:
        sc = shock_returns(scenario.shocks, market, megacaps, sleeves, scenario.propagate)
        how = "propagated by the risk model" if sc.propagated else "stated moves only"
        return Move(
            scenario,
            sc.returns,
            f"{describe_shocks(scenario.shocks)} ({how})",
            sc.notes,
            sc.factor_moves,
        )
    history = market.factor_returns() if history is None else history
    label, start, end = replay_window(scenario.replay, history)
    returns, notes = replay_returns(market.risk.exposures, history, start, end)
    moves = (1.0 + window_of(history, start, end).fillna(0.0)).prod() - 1.0
    notes.insert(
        0,
        "replayed through today's factor exposures, held through the window; securities that "
        "did not exist then are replayed as if they had; stock-specific moves are not replayed",
    )
    return Move(
        scenario,
        returns,
        f"{label}, {start.date()} to {end.date()}",
        notes,
        moves,
        window=(start, end),
        market_actual=float(moves["market"]),
    )


def default_name(shocks: Sequence[Shock], replay: str | None) -> str:
    return replay if replay is not None else describe_shocks(shocks)


def replays(market: Market | None = None) -> dict:
    """The named replays (``advisor replays``): for each, the episode, its window, SPY's actual
    return then and the factors with no history for part of the window (and the share of days
    missing); with the span of the factor history."""
    from advisor.market.snapshot import load_market

    history = (market or load_market()).factor_returns()
    return {
        "factor_history": {
            "start": str(history.index[0].date()),
            "end": str(history.index[-1].date()),
        },
        "replays": replay_catalogue(history),
    }


def replay_catalogue(history: pd.DataFrame) -> list[dict]:
    """One row per named replay (see :func:`replays`)."""
    rows = []
    for name in REPLAYS:
        label, start, end = replay_window(name, history)
        window = window_of(history, start, end)
        gaps = window.isna().mean()
        rows.append(
            {
                "name": name,
                "episode": label,
                "start": str(start.date()),
                "end": str(end.date()),
                "market_actual_return": float((1 + window["market"]).prod() - 1),
                "factors_missing_some_days": [f for f, g in gaps.items() if g > 0],
                "factors_missing_share": {f: float(g) for f, g in gaps.items() if g > 0},
            }
        )
    return rows
