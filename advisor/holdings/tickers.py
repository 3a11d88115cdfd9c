"""Ticker spelling: one canonical form, aliases, renames and the cash-like symbols.

Canonical form is upper case with a dash for share classes (``BRK-B``), the convention of the price
files. Custodians write ``BRK.B``, ``BRK/B``, ``BRK B`` or ``brk.b``; index files ``BRKB``. This
module only spells; which tickers exist is the snapshot's business (:mod:`advisor.market.snapshot`).
"""

from __future__ import annotations

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


def signed(raw: str) -> bool:
    """True for a ticker written with a sign (``-MSFT``, ``+AAPL``, ``MSFT-``): not a position.

    :func:`canonical` trims dashes, so the sign must be caught before it is applied. A cell that
    is only dashes (``--``, a missing figure) or a signed number (``-5``) is no signed ticker.
    """
    text = raw.strip().lstrip("$").rstrip("*").strip()
    for sign in _SIGNS:
        if text.startswith(sign):
            rest = text[len(sign) :]
        elif text.endswith(sign):
            rest = text[: -len(sign)]
        else:
            continue
        if looks_like_ticker(rest) and any(ch.isalpha() for ch in rest):
            return True
    return False


def looks_like_mutual_fund(raw: str) -> bool:
    """True for a five-letter symbol ending in X (the US mutual-fund convention, ``FXAIX``)."""
    t = canonical(raw)
    return len(t) == 5 and t.isalpha() and t.endswith("X") and t not in CASH_SYMBOLS


def close_matches(
    raw: str,
    known: Collection[str],
    *,
    description: str = "",
    names: Mapping[str, str] | None = None,
    n: int = 3,
) -> list[str]:
    """Up to ``n`` known tickers that are plausibly what ``raw`` meant (for 'did you mean').

    Conservative on purpose: a suggestion that names another company misleads more than no
    suggestion. Suggested are only

    - the same ticker with another separator or share class (``BRK-C`` -> ``BRK-A``, ``BRK-B``);
    - a known rename of it (``RENAMES``);
    - a one-character typo (one letter changed, added, dropped or two swapped), both tickers of
      at least 4 characters, and, when the line has a description and ``names`` (the
      snapshot's security names) are given, only if that name shares a word with it.

    Five-letter symbols ending in X (mutual funds, :func:`looks_like_mutual_fund`) get no typo
    suggestions: ``FXAIX`` is not ``FIX``.
    """
    t = canonical(raw)
    if not t:
        return []
    base, flat = t.split("-")[0], t.replace("-", "")
    same = {k for k in known if k != t and (k.replace("-", "") == flat or k.split("-")[0] == base)}
    if RENAMES.get(t) in known:
        same.add(RENAMES[t])
    typos: set[str] = set()
    if len(t) >= 4 and not looks_like_mutual_fund(t):
        words = name_words(description)
        for k in known:
            if len(k) >= 4 and abs(len(k) - len(t)) <= 1 and k not in same and _one_typo(t, k):
                name = names.get(k) if names is not None else None
                if not (words and name) or words & name_words(name):
                    typos.add(k)
    return (sorted(same) + sorted(typos))[:n]


_SIGNS = ("-", "+", "\u2212", "\u2013", "\u2014")  # minus, plus, minus sign, en and em dash
_FILLER = frozenset(
    {"THE", "INC", "CORP", "CO", "COM", "LTD", "PLC", "CLASS", "CL", "SHS", "SHARES", "ETF",
     "FUND", "TRUST", "TR", "INDEX", "GROUP", "HOLDINGS", "AND", "OF", "USD", "NEW"}
)  # fmt: skip


def name_words(text: str) -> set[str]:
    """The distinctive words of a security name or description, upper case (``'Apple Inc.'`` ->
    ``{'APPLE'}``): letters and digits, two or more, without filler such as INC or ETF."""
    return {w for w in re.findall(r"[A-Z0-9]+", text.upper()) if len(w) > 1 and w not in _FILLER}


def _one_typo(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one substitution, insertion, deletion or adjacent swap."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(long_) == len(short) + 1 and any(
        long_[:i] + long_[i + 1 :] == short for i in range(len(long_))
    )
