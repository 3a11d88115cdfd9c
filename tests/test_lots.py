"""Tests of tax lots and accounts as the reader keeps them (:mod:`advisor.holdings.lots`,
:mod:`advisor.holdings.accounts`): lots never summed, shares add up, each layout read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor.domain import ACCOUNT_COLUMNS, LOT_COLUMNS, AccountType, Holdings
from advisor.errors import InputError
from advisor.holdings.accounts import infer_type
from advisor.holdings.lots import holding_term
from advisor.holdings.read import read_holdings
from advisor.market.snapshot import Market

LOTS = Path(__file__).parent / "data" / "lots"
PORTFOLIOS = Path(__file__).resolve().parents[1] / "portfolios"
KNOWN = frozenset({"AAPL", "MSFT", "NVDA", "SPY", "QQQ", "BND", "VTI", "IWM", "XOM", "BRK-B"})


def read(path: Path, known: frozenset[str] = KNOWN) -> Holdings:
    return read_holdings(path, known)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lots.csv"
    path.write_text(text, encoding="utf-8")
    return path


def assert_lots_add_up(h: Holdings) -> None:
    """Columns and dtypes as documented, and lots' shares by ticker == positions' shares."""
    assert tuple(h.lots.columns) == LOT_COLUMNS
    assert tuple(h.accounts.columns) == ACCOUNT_COLUMNS
    assert h.lots["acquired"].dtype == "datetime64[ns]"
    assert set(h.lots["term"]) <= {"short", "long", ""}
    by_ticker = h.lots.groupby("ticker")["shares"].sum()
    pd.testing.assert_series_equal(
        by_ticker.sort_index(), h.positions["shares"].sort_index(), check_names=False
    )
    assert set(h.lots["account"]) <= set(h.accounts["id"])


@pytest.mark.parametrize("name", sorted(p.name for p in LOTS.glob("*.csv")))
def test_every_sample_layout_keeps_lots_that_add_up(name: str) -> None:
    assert_lots_add_up(read(LOTS / name))


def test_example_portfolios_keep_one_lot_per_line(market: Market) -> None:
    for path in sorted(PORTFOLIOS.glob("*.csv")):
        if path.name.startswith("closes_") or path.stem.endswith("_lots"):
            continue  # prices, and the example household's lot files
        h = read_holdings(path, market.known, mapping={"FXAIX": "VOO"})
        assert len(h.lots) == sum(len(lines) for lines in h.positions["lines"])
        assert h.lots["acquired"].isna().all()


def test_two_accounts_are_two_lots_not_one_summed_line(market: Market) -> None:
    h = read_holdings(PORTFOLIOS / "custodian_export.csv", market.known)
    aapl = h.lots[h.lots["ticker"] == "AAPL"]
    assert list(aapl["shares"]) == [150.0, 60.0]
    assert list(aapl["account"]) == ["Individual ...123", "Roth IRA ...456"]
    assert h.positions.at["AAPL", "shares"] == 210.0
    assert any("AAPL appears on 2 lines in 2 accounts" in w for w in h.warnings)
    assert not any("summed" in w for w in h.warnings)
    assert dict(zip(h.accounts["id"], h.accounts["cash"], strict=True)) == {
        "Individual ...123": 0.0,
        "Roth IRA ...456": 9870.55,
    }


def test_schwab_lot_details_reads_the_ticker_from_each_section() -> None:
    h = read(LOTS / "schwab_lot_details.csv")
    nvda = h.lots[h.lots["ticker"] == "NVDA"]
    assert list(nvda["shares"]) == [200.0, 50.0, 30.0]
    assert list(nvda["term"]) == ["long", "long", "short"]
    assert list(nvda["acquired"].dt.strftime("%Y-%m-%d")) == [
        "2020-03-16",
        "2024-11-08",
        "2026-02-03",
    ]
    assert nvda["cost_basis"].sum() == pytest.approx(12142.0)
    assert h.positions.at["AAPL", "cost_basis"] == pytest.approx(11553.0)
    assert any("total line" in w and "line 8" in w for w in h.warnings)


def test_fidelity_lots_keep_account_number_and_name() -> None:
    h = read(LOTS / "fidelity_lots.csv")
    accounts = h.accounts.set_index("id")
    assert accounts.at["Z87654321", "name"] == "ROTH IRA"
    assert accounts.at["Z87654321", "type"] == AccountType.TAX_EXEMPT
    assert accounts.at["Z87654321", "cash"] == 2150.0
    msft = h.lots[h.lots["ticker"] == "MSFT"]
    assert list(msft["term"]) == ["long", "short"] and list(msft["account"]) == ["Z12345678"] * 2


def test_vanguard_cost_per_share_and_inherited_lot() -> None:
    h = read(LOTS / "vanguard_cost_basis.csv")
    vti = h.lots[h.lots["ticker"] == "VTI"].set_index("line")
    assert pd.isna(vti.at[5, "acquired"]) and vti.at[5, "term"] == "long"  # inherited
    assert vti.at[6, "cost_basis"] == pytest.approx(8344.0)
    assert not any("appears on" in w for w in h.warnings)  # a lot file's lots are not news


def test_plain_lot_file_with_an_account_column() -> None:
    h = read(LOTS / "plain_lots.csv")
    assert len(h.lots) == 4
    assert list(h.accounts["type"]) == [AccountType.TAXABLE, AccountType.TAX_EXEMPT]
    by = h.by_account(prices=pd.Series({"NVDA": 200.0, "AAPL": 300.0}))
    assert by.loc[("Brokerage", "NVDA"), "shares"] == 500.0
    assert by.loc[("Roth IRA", "AAPL"), "value"] == pytest.approx(15000.0)
    assert by["value"].sum() == pytest.approx(500 * 200.0 + 200 * 300.0)


def test_schwab_all_accounts_sections_name_the_account() -> None:
    h = read(LOTS / "schwab_all_accounts.csv")
    assert list(h.accounts["id"]) == ["Individual ...123", "Roth IRA ...456"]
    assert list(h.accounts["cash"]) == [2900.0, 220.0]
    roth = h.lots[h.lots["account"] == "Roth IRA ...456"]
    assert set(roth["ticker"]) == {"AAPL", "QQQ"}
    by = h.by_account()
    assert by["value"].sum() == pytest.approx(h.positions["value"].sum())


def test_account_types_are_inferred_and_each_inference_is_said(tmp_path: Path) -> None:
    text = (
        "Account,Symbol,Quantity\n"
        "Roth IRA ...516,AAPL,1\nRollover IRA,MSFT,1\nJoint WROS,SPY,1\nKids fund,QQQ,1\n"
    )
    h = read(write(tmp_path, text))
    types = dict(zip(h.accounts["id"], h.accounts["type"], strict=True))
    assert types == {
        "Roth IRA ...516": "tax_exempt",
        "Rollover IRA": "tax_deferred",
        "Joint WROS": "taxable",
        "Kids fund": "taxable",
    }
    sources = dict(zip(h.accounts["id"], h.accounts["type_source"], strict=True))
    assert sources["Roth IRA ...516"] == "inferred from the name 'Roth IRA ...516'"
    assert sources["Kids fund"] == "default: taxable"
    assert any("'Roth IRA ...516' read as tax_exempt" in w for w in h.warnings)
    assert any("'Kids fund'" in w and "taxable (default)" in w for w in h.warnings)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("HSA ...77", "tax_exempt"), ("Roth 401(k)", "tax_exempt"), ("401(k) plan", "tax_deferred"),
     ("SEP-IRA", "tax_deferred"), ("403b", "tax_deferred"), ("Family Trust", "taxable"),
     ("Individual", "taxable"), ("Z12345678", None)],
)  # fmt: skip
def test_infer_type(name: str, kind: str | None) -> None:
    assert infer_type(name) == kind


def test_a_file_without_accounts_has_one_default_account_and_no_type_warning(
    tmp_path: Path,
) -> None:
    h = read(write(tmp_path, "Symbol,Quantity,Cost Basis\nAAPL,10,900\nAAPL,5,800\n"))
    assert list(h.accounts["id"]) == [""] and h.accounts.at[0, "type"] == "taxable"
    assert not any("account" in w for w in h.warnings)
    assert list(h.lots["cost_basis"]) == [900.0, 800.0]
    assert any("treated as long-term" in w and "lines 2, 3" in w for w in h.warnings)


def test_average_cost_makes_each_lines_cost_basis(tmp_path: Path) -> None:
    h = read(write(tmp_path, "Symbol,Quantity,Average Cost\nAAPL,10,90.5\nMSFT,4,100\n"))
    assert list(h.lots["cost_basis"]) == [905.0, 400.0]
    assert any("not per lot" in w and "long-term" in w for w in h.warnings)


@pytest.mark.parametrize(
    ("body", "line", "said"),
    [
        ("AAPL,13/45/2020,10,500\n", 2, "cannot read '13/45/2020' in column 'acquired' as a date"),
        ("AAPL,2020-01-02,10,500\nMSFT,2021-01-04,-3,500\n", 3, "a lot's quantity cannot be"),
        ("AAPL,yesterday,10,500\n", 2, "as a date"),
    ],
)
def test_bad_lot_lines_name_file_line_and_value(
    tmp_path: Path, body: str, line: int, said: str
) -> None:
    path = write(tmp_path, "ticker,acquired,quantity,cost_basis\n" + body)
    with pytest.raises(InputError) as info:
        read(path)
    assert info.value.path == str(path) and info.value.line == line
    assert said in str(info.value)


def test_an_unknown_holding_period_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Symbol,Acquired,Term,Quantity\nAAPL,01/02/2020,Forever,3\n")
    with pytest.raises(InputError, match="'Forever' in column 'Term' as a holding period"):
        read(path)


def test_holdings_built_in_code_get_one_lot_per_position() -> None:
    h = Holdings.of_shares({"AAPL": 10, "MSFT": 5})
    assert list(h.lots["shares"]) == [10.0, 5.0]
    assert list(h.accounts["id"]) == [""]
    assert h.by_account(pd.Series({"AAPL": 2.0, "MSFT": 3.0}))["value"].sum() == 35.0


def test_lots_that_do_not_add_up_are_refused() -> None:
    h = Holdings.of_shares({"AAPL": 10})
    lots = h.lots.assign(shares=[7.0])
    with pytest.raises(ValueError, match="do not add up"):
        Holdings(path="x", positions=h.positions, lots=lots)


def test_holding_term_follows_more_than_one_year() -> None:
    acquired = pd.Series(pd.to_datetime(["2025-07-14", "2025-07-13", None]))
    assert list(holding_term(acquired, pd.Timestamp("2026-07-14"))) == ["short", "long", ""]
    assert list(holding_term(acquired, pd.Timestamp("2026-07-15")))[:2] == ["long", "long"]


def test_reordering_lines_keeps_the_same_lots(tmp_path: Path) -> None:
    lines = (LOTS / "plain_lots.csv").read_text().splitlines()
    shuffled = write(tmp_path, "\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    a, b = read(LOTS / "plain_lots.csv"), read(shuffled)
    key = ["account", "ticker", "acquired", "shares", "cost_basis"]
    left = a.lots[key].sort_values(key).reset_index(drop=True)
    right = b.lots[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    assert np.isclose(a.positions["shares"].sum(), b.positions["shares"].sum())


def test_a_part_of_the_positions_keeps_their_lots() -> None:
    from dataclasses import replace

    h = read(LOTS / "plain_lots.csv")
    part = replace(h, positions=h.positions.loc[["NVDA"]])
    assert list(part.lots["ticker"]) == ["NVDA", "NVDA"]
    assert_lots_add_up(part)
