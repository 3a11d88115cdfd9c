"""A household: several accounts (and files) read as one client.

A household is given as a YAML file (see the README's "The household file"), as a folder of
exports, or as a list of files. Each file is read by :func:`advisor.holdings.read.read_holdings`
(through the ``read`` callable, which binds the market) and the parts are put together by
:mod:`advisor.holdings.combine`: positions added up over the household, every lot and account
kept. A YAML mistake is an :class:`~advisor.errors.InputError` naming the YAML line.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from advisor.domain import AccountType, Holdings
from advisor.holdings import accounts, combine
from advisor.holdings.tables import bad
from advisor.units import json_number, parse_percent

#: Reads one holdings file (a positions or lots export) against the market.
Reader = Callable[[str], Holdings]

_TOP = ("client", "name", "accounts", "files", "file", "tax_rates", "mandate")
_ACCOUNT = ("id", "name", "type", "file", "lots")
_RATES = ("short", "long", "state")
_EXPORTS = (".csv", ".xlsx", ".xlsm", ".txt")
_TYPES = ", ".join(t.value for t in AccountType)


@dataclass(frozen=True, eq=False)
class Household:
    """A client's accounts read as one.

    Attributes
    ----------
    name : str
        The client's name (the file's or folder's name when none is given).
    holdings : Holdings
        Positions added up over the household; ``lots`` and ``accounts`` per account.
    accounts : pandas.DataFrame
        ``holdings.accounts`` (columns :data:`advisor.domain.ACCOUNT_COLUMNS`).
    tax_rates : dict of str to float
        ``short``, ``long`` and ``state`` rates as fractions, as the file gives them (may be
        empty: the tax rules' defaults apply).
    mandate : dict of str to str
        Mandate options as the file spells them, CLI names without dashes (``max-te`` -> ``3%``).
    path : str
        The YAML file, folder or first file read.
    """

    name: str
    holdings: Holdings
    accounts: pd.DataFrame
    tax_rates: dict[str, float] = field(default_factory=dict)
    mandate: dict[str, str] = field(default_factory=dict)
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``{name, path, accounts: [{id, name, type, type_source}], tax_rates, mandate}``."""
        rows = self.accounts[["id", "name", "type", "type_source"]].astype(str)
        return {
            "name": self.name,
            "path": self.path,
            "accounts": rows.to_dict(orient="records"),
            "tax_rates": {k: json_number(v) for k, v in self.tax_rates.items()},
            "mandate": dict(self.mandate),
        }


def is_household(path: str | os.PathLike[str]) -> bool:
    """True for what :func:`read_household` reads and a holdings file is not: a folder or YAML."""
    p = Path(path)
    return p.is_dir() or p.suffix.lower() in (".yaml", ".yml")


def read_household(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                   read: Reader) -> Household:  # fmt: skip
    """Read a household YAML file, a folder of exports, or a list of files, as one household.

    Raises
    ------
    InputError
        A YAML error (named by line), an account the files do not hold, a file that gives only
        weights, or any error of the files themselves.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix.lower() in (".yaml", ".yml"):
            return _from_yaml(path, read)
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _EXPORTS) if (
            path.is_dir()) else [path]  # fmt: skip
        if not files:
            hint = "put the accounts' CSV or XLSX exports in it"
            raise bad(str(path), None, "no CSV or XLSX export in the folder", None, hint)
        return _from_files(files, str(path), path.stem or path.name, read)
    paths = [Path(p) for p in source]
    if not paths:
        raise ValueError("read_household needs at least one file")
    return _from_files(paths, str(paths[0]), paths[0].stem, read)


def _from_files(files: Sequence[Path], where: str, name: str, read: Reader) -> Household:
    """Each file one part; a file that names no account is the account of its file name."""
    parts = []
    for path in files:
        h = read(str(path))
        if list(h.accounts["id"]) == [""]:
            kind, how, said = accounts.type_of(path.stem, path.stem)
            h = combine.as_account(h, path.stem, path.stem, kind, how)
            h = _warned(h, f"{path.name} names no account: read as account {path.stem!r}; {said}")
        parts.append(h)
    holdings = combine.merge(parts, where)
    return Household(name, holdings, holdings.accounts, path=where)


def _warned(h: Holdings, *warnings: str | None) -> Holdings:
    return replace(h, warnings=h.warnings + tuple(w for w in warnings if w))


# --- the YAML file ------------------------------------------------------------------------------


class _Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and each value's line (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}


@functools.cache
def yaml_loader() -> Any:
    """PyYAML's safe loader, with mappings as :class:`_Map` (PyYAML is imported here, when a
    YAML file is read, not with the module: 17 ms of every command)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Map:
        loader.flatten_mapping(node)
        out = _Map(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            out[key] = loader.construct_object(value_node, deep=True)
            out.lines[key] = key_node.start_mark.line + 1
        return out

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return Loader


def _load(path: Path) -> _Map:
    """The YAML file's top mapping; syntax errors named by line."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise bad(str(path), None, f"cannot read the household file ({exc.strerror or exc})",
                  None, "check the path") from exc  # fmt: skip
    try:
        doc = yaml.load(text, Loader=yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        message = f"not valid YAML: {exc.problem or exc}"
        raise bad(str(path), line, message, None, "fix the YAML (indentation, colons)") from exc
    if not isinstance(doc, _Map):
        hint = "start with 'client:' and 'accounts:' (see the README's household file)"
        raise bad(str(path), 1, "the household file is not a mapping of keys", None, hint)
    return doc


def _keys(doc: _Map, allowed: Sequence[str], path: Path, what: str) -> None:
    """Refuse keys the file format does not have, naming the line."""
    for key in doc:
        if key not in allowed:
            hint = f"the keys of {what} are {', '.join(allowed)}"
            raise bad(str(path), doc.lines[key], f"unknown key {key!r} in {what}", str(key), hint)


def _from_yaml(path: Path, read: Reader) -> Household:
    doc = _load(path)
    _keys(doc, _TOP, path, "a household file")
    entries = doc.get("accounts") or []
    if not isinstance(entries, list) or not all(isinstance(e, _Map) for e in entries):
        hint = "give a list of accounts, each with 'id:' (and 'type:', 'file:')"
        raise bad(str(path), doc.lines.get("accounts", doc.line), "'accounts' is not a list of "
                  "accounts", None, hint)  # fmt: skip
    shared = _paths(doc, "files", path) + _paths(doc, "file", path)
    if not entries and not shared:
        hint = "list the accounts ('accounts:') or the exports ('files:')"
        raise bad(
            str(path), doc.line, "the household file names no account and no file", None, hint
        )
    parts, types = _accounts(entries, path, read)
    parts += [read(str(p)) for p, _ in shared]
    holdings = combine.with_types(combine.merge(parts, str(path)), types)
    _check_found(entries, holdings, path)
    name = str(doc.get("client") or doc.get("name") or path.stem)
    rates = _rates(doc, path)
    mandate = _mandate(doc, path)
    return Household(name, holdings, holdings.accounts, rates, mandate, str(path))


def _accounts(entries: list[_Map], path: Path, read: Reader
              ) -> tuple[list[Holdings], dict[str, tuple[str, AccountType, str]]]:  # fmt: skip
    """The parts read from accounts' own files, and the types the file sets."""
    parts: list[Holdings] = []
    types: dict[str, tuple[str, AccountType, str]] = {}
    for entry in entries:
        _keys(entry, _ACCOUNT, path, "an account")
        if entry.get("id") in (None, ""):
            raise bad(str(path), entry.line, "an account without 'id'", None,
                      "give each account an id (its name or number as the export writes it)")  # fmt: skip
        account, name = str(entry["id"]), str(entry.get("name") or "")
        said = None
        if "type" in entry:
            kind, how = _type(entry, path), "household file"
            types[account] = (name, kind, how)
        else:
            kind, how, said = accounts.type_of(account, name or account)
        if "file" in entry:
            h = read(str(_path(entry, "file", path)))
            if "lots" in entry:
                h = combine.with_lots(h, read(str(_path(entry, "lots", path))))
            parts.append(_warned(combine.as_account(h, account, name, kind, how), said))
    return parts, types


def _type(entry: _Map, path: Path) -> AccountType:
    kind = accounts.parse_type(str(entry["type"]))
    if kind is None:
        message = f"unknown account type {entry['type']!r}"
        raise bad(
            str(path), entry.lines["type"], message, str(entry["type"]), f"use one of {_TYPES}"
        )
    return kind


def _path(entry: _Map, key: str, path: Path) -> Path:
    """A file the YAML names (relative to the YAML's folder), which must exist."""
    target = path.parent / str(entry[key])
    if not target.is_file():
        message = f"{key} {str(entry[key])!r} not found (looked for {target})"
        raise bad(str(path), entry.lines[key], message, str(entry[key]), "check the file name")
    return target


def _paths(doc: _Map, key: str, path: Path) -> list[tuple[Path, int]]:
    """The files of a top-level ``file:`` or ``files:`` key."""
    if key not in doc:
        return []
    names = doc[key] if isinstance(doc[key], list) else [doc[key]]
    out = []
    for name in names:
        holder = _Map(doc.line)
        holder[key], holder.lines[key] = name, doc.lines[key]
        out.append((_path(holder, key, path), doc.lines[key]))
    return out


def _check_found(entries: list[_Map], holdings: Holdings, path: Path) -> None:
    """Every account listed without a file of its own is in one of the shared files."""
    found = set(holdings.accounts["id"])
    for entry in entries:
        if "file" not in entry and str(entry["id"]) not in found:
            listed = ", ".join(repr(a) for a in holdings.accounts["id"])
            message = f"account {str(entry['id'])!r} is in none of the files (they hold {listed})"
            hint = "spell the id as the export does, or give the account its own 'file:'"
            raise bad(str(path), entry.line, message, str(entry["id"]), hint)


def _rates(doc: _Map, path: Path) -> dict[str, float]:
    """``tax_rates: {short: 40.8%, long: 23.8%, state: 5%}`` as fractions."""
    rates = doc.get("tax_rates") or _Map(doc.line)
    line = doc.lines.get("tax_rates", doc.line)
    if not isinstance(rates, _Map):
        raise bad(str(path), line, "'tax_rates' is not a mapping", None, "write short: 40.8%")
    _keys(rates, _RATES, path, "tax_rates")
    out = {}
    for key, text in rates.items():
        try:
            rate = parse_percent(text)
        except ValueError as exc:
            raise bad(str(path), rates.lines[key], str(exc), str(text), "write 23.8%") from exc
        if not 0 <= rate < 1:
            hint = "a tax rate is between 0% and 100%"
            raise bad(str(path), rates.lines[key], f"tax rate {key} out of range", str(text), hint)
        out[str(key)] = rate
    return out


def _mandate(doc: _Map, path: Path) -> dict[str, str]:
    """``mandate: {max-te: 3%}`` as option name -> text (checked by whoever builds the Mandate)."""
    given = doc.get("mandate") or _Map(doc.line)
    if not isinstance(given, _Map):
        line = doc.lines.get("mandate", doc.line)
        raise bad(str(path), line, "'mandate' is not a mapping", None, "write max-te: 3%")
    return {str(k).lstrip("-").replace("_", "-"): str(v) for k, v in given.items()}
