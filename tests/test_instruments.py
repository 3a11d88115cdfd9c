"""Bonds and options in holdings files: read, valued and kept as what they are (issue 9)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import PORTFOLIOS

import advisor
from advisor.domain import INSTRUMENT_COLUMNS, POSITION_COLUMNS, Holdings, Instrument
from advisor.errors import InputError, UnknownTickersError
from advisor.holdings.dates import find_dates, parse_date
from advisor.holdings.instruments import (
    option_from_description,
    option_from_symbol,
    parse_bond,
    valid_cusip,
)
from advisor.holdings.read import read_holdings
from advisor.market.snapshot import Market

KNOWN = frozenset({"AAPL", "MSFT", "NVDA", "SPY", "QQQ", "BND", "GLD", "VWO", "VOO", "BRK-B"})
NAMES = {"AAPL": "Apple Inc.", "SPY": "SPDR S&P 500 ETF Trust", "MSFT": "Microsoft"}
OCC = "AAPL270115C00200000"  # the one canonical spelling of the AAPL Jan 15 2027 200 call


def rows_to_file(tmp_path: Path, rows: list[list[object]], suffix: str = ".csv") -> Path:
    """Write rows as a CSV (every cell as text) or an XLSX (numbers as numbers, dates as dates)."""
    path = tmp_path / f"holdings{suffix}"
    if suffix == ".csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        return path
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def read(path: Path, **kwargs: object) -> Holdings:
    return read_holdings(path, KNOWN, **kwargs)  # type: ignore[arg-type]


def read_text(tmp_path: Path, text: str, **kwargs: object) -> Holdings:
    path = tmp_path / "holdings.csv"
    path.write_text(text, encoding="utf-8")
    return read(path, **kwargs)


def error_of(tmp_path: Path, text: str, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        read_text(tmp_path, text, **kwargs)
    return info.value


def warned_lines(h: Holdings) -> set[int]:
    return {int(m) for w in h.warnings for m in re.findall(r"^line (\d+):", w)}


def accounted_lines(h: Holdings) -> set[int]:
    in_positions = {line for lines in h.positions["lines"] for line in lines}
    return in_positions | set(h.cash_lines) | warned_lines(h)


def nonblank_lines(path: Path, header_line: int) -> set[int]:
    """Lines with a cell that is not empty (``""`` is a blank line)."""
    text = path.read_text(encoding="utf-8-sig")
    lines = enumerate(text.splitlines(), 1)
    return {i for i, line in lines if line.strip().strip('",') and i != header_line}


def check_values(h: Holdings) -> None:
    """value = face x price / 100 (bonds), contracts x multiplier x price (options), shares x
    price (securities with a price), all to the cent; the instruments table matches."""
    pos, terms = h.positions, h.instruments
    kinds = pos["instrument"]
    assert set(terms.index) == set(pos.index[kinds != Instrument.SECURITY])
    scale = pd.Series(1.0, index=pos.index)
    bonds, options = kinds == Instrument.BOND, kinds == Instrument.OPTION
    scale[bonds] = 0.01
    scale[options] = terms["multiplier"].reindex(pos.index[options]).to_numpy()
    priced = pos[pos["price"].notna() & pos["shares"].notna()]
    expected = priced["shares"] * priced["price"] * scale[priced.index]
    assert np.allclose(priced["value"], expected, rtol=5e-4, atol=1.0)
    assert (terms["face"].dropna() == pos.loc[terms["face"].dropna().index, "shares"]).all()
    contracts = terms["contracts"].dropna()
    assert (contracts == pos.loc[contracts.index, "shares"]).all()


# --- CUSIPs, dates and terms -----------------------------------------------------------------


@pytest.mark.parametrize(
    "cusip", ["037833100", "594918104", "91282CJL6", "91282CJJ1", "912828YK0", "912810QA9"]
)
def test_real_cusips_pass_the_check_digit(cusip: str) -> None:
    # Apple and Microsoft common stock, three Treasury notes and a bond
    assert valid_cusip(cusip)
    for digit in "0123456789":
        if digit != cusip[-1]:
            assert not valid_cusip(cusip[:-1] + digit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/15/2034", dt.date(2034, 11, 15)),
        ("11/15/34", dt.date(2034, 11, 15)),
        ("2034-11-15", dt.date(2034, 11, 15)),
        ("2034-11-15 00:00:00", dt.date(2034, 11, 15)),  # an XLSX date cell
        ("15-Nov-2034", dt.date(2034, 11, 15)),
        ("15NOV34", dt.date(2034, 11, 15)),
        ("Nov 15, 2034", dt.date(2034, 11, 15)),
        ("NOVEMBER 15 2034", dt.date(2034, 11, 15)),
        ("JAN 15 27", dt.date(2027, 1, 15)),
        ("1/5/2027", dt.date(2027, 1, 5)),
        ("15/11/2034", dt.date(2034, 11, 15)),  # day first when the month cannot be 15
        ("20341115", dt.date(2034, 11, 15)),
        ("05/15/72", dt.date(1972, 5, 15)),  # the POSIX pivot
    ],
)
def test_dates_in_custodian_formats(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    if not text.isdigit():  # 20341115 only as a whole cell, not within a description
        assert [d for d, *_ in find_dates(f"X {text} Y")] == [expected]


@pytest.mark.parametrize("text", ["02/30/2034", "13/13/2030", "MARKET 15 2027", "", "4.25%"])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None and find_dates(text) == []


@pytest.mark.parametrize(
    ("description", "kind", "coupon", "maturity"),
    [
        ("US TREASURY NOTE 4.25000% 11/15/2034", "treasury", 0.0425, dt.date(2034, 11, 15)),
        ("UNITED STATES TREAS BDS 2.875% 05/15/2049", "treasury", 0.02875, dt.date(2049, 5, 15)),
        ("APPLE INC 3.35% 02/09/2027", "corporate", 0.0335, dt.date(2027, 2, 9)),
        ("NEW YORK N Y CITY 5% 08/01/2030", "municipal", 0.05, dt.date(2030, 8, 1)),
        ("US TREASURY N/B 4.25 11/15/34", "treasury", 0.0425, dt.date(2034, 11, 15)),
        ("UNITED STATES TREAS BILLS 12/26/2026", "treasury", 0.0, dt.date(2026, 12, 26)),
        ("FNMA 0.875% 08/05/2030", "agency", 0.00875, dt.date(2030, 8, 5)),
        ("ERIE CO N Y GO 4 1/4% 06/01/2031", "municipal", 0.0425, dt.date(2031, 6, 1)),
        ("STATE STR CORP 4.5% 01/01/2030 DTD 01/01/2020 CALL 01/01/2028", "corporate", 0.045,
         dt.date(2030, 1, 1)),  # the maturity is the latest date
        ("NYC GO SER 1 08/01/30", "municipal", math.nan, dt.date(2030, 8, 1)),  # no 1 % coupon
        ("SOME ISSUER", "unknown", math.nan, None),
    ],
)  # fmt: skip
def test_bond_terms_from_descriptions(
    description: str, kind: str, coupon: float, maturity: dt.date | None
) -> None:
    bond = parse_bond("037833AK6", description)
    assert (bond.issuer_kind, bond.maturity) == (kind, maturity)
    assert bond.coupon == pytest.approx(coupon, abs=1e-15, nan_ok=True)


def test_a_treasury_cusip_says_treasury_without_a_description() -> None:
    assert parse_bond("91282CJJ1", "").issuer_kind == "treasury"


@pytest.mark.parametrize(
    "symbol",
    ["AAPL  270115C00200000", "AAPL270115C00200000", "AAPL 01/15/2027 200.00 C",
     " -AAPL270115C200", "-AAPL270115C200.0", "aapl 01/15/27 $200 call"],
)  # fmt: skip
def test_option_symbols_in_every_spelling_have_one_key(symbol: str) -> None:
    terms = option_from_symbol(symbol)
    assert terms is not None and terms.key() == OCC
    assert (terms.root, terms.right, terms.strike, terms.expiry) == (
        "AAPL", "call", 200.0, dt.date(2027, 1, 15)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("symbol", "key"),
    [
        ("SPY   261218P00700000", "SPY261218P00700000"),
        ("-SPY261218P72.5", "SPY261218P00072500"),
        ("BRK/B 01/15/2027 500.00 P", "BRKB270115P00500000"),
        ("SPXW  261218P06500000", "SPXW261218P06500000"),
    ],
)
def test_option_keys(symbol: str, key: str) -> None:
    terms = option_from_symbol(symbol)
    assert terms is not None and terms.key() == key


@pytest.mark.parametrize("symbol", ["AAPL", "BRK.B", "912828YK0", "CASH", "", "AAPL 2027"])
def test_no_option_symbols(symbol: str) -> None:
    assert option_from_symbol(symbol) is None


@pytest.mark.parametrize(
    ("description", "root", "name"),
    [
        ("CALL APPLE INC $200 EXP 01/15/27", "", "APPLE INC"),
        ("AAPL JAN 15 2027 $200 CALL", "AAPL", "AAPL"),
        ("CALL (AAPL) APPLE INC JAN 15 27 $200 (100 SHS)", "AAPL", "APPLE INC"),
    ],
)
def test_option_descriptions(description: str, root: str, name: str) -> None:
    found = option_from_description(description)
    assert found is not None
    terms, said = found
    assert (terms.root, said, terms.right, terms.strike) == (root, name, "call", 200.0)
    assert terms.expiry == dt.date(2027, 1, 15)


@pytest.mark.parametrize(
    "description",
    ["Apple Inc", "CALLAWAY GOLF CO", "PUTNAM FUND $10", "CALL AND PUT $5 1/2/27",
     "XYZ CORP 5.25% PFD CALL $25 01/15/2027"],  # a preferred's call date: no option
)  # fmt: skip
def test_no_option_descriptions(description: str) -> None:
    assert option_from_description(description) is None


# --- options in files ----------------------------------------------------------------------------

OPTION_LINES = [
    ("AAPL  270115C00200000", ""),
    ("AAPL270115C00200000", ""),
    ("AAPL 01/15/2027 200.00 C", "CALL APPLE INC $200 EXP 01/15/27"),
    (" -AAPL270115C200", "AAPL JAN 15 2027 $200 CALL"),
    ("AAPL", "CALL APPLE INC $200 EXP 01/15/27"),  # the underlying in the symbol column
    ("", "CALL APPLE INC $200 EXP 01/15/27"),  # the snapshot's names tell the underlying
    ("", "CALL (AAPL) APPLE INC JAN 15 27 $200 (100 SHS)"),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(("symbol", "description"), OPTION_LINES)
def test_a_covered_call_in_every_format(
    tmp_path: Path, suffix: str, symbol: str, description: str
) -> None:
    rows: list[list[object]] = [
        ["Symbol", "Description", "Quantity", "Price"],
        ["AAPL", "APPLE INC", 400, 317.31],
        [symbol, description, -2, 17.85],
    ]
    h = read(rows_to_file(tmp_path, rows, suffix), names=NAMES)
    pos = h.positions
    assert list(pos.index) == ["AAPL", OCC]
    assert pos.loc[OCC, "instrument"] == Instrument.OPTION == "option"
    assert pos.loc[OCC, "shares"] == -2 and pos.loc[OCC, "price"] == 17.85
    assert pos.loc[OCC, "value"] == -3_570.00  # -2 x 100 x 17.85: a written call is worth < 0
    assert pos.loc["AAPL", "instrument"] == "security" and pos.loc["AAPL", "value"] == 126_924
    row = h.instruments.loc[OCC]
    assert (row["underlying"], row["right"], row["strike"], row["contracts"]) == (
        "AAPL", "call", 200.0, -2.0
    )  # fmt: skip
    assert row["expiry"] == pd.Timestamp("2027-01-15") and row["multiplier"] == 100
    assert pd.isna(row["cusip"]) and math.isnan(row["face"])
    assert pos.loc[OCC, "raw"] == ((symbol.strip() or description),)
    assert not any("underlying" in w for w in h.warnings)
    check_values(h)


def test_an_option_described_by_name_without_the_snapshot_names_is_kept_and_warned(
    tmp_path: Path,
) -> None:
    h = read_text(
        tmp_path, "Symbol,Description,Quantity,Price\n,CALL APPLE INC $200 EXP 01/15/27,1,6.2\n"
    )
    ((key, row),) = h.positions.iterrows()
    assert row["instrument"] == "option" and row["value"] == 620
    assert key == "CALL APPLE INC $200 EXP 01/15/27"  # no OCC symbol without a root
    (warning,) = h.warnings
    assert warning.startswith("line 2:") and "'APPLE INC' names no ticker" in warning


def test_a_stock_whose_description_names_a_call_date_stays_a_stock(tmp_path: Path) -> None:
    text = (
        'Symbol,Description,Quantity,Price\nMSFT,"XYZ CORP 5.25% PFD CALL $25 01/15/2027",10,25.1\n'
    )
    h = read_text(tmp_path, text)
    assert h.positions.loc["MSFT", "instrument"] == "security" and h.instruments.empty
    assert h.positions.loc["MSFT", "value"] == 251.0  # not 100 times that


def test_a_protective_put_and_an_unknown_underlying(tmp_path: Path) -> None:
    text = (
        "Symbol,Quantity,Price,Market Value\n"
        "SPY,300,751.21,\n"
        "SPY 12/18/2026 700.00 P,3,11.40,\n"
        "XYZQ  261218P00005000,10,0.35,350\n"
    )
    h = read_text(tmp_path, text)
    put = h.instruments.loc["SPY261218P00700000"]
    assert (put["underlying"], put["right"], put["contracts"]) == ("SPY", "put", 3)
    assert h.positions.loc["SPY261218P00700000", "value"] == 3_420
    assert h.instruments.loc["XYZQ261218P00005000", "underlying"] == "XYZQ"
    (warning,) = h.warnings  # warned, not refused (and not an unknown ticker)
    assert warning.startswith("line 4:") and "'XYZQ' is not in the market snapshot" in warning
    check_values(h)


def test_only_options_may_be_short(tmp_path: Path) -> None:
    h = read_text(
        tmp_path, "Symbol,Quantity,Price\nAAPL,200,317.31\nAAPL270115C00340000,-2,17.85\n"
    )
    assert h.positions.loc["AAPL270115C00340000", "value"] == -3_570
    for line in ("AAPL,-200,317.31", "912828YK0,-1000,99", "SPY,(5),751.21"):
        err = error_of(tmp_path, f"Symbol,Quantity,Price\nMSFT,1,383.01\n{line}\n")
        assert err.line == 3 and "negative" in str(err)
    err = error_of(tmp_path, "Symbol,Quantity,Price\nAAPL270115C00340000,-2,-17.85\n")
    assert err.line == 2 and "negative price" in str(err)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("AAPL270115C00200000,2,6.20,6.20", "!= 2 contracts x 100 x 6.20"),  # price per contract?
        ("AAPL270115C00200000,-2,6.20,1240", "opposite signs"),
        ("AAPL270115C00200000,2,,", "no market value"),
        ("AAPL271315C00200000,2,6.20,", "271315 (YYMMDD) is no date"),
        ("AAPL 02/30/2027 200.00 C,2,6.20,", "02/30/2027 is no date"),
    ],
)
def test_option_lines_that_cannot_be_valued_are_refused(
    tmp_path: Path, line: str, words: str
) -> None:
    err = error_of(tmp_path, f"Symbol,Quantity,Price,Market Value\n{line}\n")
    assert err.line == 2 and words in str(err) and err.hint


def test_a_multiplier_column_and_a_description_multiplier(tmp_path: Path) -> None:
    text = (
        "Symbol,Description,Quantity,Price,Multiplier\n"
        "AAPL270115C00200000,,3,6.20,10\n"
        ",CALL (MSFT) MICROSOFT CORP JAN 15 27 $400 (10 SHS),1,20,\n"
    )
    h = read_text(tmp_path, text)
    assert h.positions.loc[OCC, "value"] == 186.00  # 3 x 10 x 6.20
    assert h.instruments.loc["MSFT270115C00400000", "multiplier"] == 10
    assert h.positions.loc["MSFT270115C00400000", "value"] == 200
    err = error_of(tmp_path, text.replace(",10\n", ",-10\n", 1))
    assert err.line == 2 and "multiplier" in str(err)


def test_one_option_on_two_accounts_is_summed_with_its_signs(tmp_path: Path) -> None:
    text = (
        "Account,Symbol,Quantity,Price,Market Value\n"
        "Joint,AAPL  270115C00200000,-3,6.20,-1860\n"
        "IRA, -AAPL270115C200,1,6.40,640\n"
    )
    h = read_text(tmp_path, text)
    row = h.positions.loc[OCC]
    assert (row["shares"], row["value"], row["lines"]) == (-2, -1220, (2, 3))
    assert row["price"] == pytest.approx(6.10, rel=1e-12)  # value / (contracts x 100)
    assert h.instruments.loc[OCC, "contracts"] == -2
    assert any("appears on 2 lines" in w for w in h.warnings)
    check_values(h)


# --- bonds in files ------------------------------------------------------------------------------

BOND_LINES = [
    ("91282CJJ1", "US TREASURY NOTE 4.50000% 11/15/2033", "treasury", 0.045, "2033-11-15"),
    ("912810QA9", "UNITED STATES TREAS BDS 2.875% 05/15/2049", "treasury", 0.02875, "2049-05-15"),
    ("037833AK6", "APPLE INC 3.35% 02/09/2027", "corporate", 0.0335, "2027-02-09"),
    ("64966QTQ3", "NEW YORK N Y CITY 5% 08/01/2030", "municipal", 0.05, "2030-08-01"),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(("cusip", "description", "kind", "coupon", "maturity"), BOND_LINES)
def test_a_bond_by_cusip_in_every_description(
    tmp_path: Path, suffix: str, cusip: str, description: str, kind: str, coupon: float,
    maturity: str,
) -> None:  # fmt: skip
    rows: list[list[object]] = [
        ["Symbol", "Description", "Quantity", "Price", "Market Value"],
        ["MSFT", "MICROSOFT CORP", 10, 383.01, 3830.10],
        [cusip, description, 50_000, 98.125, None],  # value from face x price / 100
        [cusip, description, 25_000, 98.125, 24_531.25],  # the file's value (another account)
    ]
    h = read(rows_to_file(tmp_path, rows, suffix))
    pos = h.positions
    assert pos.loc[cusip, "instrument"] == Instrument.BOND
    assert pos.loc[cusip, "shares"] == 75_000 and pos.loc[cusip, "price"] == 98.125
    assert pos.loc[cusip, "value"] == 49_062.50 + 24_531.25
    row = h.instruments.loc[cusip]
    assert (row["cusip"], row["description"], row["issuer_kind"]) == (cusip, description, kind)
    assert row["coupon"] == pytest.approx(coupon, abs=1e-15)
    assert row["maturity"] == pd.Timestamp(maturity) and row["face"] == 75_000
    assert pd.isna(row["underlying"]) and math.isnan(row["strike"])
    assert h.basis == "shares"
    check_values(h)


def test_a_bad_check_digit_is_refused_naming_the_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, "Symbol,Quantity,Price\nMSFT,1,383.01\n91282CJJ2,1000,99\n")
    assert (err.line, err.value) == (3, "91282CJJ2") and "check digit" in str(err)
    assert "--map" in (err.hint or "")
    # a known ticker of that shape stays a security; a --map'ped one follows the mapping
    h = read_holdings(write_text(tmp_path, "Symbol,Quantity\n91282CJJ2,3\n"), KNOWN | {"91282CJJ2"})
    assert h.positions.loc["91282CJJ2", "instrument"] == "security"
    h = read_text(
        tmp_path, "Symbol,Quantity,Price\n91282CJJ1,1000,99\n", mapping={"91282CJJ1": "BND"}
    )
    assert list(h.positions.index) == ["BND"] and h.instruments.empty


def write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holdings.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bond_without_terms_is_kept_with_a_warning(tmp_path: Path) -> None:
    h = read_text(
        tmp_path, "Symbol,Description,Quantity,Market Value\n912828YK0,TREAS NOTE,10000,9912.50\n"
    )
    assert h.positions.loc["912828YK0", "value"] == 9_912.50
    row = h.instruments.loc["912828YK0"]
    assert (
        pd.isna(row["maturity"]) and math.isnan(row["coupon"]) and row["issuer_kind"] == "treasury"
    )
    (warning,) = h.warnings
    assert warning.startswith("line 2:") and "maturity and coupon cannot be read" in warning
    assert "unknown terms" in warning
    err = error_of(tmp_path, "Symbol,Description,Quantity\n912828YK0,TREAS NOTE,10000\n")
    assert err.line == 2 and "no market value" in str(err)


def test_terms_from_maturity_and_coupon_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Symbol", "Description", "Coupon Rate", "Maturity Date", "Quantity", "Price"],
        ["64966QTQ3", "NEW YORK CITY GO", 5, dt.datetime(2030, 8, 1), 25_000, 104.25],
    ]
    h = read(rows_to_file(tmp_path, rows, ".xlsx"))
    row = h.instruments.loc["64966QTQ3"]
    assert row["coupon"] == 0.05 and row["maturity"] == pd.Timestamp("2030-08-01")
    assert row["issuer_kind"] == "municipal" and h.positions.loc["64966QTQ3", "value"] == 26_062.50
    assert h.warnings == ()


def test_a_cusip_column_names_a_bond_whose_symbol_is_blank(tmp_path: Path) -> None:
    text = "Symbol,CUSIP,Description,Quantity,Price\nAAPL,037833100,Apple,1,317.31\n,91282CJJ1,US TREASURY NOTE 4.5% 11/15/2033,1000,101\n"
    h = read_text(tmp_path, text)
    assert h.positions["instrument"].to_dict() == {"91282CJJ1": "bond", "AAPL": "security"}


def test_accrued_interest_is_not_part_of_the_value(tmp_path: Path) -> None:
    header = "Symbol,Description,Quantity,Price,Market Value,Accrued Interest\n"
    note = "US TREASURY NOTE 4.50000% 11/15/2033"
    # a separate column, the value clean
    h = read_text(tmp_path, header + f"91282CJJ1,{note},50000,101.40625,50703.13,370.92\n")
    assert h.positions.loc["91282CJJ1", "value"] == 50_703.13
    assert h.instruments.loc["91282CJJ1", "accrued"] == 370.92
    (warning,) = h.warnings
    assert "370.92" in warning and "not part of the bonds' values" in warning
    # the value includes the column's accrued interest: valued clean, and said so
    h = read_text(tmp_path, header + f"91282CJJ1,{note},50000,101.40625,51074.05,370.92\n")
    assert h.positions.loc["91282CJJ1", "value"] == 50_703.13
    assert any(w.startswith("line 2:") and "includes the Accrued Interest" in w for w in h.warnings)
    # no column, the value above clean by less than half a year's coupon: accrued interest
    text = f"Symbol,Description,Quantity,Price,Market Value\n91282CJJ1,{note},50000,101.40625,51074.05\n"
    h = read_text(tmp_path, text)
    assert h.positions.loc["91282CJJ1", "value"] == 50_703.13
    assert h.instruments.loc["91282CJJ1", "accrued"] == pytest.approx(370.92, abs=0.01)
    (warning,) = h.warnings
    assert "read as accrued interest" in warning and "50,703.13" in warning
    # more than that, or below clean: a units error
    for value in ("52000.00", "49000.00", "507.03"):
        err = error_of(tmp_path, text.replace("51074.05", value))
        assert err.line == 2 and "face x 101.41 / 100" in str(err) and "per 100" in (err.hint or "")


def test_a_price_per_unit_is_not_read_as_per_100(tmp_path: Path) -> None:
    # a stock written by its CUSIP is no bond: value = shares x price contradicts per-100 quoting
    err = error_of(
        tmp_path,
        "Symbol,Description,Quantity,Price,Market Value\n037833100,APPLE INC,100,317.31,31731\n",
    )
    assert err.line == 2 and "--map the CUSIP" in (err.hint or "")


# --- files that mix them ---------------------------------------------------------------------

MIXED = """\
"Positions for account Joint ...301 as of 04:00 PM ET, 07/14/2026"
""
"Symbol","Description","Quantity","Price","Market Value","Security Type"
"AAPL","APPLE INC","400","$317.31","$126,924.00","Equity"
"AAPL  270115C00340000","CALL APPLE INC $340 EXP 01/15/27","-2","$17.85","-$3,570.00","Option"
"91282CJJ1","US TREASURY NOTE 4.50000% 11/15/2033","50,000","101.40625","$50,703.13","Fixed Income"
"SPY","SPDR S&P 500 ETF","300","$751.21","$225,363.00","ETFs & Closed End Funds"
"SPY 12/18/2026 700.00 P","PUT SPDR S&P 500 ETF $700 EXP 12/18/26","3","$11.40","$3,420.00","Option"
"64966QTQ3","NEW YORK N Y CITY 5% 08/01/2030","25,000","104.25","$26,062.50","Fixed Income"
"Cash & Cash Investments","--","--","--","$12,000.00","Cash and Money Market"
"Account Total","--","--","--","$440,902.63","--"

"Brokerage services provided by Example Securities LLC."
"""


def test_a_mixed_file_accounts_for_every_line(tmp_path: Path) -> None:
    path = write_text(tmp_path, MIXED)
    h = read(path)
    assert h.positions["instrument"].to_dict() == {
        "64966QTQ3": "bond", "91282CJJ1": "bond", "AAPL": "security",
        "AAPL270115C00340000": "option", "SPY": "security", "SPY261218P00700000": "option",
    }  # fmt: skip
    assert list(h.positions.columns) == list(POSITION_COLUMNS)
    assert list(h.instruments.columns) == list(INSTRUMENT_COLUMNS)
    assert h.cash == 12_000 and h.cash_lines == (10,)
    total = h.positions["value"].sum() + h.cash
    assert total == pytest.approx(440_902.63, abs=1e-6)  # the file's own account total
    assert accounted_lines(h) == nonblank_lines(path, header_line=3)
    assert warned_lines(h) == {1, 10, 11, 13}  # title, cash, total and footer
    check_values(h)


def test_a_mixed_file_reads_the_same_as_xlsx_and_in_any_order(tmp_path: Path) -> None:
    base = read(write_text(tmp_path, MIXED))
    rows = list(csv.reader(io.StringIO(MIXED)))
    body = rows[3:10]
    for seed in range(3):
        random.Random(seed).shuffle(body)
        shuffled = rows[:3] + body + rows[10:]
        for suffix in (".csv", ".xlsx"):
            h = read(rows_to_file(tmp_path, shuffled, suffix))
            figures = ["shares", "price", "value", "instrument"]
            pd.testing.assert_frame_equal(h.positions[figures], base.positions[figures])
            pd.testing.assert_frame_equal(h.instruments, base.instruments)
            assert h.cash == base.cash


def test_unknown_tickers_are_still_refused_beside_bonds_and_options(tmp_path: Path) -> None:
    with pytest.raises(UnknownTickersError) as info:
        read_text(tmp_path, MIXED.replace('"SPY","SPDR', '"SPYX","SPDR'))
    assert [raw for _, raw, _ in info.value.unknown] == ["SPYX"]


# --- Holdings ------------------------------------------------------------------------------------


def test_holdings_built_in_code_are_securities() -> None:
    h = Holdings.of_shares({"AAPL": 3, "MSFT": 2})
    assert (h.positions["instrument"] == "security").all() and h.instruments.empty
    assert list(h.instruments.columns) == list(INSTRUMENT_COLUMNS)
    # a positions table whose instrument column is NaN (as the optimizer builds it): securities
    positions = h.positions.copy()
    positions["instrument"] = np.nan
    rebuilt = Holdings(path="x", positions=positions)
    assert (rebuilt.positions["instrument"] == "security").all()
    assert positions["instrument"].isna().all()  # the caller's table is left as it was


def test_holdings_refuse_instruments_that_do_not_match_the_positions(tmp_path: Path) -> None:
    h = read(write_text(tmp_path, MIXED))
    with pytest.raises(ValueError, match="one row per bond or option"):
        Holdings(path="x", positions=h.positions, instruments=h.instruments.iloc[1:])
    with pytest.raises(ValueError, match="one row per bond or option"):
        Holdings(path="x", positions=h.positions)
    positions = h.positions.copy()
    positions.loc["AAPL", "instrument"] = "future"
    with pytest.raises(ValueError, match="unknown instrument"):
        Holdings(path="x", positions=positions, instruments=h.instruments)


# --- the example household ---------------------------------------------------------------------

HOUSEHOLD = PORTFOLIOS / "household_mix.csv"
HOUSEHOLD_KNOWN = KNOWN | {"VXUS"}  # today's snapshot may lack VXUS: the test does not need it


def test_the_household_example_reads_every_line() -> None:
    h = read_holdings(HOUSEHOLD, HOUSEHOLD_KNOWN, mapping={"FXAIX": "VOO"})
    pos = h.positions
    kinds = pos["instrument"]
    assert set(pos.index[kinds == "security"]) == {
        "AAPL", "NVDA", "MSFT", "SPY", "VXUS", "VWO", "BND", "GLD", "VOO"
    }  # fmt: skip
    bonds = h.instruments[h.instruments["cusip"].notna()]
    assert list(bonds["issuer_kind"]) == ["municipal", "treasury"]
    assert bonds.loc["91282CJJ1", "face"] == 50_000 and valid_cusip("91282CJJ1")
    options = h.instruments[h.instruments["underlying"].notna()]
    assert options[["underlying", "right", "contracts"]].to_dict("index") == {
        "AAPL270115C00340000": {"underlying": "AAPL", "right": "call", "contracts": -2.0},
        "SPY261218P00700000": {"underlying": "SPY", "right": "put", "contracts": 3.0},
    }
    assert pos.loc["AAPL270115C00340000", "value"] < 0  # a covered call: 400 AAPL held
    assert pos.loc["AAPL", "shares"] >= 200
    assert pos.loc["VOO", "value"] > 0  # FXAIX keeps its own price and value
    assert h.cash > 0 and len(h.cash_lines) >= 2
    first = HOUSEHOLD.read_text(encoding="utf-8").splitlines()[0]
    assert "fictitious" in first.lower()
    assert any(w.startswith("line 1:") and "before the header" in w for w in h.warnings)
    assert accounted_lines(h) == nonblank_lines(HOUSEHOLD, header_line=header_line(HOUSEHOLD))
    check_values(h)


def header_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith('"Account","Symbol"'))


def test_the_household_example_against_the_snapshot(market: Market) -> None:
    """Through the public reader (snapshot prices and names): every line known (the mutual fund
    FXAIX through its ETF twin, VXUS), prices near the snapshot's."""
    h = advisor.read_holdings(HOUSEHOLD, market)
    assert {"FXAIX", "VXUS"} <= set(h.positions.index)
    assert not any("snapshot's price" in w or "underlying" in w for w in h.warnings)
    for ticker in ("AAPL", "NVDA", "MSFT", "SPY", "VWO", "BND", "GLD"):
        file_price = h.positions.loc[ticker, "price"]
        assert file_price == pytest.approx(market.securities.at[ticker, "price"], rel=0.02)
