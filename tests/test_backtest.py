"""``advisor backtest``: the schedule, the summary, the study's clients and bad-input messages on
synthetic data (fast); the CLI, an independent cross-check of one date and a no-look-ahead check
on the raw data (skipped without ../shared/data); the study's finding on a small subset (slow)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS, RAW_DATA, needs_raw_data

from advisor.cli import main
from advisor.errors import DataError, UsageError
from advisor.optimize.mandate import Mandate
from advisor.scenarios import backtest as bt
from advisor.scenarios import backtest_study as study

DAYS = pd.bdate_range("2015-01-02", "2026-07-14")  # a synthetic trading calendar


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- schedule ------------------------------------------------------------------------------------


def test_quarter_ends_stay_on_month_ends() -> None:
    dates = bt.schedule("2019-06-30", "2020-06-30", "quarter", DAYS)
    assert [str(d.date()) for d in dates] == [
        "2019-06-30",  # a Sunday: backtest() moves it to the Friday before
        "2019-09-30",
        "2019-12-31",
        "2020-03-31",
        "2020-06-30",
    ]
    assert [str(d.date()) for d in bt.schedule("2019-06-29", "2019-06-30", "month", DAYS)] == [
        "2019-06-29"  # not a month-end: stays on the 29th (a Saturday, moved to the 28th)
    ]


def test_default_end_is_the_last_date_with_a_full_window() -> None:
    dates = bt.schedule("2024-06-30", None, "year", DAYS)
    last = DAYS[len(DAYS) - 1 - bt.HORIZON_DAYS]
    assert dates[-1] <= last and len(DAYS) - 1 - DAYS.get_loc(dates[-1]) >= bt.HORIZON_DAYS
    assert [d.year for d in dates] == [2024, 2025]


@pytest.mark.parametrize(
    ("start", "end", "every", "words"),
    [
        ("2010-01-01", "2019-06-30", "quarter", "earliest is 2015-06-"),
        ("2021-06-30", "2020-06-30", "quarter", "after the last"),
        ("2019-06-30", None, "fortnight", "use one of month, quarter, year"),
    ],
)
def test_bad_schedules_say_what_to_do(start: str, end: str | None, every: str, words: str) -> None:
    with pytest.raises(UsageError) as err:
        bt.schedule(start, end, every, DAYS)
    assert words in err.value.message


# -- buy and hold, realised and trailing TE, against plain numpy ----------------------------------


def _prices(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2020-01-01", periods=300)
    r = rng.normal(0.0004, 0.012, size=(300, 3))
    r[:, 1] += r[:, 0] * 0.5
    return pd.DataFrame(100 * np.cumprod(1 + r, axis=0), index=days, columns=["SPY", "AAA", "BBB"])


def test_hold_and_realised_te_match_numpy() -> None:
    px = _prices()
    win = bt.window(bt.calendar(px), px.index[10], horizon=250)
    w = pd.Series({"AAA": 0.5, "BBB": 0.3})
    value = bt.hold(w, 0.2, bt.growth(px, ["AAA", "BBB"], win))
    rb = bt.benchmark_returns([("S&P 500", 1.0)], px, win)
    te = bt.realised_te(value.pct_change().iloc[1:] - rb)

    p = px.loc[win].to_numpy(dtype=float)
    v = 0.2 + p[:, 1] / p[0, 1] * 0.5 + p[:, 2] / p[0, 2] * 0.3
    active = v[1:] / v[:-1] - p[1:, 0] / p[:-1, 0]
    assert te == pytest.approx(np.std(active, ddof=1) * np.sqrt(252), rel=1e-10)


def test_trailing_te_is_fixed_weights_over_the_past() -> None:
    px = _prices()
    days = px.index[:200]
    w = pd.Series({"AAA": 0.6, "BBB": 0.4})
    rb = bt.benchmark_returns([("S&P 500", 1.0)], px, days)
    r = px.loc[days].pct_change().iloc[1:].to_numpy(dtype=float)
    active = r[:, 1] * 0.6 + r[:, 2] * 0.4 - r[:, 0]
    expected = np.std(active, ddof=1) * np.sqrt(252)
    assert bt.trailing_te(w, px, days, rb) == pytest.approx(expected, rel=1e-10)


# -- summaries on a synthetic frame ---------------------------------------------------------------


def _rows(ratios: list[float], budget: float = 0.03, short: int = 0) -> pd.DataFrame:
    n = len(ratios)
    rows = pd.DataFrame({c: np.nan for c in bt.COLUMNS}, index=range(n))
    rows["date"] = pd.bdate_range("2020-01-01", periods=n)
    rows["status"], rows["budget"] = "optimal", budget
    rows["short_window"] = [i >= n - short for i in range(n)]
    rows["left_out"] = [() for _ in range(n)]
    rows["ratio"] = ratios
    rows["realised_te"] = rows["ratio"] * budget
    rows["predicted_te"], rows["trailing_te"] = budget, budget / 2
    rows["current_predicted_te"], rows["current_trailing_te"] = 0.10, 0.08
    rows["current_realised_te"] = 0.12
    return rows


def test_summarize_counts_band_and_leaves_out_short_windows() -> None:
    rows = _rows([0.5, 0.8, 1.0, 1.2, 1.5, 9.0], short=1)
    rows.loc[1, "status"] = "infeasible"
    s = bt.summarize(rows)
    assert (s["dates"], s["evaluated"], s["short_windows"], s["infeasible"]) == (6, 5, 1, 1)
    assert s["within_band"] == pytest.approx(3 / 5, rel=1e-10)
    assert s["ratio_quantiles"]["p50"] == pytest.approx(1.0, rel=1e-10)
    assert s["median_realised_over_trailing"] == pytest.approx(2.0, rel=1e-10)
    assert s["current_median_realised_over_predicted"] == pytest.approx(1.2, rel=1e-10)
    assert s["current_median_realised_over_trailing"] == pytest.approx(1.5, rel=1e-10)


def test_budget_summary_one_row_per_budget() -> None:
    rows = pd.concat([_rows([0.5, 1.0, 1.5], 0.03), _rows([0.9, 1.1, 1.2, 2.0], 0.04)])
    s = study.budget_summary(rows)
    assert list(s.index) == [0.03, 0.04]
    assert s.loc[0.04, "within_band"] == pytest.approx(0.75, rel=1e-10)
    assert s.loc[0.03, "above_band"] == pytest.approx(1 / 3, rel=1e-10)
    assert s.loc[0.04, "kept"] == pytest.approx(0.25, rel=1e-10)
    assert s.loc[0.03, "prop_err_trailing"] == pytest.approx(0.015, rel=1e-10)


def test_json_contract_keys_and_raw_fractions() -> None:
    b = bt.Backtest("x.csv", Mandate(max_te=0.03), "S&P 500", _rows([0.9, 1.1]))
    d = json.loads(json.dumps(b.to_dict()))
    assert set(d) == {
        "source", "benchmark", "benchmark_proxy", "horizon_days", "mandate", "summary", "dates",
        "notes",
    }  # fmt: skip
    assert set(d["dates"][0]) == set(bt.COLUMNS)
    assert d["dates"][1]["ratio"] == pytest.approx(1.1) and d["mandate"]["max_te"] == 0.03
    assert list(b.to_frame().columns) == list(bt.COLUMNS)


def test_rows_without_a_column_are_refused() -> None:
    with pytest.raises(ValueError, match="lack columns"):
        bt.Backtest("x.csv", Mandate(), "S&P 500", _rows([1.0]).drop(columns=["ratio"]))


# -- the study's clients --------------------------------------------------------------------------


def test_generated_clients_are_seeded_megacap_heavy_and_whole(market) -> None:  # noqa: ANN001
    a, b = study.generated_clients(22), study.generated_clients(22)
    assert all(x.weights.equals(y.weights) for x, y in zip(a, b, strict=True))
    for c in a:
        assert c.weights.sum() + c.cash == pytest.approx(1.0, rel=1e-12)
        mega = c.weights.reindex(list(bt.DEFAULT_MEGACAPS)).sum()
        assert 0.40 <= mega <= 0.80 and (c.weights > 0).all()
        assert set(c.weights.index) <= set(market.securities.index)
    examples = study.example_clients(PORTFOLIOS, market)
    assert len(examples) + len(a) >= 20


# -- bad input through the CLI --------------------------------------------------------------------


def test_missing_raw_data_is_one_clear_message(tmp_path) -> None:  # noqa: ANN001
    code, out, err = run(
        "backtest", str(PORTFOLIOS / "growth_client.csv"), "--source", str(tmp_path / "none")
    )
    assert code == 1 and "Traceback" not in err + out
    assert "raw market data" in err and "--source" in err


def test_a_date_that_is_not_a_date_is_a_usage_error() -> None:
    code, _, err = run("backtest", str(PORTFOLIOS / "growth_client.csv"), "--from", "2019-02-30")
    assert code == 2 and "YYYY-MM-DD" in err


def test_a_realised_gain_budget_is_refused() -> None:
    with pytest.raises(UsageError, match="cost basis"):
        bt._check_mandate(Mandate(max_realized_gain=1000.0))


# -- on the raw data ------------------------------------------------------------------------------

SMALL = "Symbol,Quantity,Price\nAAPL,100,200\nNVDA,200,100\nMSFT,30,400\nSPY,40,500\n"


@needs_raw_data
def test_a_date_before_the_data_is_a_clear_usage_error() -> None:
    code, out, err = run("backtest", str(PORTFOLIOS / "growth_client.csv"), "--from", "2010-06-30")
    assert code == 2 and "Traceback" not in out + err
    assert "daily prices start 2015-01-02" in err and "--from 2015-07-" in err


@needs_raw_data
def test_cli_two_dates_table_json_csv_and_chart(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "small.csv"
    f.write_text(SMALL)
    args = ["backtest", str(f), "--from", "2023-06-30", "--to", "2023-09-30", "--max-te", "4%"]
    code, out, err = run(*args, "--format", "json", "--chart", str(tmp_path / "bt.png"))
    assert code == 0, err
    d = json.loads(out)
    assert [x["date"] for x in d["dates"]] == ["2023-06-30", "2023-09-29"]
    assert d["mandate"]["max_te"] == 0.04 and d["summary"]["evaluated"] == 2
    assert (tmp_path / "bt.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "2023-09-30 -> 2023-09-29" in " ".join(d["notes"])
    code, out, _ = run(*args, "--format", "csv")
    assert code == 0 and out.splitlines()[0] == ",".join(bt.COLUMNS) and len(out.splitlines()) == 3
    code, out, _ = run(*args)
    assert code == 0 and "Tracking error, annualised (% a year)" in out and "2023-06-30" in out


@pytest.fixture(scope="module")
def one_date():  # noqa: ANN201
    """growth_client at 2023-06-30 under a 4 % budget: the client, its market and the row."""
    import advisor
    from advisor.data.history import market_at, raw_data

    raw, base = raw_data(RAW_DATA), advisor.load_market()
    client = bt.client_of(advisor.read_holdings(PORTFOLIOS / "growth_client.csv", base), base)
    mandate = Mandate(max_te=0.04)
    tickers = bt.needed_tickers(client, mandate, None)
    past = market_at(raw, "2023-06-30", tickers=tickers, base=base)
    row = bt.evaluate(client, past, mandate, raw.daily())
    return client, past, row, tickers, base


@needs_raw_data
def test_one_date_cross_checked_with_numpy_on_the_raw_prices(one_date) -> None:  # noqa: ANN001
    """The current portfolio's realised TE, return and the benchmark's return, recomputed from
    the raw parquet with numpy: buy and hold 252 trading days from 2023-06-30, SPY as the
    benchmark, cash earning nothing."""
    client, _, row, _, _ = one_date
    px = pd.read_parquet(RAW_DATA / "prices" / "daily_sp1500_etfs_2015-2026.parquet")
    px = px[px["SPY"].notna()]
    i = px.index.get_loc(pd.Timestamp("2023-06-30"))
    names = list(client.weights.index)
    p = px[names].iloc[i : i + 253].ffill().to_numpy(dtype=float)
    spy = px["SPY"].iloc[i : i + 253].to_numpy(dtype=float)
    w = client.weights.to_numpy() / client.weights.sum() * (1 - client.cash)
    v = client.cash + (p / p[0]) @ w
    active = v[1:] / v[:-1] - spy[1:] / spy[:-1]
    assert row["days"] == 252 and not row["short_window"]
    assert row["current_realised_te"] == pytest.approx(
        np.std(active, ddof=1) * np.sqrt(252), rel=1e-6
    )  # float32 prices, rounded position values
    assert row["current_return"] == pytest.approx(v[-1] - 1, rel=1e-6)
    assert row["benchmark_return"] == pytest.approx(spy[-1] / spy[0] - 1, rel=1e-10)
    assert row["status"] == "optimal" and row["predicted_te"] <= 0.04 + 1e-6


@needs_raw_data
def test_the_past_market_uses_no_data_after_its_date(one_date) -> None:  # noqa: ANN001
    """Raw prices cut after 2023-06-30 give the same market: risk model, prices, benchmark."""
    from advisor.data.history import market_at
    from advisor.data.sources import PRICES_MONTHLY, RawData

    class Cut(RawData):
        def _prices(self, rel: str) -> pd.DataFrame:
            return super()._prices(rel).loc[: pd.Timestamp("2023-06-30")]

    _, past, _, tickers, base = one_date
    cut = market_at(Cut(RAW_DATA), "2023-06-30", tickers=tickers, base=base)
    assert Cut(RAW_DATA).monthly().index[-1] == pd.Timestamp("2023-06-30")  # month-end rows
    assert PRICES_MONTHLY  # the monthly file is cut too
    for name in ("risk", "factor_cov", "benchmark", "funds", "securities"):
        a = pd.read_parquet(past.folder / f"{name}.parquet")
        b = pd.read_parquet(cut.folder / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)


@needs_raw_data
def test_evaluate_refuses_a_non_trading_day(one_date) -> None:  # noqa: ANN001
    client, past, _, _, _ = one_date
    closes = pd.read_parquet(RAW_DATA / "prices" / "daily_sp1500_etfs_2015-2026.parquet")
    with pytest.raises(DataError, match="not a trading day"):
        bt.evaluate(client, past, Mandate(max_te=0.04), closes.drop(index=past.as_of))


# -- the study's finding, on a small subset (slow) -------------------------------------------------


@pytest.mark.slow
@needs_raw_data
def test_study_subset_realised_over_budget() -> None:
    """Two clients x four quarter-ends (2022-06-30 .. 2023-03-31) under a 4 % budget, as in
    docs/proposal-backtest.md and docs/proposal-backtest-default.md: with objective ``megacap``
    (the whole budget spent) realised TE runs above the budget more than under the default
    objective (full studies: medians 1.14 and 0.96). Measured on this subset: median realised /
    budget 1.11 (range 0.84-1.31) with ``megacap``, 0.82 (0.69-1.04) with the default; the bands
    leave a margin around those."""
    import advisor
    from advisor.data.history import raw_data

    raw, base = raw_data(RAW_DATA), advisor.load_market()
    clients = study.example_clients(PORTFOLIOS, base)[:1] + study.generated_clients(1)
    dates = bt.schedule("2022-06-30", "2023-03-31", "quarter", bt.calendar(raw.daily()))
    med = {}
    for objective in (None, "megacap"):
        rows = pd.concat(
            [
                study.run_date(raw, d, clients, (0.04,), base=base, objective=objective)
                for d in dates
            ]
        )
        s = study.budget_summary(rows).loc[0.04]
        assert s["evaluated"] == 8 and s["errors"] == 0 and s["infeasible"] == 0
        assert 0.85 < s["curr_real_over_pred"] < 1.2  # 1.02: the model about right for them
        med[objective] = s["p50"]
    assert 0.95 < med["megacap"] < 1.3
    assert 0.65 < med[None] < 1.0
    assert med["megacap"] > med[None] + 0.1
