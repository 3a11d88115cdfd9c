"""``advisor book``: propose for every household of a book, resumable, on Dask."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from advisor.cli.common import EXIT_ERROR, EXIT_INFEASIBLE, handle_errors
from advisor.cli.main import main


@main.command("book")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--mandate", "mandate", type=click.Path(dir_okay=False, path_type=Path),
              help="The book's mandate file (YAML): default: options, and overrides under "
              "households: (by file name) and accounts: (by account id).")  # fmt: skip
@click.option("--output", "-o", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder for every household's files and the summary.")  # fmt: skip
@click.option("--split-by", type=click.Choice(["account", "household"]),
              help="Read each export as many households: one per account, or one per value of "
              "its Household (or Client) column.")  # fmt: skip
@click.option(
    "--report",
    "report",
    is_flag=True,
    help="Also write each household's client document (as `advisor report`).",
)
@click.option("--workers", type=click.IntRange(min=0), metavar="N",
              help="Worker processes of a local Dask cluster (default: one per core); 0 runs "
              "in this process, without Dask.")  # fmt: skip
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786.",
)
@click.option("--dry-run", is_flag=True,
              help="Read every file and build every mandate; print what would run. Nothing "
              "is proposed or written.")  # fmt: skip
@click.option("--force", is_flag=True, help="Run every household, even those done already.")
@click.option("--strict", is_flag=True, help="Exit 1 when a household failed, 3 when a mandate "
              "cannot be met (by default the book exits 0 and its summary lists them).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="The summary as terminal tables or as JSON (fractions).")  # fmt: skip
@handle_errors
def book_command(paths: tuple[Path, ...], mandate: Path | None, out: Path, split_by: str | None,
                 report: bool, workers: int | None, scheduler: str | None, dry_run: bool,
                 force: bool, strict: bool, fmt: str) -> None:  # fmt: skip
    """Propose for every household of a book: folders of exports, household files, or one
    export split by account or household.

    Writes OUT/households/<name>/ (proposal.json, trades.csv, report.html with --report) as
    each household completes, and OUT/summary.{html,csv,json} and OUT/trades_by_ticker.csv at
    the end. A rerun skips the households whose files, mandate and snapshot are unchanged. A
    household that fails or cannot meet its mandate is listed in the summary and the book goes
    on (exit 0; with --strict, 1 and 3).

    Example: advisor book portfolios/book/ --mandate portfolios/book/mandate.yaml --output out/
    """
    from rich.console import Console

    from advisor import book
    from advisor.book.render import render, render_checks

    if scheduler is not None and workers is not None:
        raise click.UsageError("give --workers (a local cluster) or --scheduler, not both")
    options: dict[str, Any] = {"mandate": mandate, "split_by": split_by, "report": report}
    if dry_run:
        plan, checks, unmatched = book.check(paths, out, **options)
        default = {k: g.value for k, g in plan.settings.mandates.default.items()}
        render_checks(checks, book.as_of(plan.settings), default, Console())
        for key in unmatched:
            click.secho(f"Error: {mandate}: the override {key} names no household or account "
                        "of the book", fg="red", err=True)  # fmt: skip
        sys.exit(EXIT_ERROR if unmatched or any(c.error for c in checks) else 0)
    plan = book.plan(paths, out, **options)
    if force:
        plan.todo, plan.done = list(plan.jobs), []
    result = _run(plan, workers, scheduler)
    if fmt == "json":
        from advisor.report.json import dumps

        click.echo(dumps(result.summary))
    else:
        render(result.summary, Console())
    for path in result.files:
        click.echo(f"Wrote {path}", err=True)
    b = result.summary["book"]
    if strict and b["failed"]:
        sys.exit(EXIT_ERROR)
    if strict and b["infeasible"]:
        sys.exit(EXIT_INFEASIBLE)


def _run(plan: Any, workers: int | None, scheduler: str | None) -> Any:
    """Run with a progress bar on a terminal (quiet when standard error is not one)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from advisor import book

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task("households", total=len(plan.todo), rate="")

        def advance(record: dict[str, Any]) -> None:
            progress.advance(task)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:.1f} households/s" if speed else "")

        if plan.todo and console.is_terminal:
            where = scheduler or ("this process" if workers == 0 else "a local Dask cluster")
            progress.console.print(f"{len(plan.todo)} household(s) to run on {where}; "
                                   f"{len(plan.done)} unchanged since an earlier run")  # fmt: skip
        return book.run(plan, workers=workers, scheduler=scheduler, on_record=advance)
