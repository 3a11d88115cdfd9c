"""Bonds and options in holdings files: read, valued and kept as what they are (issue 9)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from advisor.domain import Holdings, Instrument
from advisor.errors import InputError
from advisor.holdings.dates import find_dates, parse_date
from advisor.holdings.instruments import (
    option_from_description,
    option_from_symbol,
    parse_bond,
    valid_cusip,
)
from advisor.holdings.read import read_holdings

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
    "description", ["Apple Inc", "CALLAWAY GOLF CO", "PUTNAM FUND $10", "CALL AND PUT $5 1/2/27"]
)
def test_no_option_descriptions(description: str) -> None:
    assert option_from_description(description) is None
