"""The ``advisor`` command line: parse, call the library, render, set the exit code.

Exit codes: 0 success; 1 an :class:`~advisor.errors.AdvisorError` (bad input, missing data);
2 a usage error (an option click refuses, or one that does not fit the input); 3 an infeasible
mandate (``propose``, and ``what-if``/``hedge``/``frontier`` with a mandate; the report is
printed first).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from advisor.errors import AdvisorError, UsageError
from advisor.units import pairs, parse_money, parse_percent

EXIT_ERROR = 1
EXIT_INFEASIBLE = 3
FORMATS = ("table", "json", "csv")


class Parsed(click.ParamType):
    """A click type over one of :mod:`advisor.units`' parsers (their ValueError is the message)."""

    def __init__(self, name: str, parse: Callable[[Any], Any]) -> None:
        self.name, self.parse = name, parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


PERCENT = Parsed("percent", parse_percent)  # 2%, 2.5 %, 0.025 -> a fraction
MONEY = Parsed("amount", parse_money)  # $1,250,000 or 1.25e6, positive
MONEY_OR_ZERO = Parsed("amount", lambda v: parse_money(v, allow_zero=True))


def stack(*decorators: Callable[..., Any]) -> Callable[..., Any]:
    """Apply click decorators in the order they are listed (first = outermost)."""

    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """AdvisorError -> a clear message and exit 1; UsageError -> exit 2; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UsageError as exc:
            where = f"{exc.option}: " if exc.option else ""
            hint = f"\n  {exc.hint}" if exc.hint else ""
            raise click.UsageError(where + exc.message + hint) from exc
        except AdvisorError as exc:
            click.secho(f"Error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"  {exc.hint}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def output_options(formats: tuple[str, ...] = FORMATS, output_help: str | None = None) -> Any:
    """``--format`` (one of ``formats``) and ``--output PATH``: the same for every command."""
    return stack(
        click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default="table",
            show_default=True,
            help="table for people; json (fractions) and csv for tools.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            help=output_help or "Write the report to this file instead of the terminal.",
        ),
    )


def emit(result: Any, fmt: str, output: Path | None, report: Any, width: int = 100) -> None:
    """Render ``result`` with a report module (see :func:`advisor.report.render_to`)."""
    from advisor.report import render_to

    if render_to(result, fmt, output, report, width) is not None:
        click.echo(f"Wrote {output}", err=True)


def echo_warnings(warnings: list[str]) -> None:
    for w in warnings:
        click.secho(f"Warning: {w}", fg="yellow", err=True)


def _exit_if_infeasible(proposal: Any) -> None:
    if proposal is not None and not proposal.feasible:
        click.secho("The mandate cannot be met: no trades proposed (exit code 3).", err=True)
        sys.exit(EXIT_INFEASIBLE)


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


# -- holdings and mandate options ---------------------------------------------------------------


def options(*specs: tuple[str | tuple[str, ...], dict[str, Any]]) -> Any:
    """Click options from (declarations, keyword arguments) pairs, in order."""
    return stack(*[click.option(*((d,) if isinstance(d, str) else d), **kw) for d, kw in specs])


holdings_options = stack(click.argument("file", type=click.Path(path_type=Path)), options(
    ("--benchmark", {"metavar": "FUND|BLEND",
     "help": "Benchmark: a fund (QQQ) or a blend (SPY:60,AGG:40). Default: the S&P 500, or the "
     "account's own asset mix when over 10% of it is outside US equity."}),
    ("--megacaps", {"metavar": "LIST", "default": "AAPL,MSFT,GOOGL,AMZN,NVDA,META,TSLA",
     "show_default": True,
     "help": "Comma-separated tickers of the megacap group (GOOGL covers GOOG too)."}),
    (("--map", "maps"), {"multiple": True, "metavar": "OLD=NEW", "help": "Read ticker OLD as NEW."}),
    ("--unknown", {"type": click.Choice(["error", "cash", "skip"]), "default": "error",
     "show_default": True,
     "help": "Unknown tickers: stop with a list, value them as cash, or leave them out (warned)."}),
))  # fmt: skip


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    try:
        return pairs(values, option)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


def load_inputs(o: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """(market, holdings, {benchmark, megacaps}) from the holdings options (removed from ``o``)."""
    import advisor

    market = advisor.load_market()
    mapping = dict(_pairs(o.pop("maps"), "--map"))
    holdings = advisor.read_holdings(
        o.pop("file"), market, mapping=mapping, unknown=o.pop("unknown")
    )
    benchmark = o.pop("benchmark") or None
    mega = [m.strip() for m in o.pop("megacaps").split(",") if m.strip()]
    return market, holdings, {"benchmark": benchmark, "megacaps": mega}


_KINDS: dict[str, dict[str, Any]] = {
    "percent": {"type": PERCENT},
    "money": {"type": MONEY_OR_ZERO},
    "float": {"type": click.FloatRange(min=0)},
    "list": {"multiple": True, "metavar": "LIST"},
    "pairs": {"multiple": True},
    "percent-pairs": {"multiple": True},
}


def _mandate_option(f: Any) -> Callable[..., Any]:
    """One click option from a :class:`~advisor.optimize.mandate.Mandate` field's metadata."""
    meta = f.metadata
    kw: dict[str, Any] = {"help": meta["help"], **_KINDS.get(meta["kind"], {})}
    if meta["kind"] == "choice":
        kw["type"] = click.Choice([str(c) for c in meta["choices"]])
    if "metavar" in meta:
        kw["metavar"] = meta["metavar"]
    default = f.default if not callable(f.default_factory) else None
    if meta["kind"] == "percent" and default is not None:
        kw.update(default=f"{100 * default:g}%", show_default=True)
    elif meta["kind"] in ("money", "float") and default:
        kw.update(default=default, show_default=True)
    elif meta["kind"] == "list" and default:
        kw.update(default=(",".join(default),), show_default=",".join(default))
    return click.option(meta["option"], f.name, **kw)


def mandate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Every field of the Mandate as an option, generated from the dataclass."""
    from advisor.optimize.mandate import option_fields

    return stack(*[_mandate_option(f) for f in option_fields()])(fn)


def build_mandate(o: dict[str, Any]) -> Any:
    """A Mandate from the parsed mandate options (removed from ``o``)."""
    from advisor.optimize.mandate import Mandate, option_fields

    kwargs: dict[str, Any] = {}
    for f in option_fields():
        value, kind, option = o.pop(f.name), f.metadata["kind"], f.metadata["option"]
        if kind == "list":
            value = tuple(t.strip() for v in value for t in v.split(",") if t.strip())
        elif kind == "pairs":
            value = dict(_pairs(value, option))
        elif kind == "percent-pairs":
            try:
                value = {k: parse_percent(v) for k, v in _pairs(value, option)}
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint=option) from exc
        if value is not None:
            kwargs[f.name] = value
    return Mandate(**kwargs)


# -- analyze, propose, frontier -----------------------------------------------------------------


@main.command()
@holdings_options
@click.option("--total-value", type=MONEY, help="Account value for files that give only weights.")
@output_options()
@handle_errors
def analyze(total_value: float | None, fmt: str, output: Path | None, **o: Any) -> None:
    """Megacap exposure, concentration and tracking error of the holdings in FILE.

    FILE is a CSV or XLSX export with a ticker column and shares, market value or weight.

    Example: advisor analyze portfolios/growth_client.csv
    """
    import advisor
    from advisor.report import analysis as report

    market, holdings, opts = load_inputs(o)
    result = advisor.analyze(holdings, market, total_value=total_value, **opts)
    echo_warnings(result.warnings)
    emit(result, fmt, output, report, width=120)


@main.command()
@holdings_options
@mandate_options
@output_options(("table", "json"), "Write the trade list for the custodian to this CSV file.")
@handle_errors
def propose(fmt: str, output: Path | None, **o: Any) -> None:
    """Propose trades that move FILE toward the sleeves within the mandate's limits.

    Exit code 3 when the limits cannot all hold (the report says which to relax).

    Example: advisor propose portfolios/growth_client.csv --max-te 4% --max-turnover 30%
    """
    import advisor
    from advisor.report import proposal as report

    mandate = build_mandate(o)
    market, holdings, opts = load_inputs(o)
    result = advisor.propose(holdings, market, mandate, **opts)
    echo_warnings(result.before.warnings)
    emit(result, fmt, None, report)
    if output is not None and result.feasible:
        output.write_text(report.trades_csv(result))
        click.echo(f"Wrote {len(result.trades)} trades to {output}", err=True)
    _exit_if_infeasible(result)


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

    mandate = build_mandate(o)
    market, holdings, opts = load_inputs(o)
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
    mandate = build_mandate(o)
    with_proposal = o.pop("with_proposal")
    market, holdings, opts = load_inputs(o)
    result = advisor.what_if(holdings, market, scenarios,
                             mandate=mandate if with_proposal else None, **opts)  # fmt: skip
    echo_warnings(result.before.warnings)
    emit(result, fmt, output, report)
    _exit_if_infeasible(result.proposal)


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
    prices = dict(_pairs(o.pop("future_prices"), "--price"))
    scenarios = _scenarios(o)
    mandate = build_mandate(o)
    with_proposal = o.pop("with_proposal")
    instruments, target, methods = o.pop("instruments"), o.pop("target"), o.pop("methods")
    market, holdings, opts = load_inputs(o)
    result = advisor.hedge(
        holdings, market, instruments or None, scenarios=scenarios,
        mandate=mandate if with_proposal else None, target=target,
        methods=methods or advisor.hedging.METHODS, terms=terms, cost_bps=mandate.cost_bps,
        prices=prices, **opts,
    )  # fmt: skip
    echo_warnings(result.before.warnings)
    emit(result, fmt, output, report)
    _exit_if_infeasible(result.proposal)


# -- data ---------------------------------------------------------------------------------------


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


if __name__ == "__main__":  # pragma: no cover
    main()
