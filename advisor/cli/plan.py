"""``advisor plan``: a multi-year transition under a yearly tax budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from advisor.cli.common import (
    MONEY_OR_ZERO,
    build_mandate,
    echo_warnings,
    emit,
    handle_errors,
    holdings_options,
    load_inputs,
    mandate_options,
    output_options,
)
from advisor.cli.main import main


@main.command()
@holdings_options
@mandate_options
@click.option("--years", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Years of the transition.")  # fmt: skip
@click.option("--max-tax-per-year", type=MONEY_OR_ZERO, required=True,
              help="Estimated tax each year may cost (account currency).")  # fmt: skip
@output_options(("table", "json", "csv"))
@handle_errors
def plan(years: int, max_tax_per_year: float, fmt: str, output: Path | None, **o: Any) -> None:
    """A year-by-year path from FILE to the target under a yearly tax budget.

    Each year's trades (lots ageing into long-term between years), megacap weight, tracking
    error, gains and tax, compared with doing it all now. Prices stay at the snapshot's.

    Example: advisor plan portfolios/growth_client.csv --years 3 --max-tax-per-year 20000
    """
    from advisor.optimize.plan import plan as make_plan
    from advisor.report import plan as report

    market, holdings, opts = load_inputs(o)
    mandate = build_mandate(o)
    result = make_plan(holdings, market, mandate, years=years,
                       max_tax_per_year=max_tax_per_year, **opts)  # fmt: skip
    echo_warnings(list(result.all_now.before.warnings))
    emit(result, fmt, output, report)
