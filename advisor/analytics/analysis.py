"""``analyze()``: value a client's holdings and measure concentration and risk against a benchmark.

Data flows one way: Holdings + Market -> valuation -> look-through -> concentration, risk ->
:class:`Analysis`. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from advisor.analytics import concentration as conc
from advisor.analytics.risk import Risk, measure
from advisor.domain import Holdings
from advisor.errors import InputError
from advisor.market.lookthrough import LookThrough, look_through, risk_vector
from advisor.market.snapshot import (
    BENCHMARK_NAME,
    DEFAULT_MEGACAPS,
    Market,
    data_age,
    load_market,
)
from advisor.units import json_number as _num

#: Funds whose look-through holdings returned this much more or less than the fund since the
#: file date are flagged as possibly stale (the fund has rebalanced since).
STALE_GAP = 0.05


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything ``advisor analyze`` reports. Weights are fractions of ``total_value``.

    Attributes
    ----------
    positions : DataFrame
        Index ticker; columns name, kind (stock/fund), shares, price, price_source, value,
        weight. Cash is not a row (see ``cash_value``/``cash_weight``).
    total_value : float or None
        Account value in account currency (None when the file gives only weights).
    """

    as_of: pd.Timestamp
    source: str
    benchmark: str
    total_value: float | None
    cash_value: float | None
    cash_weight: float
    positions: pd.DataFrame
    lookthrough: LookThrough
    companies: pd.DataFrame  # company label -> weight, benchmark_weight, name, megacap
    concentration: conc.Concentration
    risk: Risk
    megacap_tickers: tuple[str, ...]
    megacap_sources: pd.DataFrame  # company (label ticker), holding, weight
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (the ``advisor analyze --format json`` contract)."""
        return analysis_dict(self)

    def to_frame(self) -> pd.DataFrame:
        """The positions: name, kind, shares, price, price_source, value, weight by ticker."""
        return self.positions.copy()


def value_positions(
    h: Holdings, market: Market, total_value: float | None
) -> tuple[pd.DataFrame, float | None, float]:
    """Market value of every position and of cash; weights of each.

    Value comes from the file's own market value when given, else shares x the file's price,
    else shares x the snapshot price. A weights-only file keeps its weights (money figures only
    when ``total_value`` is given).
    """
    p = h.positions
    sec = market.securities.reindex(p.index)
    out = pd.DataFrame(index=p.index)
    out["name"] = sec["name"]
    out["kind"] = np.where(sec["is_etf"], "fund", "stock")
    out["shares"] = p["shares"]
    if h.basis == "weight":
        cash_w = 0.0 if np.isnan(h.cash_weight) else h.cash_weight
        total = float(p["weight"].sum()) + cash_w
        weights = p["weight"] / total
        out["price"] = sec["price"]
        out["price_source"] = "snapshot"
        out["value"] = weights * total_value if total_value else np.nan
        out["weight"] = weights
        return out, total_value if total_value else None, cash_w / total
    file_value = p["value"]
    from_file_price = p["shares"] * p["price"]
    from_snapshot = p["shares"] * sec["price"]
    value = file_value.fillna(from_file_price).fillna(from_snapshot)
    source = np.where(
        file_value.notna(),
        "file value",
        np.where(from_file_price.notna(), "file price", "snapshot"),
    )
    missing = value.index[value.isna()]
    if len(missing):
        raise InputError(
            f"no price for {', '.join(missing)}: the snapshot has none and the file gives neither "
            "a price nor a market value",
            path=h.path,
            line=int(p.at[missing[0], "lines"][0]),
            value=str(missing[0]),
            hint="Add a Price or Market Value column for these lines, "
            "or --map them to a priced ticker.",
        )
    out["price"] = p["price"].fillna(sec["price"])
    out["price_source"] = source
    out["value"] = value
    cash = 0.0 if np.isnan(h.cash) else float(h.cash)
    total = float(value.sum()) + cash
    if total <= 0:
        raise InputError(
            "the holdings are worth nothing (all quantities are zero)",
            path=h.path,
            hint="Check the quantity and value columns.",
        )
    out["weight"] = value / total
    return out, total, cash / total


def _company_table(
    lt: LookThrough, bench: pd.Series, market: Market, mega: set[str]
) -> pd.DataFrame:
    company = market.company_of(lt.securities.index.union(bench.index))
    p = conc.by_company(lt.securities, company)
    b = conc.by_company(bench, company)
    table = conc.side_by_side(p, b).sort_values("weight", ascending=False)
    # Label each company by its share class with the largest benchmark weight (GOOGL, not GOOG).
    sec = market.securities.assign(bw=bench.reindex(market.securities.index).fillna(0.0))
    first = (
        sec.reset_index()
        .sort_values("bw", ascending=False)
        .drop_duplicates("company")
        .set_index("company")
    )
    table["ticker"] = [str(first["ticker"].get(c, c)) for c in table.index]
    table["name"] = [str(first["name"].get(c, c)) for c in table.index]
    table["megacap"] = table.index.isin(list(mega))
    return table


def analyze(
    holdings: Holdings,
    market: Market | None = None,
    *,
    benchmark: str | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
) -> Analysis:
    """Analyse a client's holdings against the S&P 500 (or the fund ``benchmark``).

    Parameters
    ----------
    holdings : Holdings
        As read by :func:`advisor.holdings.read_holdings`.
    market : Market
        The snapshot (:func:`advisor.market.load_market`).
    benchmark : str, optional
        A fund ticker with look-through to use as benchmark instead of the S&P 500.
    megacaps : sequence of str
        Tickers of the megacap group (any share class names the whole company).
    total_value : float, optional
        Account value for weights-only files.
    """
    market = market or load_market()
    benchmark = market.benchmark_ticker(benchmark)
    warnings = list(holdings.warnings)
    positions, total, cash_w = value_positions(holdings, market, total_value)
    weights = positions["weight"]
    lt = look_through(weights, market)
    bench = market.benchmark_weights(benchmark)
    bench_name = BENCHMARK_NAME if benchmark is None else benchmark
    mega = market.megacap_companies(list(megacaps))
    companies = _company_table(lt, bench, market, mega)
    order = megacap_order(market, megacaps)
    concentration = _concentration(lt, bench, companies, market, cash_w, order)
    risk = _risk(lt, weights, bench, market, mega)
    warnings += _data_warnings(positions, market, lt)
    sources = _megacap_sources(lt, market, companies["ticker"], order)
    return Analysis(
        as_of=market.as_of,
        source=holdings.path,
        benchmark=bench_name,
        total_value=total,
        cash_value=None if total is None else cash_w * total,
        cash_weight=cash_w,
        positions=positions.sort_values("weight", ascending=False),
        lookthrough=lt,
        companies=companies,
        concentration=concentration,
        risk=risk,
        megacap_tickers=tuple(megacaps),
        megacap_sources=sources,
        warnings=warnings,
    )


def _megacap_sources(
    lt: LookThrough, market: Market, label: pd.Series, order: list[str]
) -> pd.DataFrame:
    """Which holdings bring each megacap (company label, holding, weight): megacaps in ``order``,
    then the largest source first."""
    by = lt.by_holding.assign(
        company=market.company_of(pd.Index(lt.by_holding["ticker"])).to_numpy()
    )
    by = by[by["company"].isin(order)]
    sources = by.groupby(["company", "holding"], as_index=False)["weight"].sum()
    rank = {c: i for i, c in enumerate(order)}
    sources = sources.assign(rank=sources["company"].map(rank), neg=-sources["weight"])
    sources = sources.sort_values(["rank", "neg"]).drop(columns=["rank", "neg"])
    sources["company"] = sources["company"].map(label)
    return sources.reset_index(drop=True)


def megacap_order(market: Market, names: Sequence[str]) -> list[str]:
    """Company ids of the megacap list in the order given (GOOG folds into GOOGL's company)."""
    resolved = [t for t in (market.resolve(n) for n in names) if t is not None]
    return list(dict.fromkeys(market.company_of(pd.Index(resolved))))


def _concentration(
    lt: LookThrough,
    bench: pd.Series,
    companies: pd.DataFrame,
    market: Market,
    cash_w: float,
    mega_order: list[str],
) -> conc.Concentration:
    sec = market.securities
    p_comp, b_comp = companies["weight"], companies["benchmark_weight"]
    p_comp = p_comp[p_comp > 0]
    labels = companies["ticker"].astype(str)
    mega_rows = companies.loc[[c for c in mega_order if c in companies.index]]
    extra = pd.concat([lt.unseen.rename(lambda f: f"{f} (unseen)"), pd.Series({"CASH": cash_w})])
    sectors = lt.securities.groupby(
        sec["sector"].reindex(lt.securities.index).fillna(conc.UNKNOWN_SECTOR)
    ).sum()
    sizes = lt.securities.groupby(sec["size"].reindex(lt.securities.index).fillna("small")).sum()
    b_sectors = conc.group_weights(bench, sec["sector"])
    b_sizes = conc.group_weights(bench, sec["size"])
    if lt.unseen.sum() > 0:
        sectors[conc.UNSEEN_SECTOR] = float(lt.unseen.sum())
        sizes["unseen"] = float(lt.unseen.sum())
    if cash_w > 0:
        sectors[conc.CASH] = cash_w
        sizes["cash"] = cash_w
    style = conc.style_bucket(sec["value_score"])
    styles = conc.group_weights(lt.securities, style)
    for label, w in (("unseen", float(lt.unseen.sum())), ("cash", cash_w)):
        if w > 0:
            styles[label] = w
    vs, cov = conc.weighted_score(lt.securities, sec["value_score"])
    bvs, _ = conc.weighted_score(bench, sec["value_score"])
    top = p_comp.idxmax() if len(p_comp) else ""
    return conc.Concentration(
        megacap_weight=float(mega_rows["weight"].sum()),
        benchmark_megacap_weight=float(mega_rows["benchmark_weight"].sum()),
        megacaps=mega_rows.set_index("ticker")["weight"],
        benchmark_megacaps=mega_rows.set_index("ticker")["benchmark_weight"],
        top10_weight=conc.top_n(p_comp, 10),
        benchmark_top10_weight=conc.top_n(b_comp, 10),
        hhi=conc.hhi(p_comp),
        benchmark_hhi=conc.hhi(b_comp[b_comp > 0]),
        effective_n=conc.effective_n(p_comp),
        benchmark_effective_n=conc.effective_n(b_comp[b_comp > 0]),
        max_company=str(labels.get(top, top)),
        max_company_weight=float(p_comp.max()) if len(p_comp) else 0.0,
        companies=p_comp.rename(labels),
        active_share=conc.active_share(pd.concat([p_comp, extra]), b_comp),
        sectors=conc.in_order(conc.side_by_side(sectors, b_sectors), conc.SECTOR_ORDER),
        sizes=conc.in_order(conc.side_by_side(sizes, b_sizes), conc.SIZE_ORDER),
        styles=conc.in_order(
            conc.side_by_side(styles, conc.group_weights(bench, style)), conc.STYLE_ORDER
        ),
        value_score=vs,
        value_score_coverage=cov,
        benchmark_value_score=bvs,
    )


def _risk(
    lt: LookThrough, weights: pd.Series, bench: pd.Series, market: Market, mega: set[str]
) -> Risk:
    w = risk_vector(lt, weights)
    cols = lt.risk_matrix()
    groups, sectors = security_groups(w.index.union(bench.index), market, mega)
    return measure(market.risk, w, bench, cols, weights, groups, sectors)


def security_groups(names: pd.Index, market: Market, mega: set[str]) -> tuple[pd.Series, pd.Series]:
    """Group (megacaps, other stocks, unseen fund parts) and sector of risk-model securities."""
    sec = market.securities
    company = market.company_of(names)
    is_fund = sec["is_etf"].reindex(names).fillna(False).astype(bool)
    groups = pd.Series(
        np.where(
            is_fund,
            conc.UNSEEN_GROUP,
            np.where(company.isin(list(mega)), conc.MEGACAPS, conc.OTHER_STOCKS),
        ),
        index=names,
    )
    sectors = sec["sector"].reindex(names).where(~is_fund, conc.UNSEEN_SECTOR)
    return groups, sectors


def _data_warnings(positions: pd.DataFrame, market: Market, lt: LookThrough) -> list[str]:
    out = []
    info = market.fund_info
    for fund in positions.index[positions["kind"] == "fund"]:
        if not market.has_lookthrough(fund):
            out.append(
                f"{fund}: the snapshot has no holdings for this fund; it counts as unseen in the "
                "look-through and is modelled from its own return history."
            )
        elif fund in info.index and "holdings_vs_fund_return_gap" in info.columns:
            gap = info.at[fund, "holdings_vs_fund_return_gap"]
            if pd.notna(gap) and abs(gap) > STALE_GAP:
                out.append(
                    f"{fund}: holdings file of {info.at[fund, 'file_date']} may be stale (its "
                    f"holdings returned {gap:+.1%} relative to the fund since); "
                    "look-through is approximate."
                )
    methods = market.risk_method.reindex(lt.securities.index)
    peers = lt.securities[methods == "peers"]
    if peers.sum() > 0.005:
        out.append(
            f"{len(peers)} look-through name(s) ({peers.sum():.1%} of the portfolio) have too "
            "little "
            "price history; their risk is taken from sector and size peers."
        )
    return out


# -- the JSON contract ---------------------------------------------------------------------------

UNITS = {
    "weights": "fraction of total account value (0.25 = 25 %)",
    "risk": "annualised standard deviation of return, fraction (252 trading days)",
    "money": "account currency",
    "te_contributions": "Euler contributions, fractions; each split adds up to tracking_error "
    "(by_holding: each holding's look-through plus a benchmark line; by_active_holding: each "
    "holding minus the same amount of the benchmark, plus cash)",
    "market_data": "as_of date of the snapshot, its age in days on the day of the report, and "
    "stale when older than stale_after_days",
}


def _positions_list(a: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "ticker": str(t),
            "name": str(p["name"]),
            "kind": str(p["kind"]),
            "shares": _num(p["shares"]),
            "price": _num(p["price"]),
            "price_source": str(p["price_source"]),
            "value": _num(p["value"]),
            "weight": _num(p["weight"]),
        }
        for t, p in a.positions.iterrows()
    ]


def _concentration_dict(a: Analysis) -> dict[str, Any]:
    out = a.concentration.to_dict()
    out["megacap_list"] = list(a.megacap_tickers)
    out["megacap_sources"] = [
        {"company": str(c), "holding": str(h), "weight": _num(w)}
        for c, h, w in a.megacap_sources.itertuples(index=False)
    ]
    out["top_companies"] = [
        {
            "ticker": str(row["ticker"]),
            "name": str(row["name"]),
            "weight": _num(row["weight"]),
            "benchmark_weight": _num(row["benchmark_weight"]),
        }
        for _, row in a.companies[a.companies["weight"] > 0].head(25).iterrows()
    ]
    return out


def analysis_dict(a: Analysis) -> dict[str, Any]:
    """Every figure of an :class:`Analysis`, JSON-serialisable."""
    lt = a.lookthrough
    return {
        "as_of": str(a.as_of.date()),
        "market_data": data_age(a.as_of).to_dict(),
        "source": a.source,
        "benchmark": a.benchmark,
        "units": UNITS,
        "total_value": _num(a.total_value),
        "cash": {"value": _num(a.cash_value), "weight": _num(a.cash_weight)},
        "positions": _positions_list(a),
        "concentration": _concentration_dict(a),
        "lookthrough": [{"ticker": str(t), "weight": _num(w)} for t, w in lt.securities.items()],
        "lookthrough_unseen": {str(k): _num(v) for k, v in lt.unseen.items()},
        "lookthrough_by_holding": [
            {"holding": str(h), "ticker": str(t), "weight": _num(w)}
            for h, t, w in lt.by_holding.itertuples(index=False)
            if abs(w) >= 1e-4
        ],
        "risk": a.risk.to_dict(),
        "warnings": list(a.warnings),
    }
