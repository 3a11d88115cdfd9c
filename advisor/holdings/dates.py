"""Dates in custodian exports: a bond's maturity, an option's expiry, a cell of a date column.

Custodians write ``11/15/2034``, ``11/15/34``, ``2034-11-15``, ``15-Nov-2034``, ``15NOV34``,
``Nov 15, 2034``, ``JAN 15 27`` and (XLSX cells) ``2034-11-15 00:00:00``. :func:`find_dates`
finds every date in a description, :func:`parse_date` reads a cell that is one date. Both look
at most at the first :data:`MAX_CHARS` characters, so a huge cell costs no more than a short one.
Two-digit years follow the POSIX pivot: 00-68 are 2000-2068, 69-99 are 1969-1999.
"""

from __future__ import annotations

import datetime as dt
import re

#: Longest text searched for dates (descriptions are under 100 characters in practice).
MAX_CHARS = 300

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MON = (
    r"(?:JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?"
    r"|SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)(?![A-Z])\.?"
)
_YEAR = r"(?:\d{4}|\d{2})"
_EDGE_BEFORE = r"(?<![0-9A-Z/.-])"
_EDGE_AFTER = r"(?![0-9/])"
#: One alternative per format; each group name says the part (y, m, d) and the format (suffix).
_DATE = re.compile(
    _EDGE_BEFORE
    + r"(?:"
    + r"(?P<y1>\d{4})[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"  # 2034-11-15, 2034/11/15
    + r"|(?P<m2>\d{1,2})(?P<s2>[/.-])(?P<d2>\d{1,2})(?P=s2)(?P<y2>"
    + _YEAR
    + r")"  # 11/15/2034, 11-15-34
    + r"|(?P<d3>\d{1,2})[-\s]?(?P<n3>"
    + _MON
    + r")[-\s,]*(?P<y3>"
    + _YEAR
    + r")"  # 15-Nov-2034
    + r"|(?P<n4>"
    + _MON
    + r")\s*(?P<d4>\d{1,2}),?\s*(?P<y4>"
    + _YEAR
    + r")"  # Nov 15, 2034
    + r")"
    + _EDGE_AFTER,
    re.IGNORECASE,
)
_COMPACT = re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})")  # 20341115, a whole cell
_TIME = re.compile(r"[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$")  # an XLSX cell's 00:00:00


def year(text: str) -> int:
    """A year as written: ``2034``, or ``34`` on the POSIX pivot (``69`` is 1969)."""
    number = int(text)
    if len(text) > 2:
        return number
    return 2000 + number if number < 69 else 1900 + number


def _date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None when there is no such day; a day-first ``15/11/2034`` is read too."""
    if m > 12 and d <= 12:
        m, d = d, m
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _of(match: re.Match[str]) -> dt.date | None:
    """The date one :data:`_DATE` match names."""
    parts = match.groupdict()
    for k in "1234":
        if parts[f"y{k}"] is None:
            continue
        name = parts.get(f"n{k}")
        month = _MONTHS.index(name[:3].upper()) + 1 if name else int(parts[f"m{k}"])
        return _date(year(parts[f"y{k}"]), month, int(parts[f"d{k}"]))
    return None


def find_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """Every date in ``text`` (its first :data:`MAX_CHARS` characters) with where it is written:
    (date, start, end), in order. Impossible dates (``02/30/2034``) are left out."""
    found = []
    for match in _DATE.finditer(text[:MAX_CHARS]):
        date = _of(match)
        if date is not None:
            found.append((date, match.start(), match.end()))
    return found


def parse_date(text: str) -> dt.date | None:
    """A cell that is one date (any format of :func:`find_dates`, or ``20341115``), else None."""
    cell = _TIME.sub("", text.strip()[:MAX_CHARS]).strip()
    compact = _COMPACT.fullmatch(cell)
    if compact:
        return _date(int(compact["y"]), int(compact["m"]), int(compact["d"]))
    match = _DATE.fullmatch(cell)
    return None if match is None else _of(match)
