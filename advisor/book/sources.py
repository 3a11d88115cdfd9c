"""Which households a book holds: folders, files, household YAML files, split exports.

A PATH of ``advisor book`` is

- a folder: each CSV or XLSX export in it is a household (one file, its accounts), each
  household YAML file is a household (exports it names are not households of their own), and
  each sub-folder of exports is a household (its files its accounts);
- a file: an export or a household YAML file;
- with ``split_by``, every export is one multi-household file split by its account column
  (``account``) or by its household column (``household``: Household, Household ID, Client,
  Client ID): each value is a household, written as its own CSV under ``OUT/parts/``.

Each household becomes a :class:`Job`: what a worker needs to read it, with a hash of its
input (the bytes of every file it reads), so that a rerun can tell whether it changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import AdvisorError, InputError

EXPORTS = (".csv", ".xlsx", ".xlsm", ".txt")
YAMLS = (".yaml", ".yml")
#: Column names of a household in a multi-household export (compared as lower-case letters).
HOUSEHOLD_COLUMNS = ("household", "householdid", "householdname", "client", "clientid",
                     "clientname", "relationship")  # fmt: skip
_REFERENCE = re.compile(r"^\s*-?\s*(?:file|lots|files)\s*:\s*['\"]?([^'\"#\n]+?)['\"]?\s*$", re.M)


@dataclass(frozen=True)
class Job:
    """One household of the book, as a worker reads it.

    Attributes
    ----------
    key : str
        The household's name in the book: the file name without suffix, the folder's name, or
        the split value; the mandate file's ``households:`` use it.
    kind : {"file", "household"}
        An export read by :func:`advisor.read_holdings`, or a household (YAML or folder) read by
        :func:`advisor.read_household`.
    path : str
        What is read (absolute): the export, the YAML, the folder or the split part.
    input_hash : str
        sha256 of the bytes of every file the household reads.
    origin : str
        Where the household came from, as the user named it (the export a part was split from).
    lines : tuple of int
        For a split part: the line in ``origin`` of each line of the part (1-based).
    """

    key: str
    kind: str
    path: str
    input_hash: str
    origin: str = ""
    lines: tuple[int, ...] = ()

    @property
    def folder(self) -> str:
        """The household's folder name under ``OUT/households/`` (safe on every system)."""
        return safe_name(self.key)


@dataclass(frozen=True)
class Refused:
    """A PATH (or a part of one) that gives no household, with the reason."""

    key: str
    path: str
    error: str


@dataclass
class Discovery:
    """The jobs of a book and the paths refused while finding them."""

    jobs: list[Job] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def safe_name(key: str) -> str:
    """``Joint ...301`` -> ``Joint_...301``: letters, digits, ``.``, ``_`` and ``-`` only."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._") or "household"
    return name[:120]


def digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p.name).encode() + b"\0")
        h.update(p.read_bytes() if p.is_file() else b"")
    return h.hexdigest()[:16]


def discover(paths: Sequence[str | Path], *, skip: Sequence[str | Path] = (),
             split_by: str | None = None, parts_dir: Path | None = None) -> Discovery:  # fmt: skip
    """The households of ``paths`` (see the module notes); ``skip`` names files that are not
    households (the mandate file). Keys are made unique by their folder when two collide."""
    found = Discovery()
    skipped = {Path(s).resolve() for s in skip}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            found.refused.append(Refused(path.stem or str(path), str(path), "not found"))
        elif path.is_dir():
            _folder(path, skipped, split_by, parts_dir, found)
        elif path.resolve() not in skipped:
            _one(path, split_by, parts_dir, found)
    _unique(found)
    return found


def _folder(folder: Path, skipped: set[Path], split_by: str | None, parts_dir: Path | None,
            found: Discovery) -> None:  # fmt: skip
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    yamls = [p for p in entries if p.suffix.lower() in YAMLS and p.resolve() not in skipped]
    named = {r for y in yamls for r in references(y)}
    for p in entries:
        if p.resolve() in skipped or p.resolve() in named:
            continue
        if p.is_dir():
            if any(c.suffix.lower() in EXPORTS for c in p.iterdir()):
                exports = sorted(c for c in p.iterdir() if c.suffix.lower() in EXPORTS)
                found.jobs.append(Job(p.name, "household", str(p.resolve()), digest(exports),
                                      str(p)))  # fmt: skip
        elif p.suffix.lower() in YAMLS:
            if not _is_mandate_file(p):
                _one(p, split_by, parts_dir, found)
        elif p.suffix.lower() in EXPORTS:
            _one(p, split_by, parts_dir, found)


def _is_mandate_file(path: Path) -> bool:
    """A YAML whose first key is ``default:`` is a book mandate file, not a household."""
    for line in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            return text.startswith(("default:", "households:", "accounts:"))
    return False


def references(yaml_path: Path) -> set[Path]:
    """The files a household YAML names (``file:``, ``lots:``, ``files:``); a broken YAML is
    read line by line, so that the exports it names are still not taken for households."""
    import yaml

    try:
        text = yaml_path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return set()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        doc = None
    if not isinstance(doc, dict):
        return {(yaml_path.parent / m.strip()).resolve() for m in _REFERENCE.findall(text)}
    names: list[object] = []
    for holder in [doc, *[a for a in doc.get("accounts") or [] if isinstance(a, dict)]]:
        for key in ("file", "lots", "files"):
            value = holder.get(key)
            names += value if isinstance(value, list) else [value] if value else []
    return {(yaml_path.parent / str(n)).resolve() for n in names}


def _one(path: Path, split_by: str | None, parts_dir: Path | None, found: Discovery) -> None:
    if path.suffix.lower() in YAMLS:
        files = [path, *sorted(p for p in references(path) if p.is_file())]
        found.jobs.append(Job(path.stem, "household", str(path.resolve()), digest(files),
                              str(path)))  # fmt: skip
    elif split_by:
        try:
            found.jobs.extend(split(path, split_by, parts_dir, found.notes))
        except AdvisorError as exc:
            found.refused.append(Refused(path.stem, str(path), exc.message))
    else:
        found.jobs.append(Job(path.stem, "file", str(path.resolve()), digest([path]), str(path)))


def _unique(found: Discovery) -> None:
    """Two households of one key (``a.csv`` and ``a.yaml``, or two folders' ``a.csv``) are
    named by their path instead."""
    counts: dict[str, int] = {}
    for j in found.jobs:
        counts[j.folder.lower()] = counts.get(j.folder.lower(), 0) + 1
    out = []
    for j in found.jobs:
        if counts[j.folder.lower()] > 1:
            origin = Path(j.origin)
            key = f"{origin.stem}/{j.key}" if j.lines else f"{origin.parent.name}/{origin.name}"
            j = Job(key, j.kind, j.path, j.input_hash, j.origin, j.lines)
        out.append(j)
    found.jobs[:] = out


# -- one export split into households ----------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _split_columns(split_by: str) -> set[str]:
    if split_by == "household":
        return set(HOUSEHOLD_COLUMNS)
    from advisor.holdings.read import SYNONYMS

    return {_norm(n) for n in SYNONYMS["account"]}


def split(path: Path, split_by: str, parts_dir: Path | None, notes: list[str]) -> list[Job]:
    """One job per value of the export's account or household column; each part is the lines
    above the header, the header and the value's lines, written to ``parts_dir``."""
    from advisor.holdings.read import SYNONYMS
    from advisor.holdings.tables import read_table

    if parts_dir is None:
        raise ValueError("splitting an export needs a folder for the parts")
    columns = _split_columns(split_by)
    tickers = {_norm(n) for n in SYNONYMS["ticker"]}

    def header_at(rows: list[tuple[int, list[str]]]) -> int | None:
        for i, (_, cells) in enumerate(rows[:50]):
            names = {_norm(c) for c in cells}
            if names & columns and names & tickers:
                return i
        return None

    rows = read_table(str(path), lambda r: header_at(r) is not None)
    at = header_at(rows)
    if at is None:
        hint = "a column " + ("Household or Client" if split_by == "household" else "Account")
        raise InputError(f"no {split_by} column to split the book by", path=str(path),
                         hint=f"the export needs {hint} beside Symbol")  # fmt: skip
    col = next(i for i, c in enumerate(rows[at][1]) if _norm(c) in columns)
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    left_out = []
    for line, cells in rows[at + 1 :]:
        value = cells[col].strip() if col < len(cells) else ""
        if value:
            groups.setdefault(value, []).append((line, cells))
        elif any(c.strip() for c in cells):
            left_out.append(line)
    if left_out:
        shown = ", ".join(map(str, left_out[:8])) + (" ..." if len(left_out) > 8 else "")
        notes.append(f"{path}: {len(left_out)} line(s) without a {split_by} left out of the book "
                     f"(lines {shown})")  # fmt: skip
    out_dir = parts_dir / safe_name(path.stem)
    out_dir.mkdir(parents=True, exist_ok=True)
    head = rows[: at + 1]
    jobs = []
    for value, body in groups.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([c for _, c in head + body])
        part = out_dir / f"{safe_name(value)}.csv"
        text = buf.getvalue()
        if not part.exists() or part.read_text(encoding="utf-8") != text:
            _write_text(part, text)
        lines = tuple(n for n, _ in head + body)
        jobs.append(Job(value, "file", str(part.resolve()), digest([part]), str(path), lines))
    return jobs


def _write_text(path: Path, text: str) -> None:
    from advisor.book.store import atomic_write

    atomic_write(path, text)
