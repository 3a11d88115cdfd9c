"""Scenario files: an advisor's named scenarios in YAML or CSV, read with every error naming the
file, the line and the value.

YAML: a list (or ``scenarios:``) of ``{name, shocks: {GROUP: MOVE}, propagate}`` or
``{name, replay}``. CSV: ``scenario,group,move[,propagate]`` lines, where group ``replay`` takes a
replay name or ``FROM:TO`` as its move.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

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


def _yaml_doc(text: str, path: str) -> list:  # type: ignore[type-arg]
    """The YAML list of scenarios, each mapping carrying its line as ``__line__``."""
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
    return doc


def _from_yaml(text: str, path: str) -> list[Scenario]:
    out = []
    for i, item in enumerate(_yaml_doc(text, path)):
        if not isinstance(item, dict):
            raise InputError(f"scenario {i + 1} is not a mapping", path=path, hint=_FILE_HINT)
        out.append(_yaml_scenario(item, path))
    return out


def _yaml_scenario(item: dict, path: str) -> Scenario:  # type: ignore[type-arg]
    line = item.pop("__line__", None)

    def bad(message: str, value: str | None = None) -> InputError:
        return InputError(message, path=path, line=line, value=value, hint=_FILE_HINT)

    unknown = set(item) - {"name", "shocks", "replay", "propagate"}
    if unknown:
        raise bad(f"unknown key(s) {', '.join(sorted(unknown))}")
    shocks_in = item.get("shocks") or {}
    if isinstance(shocks_in, dict):
        shocks_in.pop("__line__", None)
    replay = item.get("replay")
    if bool(shocks_in) == (replay is not None):
        raise bad(
            "a scenario needs either shocks or a replay (not both)", str(item.get("name", ""))
        )
    if not isinstance(shocks_in, dict):
        raise bad("shocks must be a mapping GROUP: MOVE", str(shocks_in))
    shocks = tuple(_move(v, path, line, str(k)) for k, v in shocks_in.items())
    propagate = item.get("propagate", True)
    if not isinstance(propagate, bool):
        raise bad("propagate must be true or false", str(propagate))
    name = str(item.get("name") or default_name(shocks, replay))
    origin = f"{path}, line {line}" if line else path
    return Scenario(name, shocks, None if replay is None else str(replay), propagate, origin)


@dataclass
class _CsvScenarios:
    """Scenarios gathered line by line from a CSV file, in the order they first appear."""

    path: str
    first: dict[str, int] = field(default_factory=dict)
    shocks: dict[str, list[Shock]] = field(default_factory=dict)
    replays: dict[str, str] = field(default_factory=dict)
    propagate: dict[str, bool] = field(default_factory=dict)

    def add(self, n: int, name: str, group: str, move: str, flag: str, row: list[str]) -> None:
        def bad(message: str, value: str) -> InputError:
            return InputError(message, path=self.path, line=n, value=value, hint=_FILE_HINT)

        if not name or not group or not move:
            raise bad("every line needs a scenario, a group and a move", ",".join(row))
        self.first.setdefault(name, n)
        if flag:
            if flag.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise bad("propagate must be true or false", flag)
            self.propagate[name] = flag.lower() in ("true", "yes", "1")
        if group.lower() == "replay":
            self.replays[name] = move
        else:
            self.shocks.setdefault(name, []).append(_move(move, self.path, n, group))
        if name in self.replays and name in self.shocks:
            raise bad("a scenario needs either shocks or a replay (not both)", name)

    def scenarios(self) -> list[Scenario]:
        return [
            Scenario(k, tuple(self.shocks.get(k, ())), self.replays.get(k),
                     self.propagate.get(k, True), f"{self.path}, line {n}")
            for k, n in self.first.items()
        ]  # fmt: skip


def _from_csv(text: str, path: str) -> list[Scenario]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    need = {"scenario", "group", "move"}
    if not need <= set(header):
        raise InputError(
            f"missing column(s) {', '.join(sorted(need - set(header)))}",
            path=path, line=1, value=",".join(rows[0]), hint=_FILE_HINT,
        )  # fmt: skip
    col = {h: header.index(h) for h in header}
    found = _CsvScenarios(path)
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + [""] * len(header)
        flag = cells[col["propagate"]] if "propagate" in col else ""
        found.add(n, *(cells[col[k]] for k in ("scenario", "group", "move")), flag, row)
    return found.scenarios()
