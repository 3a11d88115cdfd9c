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

import numpy as np
import pandas as pd

from advisor.errors import AdvisorError, InputError
from advisor.market.snapshot import Market

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
        for kind, obj, mv in _broad_first(cols, m):
            if kind == "factor":
                r += B[obj] * mv
            else:
                r[obj > 0] = mv
        notes.append(
            "only the stated moves are applied; nothing else moves (where groups overlap, the "
            "narrower group's move applies, e.g. a ticker's over its sector's)"
        )
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


def replay_returns(
    exposures: pd.DataFrame, history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.Series, list[str]]:
    """Each security's compounded factor-implied return over (start, end]; notes on gaps.

    ``exposures`` is B (security x factor). Days on which a factor has no return (its fund was not
    listed yet) count that factor as zero.
    """
    window = history.loc[(history.index > start) & (history.index <= end)]
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


@dataclass(frozen=True)
class Scenario:
    """A named what-if: stated shocks (propagated or not) or a historical replay."""

    name: str
    shocks: tuple[Shock, ...] = ()
    replay: str | None = None
    propagate: bool = True
    origin: str | None = None  # "file, line N" for scenarios read from a file

    @property
    def kind(self) -> str:
        return "replay" if self.replay is not None else "shock"


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
    window = history.loc[(history.index > start) & (history.index <= end)]
    moves = (1.0 + window.fillna(0.0)).prod() - 1.0
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


# -- scenario files -------------------------------------------------------------------------------

_FILE_HINT = (
    "A scenario file is YAML (a list of {name, shocks: {GROUP: MOVE}, propagate} or "
    "{name, replay}) or CSV with columns scenario,group,move (group 'replay' takes a replay "
    "name or FROM:TO as its move)."
)


def load_scenarios(path: str) -> list[Scenario]:
    """Scenarios from an advisor's YAML or CSV file (errors name the file, line and value)."""
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        raise InputError("no such scenario file", path=path, hint=_FILE_HINT)
    text = p.read_text(encoding="utf-8-sig")
    if p.suffix.lower() in (".yaml", ".yml"):
        out = _from_yaml(text, path)
    elif p.suffix.lower() == ".csv":
        out = _from_csv(text, path)
    else:
        raise InputError("a scenario file must end in .yaml, .yml or .csv", path=path)
    if not out:
        raise InputError("the scenario file defines no scenario", path=path, hint=_FILE_HINT)
    names = [s.name for s in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"scenario names repeat: {', '.join(dup)}", path=path)
    return out


def _move(value: object, path: str, line: int | None, group: str) -> Shock:
    text = f"{group}={value}"
    try:
        return parse_shock(text)
    except AdvisorError as exc:
        raise InputError(
            exc.message, path=path, line=line, value=str(value), hint="Write moves as -30% or -0.3"
        ) from exc


def _from_yaml(text: str, path: str) -> list[Scenario]:
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
        d = loader.construct_mapping(node, deep=True)
        d["__line__"] = node.start_mark.line + 1
        return d

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=None if mark is None else mark.line + 1,
            hint=_FILE_HINT,
        ) from exc
    if isinstance(doc, dict) and "scenarios" in doc:
        doc = doc["scenarios"]
    if not isinstance(doc, list):
        raise InputError("expected a list of scenarios", path=path, hint=_FILE_HINT)
    out = []
    for i, item in enumerate(doc):
        if not isinstance(item, dict):
            raise InputError(f"scenario {i + 1} is not a mapping", path=path, hint=_FILE_HINT)
        line = item.pop("__line__", None)
        unknown = set(item) - {"name", "shocks", "replay", "propagate"}
        if unknown:
            raise InputError(
                f"unknown key(s) {', '.join(sorted(unknown))}",
                path=path,
                line=line,
                hint=_FILE_HINT,
            )
        shocks_in = item.get("shocks") or {}
        if isinstance(shocks_in, dict):
            shocks_in.pop("__line__", None)
        replay = item.get("replay")
        if bool(shocks_in) == (replay is not None):
            raise InputError(
                "a scenario needs either shocks or a replay (not both)",
                path=path,
                line=line,
                value=str(item.get("name", "")),
                hint=_FILE_HINT,
            )
        if not isinstance(shocks_in, dict):
            raise InputError(
                "shocks must be a mapping GROUP: MOVE",
                path=path,
                line=line,
                value=str(shocks_in),
                hint=_FILE_HINT,
            )
        shocks = tuple(_move(v, path, line, str(k)) for k, v in shocks_in.items())
        propagate = item.get("propagate", True)
        if not isinstance(propagate, bool):
            raise InputError(
                "propagate must be true or false", path=path, line=line, value=str(propagate)
            )
        name = str(item.get("name") or default_name(shocks, replay))
        origin = f"{path}, line {line}" if line else path
        out.append(
            Scenario(name, shocks, None if replay is None else str(replay), propagate, origin)
        )
    return out


def _from_csv(text: str, path: str) -> list[Scenario]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    need = {"scenario", "group", "move"}
    if not need <= set(header):
        raise InputError(
            f"missing column(s) {', '.join(sorted(need - set(header)))}",
            path=path,
            line=1,
            value=",".join(rows[0]),
            hint=_FILE_HINT,
        )
    col = {h: header.index(h) for h in header}
    order: list[str] = []
    shocks: dict[str, list[Shock]] = {}
    replays: dict[str, str] = {}
    propagate: dict[str, bool] = {}
    first: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + [""] * len(header)
        name, group, move = (cells[col[k]] for k in ("scenario", "group", "move"))
        if not name or not group or not move:
            raise InputError(
                "every line needs a scenario, a group and a move",
                path=path,
                line=n,
                value=",".join(row),
                hint=_FILE_HINT,
            )
        if name not in order:
            order.append(name)
            first[name] = n
        if "propagate" in col and cells[col["propagate"]]:
            flag = cells[col["propagate"]].lower()
            if flag not in ("true", "false", "yes", "no", "1", "0"):
                raise InputError("propagate must be true or false", path=path, line=n, value=flag)
            propagate[name] = flag in ("true", "yes", "1")
        if group.lower() == "replay":
            replays[name] = move
        else:
            shocks.setdefault(name, []).append(_move(move, path, n, group))
        if name in replays and name in shocks:
            raise InputError(
                "a scenario needs either shocks or a replay (not both)",
                path=path,
                line=n,
                value=name,
                hint=_FILE_HINT,
            )
    return [
        Scenario(
            k,
            tuple(shocks.get(k, ())),
            replays.get(k),
            propagate.get(k, True),
            f"{path}, line {first[k]}",
        )
        for k in order
    ]
