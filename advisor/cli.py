"""The ``advisor`` command line: parse, call the library, render, exit code.

Exit codes: 0 success; 1 an :class:`~advisor.errors.AdvisorError` (bad input, missing data);
2 usage error (click); 3 infeasible mandate (``propose``, and ``what-if``/``hedge`` with
``--propose``; the report is printed first).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from advisor.errors import AdvisorError

EXIT_ERROR = 1
EXIT_INFEASIBLE = 3


class Percent(click.ParamType):
    """``2%``, ``2.5 %`` or ``0.025`` -> 0.025 (a fraction)."""

    name = "percent"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        m = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)\s*(%?)", text)
        if not m:
            self.fail(f"{value!r} is not a percentage such as 2% or 0.02", param, ctx)
        number = float(m.group(1))
        return number / 100.0 if m.group(2) else number


class Money(click.ParamType):
    """``$1,250,000`` or ``1.25e6`` -> 1250000.0."""

    name = "amount"

    def __init__(self, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        text = str(value).replace(",", "").replace("$", "").strip()
        try:
            amount = float(text)
        except ValueError:
            self.fail(f"{value!r} is not an amount such as 1,250,000", param, ctx)
        if amount < 0 or (amount == 0 and not self.allow_zero):
            self.fail(f"{value!r} must be positive", param, ctx)
        return amount


def stack(decorators: list[Callable[..., Any]], fn: Callable[..., Any]) -> Callable[..., Any]:
    """Apply click decorators in the order they are listed (first = outermost)."""
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def mapping_option(values: tuple[str, ...]) -> dict[str, str]:
    """``--map OLD=NEW`` pairs as a dict."""
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: use OLD=NEW, e.g. --map FB=META", param_hint="--map")
        old, new = v.split("=", 1)
        out[old.strip()] = new.strip()
    return out


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an AdvisorError into a clear message on stderr and exit code 1 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AdvisorError as exc:
            click.secho(f"Error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"  {exc.hint}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format table|json|csv`` and ``--output PATH``."""
    fn = click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the report to this file instead of the terminal.",
    )(fn)
    fn = click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="table for people; json (fractions) and csv for tools.",
    )(fn)
    return fn


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text)
        click.echo(f"Wrote {output}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="advisor")
def main() -> None:
    """advisor: megacap concentration, look-through and tracking error of client portfolios.

    Works offline on an embedded market snapshot (prices of 2026-07-14).
    """


def holdings_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """FILE plus the options that say how to read it and what to measure against."""
    decorators = [
        click.argument("file", type=click.Path(path_type=Path)),
        click.option(
            "--benchmark",
            metavar="TICKER",
            help="Benchmark fund (look-through) instead of the S&P 500, e.g. QQQ.",
        ),
        click.option(
            "--megacaps",
            metavar="LIST",
            default="AAPL,MSFT,GOOGL,AMZN,NVDA,META,TSLA",
            show_default=True,
            help="Comma-separated tickers of the megacap group (GOOGL covers GOOG too).",
        ),
        click.option(
            "--map",
            "maps",
            multiple=True,
            metavar="OLD=NEW",
            help="Read ticker OLD as NEW (repeatable).",
        ),
        click.option(
            "--unknown",
            type=click.Choice(["error", "cash", "skip"]),
            default="error",
            show_default=True,
            help="Unknown tickers: stop with a list, value them as cash, or leave them out (warned).",
        ),
    ]
    return stack(decorators, fn)


def load_inputs(
    file: Path, maps: tuple[str, ...], unknown: str, benchmark: str | None, megacaps: str
):  # type: ignore[no-untyped-def]
    """(market, holdings, benchmark ticker or None, megacap list) for a command's options."""
    from advisor.holdings.read import read_holdings
    from advisor.market.snapshot import load_market

    market = load_market()
    holdings = read_holdings(file, market.known, mapping=mapping_option(maps), unknown=unknown)  # type: ignore[arg-type]
    bench = None
    if benchmark:
        bench = market.resolve(benchmark)
        if bench is None:
            raise click.BadParameter(
                f"{benchmark!r} is not in the snapshot", param_hint="--benchmark"
            )
    mega = [m.strip() for m in megacaps.split(",") if m.strip()]
    return market, holdings, bench, mega


def echo_warnings(warnings: list[str]) -> None:
    for w in warnings:
        click.secho(f"Warning: {w}", fg="yellow", err=True)


@main.command()
@holdings_options
@click.option("--total-value", type=Money(), help="Account value for files that give only weights.")
@output_options
@handle_errors
def analyze(
    file: Path,
    benchmark: str | None,
    megacaps: str,
    maps: tuple[str, ...],
    unknown: str,
    total_value: float | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Megacap exposure, concentration and tracking error of the holdings in FILE.

    FILE is a CSV or XLSX export with a ticker column and shares, market value or weight.

    Example: advisor analyze portfolios/growth_client.csv
    """
    from advisor.analytics.analysis import analyze as run

    market, holdings, bench, mega = load_inputs(file, maps, unknown, benchmark, megacaps)
    result = run(holdings, market, benchmark=bench, megacaps=mega, total_value=total_value)
    echo_warnings(result.warnings)
    _render_analysis(result, fmt, output)


def pairs(
    values: tuple[str, ...], option: str, convert: Callable[[str], Any] = str
) -> dict[str, Any]:
    """``NAME=VALUE`` options as a dict."""
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: use NAME=VALUE", param_hint=option)
        k, val = v.split("=", 1)
        try:
            out[k.strip()] = convert(val.strip())
        except click.BadParameter as exc:
            raise click.BadParameter(str(exc.message), param_hint=option) from exc
    return out


def tickers_list(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.strip() for v in values for t in v.split(",") if t.strip())


def mandate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Every limit of a :class:`~advisor.mandate.Mandate` as an option."""
    pct = Percent()
    decorators = [
        click.option(
            "--max-te",
            type=pct,
            default="3%",
            show_default=True,
            help="Tracking-error cap against the benchmark (annualised).",
        ),
        click.option(
            "--objective",
            type=click.Choice(["megacap", "hhi", "te", "turnover"]),
            help="Goal: minimise megacap weight (default), look-through HHI, tracking "
            "error, or turnover (default with --megacap-target).",
        ),
        click.option("--max-megacap", type=pct, help="Cap on look-through megacap weight."),
        click.option(
            "--megacap-target", type=pct, help="Reach this megacap weight with the least trading."
        ),
        click.option("--max-company", type=pct, help="Cap on any one company (look-through)."),
        click.option("--max-turnover", type=pct, help="Turnover cap, sum |trade| / 2 / value."),
        click.option("--max-position", type=pct, help="Cap on any single direct stock."),
        click.option("--sector-band", type=pct, help="Sectors within +- this of the benchmark."),
        click.option(
            "--sleeves",
            default="equal-weight,small-cap,value",
            show_default=True,
            help="Sleeves to shift toward (equal-weight, small-cap, value, mid-cap).",
        ),
        click.option(
            "--sleeve",
            "sleeve_map",
            multiple=True,
            metavar="NAME=FUND",
            help="Implement a sleeve with another fund, e.g. --sleeve value=IVE.",
        ),
        click.option("--sleeve-min", multiple=True, metavar="NAME=PCT", help="Sleeve floor."),
        click.option("--sleeve-max", multiple=True, metavar="NAME=PCT", help="Sleeve cap."),
        click.option(
            "--cash-floor",
            type=pct,
            default="0%",
            show_default=True,
            help="Minimum cash after trading.",
        ),
        click.option(
            "--cash-max",
            type=pct,
            help="Maximum cash (default: today's cash or the floor, whichever is larger).",
        ),
        click.option("--hold", multiple=True, metavar="LIST", help="Tickers that may not be sold."),
        click.option(
            "--restrict", multiple=True, metavar="LIST", help="Tickers that may not be bought."
        ),
        click.option(
            "--min-trade",
            type=Money(allow_zero=True),
            default="0",
            show_default=True,
            help="Smallest trade to place (account currency).",
        ),
        click.option(
            "--max-realized-gain",
            type=Money(allow_zero=True),
            help="Budget for realised gains of the sales (needs a cost-basis column).",
        ),
        click.option(
            "--cost-bps",
            type=click.FloatRange(min=0),
            default=5.0,
            show_default=True,
            help="Estimated trading cost, basis points of traded value.",
        ),
    ]
    return stack(decorators, fn)


MANDATE_KEYS = (
    "max_te",
    "objective",
    "max_megacap",
    "megacap_target",
    "max_company",
    "max_turnover",
    "max_position",
    "sector_band",
    "sleeves",
    "sleeve_map",
    "sleeve_min",
    "sleeve_max",
    "cash_floor",
    "cash_max",
    "hold",
    "restrict",
    "min_trade",
    "max_realized_gain",
    "cost_bps",
)


def build_mandate(options: dict[str, Any]):  # type: ignore[no-untyped-def]
    """A Mandate from the parsed ``mandate_options`` (removes them from ``options``)."""
    from advisor.optimize.mandate import Mandate

    o = {k: options.pop(k) for k in MANDATE_KEYS}
    pct = Percent()
    return Mandate(
        objective=o["objective"],
        max_te=o["max_te"],
        max_megacap=o["max_megacap"],
        megacap_target=o["megacap_target"],
        max_company=o["max_company"],
        max_turnover=o["max_turnover"],
        max_position=o["max_position"],
        sector_band=o["sector_band"],
        sleeves=tuple(s.strip() for s in o["sleeves"].split(",") if s.strip()),
        sleeve_funds=pairs(o["sleeve_map"], "--sleeve"),
        sleeve_min=pairs(o["sleeve_min"], "--sleeve-min", lambda v: pct.convert(v, None, None)),
        sleeve_max=pairs(o["sleeve_max"], "--sleeve-max", lambda v: pct.convert(v, None, None)),
        cash_floor=o["cash_floor"],
        cash_max=o["cash_max"],
        hold=tickers_list(o["hold"]),
        restrict=tickers_list(o["restrict"]),
        min_trade=o["min_trade"],
        max_realized_gain=o["max_realized_gain"],
        cost_bps=o["cost_bps"],
    )


@main.command()
@holdings_options
@mandate_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people; json (fractions) for tools.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the trade list to this CSV file for the custodian.",
)
@handle_errors
def propose(
    file: Path,
    benchmark: str | None,
    megacaps: str,
    maps: tuple[str, ...],
    unknown: str,
    fmt: str,
    output: Path | None,
    **options: Any,
) -> None:
    """Propose trades that move FILE toward the sleeves within the mandate's limits.

    Exit code 3 when the limits cannot all hold (the report says which to relax).

    Example: advisor propose portfolios/growth_client.csv --max-te 3% --max-turnover 30%
    """
    from advisor.optimize.proposal import propose as run
    from advisor.report import proposal as report

    mandate = build_mandate(options)
    market, holdings, bench, mega = load_inputs(file, maps, unknown, benchmark, megacaps)
    result = run(holdings, market, mandate, benchmark=bench, megacaps=mega)
    echo_warnings(result.before.warnings)
    if fmt == "json":
        click.echo(report.dumps(result))
    else:
        from rich.console import Console

        report.render(result, Console())
    if output is not None and result.feasible:
        output.write_text(report.trades_csv(result))
        click.echo(f"Wrote {len(result.trades)} trades to {output}", err=True)
    if not result.feasible:
        sys.exit(EXIT_INFEASIBLE)


@main.command()
@holdings_options
@mandate_options
@click.option(
    "--points",
    type=click.IntRange(2, 60),
    default=12,
    show_default=True,
    help="Number of points on the curve.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the curve as a PNG chart.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@handle_errors
def frontier(
    file: Path,
    benchmark: str | None,
    megacaps: str,
    maps: tuple[str, ...],
    unknown: str,
    points: int,
    chart: Path | None,
    fmt: str,
    **options: Any,
) -> None:
    """The trade-off: least tracking error at each megacap weight, for FILE.

    The mandate's other limits (turnover, holds, sleeves, floors) apply; its TE and megacap caps
    are what the curve varies.

    Example: advisor frontier portfolios/growth_client.csv --chart frontier.png
    """
    from advisor.optimize import frontier as fr

    mandate = build_mandate(options)
    market, holdings, bench, mega = load_inputs(file, maps, unknown, benchmark, megacaps)
    result = fr.frontier(holdings, market, mandate, points=points, benchmark=bench, megacaps=mega)
    echo_warnings(result.setup.before.warnings)
    table = result.points
    if fmt == "json":
        import json

        click.echo(
            json.dumps(
                {
                    "as_of": str(result.setup.before.as_of.date()),
                    "current": {
                        "megacap_weight": result.current_megacap,
                        "tracking_error": result.current_te,
                    },
                    "benchmark_megacap_weight": result.benchmark_megacap,
                    "min_megacap_weight": result.min_megacap,
                    "points": json.loads(table.to_json(orient="records")),
                },
                indent=2,
            )
        )
    elif fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    else:
        _render_frontier(result)
    if chart is not None:
        fr.chart(result, str(chart))
        click.echo(f"Wrote {chart}", err=True)


def _render_frontier(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from advisor.report.table import pct

    t = Table(
        title=f"Tracking error against megacap weight, {result.setup.before.source} "
        f"(prices {result.setup.before.as_of.date()}; TE annualised)",
        title_justify="left",
    )
    for c in (
        "Megacap weight",
        "Least tracking error",
        "Turnover",
        "Extra TE per point less megacap",
    ):
        t.add_column(c, justify="right")
    for r in result.points.itertuples():
        per = "-" if r.te_per_point != r.te_per_point else f"{100 * r.te_per_point:.2f} pp"
        t.add_row(pct(r.megacap_weight), pct(r.tracking_error, 2), pct(r.turnover), per)
    Console().print(t)
    click.echo(
        f"Today: megacap {result.current_megacap:.1%}, tracking error {result.current_te:.2%}; "
        f"S&P 500 megacap weight {result.benchmark_megacap:.1%}; least reachable under the "
        f"other limits {result.min_megacap:.1%}."
    )


def _render_analysis(result: Any, fmt: str, output: Path | None) -> None:
    if fmt == "json":
        from advisor.report.json import dumps

        emit(dumps(result), output)
    elif fmt == "csv":
        from advisor.report.csv import dumps as csv_dumps

        emit(csv_dumps(result), output)
    else:
        from advisor.report.table import render

        _render(render, result, output, width=120)


# -- what-if and hedge ----------------------------------------------------------------------------

#: Run when ``what-if`` is given no scenario: the brief's stress set.
DEFAULT_SHOCKS = (("megacap sell-off", "megacaps=-30%"), ("small-cap rally", "small-cap=+10%"))
#: Run when ``hedge`` is given no scenario.
HEDGE_DEFAULT = ("megacap sell-off", "covid", "rates-2022")


def scenario_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--shock``, ``--no-propagate``, ``--replay``, ``--scenarios`` and ``--propose``."""
    decorators = [
        click.option(
            "--shock",
            "shocks",
            multiple=True,
            metavar="GROUP=MOVE",
            help="A stated move, e.g. megacaps=-30% or small-cap=+10% (repeat to move several "
            "groups at once). Groups: a ticker, megacaps, a sector, a sleeve, or a factor "
            "(market, size, value, momentum, factor:NAME).",
        ),
        click.option(
            "--no-propagate",
            is_flag=True,
            help="Apply only the stated moves; by default the rest of the market moves by what "
            "the risk model expects given them.",
        ),
        click.option(
            "--replay",
            "replays",
            multiple=True,
            metavar="NAME|FROM:TO",
            help="Replay a historical episode (see `advisor replays`) or a window, e.g. "
            "2020-02-19:2020-03-23 (repeatable).",
        ),
        click.option(
            "--scenarios",
            "scenario_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A YAML or CSV file of named scenarios to run in one go.",
        ),
        click.option(
            "--propose",
            "with_proposal",
            is_flag=True,
            help="Also run the `advisor propose` rebalance (same mandate options) and test it.",
        ),
    ]
    return stack(decorators, fn)


def build_scenarios(
    shocks: tuple[str, ...],
    no_propagate: bool,
    replays: tuple[str, ...],
    scenario_file: Path | None,
    default: tuple[tuple[str, str], ...] | tuple[str, ...],
) -> list:  # type: ignore[type-arg]
    """The scenarios of the options, or ``default`` when none is given."""
    from advisor.scenarios.shocks import (
        REPLAYS,
        Scenario,
        default_name,
        load_scenarios,
        parse_shock,
    )

    out = []
    if shocks:
        try:
            parsed = tuple(parse_shock(s) for s in shocks)
        except AdvisorError as exc:
            raise click.BadParameter(exc.message, param_hint="--shock") from exc
        out.append(Scenario(default_name(parsed, None), parsed, propagate=not no_propagate))
    out += [Scenario(r, replay=r) for r in replays]
    if scenario_file is not None:
        out += load_scenarios(str(scenario_file))
    if not out:
        for item in default:
            if isinstance(item, tuple):
                name, text = item
                out.append(Scenario(name, (parse_shock(text),), propagate=not no_propagate))
            else:
                assert item in REPLAYS
                out.append(Scenario(item, replay=item))
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise click.BadParameter("the same scenario is given twice", param_hint="--replay")
    return out


def run_whatif(
    file: Path,
    benchmark: str | None,
    megacaps: str,
    maps: tuple[str, ...],
    unknown: str,
    scenarios: list,  # type: ignore[type-arg]
    with_proposal: bool,
    options: dict[str, Any],
):  # type: ignore[no-untyped-def]
    """(market, benchmark ticker or None, WhatIf) for the what-if and hedge commands."""
    from advisor.analytics.analysis import analyze
    from advisor.market.sleeves import SLEEVES, resolve_sleeves
    from advisor.scenarios.whatif import what_if

    mandate = build_mandate(options)
    market, holdings, bench, mega = load_inputs(file, maps, unknown, benchmark, megacaps)
    sleeves = resolve_sleeves(list(SLEEVES), mandate.sleeve_funds)
    proposal = None
    if with_proposal:
        from advisor.optimize.proposal import propose as run

        proposal = run(holdings, market, mandate, benchmark=bench, megacaps=mega)
        before = proposal.before
    else:
        before = analyze(holdings, market, benchmark=bench, megacaps=mega)
    echo_warnings(before.warnings)
    result = what_if(before, scenarios, market, sleeves=sleeves, benchmark=bench, proposal=proposal)
    return market, bench, result


@main.command("what-if")
@holdings_options
@scenario_options
@mandate_options
@output_options
@handle_errors
def what_if_command(
    file: Path,
    benchmark: str | None,
    megacaps: str,
    maps: tuple[str, ...],
    unknown: str,
    shocks: tuple[str, ...],
    no_propagate: bool,
    replays: tuple[str, ...],
    scenario_file: Path | None,
    with_proposal: bool,
    fmt: str,
    output: Path | None,
    **options: Any,
) -> None:
    """What happens to FILE (and to the proposed rebalance) if a scenario plays out.

    Shocks move groups by stated amounts and, unless --no-propagate, the rest of the market by
    what the risk model expects; replays apply a historical episode's factor moves to today's
    holdings. Without a scenario option, runs a megacap sell-off, a small-cap rally and every
    named replay.

    Example: advisor what-if portfolios/growth_client.csv --shock megacaps=-30% --replay covid
    """
    from advisor.report import whatif as report

    scenarios = build_scenarios(shocks, no_propagate, replays, scenario_file, _whatif_default())
    _, _, result = run_whatif(
        file, benchmark, megacaps, maps, unknown, scenarios, with_proposal, options
    )
    emit_report(report, result, fmt, output)
    exit_if_infeasible(result.proposal)


def exit_if_infeasible(proposal: Any) -> None:
    """Exit code 3 after the report when ``--propose`` found the mandate infeasible."""
    if proposal is not None and not proposal.feasible:
        click.secho(
            "The mandate is infeasible: no proposed portfolio (exit code 3).", fg="yellow", err=True
        )
        sys.exit(EXIT_INFEASIBLE)


def _whatif_default() -> tuple[Any, ...]:
    from advisor.scenarios.shocks import REPLAYS

    return (*DEFAULT_SHOCKS, *REPLAYS)


def emit_report(report: Any, result: Any, fmt: str, output: Path | None) -> None:
    """A report module's ``dumps`` (json), ``csv_rows`` (csv) or ``render`` (table)."""
    if fmt == "json":
        emit(report.dumps(result), output)
    elif fmt == "csv":
        emit(report.csv_rows(result), output)
    else:
        _render(report.render, result, output)


def _render(fn: Callable[..., None], result: Any, output: Path | None, width: int = 140) -> None:
    from rich.console import Console

    if output is None:
        fn(result, Console())
    else:
        with open(output, "w") as f:
            fn(result, Console(file=f, width=width))
        click.echo(f"Wrote {output}", err=True)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@handle_errors
def replays(fmt: str) -> None:
    """List the historical replays `advisor what-if --replay` knows, and the data's span.

    Example: advisor replays
    """
    from advisor.market.snapshot import load_market
    from advisor.report.whatif import replays_table

    history = load_market().factor_returns()
    table, rows = replays_table(history)
    if fmt == "json":
        import json

        click.echo(
            json.dumps(
                {
                    "factor_history": {
                        "start": str(history.index[0].date()),
                        "end": str(history.index[-1].date()),
                    },
                    "replays": rows,
                },
                indent=2,
            )
        )
    else:
        from rich.console import Console

        Console().print(table)


@main.command()
@holdings_options
@click.option(
    "--with",
    "instruments",
    multiple=True,
    metavar="INSTRUMENT",
    help="A hedge to size: an ETF or stock to short (SPY, QQQ, XLK), a future (ES, MES, NQ, "
    "MNQ), put:TICKER[@90%] or collar:TICKER[@90%/110%] (repeatable; default: SPY, QQQ, "
    "put:SPY, collar:SPY).",
)
@click.option(
    "--target",
    type=click.Choice(["portfolio", "megacaps"]),
    default="portfolio",
    show_default=True,
    help="What to hedge: the whole portfolio or its look-through megacap exposure.",
)
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(["beta", "min-variance", "min-tracking-error"]),
    help="Overlay ratios to show (default: all three).",
)
@click.option(
    "--expiry",
    default="3m",
    show_default=True,
    metavar="PERIOD",
    help="Option expiry: 3m, 6m, 1y, 45d.",
)
@click.option(
    "--put-strike", type=Percent(), default="90%", show_default=True, help="Put strike, % of spot."
)
@click.option(
    "--call-strike",
    type=Percent(),
    default="110%",
    show_default=True,
    help="Collar call strike, % of spot.",
)
@click.option(
    "--vol",
    type=Percent(),
    help="Implied volatility for option prices (default: the risk model's forecast for the "
    "underlying).",
)
@click.option(
    "--rate",
    type=Percent(),
    help="Risk-free rate, continuously compounded (default: the 13-week T-bill at the "
    "snapshot date).",
)
@click.option(
    "--dividend-yield",
    type=Percent(),
    default="0%",
    show_default=True,
    help="Dividend yield of the option's underlying.",
)
@click.option(
    "--price",
    "future_prices",
    multiple=True,
    metavar="FUTURE=LEVEL",
    help="Quoted futures price, e.g. ES=6420 (default: estimated from the index ETF).",
)
@scenario_options
@mandate_options
@output_options
@handle_errors
def hedge(
    file: Path,
    benchmark: str | None,
    megacaps: str,
    maps: tuple[str, ...],
    unknown: str,
    instruments: tuple[str, ...],
    target: str,
    methods: tuple[str, ...],
    expiry: str,
    put_strike: float,
    call_strike: float,
    vol: float | None,
    rate: float | None,
    dividend_yield: float,
    future_prices: tuple[str, ...],
    shocks: tuple[str, ...],
    no_propagate: bool,
    replays: tuple[str, ...],
    scenario_file: Path | None,
    with_proposal: bool,
    fmt: str,
    output: Path | None,
    **options: Any,
) -> None:
    """Hedging alternatives for FILE: index overlays, futures, puts and collars, side by side
    with the rebalance (--propose), under the scenarios.

    Without a scenario option, tests a megacap sell-off and the COVID and 2022 replays.

    Example: advisor hedge portfolios/growth_client.csv --with QQQ --with put:SPY --propose
    """
    from advisor.report import hedge as report
    from advisor.scenarios.hedging import METHODS, OptionTerms, parse_instrument
    from advisor.scenarios.hedging import hedge as run

    years = _years(expiry)
    if vol is not None and not 0 < vol < 3:
        raise click.BadParameter(f"{vol} is not a volatility such as 20%", param_hint="--vol")
    prices = pairs(future_prices, "--price", lambda v: Money().convert(v, None, None))
    from advisor.scenarios.hedging import FUTURES

    for symbol in prices:
        if symbol.upper() not in FUTURES:
            raise click.BadParameter(
                f"{symbol!r} is not a future; quote one of {', '.join(FUTURES)}",
                param_hint="--price",
            )
    scenarios = build_scenarios(
        shocks, no_propagate, replays, scenario_file, (DEFAULT_SHOCKS[0], *HEDGE_DEFAULT[1:])
    )
    cost_bps = options["cost_bps"]
    market, bench, result = run_whatif(
        file, benchmark, megacaps, maps, unknown, scenarios, with_proposal, options
    )
    specs = instruments or ("SPY", "QQQ", "put:SPY", "collar:SPY")
    parsed = [parse_instrument(t, market, put_strike, call_strike) for t in specs]
    rep = run(
        result.before,
        parsed,
        market,
        result,
        target=target,
        methods=methods or METHODS,
        terms=OptionTerms(years=years, vol=vol, rate=rate, dividend_yield=dividend_yield),
        cost_bps=cost_bps,
        prices=prices,
        benchmark=bench,
    )
    emit_report(report, rep, fmt, output)
    exit_if_infeasible(result.proposal)


def _years(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dwmy])\s*", text.lower())
    if not m:
        raise click.BadParameter(f"{text!r}: use e.g. 3m, 6m, 1y or 45d", param_hint="--expiry")
    n = float(m.group(1))
    years = n * {"d": 1 / 365, "w": 7 / 365, "m": 1 / 12, "y": 1.0}[m.group(2)]
    if not 0 < years <= 3:
        raise click.BadParameter(f"{text!r}: expiry must be within 3 years", param_hint="--expiry")
    return years


@main.group()
def data() -> None:
    """The embedded market snapshot: build it, or show what it holds."""


@data.command()
@click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("../shared/data"),
    show_default=True,
    help="The raw market data folder.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the snapshot (default: the package's own snapshot folder).",
)
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
        f"{counts['funds_with_lookthrough']} funds "
        f"with look-through -> {out or builder.SNAPSHOT_DIR}"
    )


@data.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@handle_errors
def info(fmt: str) -> None:
    """As-of dates, counts, sources and licence notes of the embedded snapshot.

    Example: advisor data info
    """
    import json

    from advisor.market.snapshot import load_market

    m = load_market().manifest
    if fmt == "json":
        click.echo(json.dumps(m, indent=2))
        return
    c = m["counts"]
    lines = [
        f"Snapshot date (prices): {m['snapshot_date']}",
        f"Securities: {c['securities']} ({c['stocks']} stocks, {c['etfs']} ETFs); "
        f"size buckets {c['size_buckets']}",
        f"Benchmark: S&P 500, {c['benchmark_members']} members, from {m['benchmark']['source']} "
        f"({m['benchmark']['file_date']}): {m['benchmark']['method']}",
        f"Funds with look-through: {c['funds_with_lookthrough']}",
        f"Risk model: {m['risk_model']['form']}; {len(m['risk_model']['factors'])} factors "
        f"({', '.join(m['risk_model']['factors'][:4])} and 11 sectors); estimated per security: "
        f"{c['risk_model_methods']}",
        "Factor returns: {} to {}".format(*m["risk_model"]["factor_returns_span"]),
        f"Securities without a snapshot price: {', '.join(m['prices']['without_price'])}",
        "Sources (SHA-256):",
        *[f"  {k}  {v[:16]}" for k, v in m["sources"].items()],
        "Licence notes:",
        *[f"  {k}: {v}" for k, v in m["licence_notes"].items()],
    ]
    click.echo("\n".join(lines))


if __name__ == "__main__":  # pragma: no cover
    main()
