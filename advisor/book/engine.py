"""Where the households run: in this process, on a local Dask cluster, or on a running one.

- ``workers=0``: one after the other in this process (for debugging; no Dask).
- ``workers=N`` (default: this machine's cores): a :class:`distributed.LocalCluster` of N
  single-threaded worker processes on the loopback interface.
- ``scheduler="tcp://host:8786"``: an existing cluster (``dask scheduler`` and ``dask worker``,
  each worker with advisor installed and the book's files at the same paths).

Each worker loads the snapshot once, when it starts (:class:`SnapshotPlugin`), and proposes one
small account to import and warm everything the proposals use; a household then costs its own
work only. Each household is one task that writes its own files (:func:`advisor.book.task.run_job`):
a killed worker loses only the tasks it was running, which the scheduler gives to another
worker; a task run twice finds the household done and returns its record.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.book import store
from advisor.book.sources import Job
from advisor.book.task import Settings, market_for, run_job
from advisor.errors import AdvisorError

OnRecord = Callable[[dict[str, Any]], None]
_WARM_UP = "Symbol,Quantity,Cost Basis\nAAPL,40,2000\nMSFT,20,3000\nRSP,30,5000\nCASH,,1000\n"


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def warm_up(snapshot: str | None, expected: str) -> None:
    """Load the snapshot and propose for a three-line account: every import, the snapshot's
    lazy tables and the solver are ready before the first household."""
    import advisor

    market = market_for(snapshot, expected)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warm_up.csv"
        path.write_text(_WARM_UP)
        with contextlib.suppress(AdvisorError):  # only a warm-up: a household says its own errors
            advisor.propose(advisor.read_holdings(path, market), market)


@dataclass
class RunInfo:
    """How the book ran: the engine, its workers and their memory (resident set, bytes)."""

    engine: str
    workers: int
    worker_rss: dict[str, int] = field(default_factory=dict)
    address: str | None = None


def run_jobs(jobs: Sequence[Job], settings: Settings, *, workers: int | None = None,
             scheduler: str | None = None, client: Any = None,
             on_record: OnRecord | None = None) -> tuple[list[dict[str, Any]], RunInfo]:  # fmt: skip
    """Run every job; the records in the order they completed, and how they ran."""
    on_record = on_record or (lambda record: None)
    if client is None and scheduler is None and workers == 0:
        return _in_process(jobs, settings, on_record)
    return _on_dask(jobs, settings, workers, scheduler, client, on_record)


def _in_process(jobs: Sequence[Job], settings: Settings,
                on_record: OnRecord) -> tuple[list[dict[str, Any]], RunInfo]:  # fmt: skip
    import resource

    records = []
    for job in jobs:
        record = run_job(job, settings)
        records.append(record)
        on_record(record)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return records, RunInfo("in-process", 0, {"this process (peak)": rss})


def _on_dask(jobs: Sequence[Job], settings: Settings, workers: int | None, scheduler: str | None,
             client: Any, on_record: OnRecord) -> tuple[list[dict[str, Any]], RunInfo]:  # fmt: skip
    from distributed import Client

    cluster = None
    own_client = client is None
    if client is None and scheduler is not None:
        client = Client(scheduler)
    elif client is None:
        cluster = local_cluster(workers or default_workers())
        client = Client(cluster)
    try:
        from advisor.book.plugin import SnapshotPlugin

        client.register_plugin(SnapshotPlugin(settings.snapshot, settings.stamp.snapshot))
        records = _submit_all(client, jobs, settings, on_record)
        info = RunInfo("dask", len(client.scheduler_info(n_workers=-1)["workers"]),
                       _worker_rss(client), client.scheduler.address)  # fmt: skip
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    return records, info


def local_cluster(workers: int) -> Any:
    """A LocalCluster of ``workers`` single-threaded processes on the loopback interface.

    Dask's statistical profiler is off: it keeps a profile of every second for the last 1,000
    (``distributed.admin.low-level-log-length``), which grew each worker by 2-3 MiB a household
    here (360 -> 820 MiB over 150 households); without it a worker stays near 330 MiB."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)  # fmt: skip


def _submit_all(client: Any, jobs: Sequence[Job], settings: Settings,
                on_record: OnRecord) -> list[dict[str, Any]]:  # fmt: skip
    """One task per household; records as they complete. A task that the scheduler gave up on
    (it killed several workers) is recorded as failed, to be tried again by the next run."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {}
    for job in jobs:
        future = client.submit(run_job, job, settings, key=f"book-{run}-{job.folder}", pure=False)
        futures[future.key] = (future, job)
    records = []
    for future in as_completed([f for f, _ in futures.values()]):
        job = futures.pop(future.key)[1]
        try:
            record = future.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost connection: the book goes on
            record = _engine_failure(job, settings, exc)
        future.release()
        records.append(record)
        on_record(record)
    return records


def _engine_failure(job: Job, settings: Settings, exc: Exception) -> dict[str, Any]:
    import json

    message = f"the cluster gave up on this household ({type(exc).__name__}: {exc})"
    record: dict[str, Any] = {"household": job.key, "source": job.origin or job.path, "kind": job.kind,
              "status": "failed", "error": message, "accounts": [], "input_hash": job.input_hash,
              "mandate_hash": "", "stamp": settings.stamp.key(), "files": {}, "figures": {},
              "by_ticker": [], "relaxation": None, "diagnostics": [], "warnings": [],
              "internal_error": True}  # fmt: skip
    folder = store.household_dir(settings.out, job.folder)
    store.atomic_write(folder / store.RECORD, json.dumps(record, indent=2) + "\n")
    return record


def _worker_rss(client: Any) -> dict[str, int]:
    """Each worker's resident memory now, bytes."""

    def rss() -> int:
        import psutil

        return int(psutil.Process().memory_info().rss)

    try:
        return {str(k): int(v) for k, v in client.run(rss).items()}
    except Exception:  # noqa: BLE001 - a figure for the report, not worth failing the book for
        return {}
