"""``advisor backtest``: the tracking-error budget of ``propose`` tested out of sample, on the
raw market data (parse, call the library, render, exit code)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from advisor.cli.common import (
    Parsed,
    build_mandate,
    echo_warnings,
    emit,
    handle_errors,
    holdings_options,
    load_inputs,
    mandate_options,
    options,
    output_options,
)
from advisor.cli.main import main


def parse_date(text: str) -> str:
    """``2019-06-30`` as given, or a ValueError saying what a date looks like."""
    import pandas as pd

    try:
        return str(pd.Timestamp(str(text).strip()).date())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD (2019-06-30)") from exc


DATE = Parsed("date", parse_date)

backtest_options = options(
    (("--from", "start"), {"type": DATE, "default": "2019-06-30", "show_default": True, "metavar": "DATE",
     "help": "First date (a period end on or after it)."}),
    (("--to", "end"), {"type": DATE, "metavar": "DATE", "help": "Last date (default: the last with 12 months "
     "of prices after it)."}),
    ("--every", {"type": click.Choice(["month", "quarter", "year"]), "default": "quarter",
     "show_default": True, "help": "Propose at every month-, quarter- or year-end."}),
    ("--source", {"type": click.Path(file_okay=False, path_type=Path), "help": "The raw market "
     "data folder (default: ../shared/data from the current folder, else from the project)."}),
    ("--chart", {"type": click.Path(dir_okay=False, path_type=Path),
     "help": "Write predicted against realised tracking error, and their ratio, as a PNG."}),
)  # fmt: skip


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int, str], None] | None]:
    """A progress bar on a terminal's standard error; nothing when it is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def step(done: int, total: int, date: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label} ({date})")

        yield step


@main.command("backtest")
@holdings_options
@mandate_options
@backtest_options
@output_options()
@handle_errors
def backtest_command(fmt: str, output: Path | None, **o: Any) -> None:
    """Back-test the proposal for FILE: at each date, the market of that date (data up to it
    only), today's weights by value and the proposal built then, both held 12 months; predicted
    against realised tracking error, returns and megacap weights.

    Needs the raw market data (../shared/data, or --source). The S&P 500's realised returns are
    SPY's.

    Example: advisor backtest portfolios/growth_client.csv --from 2024-06-30 --every year
    """
    from advisor.data import history
    from advisor.report import backtest as report
    from advisor.scenarios.backtest import backtest, calendar, schedule

    start, end, every, chart = o.pop("start"), o.pop("end"), o.pop("every"), o.pop("chart")
    raw = history.raw_data(o.pop("source"))
    mandate = build_mandate(o)
    market, holdings, opts = load_inputs(o)
    echo_warnings(list(holdings.warnings))
    dates = schedule(start, end, every, calendar(raw.daily()))
    with _progress("Back-testing") as step:
        result = backtest(holdings, mandate, dates, raw, progress=step, **opts)
    emit(result, fmt, output, report)
    if chart is not None:
        report.chart(result, chart)
        click.echo(f"Wrote {chart}", err=True)
