"""The ``advisor`` command group and its global options."""

from __future__ import annotations

import click

from advisor.cli.common import handle_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="advisor")
@click.option("--snapshot", metavar="PATH", help="Use this snapshot folder (or 'package' for "
              "the embedded one) instead of the selected one (see `advisor data info`).")  # fmt: skip
@handle_errors
def main(snapshot: str | None) -> None:
    """advisor: megacap concentration, look-through and tracking error of client portfolios.

    Works offline on an embedded market snapshot (prices of 2026-07-14), or on one refreshed
    with `advisor data reprice`.
    """
    from advisor.market import store

    store.use(snapshot)
