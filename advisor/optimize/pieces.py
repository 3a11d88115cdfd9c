"""What a sale draws from: each holding cut into pieces (its tax lots, per account), cheapest
first.

A holding of ``w0`` (a fraction of the account) is the sum of its pieces' ``cap``. A piece has a
realised gain and an estimated tax per unit of weight sold: a lot at a gain in a taxable account
owes tax at its term's rate, one in a tax-deferred or tax-exempt account owes nothing, a lot at a
loss owes nothing (losses are credited in the report's netting, not in the optimizer: see
:mod:`advisor.optimize.tax`). Within a holding the pieces are ordered by tax per unit, then by
gain per unit, and a sale of ``s`` draws from them in that order: the tax of selling ``s`` is a
convex piecewise-linear function of ``s`` (nondecreasing slopes), so the optimizer can state it
with one variable per piece (``0 <= z <= cap``, ``sum z >= sold``, cost ``tax @ z``) and finds the
same allocation the numpy fill below makes.

Without lots a holding is one piece (its average cost basis, of unknown date).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

#: Tax per unit of gain where nothing else is known: the top federal long-term rate with the net
#: investment income tax, 20 % + 3.8 % (IRC 1(h), 1411; ../shared/tax-facts.md).
DEFAULT_LONG_RATE = 0.238


@dataclass(frozen=True, eq=False)
class Pieces:
    """The pieces of every asset, sorted by asset, then by tax, then by gain per unit.

    Attributes
    ----------
    asset : ndarray of int
        The asset (position in ``ProblemData.assets``) each piece belongs to.
    cap : ndarray
        The piece's weight in the account (fraction of the account's value).
    gain : ndarray
        Realised gain per unit of weight sold (negative for a loss; 0 when the basis is unknown).
    tax : ndarray
        Estimated tax per unit of weight sold (>= 0).
    account : ndarray of str
        The account each piece is held in ("" for a single account).
    lot : ndarray of int
        The piece's row in the holdings' lots table (-1: none).
    """

    asset: np.ndarray
    cap: np.ndarray
    gain: np.ndarray
    tax: np.ndarray
    account: np.ndarray
    lot: np.ndarray

    def __post_init__(self) -> None:
        order = np.lexsort((self.gain, self.tax, self.asset))
        if not np.array_equal(order, np.arange(len(order))):
            raise ValueError("pieces must be sorted by asset, then tax, then gain")

    @classmethod
    def per_asset(cls, w0: np.ndarray, gain: np.ndarray, tax: np.ndarray) -> Pieces:
        """One piece per asset (no lots)."""
        n = len(w0)
        return cls(np.arange(n), np.asarray(w0, float), np.asarray(gain, float),
                   np.clip(np.asarray(tax, float), 0.0, None), np.full(n, "", dtype=object),
                   np.full(n, -1))  # fmt: skip

    @classmethod
    def sorted(cls, asset, cap, gain, tax, account, lot) -> Pieces:  # type: ignore[no-untyped-def]
        """Pieces in any order, sorted as the class requires."""
        tax = np.clip(np.asarray(tax, float), 0.0, None)
        order = np.lexsort((np.asarray(gain, float), tax, np.asarray(asset)))
        return cls(*(np.asarray(x)[order] for x in (asset, cap, gain, tax, account, lot)))

    def __len__(self) -> int:
        return len(self.asset)

    def start(self) -> np.ndarray:
        """Weight of the asset sold before each piece is drawn on (pieces in order)."""
        cum = np.cumsum(self.cap)
        first = np.r_[True, self.asset[1:] != self.asset[:-1]]
        base = np.maximum.accumulate(np.where(first, cum - self.cap, 0.0))
        return cum - self.cap - base

    def fill(self, sold: np.ndarray) -> np.ndarray:
        """Weight sold from each piece when asset ``i`` sells ``sold[i]`` (cheapest first)."""
        return np.clip(np.asarray(sold, float)[self.asset] - self.start(), 0.0, self.cap)

    def realized_gain(self, sold: np.ndarray) -> float:
        """Realised gain of a sale, gains only (losses are not credited), per unit of account."""
        return float(np.clip(self.gain, 0.0, None) @ self.fill(sold))

    def estimated_tax(self, sold: np.ndarray) -> float:
        """Estimated tax of a sale (before netting), per unit of account."""
        return float(self.tax @ self.fill(sold))

    def along(self, values: np.ndarray, assets: np.ndarray, sold: np.ndarray) -> np.ndarray:
        """``values`` (gain or tax per unit, per piece) summed over the fill of each candidate
        sale ``sold[k]`` of asset ``assets[k]``: one figure per candidate (vectorised)."""
        mine = self.asset[None, :] == np.asarray(assets)[:, None]  # candidates x pieces
        take = np.clip(np.asarray(sold, float)[:, None] - self.start()[None, :], 0.0, self.cap)
        return (np.where(mine, take, 0.0) * values[None, :]).sum(axis=1)


__all__ = ["DEFAULT_LONG_RATE", "Pieces"]


def summing_matrix(asset: np.ndarray, n: int) -> sp.csr_matrix:
    """``n x L``: 1 where piece ``k`` belongs to asset ``asset[k]`` (sums pieces into assets)."""
    import scipy.sparse as sp  # here, not at import: see advisor/optimize/cvxpy_import.py

    L = len(asset)
    return sp.csr_matrix((np.ones(L), (asset, np.arange(L))), shape=(n, L))
