"""The household's estimated tax on a set of lot sales: Schedule D netting, simplified.

All figures are **estimates** (see ``docs/tax.md``). Only sales in ``taxable`` accounts owe tax;
gains realised in ``tax_deferred`` and ``tax_exempt`` accounts are reported as not taxable.

Netting across the household's taxable accounts (IRS Publication 550, Schedule D; IRC 1211(b),
1212(b)):

1. short-term gains and losses are netted together, and long-term ones together;
2. if one net is a gain and the other a loss, the loss offsets the gain (the remainder keeps
   the character of the larger side, and is taxed at that side's rate);
3. a remaining net loss offsets up to ``loss_limit`` ($3,000) of ordinary income, short-term
   losses first, valued at the short-term rate (``offset_ordinary``); the rest carries forward
   with its character and is reported, not valued.

Per-sale attribution (``by_sale``): a sale's *standalone* tax is its gain at its own term's
rate; the household's netted tax differs from the standalone sum when netting moves a loss
between rates or the $3,000 limit binds. Each taxable sale is attributed its standalone tax plus
a share of that difference in proportion to the absolute value of its standalone tax, so the
attributions add up to the household figure exactly. Sales with unknown basis, or in
non-taxable accounts, are attributed 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from advisor.optimize.tax import ACCOUNT_TYPES, ORDINARY_LOSS_LIMIT, TAXABLE, TaxRates
from advisor.units import json_money


@dataclass(frozen=True)
class Netted:
    """Schedule D for one household and year (estimates, money in the account currency)."""

    short_term_gain: float  # net short-term gain (negative: loss), taxable accounts
    long_term_gain: float  # net long-term gain (negative: loss), taxable accounts
    taxed_short: float  # the part taxed at the short rate after cross-netting
    taxed_long: float  # the part taxed at the long rate after cross-netting
    ordinary_offset: float  # net loss deducted from ordinary income (<= the limit)
    carryforward_short: float  # short-term loss carried to next year (>= 0)
    carryforward_long: float  # long-term loss carried to next year (>= 0)
    estimated_tax: float  # negative: a saving


def net_gains(
    short: float,
    long: float,
    rates: TaxRates,
    loss_limit: float = ORDINARY_LOSS_LIMIT,
    offset_ordinary: bool = True,
) -> Netted:
    """Steps 1 to 3 of the module notes on a household's net short and long-term gains."""
    taxed_s = taxed_l = 0.0
    loss_s = max(-short, 0.0)
    loss_l = max(-long, 0.0)
    if short >= 0 and long >= 0:
        taxed_s, taxed_l, loss_s, loss_l = short, long, 0.0, 0.0
    elif short < 0 <= long:  # a short-term loss offsets a long-term gain
        taxed_l, loss_s = max(long + short, 0.0), max(-(long + short), 0.0)
    elif long < 0 <= short:  # a long-term loss offsets a short-term gain
        taxed_s, loss_l = max(short + long, 0.0), max(-(short + long), 0.0)
    limit = loss_limit if offset_ordinary else 0.0
    used_s = min(limit, loss_s)
    used_l = min(limit - used_s, loss_l)
    tax = taxed_s * rates.rate("short") + taxed_l * rates.rate("long")
    tax -= (used_s + used_l) * rates.rate("short")
    return Netted(
        short, long, taxed_s, taxed_l, used_s + used_l, loss_s - used_s, loss_l - used_l, tax
    )


def _account_types(sales: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.Series:
    """The type of each sale's account (all ``taxable`` without an accounts table)."""
    if accounts is None:
        return pd.Series(TAXABLE, index=sales.index)
    bad = sorted(set(accounts["type"]) - set(ACCOUNT_TYPES))
    if bad:
        raise ValueError(f"account types {bad}: use one of {', '.join(ACCOUNT_TYPES)}")
    types = accounts.set_index(accounts["id"].astype(str))["type"]
    mapped = sales["account"].astype(str).map(types)
    missing = sorted(set(sales.loc[mapped.isna(), "account"].astype(str)))
    if missing:
        raise ValueError(f"sales in accounts not in the accounts table: {missing}")
    return mapped


@dataclass(frozen=True, eq=False)
class TaxEstimate:
    """The estimated tax of a set of lot sales for one household (see the module notes).

    ``by_sale`` is indexed like the sales table; ``by_account`` maps account id to its figures.
    """

    netted: Netted
    by_account: dict[str, dict[str, Any]]
    by_sale: pd.Series
    not_taxable_gain: float
    unknown_basis_sales: int
    rates: TaxRates = field(default_factory=TaxRates)

    @property
    def estimated_tax(self) -> float:
        return self.netted.estimated_tax

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``tax`` object: ``{short_term_gain, long_term_gain, estimated_tax,
        by_account, ...}``, money to the cent."""
        n = self.netted
        return {
            "short_term_gain": json_money(n.short_term_gain),
            "long_term_gain": json_money(n.long_term_gain),
            "estimated_tax": json_money(n.estimated_tax),
            "by_account": {
                a: {k: json_money(v) if isinstance(v, float) else v for k, v in d.items()}
                for a, d in self.by_account.items()
            },
            "ordinary_income_offset": json_money(n.ordinary_offset),
            "carryforward": {
                "short_term": json_money(n.carryforward_short),
                "long_term": json_money(n.carryforward_long),
            },
            "not_taxable_gain": json_money(self.not_taxable_gain),
            "unknown_basis_sales": self.unknown_basis_sales,
            "rates": self.rates.to_dict(),
            "note": "estimate: federal rules simplified, see docs/tax.md",
        }


def estimate_tax(
    sales: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    rates: TaxRates | None = None,
    loss_limit: float = ORDINARY_LOSS_LIMIT,
    offset_ordinary: bool = True,
) -> TaxEstimate:
    """Estimated tax of ``sales`` (rows of :func:`~advisor.optimize.tax.select_lots`, with
    ``account``, ``gain`` and ``term``) for a household whose accounts are ``accounts``
    (``id, name, type``; None: all taxable).

    Returns a :class:`TaxEstimate`; ``to_dict()`` is the JSON contract.
    """
    rates = rates or TaxRates()
    types = _account_types(sales, accounts)
    taxable = types.eq(TAXABLE)
    known = sales["gain"].notna()
    gain = sales["gain"].where(known, 0.0).astype(float)
    short = sales["term"].eq("short")
    st = float(gain[taxable & short].sum())
    lt = float(gain[taxable & ~short].sum())
    netted = net_gains(st, lt, rates, loss_limit, offset_ordinary)
    by_sale = attribute(gain.where(taxable & known, 0.0), sales["term"], rates, netted)
    by_account: dict[str, dict[str, Any]] = {}
    for acc, idx in sales.groupby(sales["account"].astype(str)).groups.items():
        kind = str(types[idx[0]])
        by_account[str(acc)] = {
            "type": kind,
            "taxable": kind == TAXABLE,
            "short_term_gain": float(gain[idx][short[idx]].sum()),
            "long_term_gain": float(gain[idx][~short[idx]].sum()),
            "estimated_tax": float(by_sale[idx].sum()),
        }
    return TaxEstimate(
        netted=netted,
        by_account=by_account,
        by_sale=by_sale,
        not_taxable_gain=float(gain[~taxable].sum()),
        unknown_basis_sales=int((~known).sum()),
        rates=rates,
    )


def attribute(gain: pd.Series, term: pd.Series, rates: TaxRates, netted: Netted) -> pd.Series:
    """Each sale's share of the netted tax (the rule of the module notes); sums to it."""
    rate = term.map({"short": rates.rate("short")}).fillna(rates.rate("long"))
    standalone = gain * rate
    weight = standalone.abs()
    total = float(weight.sum())
    if total == 0:
        return standalone * 0.0
    gap = netted.estimated_tax - float(standalone.sum())
    return standalone + gap * weight / total


def trade_tax(sales: pd.DataFrame, estimate: TaxEstimate) -> pd.Series:
    """Estimated tax per trade (account, ticker): the sum of its lot sales' attributions."""
    keyed = sales.assign(_tax=estimate.by_sale.reindex(sales.index).to_numpy())
    return keyed.groupby(["account", "ticker"])["_tax"].sum().round(2)


__all__ = ["Netted", "TaxEstimate", "attribute", "estimate_tax", "net_gains", "trade_tax"]
