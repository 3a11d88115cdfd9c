"""The lines of a holdings file together: units, weights, cash, totals, prices, aggregation.

The second layer of :mod:`advisor.holdings.read`: it gets the parsed lines (:class:`Row`) and makes
one :class:`~advisor.domain.Holdings` table of them, checking what only shows across lines (a
total line disguised as a holding, weights over 100 %, a mapped fund joining another line, a
price implied by the file far from the snapshot's). Every refusal is an
:class:`~advisor.errors.InputError` naming the file, the line and the value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import pandas as pd

from advisor.domain import POSITION_COLUMNS, Instrument
from advisor.errors import UnknownTickersError
from advisor.holdings import instruments, tickers
from advisor.holdings.numbers import describe_gap, price_gap
from advisor.holdings.tables import bad

NAN = float("nan")
NUMERIC = ("shares", "price", "value", "weight", "cost_basis")
WEIGHT_TOLERANCE = 0.005  # weights summing to 1 +- this are fine
WEIGHT_LIMIT = 1.01  # weights summing to more than this are an error
TOTAL_TOLERANCE = 0.005  # a line within 0.5 % of the sum of the others may be a total line
UNITS_HINT = (
    "a share price this far from the market's is a units error (value in thousands or cents, "
    "quantity in lots?); fix the file so that value = shares x price, or give a Price column"
)
_MUTUAL_FUND_WAY = (
    "give its price or value and --map it to an ETF that tracks the same index, or --unknown cash"
)
_MUTUAL_FUND = f"looks like a mutual fund, which the snapshot does not cover: {_MUTUAL_FUND_WAY}"


@dataclass(frozen=True)
class Header:
    """Where the header is and which column holds what."""

    index: int  # position of the header row in the table
    line: int
    columns: dict[str, int]  # role -> column index
    names: dict[str, str]  # role -> column name as written
    weight_percent: bool  # the weight column's name says percent


@dataclass
class Row:
    """One holdings line, parsed."""

    line: int
    raw: str
    kind: str  # "position", "cash", "unknown" or "unknown_cash" (unknown, counted as cash)
    ticker: str  # canonical known ticker (positions), the mapped spelling (unknown), or ""
    shares: float = NAN
    price: float = NAN
    value: float = NAN
    weight: float = NAN
    cost_basis: float = NAN
    account: str = ""
    description: str = ""
    weight_percent: bool = False  # the weight cell had a '%' suffix
    mapped: bool = False  # read as another ticker by --map
    instrument: Instrument = Instrument.SECURITY
    terms: instruments.Bond | instruments.Option | None = None  # a bond's or option's terms
    accrued: float = NAN  # a bond's accrued interest, when the file gives it
    cost_per_share: float = NAN  # the file's cost per share (average cost), when it gives one
    account_name: str = ""  # the account's name, when the file gives it beside its number
    acquired: dt.date | None = None  # a lot's acquisition date, when the file gives it
    term: str = ""  # a lot's holding period as the file states it: "short", "long" or ""

    @property
    def scale(self) -> float:
        """value / (shares x price): 1, 1/100 for a bond (per 100 of face), an option's multiplier."""
        if isinstance(self.terms, instruments.Option):
            return self.terms.multiplier
        return 0.01 if self.instrument == Instrument.BOND else 1.0


@dataclass
class Context:
    """What one read needs along the way: the file, the snapshot, the mapping, the warnings."""

    path: str
    known: Collection[str]
    mapping: dict[str, str]
    prices: Mapping[str, float] | None = None
    names: Mapping[str, str] | None = None
    used: set[str] = field(default_factory=set)
    warnings: list[tuple[float, str]] = field(default_factory=list)
    name_index: dict[frozenset[str], list[str]] | None = None  # snapshot names' words -> tickers
    mutual_funds: Callable[[str], str | None] | None = None  # NASDAQ's funds without prices

    def warn(self, line: int, message: str) -> None:
        self.warnings.append((line, f"line {line}: {message}"))

    def note(self, message: str) -> None:
        """A warning about the whole file (listed after the line warnings)."""
        self.warnings.append((math.inf, message))

    def price(self, ticker: str) -> float:
        """The snapshot's price of ``ticker`` (NaN when not given or unknown)."""
        if self.prices is None:
            return NAN
        price = self.prices.get(ticker)
        return float(price) if price is not None and price > 0 else NAN


def money(x: float) -> str:
    """A figure for a message: ``1,234.56`` (``1e-300`` when it would round to 0.00)."""
    return f"{x:.3g}" if 0 < abs(x) < 0.005 else f"{x:,.2f}"


def quantity(x: float) -> str:
    """A share count for a message, without trailing zeros: ``12.5``."""
    return f"{x:,.6f}".rstrip("0").rstrip(".")


# --- total lines -------------------------------------------------------------------------------


def skip_sum_totals(rows: list[Row], header: Header, ctx: Context) -> list[Row]:
    """Find a line that is worth the sum of the others: a total line with a ticker in it.

    Only a line without a quantity can be one (a total has none), and it must equal the sum of
    at least two other lines (all of them, or the other holdings without cash) within 0.5 %.
    It is skipped when the file describes its lines and this one's description is blank (a
    total-like description is caught earlier); otherwise it is kept, with a loud warning.
    """
    valued = [r for r in rows if not math.isnan(r.value)]
    holdings = [r for r in valued if r.kind in ("position", "unknown")]
    candidates = [r for r in holdings if math.isnan(r.shares) and r.value > 0]
    for row in reversed(candidates):
        sums = [
            [r.value for r in group if r is not row]
            for group in (valued, [r for r in holdings if r is not row])
        ]
        matched = [
            math.fsum(others)
            for others in sums
            if len(others) >= 2
            and abs(row.value - math.fsum(others)) <= TOTAL_TOLERANCE * row.value
        ]
        if matched:
            return _total_by_sum(rows, row, matched[0], header, ctx)
    return rows


def _total_by_sum(
    rows: list[Row], row: Row, total: float, header: Header, ctx: Context
) -> list[Row]:
    """Skip ``row`` as a total line, or keep it and say so (see :func:`skip_sum_totals`)."""
    said = (
        f"{row.raw}'s value {money(row.value)} equals the sum of the other lines ({money(total)})"
    )
    described = "description" in header.columns and any(
        r.description for r in rows if r is not row and r.kind != "cash"
    )
    if described and not row.description:
        ctx.warn(row.line, f"{said} and it has no description: read as a total line, skipped")
        return [r for r in rows if r is not row]
    ctx.warn(
        row.line,
        f"{said}: kept as a position; if it is a total line, remove it from the file (the "
        "account would be counted twice)",
    )
    return rows


# --- unknown tickers, weights, units, cash -------------------------------------------------------


def handle_unknown(rows: list[Row], unknown: str, ctx: Context) -> list[Row]:
    """Raise for unknown tickers, or count them as cash, or leave them out (with warnings)."""
    lost = [r for r in rows if r.kind == "unknown"]
    if unknown == "error" and lost:
        listed: list[tuple[int, str, list[str]]] = []
        notes: dict[int, str] = {}
        for r in lost:
            shown = f"{r.raw} (mapped to {r.ticker})" if r.mapped else r.raw
            fund = ctx.mutual_funds(r.ticker) if ctx.mutual_funds else None
            if fund is not None:
                notes[r.line] = (
                    f"{r.ticker} is {fund}, a mutual fund without prices or holdings in the "
                    f"snapshot: {_MUTUAL_FUND_WAY}"
                )
            elif tickers.looks_like_mutual_fund(r.ticker):
                notes[r.line] = _MUTUAL_FUND
            matches = tickers.close_matches(
                r.ticker, ctx.known, description=r.description, names=ctx.names
            )
            listed.append((r.line, shown, matches))
        raise UnknownTickersError(ctx.path, listed, notes)
    for r in lost:
        if unknown == "skip":
            ctx.warn(r.line, f"unknown ticker {r.raw} left out of the analysis (--unknown skip)")
        else:
            r.kind = "unknown_cash"
            amount = "" if math.isnan(r.value) else f" ({money(r.value)})"
            ctx.warn(r.line, f"unknown ticker {r.raw} counted as cash{amount} (--unknown cash)")
    return [r for r in rows if r.kind != "unknown"]


def scale_weights(rows: list[Row], header: Header, ctx: Context) -> None:
    """Turn weights into fractions: percent if a cell says so (``12.5%``), if they add up to
    more than 1.5 (so about 100), or if the column name says so unless they add up to 1."""
    total = math.fsum(r.weight for r in rows if not math.isnan(r.weight))
    near_one = abs(total - 1.0) <= 2 * WEIGHT_TOLERANCE
    if (
        any(r.weight_percent for r in rows)
        or total > 1.5
        or (header.weight_percent and not near_one)
    ):
        for r in rows:
            r.weight /= 100.0
    elif header.weight_percent:
        column = header.names["weight"]
        ctx.note(f"column {column!r} read as fractions (they add up to {total:.4g}), not percent")


def basis(positions: list[Row], header: Header, path: str) -> str:
    """The richest unit every non-cash line has: shares, else value, else weight."""
    tests: dict[str, Callable[[Row], bool]] = {
        "shares": lambda r: not math.isnan(r.shares),
        "value": lambda r: not math.isnan(r.value),  # filled from shares x price when given
        "weight": lambda r: not math.isnan(r.weight),
    }
    if not positions:
        return next(b for b in tests if b in header.columns)
    lacking: dict[str, Row] = {}
    for name, has in tests.items():
        missing = [r for r in positions if not has(r)]
        if not missing:
            return name
        lacking[name] = missing[0]
    bare = next((r for r in positions if not any(has(r) for has in tests.values())), None)
    line: int | None = None
    if bare is not None:
        detail, line = f"{bare.raw} has no shares, market value or weight", bare.line
    else:
        detail = ", ".join(f"line {r.line} ({r.raw}) has no {b}" for b, r in lacking.items())
    hint = (
        "every line needs shares, or every line a market value (or shares and price), or "
        "every line a weight; fill in the missing figures"
    )
    raise bad(path, line, f"conflicting/insufficient units: {detail}", None, hint)


def cash_totals(cash_rows: list[Row], header: Header, basis: str, path: str) -> tuple[float, float]:
    """Cash in dollars (NaN when a weight-basis file does not value it) and as a weight.

    Every line counted as cash needs a dollar amount (or a weight, on a weight basis).
    """
    for r in cash_rows:
        if not math.isnan(r.value) or (basis == "weight" and not math.isnan(r.weight)):
            continue
        hint = "give the line's market value"
        if r.kind == "unknown_cash":
            hint += ", map it to a known ticker with --map, or leave it out with --unknown skip"
        message = f"{r.raw} cannot be counted as cash: no market value (nor shares and price)"
        raise bad(path, r.line, message, r.raw, hint)
    cash = NAN if basis == "weight" and not cash_rows else total([r.value for r in cash_rows])
    has_weight = "weight" in header.columns
    return cash, total([r.weight for r in cash_rows]) if has_weight else NAN


def check_weights(rows: list[Row], header: Header, basis: str, ctx: Context) -> None:
    """Weights must not add up to more than 100 %; say so when they don't add up to 100 %."""
    if "weight" not in header.columns:
        return
    given = [r for r in rows if not math.isnan(r.weight)]
    whole = math.fsum(r.weight for r in given)
    accounts: dict[str, float] = {}
    for r in given:
        accounts[r.account] = accounts.get(r.account, 0.0) + r.weight
    per_account = len(accounts) > 1 and all(t <= WEIGHT_LIMIT for t in accounts.values())
    if whole > WEIGHT_LIMIT and per_account and basis != "weight":
        for r in rows:
            r.weight = NAN
        ctx.note(
            f"weights are per account ({len(accounts)} accounts, {whole:.2%} in all): "
            f"not used, the {basis} are"
        )
        return
    if whole > WEIGHT_LIMIT:
        hint = (
            "check the weight column (a percent of this account?) and remove total lines; "
            "for several accounts give shares or market values"
        )
        raise bad(
            ctx.path, None, f"weights add up to {whole:.2%}, over 100 %", f"{whole:.2%}", hint
        )
    if given and len(given) == len(rows) and abs(whole - 1.0) > WEIGHT_TOLERANCE:
        ctx.note(f"weights add up to {whole:.2%} including cash, not 100 %; nothing was rescaled")


def total(numbers: list[float]) -> float:
    """The sum, or NaN when any term is missing (a partial sum would mislead)."""
    return NAN if any(math.isnan(x) for x in numbers) else math.fsum(numbers)  # order-free


# --- prices --------------------------------------------------------------------------------------


def check_implied_prices(positions: list[Row], ctx: Context) -> None:
    """Compare value / shares with the snapshot's price on lines that give no price.

    More than 25 % away: warned, the file's market value is used (so the position is priced at
    value / shares). More than 3 times above or below: refused as a units error. Needs the
    snapshot's prices (``ctx.prices``); mapped lines are checked in :func:`combine_mapped`.
    """
    for r in positions:
        if r.mapped or r.instrument != Instrument.SECURITY:
            continue
        if not (r.shares > 0 and r.value > 0 and math.isnan(r.price)):
            continue
        snapshot = ctx.price(r.ticker)
        implied = r.value / r.shares
        verdict, gap = price_gap(implied, snapshot)
        said = (
            f"{r.raw}: market value {money(r.value)} / {quantity(r.shares)} shares = "
            f"{money(implied)} a share, but the snapshot's price is {money(snapshot)} "
            f"({describe_gap(gap)})"
        )
        if verdict == "refuse":
            raise bad(ctx.path, r.line, said, money(r.value), UNITS_HINT)
        if verdict == "warn":
            ctx.warn(r.line, f"{said}; the file's market value is used ({money(implied)} a share)")


def _price(group: list[Row]) -> float:
    """One price for a ticker's lines: the common one, else share-weighted over held lines
    (so that shares x price is the sum of the lines' shares x price)."""
    priced = [r for r in group if not math.isnan(r.price)]
    if len({r.price for r in priced}) <= 1:
        return priced[0].price if priced else NAN
    held = [r for r in priced if r.shares > 0]
    if not held:
        return math.fsum(r.price for r in priced) / len(priced)
    return math.fsum(r.price * r.shares for r in held) / math.fsum(r.shares for r in held)


def _own_price(r: Row) -> float:
    """A line's price per share as the file gives it: its price, else value / shares."""
    if not math.isnan(r.price):
        return r.price
    return r.value / r.shares if r.shares > 0 and not math.isnan(r.value) else NAN


def combine_mapped(ticker: str, group: list[Row], ctx: Context) -> None:
    """Make the lines read as ``ticker`` by ``--map`` speak in ``ticker``'s shares.

    A mapped line keeps its own value: its shares are another security's. When it joins lines
    that hold ``ticker`` directly, it is counted as value / their price shares of ``ticker`` at
    that price (so the row's shares x price is the sum of the lines' values). Alone, it is
    left as written and valued at its own value (see ``analysis.value_positions``). A mapped
    line with only a quantity is valued at ``ticker``'s price, and said so.
    """
    mapped = [r for r in group if r.mapped]
    direct = [r for r in group if not r.mapped]
    target = _price(direct)
    if math.isnan(target) and any(r.shares > 0 and r.value >= 0 for r in direct):
        held = [r for r in direct if r.shares > 0 and r.value >= 0]
        target = math.fsum(r.value for r in held) / math.fsum(r.shares for r in held)
    target = ctx.price(ticker) if math.isnan(target) else target
    where = ", ".join(str(r.line) for r in direct)
    for r in mapped:
        said = f"{r.raw} read as {ticker} (--map)"
        if math.isnan(r.value):
            if not math.isnan(r.shares):
                ctx.warn(
                    r.line,
                    f"{said} has only a quantity: valued as {quantity(r.shares)} shares at "
                    f"{ticker}'s price; if {r.raw} is priced differently this is wrong: give the "
                    "line's price or market value",
                )
            continue
        own = _own_price(r)
        if direct and math.isnan(target):
            hint = f"give line {where} a price or market value, or --map {r.raw} elsewhere"
            message = (
                f"{said} has a market value, but {ticker} on line {where} only a quantity: "
                f"they cannot be added up without {ticker}'s price"
            )
            raise bad(ctx.path, r.line, message, r.raw, hint)
        _say_mapped(r, ticker, own, target, where, ctx)
        if direct or price_gap(own, target)[0] != "ok":
            r.shares, r.price = r.value / target, target


def _say_mapped(r: Row, ticker: str, own: float, target: float, where: str, ctx: Context) -> None:
    """The warning of a mapped line with a value of its own (see :func:`combine_mapped`)."""
    own_text = f"its own value {money(r.value)}" + (
        "" if math.isnan(own) else f" ({money(own)} a share)"
    )
    said = f"{r.raw} read as {ticker} (--map) keeps {own_text}"
    if math.isnan(target):
        ctx.warn(
            r.line,
            f"{said}; if that price is more than 25 % from {ticker}'s, its shares are not "
            f"{ticker} shares and count as value / {ticker}'s price",
        )
        return
    gap = price_gap(own, target)
    converted = f"{quantity(r.value / target)} {ticker} shares at {money(target)}"
    if where:
        ctx.warn(r.line, f"{said}, joining {ticker} on line {where}: counted as {converted}")
    elif gap[0] != "ok":
        ctx.warn(
            r.line,
            f"{said}: {ticker}'s price is {money(target)} ({describe_gap(gap[1])}), so its shares are not "
            f"{ticker} shares: counted as {converted}",
        )


def _instrument_price(group: list[Row]) -> float:
    """One quoted price for a bond's or option's lines, so that value = shares x price x scale
    for the sum of the lines (the common price, else the value-weighted one)."""
    if len({r.price for r in group if not math.isnan(r.price)}) <= 1:
        return _price(group)
    shares, value = total([r.shares for r in group]), total([r.value for r in group])
    return value / (shares * group[0].scale) if shares and not math.isnan(value) else NAN


def _instrument_row(ticker: str, group: list[Row], ctx: Context) -> instruments.TableRow:
    """(key, terms, summed quantity, summed accrued interest) of one bond or option."""
    terms = group[0].terms
    assert terms is not None  # a bond's or option's line has its terms
    if isinstance(terms, instruments.Option):
        multipliers = {r.terms.multiplier for r in group if isinstance(r.terms, instruments.Option)}
        if len(multipliers) > 1:
            where = ", ".join(str(r.line) for r in group)
            message = f"option {ticker} has different multipliers ({sorted(multipliers)})"
            hint = "one option has one multiplier; fix the Multiplier column"
            raise bad(ctx.path, group[0].line, f"{message} on lines {where}", ticker, hint)
    accrued = [r.accrued for r in group if not math.isnan(r.accrued)]
    return ticker, terms, total([r.shares for r in group]), math.fsum(accrued) if accrued else NAN


def _say_lines(ticker: str, group: list[Row], ctx: Context) -> None:
    """Name the lines of a ticker that is on several lines (accounts, lots of unknown date)."""
    if len(group) < 2 or all(r.acquired is not None or r.term for r in group):
        return  # one line, or a lot file's lots: nothing to say
    where = ", ".join(f"{r.line} ({r.raw})" for r in group)
    accounts = {r.account for r in group}
    held = f" in {len(accounts)} accounts" if len(accounts) > 1 else ""
    ctx.warn(
        group[0].line,
        f"{ticker} appears on {len(group)} lines{held} ({where}): added up in one position, "
        "each line kept as a lot",
    )


def aggregate(positions: list[Row], ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per ticker (bond CUSIP, option symbol), sorted; duplicate lines added up (each
    stays a lot, see :mod:`advisor.holdings.lots`), with a warning naming the lines; and the
    instruments table of the bonds and options among them."""
    groups: dict[str, list[Row]] = {}
    for r in positions:
        groups.setdefault(r.ticker, []).append(r)
    names = sorted(groups)
    columns: dict[str, list[object]] = {c: [] for c in POSITION_COLUMNS}
    special: list[instruments.TableRow] = []
    for ticker in names:
        group = groups[ticker]
        if any(r.mapped for r in group):
            combine_mapped(ticker, group, ctx)
        _say_lines(ticker, group, ctx)
        for role in ("shares", "value", "weight", "cost_basis"):
            columns[role].append(total([getattr(r, role) for r in group]))
        kind = group[0].instrument
        security = kind == Instrument.SECURITY
        columns["price"].append(_price(group) if security else _instrument_price(group))
        columns["account"].append("; ".join(sorted({r.account for r in group if r.account})))
        columns["lines"].append(tuple(r.line for r in group))
        columns["raw"].append(tuple(r.raw for r in group))
        columns["instrument"].append(str(kind))
        if not security:
            special.append(_instrument_row(ticker, group, ctx))
    index = pd.Index(names, name="ticker", dtype="str")
    data = {
        c: pd.Series(columns[c], index=index, dtype="float64" if c in NUMERIC else object)
        for c in POSITION_COLUMNS
    }
    data["account"] = data["account"].astype("str")
    data["instrument"] = data["instrument"].astype("str")
    return pd.DataFrame(data, index=index), instruments.table(special)
