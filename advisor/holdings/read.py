"""Read a client's holdings from a custodian export (CSV or XLSX) into a ``Holdings``.

Custodian exports are messy: a title before the header, a byte-order mark, ``$1,234.56`` and
``(12.00)``, the same ticker on several lines (one per account or tax lot), cash and money-market
lines, totals and disclaimers at the bottom. :func:`read_holdings` reads all of that and accounts
for every line: each one ends up in ``positions``, in ``cash_lines`` or in a warning. Anything it
cannot read with confidence raises :class:`~advisor.errors.InputError` naming the file, the line,
the value and what to do.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from advisor.domain import Holdings, Instrument
from advisor.errors import InputError
from advisor.holdings import accounts, instrument_lines, lines, lots, tickers
from advisor.holdings.instruments import Option
from advisor.holdings.lines import NUMERIC, Context, Header, Row, money
from advisor.holdings.numbers import implausible, parse_number, shorten
from advisor.holdings.tables import bad, read_table

#: Column names we accept, per role (compared case-, space- and punctuation-insensitively).
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    role: tuple(names.split("|"))
    for role, names in {
        "ticker": "Symbol|Ticker|Ticker Symbol|Security ID|Symbol/CUSIP|Security Symbol|"
        "Stock Symbol",
        "shares": "Quantity|Qty|Shares|Units|Share Quantity|Number of Shares|Shares Held|"
        "Quantity Held|Share Count",
        "value": "Market Value|Value|Current Value|Mkt Val|Mkt Value|Market Val|Amount|"
        "Total Value|Position Value|Balance|Ending Value",
        "weight": "Weight|% of Account|% of Acct|Percent of Account|% of Portfolio|"
        "Percent of Portfolio|% of Total|% of Assets|% of Holdings|Pct of Account|Allocation|"
        "Portfolio Weight|Weight %|Percent|Target Weight|Target|Target Allocation|Model Weight",
        "price": "Price|Last Price|Last|Current Price|Market Price|Closing Price|Close Price|"
        "Share Price|Unit Price|Last Sale Price",
        "cost_basis": "Cost Basis|Cost Basis Total|Total Cost|Cost|Total Cost Basis|Book Value",
        "account": "Account|Account Number|Account ID|Account No|Acct|Acct Number",
        "account_name": "Account Name|Account Nickname|Account Description|Account Title",
        # tax lots (see advisor.holdings.lots)
        "acquired": "Acquired|Acquired Date|Date Acquired|Open Date|Acquisition Date|"
        "Purchase Date|Date Purchased",
        "term": "Term|Holding Period|Short/Long Term|Short/Long|Long/Short Term|Gain Term",
        "cost_per_share": "Cost/Share|Cost per Share|Cost Basis per Share|Average Cost|"
        "Avg Cost|Average Cost Basis|Average Cost per Share|Unit Cost|Avg Cost/Share",
        "description": "Description|Name|Security Name|Security Description|Investment Name|"
        "Security",
        # bonds and options (see advisor.holdings.instrument_lines)
        "cusip": "CUSIP|CUSIP Number|Cusip/ISIN",
        "accrued": "Accrued Interest|Accrued Int|Accrued Income|Accrued Interest Amount|Accrued",
        "coupon": "Coupon|Coupon Rate|Cpn|Coupon %|Interest Rate",
        "maturity": "Maturity|Maturity Date|Mat Date|Maturity Dt",
        "multiplier": "Multiplier|Contract Multiplier|Contract Size|Shares per Contract",
    }.items()
}
_AMOUNTS = ("shares", "value", "weight")
_CLASS_SPACED = re.compile(r"^[A-Za-z0-9]{1,6}\s+[A-Za-z]{1,2}$")
_PENDING = re.compile(r"^pending\b", re.IGNORECASE)
_TOTAL = re.compile(r"total", re.IGNORECASE)
#: A whole cell that says the line is a total ("Total", "Account Total", "Grand Total", ...).
_TOTAL_CELL = re.compile(
    r"(?:(?:grand|sub|portfolio|account|accounts|all\s+accounts|holdings|positions)[\s-]*)?"
    r"totals?(?:\s+(?:value|market\s+value|portfolio|account|accounts|holdings|positions|"
    r"for\s+all\s+accounts))?\s*:?",
    re.IGNORECASE,
)
_LOT_TITLE = re.compile(r"\blots?\b|\bcost basis\b", re.IGNORECASE)  # "AAPL Lot Details"
_LONGEST_NAME = 100  # a longer cell is no column name (and no total marker)
_SIGNED = {"shares": "quantity", "value": "value", "price": "price", "weight": "weight"}
_UNITS_HINT = (
    "one of the columns is in other units (price in cents, value in thousands, quantity in "
    "lots?); fix the file so that value = shares x price"
)
_SHORT_HINT = "advisor handles long-only accounts; remove the line or fix its sign"


def _norm(text: str) -> str:
    """A column name as lower-case letters and digits: ``'% of Acct'`` -> ``'percentofacct'``."""
    text = text.lower().replace("%", "percent").replace("#", "number")
    return re.sub(r"[^a-z0-9]", "", text)


_ROLE_OF: dict[str, str] = {_norm(n): role for role, names in SYNONYMS.items() for n in names}


def read_holdings(
    path: str | os.PathLike[str],
    known: Collection[str],
    *,
    mapping: Mapping[str, str] | None = None,
    unknown: Literal["error", "cash", "skip"] = "error",
    prices: Mapping[str, float] | None = None,
    names: Mapping[str, str] | None = None,
    mutual_funds: Callable[[str], str | None] | None = None,
) -> Holdings:
    """Read a holdings export (CSV or XLSX, first sheet) into :class:`~advisor.domain.Holdings`.

    Parameters
    ----------
    path : str or os.PathLike
        The custodian export. CSV (any of ``,``, ``;``, tab or ``|``; UTF-8 with or without BOM,
        UTF-16 with BOM, else cp1252/latin-1) or XLSX. Text before the header row is skipped.
    known : collection of str
        Canonical tickers the market snapshot knows; every line is resolved against it with
        :func:`advisor.tickers.resolve`.
    mapping : mapping of str to str, optional
        The user's ticker corrections (``--map OLD=NEW``), applied before resolving. Keys and
        values are compared in canonical spelling; a value may be a cash symbol (``CASH``).
    unknown : {"error", "cash", "skip"}
        What to do with tickers not in ``known``: raise :class:`UnknownTickersError` listing all
        of them, value the line as cash, or leave it out; the latter two with a warning.
    prices : mapping of str to float, optional
        The snapshot's price per share by canonical ticker. With it, a share price implied by
        the file (market value / shares, on lines without a price) is checked against the
        snapshot's (warned beyond 25 %, refused beyond a factor 3), and a mapped line is
        compared with its target's price. Without it, ``analysis.value_positions`` refuses the
        factor-3 cases.
    names : mapping of str to str, optional
        The snapshot's security names by ticker: a typo suggestion for an unknown ticker must
        share a word with the line's description.
    mutual_funds : callable, optional
        ticker -> name and family of a mutual fund the snapshot has no prices for (NASDAQ's
        list), else None: such an unknown ticker is named in the error, with the way forward.

    Returns
    -------
    Holdings
        One row per known ticker, bond (by CUSIP) or option (by OCC symbol), duplicate lines
        summed; the bonds' and options' terms in ``instruments``; cash and money-market lines in
        ``cash``, and a warning for everything else the file said. A missing market value is
        filled with shares x price when both are given (face x price / 100 for a bond, contracts
        x multiplier x price for an option; 0 for a zero-quantity line).

    Raises
    ------
    InputError
        The file is missing, not a CSV/XLSX export, has no recognisable header, or a line cannot
        be read (unparseable or implausible number, short position other than a written option
        or signed ticker, value != shares x price, weights over 100 %, a price implied by the
        file a factor 3 from the snapshot's, a CUSIP with a wrong check digit, an option symbol
        with no real expiry, a bond or option line without a value or a price).
    UnknownTickersError
        With ``unknown="error"``, when tickers are not in ``known`` (all listed at once).
    """
    if unknown not in ("error", "cash", "skip"):
        raise ValueError(f"unknown must be 'error', 'cash' or 'skip', not {unknown!r}")
    name = os.fspath(path)
    canon_map = {tickers.canonical(k): tickers.canonical(v) for k, v in (mapping or {}).items()}
    ctx = Context(name, known, canon_map, prices, names, mutual_funds=mutual_funds)
    header, kept = _lines(name, unknown, ctx)
    positions = [r for r in kept if r.kind == "position"]
    cash_rows = [r for r in kept if r.kind != "position"]
    basis, cash, cash_weight = _checked_totals(name, header, kept, positions, cash_rows, ctx)
    for key in sorted(set(canon_map) - ctx.used):
        ctx.note(f"--map {key}={canon_map[key]} matched no line")
    frame, terms = lines.aggregate(positions, ctx)
    lots.note_undated(positions, "acquired" in header.columns, ctx)
    account_table = _account_table(header, kept, cash_rows, ctx)
    ctx.warnings.sort(key=lambda item: item[0])
    return Holdings(path=name, positions=frame, cash=cash, cash_weight=cash_weight,
                    cash_lines=tuple(sorted(r.line for r in cash_rows)),
                    warnings=tuple(text for _, text in ctx.warnings), basis=basis,
                    instruments=terms, lots=lots.table(positions), accounts=account_table)  # fmt: skip


def _lines(
    name: str, unknown: Literal["error", "cash", "skip"], ctx: Context
) -> tuple[Header, list[Row]]:
    """The file's header and its lines, sum and total lines dropped, unknown tickers handled,
    weights scaled to fractions."""
    table = read_table(name, lambda rows: _header_at(rows) is not None)
    header = _find_header(table, name)
    rows = lines.skip_sum_totals(_read_body(table, header, ctx), header, ctx)
    kept = lines.handle_unknown(rows, unknown, ctx)
    lines.scale_weights(kept, header, ctx)
    return header, kept


def _checked_totals(name: str, header: Header, kept: list[Row], positions: list[Row],
                    cash_rows: list[Row], ctx: Context) -> tuple[str, float, float]:  # fmt: skip
    """(the values' basis, cash, cash weight), once the lines are checked against each other
    and the snapshot; a file with no holdings at all is refused."""
    if not kept:
        skipped = "".join(f"; {text}" for _, text in ctx.warnings[:3])
        message = f"no holdings found below the header (line {header.line}){skipped}"
        hint = "the file lists no positions or cash; check it is the right export"
        raise bad(name, None, message, None, hint)
    basis = lines.basis(positions, header, name)
    lines.check_weights(kept, header, basis, ctx)
    cash, cash_weight = lines.cash_totals(cash_rows, header, basis, name)
    lines.check_implied_prices(positions, ctx)
    instrument_lines.note_accrued(positions, header, ctx)
    return basis, cash, cash_weight


def _account_table(
    header: Header, kept: list[Row], cash_rows: list[Row], ctx: Context
) -> pd.DataFrame:
    """The accounts the lines name, with their cash (and the notes on them)."""
    named = "account" in header.columns or any(r.account for r in kept)
    cash_of = accounts.cash_by_account((r.account, r.value) for r in cash_rows)
    seen = [(r.account, r.account_name) for r in sorted(kept, key=lambda r: r.line)]
    account_table, said = accounts.table(seen, cash_of, named)
    for text in said:
        ctx.note(text)
    return account_table


# --- the header --------------------------------------------------------------------------------


def _column_role(text: str) -> str | None:
    """The role of a column name (``"ticker"``, ``"shares"``, ...), or None when we don't use it."""
    if len(text) > _LONGEST_NAME:  # also keeps the lazy patterns below linear
        return None
    outer = re.sub(r"\(.*?\)", " ", text)
    for key in (_norm(text), _norm(outer), *map(_norm, re.findall(r"\((.*?)\)", text))):
        if key in _ROLE_OF:
            return _ROLE_OF[key]
    return None


def _roles(cells: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Role -> column index and role -> name as written, for the first column of each role."""
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, cell in enumerate(cells):
        role = _column_role(cell)
        if role is not None and role not in columns:
            columns[role] = i
            names[role] = cell.strip()
    return columns, names


def _header_at(rows: list[tuple[int, list[str]]]) -> Header | None:
    """The first row with a ticker column (or, in a lot file whose sections name the ticker, an
    acquisition-date column) and a shares, value or weight column, if any."""
    for index, (line, cells) in enumerate(rows):
        columns, names = _roles(cells)
        keyed = "ticker" in columns or "acquired" in columns
        if keyed and any(a in columns for a in _AMOUNTS):
            percent = "weight" in names and bool(re.search(r"%|percent|pct", names["weight"], re.I))
            return Header(index, line, columns, names, percent)
    return None


def _find_header(rows: list[tuple[int, list[str]]], path: str) -> Header:
    """The header row, or an InputError listing the likeliest row's columns and accepted names."""
    header = _header_at(rows)
    if header is not None:
        return header
    filled = [(line, [c.strip() for c in cells if c.strip()]) for line, cells in rows[:50]]
    filled = [(line, cells) for line, cells in filled if cells]
    if not filled:
        raise InputError("the file has no rows", path=path, hint="export the positions again")
    line, cells = max(filled, key=lambda lc: (len(_roles(lc[1])[0]), len(lc[1])))
    found = ", ".join(repr(c[:40]) for c in cells[:20])
    accepted = "; ".join(f"{role}: {', '.join(SYNONYMS[role])}" for role in ("ticker", *_AMOUNTS))
    raise InputError(
        "no header row with a ticker column and a shares, value or weight column "
        f"(columns found, line {line}: {found})",
        path=path,
        hint=f"rename the columns; accepted names are {accepted}",
    )


@dataclass
class Section:
    """The account and ticker that section lines above a line name (Schwab's All-Accounts and
    lot-details layouts), for files without an account or ticker column."""

    account: str = ""
    ticker: str = ""


def _section(line: int, cells: list[str], header: Header, section: Section, ctx: Context) -> bool:
    """Read a line with one cell as a section line (an account's name, a lot file's ticker);
    False when it is not one."""
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) != 1 or _is_total(filled):
        return False
    text = filled[0]
    if "account" not in header.columns and accounts.looks_like_account(text):
        section.account = text
        ctx.warn(line, f"account {text!r}: the lines below are in this account")
        return True
    words = text.split()
    ticker = None
    if "ticker" not in header.columns and words[0].isupper():
        ticker = tickers.resolve(words[0], ctx.known)
    if ticker is not None and (len(words) == 1 or _LOT_TITLE.search(text)):
        section.ticker = ticker
        ctx.warn(line, f"{text!r}: the lots below are {ticker}'s")
        return True
    return False


def _read_body(table: list[tuple[int, list[str]]], header: Header, ctx: Context) -> list[Row]:
    """The lines below the header, up to the header of another table (Vanguard's transactions)."""
    rows: list[Row] = []
    section = Section()
    _read_preamble(table, header, section, ctx)
    for line, cells in table[header.index + 1 :]:
        other = _header_at([(line, cells)])
        if other is None and _section(line, cells, header, section, ctx):
            continue
        if other is None:
            row = _read_line(line, cells, header, section, ctx)
            rows += [row] if row is not None else []
        elif other.columns == header.columns:
            ctx.warn(line, "repeated header row, skipped")
        else:
            end = table[-1][0]
            ctx.warn(
                line, f"another table starts here ({_show(cells)}); lines {line}-{end} not read"
            )
            break
    return rows


def _read_preamble(
    table: list[tuple[int, list[str]]], header: Header, section: Section, ctx: Context
) -> None:
    """Read the section lines above the header (the first account's name, a lot file's ticker)
    and name each other non-blank line (titles) in a warning."""
    for line, cells in table[: header.index]:
        if any(c.strip() for c in cells) and not _section(line, cells, header, section, ctx):
            ctx.warn(line, f"before the header (line {header.line}), skipped: {_show(cells)}")


# --- one line ----------------------------------------------------------------------------------


def _show(cells: list[str]) -> str:
    """A line's non-empty cells, quoted and shortened, for warnings."""
    text = ", ".join(c.strip()[:200] for c in cells if c.strip())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _lenient_amounts(texts: Mapping[str, str]) -> bool:
    """True when any amount column holds a number (used on lines that may not be holdings)."""
    for role in NUMERIC:
        try:
            if parse_number(texts.get(role, "")) is not None:
                return True
        except ValueError:
            continue
    return False


def _is_total(cells: list[str]) -> str | None:
    """The cell that makes a line a total line (``Portfolio Total`` in any column), if any."""
    for cell in cells:
        text = cell.strip()
        if len(text) <= _LONGEST_NAME and _TOTAL_CELL.fullmatch(text):
            return text
    return None


def _classify(line: int, raw: str, description: str, ctx: Context) -> tuple[str, str]:
    """What a line is, from its ticker cell: (kind, ticker or mapped spelling)."""
    if not raw:
        kind = "cash" if description and tickers.is_cash(description) else "noticker"
        return kind, ""
    text = raw.rstrip("*").strip()
    if tickers.signed(text):
        message = (
            f"ticker {shorten(raw)!r} has a sign: a short position written as such is not supported"
        )
        raise bad(ctx.path, line, message, raw, _SHORT_HINT)
    key = tickers.canonical(text)
    if key in ctx.mapping:
        ctx.used.add(key)
        text = ctx.mapping[key]
    if tickers.is_cash(text):
        return "cash", ""
    if _PENDING.search(text):
        return "pending", ""
    if _TOTAL.search(text):
        return "total", ""
    spaced = re.search(r"\s", text) and not _CLASS_SPACED.match(text)
    if spaced or not tickers.looks_like_ticker(text):
        return "note", ""
    resolved = tickers.resolve(text, ctx.known)
    return ("position", resolved) if resolved else ("unknown", tickers.canonical(text))


def _mapped(raw: str, ticker: str, ctx: Context) -> bool:
    """True when ``--map`` made the line another security than its ticker cell names."""
    text = raw.rstrip("*").strip()
    if tickers.canonical(text) not in ctx.mapping:
        return False
    return (tickers.resolve(text, ctx.known) or tickers.canonical(text)) != ticker


def _read_line(
    line: int, cells: list[str], header: Header, section: Section, ctx: Context
) -> Row | None:
    """Parse one line below the header; None (with a warning unless blank) when it is no holding."""
    if not any(c.strip() for c in cells):
        return None
    texts = {role: cells[i] if i < len(cells) else "" for role, i in header.columns.items()}
    texts.setdefault("ticker", section.ticker)
    texts.setdefault("account", section.account)
    raw, description = texts["ticker"].strip(), texts.get("description", "").strip()
    said = _is_total(cells)
    special = None if said else instrument_lines.recognise(line, raw, description, texts, ctx)
    if special is not None:
        kind, ticker = "position", special.key
    else:
        kind, ticker = ("total", "") if said else _classify(line, raw, description, ctx)
    if kind == "unknown" and not _lenient_amounts(texts):
        kind = "note"
    skipped = {
        "total": f"total line{f' ({said!r})' if said else ''}, skipped: {_show(cells)}",
        "note": f"not a holding, skipped: {_show(cells)}",
        "noticker": f"no ticker, skipped: {_show(cells)}",
    }
    if kind in skipped:
        ctx.warn(line, skipped[kind])
        return None
    account = texts["account"].strip() or texts.get("account_name", "").strip()
    row = Row(line, raw or description, kind, ticker, account=account, description=description)
    row.account_name = texts.get("account_name", "").strip() or account
    row.mapped = special is None and kind in ("position", "unknown") and _mapped(raw, ticker, ctx)
    if special is not None:
        row.terms = special
        row.instrument = Instrument.OPTION if isinstance(special, Option) else Instrument.BOND
    for role in (*NUMERIC, "cost_per_share"):
        if role in texts and role in header.names:
            _set_number(row, role, texts[role], header.names[role], ctx.path)
    if kind in ("cash", "pending"):
        return _cash_line(row, ctx)
    if special is not None:
        instrument_lines.check_line(row, texts, header, ctx)
    else:
        _check_line(row, texts, ctx.path)
    _lot_fields(row, texts, header, ctx)
    _zero_line(row, texts)
    return row


def _lot_fields(row: Row, texts: Mapping[str, str], header: Header, ctx: Context) -> None:
    """A lot's acquisition date, holding period and total cost (from the cost per share)."""
    if "term" in texts:
        row.term = lots.parse_term(texts["term"], row, header.names["term"], ctx)
    if "acquired" in texts:
        row.acquired = lots.parse_acquired(texts["acquired"], row, header.names["acquired"], ctx)
    lots.fill_cost(row, row.cost_per_share)


def _set_number(row: Row, role: str, text: str, column: str, path: str) -> None:
    """Parse one cell into ``row.<role>``; an InputError names the line, column and value."""
    try:
        parsed = parse_number(text)
    except ValueError as exc:
        message = f"cannot read {shorten(text)!r} in column {column!r} as a number"
        hint = "fix the cell, or leave it empty ('--' and 'n/a' also mean missing)"
        raise bad(path, row.line, message, shorten(text), hint) from exc
    if parsed is None:
        return
    number, percent = parsed
    if percent and role != "weight":
        hint = f"give {column!r} as a plain number"
        raise bad(path, row.line, f"a percentage in column {column!r}", text, hint)
    why = implausible(role, number)
    if why is not None:
        message = f"{text.strip()!r} in column {column!r} is {why}"
        raise bad(path, row.line, message, text.strip(), "fix the cell (check its units)")
    setattr(row, role, number)
    if role == "weight":
        row.weight_percent = percent


def _check_value(row: Row, path: str) -> None:
    """Refuse a value computed from shares x price beyond any real position."""
    why = implausible("value", row.value)
    if why is not None:
        message = f"{row.raw}: {lines.quantity(row.shares)} shares x {money(row.price)} is {why}"
        raise bad(path, row.line, message, f"{row.value:g}", "fix the quantity or price (units?)")


def _check_line(row: Row, texts: Mapping[str, str], path: str) -> None:
    """Reject short positions and inconsistent units; fill value from shares x price."""
    for role, what in _SIGNED.items():
        if getattr(row, role) < 0:
            lot = "a lot's quantity cannot be negative; " if "acquired" in texts else ""
            message = f"negative {what} for {row.raw} ({lot}short positions are not supported)"
            raise bad(path, row.line, message, texts[role].strip(), _SHORT_HINT)
    shares, price, value = row.shares, row.price, row.value
    if shares == 0:
        price = 0.0 if math.isnan(price) else price
    if not (math.isnan(shares) or math.isnan(price) or math.isnan(value)):
        expected = shares * price
        if abs(value - expected) > 0.01 * abs(expected) + 1.0:
            message = f"{row.raw}: value {money(value)} != {lines.quantity(shares)} shares x {money(price)}"
            raise bad(path, row.line, message, texts["value"].strip(), _UNITS_HINT)
    if math.isnan(row.value) and not (math.isnan(shares) or math.isnan(row.price)):
        row.value = round(shares * row.price, 2)  # money to the cent (no float noise)
        _check_value(row, path)


def _zero_line(row: Row, texts: Mapping[str, str]) -> None:
    """Fill the missing figures of a position of 0 with 0, so that it changes no total."""
    if row.shares == 0 or (math.isnan(row.shares) and row.value == 0):
        row.value = 0.0 if math.isnan(row.value) else row.value
        for role in ("weight", "cost_basis"):
            if role in texts and math.isnan(getattr(row, role)):
                setattr(row, role, 0.0)


def _cash_line(row: Row, ctx: Context) -> Row | None:
    """Value a cash or pending line in dollars (a bare quantity counts as dollars)."""
    pending = row.kind == "pending"
    row.kind = "cash"
    if math.isnan(row.value) and not math.isnan(row.shares):
        row.value = round(row.shares * (1.0 if math.isnan(row.price) else row.price), 2)
        _check_value(row, ctx.path)
    if math.isnan(row.value) and math.isnan(row.weight):
        ctx.warn(row.line, f"cash line {row.raw} has no amount, ignored")
        return None
    amount = "" if math.isnan(row.value) else f" ({money(row.value)})"
    what = "pending activity (unsettled)" if pending else row.raw
    negative = ""
    if row.value < 0 or row.weight < 0:
        negative = (
            " - negative: a debit balance (margin loan); weights are then fractions of the long "
            "holdings without it, and a net debit over half of them is refused"
        )
    ctx.warn(row.line, f"{what} counted as cash{amount}{negative}")
    return row
