"""The PDF in two parts: the proposal's part laid out while the rest is computed, numbered as one
document. The pages must be those of the whole document laid out at once, whatever the guess of
the rest's length, in the helper process or, when it breaks, in the command's own."""

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
def report(market: Any) -> html.Report:
    import advisor

    holdings = advisor.read_holdings(PORTFOLIOS / "growth_client.csv", market)
    proposal = advisor.propose(holdings, market)
    whatif = advisor.what_if(holdings, market, html.report_scenarios(), proposal=proposal)
    curve = advisor.frontier(holdings, market, points=3, setup=proposal.setup)
    document = html.report(proposal, html.Cover("Growth client", "A. Adviser"))
    return document.add(whatif.to_dict(), curve.to_dict())


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


def test_the_guess_is_the_rest_of_the_example(report: html.Report, whole: list[str]) -> None:
    """The guess is right for the example (a wrong one costs a second layout, not a page)."""
    first = pdf.Layout()._render(report.html("proposal", for_pdf=True))
    assert len(whole) - len(first.pages) == html.rest_pages(False)


def test_the_parts_are_the_whole_document(report: html.Report) -> None:
    """The two parts hold every section of the whole document, once, in its order."""
    whole = re.findall(r'<section[^>]* id="(\w+)"', report.html())
    first = re.findall(r'<section[^>]* id="(\w+)"', report.html("proposal"))
    rest = re.findall(r'<section[^>]* id="(\w+)"', report.html("outcomes"))
    assert first + rest == whole and first[-1] == "risk" and rest[0] == "frontier"


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


def test_blank_pages_around_the_body() -> None:
    doc = '<html><head></head><body class="x"><p>a</p></body></html>'
    out = pdf._with_blank_pages(doc, before=2, after=1)
    assert out.startswith('<html><head></head><body class="x"><div')
    assert out.count("break-after: page") == 2 and out.count("break-before: page") == 1
    assert out.index("<p>a</p>") < out.index("break-before") and out.endswith("</body></html>")
