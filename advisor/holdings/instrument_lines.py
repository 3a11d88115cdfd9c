"""Bond and option lines of a holdings file: which lines they are, and what their figures say.

:func:`recognise` runs on each line before its ticker is looked up in the snapshot: a CUSIP
(check digit verified) is a bond, an option symbol or an option's description is an option;
neither needs a snapshot ticker. :func:`check_line` holds their figures to their units: a bond's
quantity is its face value and its price is quoted per 100 of face (value = face x price / 100,
accrued interest left out); an option's quantity is its signed contract count and its price the
premium per share of the underlying (value = contracts x multiplier x price, negative when
written). Every refusal is an :class:`~advisor.errors.InputError` naming the line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from advisor.domain import Instrument
from advisor.holdings import tickers
from advisor.holdings.dates import parse_date
from advisor.holdings.instruments import (
    MULTIPLIER,
    Bond,
    Option,
    OptionTerms,
    coupon_from_text,
    looks_like_cusip,
    option_from_description,
    option_from_symbol,
    parse_bond,
    shares_per_contract,
    valid_cusip,
)
from advisor.holdings.lines import NAN, Context, Header, Row, money, quantity
from advisor.holdings.numbers import implausible, parse_number, shorten
from advisor.holdings.tables import bad

#: A bond's market value within this fraction of face x price / 100 (plus a dollar) is the same
#: figure rounded; farther is accrued interest or a units error (prices are quoted to 1/256).
BOND_TOLERANCE = 0.0005
OPTION_TOLERANCE = 0.01  # as for shares x price
MAX_MULTIPLIER = 10_000.0
_BOND_HINT = (
    "a bond's quantity is its face value and its price is quoted per 100 of face, so value = "
    "face x price / 100 (accrued interest apart); if the line is no bond but a security named "
    "by its CUSIP, --map the CUSIP to its ticker"
)
_OPTION_HINT = (
    "an option's quantity is in contracts (negative when written) and its price is the premium "
    "per share of the underlying, so value = contracts x multiplier x price"
)
_SHORT_HINT = "only options may be written (negative); fix the sign of the bond line"


# --- which lines --------------------------------------------------------------------------------


def recognise(
    line: int, raw: str, description: str, texts: Mapping[str, str], ctx: Context
) -> Bond | Option | None:
    """The bond or option a line holds, or None for any other line.

    Tried in order: an option symbol in the ticker cell; a CUSIP there (or, when the ticker cell
    is empty, in a CUSIP column) that is no known ticker; an option's description. A ticker the
    user ``--map``-ped is left to the mapping.

    Raises
    ------
    InputError
        An option symbol with no real expiry or strike; a CUSIP-shaped symbol whose check digit
        is wrong; a multiplier that is no positive number.
    """
    text = raw.rstrip("*").strip()
    if text and tickers.canonical(text) in ctx.mapping:
        return None
    try:
        terms = option_from_symbol(text) if text else None
    except ValueError as exc:
        message = f"{shorten(raw)!r} is written as an option symbol, but {exc}"
        hint = "fix the symbol (OCC: root, YYMMDD, C or P, strike x 1000 in 8 digits)"
        raise bad(ctx.path, line, message, shorten(raw), hint) from exc
    if terms is not None:
        return _option(line, terms, "", description, texts, ctx)
    cusip = text.upper() if text else texts.get("cusip", "").strip().upper()
    if looks_like_cusip(cusip) and tickers.resolve(cusip, ctx.known) is None:
        return _bond(line, cusip, description, texts, ctx)
    symbol = text if tickers.looks_like_ticker(text) and " " not in text else ""
    found = option_from_description(description, symbol) if description else None
    if found is None:
        return None
    terms, name = found
    return _option(line, terms, name, description, texts, ctx)


def _bond(line: int, cusip: str, description: str, texts: Mapping[str, str], ctx: Context) -> Bond:
    """A bond line's terms (a wrong check digit is refused; unknown terms are warned)."""
    if not valid_cusip(cusip):
        message = (
            f"{cusip} looks like a CUSIP (nine characters ending in a digit) but its check digit "
            "is wrong, and it is no ticker the snapshot knows"
        )
        hint = "fix the CUSIP (a typo?), or --map it to the ticker it stands for"
        raise bad(ctx.path, line, message, cusip, hint)
    maturity = parse_date(texts.get("maturity", ""))
    coupon = coupon_from_text(texts.get("coupon", ""))
    bond = parse_bond(cusip, description, coupon, maturity)
    missing = bond.unknown_terms()
    if missing:
        said = f"description {shorten(description, 60)!r}" if description else "no description"
        ctx.warn(
            line,
            f"{cusip} is a bond (CUSIP) whose {' and '.join(missing)} cannot be read ({said}): "
            "kept as a bond with unknown terms, valued from the file",
        )
    return bond


def _option(
    line: int,
    terms: OptionTerms,
    name: str,
    description: str,
    texts: Mapping[str, str],
    ctx: Context,
) -> Option:
    """An option line's terms, its underlying resolved (an unknown one is warned, not refused)."""
    root = terms.root or _ticker_by_name(name, ctx)
    underlying = tickers.resolve(root, ctx.known) if root else None
    multiplier = _multiplier(line, texts, description, ctx)
    if root:
        key = OptionTerms(root, terms.right, terms.strike, terms.expiry).key()
    else:
        key = " ".join(description.upper().split())[:80]
    if underlying is None:
        said = f"{root!r} is not in the market snapshot" if root else f"{name!r} names no ticker"
        ctx.warn(
            line,
            f"option {key}: its underlying {said}; kept as an option, valued from the file, "
            "with no look-through to the underlying",
        )
    shown = underlying or (tickers.canonical(root) if root else "")
    return Option(
        OptionTerms(root, terms.right, terms.strike, terms.expiry), shown, multiplier, key
    )


def _ticker_by_name(name: str, ctx: Context) -> str:
    """The one snapshot ticker whose name has the same distinctive words as ``name``, or ''."""
    if not name or ctx.names is None:
        return ""
    if ctx.name_index is None:
        index: dict[frozenset[str], list[str]] = {}
        for ticker, full in ctx.names.items():
            if isinstance(full, str):
                index.setdefault(frozenset(tickers.name_words(full)), []).append(ticker)
        ctx.name_index = index
    matches = ctx.name_index.get(frozenset(tickers.name_words(name)), [])
    return matches[0] if len(matches) == 1 and tickers.name_words(name) else ""


def _multiplier(line: int, texts: Mapping[str, str], description: str, ctx: Context) -> float:
    """Shares per contract: the Multiplier column, else ``(100 SHS)`` in the description, else 100."""
    cell = texts.get("multiplier", "")
    try:
        parsed = parse_number(cell)
    except ValueError:
        parsed = (NAN, False)
    if parsed is None:
        stated = shares_per_contract(description)
        return MULTIPLIER if math.isnan(stated) else stated
    if not 0 < parsed[0] <= MAX_MULTIPLIER or parsed[1]:
        hint = "give the shares of the underlying per contract (100 for listed options)"
        raise bad(ctx.path, line, "not a contract multiplier", shorten(cell), hint)
    return parsed[0]


# --- their figures ------------------------------------------------------------------------------


def check_line(row: Row, texts: Mapping[str, str], header: Header, ctx: Context) -> None:
    """Hold a bond or option line's figures to its units; fill its value when the file has none.

    Raises
    ------
    InputError
        A negative price; a negative bond line; a value that contradicts the quantity and price
        (beyond rounding, or for a bond accrued interest); no value and no quantity x price.
    """
    option = row.instrument == Instrument.OPTION
    for role in ("price",) if option else ("shares", "value", "weight", "price"):
        if getattr(row, role) < 0:
            what = {"shares": "face value", "value": "value", "weight": "weight"}.get(role, role)
            message = f"negative {what} for {row.raw}"
            hint = _OPTION_HINT if role == "price" else _SHORT_HINT
            raise bad(ctx.path, row.line, message, texts[role].strip(), hint)
    if option:
        _option_value(row, texts, ctx)
    else:
        _bond_value(row, texts, header, ctx)
    if math.isnan(row.value) and row.shares != 0:
        what = "face value" if not option else "contracts"
        message = f"{row.raw} has no market value, nor {what} and a price to value it by"
        hint = "give the line's market value, or its quantity and price"
        raise bad(ctx.path, row.line, message, row.raw, hint)


def cents(x: float) -> float:
    """Money to the cent, halves away from zero as custodians round (50,703.125 -> 50,703.13;
    ``round`` gives .12), read from the shortest repr so that 1.005 is 1.01."""
    if not math.isfinite(x) or abs(x) >= 1e15:  # no cents that far (and Decimal's 28 digits)
        return x
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _filled(row: Row, expected: float, ctx: Context) -> None:
    """Fill a missing value with ``expected`` (to the cent), refusing an implausible one."""
    if math.isnan(row.value) and not math.isnan(expected):
        row.value = cents(expected)
        why = implausible("value", row.value)
        if why is not None:
            message = f"{row.raw}: {quantity(row.shares)} x {money(row.price)} is {why}"
            raise bad(ctx.path, row.line, message, f"{row.value:g}", "fix the quantity or price")


def _option_value(row: Row, texts: Mapping[str, str], ctx: Context) -> None:
    """value = contracts x multiplier x price, with the contracts' sign."""
    assert isinstance(row.terms, Option)
    multiplier = row.terms.multiplier
    expected = row.shares * multiplier * row.price
    if row.shares * row.value < 0:
        message = (
            f"{row.raw}: value {money(row.value)} and {quantity(row.shares)} contracts have "
            "opposite signs (a written option is worth a negative amount)"
        )
        raise bad(ctx.path, row.line, message, texts["value"].strip(), _OPTION_HINT)
    known = not (math.isnan(expected) or math.isnan(row.value))
    if known and abs(row.value - expected) > OPTION_TOLERANCE * abs(expected) + 1.0:
        message = (
            f"{row.raw}: value {money(row.value)} != {quantity(row.shares)} contracts x "
            f"{multiplier:g} x {money(row.price)}"
        )
        raise bad(ctx.path, row.line, message, texts["value"].strip(), _OPTION_HINT)
    _filled(row, expected, ctx)


def _bond_value(row: Row, texts: Mapping[str, str], header: Header, ctx: Context) -> None:
    """value = face x price / 100, clean: a file value that includes accrued interest (the
    Accrued Interest column's, or within half a year's coupon above) is replaced by it."""
    assert isinstance(row.terms, Bond)
    row.accrued = _accrued(row, texts, header, ctx)
    clean = cents(row.shares * row.price / 100.0)  # NaN stays NaN
    if math.isnan(clean) or math.isnan(row.value):
        _filled(row, clean, ctx)
        return
    gap, tolerance = row.value - clean, BOND_TOLERANCE * abs(clean) + 1.0
    accrued = 0.0 if math.isnan(row.accrued) else row.accrued
    if accrued and abs(gap - accrued) < abs(gap) and abs(gap - accrued) <= tolerance:
        said = f"the Accrued Interest column's {money(accrued)}"
    elif abs(gap) <= tolerance:
        return
    elif math.isnan(row.accrued) and 0 < gap <= row.shares * row.terms.coupon / 2 + tolerance:
        said = f"{money(gap)}, read as accrued interest (at most half a year's coupon)"
    else:
        message = (
            f"{row.raw}: value {money(row.value)} != {quantity(row.shares)} face x "
            f"{money(row.price)} / 100 = {money(clean)}"
        )
        raise bad(ctx.path, row.line, message, texts["value"].strip(), _BOND_HINT)
    ctx.warn(
        row.line,
        f"{row.raw}: market value {money(row.value)} includes {said}: valued clean at "
        f"face x price / 100 = {money(clean)}",
    )
    row.accrued = gap if math.isnan(row.accrued) else row.accrued
    row.value = clean


def _accrued(row: Row, texts: Mapping[str, str], header: Header, ctx: Context) -> float:
    """The line's accrued interest from an Accrued Interest column (NaN when none)."""
    if "accrued" not in texts:
        return NAN
    column = header.names["accrued"]
    try:
        parsed = parse_number(texts["accrued"])
    except ValueError as exc:
        message = f"cannot read {shorten(texts['accrued'])!r} in column {column!r} as a number"
        raise bad(ctx.path, row.line, message, shorten(texts["accrued"]), "fix the cell") from exc
    if parsed is None:
        return NAN
    why = implausible("value", parsed[0])
    if why is not None or parsed[1]:
        message = f"{texts['accrued'].strip()!r} in column {column!r} is no accrued interest"
        raise bad(ctx.path, row.line, message, texts["accrued"].strip(), "fix the cell")
    return parsed[0]


def note_accrued(positions: list[Row], header: Header, ctx: Context) -> None:
    """Say once that the accrued interest an Accrued Interest column gives is not in the bonds'
    values (a line whose market value included it says so itself)."""
    if "accrued" not in header.columns:
        return
    given = [r for r in positions if r.instrument == Instrument.BOND and r.accrued]
    given = [r for r in given if not math.isnan(r.accrued)]
    if not given:
        return
    where = ", ".join(str(r.line) for r in given)
    total = math.fsum(r.accrued for r in given)
    ctx.note(
        f"accrued interest of {money(total)} (column {header.names['accrued']!r}, line(s) "
        f"{where}) is not part of the bonds' values: bonds are valued clean, at face x price / "
        "100 (the interest is kept in the instruments table)"
    )
