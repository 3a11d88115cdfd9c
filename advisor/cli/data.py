"""``advisor data``: build the snapshot, reprice it, go back to the embedded one, show it."""

from __future__ import annotations

from pathlib import Path

import click

from advisor.cli.common import echo_warnings, emit, handle_errors, output_options
from advisor.cli.main import main
from advisor.errors import AdvisorError


@main.group()
def data() -> None:
    """The embedded market snapshot: build it, or show what it holds."""


@data.command()
@click.option("--source", type=click.Path(file_okay=False, path_type=Path),
              default=Path("../shared/data"), show_default=True,
              help="The raw market data folder.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the snapshot (default: the package's own snapshot folder).")  # fmt: skip
@handle_errors
def build(source: Path, out: Path | None) -> None:
    """Rebuild the snapshot from the raw data in SOURCE (needs the [build] extra).

    Example: advisor data build --source ../shared/data
    """
    try:
        from advisor.data import build as builder
    except ImportError as exc:  # PyPortfolioOpt missing
        raise AdvisorError(
            f"the build needs extra packages: {exc}", "pip install -e '.[build]'"
        ) from exc
    manifest = builder.build(source, out or builder.SNAPSHOT_DIR)
    counts = manifest["counts"]
    click.echo(
        f"Built snapshot {manifest['snapshot_date']}: {counts['securities']} securities, "
        f"{counts['benchmark_members']} benchmark members, "
        f"{counts['funds_with_lookthrough']} funds with look-through "
        f"-> {out or builder.SNAPSHOT_DIR}"
    )


@data.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--date", metavar="YYYY-MM-DD", help="The prices' date for a positions file "
              "(default: today); a closes file carries its own dates.")  # fmt: skip
@handle_errors
def reprice(file: Path, date: str | None) -> None:
    """Fresh last prices from FILE (ticker,date,close CSV, or a positions export with a Price
    column) into a user snapshot that every command uses from then on (the risk model is kept).

    Example: advisor data reprice portfolios/closes_2026-07-14.csv
    """
    import advisor
    from advisor.data import reprice as rp

    market = advisor.load_market()
    closes = rp.read_closes(file, market, date)
    folder = rp.reprice(market, closes)
    new = advisor.load_market(folder)
    echo_warnings(new.manifest["repriced"]["notes"])
    click.echo(
        f"Repriced {len(closes.prices):,} securities to {new.as_of.date()} (from the snapshot "
        f"of {market.as_of.date()}; risk model kept) -> {folder}\nEvery command now uses it; "
        "`advisor data reset` goes back to the embedded snapshot."
    )


@data.command()
@handle_errors
def reset() -> None:
    """Go back to the embedded snapshot (a repriced one stays on disk).

    Example: advisor data reset
    """
    from advisor.market import store

    was = store.reset()
    click.echo("Using the embedded snapshot" + (f" again (was {was})." if was else "."))


@data.command()
@output_options(("table", "json"))
@handle_errors
def info(fmt: str, output: Path | None) -> None:
    """As-of dates, counts, sources and licence notes of the embedded snapshot.

    Example: advisor data info
    """
    import advisor
    from advisor.market import store
    from advisor.report import data as report

    market = advisor.load_market()
    where = {"snapshot_folder": str(market.folder), "snapshot_kind": store.describe(market.folder)}
    emit({**market.manifest, **where}, fmt, output, report)
