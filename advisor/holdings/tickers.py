"""Ticker spelling: one canonical form, aliases, renames and the cash-like symbols.

Canonical form is upper case with a dash for share classes (``BRK-B``), the convention of the price
files. Custodians write ``BRK.B``, ``BRK/B``, ``BRK B`` or ``brk.b``; index files ``BRKB``. This
module only spells; which tickers exist is the snapshot's business (:mod:`advisor.market.snapshot`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping

#: Ticker changes known to the data's README (old -> new). Keys and values are canonical.
RENAMES: Mapping[str, str] = {
    "FLT": "CPAY",
    "PEAK": "DOC",
    "FI": "FISV",
    "CDAY": "DAY",
    "SPLG": "SPYM",
    "FB": "META",
}

#: Symbols that are cash or cash-equivalent (money-market funds, sweep vehicles).
CASH_SYMBOLS: frozenset[str] = frozenset(
    {
        "CASH",
        "USD",
        "CASH & CASH INVESTMENTS",
        "MONEY MARKET",
        "SWEEP",
        "CORE",
        # Fidelity
        "SPAXX",
        "FDRXX",
        "FZFXX",
        "SPRXX",
        "FZDXX",
        # Schwab
        "SWVXX",
        "SNVXX",
        "SNOXX",
        "SWGXX",
        # Vanguard
        "VMFXX",
        "VMRXX",
        "VUSXX",
        # others
        "TTTXX",
        "QACDS",
    }
)

_SEPARATORS = re.compile(r"[.\s/_]+")
_VALID = re.compile(r"^[A-Z0-9^][A-Z0-9\-^&]*$")


def canonical(raw: str) -> str:
    """Spell a ticker the canonical way: trimmed, upper case, share class after a dash.

    >>> canonical(" brk.b ")
    'BRK-B'
    >>> canonical("BRK/B")
    'BRK-B'
    """
    text = raw.strip().upper().lstrip("$").strip()
    text = _SEPARATORS.sub("-", text).strip("-")
    return text


def looks_like_ticker(text: str) -> bool:
    """True for text that could be a ticker (letters, digits, a dash), 1 to 12 characters."""
    t = canonical(text)
    return 0 < len(t) <= 12 and bool(_VALID.match(t))


def is_cash(raw: str) -> bool:
    """True for cash lines and money-market funds (``CASH``, ``SPAXX``, ``SWVXX``, ...)."""
    text = raw.strip().upper()
    if text in CASH_SYMBOLS or canonical(text) in CASH_SYMBOLS:
        return True
    return text.startswith("CASH") or "MONEY MARKET" in text


def resolve(raw: str, known: Collection[str], renames: Mapping[str, str] = RENAMES) -> str | None:
    """Map a ticker as written to a known canonical ticker, or ``None`` when there is none.

    Tries, in order: the canonical spelling, a known rename, and a glued share class
    (``BRKB`` -> ``BRK-B``) when only the dashed form exists.
    """
    t = canonical(raw)
    if t in known:
        return t
    renamed = renames.get(t)
    if renamed is not None and renamed in known:
        return renamed
    if len(t) >= 3 and "-" not in t and t[-1] in "ABCK":
        dashed = f"{t[:-1]}-{t[-1]}"
        if dashed in known:
            return dashed
    return None


def close_matches(raw: str, known: Collection[str], n: int = 3) -> list[str]:
    """Up to ``n`` known tickers that look like ``raw`` (for 'did you mean' messages)."""
    return difflib.get_close_matches(canonical(raw), list(known), n=n, cutoff=0.6)
