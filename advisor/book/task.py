"""One household of the book: read, propose, write its files, return its record.

:func:`run_job` is what a worker runs (in-process or on a Dask worker). It writes every file
itself, atomically, and its record last (:mod:`advisor.book.store`), so a worker killed in the
middle leaves either nothing or a finished household; run again (by the scheduler, or by a
rerun of the book), it finds a finished household and returns its record unchanged.

The market snapshot is loaded once per process (:func:`market_for`); a household costs its own
work only. A bad file, an impossible mandate or an unexpected error is the household's record
(``status`` ``failed`` with ``error``), never the end of the book.
"""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from advisor.book import store
from advisor.book.mandates import (
    MandateFile,
    Options,
    build_options,
    effective,
    household_layer,
)
from advisor.book.sources import Job
from advisor.errors import AdvisorError, DataError, InputError


@dataclass(frozen=True)
class Settings:
    """What every household of one book shares (sent with each job: it is small)."""

    out: str
    mandates: MandateFile
    stamp: store.Stamp
    snapshot: str | None = None  # a snapshot folder; None: the embedded one
    report: bool = False


_MARKETS: dict[str, Any] = {}


def market_for(snapshot: str | None, expected: str) -> Any:
    """The snapshot, loaded once per process, checked to be the one the book was planned with
    (a worker of a remote cluster may have another installed)."""
    from advisor.market.snapshot import load_market
    from advisor.market.store import PACKAGE_SNAPSHOT

    folder = str(snapshot or PACKAGE_SNAPSHOT)
    if folder not in _MARKETS:
        got = store.snapshot_id(folder)["id"]
        if got != expected:
            raise DataError(
                f"this worker's snapshot ({folder}, {got}) is not the book's ({expected})",
                "install the same advisor and snapshot on every worker, or pass --snapshot",
            )
        _MARKETS[folder] = load_market(folder)
    return _MARKETS[folder]


class Timer:
    """Wall-clock seconds per step of a household."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Any:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def run_job(job: Job, settings: Settings) -> dict[str, Any]:
    """Propose for one household and write its files; its record (see the module notes)."""
    start = time.perf_counter()
    folder = store.household_dir(settings.out, job.folder)
    done = store.read_record(settings.out, job.folder)
    if done is not None and store.is_done(done, job.input_hash, settings.mandates.fingerprint(
            job.key, done.get("accounts", [])), settings.stamp):  # fmt: skip
        return {**done, "reused": True}
    for stale in folder.glob(".*.tmp"):  # left by a worker killed while writing
        stale.unlink(missing_ok=True)
    timer = Timer()
    try:
        record = _propose_and_write(job, settings, folder, timer)
    except AdvisorError as exc:
        record = _failed(job, settings, _where(exc, job), internal=isinstance(exc, DataError))
    except Exception as exc:  # noqa: BLE001 - one household's bug must not stop the book
        record = _failed(job, settings, f"unexpected {type(exc).__name__}: {exc}", internal=True)
    timer.seconds["total"] = time.perf_counter() - start
    record.update(_wall_clock(timer))
    with timer.step("write"):
        store.atomic_write(folder / store.RECORD, json.dumps(record, indent=2) + "\n")
    return record


def _wall_clock(timer: Timer) -> dict[str, Any]:
    return {
        "timings": {k: round(v, 6) for k, v in timer.seconds.items()},
        "worker": {"host": socket.gethostname(), "pid": os.getpid()},
        "completed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _propose_and_write(job: Job, settings: Settings, folder: Path, timer: Timer) -> dict[str, Any]:
    import advisor
    from advisor.report.json import dumps
    from advisor.report.proposal import trades_csv

    market = market_for(settings.snapshot, settings.stamp.snapshot)
    with timer.step("read"):
        first = effective(settings.mandates, job.key, [])
        household, holdings = _read(job, market, first)
    ids = [str(a) for a in holdings.accounts["id"] if str(a)]
    own = household_layer(household.mandate, household.tax_rates, job.origin) if household else {}
    with timer.step("mandate"):
        options = effective(settings.mandates, job.key, ids, own)
    with timer.step("propose"):
        proposal = advisor.propose(holdings, market, options.mandate, **options.propose_kwargs())
    d = proposal.to_dict()
    with timer.step("write"):
        store.atomic_write(folder / store.PROPOSAL, dumps(d) + "\n")
        if proposal.feasible:
            store.atomic_write(folder / store.TRADES, trades_csv(proposal))
        else:
            store.remove(folder / store.TRADES)
    files = {"proposal": store.PROPOSAL, "trades": store.TRADES if proposal.feasible else None}
    if settings.report and proposal.feasible:
        with timer.step("report"):
            files["report"] = _document(proposal, holdings, market, household, options, folder)
    record = _record(job, settings, ids, str(proposal.status), None)
    record.update(files=files, figures=figures(d), by_ticker=by_ticker(d),
                  relaxation=relaxation(d), diagnostics=list(d["diagnostics"]),
                  warnings=list(d["before"].get("warnings", [])),
                  options=_options_dict(options))  # fmt: skip
    return record


def _read(job: Job, market: Any, options: Options) -> tuple[Any, Any]:
    """(household or None, holdings) of the job."""
    import advisor

    kw = {"mapping": options.mapping, "unknown": options.unknown}
    if job.kind == "household":
        household = advisor.read_household(job.path, market, **kw)  # type: ignore[arg-type]
        return household, household.holdings
    return None, advisor.read_holdings(job.path, market, **kw)  # type: ignore[arg-type]


def _document(proposal: Any, holdings: Any, market: Any, household: Any, options: Options,
              folder: Path) -> str:  # fmt: skip
    """The client document, as ``advisor propose --report`` writes it (same function)."""
    from advisor.report.document import document_settings, write_report

    tmp = folder / f".{store.REPORT}.{os.getpid()}.tmp"
    opts = options.propose_kwargs()
    settings = document_settings(tmp, household, proposal, opts)
    try:
        write_report(proposal, holdings, market, settings)
        os.replace(tmp, folder / store.REPORT)
    finally:
        tmp.unlink(missing_ok=True)
    return store.REPORT


def _options_dict(options: Options) -> dict[str, Any]:
    return {"mandate": options.mandate.to_dict(), "benchmark": options.benchmark,
            "megacaps": list(options.megacaps), "total_value": options.total_value,
            "unknown": options.unknown, "map": options.mapping}  # fmt: skip


def _flat(options: dict[str, Any]) -> dict[str, Any]:
    """The options as one mapping: the mandate's fields beside the holdings options."""
    return {**options["mandate"], **{k: v for k, v in options.items() if k != "mandate"}}


def _record(job: Job, settings: Settings, ids: list[str], status: str,
            error: str | None) -> dict[str, Any]:  # fmt: skip
    return {
        "household": job.key,
        "source": job.origin or job.path,
        "kind": job.kind,
        "status": status,
        "error": error,
        "accounts": ids,
        "input_hash": job.input_hash,
        "mandate_hash": settings.mandates.fingerprint(job.key, ids),
        "stamp": settings.stamp.key(),
        "snapshot": {"id": settings.stamp.snapshot},
        "advisor_version": settings.stamp.version,
    }


def _failed(job: Job, settings: Settings, message: str, *, internal: bool) -> dict[str, Any]:
    folder = store.household_dir(settings.out, job.folder)
    for name in (store.PROPOSAL, store.TRADES, store.REPORT):
        store.remove(folder / name)
    record = _record(job, settings, [], "failed", message)
    record.update(files={}, figures={}, by_ticker=[], relaxation=None, diagnostics=[],
                  warnings=[], internal_error=internal)  # fmt: skip
    return record


def _where(exc: AdvisorError, job: Job) -> str:
    """The error's message, naming the file as the user named it; for a split part, the
    export and its line (the part's line mapped back)."""
    text = exc.message if exc.hint is None else f"{exc.message} ({exc.hint})"
    if not job.lines:
        return text.replace(job.path, job.origin) if job.origin else text
    line = exc.line if isinstance(exc, InputError) else None
    if line is not None and 0 < line <= len(job.lines):
        text = text.replace(f"{job.path}, line {line}:",
                            f"{job.origin}, line {job.lines[line - 1]} ({job.key}):")  # fmt: skip
    return text.replace(job.path, f"{job.origin} ({job.key})")


def check_job(job: Job, settings: Settings) -> dict[str, Any]:
    """The dry run of one household: read it and build its mandate; what would run, or why
    not (``key``, ``source``, ``kind``, ``accounts``, ``mandate``: the options that differ from
    the book's default, ``error``)."""
    out: dict[str, Any] = {"key": job.key, "source": job.origin or job.path, "kind": job.kind,
                           "accounts": 0, "ids": (), "mandate": {}, "error": None}  # fmt: skip
    try:
        market = market_for(settings.snapshot, settings.stamp.snapshot)
        household, holdings = _read(job, market, effective(settings.mandates, job.key, []))
        ids = [str(a) for a in holdings.accounts["id"] if str(a)]
        own = household_layer(household.mandate, household.tax_rates, job.origin) if (
            household) else {}  # fmt: skip
        options = effective(settings.mandates, job.key, ids, own)
    except AdvisorError as exc:
        out["error"] = _where(exc, job)
        return out
    base = _flat(_options_dict(build_options([settings.mandates.default])))
    out["accounts"], out["ids"] = max(1, len(ids)), tuple(ids)
    out["mandate"] = {k: v for k, v in _flat(_options_dict(options)).items() if v != base.get(k)}
    return out


# -- the figures of the summary -------------------------------------------------------------------


def figures(d: dict[str, Any]) -> dict[str, Any]:
    """A proposal's summary figures (fractions and money, as in its JSON).

    ``megacap_*``: look-through megacap share of the whole household; ``te_*``: tracking error
    of the decided part against its benchmark (what ``max-te`` caps), annualised."""
    scope = d.get("scope") or {}
    after = d.get("after")
    part = lambda side: (scope.get(side) or {}).get("risk", {}).get("tracking_error")  # noqa: E731
    tax = d.get("tax") or {}
    return {
        "value": d["before"]["total_value"],
        "megacap_before": d["before"]["concentration"]["megacap_weight"],
        "megacap_after": after["concentration"]["megacap_weight"] if after else None,
        "te_before": part("before") if scope else d["before"]["risk"]["tracking_error"],
        "te_after": part("after") if scope else None,
        "turnover": d["turnover"],
        "traded": round(sum(t["amount"] for t in d["trades"]), 2),
        "trades": len(d["trades"]),
        "realized_gain": d["realized_gain"],
        "estimated_tax": tax.get("estimated_tax"),
        "estimated_cost": d["estimated_cost"],
    }


def by_ticker(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The household's trades summed by ticker: bought, sold, realised gain, estimated tax."""
    out: dict[str, dict[str, Any]] = {}
    for t in d["trades"]:
        row = out.setdefault(t["ticker"], {"ticker": t["ticker"], "bought": 0.0, "sold": 0.0,
                                           "realized_gain": 0.0, "estimated_tax": 0.0})  # fmt: skip
        row["bought" if t["side"] == "buy" else "sold"] += t["amount"]
        row["realized_gain"] += t.get("realized_gain") or 0.0
        row["estimated_tax"] += t.get("est_tax") or 0.0
    return [{k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()}
            for r in out.values()]  # fmt: skip


def relaxation(d: dict[str, Any]) -> str | None:
    """For an infeasible proposal, the smallest relaxation that works (else why it failed)."""
    if d["status"] != "infeasible":
        return None
    rel = d.get("relaxations") or []
    useful = [r for r in rel if r.get("smallest_feasible") is not None] or rel
    if useful:
        return str(useful[0]["message"])
    return "; ".join(d.get("diagnostics") or ["the limits cannot all hold"])


__all__ = ["Settings", "by_ticker", "check_job", "figures", "market_for", "relaxation", "run_job"]
