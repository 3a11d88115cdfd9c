"""``analyze()``: value a client's holdings and measure concentration and risk against a benchmark.

Data flows one way: Holdings + Market -> valuation -> look-through -> concentration, risk ->
:class:`Analysis`. Nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from advisor.analytics import assets, instruments
from advisor.analytics import concentration as conc
from advisor.analytics.accounts import COLUMNS as ACCOUNT
from advisor.analytics.accounts import account_figures, accounts_list
from advisor.analytics.benchfigures import (
    BenchmarkFigures,
    benchmark_figures,
    first_listing,
    styles_of,
)
from advisor.analytics.risk import Risk, measure
from advisor.domain import Holdings, PositionKind, PriceSource
from advisor.errors import InputError
from advisor.holdings.lines import UNITS_HINT, money
from advisor.holdings.numbers import (
    MAX_VALUE,
    PRICE_WARN_GAP,
    describe_gap,
    implausible,
    price_gap,
)
from advisor.market import benchmark as bm
from advisor.market.benchmark import Benchmark
from advisor.market.lookthrough import LookThrough, look_through, risk_vector
from advisor.market.snapshot import (
    DEFAULT_MEGACAPS,
    Market,
    data_age,
    load_market,
)
from advisor.units import json_money as _money
from advisor.units import json_number as _num

#: Funds whose look-through holdings returned this much more or less than the fund since the
#: file date are flagged as possibly stale (the fund has rebalanced since).
STALE_GAP = 0.05

#: A net cash debit (margin loan) up to this fraction of the holdings is left out of the
#: weights; a larger one is refused.
DEBIT_LIMIT = 0.5


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
    bench: Benchmark | None = None  # what ``benchmark`` names
    asset_mix: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    us_equity: Part | None = None  # the US-equity positions against the S&P 500
    #: Per-account figures, index account id (see :data:`advisor.analytics.accounts.COLUMNS`)
    accounts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(ACCOUNT)))

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
    else shares x the snapshot price; the price reported is then value / shares, so that a
    trade at that price keeps the account's value. A weights-only file keeps its weights
    (money figures only when ``total_value`` is given).

    A row whose every line was read as another ticker by ``--map`` keeps its own value; when
    its price is more than 25 % from the snapshot's, its shares are another security's and are
    counted as value / snapshot price. A net cash debit (margin loan) up to half of the
    holdings is left out of the weights, which are then fractions of the long holdings.

    Raises
    ------
    InputError
        A position without any price; a share price implied by the file (value / shares, no
        price given) a factor 3 from the snapshot's; a position over ten trillion; an account
        worth nothing, all weights zero, or a debit over half of the holdings or the whole.
    """
    p = h.positions
    sec = pd.DataFrame(  # the snapshot's facts of the positions (NaN where it has none)
        {
            "name": market.column(p.index, "name"),
            "is_etf": market.column(p.index, "is_etf"),
            "price": market.column(p.index, "price").astype(float),
        },
        index=p.index,
    )
    instrument = _instrument(h)
    out = _named(h, sec, instrument)
    if h.basis == "weight":
        return _weights_only(h, sec, out, total_value)
    value, source = _values(p, sec["price"])
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
    is_security = (instrument == "security").to_numpy()
    shares = _check_prices(h, market, value, sec["price"], is_security)
    out["shares"] = shares
    # the price per share the value implies (trades at it keep the account's value); shown to
    # 8 decimals, which is exact for quoted prices and drops the division's float noise; a bond
    # or an option keeps its quoted price (per 100 of face, per share of the underlying)
    implied = (value / shares).round(8).where(shares > 0, p["price"].fillna(sec["price"]))
    out["price"] = implied.where(is_security, p["price"])
    out["price_source"] = source
    out["value"] = value
    cash = 0.0 if np.isnan(h.cash) else float(h.cash)
    total, cash = _net_of_debit(h, float(value.sum()), cash, "value")
    if total <= 0:
        raise InputError(
            "the holdings are worth nothing (all quantities are zero)",
            path=h.path,
            hint="Check the quantity and value columns.",
        )
    out["weight"] = value / total
    return out, total, cash / total


def _weights_only(
    h: Holdings, sec: pd.DataFrame, out: pd.DataFrame, total_value: float | None
) -> tuple[pd.DataFrame, float | None, float]:
    """:func:`value_positions` of a weights-only (model) file: its weights kept, priced at the
    snapshot, money figures only when ``total_value`` is given."""
    p = h.positions
    cash_w = 0.0 if np.isnan(h.cash_weight) else float(h.cash_weight)
    total, cash_w = _net_of_debit(h, float(p["weight"].sum()), cash_w, "weight")
    weights = p["weight"] / total
    out["price"] = sec["price"]
    out["price_source"] = PriceSource.SNAPSHOT
    out["value"] = weights * total_value if total_value else np.nan
    out["weight"] = weights
    return out, total_value if total_value else None, cash_w / total


def _values(p: pd.DataFrame, snapshot_price: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Each position's value (the file's market value, else shares x the file's price, else
    shares x the snapshot's; NaN with none) and where it came from."""
    file_value = p["value"]
    from_file_price = p["shares"] * p["price"]
    from_snapshot = p["shares"] * snapshot_price
    # money to the cent: shares x price carries float noise (548968.0199999999)
    value = file_value.fillna(from_file_price.round(2)).fillna(from_snapshot.round(2))
    source = np.where(
        file_value.notna(),
        PriceSource.FILE_VALUE,
        np.where(from_file_price.notna(), PriceSource.FILE_PRICE, PriceSource.SNAPSHOT),
    )
    return value, source


def _named(h: Holdings, sec: pd.DataFrame, instrument: pd.Series) -> pd.DataFrame:
    """The positions' name (the snapshot's, the file's description, an option's terms, else the
    ticker), kind (stock, fund, bond, option) and shares."""
    p = h.positions
    terms = getattr(h, "instruments", pd.DataFrame())
    described = terms["description"] if "description" in terms else pd.Series(dtype=object)
    out = pd.DataFrame(index=p.index)
    out["name"] = (
        sec["name"]
        .fillna(described.reindex(p.index))
        .fillna(instruments.option_names(terms).reindex(p.index))
        .fillna(pd.Series(p.index, p.index))
    )
    out["kind"] = np.where(
        instrument == "security",
        np.where(sec["is_etf"].fillna(False), PositionKind.FUND, PositionKind.STOCK),
        instrument,
    )
    out["shares"] = p["shares"]
    return out


def _instrument(h: Holdings) -> pd.Series:
    """What each position's line holds: security, bond or option."""
    kind = h.positions.get("instrument")
    if kind is None:
        return pd.Series("security", index=h.positions.index)
    return kind.fillna("security").astype(str)


def _check_prices(h: Holdings, market: Market, value: pd.Series, snapshot: pd.Series,
                  security: np.ndarray) -> pd.Series:  # fmt: skip
    """Shares to report, after refusing implausible rows (see :func:`value_positions`)."""
    p = h.positions
    shares = p["shares"].copy()
    ratio = (value / p["shares"]) / snapshot
    band = ratio >= (1.0 - PRICE_WARN_GAP)
    plausible = np.isfinite(value) & (value.abs() <= MAX_VALUE)
    quiet = plausible & ((band & (ratio <= 1.0 + PRICE_WARN_GAP)) | ratio.isna() | ~security)
    for ticker in p.index[~quiet.to_numpy()]:  # only rows that need a closer look
        lines, raws = p.at[ticker, "lines"], p.at[ticker, "raw"]
        where = ", ".join(map(str, lines))
        line = int(lines[0]) if lines else None
        why = implausible("value", float(value[ticker]))
        if why is not None:
            message = f"{ticker} (line {where}) is worth {value[ticker]:,.0f}: {why}"
            hint = "Check the quantity and value columns (units?)."
            raise InputError(message, path=h.path, line=line, value=f"{value[ticker]:g}", hint=hint)
        held, price = p.at[ticker, "shares"], float(snapshot[ticker])
        if not held > 0:
            continue
        implied = float(value[ticker]) / held
        verdict, gap = price_gap(implied, price)
        if all(market.resolve(str(r)) != ticker for r in raws):  # every line --map'ped here
            if verdict != "ok":  # its shares are another security's: keep its value
                shares[ticker] = value[ticker] / price
        elif (
            verdict == "refuse"
            and pd.notna(p.at[ticker, "value"])
            and pd.isna(p.at[ticker, "price"])
        ):
            raise InputError(
                f"{ticker}: market value {money(value[ticker])} / {held:,g} shares = "
                f"{money(implied)} a share, but the snapshot's price is {money(price)} "
                f"({describe_gap(gap)})" + (f" (lines {where})" if len(lines) > 1 else ""),
                path=h.path,
                line=line,
                value=money(value[ticker]),
                hint=UNITS_HINT,
            )
    return shares


def _net_of_debit(h: Holdings, holdings: float, cash: float, unit: str) -> tuple[float, float]:
    """(total, cash) that weights are fractions of: a net cash debit (margin loan) is left out
    when it is at most half of the holdings, and refused beyond (or when nothing is left)."""
    if cash >= 0:
        total = holdings + cash
        if total <= 0 and unit == "weight":
            raise InputError(
                "all weights are 0: nothing to analyse",
                path=h.path,
                hint="Give the positions' weights (or their shares or market values).",
            )
        return total, cash
    shown = f"{cash:.2%}" if unit == "weight" else money(cash)
    lines = ", ".join(map(str, h.cash_lines))
    said = f"a net cash debit of {shown} (line {lines}) against holdings of " + (
        f"{holdings:.2%}" if unit == "weight" else money(holdings)
    )
    if holdings + cash <= 0:
        why = f"{said}: the account's net value is not positive, nothing to analyse"
    elif -cash > DEBIT_LIMIT * holdings:
        why = (
            f"{said} is more than half of them: the weights of so leveraged an account are not "
            "fractions, and advisor analyses long-only accounts"
        )
    else:
        return holdings, 0.0
    line = h.cash_lines[0] if h.cash_lines else None
    hint = "Check the cash lines' sign and units, or analyse the account without the margin loan."
    raise InputError(why, path=h.path, line=line, value=shown, hint=hint)


def _company_table(lt: LookThrough, fig: BenchmarkFigures, market: Market,
                   mega: set[str]) -> pd.DataFrame:  # fmt: skip
    """Portfolio and benchmark weight by company (index: company id), largest portfolio weight
    first, then largest benchmark weight; each company labelled by its share class with the
    largest benchmark weight (GOOGL, not GOOG)."""
    held = lt.securities
    p = conc.sum_by(market.company_of(held.index).to_numpy(), held.to_numpy())
    bench = fig.companies
    extra = p.index[~p.index.isin(bench.index)]
    index = bench.index.append(extra)
    weight = p.reindex(index, fill_value=0.0).to_numpy()
    bench_weight = np.r_[bench.to_numpy(), np.zeros(len(extra))]
    labels = pd.concat([fig.labels, first_listing(market).reindex(extra)])
    own = index.to_numpy(object)
    ticker, name = labels["ticker"].to_numpy(object), labels["name"].to_numpy(object)
    ticker = np.where(pd.isna(ticker), own, ticker).astype(str)
    name = np.where(pd.isna(name), own, name).astype(str)
    order = np.argsort(-weight, kind="stable")
    table = pd.DataFrame(
        {
            "weight": weight,
            "benchmark_weight": bench_weight,
            "active": weight - bench_weight,
            "ticker": ticker,
            "name": name,
            "megacap": index.isin(list(mega)),
        },
        index=index,
    )
    return table.iloc[order]


@dataclass(frozen=True, eq=False)
class Part:
    """Concentration and risk of a set of positions against a benchmark (an account, or its
    US-equity part). Weights are fractions of the set's own value."""

    weight: float  # the set's share of the account
    lookthrough: LookThrough
    companies: pd.DataFrame
    concentration: conc.Concentration
    risk: Risk
    megacap_sources: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """``{weight, concentration, risk}`` with the account-level keys."""
        return {
            "weight": _num(self.weight),
            "concentration": self.concentration.to_dict(),
            "risk": self.risk.to_dict(),
        }


def _part(weights: pd.Series, cash_w: float, bench: Benchmark, market: Market,
          megacaps: Sequence[str], share: float = 1.0, lt: LookThrough | None = None) -> Part:  # fmt: skip
    lt = lt or look_through(weights, market)
    mega = market.megacap_companies(list(megacaps))
    fig = benchmark_figures(bench, market)
    companies = _company_table(lt, fig, market, mega)
    order = megacap_order(market, megacaps)
    concentration = _concentration(lt, fig, companies, market, cash_w, order)
    risk = _risk(lt, weights, fig, market, mega)
    sources = _megacap_sources(lt, market, companies["ticker"], order)
    return Part(share, lt, companies, concentration, risk, sources)


def _us_equity(positions: pd.DataFrame, whole: Part, bench: Benchmark, market: Market,
               megacaps: Sequence[str]) -> Part | None:  # fmt: skip
    """The US-equity positions as their own portfolio, against the S&P 500 (the whole account's
    figures when it is all US equity, no cash, measured against the S&P 500 already)."""
    us = positions["weight"][positions["asset_class"] == assets.US_EQUITY]
    share = float(us.sum())
    if share <= 0:
        return None
    sp500 = bm.sp500(market)
    if len(us) == len(positions) and abs(share - 1.0) < 1e-12 and bench.name == sp500.name:
        return whole
    lt = whole.lookthrough.part(us / share)
    return _part(us / share, 0.0, sp500, market, megacaps, share, lt)


def analyze(
    holdings: Holdings,
    market: Market | None = None,
    *,
    benchmark: str | Benchmark | None = None,
    megacaps: Sequence[str] = DEFAULT_MEGACAPS,
    total_value: float | None = None,
    detail: bool = True,
) -> Analysis:
    """Analyse a client's holdings against a benchmark.

    Parameters
    ----------
    holdings : Holdings
        As read by :func:`advisor.holdings.read_holdings`.
    market : Market
        The snapshot (:func:`advisor.market.load_market`).
    benchmark : str or Benchmark, optional
        ``QQQ``, a blend ``SPY:60,AGG:40``, or a :class:`~advisor.market.benchmark.Benchmark`;
        by default the S&P 500, or the account's asset-mix benchmark when more than 10 % of it
        is outside US equity (:func:`advisor.market.benchmark.default_benchmark`).
    megacaps : sequence of str
        Tickers of the megacap group (any share class names the whole company).
    total_value : float, optional
        Account value for weights-only files.
    detail : bool
        False leaves out the per-account rows and the US-equity part (``accounts`` empty,
        ``us_equity`` None): the optimizer's analyses of the holdings it decides need only the
        figures of the whole.
    """
    market = market or load_market()
    warnings = list(holdings.warnings)
    positions, total, cash_w = value_positions(holdings, market, total_value)
    positions["asset_class"] = instruments.position_classes(holdings, market, positions.index)
    mix = assets.mix(positions["weight"], positions["asset_class"], cash_w)
    bench = bm.resolve(benchmark, mix, market)
    models = instruments.instrument_models(holdings, positions["value"], market)
    lt = look_through(positions["weight"], market, models)
    whole = _part(positions["weight"], cash_w, bench, market, megacaps, lt=lt)
    warnings += _data_warnings(positions, market, whole.lookthrough)
    return Analysis(
        as_of=market.as_of,
        source=holdings.path,
        benchmark=bench.name,
        total_value=total,
        cash_value=None if total is None else cash_w * total,
        cash_weight=cash_w,
        positions=positions.sort_values("weight", ascending=False),
        lookthrough=whole.lookthrough,
        companies=whole.companies,
        concentration=whole.concentration,
        risk=whole.risk,
        megacap_tickers=tuple(megacaps),
        megacap_sources=whole.megacap_sources,
        warnings=warnings,
        bench=bench,
        asset_mix=mix,
        us_equity=_us_equity(positions, whole, bench, market, megacaps) if detail else None,
        **(
            {
                "accounts": account_figures(
                    holdings, positions, total, whole.lookthrough, market, megacaps
                )
            }  # fmt: skip
            if detail
            else {}
        ),
    )


def _megacap_sources(
    lt: LookThrough, market: Market, label: pd.Series, order: list[str]
) -> pd.DataFrame:
    """Which holdings bring each megacap (company label, holding, weight): megacaps in ``order``,
    then the largest source first (then by holding)."""
    by = lt.by_holding
    company = market.company_of(pd.Index(by["ticker"])).to_numpy()
    rank = {c: i for i, c in enumerate(order)}
    mine = np.flatnonzero(np.isin(company, order))
    holding, weight = by["holding"].to_numpy()[mine], by["weight"].to_numpy()[mine]
    sums: dict[tuple[str, str], float] = {}
    for c, h, w in zip(company[mine], holding, weight, strict=True):
        sums[(c, h)] = sums.get((c, h), 0.0) + float(w)
    keys = sorted(sums, key=lambda k: (rank[k[0]], -sums[k], str(k[1])))
    return pd.DataFrame(
        {
            "company": [label.get(c, c) for c, _ in keys],
            "holding": [h for _, h in keys],
            "weight": [sums[k] for k in keys],
        }
    )


def megacap_order(market: Market, names: Sequence[str]) -> list[str]:
    """Company ids of the megacap list in the order given (GOOG folds into GOOGL's company)."""

    def build() -> tuple[str, ...]:
        resolved = [t for t in (market.resolve(n) for n in names) if t is not None]
        return tuple(dict.fromkeys(market.company_of(pd.Index(resolved))))

    return list(market.cached(("megacap_order", tuple(names)), build))


def _concentration(
    lt: LookThrough,
    fig: BenchmarkFigures,
    companies: pd.DataFrame,
    market: Market,
    cash_w: float,
    mega_order: list[str],
) -> conc.Concentration:
    p_comp, b_comp = companies["weight"], companies["benchmark_weight"]
    p_comp = p_comp[p_comp.to_numpy() > 0]
    b_pos = b_comp[b_comp.to_numpy() > 0]
    labels = companies["ticker"]
    mega_rows = companies.loc[[c for c in mega_order if c in companies.index]]
    extra = pd.concat([lt.unseen.rename(lambda f: f"{f} (unseen)"), pd.Series({"CASH": cash_w})])
    held, w = lt.securities.index, lt.securities.to_numpy()
    sectors = conc.sum_by(market.column(held, "sector", conc.UNKNOWN_SECTOR), w)
    sizes = conc.sum_by(market.column(held, "size", "small"), w)
    styles = conc.sum_by(styles_of(held, market), w)
    unseen = float(lt.unseen.sum())
    if unseen > 0:
        sectors[conc.UNSEEN_SECTOR] = unseen
        sizes["unseen"] = unseen
    if cash_w > 0:
        sectors[conc.CASH] = cash_w
        sizes["cash"] = cash_w
    for label, weight in (("unseen", unseen), ("cash", cash_w)):
        if weight > 0:
            styles[label] = weight
    vs, covered = conc.weighted_score(w, market.column(held, "value_score").astype(float))
    cov = covered / float(w.sum()) if covered > 0 else 0.0
    top = p_comp.idxmax() if len(p_comp) else ""
    return conc.Concentration(
        megacap_weight=float(mega_rows["weight"].sum()),
        benchmark_megacap_weight=float(mega_rows["benchmark_weight"].sum()),
        megacaps=mega_rows.set_index("ticker")["weight"],
        benchmark_megacaps=mega_rows.set_index("ticker")["benchmark_weight"],
        top10_weight=conc.top_n(p_comp, 10),
        benchmark_top10_weight=conc.top_n(b_comp, 10),
        hhi=conc.hhi(p_comp),
        benchmark_hhi=conc.hhi(b_pos),
        effective_n=conc.effective_n(p_comp),
        benchmark_effective_n=conc.effective_n(b_pos),
        max_company=str(labels.get(top, top)),
        max_company_weight=float(p_comp.max()) if len(p_comp) else 0.0,
        companies=pd.Series(p_comp.to_numpy(), index=labels[p_comp.index].to_numpy(object)),
        active_share=conc.active_share(pd.concat([p_comp, extra]), pd.concat([b_comp, fig.extra])),
        sectors=conc.ordered_table(sectors, fig.sectors, conc.SECTOR_ORDER),
        sizes=conc.ordered_table(sizes, fig.sizes, conc.SIZE_ORDER),
        styles=conc.ordered_table(styles, fig.styles, conc.STYLE_ORDER),
        value_score=vs,
        value_score_coverage=cov,
        benchmark_value_score=fig.value_score,
    )


def _risk(
    lt: LookThrough, weights: pd.Series, fig: BenchmarkFigures, market: Market, mega: set[str]
) -> Risk:
    w = risk_vector(lt, weights)
    cols = lt.risk_matrix()
    groups, sectors = security_groups(w.index.union(fig.weights.index), market, mega)
    return measure(market.risk, w, fig.weights, cols, weights, groups, sectors, fig.risk)


def security_groups(names: pd.Index, market: Market, mega: set[str]) -> tuple[pd.Series, pd.Series]:
    """Group (megacaps, other stocks, unseen fund parts) and sector of risk-model securities."""
    company = market.company_of(names).to_numpy()
    is_fund = market.column(names, "is_etf", False).astype(bool)
    in_mega = np.fromiter((c in mega for c in company), dtype=bool, count=len(company))
    groups = np.where(
        is_fund, conc.UNSEEN_GROUP, np.where(in_mega, conc.MEGACAPS, conc.OTHER_STOCKS)
    )
    sectors = np.where(is_fund, conc.UNSEEN_SECTOR, market.column(names, "sector"))
    return pd.Series(groups, index=names), pd.Series(sectors, index=names)


def _equity_fund(market: Market, ticker: str) -> bool:
    """A fund of an equity asset class (or of no known class): the funds whose companies a
    look-through would show. A bond, gold or cash fund is its own asset class, not a gap."""
    cls = (
        market.securities["asset_class"].get(ticker) if "asset_class" in market.securities else None
    )
    return not isinstance(cls, str) or "equity" in cls.lower()


def _data_warnings(positions: pd.DataFrame, market: Market, lt: LookThrough) -> list[str]:
    out = []
    info = market.fund_info
    for fund in positions.index[positions["kind"] == PositionKind.FUND]:
        model = lt.models[fund].ticker if fund in lt.models else fund
        if market.lookthrough_method(model) == "estimated":
            out.append(
                f"{fund}: no published holdings; its look-through is {market.lookthrough_label(model)},"
                " from its returns (style analysis): approximate, see docs/lookthrough-estimation.md."
            )
        elif not market.has_lookthrough(model) and _equity_fund(market, model):
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


def _lookthrough_label(a: Analysis, ticker: str) -> str | None:
    """How a fund position is seen through: holdings, estimated (R-squared), or none."""
    m = a.lookthrough.models.get(ticker)
    model = m.ticker if m is not None else ticker
    market = a.lookthrough.market
    if not bool(market.securities["is_etf"].get(model, False)):
        return None
    return market.lookthrough_label(model)


def _positions_list(a: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "ticker": str(t),
            "name": str(p["name"]),
            "kind": str(p["kind"]),
            "shares": _num(p["shares"]),
            "price": _num(p["price"]),
            "price_source": str(p["price_source"]),
            "asset_class": str(p["asset_class"]),
            "modelled_as": a.lookthrough.models[t].how or None
            if t in a.lookthrough.models
            else None,
            "lookthrough": _lookthrough_label(a, t),
            "value": _money(p["value"]),
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
        "total_value": _money(a.total_value),
        "cash": {"value": _money(a.cash_value), "weight": _num(a.cash_weight)},
        "positions": _positions_list(a),
        "asset_classes": json.loads(
            assets.mix_table(a.asset_mix, a.total_value).to_json(orient="records")
        ),
        "benchmark_detail": None if a.bench is None else a.bench.to_dict(),
        "concentration": _concentration_dict(a),
        "lookthrough": [{"ticker": str(t), "weight": _num(w)} for t, w in lt.securities.items()],
        "lookthrough_unseen": {str(k): _num(v) for k, v in lt.unseen.items()},
        "lookthrough_by_holding": [
            {"holding": str(h), "ticker": str(t), "weight": _num(w)}
            for h, t, w in lt.by_holding.itertuples(index=False)
            if abs(w) >= 1e-4
        ],
        "risk": a.risk.to_dict(),
        "us_equity": None if a.us_equity is None else a.us_equity.to_dict(),
        "accounts": accounts_list(a.accounts),
        "warnings": list(a.warnings),
    }
