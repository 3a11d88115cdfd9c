"""The book's output folder: where each household's files go, atomic writes, and what is done.

::

    OUT/households/<household>/proposal.json   as `advisor propose --format json`
    OUT/households/<household>/trades.csv      the custodian trade list (`propose --output`)
    OUT/households/<household>/report.html     the client document (with --report)
    OUT/households/<household>/result.json     the household's record, written last
    OUT/parts/<export>/<household>.csv         the households of a split export
    OUT/summary.csv, summary.json, summary.html, trades_by_ticker.csv

Every file is written to a temporary name in its folder and renamed into place
(:func:`os.replace`), so a reader (or a rerun after a kill) sees the old file or the new one,
never half of one. ``result.json`` is written after the household's other files: a household
is done when its record is there and its hashes (input, mandate, snapshot, settings) match.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORD = "result.json"
PROPOSAL = "proposal.json"
TRADES = "trades.csv"
REPORT = "report.html"
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: files get the usual permissions, not mkstemp's 0600
#: Record keys that hold wall-clock facts (they differ between two identical runs).
WALL_CLOCK = ("timings", "seconds", "worker", "completed_at")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            os.fchmod(f.fileno(), 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove(path: Path) -> None:
    """Remove a file a previous run wrote that this run does not (a trade list of a household
    now infeasible)."""
    path.unlink(missing_ok=True)


def household_dir(out: str | Path, folder: str) -> Path:
    return Path(out) / "households" / folder


def read_record(out: str | Path, folder: str) -> dict[str, Any] | None:
    """The household's record, or None when there is none (or it cannot be read)."""
    path = household_dir(out, folder) / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def snapshot_id(folder: str | Path) -> dict[str, str]:
    """``{as_of, id}`` of a snapshot: its date and a hash of its manifest (which lists every
    source's hash), so that a repriced or rebuilt snapshot reruns the book."""
    manifest = Path(folder) / "manifest.json"
    data = manifest.read_bytes()
    as_of = str(json.loads(data).get("snapshot_date", ""))
    return {"as_of": as_of, "id": hashlib.sha256(data).hexdigest()[:16]}


def code_id(root: Path | None = None) -> str:
    """A hash of the installed advisor package's code (its Python modules and templates; or of
    those under ``root``): a changed ``propose`` reruns the book even when the version number is
    the same."""
    root = root or Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".j2", ".css") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Stamp:
    """What a household's result depends on besides its input and mandate: the snapshot, the
    advisor version and code (:func:`code_id`) and the outputs asked for."""

    snapshot: str  # snapshot_id()["id"]
    version: str
    report: bool

    def key(self) -> str:
        text = json.dumps([self.snapshot, self.version, self.report])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_done(
    record: dict[str, Any] | None, input_hash: str, mandate_hash: str, stamp: Stamp
) -> bool:
    """The record is of this input, this mandate, this snapshot and these settings (a household
    that failed on an unexpected error, not on its input, is tried again)."""
    return (
        record is not None
        and not record.get("internal_error")
        and record.get("input_hash") == input_hash
        and record.get("mandate_hash") == mandate_hash
        and record.get("stamp") == stamp.key()
    )
