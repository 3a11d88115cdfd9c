"""Number formats shared by the terminal tables and the proposal document: percentages, signed
points, plain numbers, money and share counts. No rich here, so the document renders without it."""

from __future__ import annotations

import math
from typing import Any


def _rounded(x: float, digits: int) -> float:
    """``x`` rounded to ``digits``, with a value that rounds to zero as +0 (never ``-0.0``)."""
    v = round(float(x), digits)
    return 0.0 if v == 0 else v


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.1234`` -> ``12.3%``; ``-0.0004`` -> ``0.0%``."""
    return "-" if _missing(x) else f"{_rounded(100 * x, digits):.{digits}f}%"  # type: ignore[operator]


def pp(x: float | None, digits: int = 1) -> str:
    """A fraction as signed percentage points: ``0.012`` -> ``+1.2``; zero -> ``0.0``."""
    if _missing(x):
        return "-"
    v = _rounded(100 * x, digits)  # type: ignore[operator]
    return f"{v:.{digits}f}" if v == 0 else f"{v:+.{digits}f}"


def fixed(x: float | None, digits: int = 1) -> str:
    """A plain number to ``digits`` decimals, without a sign on zero: ``-0.0004`` -> ``0.0``."""
    return "-" if _missing(x) else f"{_rounded(x, digits):.{digits}f}"  # type: ignore[arg-type]


def money(x: float | None) -> str:
    """Money in the account currency, to the cent: ``-241023.333`` -> ``-241,023.33``."""
    return "-" if _missing(x) else f"{_rounded(x, 2):,.2f}"  # type: ignore[arg-type]


def shares(q: float | None) -> str:
    """A share count: ``1,234`` when whole, else up to four decimals (``12.3457``)."""
    if _missing(q):
        return "-"
    if float(q).is_integer():  # type: ignore[arg-type]
        return f"{q:,.0f}"
    return f"{q:,.4f}".rstrip("0")
