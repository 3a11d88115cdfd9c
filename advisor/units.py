"""Units: the one way to read a percentage, an amount of money or a period, and to write numbers
into JSON.

The command line and the library read user text through these functions (``--max-te 2%``,
``megacaps=-30%`` in a scenario file, ``put:SPY@90%``), so a figure means the same wherever it is
written. Each raises :class:`ValueError` with a message that says what was expected; callers add
where the text came from (an option, a file and line).
"""

from __future__ import annotations

import math
import re
from typing import Any

_PERCENT = re.compile(r"([-+]?)\s*(\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})\s*(%?)")
_PERIOD = re.compile(r"(\d{1,6}(?:\.\d{1,6})?)\s*([dwmy])")
_PERIOD_YEARS = {"d": 1 / 365, "w": 7 / 365, "m": 1 / 12, "y": 1.0}


def parse_percent(text: str | float) -> float:
    """``'2%'``, ``'2.5 %'``, ``'-30%'``, ``'+10%'`` or ``'0.025'`` as a fraction.

    A number without ``%`` is taken as a fraction already (``0.02`` is 2 %).

    >>> parse_percent("2.5%")
    0.025
    >>> parse_percent("-0.3")
    -0.3
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        if not math.isfinite(text):
            raise ValueError(f"{text!r} is not a finite percentage")
        return float(text)
    m = _PERCENT.fullmatch(str(text).strip())
    if m is None:
        raise ValueError(f"{text!r} is not a percentage such as 2% or 0.02")
    number = float(m.group(2)) * (-1.0 if m.group(1) == "-" else 1.0)
    return number / 100.0 if m.group(3) else number


def parse_money(text: str | float, *, allow_zero: bool = False) -> float:
    """``'$1,250,000'``, ``'1250000.50'`` or ``'1.25e6'`` as a positive amount.

    >>> parse_money("$1,250,000")
    1250000.0
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        amount = float(text)
    else:
        raw = str(text).strip()
        cleaned = raw.replace(",", "").replace("$", "").strip()
        if len(cleaned) > 40 or not re.fullmatch(r"\d+(\.\d*)?([eE][+-]?\d{1,3})?|\.\d+", cleaned):
            raise ValueError(f"{raw!r} is not an amount such as 1,250,000")
        amount = float(cleaned)
    if not math.isfinite(amount) or amount > 1e13:
        raise ValueError(f"{text!r} is not a plausible amount (at most 10 trillion)")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(f"{text!r} must be {'zero or ' if allow_zero else ''}positive")
    return amount


def parse_period(text: str, *, max_years: float = 3.0) -> float:
    """``'3m'``, ``'6m'``, ``'1y'``, ``'2w'`` or ``'45d'`` in years (a month is 1/12 year).

    >>> parse_period("6m")
    0.5
    """
    m = _PERIOD.fullmatch(str(text).strip().lower())
    if m is None:
        raise ValueError(f"{text!r} is not a period such as 3m, 6m, 1y or 45d")
    years = float(m.group(1)) * _PERIOD_YEARS[m.group(2)]
    if not 0 < years <= max_years:
        raise ValueError(f"{text!r}: a period must be more than 0 and at most {max_years:g} years")
    return years


def pairs(items: tuple[str, ...] | list[str], what: str) -> list[tuple[str, str]]:
    """``NAME=VALUE`` texts as (name, value) pairs, both stripped."""
    out = []
    for item in items:
        name, sep, value = str(item).partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"{item!r}: use NAME=VALUE for {what}")
        out.append((name.strip(), value.strip()))
    return out


def parse_mix(text: str) -> dict[str, float]:
    """``equal-weight=40,small-cap=30,value=30`` (percents or fractions) as names -> fractions."""
    out: dict[str, float] = {}
    for name, value in pairs([p for p in str(text).split(",") if p.strip()], "a mix"):
        share = parse_percent(value if value.endswith("%") or float_or_none(value) is None
                              or float(value) <= 1 else value + "%")  # fmt: skip
        if share < 0:
            raise ValueError(f"{name}={value}: a share cannot be negative")
        out[name.lower()] = out.get(name.lower(), 0.0) + share
    if not out:
        raise ValueError(f"{text!r} is not a mix such as equity=60,bond=40")
    return out


def float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def json_number(x: Any) -> Any:
    """A value for JSON: NaN and infinity become ``None``; numpy scalars become Python numbers;
    integral floats that are meant as counts stay floats (use ``int`` at the source for those)."""
    if x is None or isinstance(x, bool | str):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    if math.isnan(f) or math.isinf(f):
        return None
    return int(x) if isinstance(x, int) else f


def json_money(x: Any) -> Any:
    """Money for JSON: to the cent (a P&L of ``-241007.92841929957`` is ``-241007.93``);
    ``None`` for NaN and infinity."""
    v = json_number(x)
    return round(v, 2) if isinstance(v, float) else v


def quantity_text(q: float) -> str:
    """A share quantity as the custodian should read it: ``'67'``, ``'324.9999'`` (shortest
    round-trip text of the float, never ``67.00000000000006`` when the quantity is whole)."""
    if float(q).is_integer():
        return str(int(q))
    return repr(float(q))
