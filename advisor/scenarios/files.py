"""Scenario files: an advisor's named scenarios in YAML or CSV, read with every error naming the
file, the line and the value.

YAML: a list (or ``scenarios:``) of ``{name, shocks: {GROUP: MOVE}, propagate}`` or
``{name, replay}``. CSV: ``scenario,group,move[,propagate]`` lines, where group ``replay`` takes a
replay name or ``FROM:TO`` as its move.
"""

from __future__ import annotations

from advisor.errors import AdvisorError, InputError
from advisor.scenarios.shocks import Scenario, Shock, default_name, parse_shock

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
