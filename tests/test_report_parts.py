"""The PDF in parts: the pages on the portfolio today laid out while the proposal is computed,
the proposal's part while the rest is computed, numbered as one document. The pages must be those
of the whole document laid out at once, whatever the guesses of the later parts' lengths, in the
helper process or, when it breaks, in the command's own."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import PORTFOLIOS

from advisor.report import html, pdf

pytestmark = pytest.mark.skipif(
    not pdf.available() or shutil.which("pdftotext") is None,
    reason="needs WeasyPrint with Pango (pip install 'advisor[pdf]') and poppler's pdftotext "
    "(apt-get install poppler-utils)",
)


@pytest.fixture(scope="module")
def analysed(market: Any) -> tuple[html.Report, html.Report]:
    """(the document of the growth client, its part "today" made before the proposal)."""
    import advisor

    holdings = advisor.read_holdings(PORTFOLIOS / "growth_client.csv", market)
    seen: list[Any] = []
    proposal = advisor.propose(holdings, market, on_analysis=seen.append)
    whatif = advisor.what_if(holdings, market, html.report_scenarios(), proposal=proposal)
    curve = advisor.frontier(holdings, market, points=3, setup=proposal.setup)
    document = html.report(proposal, html.Cover("Growth client", "A. Adviser"))
    early = html.today(seen[0], document.cover)
    return document.add(whatif.to_dict(), curve.to_dict()), early


@pytest.fixture(scope="module")
def report(analysed: tuple[html.Report, html.Report]) -> html.Report:
    return analysed[0]


@pytest.fixture(scope="module")
def early(analysed: tuple[html.Report, html.Report]) -> html.Report:
    return analysed[1]


def pages(path: Path) -> list[str]:
    """Each page's text, as poppler reads it."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return out.split("\f")[:-1]


@pytest.fixture(scope="module")
def whole(report: html.Report, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = tmp_path_factory.mktemp("whole") / "whole.pdf"
    pdf.write_pdf(report.html(for_pdf=True), path)
    return pages(path)


def numbers(texts: list[str]) -> list[str]:
    return [m for t in texts for m in re.findall(r"Page \d+ of \d+", t)]


def test_the_whole_document_is_numbered(whole: list[str]) -> None:
    n = len(whole)
    assert n > 5
    assert numbers(whole) == [f"Page {i} of {n}" for i in range(1, n + 1)]
    assert "Growth client" not in whole[0].splitlines()[-1]  # no client line under the cover
    assert all("Growth client" in t for t in whole[1:])  # the client's name in every footer


@pytest.mark.parametrize("guess", [html.rest_pages(False), 1])
def test_parts_give_the_pages_of_the_whole_document(
    report: html.Report, whole: list[str], guess: int, tmp_path: Path
) -> None:
    """The right guess of the rest's pages, and wrong ones (the first part is then laid out
    again): the same pages, page for page, as the document laid out whole."""
    layout = pdf.Layout()
    layout.first(report.html("proposal", for_pdf=True), guess)
    layout.finish(report.html("outcomes", for_pdf=True), tmp_path / "parts.pdf")
    assert pages(tmp_path / "parts.pdf") == whole


def _decided(whole_report: html.Report) -> int:
    """The pages of "the proposal" and "before and after" in the whole document."""
    document = pdf.Layout()._render(whole_report.html(for_pdf=True))
    return pdf._page_of(document, "frontier") - pdf._page_of(document, "proposal")


@pytest.mark.parametrize(
    "guesses",
    [
        [(1, "right")],  # the likeliest guess right
        [(1, "wrong"), (1, "right")],  # the second guess right
        [(1, "wrong")],  # none: "today" laid out again
        [(2, "right")],  # the cover's page guessed wrong: "today" laid out again
    ],
)
def test_three_parts_give_the_pages_of_the_whole_document(
    report: html.Report, early: html.Report, whole: list[str], guesses: list[tuple[int, str]],
    tmp_path: Path,
) -> None:  # fmt: skip
    """ "today" laid out before the proposal (from the analysis alone), the proposal's part
    beside it, then the rest: the same pages as the document laid out whole, whether the
    guesses of "today"'s numbering were right or not."""
    after = len(whole) - 1 - 3  # the pages after "today" (3 pages, after the cover's 1)
    layout = pdf.Layout()
    for before, which in guesses:
        assert layout.today(early.html("today", for_pdf=True), after + (which == "wrong"),
                            before) == 3  # fmt: skip
    layout.first(report.html("proposal", for_pdf=True, today_apart=True), html.rest_pages(False))
    layout.finish(report.html("outcomes", for_pdf=True), tmp_path / "parts.pdf")
    assert pages(tmp_path / "parts.pdf") == whole
    relaid = all(w == "wrong" for _, w in guesses) or guesses[0][0] != 1
    assert len(layout._today) == len(guesses) + relaid


def test_the_guesses_are_the_example(report: html.Report, whole: list[str]) -> None:
    """The likeliest guess of the pages after "today" is right for the example."""
    assert _decided(report) == html.decided_pages()


def test_today_is_the_same_before_the_proposal(report: html.Report, early: html.Report) -> None:
    """The part "today" made from the analysis alone is the whole document's, byte for byte;
    the proposal's part without it has the mark where it goes, once."""
    section = re.compile(r'<section id="today">.*?</section>', re.S)
    alone = early.html("today", for_pdf=True)
    assert section.findall(alone) == section.findall(report.html(for_pdf=True))
    apart = report.html("proposal", for_pdf=True, today_apart=True)
    assert apart.count(html.TODAY_MARK) == 1 and not section.findall(apart)
    with pytest.raises(ValueError, match="before the proposal"):
        early.html("proposal")


def test_the_guess_is_the_rest_of_the_example(report: html.Report, whole: list[str]) -> None:
    """The guess is right for the example (a wrong one costs a second layout, not a page)."""
    first = pdf.Layout()._render(report.html("proposal", for_pdf=True))
    assert len(whole) - len(first.pages) == html.rest_pages(False)


def test_the_parts_are_the_whole_document(report: html.Report, early: html.Report) -> None:
    """The parts hold every section of the whole document, once, in its order: the first part
    with "today" or beside it."""
    ids = re.compile(r'<section[^>]* id="(\w+)"')
    whole = ids.findall(report.html())
    first = ids.findall(report.html("proposal"))
    rest = ids.findall(report.html("outcomes"))
    assert first + rest == whole and first[-1] == "risk" and rest[0] == "frontier"
    apart = ids.findall(report.html("proposal", today_apart=True))
    assert apart[:2] + ids.findall(early.html("today")) + apart[2:] == first


def test_the_helper_lays_out_the_parts(
    report: html.Report, whole: list[str], tmp_path: Path
) -> None:
    with pdf.PdfWorker() as worker:
        proc = worker._proc
        worker.first(report, html.rest_pages(False))
        worker.finish(tmp_path / "helper.pdf")
        path = worker.wait()
    assert proc is not None and proc.poll() is not None  # answered and gone
    assert pages(path) == whole


def test_the_helper_lays_out_today_first(
    report: html.Report, early: html.Report, whole: list[str], tmp_path: Path
) -> None:
    """The part "today" sent before the proposal (with a wrong guess of the pages after it:
    laid out again), then the parts."""
    with pdf.PdfWorker() as worker:
        worker.today(early, len(whole) - 3)
        worker.first(report, html.rest_pages(False))
        worker.finish(tmp_path / "helper.pdf")
        path = worker.wait()
    assert pages(path) == whole


def test_a_helper_that_dies_after_today_is_replaced(
    report: html.Report, early: html.Report, whole: list[str], tmp_path: Path
) -> None:
    with pdf.PdfWorker() as worker:
        worker.today(early, len(whole) - 4)
        assert worker._proc is not None
        worker._proc.kill()
        worker._proc.wait()
        worker.first(report, html.rest_pages(False))
        worker.finish(tmp_path / "here.pdf")
        path = worker.wait()
    assert pages(path) == whole


def test_a_helper_that_dies_after_the_first_part_is_replaced(
    report: html.Report, whole: list[str], tmp_path: Path
) -> None:
    """The command lays the whole document out itself: the same pages."""
    with pdf.PdfWorker() as worker:
        worker.first(report, html.rest_pages(False))
        assert worker._proc is not None
        worker._proc.kill()
        worker._proc.wait()
        worker.finish(tmp_path / "here.pdf")
        path = worker.wait()
    assert pages(path) == whole


def test_the_helper_gets_json_only(report: html.Report) -> None:
    """What goes to the helper is the results' JSON and the cover (no HTML): the helper makes
    the pages from the same figures the commands print."""
    import json

    data = json.loads(json.dumps(report.data()))
    again = html.Report.from_data(data).add(**json.loads(json.dumps(report.outcomes)))
    assert again.html() == report.html()


def test_the_helper_gets_json_only_for_today(early: html.Report) -> None:
    """ "today" goes to the helper as the analysis's JSON (the proposal's ``before``)."""
    import json

    data = json.loads(json.dumps(early.data()))
    assert set(data) == {"before", "cover"}
    assert html.Report.from_data(data).html("today") == early.html("today")


def test_blank_pages_around_the_body() -> None:
    doc = '<html><head></head><body class="x"><p>a</p></body></html>'
    out = pdf._with_blank_pages(doc, before=2, after=1)
    assert out.startswith('<html><head></head><body class="x"><div')
    assert out.count("break-after: page") == 2 and out.count("break-before: page") == 1
    assert out.index("<p>a</p>") < out.index("break-before") and out.endswith("</body></html>")


@pytest.mark.parametrize(
    "args",
    [
        ["growth_client.csv"],
        ["household.yaml", "--hedges", "--paper", "letter"],
        ["diversified_client.csv"],  # no trades: "today"'s guesses are wrong, laid out again
    ],
)
def test_the_commands_pdf_is_its_html_laid_out_whole(args: list[str], tmp_path: Path) -> None:
    """``advisor report --output --pdf``: the PDF, made in parts in the helper while the
    proposal and the rest are computed, has the pages of its own HTML laid out at once."""
    from click.testing import CliRunner

    from advisor.cli import main

    out, doc = tmp_path / "r.html", tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(PORTFOLIOS / args[0]), *args[1:],
                                       "--points", "3", "--output", str(out), "--pdf", str(doc)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    pdf.write_pdf(out.read_text(encoding="utf-8"), tmp_path / "whole.pdf")
    assert pages(doc) == pages(tmp_path / "whole.pdf")
    assert numbers(pages(doc))[-1] == f"Page {len(pages(doc))} of {len(pages(doc))}"
