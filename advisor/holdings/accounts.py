"""Accounts: which account each line is in, and how each account is taxed.

A custodian export names accounts in an account column (``Individual ...123``), in Fidelity's
``Account Number`` and ``Account Name`` columns, or as section lines above each account's
positions (Schwab's All-Accounts layout). An account's type (:class:`~advisor.domain.AccountType`)
is set in a household file, else inferred from its name (:func:`infer_type`), else taxable; every
inference and every default is said in a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd

from advisor.domain import DEFAULT_TYPE, AccountType, accounts_frame

#: Words of an account's name that say its type, tried in this order (Roth IRA is tax-exempt
#: although it says IRA; a Roth 401(k) too).
_TYPE_WORDS: tuple[tuple[AccountType, re.Pattern[str]], ...] = (
    (AccountType.TAX_EXEMPT, re.compile(r"\b(roth|hsa|health\s+savings)\b", re.I)),
    (
        AccountType.TAX_DEFERRED,
        re.compile(
            r"\b(ira|457|sep|traditional|rollover|keogh|pension|tsp)\b|\b40[13]\s*\(?[kb]\)?",
            re.I,
        ),
    ),
    (
        AccountType.TAXABLE,
        re.compile(
            r"\b(joint|individual|brokerage|trust|taxable|jtwros|tod|custodial|utma)\b", re.I
        ),
    ),
)
#: A masked account number as custodians write it: ``...123``, ``XXXX1234``, ``****1234``.
_MASKED = re.compile(r"(\.{3}|[xX*]{3,})\s?\d{2,}")
_TITLE = re.compile(r"\b(as of|positions|lot details|holdings|balances|summary)\b", re.I)


def infer_type(name: str) -> AccountType | None:
    """The type an account's name says (``Roth IRA ...516`` -> tax-exempt), or None."""
    spaced = name.replace("_", " ")  # a file name: roth_ira
    for kind, words in _TYPE_WORDS:
        if words.search(spaced):
            return kind
    return None


def parse_type(text: str) -> AccountType | None:
    """An account type as a person writes it (``tax-exempt``, ``Tax deferred``, ``taxable``)."""
    key = re.sub(r"[\s-]+", "_", text.strip().lower())
    return next((t for t in AccountType if t.value == key), None)


def looks_like_account(text: str) -> bool:
    """True when a line's only cell names an account (a section header of an export)."""
    cell = text.strip()
    if not cell or len(cell) > 80 or _TITLE.search(cell):
        return False
    return bool(_MASKED.search(cell)) or infer_type(cell) is not None


def type_of(account: str, name: str) -> tuple[AccountType, str, str | None]:
    """(type, how it was known, warning or None) of an account named in a file."""
    for said in dict.fromkeys((name, account)):
        kind = infer_type(said)
        if kind is not None:
            how = f"inferred from the name {said!r}"
            warning = (
                f"account {account!r} read as {kind.value} ({how}); set its type in a household "
                "file if that is wrong"
            )
            return kind, how, warning
    warning = (
        f"account {account!r}: its name does not say how it is taxed, so it counts as taxable "
        "(default); set its type in a household file"
    )
    return AccountType.TAXABLE, DEFAULT_TYPE, warning


def table(
    seen: Iterable[tuple[str, str]], cash: dict[str, float], named: bool
) -> tuple[pd.DataFrame, list[str]]:
    """The accounts table of (id, name) pairs in file order, with their cash, and the warnings.

    ``named`` is False when the file names no account: one account ``""``, taxable by default
    without a warning (a single-account file says nothing about its type).
    """
    rows: list[tuple[object, ...]] = []
    warnings: list[str] = []
    for account, name in dict.fromkeys(seen):
        money = cash.get(account, 0.0)
        if not named:
            rows.append((account, name, AccountType.TAXABLE, DEFAULT_TYPE, money))
            continue
        kind, how, warning = type_of(account, name)
        rows.append((account, name or account, kind, how, money))
        warnings += [warning] if warning else []
    return accounts_frame(rows), warnings


def cash_by_account(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Cash per account from (account, value) pairs (NaN stays NaN: a weights-only file)."""
    out: dict[str, float] = {}
    for account, value in pairs:
        out[account] = out.get(account, 0.0) + (value if not math.isnan(value) else math.nan)
    return out
