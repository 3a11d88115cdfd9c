"""The worker plugin of ``advisor book`` (its own module: only a Dask run imports distributed)."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from advisor.errors import AdvisorError


class SnapshotPlugin(WorkerPlugin):
    """Loads and warms the snapshot on every worker, present and future (a restarted one too)."""

    idempotent = True
    name = "advisor-book-snapshot"

    def __init__(self, snapshot: str | None, expected: str) -> None:
        self.snapshot, self.expected = snapshot, expected

    def setup(self, worker: Any) -> None:
        try:
            from advisor.book.engine import warm_up

            warm_up(self.snapshot, self.expected)
        except AdvisorError:
            pass  # a worker with another snapshot: each of its households records the error
