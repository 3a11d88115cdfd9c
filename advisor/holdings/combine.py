"""Several holdings files as one: a household's accounts, a positions file with its lots file.

:func:`merge` adds up the positions of several :class:`~advisor.domain.Holdings` by ticker and
keeps every lot and account; :func:`as_account` makes all of one file's lines one account;
:func:`with_lots` puts a lot-level export's lots under a positions file's lines, checking that
they add up. Refusals are :class:`~advisor.errors.InputError` naming the file, line and value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from advisor.domain import POSITION_COLUMNS, AccountType, Holdings, accounts_frame
from advisor.holdings.lines import NUMERIC, quantity, total
from advisor.holdings.tables import bad

_SUMMED = ("shares", "value", "cost_basis")


def as_account(h: Holdings, account: str, name: str, kind: AccountType, how: str) -> Holdings:
    """All of ``h``'s lines in one account (a household file's per-account file)."""
    named = [a for a in h.accounts["id"] if a and a != account]
    warnings = list(h.warnings)
    if named:
        warnings.append(
            f"the file names account(s) {', '.join(map(repr, named))}; all its lines are read as "
            f"account {account!r} (household file)"
        )
    cash = total(list(h.accounts["cash"])) if len(h.accounts) else h.cash
    positions = h.positions.assign(account=account)
    lots = h.lots.assign(account=account)
    accounts = accounts_frame([(account, name or account, kind, how, cash)])
    return replace(h, positions=positions, lots=lots, accounts=accounts, warnings=tuple(warnings))


def with_types(h: Holdings, types: dict[str, tuple[str, AccountType, str]]) -> Holdings:
    """``h`` with the name, type and type source of the accounts in ``types`` (id -> those)."""
    rows = []
    for row in h.accounts.itertuples(index=False):
        name, kind, how = types.get(row.id, (row.name, row.type, row.type_source))
        rows.append((row.id, name or row.name, kind, how, row.cash))
    said = [f"account {i!r} read as" for i in types] + [f"account {i!r}: its name" for i in types]
    warnings = tuple(w for w in h.warnings if not any(s in w for s in said))  # the file says
    return replace(h, accounts=accounts_frame(rows), warnings=warnings)


def with_lots(positions: Holdings, lots: Holdings) -> Holdings:
    """The positions of one file with the lots of a lot-level export of the same account.

    Each ticker's lots must add up to its position's shares; a position without lots keeps its
    line as one lot of unknown date. Raises InputError naming the lots file's first lot of a
    ticker that does not add up, or that has no position.
    """
    held = positions.positions["shares"]
    for ticker, group in lots.lots.groupby("ticker", sort=False):
        line, shares = int(group["line"].iloc[0]), float(group["shares"].sum())
        if ticker not in held.index:
            message = f"lots of {ticker} ({quantity(shares)} shares), which {positions.path} does not hold"
            raise bad(
                lots.path, line, message, str(ticker), "give the positions file of the same account"
            )
        if not math.isclose(shares, float(held[ticker]), rel_tol=1e-9, abs_tol=1e-6):
            where = ", ".join(map(str, positions.positions.at[ticker, "lines"]))
            message = (
                f"the lots of {ticker} add up to {quantity(shares)} shares, but {positions.path} "
                f"holds {quantity(float(held[ticker]))} (line {where})"
            )
            hint = "export the lots and the positions at the same date, or fix the quantities"
            raise bad(lots.path, line, message, quantity(shares), hint)
    account = positions.lots["account"].iloc[0] if len(positions.lots) else ""
    own = positions.lots[~positions.lots["ticker"].isin(lots.lots["ticker"])]
    merged = pd.concat([own, lots.lots.assign(account=account)], ignore_index=True)
    cost = merged.groupby("ticker")["cost_basis"].agg(lambda c: total(list(c)))
    frame = positions.positions.assign(
        cost_basis=cost.reindex(held.index).fillna(positions.positions["cost_basis"])
    )
    warnings = positions.warnings + tuple(f"{Path(lots.path).name}: {w}" for w in lots.warnings)
    return replace(positions, positions=frame, lots=merged, warnings=warnings)


def merge(parts: Sequence[Holdings], path: str) -> Holdings:
    """One holdings of several files: positions added up by ticker, every lot and account kept.

    Warnings are prefixed with their file's name; a lot's ``line`` is a line of its own file.
    Raises InputError when a file gives only weights (they cannot be added across files).
    """
    for h in parts:
        if h.basis == "weight":
            hint = "export the account with quantities or market values"
            raise bad(
                h.path, None, "a household needs shares or market values, not weights", None, hint
            )
    if len(parts) == 1:
        return replace(parts[0], path=path)
    frame = pd.concat([h.positions for h in parts])
    positions = pd.DataFrame(
        [_one_position(frame.loc[[t]]) for t in sorted(set(frame.index))],
        index=pd.Index(sorted(set(frame.index)), name="ticker", dtype="str"),
    )[list(POSITION_COLUMNS)]
    positions = positions.astype({c: "float64" for c in NUMERIC})
    instruments = pd.concat([h.instruments for h in parts])
    return Holdings(
        path=path,
        positions=positions,
        cash=total([h.cash for h in parts]),
        cash_lines=tuple(line for h in parts for line in h.cash_lines),
        warnings=tuple(f"{Path(h.path).name}: {w}" for h in parts for w in h.warnings),
        basis="shares" if all(h.basis == "shares" for h in parts) else "value",
        instruments=instruments[~instruments.index.duplicated()],
        lots=pd.concat([h.lots for h in parts], ignore_index=True),
        accounts=_accounts(parts),
    )


def _one_position(rows: pd.DataFrame) -> dict[str, object]:
    """One position of a ticker's rows from several files (see :func:`merge`)."""
    out: dict[str, object] = {c: total(list(rows[c])) for c in _SUMMED}
    priced = rows[rows["price"].notna()]
    shares = float(priced["shares"].sum()) if len(priced) else 0.0
    out["price"] = (
        float((priced["price"] * priced["shares"]).sum()) / shares if shares > 0 else math.nan
    )
    out["weight"] = math.nan
    accounts = {a for cell in rows["account"] for a in str(cell).split("; ") if a}
    out["account"] = "; ".join(sorted(accounts))
    out["lines"] = tuple(line for lines in rows["lines"] for line in lines)
    out["raw"] = tuple(raw for raws in rows["raw"] for raw in raws)
    out["instrument"] = str(rows["instrument"].iloc[0])
    return out


def _accounts(parts: Sequence[Holdings]) -> pd.DataFrame:
    """The accounts of several files in order; an account in two files is one, cash added."""
    rows: dict[str, list[object]] = {}
    for h in parts:
        for row in h.accounts.itertuples(index=False):
            if row.id in rows:
                rows[row.id][4] = total([float(rows[row.id][4]), row.cash])  # type: ignore[arg-type]
            else:
                rows[row.id] = [row.id, row.name, row.type, row.type_source, row.cash]
    return accounts_frame([tuple(r) for r in rows.values()])
