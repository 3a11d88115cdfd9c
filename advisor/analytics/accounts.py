"""Per-account figures of a household: value, weight, cash, megacaps, asset mix, unrealised gain.

Everything is a slice of the household's own analysis: an account's megacap weight is its share
of each holding times that holding's look-through (exactly linear, no second look-through), and
its unrealised gain is the sum over its lots of shares x price - cost basis, split by holding
period on the snapshot date where the lot's date is known. No tax rates are applied here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from advisor.analytics import assets
from advisor.domain import Holdings
from advisor.holdings.lots import holding_term
from advisor.market.lookthrough import LookThrough
from advisor.market.snapshot import Market
from advisor.units import json_money, json_number

#: Columns of :attr:`advisor.analytics.analysis.Analysis.accounts` (index: account id).
COLUMNS = (
    "name", "type", "type_source",
    "value",  # account currency, positions and cash
    "weight",  # fraction of the household's value
    "cash",  # account currency
    "cash_weight",  # fraction of the account
    "megacap_weight",  # fraction of the account, looked through funds
    "asset_mix",  # dict: asset class -> fraction of the account
    "unrealized_gain",  # account currency, lots with a cost basis (NaN when none has one)
    "short_term_gain", "long_term_gain",  # held one year or less / more, on the snapshot date
    "unknown_term_gain",  # lots of unknown date and unstated term
    "cost_basis_known",  # fraction of the account's positions' value whose cost basis is known
)  # fmt: skip


def account_figures(h: Holdings, positions: pd.DataFrame, total: float | None, lt: LookThrough,
                    market: Market, megacaps: Sequence[str]) -> pd.DataFrame:  # fmt: skip
    """One row per account (:data:`COLUMNS`); empty when the file gives only weights.

    ``positions`` are the analysis' valued positions (value, shares, asset_class by ticker) and
    ``total`` the household's value (positions and cash).
    """
    if total is None or h.basis == "weight" or total <= 0:
        return pd.DataFrame(columns=list(COLUMNS))
    unit = (positions["value"] / positions["shares"]).where(positions["shares"] != 0, 0.0)
    by = h.by_account(prices=unit)
    megacap_unit = _megacap_per_unit_value(lt, positions["weight"], market, megacaps)
    gains = _gains(h, unit, market.as_of)
    rows = []
    for account in h.accounts.itertuples(index=False):
        held = by[by.index.get_level_values("account") == account.id].droplevel("account")
        cash = 0.0 if np.isnan(account.cash) else float(account.cash)
        value = float(held["value"].sum()) + cash
        weights = held["value"] / value if value > 0 else held["value"] * 0.0
        mix = assets.mix(weights, positions["asset_class"], cash / value if value > 0 else 0.0)
        basis_known = held["value"][held["cost_basis"].notna()].sum()
        rows.append({
            "id": account.id, "name": account.name, "type": str(account.type),
            "type_source": account.type_source, "value": value, "weight": value / total,
            "cash": cash, "cash_weight": cash / value if value > 0 else 0.0,
            "megacap_weight": float((weights * megacap_unit.reindex(weights.index).fillna(0.0)).sum()),
            "asset_mix": {str(k): float(v) for k, v in mix.items()},
            **gains.get(account.id, _NO_GAINS),
            "cost_basis_known": basis_known / held["value"].sum() if held["value"].sum() else np.nan,
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("id")[list(COLUMNS)]


_NO_GAINS = dict.fromkeys(("unrealized_gain", "short_term_gain", "long_term_gain",
                           "unknown_term_gain"), np.nan)  # fmt: skip


def _megacap_per_unit_value(lt: LookThrough, weights: pd.Series, market: Market,
                            megacaps: Sequence[str]) -> pd.Series:  # fmt: skip
    """Megacap exposure per unit of each holding's value (a stock: 1 or 0; a fund: its share)."""
    mega = market.megacap_companies(list(megacaps))
    rows = lt.by_holding
    company = market.company_of(pd.Index(rows["ticker"]))
    in_mega = rows["weight"].where(np.asarray(company.isin(list(mega))), 0.0)
    per_holding = in_mega.groupby(rows["holding"].to_numpy()).sum()
    unit = per_holding / weights.reindex(per_holding.index)  # weights: of the household
    return unit.replace([np.inf, -np.inf], 0.0).fillna(0.0)


def _gains(h: Holdings, unit: pd.Series, as_of: pd.Timestamp) -> dict[str, dict[str, float]]:
    """Unrealised gain per account, split by holding period on ``as_of`` (see module doc)."""
    lots = h.lots[h.lots["cost_basis"].notna()]
    if lots.empty:
        return {}
    gain = lots["shares"] * unit.reindex(lots["ticker"]).to_numpy() - lots["cost_basis"]
    term = holding_term(lots["acquired"], as_of).where(lots["acquired"].notna(), lots["term"])
    out = {}
    for account, idx in lots.groupby("account").groups.items():
        g, t = gain[idx], term[idx]
        out[str(account)] = {
            "unrealized_gain": float(g.sum()),
            "short_term_gain": float(g[t == "short"].sum()),
            "long_term_gain": float(g[t == "long"].sum()),
            "unknown_term_gain": float(g[t == ""].sum()),
        }
    return out


def accounts_list(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The accounts as JSON-ready dicts (``id`` first; money to the cent, fractions raw)."""
    money = ("value", "cash", "unrealized_gain", "short_term_gain", "long_term_gain",
             "unknown_term_gain")  # fmt: skip
    out = []
    for account, row in table.iterrows():
        item: dict[str, Any] = {"id": str(account)}
        for key in COLUMNS:
            value = row[key]
            if key == "asset_mix":
                item[key] = {k: json_number(v) for k, v in value.items()}
            elif key in money:
                item[key] = json_money(value)
            elif isinstance(value, str):
                item[key] = value
            else:
                item[key] = json_number(value)
        out.append(item)
    return out
