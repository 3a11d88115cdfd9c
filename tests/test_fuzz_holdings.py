"""The fuzz campaign as a test: mutated example exports never crash, hang or lie.

Every mutant of the example files (``portfolios/*.csv``, ``tests/data/holdings/*.csv`` and the
exports with bonds and options in :data:`INSTRUMENT_SOURCES`) is read with
:func:`read_holdings` and analysed with :func:`analyze` (holdings with bonds or options, which
the analysis does not value yet, are checked as read: :func:`check_read`). The result must be either an
:class:`~advisor.errors.AdvisorError` whose message names the file, or a sane analysis: a finite
positive account value when money is known, position weights that are fractions, a megacap
weight in [0, 1] and a tracking error that is a number. Any other exception, or a case taking
over 10 s, fails. The default run tries a small seeded sample; ``-m slow`` the whole campaign.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS, ROOT
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from advisor.analytics.analysis import Analysis, analyze
from advisor.cli import main
from advisor.domain import Holdings
from advisor.errors import AdvisorError
from advisor.holdings.read import read_holdings
from advisor.market.snapshot import Market

SOURCES = sorted(PORTFOLIOS.glob("*.csv")) + sorted((ROOT / "tests/data/holdings").glob("*.csv"))
SECONDS = 10  # a case over this has hung

#: Cells a fuzzer likes: huge, tiny, negative, non-finite, percent, money, unicode, tickers.
CELLS = [
    "1e308", "-1e308", "9e307", "1e400", "1e15", "1e13", "2e12", "1e-300", "5e-324", "0", "0.0",
    "-0", "-5", "(100)", "($1,000.00)", "-$5.5", "inf", "-inf", "nan", "NaN", "Infinity", "%",
    "12%", "100%", "1e3%", "250%", "$1,234.56", "1,2,3", "1.2.3", "$", "()", "--", "n/a", "",
    " ", "\u00a0", "\u2212 5", "\uff11\uff12\uff13", "\u0663", "\u20ac100", "1\u00a0234",
    "\U0001f4b8", "\u202e123", "AAPL", "-MSFT", "+AAPL", "MSFT-", "ALL", "Total",
    "Portfolio Total", "Grand Total", "CASH", "Cash & Cash Investments", "SPAXX**", "FXAIX",
    "BRK.B", "brk b", "BRKB", "FB", "XQZW", "Pending Activity", "VOO", "ZZZZZZZZZZZZZZ",
    # bonds and options
    "91282CJJ1", "91282CJJ2", "912828YK0", "000000000", "98.125", "101-16", "50,000",
    "AAPL  270115C00200000", " -AAPL270115C200", "AAPL 01/15/2027 200.00 C",
    "AAPL271315C00200000", "XYZQ  261218P00005000", "-AAPL270115C0", "AAPL270115C99999999",
    "CALL APPLE INC $200 EXP 01/15/27", "PUT SPDR S&P 500 ETF $700 EXP 12/18/26",
    "US TREASURY NOTE 4.25000% 11/15/2034", "NEW YORK N Y CITY 5% 02/30/2030", "(100 SHS)",
]  # fmt: skip

#: Exports with bonds and options beside stocks (the example household is one of SOURCES too).
INSTRUMENT_SOURCES = {
    "fidelity_bonds_options.csv": (
        "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value,"
        "Accrued Interest,Cost Basis Total,Type\n"
        "Z1,Individual,SPAXX**,HELD IN MONEY MARKET,,,$5000.00,,,Cash\n"
        "Z1,Individual,AAPL,APPLE INC,300,$317.31,$95193.00,,$60000.00,Cash\n"
        "Z1,Individual, -AAPL270115C340,AAPL JAN 15 2027 $340 CALL,-3,$17.85,-$5355.00,,"
        "-$6000.00,Margin\n"
        "Z1,Individual,912810QA9,UNITED STATES TREAS BDS 2.875% 05/15/2049,20000,74.5,"
        "$14900.00,$95.30,$18000.00,Cash\n"
        "Z1,Individual,037833AK6,APPLE INC 3.35% 02/09/2027,10000,99.75,$9975.00,$145.20,"
        "$10100.00,Cash\n"
        "Z1,Individual,SPY,SPDR S&P 500 ETF,40,$751.21,$30048.40,,$25000.00,Cash\n"
        "Z1,Individual, -SPY261218P700,SPY DEC 18 2026 $700 PUT,1,$11.40,$1140.00,,$1200.00,Cash\n"
    ),
    "occ_weights.csv": (
        "Symbol,Description,Quantity,Price,Market Value,Weight\n"
        "MSFT,Microsoft,50,383.01,19150.50,60%\n"
        "MSFT  270115P00350000,PUT,1,25.5,2550,8%\n"
        "64966QTQ3,NEW YORK N Y CITY 5% 08/01/2030,10000,104.25,10425,32%\n"
    ),
}


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    """Fail the case (not hang the run) when it takes longer than ``seconds``."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- mutations -----------------------------------------------------------------------------------


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def odd_cell(rng: random.Random) -> str:
    """A cell from :data:`CELLS`, a very long one, or random characters."""
    roll = rng.random()
    if roll < 0.7:
        return rng.choice(CELLS)
    if roll < 0.85:
        return rng.choice("9(,.1a-$e ") * rng.choice([65, 1000, 20_000, 100_000])
    return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 12)))


def mutate_cells(rows: list[list[str]], rng: random.Random) -> list[list[str]]:
    """Delete, duplicate, swap or replace cells (and whole lines); change numbers and columns."""
    rows = [list(r) for r in rows]
    for _ in range(rng.randrange(1, 4)):
        if not rows:
            break
        r = rng.randrange(len(rows))
        row = rows[r]
        op = rng.randrange(11)
        if op == 0 and row:
            del row[rng.randrange(len(row))]
        elif op == 1 and row:
            row.insert(rng.randrange(len(row)), rng.choice(row))
        elif op == 2 and len(row) > 1:
            i, j = rng.sample(range(len(row)), 2)
            row[i], row[j] = row[j], row[i]
        elif op in (3, 4, 5) and row:
            row[rng.randrange(len(row))] = odd_cell(rng)
        elif op == 6:
            rows.insert(rng.randrange(len(rows) + 1), list(rng.choice(rows)))
        elif op in (7, 8):
            change_number(rows, rng)
        elif op == 9 and row:
            column, cell = rng.randrange(len(row)), rng.choice(["0", "", "-1", "1e308", "0%"])
            for other in rows[r + 1 :]:
                other[column : column + 1] = [cell] if column < len(other) else []
        else:
            del rows[r]
    if rng.random() < 0.1 and len(rows) > 2:
        i, j = rng.sample(range(len(rows)), 2)
        rows[i], rows[j] = rows[j], rows[i]
    return rows


def change_number(rows: list[list[str]], rng: random.Random) -> None:
    """Scale, negate or zero one numeric cell (cash lines too): the figures a reader trusts."""
    cells = [(r, c) for r, row in enumerate(rows) for c, text in enumerate(row) if number(text)]
    if not cells:
        return
    r, c = rng.choice(cells)
    x = number(rows[r][c]) or 0.0
    factor = rng.choice([-1.0, -1.0, 1e3, 1e-3, 1e300, 0.0, -30.0, 1.0 + rng.random()])
    rows[r][c] = repr(x * factor)


def number(text: str) -> float | None:
    """A cell's number ($, commas and % ignored), or None."""
    try:
        return float(text.strip().replace("$", "").replace(",", "").rstrip("%"))
    except ValueError:
        return None


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Cut, flip, insert garbage or NULs, add a BOM, re-encode."""
    op = rng.randrange(7)
    if op == 0:
        return data[: rng.randrange(len(data) + 1)]
    if op == 1:
        out = bytearray(data)
        for _ in range(rng.randrange(1, 10)):
            if out:
                out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if op == 2:
        at = rng.randrange(len(data) + 1)
        return (
            data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + data[at:]
        )
    if op == 3:
        return rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF8 * 2]) + data
    if op == 4:
        text = data.decode("utf-8", "replace")
        encoding = rng.choice(["utf-16", "cp1252", "latin-1", "utf-8-sig"])
        return text.encode(encoding, "replace")
    if op == 5:
        return rng.choice([b"", b" \n", b"\x00" * 10, b"\n" * 50, data[:1]])
    return data.replace(b"\n", b"\r", rng.randrange(1, 4))


def mutant(source: Path, rng: random.Random) -> tuple[bytes | list[list[str]], str]:
    """One mutant: CSV bytes, or rows to write as XLSX (about 1 in 8), and its suffix."""
    text = source.read_bytes().decode("utf-8-sig")
    rows = mutate_cells(rows_of(text), rng) if rng.random() < 0.85 else rows_of(text)
    if rng.random() < 0.125:
        return rows, ".xlsx"
    delimiter = rng.choice([",", ",", ",", ";", "\t", "|"])
    data = csv_text(rows, delimiter).encode("utf-8")
    if rng.random() < 0.3:
        data = mutate_bytes(data, rng)
    return data, ".csv"


def write_mutant(content: bytes | list[list[str]], path: Path) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
        return
    book = openpyxl.Workbook()
    sheet = book.active
    for row in content:
        sheet.append([xlsx_cell(c) for c in row])
    book.save(path)


def xlsx_cell(text: str) -> object:
    """Numbers as numbers (as a spreadsheet holds them), the rest as text (what XLSX allows)."""
    try:
        number = float(text)
    except ValueError:
        return ILLEGAL_CHARACTERS_RE.sub("", text)[:32_000]  # Excel's cell limit
    return number if math.isfinite(number) else text


# --- the check -----------------------------------------------------------------------------------


def check_sane(a: Analysis) -> None:
    """A result that does not lie: money finite and positive, weights fractions, TE a number."""
    if a.total_value is not None:
        assert math.isfinite(a.total_value) and a.total_value > 0, a.total_value
    weights = a.positions["weight"].to_numpy(dtype=float)
    assert np.isfinite(weights).all() and ((weights >= -1e-9) & (weights <= 1 + 1e-9)).all()
    assert math.isfinite(a.cash_weight) and -1e-9 <= a.cash_weight <= 1 + 1e-9
    assert 0 <= a.concentration.megacap_weight <= 1 + 1e-9
    assert not math.isnan(a.risk.tracking_error)
    held = a.positions[a.positions["shares"] > 0]
    if a.total_value is not None and len(held):
        assert np.allclose(held["value"], held["shares"] * held["price"], rtol=1e-9, atol=0)


def check_read(h: Holdings) -> None:
    """Holdings with bonds or options (which ``analyze`` does not value yet) that do not lie:
    one instruments row each, finite figures, only options short, each line's value its quantity
    x price in the line's units (per 100 of face, x the multiplier)."""
    pos, kinds = h.positions, h.positions["instrument"]
    assert pos.index.is_unique and set(kinds) <= {"security", "bond", "option"}
    assert set(h.instruments.index) == set(pos.index[kinds != "security"])
    figures = pos[["shares", "price", "value", "weight", "cost_basis"]].to_numpy(dtype=float)
    assert not np.isinf(figures).any()
    long_only = pos.loc[kinds != "option", ["shares", "value", "weight", "price"]]
    assert (long_only.fillna(0) >= 0).all().all() and (pos["price"].fillna(0) >= 0).all()
    options = pos[kinds == "option"]
    assert (options["shares"] * options["value"]).fillna(0).ge(0).all()  # signs agree
    scale = pd.Series(1.0, index=pos.index)
    scale[kinds == "bond"] = 0.01
    scale[kinds == "option"] = h.instruments["multiplier"].reindex(options.index).to_numpy()
    one = pos[pos["lines"].map(len) == 1].dropna(subset=["shares", "price", "value"])
    expected = one["shares"] * one["price"] * scale[one.index]
    assert np.allclose(one["value"], expected, rtol=0.011, atol=1.01), (one, expected)


def run_case(path: Path, market: Market, rng: random.Random) -> str:
    """Read and analyse one mutant: 'refused', 'analysed', or 'read' (bonds or options, which
    the analysis does not value yet: the holdings are checked instead); anything else fails."""
    options: dict[str, object] = {"unknown": rng.choice(["error", "cash", "skip", "skip"])}
    if rng.random() < 0.3:
        options["prices"] = PRICES.setdefault("prices", market.securities["price"].to_dict())
    if rng.random() < 0.1:
        options["mapping"] = {"FXAIX": "VOO", "XQZW": "CASH", "SPY": "VOO"}
    with deadline(SECONDS, f"{path.name} ({options})"):
        try:
            holdings = read_holdings(path, market.known, **options)  # type: ignore[arg-type]
            if (holdings.positions["instrument"] != "security").any():
                check_read(holdings)
                return "read"
            analysis = analyze(holdings, market)
        except AdvisorError as exc:
            assert str(exc).strip() and str(path) in str(exc), str(exc)
            return "refused"
    check_sane(analysis)
    return "analysed"


PRICES: dict[str, dict[str, float]] = {}


def campaign(market: Market, tmp_path: Path, seed: int, count: int) -> dict[str, int]:
    """Run ``count`` mutants from ``seed``; the outcomes, counted."""
    rng = random.Random(seed)
    outcomes = {"refused": 0, "analysed": 0, "read": 0}
    sources = list(SOURCES)
    for name, text in INSTRUMENT_SOURCES.items():
        sources.append(tmp_path / name)
        sources[-1].write_text(text, encoding="utf-8")
    for i in range(count):
        source = rng.choice(sources)
        content, suffix = mutant(source, rng)
        path = tmp_path / f"mutant_{seed}_{i}_{source.stem}{suffix}"
        write_mutant(content, path)
        outcomes[run_case(path, market, rng)] += 1
    return outcomes


def test_a_seeded_sample_of_mutants(market: Market, tmp_path: Path) -> None:
    outcomes = campaign(market, tmp_path, seed=20260714, count=100)
    assert min(outcomes.values()) > 0  # the sample exercises all three


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_the_fuzz_campaign(market: Market, tmp_path: Path, seed: int) -> None:
    outcomes = campaign(market, tmp_path, seed=seed, count=300)
    assert sum(outcomes.values()) == 300


# --- the command line on a few mutants -----------------------------------------------------------

CLI_CASES: list[tuple[str, Callable[[str], str]]] = [
    ("weights zero", lambda t: "Ticker,Target Weight\nSPY,0\n"),
    ("debit", lambda t: "Ticker,Shares,Market Value\nAAPL,100,31731\nCASH,,-31000\n"),
    ("huge shares", lambda t: t.replace("420", "1e308", 1)),
    ("long cell", lambda t: t.replace("61000.00", "1" * 20_000, 1)),
    ("signed ticker", lambda t: t.replace("NVDA", "-NVDA", 1)),
    ("total with ticker", lambda t: t + "Brokerage,ALL,,Portfolio Total\n"),
]


@pytest.mark.parametrize(("name", "change"), CLI_CASES, ids=[n for n, _ in CLI_CASES])
def test_the_cli_on_mutants(tmp_path: Path, name: str, change: Callable[[str], str]) -> None:
    path = tmp_path / "mutant.csv"
    path.write_text(change((PORTFOLIOS / "growth_client.csv").read_text()))
    with deadline(SECONDS * 3, name):
        result = CliRunner().invoke(main, ["analyze", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 1:
        assert str(path) in result.output and "Error:" in result.output
        assert "Traceback" not in result.output
