"""Where snapshots live: the one embedded in the package, and the user's repriced ones.

``advisor data reprice`` writes a snapshot into the user's data folder (the platform's: on Linux
``~/.local/share/advisor``, on macOS ``~/Library/Application Support/advisor``, on Windows
``%LOCALAPPDATA%\\advisor``; ``ADVISOR_HOME`` overrides it) and selects it: every command uses
it from then on. The choice, in order: ``--snapshot PATH`` (or :func:`use`), the user's selected
snapshot, the embedded one. ``advisor data reset`` goes back to the embedded one.
"""

from __future__ import annotations

import os
from pathlib import Path

from advisor.errors import DataError

PACKAGE_SNAPSHOT = Path(__file__).parents[1] / "data" / "snapshot"
_CURRENT = "current_snapshot.txt"
_override: Path | None = None


def user_dir() -> Path:
    """The user's advisor data folder (``ADVISOR_HOME``, else the platform's user data dir)."""
    home = os.environ.get("ADVISOR_HOME")
    if home:
        return Path(home)
    from platformdirs import user_data_dir

    return Path(user_data_dir("advisor", appauthor=False))


def use(path: str | Path | None) -> None:
    """Select a snapshot for this process (``--snapshot``); None undoes it. ``package`` names the
    embedded snapshot."""
    global _override
    if path is None:
        _override = None
        return
    folder = PACKAGE_SNAPSHOT if str(path) == "package" else Path(path)
    if not (folder / "manifest.json").exists():
        raise DataError(
            f"{folder} is not a snapshot (no manifest.json there)",
            "Give a folder written by `advisor data reprice` or `advisor data build`, or "
            "`package` for the embedded snapshot",
        )
    _override = folder


def selected() -> Path | None:
    """The user's selected snapshot (written by reprice), if it still exists."""
    pointer = user_dir() / _CURRENT
    if not pointer.exists():
        return None
    folder = Path(pointer.read_text().strip())
    return folder if (folder / "manifest.json").exists() else None


def default_folder() -> Path:
    """The snapshot every command uses (see the module notes)."""
    return _override or selected() or PACKAGE_SNAPSHOT


def select(folder: Path) -> None:
    """Make ``folder`` the user's snapshot from now on."""
    user_dir().mkdir(parents=True, exist_ok=True)
    (user_dir() / _CURRENT).write_text(str(folder.resolve()))


def reset() -> Path | None:
    """Go back to the embedded snapshot; returns the folder that was selected (left on disk)."""
    was = selected()
    pointer = user_dir() / _CURRENT
    if pointer.exists():
        pointer.unlink()
    return was


def describe(folder: Path) -> str:
    """Which snapshot ``folder`` is, in words."""
    if folder.resolve() == PACKAGE_SNAPSHOT.resolve():
        return "the snapshot embedded in the package"
    return f"a user snapshot at {folder}"
