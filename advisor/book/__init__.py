"""``advisor book``: a whole book of households at once, resumable, on Dask.

::

    from advisor import book

    plan = book.plan(["portfolios/book"], "out", mandate="portfolios/book/mandate.yaml")
    result = book.run(plan, workers=2)          # or workers=0 (in process), scheduler=...
    result.summary["book"]["megacap_after"]

:func:`plan` finds the households (:mod:`advisor.book.sources`), reads and checks the mandate
file (:mod:`advisor.book.mandates`) and tells which households are done already (same input,
mandate, snapshot and settings: :mod:`advisor.book.store`). :func:`run` runs the rest
(:mod:`advisor.book.engine`, each household :func:`advisor.book.task.run_job`) and writes the
summary (:mod:`advisor.book.summary`). :func:`check` is the dry run: every file read and every
mandate built, nothing proposed or written.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.book import store
from advisor.book.mandates import MandateFile, read_mandate_file
from advisor.book.sources import Job, Refused, discover
from advisor.book.task import Settings


@dataclass
class Plan:
    """The households of a book, what is to run and what is done.

    Attributes
    ----------
    jobs : list of Job
        Every household found.
    todo : list of Job
        The households to run (new, changed, or not finished).
    done : list of dict
        The records of the households finished by an earlier run, unchanged since.
    refused : list of Refused
        Paths that give no household (not found, an export that cannot be split).
    settings : Settings
        What every household shares (output folder, mandate file, snapshot, report).
    notes : list of str
        What the search said (lines of a split export left out).
    """

    jobs: list[Job]
    todo: list[Job]
    done: list[dict[str, Any]]
    refused: list[Refused]
    settings: Settings
    notes: list[str] = field(default_factory=list)


@dataclass
class BookResult:
    """A run's records (this run's and the ones reused), its summary and its files."""

    records: list[dict[str, Any]]
    summary: dict[str, Any]
    files: list[Path]


def _snapshot_folder(snapshot: str | os.PathLike[str] | None) -> str | None:
    """The snapshot in use as a folder to send to workers (None: the embedded one)."""
    from advisor.market.store import PACKAGE_SNAPSHOT, default_folder

    folder = Path(snapshot) if snapshot is not None else default_folder()
    return None if folder.resolve() == PACKAGE_SNAPSHOT.resolve() else str(folder.resolve())


def plan(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
         mandate: str | os.PathLike[str] | None = None, split_by: str | None = None,
         report: bool = False, snapshot: str | os.PathLike[str] | None = None,
         parts_dir: str | os.PathLike[str] | None = None) -> Plan:  # fmt: skip
    """Find the book's households and tell which are done (see the module notes).

    Raises
    ------
    InputError
        The mandate file cannot be read or holds a bad option (file, line, key, value).
    """
    import advisor
    from advisor.market.store import PACKAGE_SNAPSHOT

    mandates = read_mandate_file(None if mandate is None else Path(mandate))
    folder = _snapshot_folder(snapshot)
    version = f"{advisor.__version__}+{store.code_id()}"
    stamp = store.Stamp(store.snapshot_id(folder or PACKAGE_SNAPSHOT)["id"], version,
                        report)  # fmt: skip
    settings = Settings(str(Path(out).resolve()), mandates, stamp, folder, report)
    parts = Path(parts_dir) if parts_dir is not None else Path(out) / "parts"
    skip = [Path(mandate)] if mandate else []
    found = discover([Path(p) for p in paths], skip=skip, split_by=split_by, parts_dir=parts)
    todo, done = [], []
    for job in found.jobs:
        record = store.read_record(Path(out), job.folder)
        ids = (record or {}).get("accounts", [])
        if store.is_done(record, job.input_hash, mandates.fingerprint(job.key, ids), stamp):
            done.append({**(record or {}), "reused": True})
        else:
            todo.append(job)
    return Plan(found.jobs, todo, done, found.refused, settings, found.notes)


def run(plan: Plan, *, workers: int | None = None, scheduler: str | None = None,
        client: Any = None, on_record: Callable[[dict[str, Any]], None] | None = None
        ) -> BookResult:  # fmt: skip
    """Run the plan's households (``workers=0``: in this process; ``workers=N``: a local Dask
    cluster; ``scheduler``: a running one; ``client``: a Dask client of the caller's) and write
    the summary."""
    from advisor.book.engine import run_jobs

    start = time.perf_counter()
    records, info = run_jobs(plan.todo, plan.settings, workers=workers, scheduler=scheduler,
                             client=client, on_record=on_record)  # fmt: skip
    seconds = time.perf_counter() - start
    ran = {"engine": info.engine, "workers": info.workers, "address": info.address,
           "households_run": len(records), "households_reused": len(plan.done),
           "seconds": round(seconds, 3),
           "households_per_second": round(len(records) / seconds, 3) if seconds > 0 else None,
           "worker_rss_bytes": info.worker_rss}  # fmt: skip
    every = plan.done + records
    return BookResult(every, *_write_summary(plan, every, ran))


def _write_summary(plan: Plan, records: list[dict[str, Any]],
                   ran: dict[str, Any]) -> tuple[dict[str, Any], list[Path]]:  # fmt: skip
    from advisor.book import summary
    from advisor.market.snapshot import data_age

    s = plan.settings
    mandates = s.mandates
    ids = [a for r in records for a in r.get("accounts") or []]
    notes = list(plan.notes)
    unmatched = mandates.unmatched([j.key for j in plan.jobs], ids)
    if unmatched:
        notes.append("mandate overrides that matched no household or account: "
                     + ", ".join(unmatched))  # fmt: skip
    day = as_of(s)
    header = {"as_of": day, "market_data": data_age(day).to_dict(),
              "snapshot": {"id": s.stamp.snapshot, "folder": s.snapshot or "embedded"},
              "advisor_version": s.stamp.version, "mandate_file": mandates.path or None,
              "output": s.out, "run": ran, "notes": notes}  # fmt: skip
    refused = [{"key": r.key, "path": r.path, "error": r.error} for r in plan.refused]
    result = summary.summarize(records, refused, header)
    return result, summary.write(s.out, result)


def as_of(settings: Settings) -> str:
    """The snapshot's date (YYYY-MM-DD)."""
    from advisor.market.store import PACKAGE_SNAPSHOT

    return store.snapshot_id(settings.snapshot or PACKAGE_SNAPSHOT)["as_of"]


@dataclass(frozen=True)
class Check:
    """A household as the dry run found it: ``error`` None when it would run."""

    key: str
    source: str
    kind: str
    accounts: int
    done: bool
    mandate: dict[str, Any]
    error: str | None = None
    ids: tuple[str, ...] = ()


def check(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
          mandate: str | os.PathLike[str] | None = None, split_by: str | None = None,
          report: bool = False, snapshot: str | os.PathLike[str] | None = None
          ) -> tuple[Plan, list[Check], list[str]]:  # fmt: skip
    """The dry run: read every household and build its mandate, in this process; nothing is
    proposed and nothing is written to ``out`` (split parts go to a temporary folder). Also the
    mandate file's overrides that name no household or account of the book."""
    from advisor.book.task import check_job

    with tempfile.TemporaryDirectory() as parts:
        p = plan(paths, out, mandate=mandate, split_by=split_by, report=report,
                 snapshot=snapshot, parts_dir=parts)  # fmt: skip
        todo = {j.key for j in p.todo}
        checks = [Check(**check_job(j, p.settings), done=j.key not in todo) for j in p.jobs]
    checks += [Check(r.key, r.path, "-", 0, False, {}, r.error) for r in p.refused]
    ids = [a for c in checks for a in c.ids]
    return p, checks, p.settings.mandates.unmatched([c.key for c in checks], ids)


__all__ = ["BookResult", "Check", "MandateFile", "Plan", "as_of", "check", "plan", "run"]
