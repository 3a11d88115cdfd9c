"""``advisor report``: the client proposal document (HTML, and a PDF with the ``pdf`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from advisor.cli.common import (
    build_mandate,
    echo_warnings,
    exit_if_infeasible,
    handle_errors,
    holdings_options,
    load_inputs,
    mandate_options,
    options,
)
from advisor.cli.main import main
from advisor.report.document import client_name, today_pages, write_report
from advisor.report.pdf import pdf_helper

report_options = options(
    (("--output", "-o"), {"type": click.Path(dir_okay=False, path_type=Path),
     "help": "Write the document as one self-contained HTML file."}),
    ("--pdf", {"type": click.Path(dir_okay=False, path_type=Path),
     "help": "Write the document as a PDF (needs the pdf extra: pip install 'advisor[pdf]')."}),
    ("--client", {"metavar": "NAME", "help": "The client's name (default: the household "
     "file's, else the holdings file's name)."}),
    (("--advisor", "advisor_name"), {"metavar": "NAME", "help": "The adviser's name on the "
     "cover."}),
    ("--paper", {"type": click.Choice(["a4", "letter"]), "default": "a4", "show_default": True,
     "help": "Paper size for printing and the PDF."}),
    ("--hedges", {"is_flag": True, "help": "Add the hedging alternatives (as `advisor hedge`: "
     "SPY, QQQ, put:SPY, collar:SPY) under the same scenarios."}),
    ("--points", {"type": click.IntRange(2, 60), "default": 8, "show_default": True,
     "help": "Points on the frontier chart."}),
)  # fmt: skip


@main.command()
@holdings_options
@mandate_options
@report_options
@handle_errors
def report(output: Path | None, pdf: Path | None, client: str | None, advisor_name: str | None,
           paper: str, hedges: bool, points: int, **o: Any) -> None:  # fmt: skip
    """A client-ready proposal document for FILE: the portfolio today, the trades, before and
    after, the trade-off, scenarios in money, methodology and disclosures.

    One self-contained HTML file (--output; no script, no network) and/or a PDF (--pdf).

    Example: advisor report portfolios/household.yaml --output proposal.html --advisor "A. Adviser"
    """
    import datetime as dt

    import advisor as lib

    if output is None and pdf is None:
        raise click.UsageError("give --output PATH (HTML) and/or --pdf PATH")
    # with a PDF, WeasyPrint gets ready in a helper process, on another core, meanwhile; it
    # lays out the pages on the portfolio today while the proposal is computed
    with pdf_helper(pdf is not None) as worker:
        market, holdings, opts = load_inputs(o)
        household = o.get("household")
        mandate = build_mandate(o)
        settings = dict(opts, output=output, pdf=pdf, client=client, advisor=advisor_name,
                        paper=paper, hedges=hedges, points=points, date=dt.date.today())  # fmt: skip
        early = today_pages(worker, settings, household) if worker is not None else None
        proposal = lib.propose(holdings, market, mandate, **opts, on_analysis=early)
        echo_warnings(list(proposal.before.warnings))
        if not proposal.feasible:
            for line in proposal.diagnostics:
                click.echo(f"  {line}", err=True)
            exit_if_infeasible(proposal)
        settings["client"] = client_name(client, household, proposal.before)
        for path in write_report(proposal, holdings, market, settings, pdf_worker=worker):
            click.echo(f"Wrote {path}", err=True)
