"""Bonds and options as custodians write them: CUSIPs, OCC symbols, descriptions, terms.

Pure parsing, no file and no snapshot: :func:`valid_cusip` checks a CUSIP's check digit,
:func:`parse_bond` reads a bond's coupon, maturity and issuer from its description,
:func:`option_from_symbol` reads an option symbol (OCC ``AAPL  270115C00200000``, Schwab
``AAPL 01/15/2027 200.00 C``, Fidelity ``-AAPL270115C200``) and :func:`option_from_description`
a description (``CALL APPLE INC $200 EXP 01/15/27``, ``AAPL JAN 15 2027 $200 CALL``).
:func:`table` makes :attr:`~advisor.domain.Holdings.instruments` of the parsed terms. Which line
is which, and what its figures must satisfy, is :mod:`advisor.holdings.instrument_lines`'s
business.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from advisor.domain import IssuerKind, OptionRight, instruments_frame
from advisor.holdings.dates import MAX_CHARS, find_dates

NAN = float("nan")
#: Shares of the underlying per listed equity or ETF option contract, unless the file says.
MULTIPLIER = 100.0
MAX_STRIKE = 99_999.999  # the OCC symbol's eight digits hold strike x 1000
MAX_COUPON = 0.25  # a coupon above 25 % is read as no coupon at all

# --- CUSIPs --------------------------------------------------------------------------------------

_CUSIP_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*@#"
_CUSIP = re.compile(r"[0-9A-Z*@#]{8}[0-9]")
_TREASURY_PREFIX = "9128"  # issuer 912796 (bills), 912810 (bonds), 912828 and 91282C (notes)
_AGENCY_PREFIXES = ("3130", "3133", "3134", "3135", "3136")  # FHLB, FFCB, FHLMC, FNMA


def looks_like_cusip(text: str) -> bool:
    """True for nine characters of the CUSIP alphabet ending in a digit (``912828YK0``).

    Only the shape: see :func:`valid_cusip` for the check digit.
    """
    return bool(_CUSIP.fullmatch(text.strip().upper()))


def cusip_check_digit(base: str) -> int:
    """The check digit of a CUSIP's first eight characters (the standard modulus-10 "double add
    double": letters count 10 to 35, ``*@#`` 36 to 38, every second value doubled, digits summed).

    >>> cusip_check_digit("91282CJL")
    6
    """
    total = 0
    for i, char in enumerate(base.upper()):
        value = _CUSIP_ALPHABET.index(char) * (2 if i % 2 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def valid_cusip(text: str) -> bool:
    """True for a CUSIP whose ninth character is the check digit of the first eight."""
    cusip = text.strip().upper()
    return looks_like_cusip(cusip) and int(cusip[8]) == cusip_check_digit(cusip[:8])


# --- bonds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bond:
    """An individual bond's terms, as far as its line says them."""

    cusip: str
    description: str
    issuer_kind: IssuerKind
    coupon: float  # annual, a fraction (0.0425); NaN when unknown
    maturity: dt.date | None

    @property
    def key(self) -> str:
        return self.cusip

    def unknown_terms(self) -> list[str]:
        """The terms the line does not say (``["maturity", "coupon"]``), in that order."""
        missing = ["maturity"] if self.maturity is None else []
        return missing + (["coupon"] if math.isnan(self.coupon) else [])


_FRACTION = r"(?:[\s-]+(?P<num>\d{1,2})/(?P<den>\d{1,2}))?"
_COUPON = re.compile(r"(?<![\d./])(?P<whole>\d{1,2}(?:\.\d{1,6})?|\.\d{1,6})" + _FRACTION + r"\s*%")
#: A coupon written without '%' right before the maturity (``4.25 11/15/34``, ``4 1/4 11/15/34``):
#: only with a decimal point or a fraction, so that ``SER 1 08/01/30`` is no 1 % coupon.
_BARE_COUPON = re.compile(
    r"(?<![\d./])(?P<whole>\d{1,2}\.\d{1,6}|\d{1,2}(?=[\s-]+\d{1,2}/\d{1,2}\s))"
    + _FRACTION
    + r"\s+$"
)
_ZERO = re.compile(r"\bZERO\b|\bZERO\s+CPN\b|\bSTRIPS?\b|\bBILLS?\b|\bT-?BILLS?\b")
_TREASURY = re.compile(
    r"\b(?:US|U\s?S|UNITED\s+STATES)\s+(?:TREAS|TREASURY|TSY)\b|\bTREASURY\b|\bTREAS\b"
    r"|\bT-?BILLS?\b|\bTIPS\b|\bSTRIPS?\b"
)
_AGENCY = re.compile(
    r"\bFNMA\b|\bFANNIE\s+MAE\b|\bFHLMC\b|\bFREDDIE\s+MAC\b|\bFHLB\b|\bFEDERAL\s+HOME\s+LOAN"
    r"|\bFEDERAL\s+FARM\s+CREDIT|\bFFCB\b|\bFED\s+FARM\s+CR|\bFED\s+HOME\s+LN|\bGNMA\b"
    r"|\bTENNESSEE\s+VALLEY|\bTVA\b|\bFEDERAL\s+NATL\s+MTG|\bFEDERAL\s+NATIONAL\s+MORTGAGE"
)
#: Words that say who issued a bond: strong ones decide, weak ones (``CO`` is a company or a
#: county, ``ST`` a state or a saint) only when no strong one is there.
_CORPORATE = re.compile(
    r"\b(?:INC|CORP|CORPORATION|COMPANY|LLC|LTD|PLC|BANCORP|BANK|BK|HLDGS|HOLDINGS|MTN|"
    r"SR\s+NT|NTS?\s+SR|SR\s+UNSECD|GLOBAL\s+NT)\b"
)
_MUNICIPAL = re.compile(
    r"\b(?:CITY|CNTY|COUNTY|TWP|TOWNSHIP|BORO|BOROUGH|VILLAGE|STATE\s+OF|COMMONWEALTH|"
    r"COMWLTH|MUN|MUNI|MUNICIPAL|SCH|SCHOOL|DIST|DISTRICT|AUTH|AUTHORITY|REV|REVENUE|G\s?O|"
    r"DORM|TRANSN|TRANSIT|TPK|TURNPIKE|WTR|SWR|SEWER|HOSP|HSG|HOUSING|N\s?Y|CALIF|PORT|"
    r"PREREFUNDED)\b"
)
_WEAK_CORPORATE = re.compile(r"\b(?:CO|LP|L\s?P|N\s?A|GROUP|GRP|SA|AG|NV|NTS?|DEB|DEBS)\b")
_WEAK_MUNICIPAL = re.compile(r"\b(?:ST|STATE|PUB|PUBLIC|UNIV|FING|FIN|CTFS\s+PARTN|COPS?)\b")


def issuer_kind(cusip: str, description: str) -> IssuerKind:
    """Who issued a bond, from its CUSIP and description: Treasury (CUSIP issuer ``9128``, or
    the description says so), agency (FNMA, FHLMC, FHLB, FFCB, TVA, ...), corporate (``INC``,
    ``CORP``, ``LLC``, ...) or municipal (``CITY``, ``CNTY``, ``REV``, ``SCH DIST``, ``G O``,
    ...); ``unknown`` when the description says none of them. A heuristic: strong words win
    over weak ones (``CO``, ``ST``), corporate over municipal among equals."""
    text = description.upper()[:MAX_CHARS]
    if cusip.startswith(_TREASURY_PREFIX) or _TREASURY.search(text):
        return IssuerKind.TREASURY
    if _AGENCY.search(text) or (not text.strip() and cusip.startswith(_AGENCY_PREFIXES)):
        return IssuerKind.AGENCY
    for corporate, municipal in ((_CORPORATE, _MUNICIPAL), (_WEAK_CORPORATE, _WEAK_MUNICIPAL)):
        if corporate.search(text):
            return IssuerKind.CORPORATE
        if municipal.search(text):
            return IssuerKind.MUNICIPAL
    return IssuerKind.UNKNOWN


def _coupon_of(match: re.Match[str]) -> float:
    """A coupon match as a fraction (``4 1/4`` -> 0.0425); NaN when implausible."""
    whole = float(match["whole"])
    if match["num"] is not None and int(match["den"]) > 0:
        whole += int(match["num"]) / int(match["den"])
    coupon = whole / 100.0
    return coupon if 0.0 <= coupon <= MAX_COUPON else NAN


def coupon_from_text(text: str) -> float:
    """A coupon cell (``4.25``, ``4.250%``, ``4 1/4``; always percent) as a fraction, else NaN."""
    match = _COUPON.fullmatch(text.strip()) or _COUPON.fullmatch(text.strip() + "%")
    return NAN if match is None else _coupon_of(match)


def parse_bond(
    cusip: str, description: str, coupon: float = NAN, maturity: dt.date | None = None
) -> Bond:
    """A bond's terms from its description; ``coupon`` and ``maturity`` (from columns of their
    own, when the file has them) win over what the description says.

    The maturity is the latest date in the description (dated dates and call dates come before
    it); the coupon is the first ``x.xx%`` (``4 1/4%`` too), else a number with a decimal point
    or a fraction right before the maturity, else 0 for bills, STRIPS and zeros.
    """
    text = description.strip().upper()[:MAX_CHARS]
    dates = find_dates(text)
    if maturity is None and dates:
        maturity, start, _ = max(dates)
    else:
        start = next((s for d, s, _ in dates if d == maturity), len(text))
    if math.isnan(coupon):
        match = _COUPON.search(text) or _BARE_COUPON.search(text[:start])
        if match is not None:
            coupon = _coupon_of(match)
        elif _ZERO.search(text):
            coupon = 0.0
    kind = issuer_kind(cusip, text)
    return Bond(cusip.upper(), description.strip(), kind, coupon, maturity)


# --- options -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionTerms:
    """A listed option's terms as its symbol or description writes them."""

    root: str  # the underlying's symbol as written (``AAPL``, ``BRK/B``, ``SPXW``)
    right: OptionRight
    strike: float  # per share of the underlying
    expiry: dt.date

    def key(self) -> str:
        """The OCC symbol without padding: root, YYMMDD, C or P, strike x 1000 in 8 digits."""
        root = re.sub(r"[^A-Z0-9]", "", self.root.upper())
        right = "C" if self.right == OptionRight.CALL else "P"
        return f"{root}{self.expiry:%y%m%d}{right}{round(self.strike * 1000):08d}"


_OCC = re.compile(
    r"[-.]?(?P<root>[A-Z][A-Z0-9]{0,5})\s*(?P<date>\d{6})(?P<right>[CP])(?P<strike>\d{8})"
)
_FIDELITY = re.compile(
    r"[-.]?(?P<root>[A-Z][A-Z0-9]{0,5})(?P<date>\d{6})(?P<right>[CP])"
    r"(?P<strike>\d{1,5}(?:\.\d{1,3})?)"
)
_STRIKE = r"(?P<strike>\d{1,3}(?:,\d{3})+(?:\.\d{1,4})?|\d{1,6}(?:\.\d{1,4})?)"
_SCHWAB = re.compile(
    r"(?P<root>[A-Z][A-Z0-9./]{0,6})\s+(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})\s+"
    r"\$?" + _STRIKE + r"\s+(?P<right>CALL|PUT|C|P)"
)
_RIGHT_WORD = re.compile(r"\b(CALL|PUT)S?\b")
_DOLLARS = re.compile(r"\$\s?" + _STRIKE)
_PAREN_ROOT = re.compile(r"\((?P<root>[A-Z][A-Z0-9./]{0,6})\)")
_ROOT = re.compile(r"[A-Z][A-Z0-9./]{0,6}")
_EXP = re.compile(r"\bEXP(?:IRES|IRATION|IRY)?\b\.?:?")
_SHARES_PER = re.compile(r"\((?P<n>\d{1,5})\s+SH(?:ARE)?S\)")


def _right(text: str) -> OptionRight:
    return OptionRight.CALL if text.upper().startswith("C") else OptionRight.PUT


def _strike(strike: float, text: str) -> float:
    if not 0 < strike <= MAX_STRIKE:
        raise ValueError(f"a strike of {text} is not a listed option's")
    return strike


def _expiry(y: int, m: int, d: int, text: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"{text} is no date") from None


def option_from_symbol(text: str) -> OptionTerms | None:
    """The terms of an option symbol (OCC with or without padding, Fidelity's ``-AAPL270115C200``,
    Schwab's ``AAPL 01/15/2027 200.00 C``), or None when ``text`` is no option symbol.

    Raises
    ------
    ValueError
        When ``text`` has an option symbol's shape but names no real expiry or strike.
    """
    cell = text.strip().upper()
    if len(cell) > 40 or not any(ch.isdigit() for ch in cell):
        return None
    match = _OCC.fullmatch(cell)
    strike = None if match is None else int(match["strike"]) / 1000
    match = match or _FIDELITY.fullmatch(cell)
    if match is not None:
        date = match["date"]
        expiry = _expiry(2000 + int(date[:2]), int(date[2:4]), int(date[4:]), f"{date} (YYMMDD)")
        strike = float(match["strike"]) if strike is None else strike
        return OptionTerms(
            match["root"], _right(match["right"]), _strike(strike, match["strike"]), expiry
        )
    match = _SCHWAB.fullmatch(cell)
    if match is None:
        return None
    y = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
    expiry = _expiry(y, int(match["m"]), int(match["d"]), f"{match['m']}/{match['d']}/{match['y']}")
    strike = _strike(float(match["strike"].replace(",", "")), match["strike"])
    return OptionTerms(match["root"], _right(match["right"]), strike, expiry)


def option_from_description(text: str, symbol: str = "") -> tuple[OptionTerms, str] | None:
    """The terms an option's description gives, and the name of its underlying as written.

    Reads ``CALL APPLE INC $200 EXP 01/15/27`` (Schwab), ``AAPL JAN 15 2027 $200 CALL`` and
    ``CALL (AAPL) APPLE INC JAN 15 27 $200 (100 SHS)`` (Fidelity): the word CALL or PUT first or
    last (so that a preferred stock's ``... PFD CALL $25 01/15/2027`` is no option), a dollar
    strike and a date (the one after ``EXP`` when it says so). The root is the symbol
    in parentheses, else ``symbol`` (the line's ticker cell, when the caller found one there),
    else the name when it is one word (``AAPL``); else it is empty and the name (``APPLE INC``)
    is all the line says of the underlying. None when the description is no option's.
    """
    cell = text.strip().upper()[:MAX_CHARS]
    rights = {m.group(1) for m in _RIGHT_WORD.finditer(cell)}
    dollars = _DOLLARS.search(cell)
    words = cell.split()
    ends = {words[0], words[-1]} if words else set()
    if len(rights) != 1 or dollars is None or not ends & {"CALL", "CALLS", "PUT", "PUTS"}:
        return None
    dates = find_dates(cell)
    exp = _EXP.search(cell)
    after = [d for d in dates if exp is None or d[1] >= exp.end()]
    strike = float(dollars["strike"].replace(",", ""))
    if not after or not 0 < strike <= MAX_STRIKE:
        return None
    end = min([dollars.start()] + [s for _, s, _ in dates] + ([exp.start()] if exp else []))
    paren = _PAREN_ROOT.search(cell)
    name = _RIGHT_WORD.sub(" ", _PAREN_ROOT.sub(" ", cell[:end]))
    name = " ".join(name.split())
    if paren is not None:
        root = paren["root"]
    elif symbol:
        root = symbol
    else:
        root = name if _ROOT.fullmatch(name) else ""
    return OptionTerms(root, _right(rights.pop()), strike, after[0][0]), name


def shares_per_contract(description: str) -> float:
    """The multiplier a description states (``(100 SHS)``), else NaN."""
    match = _SHARES_PER.search(description.upper()[:MAX_CHARS])
    return float(match["n"]) if match and int(match["n"]) > 0 else NAN


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """An option position's terms: what the symbol says, the underlying it resolves to."""

    terms: OptionTerms
    underlying: str  # canonical ticker ("" when it cannot be told)
    multiplier: float
    key: str


def _bond_row(terms: Bond, face: float, accrued: float) -> dict[str, object]:
    return {"cusip": terms.cusip, "description": terms.description,
            "issuer_kind": terms.issuer_kind, "coupon": terms.coupon,
            "maturity": terms.maturity, "face": face, "accrued": accrued}  # fmt: skip


def _option_row(terms: Option, contracts: float) -> dict[str, object]:
    return {"underlying": terms.underlying or None, "right": terms.terms.right,
            "strike": terms.terms.strike, "expiry": terms.terms.expiry,
            "contracts": contracts, "multiplier": terms.multiplier}  # fmt: skip


#: (key, terms, quantity, accrued interest): one row of :func:`table`.
TableRow = tuple[str, Bond | Option, float, float]


def table(rows: Sequence[TableRow]) -> pd.DataFrame:
    """:attr:`~advisor.domain.Holdings.instruments` of (key, terms, quantity, accrued) rows:
    quantity is the face (bonds) or the signed contracts (options), summed over the lines."""
    columns: dict[str, list[object]] = {}
    for i, (_, terms, quantity, accrued) in enumerate(rows):
        if isinstance(terms, Bond):
            row = _bond_row(terms, quantity, accrued)
        else:
            row = _option_row(terms, quantity)
        for name, value in row.items():
            columns.setdefault(name, [None] * len(rows))[i] = value
    index = pd.Index([key for key, *_ in rows], name="ticker", dtype="str")
    return instruments_frame(columns, index)
