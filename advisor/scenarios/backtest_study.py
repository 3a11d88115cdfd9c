"""The study behind ``docs/proposal-backtest.md``: many concentrated clients, every quarter-end,
two tracking-error budgets, with one past market per date shared by every client.

The clients are the example portfolios that are concentrated (:data:`CONCENTRATED_EXAMPLES`) and
a seeded generator of megacap-heavy ones (:func:`generated_clients`). At each date the market is
built once (:func:`advisor.data.history.market_at`) for the union of every client's holdings and
the sleeve funds, then every client's proposal under every budget is evaluated on it
(:func:`advisor.scenarios.backtest.evaluate`). ``benchmarks/backtest_study.py`` runs it and
writes the document; the tests run it on a small subset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from advisor.errors import AdvisorError
from advisor.market.snapshot import DEFAULT_MEGACAPS, Market
from advisor.scenarios.backtest import (
    COLUMNS,
    HORIZON_DAYS,
    NOTIONAL,
    RATIO_BAND,
    Client,
    calendar,
    client_of,
    evaluate,
    needed_tickers,
)

if TYPE_CHECKING:
    from advisor.data.sources import RawData

#: Example files whose look-through megacap weight is well above the S&P 500's (33 % at the
#: snapshot): growth_client 79 %, custodian_export 55 %. The others hold about the index's
#: share or less (fund_only_client 34 %, model_weights 19 %, diversified_client 5 %).
CONCENTRATED_EXAMPLES = ("growth_client.csv", "custodian_export.csv")
#: Large US stocks with daily prices since 2015 that a generated client holds beside megacaps.
OTHER_STOCKS = (
    "AVGO", "BRK-B", "JPM", "JNJ", "XOM", "PG", "V", "UNH", "HD", "KO", "PEP", "COST", "ADBE",
    "CRM", "NFLX", "ORCL", "LLY", "MA", "DIS", "WMT",
)  # fmt: skip
#: Broad funds a generated client may hold.
FUNDS = ("SPY", "QQQ")
#: Tracking-error budgets of the study (annualised fractions).
BUDGETS = (0.03, 0.04)
SEED = 20190630
#: The share of a generated client's account in direct megacap stocks: uniform in this range.
MEGACAP_SHARE = (0.40, 0.80)


def generated_clients(n: int, seed: int = SEED) -> list[Client]:
    """``n`` megacap-heavy clients drawn with a seeded generator.

    Each holds 2 to 7 of the seven megacaps (together a uniform 40-80 % of the account, split by
    a flat Dirichlet draw), 0-3 % cash, and the rest split between broad funds (SPY, QQQ) and
    2 to 6 other large stocks from :data:`OTHER_STOCKS` (fund share uniform in 0-100 % of the
    rest). Weights are fractions of a :data:`~advisor.scenarios.backtest.NOTIONAL` account.
    """
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        mega_share = rng.uniform(*MEGACAP_SHARE)
        cash = rng.uniform(0.0, 0.03)
        rest = 1.0 - mega_share - cash
        fund_share = rng.uniform(0.0, 1.0) * rest
        parts = [
            _split(rng, DEFAULT_MEGACAPS, int(rng.integers(2, 8)), mega_share),
            _split(rng, FUNDS, int(rng.integers(1, 3)), fund_share),
            _split(rng, OTHER_STOCKS, int(rng.integers(2, 7)), rest - fund_share),
        ]
        weights = pd.concat(parts).groupby(level=0).sum().rename("weight")
        note = f"generated (seed {seed}, client {i + 1}): megacaps {100 * mega_share:.0f} %"
        out.append(Client(f"generated-{i + 1:02d}", weights, cash, NOTIONAL, (note,)))
    return out


def _split(rng: np.random.Generator, names: Sequence[str], k: int, total: float) -> pd.Series:
    """``total`` split over ``k`` of ``names`` drawn without replacement (flat Dirichlet)."""
    chosen = rng.choice(np.asarray(names), size=k, replace=False)
    return pd.Series(rng.dirichlet(np.ones(k)) * total, index=[str(t) for t in chosen])


def example_clients(folder: str | Path, market: Market) -> list[Client]:
    """The :data:`CONCENTRATED_EXAMPLES` in ``folder`` as clients (weights by value today)."""
    from advisor import read_holdings

    out = []
    for name in CONCENTRATED_EXAMPLES:
        client = client_of(read_holdings(Path(folder) / name, market), market)
        out.append(replace(client, source=f"portfolios/{name}"))
    return out


def run_date(
    raw: RawData,
    date: pd.Timestamp,
    clients: Sequence[Client],
    budgets: Sequence[float] = BUDGETS,
    *,
    base: Market | None = None,
    horizon: int = HORIZON_DAYS,
    objective: str | None = None,
) -> pd.DataFrame:
    """Every client under every budget at one date (moved to the last trading day on or before
    it), on one market built for all of them.

    ``objective`` is the mandate's (default: the library's default). Returns one row per
    (client, budget): ``client`` and :data:`COLUMNS` (a failed evaluation has status ``error``
    and its message in ``error``).
    """
    from advisor.data.history import market_at, trading_day
    from advisor.optimize.mandate import Mandate

    mandates = [Mandate(max_te=b, objective=objective) for b in budgets]
    tickers = set().union(*(needed_tickers(c, m, None) for c in clients for m in mandates))
    closes = raw.daily()
    date = trading_day(calendar(closes), date)
    past = market_at(raw, date, tickers=tickers, base=base)
    rows = []
    for client in clients:
        for mandate in mandates:
            row = _one(client, past, mandate, closes, horizon)
            rows.append({"client": client.source, **row})
    return pd.DataFrame(rows, columns=["client", *COLUMNS, "error"])


def _one(
    client: Client, past: Market, mandate: Any, closes: pd.DataFrame, horizon: int
) -> dict[str, Any]:
    """One evaluation; an :class:`AdvisorError` becomes a row with status ``error``."""
    try:
        return {**evaluate(client, past, mandate, closes, horizon=horizon), "error": ""}
    except AdvisorError as exc:
        row: dict[str, Any] = dict.fromkeys(COLUMNS, np.nan)
        row.update(date=past.as_of, status="error", budget=mandate.max_te, short_window=False)
        return {**row, "left_out": (), "error": exc.message}


def _median(x: pd.Series) -> float:
    return float(x.median()) if len(x.dropna()) else float("nan")


def budget_summary(rows: pd.DataFrame, band: tuple[float, float] = RATIO_BAND) -> pd.DataFrame:
    """One row per budget over the evaluations with a proposal and a full window.

    Columns: ``evaluations``, ``infeasible``, ``errors``; quantiles ``p10``..``p90`` of
    realised / budgeted TE; ``within_band``, ``above_band``, ``below_band`` (shares);
    ``kept`` (share with realised TE at most the budget); the medians over the budget of the
    fixed-weight TE (``fixed_over_budget``: no drift) and of the TE against the model's own
    benchmark (``model_bench_over_budget``), and of ``benchmark_carry_te`` (``carry_te``);
    the medians of realised / predicted
    and realised / trailing TE for the proposal (``prop_*``) and the current portfolio
    (``curr_*``); and each forecast's median absolute error in TE points (fractions):
    ``prop_err_model``, ``prop_err_trailing``, ``curr_err_model``, ``curr_err_trailing``.
    """
    out = {}
    for budget, g in rows.groupby("budget"):
        ok = g[g["realised_te"].notna() & ~g["short_window"].astype(bool)]
        cur = g[g["current_realised_te"].notna() & ~g["short_window"].astype(bool)]
        r = ok["ratio"]
        q = r.quantile([0.1, 0.25, 0.5, 0.75, 0.9])
        out[float(budget)] = {
            "evaluations": len(g),
            "infeasible": int((g["status"] == "infeasible").sum()),
            "errors": int((g["status"] == "error").sum()),
            "evaluated": len(ok),
            **{f"p{round(100 * k)}": float(v) for k, v in q.items()},
            "within_band": float(r.between(*band).mean()),
            "above_band": float((r > band[1]).mean()),
            "below_band": float((r < band[0]).mean()),
            "kept": float((ok["realised_te"] <= ok["budget"]).mean()),
            "fixed_over_budget": _median(ok["fixed_weight_te"] / ok["budget"]),
            "model_bench_over_budget": _median(ok["realised_te_model_benchmark"] / ok["budget"]),
            "carry_te": _median(ok["benchmark_carry_te"]),
            "prop_real_over_pred": _median(ok["realised_te"] / ok["predicted_te"]),
            "prop_real_over_trail": _median(ok["realised_te"] / ok["trailing_te"]),
            "curr_real_over_pred": _median(cur["current_realised_te"] / cur["current_predicted_te"]),
            "curr_real_over_trail": _median(cur["current_realised_te"] / cur["current_trailing_te"]),
            "prop_err_model": _median((ok["realised_te"] - ok["predicted_te"]).abs()),
            "prop_err_trailing": _median((ok["realised_te"] - ok["trailing_te"]).abs()),
            "curr_err_model": _median((cur["current_realised_te"] - cur["current_predicted_te"]).abs()),
            "curr_err_trailing": _median((cur["current_realised_te"] - cur["current_trailing_te"]).abs()),
        }  # fmt: skip
    return pd.DataFrame(out).T.rename_axis("budget")


def by_date(rows: pd.DataFrame) -> pd.DataFrame:
    """Per date and budget over the clients: the median realised / budgeted TE, the share within
    the band, the median realised / predicted TE of the current portfolio, and the benchmark's
    return over the window (fractions)."""
    ok = rows[rows["realised_te"].notna()]
    g = ok.groupby(["date", "budget"])
    return pd.DataFrame(
        {
            "median_ratio": g["ratio"].median(),
            "within_band": g["ratio"].apply(lambda r: r.between(*RATIO_BAND).mean()),
            "curr_real_over_pred": g.apply(
                lambda d: (d["current_realised_te"] / d["current_predicted_te"]).median()
            ),
            "benchmark_return": g["benchmark_return"].first(),
            "short_window": g["short_window"].any(),
        }
    ).reset_index()


__all__ = [
    "BUDGETS",
    "CONCENTRATED_EXAMPLES",
    "budget_summary",
    "by_date",
    "example_clients",
    "generated_clients",
    "run_date",
]
