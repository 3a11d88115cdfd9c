"""Shared pieces of the command line: option types and decorators, error handling, output,
the holdings and mandate options. Only the CLI imports click."""

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


def exit_if_infeasible(proposal: Any) -> None:
    if proposal is not None and not proposal.feasible:
        click.secho("The mandate cannot be met: no trades proposed (exit code 3).", err=True)
        sys.exit(EXIT_INFEASIBLE)


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
    ("--total-value", {"type": MONEY, "help": "Account value for files that give only weights."}),
    ("--unknown", {"type": click.Choice(["error", "cash", "skip"]), "default": "error",
     "show_default": True,
     "help": "Unknown tickers: stop with a list, value them as cash, or leave them out (warned)."}),
))  # fmt: skip


def pairs_option(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    try:
        return pairs(values, option)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


def load_inputs(o: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """(market, holdings, {benchmark, megacaps}) from the holdings options (removed from ``o``)."""
    import advisor
    from advisor.holdings.household import is_household

    market = advisor.load_market()
    mapping = dict(pairs_option(o.pop("maps"), "--map"))
    path, unknown = o.pop("file"), o.pop("unknown")
    o["household"] = None
    if is_household(path):  # a household YAML file or a folder of exports
        o["household"] = advisor.read_household(path, market, mapping=mapping, unknown=unknown)
        holdings = o["household"].holdings
    else:
        holdings = advisor.read_holdings(path, market, mapping=mapping, unknown=unknown)
    benchmark = o.pop("benchmark") or None
    mega = [m.strip() for m in o.pop("megacaps").split(",") if m.strip()]
    return market, holdings, {"benchmark": benchmark, "megacaps": mega,
                              "total_value": o.pop("total_value")}  # fmt: skip


def _household_options(household: Any) -> dict[str, Any]:
    """A household file's mandate as ``{"--max-te": "4%", ...}``, with its tax rates."""
    if household is None:
        return {}
    out = {f"--{k.lstrip('-')}": v for k, v in (household.mandate or {}).items()}
    if household.tax_rates and "--tax-rates" not in out:
        out["--tax-rates"] = dict(household.tax_rates)
    return out


def _from_default(name: str) -> bool:
    """The option ``name`` was not given on the command line."""
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source(name) if ctx is not None else None
    return source in (None, click.core.ParameterSource.DEFAULT)


def _household_value(value: Any, kind: str, option: str) -> Any:
    """A household file's mandate value in the form the command line gives it."""
    if kind in ("list", "pairs", "percent-pairs"):
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        return tuple(str(v).strip() for v in items if str(v).strip())
    if kind == "percent":
        return PERCENT.convert(str(value), None, None)
    if kind == "money":
        return MONEY_OR_ZERO.convert(str(value), None, None)
    if kind == "float":
        return float(value)
    return value


_KINDS: dict[str, dict[str, Any]] = {
    "percent": {"type": PERCENT},
    "money": {"type": MONEY_OR_ZERO},
    "float": {"type": click.FloatRange(min=0)},
    "list": {"multiple": True, "metavar": "LIST"},
    "pairs": {"multiple": True},
    "percent-pairs": {"multiple": True},
    "mix": {},
    "flag": {"is_flag": True, "default": False},
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
    """A Mandate from the parsed mandate options (removed from ``o``). With a household file
    (``o["household"]``, set by :func:`load_inputs`), its mandate and tax rates fill the options
    not given on the command line."""
    from advisor.optimize.mandate import Mandate, option_fields

    household = o.pop("household", None)
    given = _household_options(household)
    kwargs: dict[str, Any] = {}
    for f in option_fields():
        value, kind, option = o.pop(f.name), f.metadata["kind"], f.metadata["option"]
        if option in given and _from_default(f.name):
            value = _household_value(given[option], kind, option)
        if kind == "list":
            value = tuple(t.strip() for v in value for t in v.split(",") if t.strip())
        elif kind == "pairs":
            value = dict(pairs_option(value, option))
        elif kind == "percent-pairs":
            try:
                value = {k: parse_percent(v) for k, v in pairs_option(value, option)}
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint=option) from exc
        if value is not None:
            kwargs[f.name] = value
    return Mandate(**kwargs)
