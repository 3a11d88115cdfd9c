"""``advisor analyze``, ``propose``, ``frontier``, ``what-if``, ``replays`` and ``hedge``: parse,
call the library, render, set the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from advisor.cli.common import (
    PERCENT,
    build_mandate,
    echo_warnings,
    emit,
    exit_if_infeasible,
    handle_errors,
    holdings_options,
    load_inputs,
    mandate_options,
    options,
    output_options,
    pairs_option,
)
from advisor.cli.main import main

# -- analyze, propose, frontier -----------------------------------------------------------------


@main.command()
@holdings_options
@output_options()
@handle_errors
def analyze(fmt: str, output: Path | None, **o: Any) -> None:
    """Megacap exposure, concentration and tracking error of the holdings in FILE.

    FILE is a CSV or XLSX export with a ticker column and shares, market value or weight, or a
    household: a YAML file listing its accounts, or a folder of exports.

    Example: advisor analyze portfolios/growth_client.csv
    """
    import advisor
    from advisor.report import analysis as report

    market, holdings, opts = load_inputs(o)
    result = advisor.analyze(holdings, market, **opts)
    echo_warnings(result.warnings)
    emit(result, fmt, output, report, width=120)


@main.command()
@holdings_options
@mandate_options
@output_options(("table", "json"), "Write the trade list for the custodian to this CSV file.")
@click.option("--report", "document", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the client proposal document (as `advisor report`): HTML, or a "
              "PDF when PATH ends in .pdf.")  # fmt: skip
@handle_errors
def propose(fmt: str, output: Path | None, document: Path | None, **o: Any) -> None:
    """Propose trades that move FILE toward the sleeves within the mandate's limits.

    Exit code 3 when the limits cannot all hold (the report says which to relax).

    Example: advisor propose portfolios/growth_client.csv --megacap-target 45% --max-te 4%
    """
    import advisor
    from advisor.report import proposal as report
    from advisor.report.pdf import pdf_helper

    pdf = document is not None and document.suffix.lower() == ".pdf"
    with pdf_helper(pdf) as worker:  # as `advisor report`
        market, holdings, opts = load_inputs(o)
        household = o.get("household")
        mandate = build_mandate(o)
        result = advisor.propose(holdings, market, mandate, **opts)
        echo_warnings(result.before.warnings)
        emit(result, fmt, None, report)
        if output is not None and result.feasible:
            output.write_text(report.trades_csv(result))
            click.echo(f"Wrote {len(result.trades)} trades to {output}", err=True)
        if document is not None and result.feasible:
            from advisor.report.document import document_settings, write_report

            settings = document_settings(document, household, result, opts)
            for path in write_report(result, holdings, market, settings, pdf_worker=worker):
                click.echo(f"Wrote {path}", err=True)
    exit_if_infeasible(result)


@main.command()
@holdings_options
@mandate_options
@click.option("--points", type=click.IntRange(2, 60), default=12, show_default=True,
              help="Number of points on the curve.")  # fmt: skip
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the curve as a PNG chart.")  # fmt: skip
@output_options()
@handle_errors
def frontier(points: int, chart: Path | None, fmt: str, output: Path | None, **o: Any) -> None:
    """The trade-off: least tracking error at each megacap weight, for FILE.

    The mandate's other limits (turnover, holds, sleeves, floors) apply; its TE and megacap caps
    are what the curve varies.

    Example: advisor frontier portfolios/growth_client.csv --chart frontier.png
    """
    import advisor
    from advisor.report import frontier as report

    market, holdings, opts = load_inputs(o)
    mandate = build_mandate(o)
    result = advisor.frontier(holdings, market, mandate, points=points, **opts)
    echo_warnings(result.setup.before.warnings)
    emit(result, fmt, output, report)
    if chart is not None:
        report.chart(result, chart)
        click.echo(f"Wrote {chart}", err=True)


# -- what-if, replays, hedge --------------------------------------------------------------------

scenario_options = options(
    (("--shock", "shocks"), {"multiple": True, "metavar": "GROUP=MOVE", "help":
     "A stated move, e.g. megacaps=-30% or small-cap=+10% (repeat to move several groups at "
     "once). Groups: a ticker, megacaps, a sector, a sleeve, or a factor (market, size, value, "
     "momentum, factor:NAME)."}),
    ("--no-propagate", {"is_flag": True, "help": "Apply only the stated moves; by default the "
     "rest of the market moves by what the risk model expects given them."}),
    (("--replay", "replays"), {"multiple": True, "metavar": "NAME|FROM:TO", "help":
     "Replay a historical episode (see `advisor replays`) or a window, e.g. "
     "2020-02-19:2020-03-23 (repeatable)."}),
    (("--scenarios", "scenario_file"), {"type": click.Path(dir_okay=False, path_type=Path),
     "help": "A YAML or CSV file of named scenarios to run in one go."}),
    (("--propose", "with_proposal"), {"is_flag": True, "help": "Also run the `advisor propose` "
     "rebalance (same mandate options) and test it."}),
)  # fmt: skip


def _scenarios(o: dict[str, Any]) -> list[Any] | None:
    """The scenarios of the options (None: the command's default set)."""
    from advisor.scenarios.whatif import build_scenarios

    shocks, replays, file = o.pop("shocks"), o.pop("replays"), o.pop("scenario_file")
    chosen = build_scenarios(shocks, replays, file, propagate=not o.pop("no_propagate"))
    return chosen or None


@main.command("what-if")
@holdings_options
@scenario_options
@mandate_options
@output_options()
@handle_errors
def what_if_command(fmt: str, output: Path | None, **o: Any) -> None:
    """What happens to FILE (and to the proposed rebalance) if a scenario plays out.

    Shocks move groups by stated amounts and, unless --no-propagate, the rest of the market by
    what the risk model expects; replays apply a historical episode's factor moves to today's
    holdings. Without a scenario option, runs a megacap sell-off, a small-cap rally and every
    named replay.

    Example: advisor what-if portfolios/growth_client.csv --shock megacaps=-30% --replay covid
    """
    import advisor
    from advisor.report import whatif as report

    scenarios = _scenarios(o)
    with_proposal = o.pop("with_proposal")
    market, holdings, opts = load_inputs(o)
    mandate = build_mandate(o)
    result = advisor.what_if(holdings, market, scenarios,
                             mandate=mandate if with_proposal else None, **opts)  # fmt: skip
    echo_warnings(result.before.warnings)
    emit(result, fmt, output, report)
    exit_if_infeasible(result.proposal)


@main.command()
@output_options(("table", "json"))
@handle_errors
def replays(fmt: str, output: Path | None) -> None:
    """List the historical replays `advisor what-if --replay` knows, and the data's span.

    Example: advisor replays
    """
    import advisor
    from advisor.report import replays as report

    emit(advisor.replays(), fmt, output, report)


hedge_options = options(
    (("--with", "instruments"), {"multiple": True, "metavar": "INSTRUMENT", "help":
     "A hedge to size: an ETF or stock to short (SPY, QQQ, XLK), a future (ES, MES, NQ, MNQ), "
     "put:TICKER[@90%] or collar:TICKER[@90%/110%] (repeatable; default: SPY, QQQ, put:SPY, "
     "collar:SPY)."}),
    ("--target", {"type": click.Choice(["portfolio", "megacaps"]), "default": "portfolio",
     "show_default": True,
     "help": "What to hedge: the whole portfolio or its look-through megacap exposure."}),
    (("--method", "methods"), {"multiple": True,
     "type": click.Choice(["beta", "min-variance", "min-tracking-error"]),
     "help": "Overlay ratios to show (default: all three)."}),
    ("--expiry", {"default": "3m", "show_default": True, "metavar": "PERIOD",
     "help": "Option expiry: 3m, 6m, 1y, 45d."}),
    ("--put-strike", {"type": PERCENT, "default": "90%", "show_default": True,
     "help": "Put strike, % of spot."}),
    ("--call-strike", {"type": PERCENT, "default": "110%", "show_default": True,
     "help": "Collar call strike, % of spot."}),
    ("--vol", {"type": PERCENT, "help": "Implied volatility for option prices (default: the "
     "risk model's forecast for the underlying)."}),
    ("--rate", {"type": PERCENT, "help": "Risk-free rate, continuously compounded (default: "
     "the 13-week T-bill at the snapshot date)."}),
    ("--dividend-yield", {"type": PERCENT, "help": "Dividend yield of the option's underlying "
     "(default: its trailing yield in the snapshot)."}),
    (("--price", "future_prices"), {"multiple": True, "metavar": "FUTURE=LEVEL", "help":
     "Quoted futures price, e.g. ES=6420 (default: estimated from the index ETF)."}),
)  # fmt: skip


@main.command()
@holdings_options
@hedge_options
@scenario_options
@mandate_options
@output_options()
@handle_errors
def hedge(fmt: str, output: Path | None, **o: Any) -> None:
    """Hedging alternatives for FILE: index overlays, futures, puts and collars, side by side
    with the rebalance (--propose), under the scenarios.

    Without a scenario option, tests a megacap sell-off and the COVID and 2022 replays.

    Example: advisor hedge portfolios/growth_client.csv --with QQQ --with put:SPY --propose
    """
    import advisor
    from advisor.report import hedge as report

    keys = ("expiry", "vol", "rate", "dividend_yield", "put_strike", "call_strike")
    terms = advisor.OptionTerms.of(**{k: o.pop(k) for k in keys})
    prices = dict(pairs_option(o.pop("future_prices"), "--price"))
    scenarios = _scenarios(o)
    with_proposal = o.pop("with_proposal")
    instruments, target, methods = o.pop("instruments"), o.pop("target"), o.pop("methods")
    market, holdings, opts = load_inputs(o)
    mandate = build_mandate(o)
    result = advisor.hedge(
        holdings, market, instruments or None, scenarios=scenarios,
        mandate=mandate if with_proposal else None, target=target,
        methods=methods or advisor.hedging.METHODS, terms=terms, cost_bps=mandate.cost_bps,
        prices=prices, **opts,
    )  # fmt: skip
    echo_warnings(result.before.warnings)
    emit(result, fmt, output, report)
    exit_if_infeasible(result.proposal)
