"""Benchmarks: the S&P 500, a fund's look-through, or a blend of funds (``SPY:60,AGG:40``).

A benchmark is a weight vector over risk-model securities: stocks (the index's members, or a
fund's look-through) and funds' own rows for the parts no look-through sees (a bond fund is its
own row). Concentration figures compare with its stock part; risk uses the whole vector.

An account with a material part outside US equity is measured, by default, against a **policy
benchmark** built from its own asset-class mix, each class by a standard index fund
(:data:`CLASS_FUNDS`): 62 % US equity and 38 % US bonds is measured against
``S&P 500 62 % / AGG 38 %``. Its US-equity part is always measured against the S&P 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from advisor.errors import UsageError
from advisor.market.snapshot import BENCHMARK_NAME, Market
from advisor.units import parse_percent

#: The standard fund of each asset class in a policy benchmark ("S&P 500" is the index itself).
CLASS_FUNDS: Mapping[str, str] = {
    "US equity": BENCHMARK_NAME,
    "International developed equity": "VEA",
    "Emerging-markets equity": "VWO",
    "US bonds": "AGG",
    "International bonds": "BNDX",
    "Cash-like": "BIL",
    "Commodities and gold": "GLD",
    "Multi-asset": "AOR",
}
#: Outside US equity, a part of the account at least this large calls for a policy benchmark.
MATERIAL = 0.10


@dataclass(frozen=True, eq=False)
class Benchmark:
    """What an account is measured against.

    Attributes
    ----------
    name : str
        How reports name it: ``S&P 500``, ``QQQ``, ``S&P 500 60% / AGG 40%``.
    weights : Series
        Over risk-model securities (stocks and funds' own rows); sums to 1.
    components : tuple of (str, float)
        The funds (or ``S&P 500``) and their weights; one component for a single benchmark.
    reason : str
        Why this benchmark (the user's choice, the default, or the account's asset mix).
    """

    name: str
    weights: pd.Series
    components: tuple[tuple[str, float], ...]
    reason: str = "the default"

    def stocks(self, market: Market) -> pd.Series:
        """The stock part (concentration compares companies with it), not renormalised."""
        is_fund = market.securities["is_etf"].reindex(self.weights.index).fillna(False)
        return self.weights[~is_fund.astype(bool).to_numpy()]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "components": [{"fund": f, "weight": w} for f, w in self.components],
            "reason": self.reason,
        }


def fund_vector(ticker: str, market: Market) -> pd.Series:
    """One unit of a fund as benchmark weights: its look-through, plus its own row for the part
    the look-through does not see (a bond fund is all own row)."""
    from advisor.market.lookthrough import unit_vector

    if ticker == BENCHMARK_NAME:
        return market.benchmark
    return unit_vector(ticker, market)


def sp500(market: Market) -> Benchmark:
    return Benchmark(BENCHMARK_NAME, market.benchmark, ((BENCHMARK_NAME, 1.0),))


def blend(parts: Mapping[str, float], market: Market, reason: str) -> Benchmark:
    """A blend of funds (or ``S&P 500``) with weights summing to 1."""
    total = sum(parts.values())
    parts = {k: v / total for k, v in parts.items() if v > 0}
    if len(parts) == 1:
        (only,) = parts
        if only == BENCHMARK_NAME:
            return Benchmark(BENCHMARK_NAME, market.benchmark, ((only, 1.0),), reason)
    vectors = [fund_vector(k, market) * w for k, w in parts.items()]
    weights = pd.concat(vectors, axis=1).fillna(0.0).sum(axis=1)
    weights = weights[weights != 0] / float(weights.sum())
    name = (
        " / ".join(f"{k} {w:.0%}" for k, w in parts.items())
        if len(parts) > 1
        else next(iter(parts))
    )
    return Benchmark(name, weights, tuple(parts.items()), reason)


def parse_benchmark(text: str, market: Market) -> Benchmark:
    """``QQQ``, ``S&P 500``, or a blend ``SPY:60,AGG:40`` (weights as percents or fractions;
    they are rescaled to sum to 1 when they do not)."""
    spec = text.strip()
    if not spec:
        raise UsageError(
            "an empty benchmark", "e.g. --benchmark QQQ or SPY:60,AGG:40", "--benchmark"
        )
    items = [p.strip() for p in re.split(r"[,+]", spec) if p.strip()]
    parts: dict[str, float] = {}
    for item in items:
        name, sep, amount = item.partition(":")
        ticker = _fund_ticker(name.strip(), market)
        try:
            weight = parse_percent(amount) if sep else 1.0
        except ValueError as exc:
            raise UsageError(str(exc), "e.g. --benchmark SPY:60,AGG:40", "--benchmark") from exc
        if weight <= 0 or weight > 100:
            raise UsageError(f"{item!r}: a weight must be above 0", option="--benchmark")
        parts[ticker] = parts.get(ticker, 0.0) + (weight if weight <= 1 else weight / 100)
    reason = "chosen with --benchmark"
    if len(parts) == 1:
        (ticker,) = parts
        if ticker == BENCHMARK_NAME:
            return Benchmark(BENCHMARK_NAME, market.benchmark, ((ticker, 1.0),), reason)
        return Benchmark(ticker, _single(ticker, market), ((ticker, 1.0),), reason)
    return blend(parts, market, reason)


def _single(ticker: str, market: Market) -> pd.Series:
    """A single fund benchmark: its look-through renormalised when it has one (as before), else
    the fund's own row."""
    if market.has_lookthrough(ticker):
        w = market.constituents(ticker)
        return w / w.sum()
    return fund_vector(ticker, market)


def _fund_ticker(name: str, market: Market) -> str:
    if name.upper().replace(" ", "") in ("S&P500", "SP500", "SPX"):
        return BENCHMARK_NAME
    ticker = market.resolve(name)
    if ticker is None:
        raise UsageError(
            f"benchmark {name!r} is not in the snapshot",
            "Use a fund, e.g. --benchmark QQQ, or a blend, e.g. --benchmark SPY:60,AGG:40",
            "--benchmark",
        )
    return ticker


def policy_benchmark(mix: pd.Series, market: Market) -> Benchmark:
    """The account's own asset-class mix, each class by its standard fund (:data:`CLASS_FUNDS`);
    classes without one (``Other``) are spread over the rest in proportion."""
    parts: dict[str, float] = {}
    for cls, w in mix.items():
        fund = CLASS_FUNDS.get(str(cls))
        if fund is not None and (fund == BENCHMARK_NAME or fund in market.known) and w > 0:
            parts[fund] = parts.get(fund, 0.0) + float(w)
    outside = 1.0 - float(mix.get("US equity", 0.0))
    reason = (
        f"the account's asset mix: {outside:.0%} of it is outside US equity, so it is measured "
        "against each asset class's standard fund in its own proportions"
    )
    return blend(parts or {BENCHMARK_NAME: 1.0}, market, reason)


def default_benchmark(mix: pd.Series, market: Market) -> Benchmark:
    """The S&P 500, or the policy benchmark when the part outside US equity is material."""
    if 1.0 - float(mix.get("US equity", 0.0)) >= MATERIAL - 1e-9:  # 10 % exactly counts
        return policy_benchmark(mix, market)
    return sp500(market)


def resolve(spec: str | Benchmark | None, mix: pd.Series | None, market: Market) -> Benchmark:
    """The benchmark for ``--benchmark`` text, a Benchmark, or the default for ``mix``."""
    if isinstance(spec, Benchmark):
        return spec
    if spec:
        return parse_benchmark(spec, market)
    return default_benchmark(mix, market) if mix is not None else sp500(market)
