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
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from advisor.domain import POSITION_COLUMNS, Holdings
from advisor.errors import InputError, UnknownTickersError
from advisor.holdings import tickers
from advisor.holdings.tables import read_table

NAN = float("nan")

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
        "account": "Account|Account Number|Account Name|Account ID|Account No|Acct|Acct Number",
        "description": "Description|Name|Security Name|Security Description|Investment Name|"
        "Security",
    }.items()
}
_AMOUNTS = ("shares", "value", "weight")
_NUMERIC = ("shares", "price", "value", "weight", "cost_basis")
_MISSING = frozenset({"", "-", "--", "---", "n/a", "na", "nan", "none", "null", "\u2014", "\u2013"})
_NUMBER = re.compile(
    r"^(?P<open>\()?(?P<s1>[+-])?\$?(?P<s2>[+-])?(?P<num>[\d,]*\.?\d*(?:[eE][+-]?\d+)?)"
    r"(?P<pct>%)?(?P<close>\))?$"
)
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?$")
_CLASS_SPACED = re.compile(r"^[A-Za-z0-9]{1,6}\s+[A-Za-z]{1,2}$")
_PENDING = re.compile(r"^pending\b", re.IGNORECASE)
_TOTAL = re.compile(r"total", re.IGNORECASE)
_SIGNED = {"shares": "quantity", "value": "value", "price": "price", "weight": "weight"}
_UNITS_HINT = (
    "one of the columns is in other units (price in cents, value in thousands, quantity in "
    "lots?); fix the file so that value = shares x price"
)
_SHORT_HINT = "advisor handles long-only accounts; remove the line or fix its sign"
_WEIGHT_TOLERANCE = 0.005  # weights summing to 1 +- this are fine
_WEIGHT_LIMIT = 1.01  # weights summing to more than this are an error


def _norm(text: str) -> str:
    """A column name as lower-case letters and digits: ``'% of Acct'`` -> ``'percentofacct'``."""
    text = text.lower().replace("%", "percent").replace("#", "number")
    return re.sub(r"[^a-z0-9]", "", text)


_ROLE_OF: dict[str, str] = {_norm(n): role for role, names in SYNONYMS.items() for n in names}


def _bad(
    path: str, line: int | None, message: str, value: str | None = None, hint: str | None = None
) -> InputError:
    """An :class:`InputError` built from positional parts (keeps the many raise sites short)."""
    return InputError(message, path=path, line=line, value=value, hint=hint)


@dataclass(frozen=True)
class _Header:
    """Where the header is and which column holds what."""

    index: int  # position of the header row in the table
    line: int
    columns: dict[str, int]  # role -> column index
    names: dict[str, str]  # role -> column name as written
    weight_percent: bool  # the weight column's name says percent


@dataclass
class _Row:
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
    weight_percent: bool = False  # the weight cell had a '%' suffix


@dataclass
class _Context:
    """What one read needs along the way: the file, the tickers, the mapping, the warnings."""

    path: str
    known: Collection[str]
    mapping: dict[str, str]
    used: set[str] = field(default_factory=set)
    warnings: list[tuple[float, str]] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append((line, f"line {line}: {message}"))

    def note(self, message: str) -> None:
        """A warning about the whole file (listed after the line warnings)."""
        self.warnings.append((math.inf, message))


def read_holdings(
    path: str | os.PathLike[str],
    known: Collection[str],
    *,
    mapping: Mapping[str, str] | None = None,
    unknown: Literal["error", "cash", "skip"] = "error",
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

    Returns
    -------
    Holdings
        One row per known ticker (duplicate lines summed), cash and money-market lines in
        ``cash``, and a warning for everything else the file said. A missing market value is
        filled with shares x price when both are given (0 for a zero-quantity line).

    Raises
    ------
    InputError
        The file is missing, not a CSV/XLSX export, has no recognisable header, or a line cannot
        be read (unparseable number, short position, value != shares x price, weights over 100 %).
    UnknownTickersError
        With ``unknown="error"``, when tickers are not in ``known`` (all listed at once).
    """
    if unknown not in ("error", "cash", "skip"):
        raise ValueError(f"unknown must be 'error', 'cash' or 'skip', not {unknown!r}")
    name = os.fspath(path)
    canon_map = {tickers.canonical(k): tickers.canonical(v) for k, v in (mapping or {}).items()}
    ctx = _Context(name, known, canon_map)
    table = read_table(name, lambda rows: _header_at(rows) is not None)
    header = _find_header(table, name)
    _warn_preamble(table, header, ctx)
    kept = _handle_unknown(_read_body(table, header, ctx), unknown, ctx)
    _scale_weights(kept, header, ctx)
    positions = [r for r in kept if r.kind == "position"]
    cash_rows = [r for r in kept if r.kind != "position"]
    if not kept:
        skipped = "".join(f"; {text}" for _, text in ctx.warnings[:3])
        message = f"no holdings found below the header (line {header.line}){skipped}"
        hint = "the file lists no positions or cash; check it is the right export"
        raise _bad(name, None, message, None, hint)
    basis = _basis(positions, header, name)
    _check_weights(kept, header, basis, ctx)
    cash, cash_weight = _cash_totals(cash_rows, header, basis, name)
    for key in sorted(set(canon_map) - ctx.used):
        ctx.note(f"--map {key}={canon_map[key]} matched no line")
    frame = _aggregate(positions, ctx)
    ctx.warnings.sort(key=lambda item: item[0])
    return Holdings(
        path=name,
        positions=frame,
        cash=cash,
        cash_weight=cash_weight,
        cash_lines=tuple(sorted(r.line for r in cash_rows)),
        warnings=tuple(text for _, text in ctx.warnings),
        basis=basis,
    )


# --- the header --------------------------------------------------------------------------------


def _column_role(text: str) -> str | None:
    """The role of a column name (``"ticker"``, ``"shares"``, ...), or None when we don't use it."""
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


def _header_at(rows: list[tuple[int, list[str]]]) -> _Header | None:
    """The first row with a ticker column and a shares, value or weight column, if any."""
    for index, (line, cells) in enumerate(rows):
        columns, names = _roles(cells)
        if "ticker" in columns and any(a in columns for a in _AMOUNTS):
            percent = "weight" in names and bool(re.search(r"%|percent|pct", names["weight"], re.I))
            return _Header(index, line, columns, names, percent)
    return None


def _find_header(rows: list[tuple[int, list[str]]], path: str) -> _Header:
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


def _read_body(table: list[tuple[int, list[str]]], header: _Header, ctx: _Context) -> list[_Row]:
    """The lines below the header, up to the header of another table (Vanguard's transactions)."""
    rows: list[_Row] = []
    for line, cells in table[header.index + 1 :]:
        other = _header_at([(line, cells)])
        if other is None:
            row = _read_line(line, cells, header, ctx)
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


def _warn_preamble(table: list[tuple[int, list[str]]], header: _Header, ctx: _Context) -> None:
    """Name each non-blank line above the header (titles, account names) in a warning."""
    for line, cells in table[: header.index]:
        if any(c.strip() for c in cells):
            ctx.warn(line, f"before the header (line {header.line}), skipped: {_show(cells)}")


# --- one line ----------------------------------------------------------------------------------


def _show(cells: list[str]) -> str:
    """A line's non-empty cells, quoted and shortened, for warnings."""
    text = ", ".join(c.strip() for c in cells if c.strip())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _parse_number(text: str) -> tuple[float, bool] | None:
    """Parse ``'$1,234.56'``, ``'(1,234.00)'``, ``'-1,234'``, ``'12.5%'``: (number, had ``%``).

    Returns None for a missing figure (empty, ``--``, ``n/a``); raises ValueError for anything
    else that is not a number.
    """
    compact = re.sub(r"\s+", "", text.replace("\u00a0", ""))
    if compact.lower() in _MISSING:
        return None
    match = _NUMBER.match(compact)
    if match is None or bool(match["open"]) != bool(match["close"]):
        raise ValueError(text)
    number = match["num"]
    if (match["s1"] and match["s2"]) or not re.search(r"\d", number):
        raise ValueError(text)
    if "," in number:
        if not _GROUPED.match(number):
            raise ValueError(text)
        number = number.replace(",", "")
    value = float(number)
    negative = bool(match["open"]) != ((match["s1"] or match["s2"]) == "-")
    return (-value if negative else value), bool(match["pct"])


def _lenient_amounts(texts: Mapping[str, str]) -> bool:
    """True when any amount column holds a number (used on lines that may not be holdings)."""
    for role in _NUMERIC:
        try:
            if _parse_number(texts.get(role, "")) is not None:
                return True
        except ValueError:
            continue
    return False


def _classify(raw: str, description: str, ctx: _Context) -> tuple[str, str]:
    """What a line is, from its ticker cell: (kind, ticker or mapped spelling)."""
    if not raw:
        kind = "cash" if description and tickers.is_cash(description) else "noticker"
        return kind, ""
    text = raw.rstrip("*").strip()
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


def _read_line(line: int, cells: list[str], header: _Header, ctx: _Context) -> _Row | None:
    """Parse one line below the header; None (with a warning unless blank) when it is no holding."""
    if not any(c.strip() for c in cells):
        return None
    texts = {role: cells[i] if i < len(cells) else "" for role, i in header.columns.items()}
    raw = texts["ticker"].strip()
    kind, ticker = _classify(raw, texts.get("description", "").strip(), ctx)
    if kind == "unknown" and not _lenient_amounts(texts):
        kind = "note"
    skipped = {
        "total": f"total line, skipped: {_show(cells)}",
        "note": f"not a holding, skipped: {_show(cells)}",
        "noticker": f"no ticker, skipped: {_show(cells)}",
    }
    if kind in skipped:
        ctx.warn(line, skipped[kind])
        return None
    account = texts.get("account", "").strip()
    row = _Row(line, raw or texts.get("description", "").strip(), kind, ticker, account=account)
    for role in _NUMERIC:
        if role in texts:
            _set_number(row, role, texts[role], header.names[role], ctx.path)
    if kind in ("cash", "pending"):
        return _cash_line(row, ctx)
    _check_line(row, texts, ctx.path)
    return row


def _set_number(row: _Row, role: str, text: str, column: str, path: str) -> None:
    """Parse one cell into ``row.<role>``; an InputError names the line, column and value."""
    try:
        parsed = _parse_number(text)
    except ValueError as exc:
        message = f"cannot read {text.strip()!r} in column {column!r} as a number"
        hint = "fix the cell, or leave it empty ('--' and 'n/a' also mean missing)"
        raise _bad(path, row.line, message, text, hint) from exc
    if parsed is None:
        return
    number, percent = parsed
    if percent and role != "weight":
        hint = f"give {column!r} as a plain number"
        raise _bad(path, row.line, f"a percentage in column {column!r}", text, hint)
    if not math.isfinite(number):
        message = f"{text.strip()!r} in column {column!r} is not a finite number"
        raise _bad(path, row.line, message, text, "fix the cell")
    setattr(row, role, number)
    if role == "weight":
        row.weight_percent = percent


def _check_line(row: _Row, texts: Mapping[str, str], path: str) -> None:
    """Reject short positions and inconsistent units; fill value from shares x price (and the
    missing figures of a zero line with 0, so that it changes no total)."""
    for role, what in _SIGNED.items():
        if getattr(row, role) < 0:
            message = f"negative {what} for {row.raw} (short positions are not supported)"
            raise _bad(path, row.line, message, texts[role].strip(), _SHORT_HINT)
    shares, price, value = row.shares, row.price, row.value
    if shares == 0:
        price = 0.0 if math.isnan(price) else price
    if not (math.isnan(shares) or math.isnan(price) or math.isnan(value)):
        expected = shares * price
        if abs(value - expected) > 0.01 * abs(expected) + 1.0:
            qty = f"{shares:,.6f}".rstrip("0").rstrip(".")
            message = f"{row.raw}: value {value:,.2f} != {qty} shares x {price:,.2f}"
            raise _bad(path, row.line, message, texts["value"].strip(), _UNITS_HINT)
    if math.isnan(row.value) and not (math.isnan(shares) or math.isnan(row.price)):
        row.value = shares * row.price
    if shares == 0 or (math.isnan(shares) and row.value == 0):  # a position of 0: all figures 0
        row.value = 0.0 if math.isnan(row.value) else row.value
        for role in ("weight", "cost_basis"):
            if role in texts and math.isnan(getattr(row, role)):
                setattr(row, role, 0.0)


def _cash_line(row: _Row, ctx: _Context) -> _Row | None:
    """Value a cash or pending line in dollars (a bare quantity counts as dollars)."""
    pending = row.kind == "pending"
    row.kind = "cash"
    if math.isnan(row.value) and not math.isnan(row.shares):
        row.value = row.shares * (1.0 if math.isnan(row.price) else row.price)
    if math.isnan(row.value) and math.isnan(row.weight):
        ctx.warn(row.line, f"cash line {row.raw} has no amount, ignored")
        return None
    amount = "" if math.isnan(row.value) else f" ({row.value:,.2f})"
    what = "pending activity (unsettled)" if pending else row.raw
    negative = " - negative: a debit balance" if row.value < 0 or row.weight < 0 else ""
    ctx.warn(row.line, f"{what} counted as cash{amount}{negative}")
    return row


# --- the lines together ------------------------------------------------------------------------


def _handle_unknown(rows: list[_Row], unknown: str, ctx: _Context) -> list[_Row]:
    """Raise for unknown tickers, or count them as cash, or leave them out (with warnings)."""
    lost = [r for r in rows if r.kind == "unknown"]
    if unknown == "error" and lost:
        listed: list[tuple[int, str, list[str]]] = []
        for r in lost:
            mapped = tickers.canonical(r.raw.rstrip("*").strip()) != r.ticker
            shown = f"{r.raw} (mapped to {r.ticker})" if mapped else r.raw
            listed.append((r.line, shown, tickers.close_matches(r.ticker, ctx.known)))
        raise UnknownTickersError(ctx.path, listed)
    for r in lost:
        if unknown == "skip":
            ctx.warn(r.line, f"unknown ticker {r.raw} left out of the analysis (--unknown skip)")
        else:
            r.kind = "unknown_cash"
            amount = "" if math.isnan(r.value) else f" ({r.value:,.2f})"
            ctx.warn(r.line, f"unknown ticker {r.raw} counted as cash{amount} (--unknown cash)")
    return [r for r in rows if r.kind != "unknown"]


def _scale_weights(rows: list[_Row], header: _Header, ctx: _Context) -> None:
    """Turn weights into fractions: percent if a cell says so (``12.5%``), if they add up to
    more than 1.5 (so about 100), or if the column name says so unless they add up to 1."""
    total = math.fsum(r.weight for r in rows if not math.isnan(r.weight))
    near_one = abs(total - 1.0) <= 2 * _WEIGHT_TOLERANCE
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


def _basis(positions: list[_Row], header: _Header, path: str) -> str:
    """The richest unit every non-cash line has: shares, else value, else weight."""
    tests: dict[str, Callable[[_Row], bool]] = {
        "shares": lambda r: not math.isnan(r.shares),
        "value": lambda r: not math.isnan(r.value),  # filled from shares x price when given
        "weight": lambda r: not math.isnan(r.weight),
    }
    if not positions:
        return next(b for b in tests if b in header.columns)
    lacking: dict[str, _Row] = {}
    for basis, has in tests.items():
        missing = [r for r in positions if not has(r)]
        if not missing:
            return basis
        lacking[basis] = missing[0]
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
    raise _bad(path, line, f"conflicting/insufficient units: {detail}", None, hint)


def _cash_totals(
    cash_rows: list[_Row], header: _Header, basis: str, path: str
) -> tuple[float, float]:
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
        raise _bad(path, r.line, message, r.raw, hint)
    cash = NAN if basis == "weight" and not cash_rows else _total([r.value for r in cash_rows])
    has_weight = "weight" in header.columns
    return cash, _total([r.weight for r in cash_rows]) if has_weight else NAN


def _check_weights(rows: list[_Row], header: _Header, basis: str, ctx: _Context) -> None:
    """Weights must not add up to more than 100 %; say so when they don't add up to 100 %."""
    if "weight" not in header.columns:
        return
    given = [r for r in rows if not math.isnan(r.weight)]
    total = math.fsum(r.weight for r in given)
    accounts: dict[str, float] = {}
    for r in given:
        accounts[r.account] = accounts.get(r.account, 0.0) + r.weight
    per_account = len(accounts) > 1 and all(t <= _WEIGHT_LIMIT for t in accounts.values())
    if total > _WEIGHT_LIMIT and per_account and basis != "weight":
        for r in rows:
            r.weight = NAN
        ctx.note(
            f"weights are per account ({len(accounts)} accounts, {total:.2%} in all): "
            f"not used, the {basis} are"
        )
        return
    if total > _WEIGHT_LIMIT:
        hint = (
            "check the weight column (a percent of this account?) and remove total lines; "
            "for several accounts give shares or market values"
        )
        raise _bad(
            ctx.path, None, f"weights add up to {total:.2%}, over 100 %", f"{total:.2%}", hint
        )
    if given and len(given) == len(rows) and abs(total - 1.0) > _WEIGHT_TOLERANCE:
        ctx.note(f"weights add up to {total:.2%} including cash, not 100 %; nothing was rescaled")


def _total(numbers: list[float]) -> float:
    """The sum, or NaN when any term is missing (a partial sum would mislead)."""
    return NAN if any(math.isnan(x) for x in numbers) else math.fsum(numbers)  # order-free


def _price(group: list[_Row]) -> float:
    """One price for a ticker's lines: the common one, else share-weighted over held lines."""
    priced = [r for r in group if not math.isnan(r.price)]
    if len({r.price for r in priced}) <= 1:
        return priced[0].price if priced else NAN
    held = [r for r in priced if r.shares > 0]
    if not held:
        return math.fsum(r.price for r in priced) / len(priced)
    return math.fsum(r.price * r.shares for r in held) / math.fsum(r.shares for r in held)


def _aggregate(positions: list[_Row], ctx: _Context) -> pd.DataFrame:
    """One row per ticker, sorted; duplicate lines summed, with a warning naming the lines."""
    groups: dict[str, list[_Row]] = {}
    for r in positions:
        groups.setdefault(r.ticker, []).append(r)
    names = sorted(groups)
    columns: dict[str, list[object]] = {c: [] for c in POSITION_COLUMNS}
    for ticker in names:
        group = groups[ticker]
        if len(group) > 1:
            where = ", ".join(f"{r.line} ({r.raw})" for r in group)
            ctx.warn(group[0].line, f"{ticker} appears on {len(group)} lines ({where}): summed")
        for role in ("shares", "value", "weight", "cost_basis"):
            columns[role].append(_total([getattr(r, role) for r in group]))
        columns["price"].append(_price(group))
        columns["account"].append("; ".join(sorted({r.account for r in group if r.account})))
        columns["lines"].append(tuple(r.line for r in group))
        columns["raw"].append(tuple(r.raw for r in group))
    index = pd.Index(names, name="ticker", dtype="str")
    data = {
        c: pd.Series(columns[c], index=index, dtype="float64" if c in _NUMERIC else object)
        for c in POSITION_COLUMNS
    }
    data["account"] = data["account"].astype("str")
    return pd.DataFrame(data, index=index)
