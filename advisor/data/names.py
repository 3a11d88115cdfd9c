"""Security names: one normal form to compare issuers' spellings, and display names.

Issuers spell one company many ways (``TAIWAN SEMICONDUCTOR MANUFACTURING``, ``Taiwan Semiconductor
Manufacturing Co. Ltd.``, ``Taiwan Semiconductor Manufacturing Company Ltd.``). :func:`normalise`
reduces a name to its distinctive words so that those compare equal; :func:`names_match` decides
whether a fund line's name and a listing's name are the same company. Both are deliberately
plain: upper case, accents and punctuation removed, a few abbreviations spelled out, and legal
forms dropped, and at the end of a name share-class and share-type words and the generic
``HOLDINGS`` and ``GROUP`` (with what follows "American Depositary" or "each representing").
iShares cuts names at about 34 characters, so a last word that is the start of a legal form
(``SUMITOMO MITSUI FINANCIAL GROUP IN``) is dropped too.
"""

from __future__ import annotations

import re
import unicodedata

#: Legal forms: dropped wherever they stand.
_LEGAL = frozenset(
    (
        "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "COS", "LTD", "LIMITED",
        "PLC", "NV", "SE", "AG", "SA", "SPA", "ASA", "AB", "OYJ", "AS", "BHD", "BERHAD", "TBK",
        "PT", "PCL", "LLC", "LP", "KK", "KGAA", "SAB", "CV", "SAS", "SRL", "BV", "THE",
    )
)  # fmt: skip
#: Share words and generic endings: dropped at the end of a name only.
_TRAILING = _LEGAL | frozenset(
    (
        "DE", "NPV", "REG", "PAR", "ADR", "ADS", "GDR", "NVDR", "DR", "SHS", "SHARES", "SHARE",
        "ORDINARY", "ORD", "COMMON", "STOCK", "UNITS", "UNIT", "PREF", "PFD", "PRF",
        "PREFERRED", "NON", "VOTING", "SUBORDINATE", "REGISTERED", "BEARER", "FOREIGN",
        "CLASS", "CL", "SERIES", "HOLDINGS", "GROUP", "NEW",
    )
)  # fmt: skip
#: Words that end a name's meaningful part: what follows describes the share, not the company.
_CUT = re.compile(
    r"\b(AMERICAN DEPOSITARY|AMERICAN DEPOSITORY|EACH REPRESENTING|NEW YORK REGISTRY|"
    r"SPONSORED ADR|COMMON STOCK|COMMON SHARES|ORDINARY SHARES|CLASS [A-Z] (COMMON|ORDINARY|"
    r"CAPITAL|SUBORDINATE)|CAPITAL STOCK|SUBORDINATE VOTING|DEPOSITARY SHARES|"
    r"SHARES OF BENEFICIAL INTEREST|REPRESENTING)\b.*$"
)
_ABBREVIATIONS = {
    "MFG": "MANUFACTURING",
    "HLDGS": "HOLDINGS",
    "HLDG": "HOLDINGS",
    "HOLDING": "HOLDINGS",
    "GRP": "GROUP",
    "INTL": "INTERNATIONAL",
    "FINL": "FINANCIAL",
    "TECHNOLOGIES": "TECHNOLOGY",
    "INDS": "INDUSTRIES",
    "&": "AND",
}
#: Words whose beginnings may end an iShares name cut at 34 characters.
_TRUNCATED_FORMS = (
    "INC", "CORP", "CORPORATION", "LTD", "LIMITED", "COMPANY", "HOLDINGS", "GROUP", "PREFERRED",
    "PREFERENCE",
)  # fmt: skip


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = text.replace("&", " & ").replace("'", "")
    return re.sub(r"[^A-Z0-9&]+", " ", text).strip()


def normalise(name: object) -> str:
    """The distinctive words of a company name, upper case, single-spaced ('' for no name).

    >>> normalise("Taiwan Semiconductor Manufacturing Co. Ltd.")
    'TAIWAN SEMICONDUCTOR MANUFACTURING'
    >>> normalise("ASML Holding N.V. - New York Registry Shares")
    'ASML'
    >>> normalise("SUMITOMO MITSUI FINANCIAL GROUP IN")
    'SUMITOMO MITSUI FINANCIAL'
    """
    if not isinstance(name, str):
        return ""
    text = _CUT.sub("", _plain(name))
    words = [_ABBREVIATIONS.get(w, w) for w in text.split()]
    words = [w for w in words if w not in _LEGAL and w != "AND"] or words
    while len(words) > 1 and (
        words[-1] in _TRAILING
        or len(words[-1]) == 1
        or any(f.startswith(words[-1]) and len(words[-1]) >= 2 for f in _TRUNCATED_FORMS)
    ):
        words.pop()
    return " ".join(words)


def names_match(a: object, b: object) -> bool:
    """True when two names name the same company: equal normal forms, or one of at least two
    words starting the other (``APPLE INC`` = ``Apple Inc. Common Stock``; ``PRUDENTIAL PLC`` is
    not ``Prudential Financial``). Meant for a line whose ticker already matches: the name
    confirms it."""
    x, y = normalise(a).split(), normalise(b).split()
    if not x or not y:
        return False
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return short == long_ or (len(short) >= 2 and long_[: len(short)] == short)


#: Share-type phrases cut from the symbol directory's names for display (kept: the class).
_DISPLAY_CUT = re.compile(
    r"\s*(-\s*)?\b(American Depositary Shares?|American Depository Shares?|ADS|ADR|"
    r"Sponsored ADR|New York Registry Shares|Common Stock|Common Shares|Ordinary Shares|"
    r"Capital Stock|Subordinate Voting Shares|Shares of Beneficial Interest|"
    r"Common Units.*|Limited Partnership Units|each representing.*|\(each representing.*|"
    r"Each Representing.*)\b.*$",
    re.IGNORECASE,
)


def display_name(name: object, ticker: str) -> str:
    """A stock's name for reports: the directory's name without its share-type suffix.

    ``Apple Inc. Common Stock`` -> ``Apple Inc.``; ``Alibaba Group Holding Limited American
    Depositary Shares each representing eight Ordinary share`` -> ``Alibaba Group Holding
    Limited``; ``Brown-Forman Corporation Class B Common Stock`` -> ``Brown-Forman Corporation
    Class B``. An empty name is the ticker.
    """
    if not isinstance(name, str) or not name.strip():
        return ticker
    text = _DISPLAY_CUT.sub("", name.strip())
    text = re.sub(r"\s+", " ", text).strip(" -,;")
    return text or name.strip()
