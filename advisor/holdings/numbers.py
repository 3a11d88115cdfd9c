"""Numbers in holdings files: parsing a cell, and the limits of what a figure can plausibly be.

Custodians write ``$1,234.56``, ``(1,234.00)``, ``-1,234`` and ``12.5%``; fuzzers write 20 KB of
digits and ``1e308``. :func:`parse_number` reads the former and refuses the latter in time linear
in the cell's length; :func:`implausible` says when a parsed figure is beyond any real account
(a position worth more than ten trillion, more than a trillion shares, a share price over ten
million), so that nothing downstream overflows or divides by it. :func:`price_gap` compares a
price implied by the file with the snapshot's, with the thresholds the reader and the valuation
share.
"""

from __future__ import annotations

import math
import re
import unicodedata

#: Cell texts that mean "no figure" (compared in lower case, spaces removed).
MISSING = frozenset({"", "-", "--", "---", "n/a", "na", "nan", "none", "null", "\u2014", "\u2013"})

#: Longest cell (spaces removed) read as a number; longer ones are refused without a regex.
MAX_NUMBER_CHARS = 64

#: Largest plausible figures, account currency or units (inclusive).
MAX_SHARES = 1e12
MAX_PRICE = 1e7
MAX_VALUE = 1e13  # a position, a cost basis or a cash line: ten trillion
MAX_WEIGHT = 1000.0  # a weight cell, as written: a fraction (<= 1) or a percent (<= 100)

#: A price implied by the file (value / shares) this far from the snapshot's is warned about ...
PRICE_WARN_GAP = 0.25
#: ... and this many times above or below it is refused (a units error, not a price move).
PRICE_REFUSE_FACTOR = 3.0

# Linear: each part starts with a character the one before cannot take, so no backtracking
# between quantifiers (the former ``[\d,]*\.?\d*`` was quadratic on a long run of digits).
_NUMBER = re.compile(
    r"(?P<open>\()?(?P<s1>[+-])?\$?(?P<s2>[+-])?"
    r"(?P<num>(?:[0-9][0-9,]*)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)"
    r"(?P<pct>%)?(?P<close>\))?"
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_SPACES = re.compile(r"\s+")

_LIMITS = {
    "shares": (MAX_SHARES, "quantity", "more than a trillion shares"),
    "price": (MAX_PRICE, "price", "a share price over ten million"),
    "value": (MAX_VALUE, "market value", "a position worth more than ten trillion"),
    "cost_basis": (MAX_VALUE, "cost basis", "a cost basis over ten trillion"),
    "cost_per_share": (MAX_PRICE, "cost per share", "a cost per share over ten million"),
    "weight": (MAX_WEIGHT, "weight", "neither a fraction nor a percent"),
}


def parse_number(text: str) -> tuple[float, bool] | None:
    """Parse ``'$1,234.56'``, ``'(1,234.00)'``, ``'-1,234'``, ``'12.5%'``: (number, had ``%``).

    Parameters
    ----------
    text : str
        A cell as written. Spaces (also no-break spaces) are ignored; full-width characters
        (``１２３``) are read as their ASCII forms.

    Returns
    -------
    (float, bool) or None
        The number (negative for a leading minus or parentheses) and whether it had a ``%``
        suffix; None for a missing figure (empty, ``--``, ``n/a``).

    Raises
    ------
    ValueError
        For anything else, including cells over :data:`MAX_NUMBER_CHARS` characters (refused
        before any pattern is tried, so a huge cell costs one pass over it).
    """
    compact = _SPACES.sub("", text.replace("\u00a0", ""))
    if len(compact) > MAX_NUMBER_CHARS:
        raise ValueError(f"a {len(compact):,}-character cell is not a number")
    compact = unicodedata.normalize("NFKC", compact)  # full-width digits, signs and '%'
    if compact.lower() in MISSING:
        return None
    match = _NUMBER.fullmatch(compact)
    if match is None or bool(match["open"]) != bool(match["close"]):
        raise ValueError(text)
    number = match["num"]
    if (match["s1"] and match["s2"]) or not any(ch.isdigit() for ch in number):
        raise ValueError(text)
    if "," in number:
        if not _GROUPED.fullmatch(number):
            raise ValueError(text)
        number = number.replace(",", "")
    value = float(number)
    negative = bool(match["open"]) != ((match["s1"] or match["s2"]) == "-")
    return (-value if negative else value), bool(match["pct"])


def implausible(role: str, number: float) -> str | None:
    """Why ``number`` cannot be a ``role`` figure (``"shares"``, ``"price"``, ``"value"``,
    ``"cost_basis"``, ``"weight"``), or None when it can. Checks magnitude only (signs are the
    reader's business) and refuses NaN and infinities."""
    if not math.isfinite(number):
        return "not a finite number"
    limit, what, why = _LIMITS[role]
    if abs(number) > limit:
        return f"{why}: not a plausible {what} (at most {limit:,.0f})"
    return None


def price_gap(implied: float, reference: float) -> tuple[str, float]:
    """How far a price implied by the file is from a reference price.

    Returns
    -------
    (str, float)
        ``"ok"``, ``"warn"`` (more than :data:`PRICE_WARN_GAP` away) or ``"refuse"`` (more than
        :data:`PRICE_REFUSE_FACTOR` times above or below); and ``implied / reference - 1``.
        ``"ok"`` with NaN when either price is missing or not positive.
    """
    if not (implied > 0 and reference > 0):
        return "ok", math.nan
    ratio = implied / reference
    if ratio > PRICE_REFUSE_FACTOR or ratio < 1.0 / PRICE_REFUSE_FACTOR:
        return "refuse", ratio - 1.0
    if abs(ratio - 1.0) > PRICE_WARN_GAP:
        return "warn", ratio - 1.0
    return "ok", ratio - 1.0


def describe_gap(gap: float) -> str:
    """A gap from :func:`price_gap` for a message: ``+42 %``, or ``315.2 times`` when large."""
    ratio = gap + 1.0
    if ratio > PRICE_REFUSE_FACTOR or ratio < 1.0 / PRICE_REFUSE_FACTOR:
        return f"{ratio:,.3g} times"
    return f"{gap:+.0%}"


def shorten(text: str, limit: int = 40) -> str:
    """A cell for a message: stripped and cut to ``limit`` characters (with its full length)."""
    text = text.strip()
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"
