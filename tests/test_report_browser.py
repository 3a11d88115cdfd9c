"""``advisor report`` as a reader sees it: in a real browser, on paper and as a PDF.

Headless Chromium (Debian's ``chromium``, driven by Playwright with ``executable_path``, since
Playwright's own browser download is not reachable) shows the document at a desktop width
(1280 px), at a phone's (390 px), and laid out for print at the A4 and Letter content widths:
nothing may stick out of the page, no box may hold more than it shows, every section is present
and visible, the embedded typeface is the one used, and nothing is fetched. Chromium also prints
the document to PDF. WeasyPrint's PDF is read back with poppler (``pdfinfo``, ``pdftotext``,
``pdffonts``, ``pdftoppm``): page size, page numbers in order, every font embedded, no blank page
and no ink in the side margins.

The tests skip, saying what is missing, without Chromium, Playwright, poppler or WeasyPrint;
``.ci/system-packages.sh`` installs them (the README's test command runs it). Full-page
screenshots are kept under pytest's temporary folder, or in ``$ADVISOR_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PORTFOLIOS

from advisor.cli import main
from advisor.report import pdf

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]  # fmt: skip
SECTIONS = ("cover", "summary", "today", "proposal", "risk", "frontier", "scenarios", "hedging",
            "methodology", "glossary", "disclosures")  # fmt: skip
#: Content width of each paper in CSS px (96 per inch): the page less 16 mm on either side.
MM = 96 / 25.4
CONTENT_WIDTH = {"a4": int((210 - 32) * MM), "letter": int((215.9 - 32) * MM)}
#: Page size in PDF points.
PAGE_POINTS = {"a4": (595, 842), "letter": (612, 792)}
SCREENS = {"desktop": 1280, "phone": 390}


def _playwright_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def _poppler_missing() -> str | None:
    missing = [t for t in ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm") if not shutil.which(t)]
    return (
        f"poppler-utils missing ({', '.join(missing)}: apt-get install poppler-utils)"
        if missing
        else None
    )


needs_chromium = pytest.mark.skipif(bool(_playwright_missing()), reason=str(_playwright_missing()))
needs_poppler = pytest.mark.skipif(bool(_poppler_missing()), reason=str(_poppler_missing()))
needs_weasyprint = pytest.mark.skipif(not pdf.available(), reason="WeasyPrint or the Pango "
                                      "library is not installed (pip install 'advisor[pdf]')")  # fmt: skip


def write_report(folder: Path, name: str, *args: str, pdf_too: bool = False) -> dict[str, Path]:
    """``advisor report`` as a user runs it; the HTML (and the PDF) it writes."""
    out = {"html": folder / f"{name}.html"}
    argv = ["report", *args, "--output", str(out["html"])]
    if pdf_too:
        out["pdf"] = folder / f"{name}.pdf"
        argv += ["--pdf", str(out["pdf"])]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go (kept, to be looked at)."""
    chosen = os.environ.get("ADVISOR_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def household(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example household's document with every section (hedging too), on A4, and its PDF
    when WeasyPrint is there."""
    folder = tmp_path_factory.mktemp("household")
    return write_report(folder, "household-a4", str(PORTFOLIOS / "household.yaml"), "--hedges",
                        "--advisor", "A. Adviser", pdf_too=pdf.available())  # fmt: skip


@pytest.fixture(scope="module")
def household_letter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("household-letter")
    return write_report(folder, "household-letter", str(PORTFOLIOS / "household.yaml"),
                        "--hedges", "--paper", "letter", pdf_too=pdf.available())  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _playwright_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield b
        b.close()


# -- in the browser ----------------------------------------------------------------------------

#: Every element that sticks out of the page, or whose content is wider than its box.
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth, bad = [];
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className : '') +
    ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > W + 1)
    bad.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${W}`);
  for (const e of document.body.querySelectorAll('*')) {
    if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
    const st = getComputedStyle(e);
    if (st.display === 'none') continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -1 || r.right > W + 1)
      bad.push(`${name(e)} spans ${Math.round(r.left)}..${Math.round(r.right)} px of ${W}`);
    if (st.display !== 'inline' && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
      bad.push(`${name(e)} holds ${e.scrollWidth} px in a ${e.clientWidth} px box`);
  }
  return bad;
}"""

#: Each section: present, displayed, with a height and its heading visible.
SECTIONS_JS = """() => Array.from(document.querySelectorAll('section')).map(s => {
  const st = getComputedStyle(s), r = s.getBoundingClientRect();
  const h = s.querySelector('h1, h2'), hr = h ? h.getBoundingClientRect() : null;
  return {id: s.id, shown: st.display !== 'none' && st.visibility === 'visible' && r.height > 20,
          heading: !!hr && hr.height > 0 && getComputedStyle(h).visibility === 'visible'};
})"""

FONTS_JS = """async () => { await document.fonts.ready;
  return Array.from(document.fonts).filter(f => f.status === 'loaded')
    .map(f => f.family.replace(/"/g, '') + ' ' + f.weight); }"""


def open_page(browser: Any, html: Path, width: int, media: str) -> tuple[Any, Any, list[str]]:
    """``html`` in a new page ``width`` px wide; every request other than the file itself and
    ``data:`` URLs is recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    fetched: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", html.as_uri())):
            route.continue_()
        else:
            fetched.append(url)
            route.abort()

    page.route("**/*", guard)
    page.emulate_media(media=media)
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return context, page, fetched


def check_page(browser: Any, html: Path, width: int, media: str, shot: Path,
               sections: tuple[str, ...]) -> None:  # fmt: skip
    context, page, fetched = open_page(browser, html, width, media)
    try:
        bad = page.evaluate(OVERFLOW_JS)
        assert not bad, f"{html.name} at {width} px ({media}): " + "; ".join(bad[:12])
        shown = page.evaluate(SECTIONS_JS)
        assert [s["id"] for s in shown] == list(sections)
        assert all(s["shown"] and s["heading"] for s in shown), shown
        assert {"Advisor Sans 400", "Advisor Sans 700"} <= set(page.evaluate(FONTS_JS))
        assert fetched == []
        page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
    assert_not_blank(shot, width=width)


def assert_not_blank(png: Path, width: int | None = None, share: float = 0.003) -> None:
    """The image has ink: at least ``share`` of its pixels are not white."""
    from PIL import Image

    with Image.open(png) as im:
        if width is not None:
            assert im.width == width, f"{png.name}: {im.width} px wide, not {width}"
        grey = im.convert("L")
        hist = grey.histogram()
        ink = sum(hist[:200]) / (grey.width * grey.height)
    assert ink > share, f"{png.name} is (nearly) blank: {ink:.2%} ink"


@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
def test_on_screen_nothing_overflows(browser: Any, household: dict[str, Path], shots: Path,
                                     screen: str) -> None:  # fmt: skip
    width = SCREENS[screen]
    check_page(browser, household["html"], width, "screen", shots / f"household-{screen}.png",
               SECTIONS)  # fmt: skip


@needs_chromium
def test_printed_on_a4_nothing_overflows(browser: Any, household: dict[str, Path],
                                         shots: Path) -> None:  # fmt: skip
    check_page(browser, household["html"], CONTENT_WIDTH["a4"], "print",
               shots / "household-print-a4.png", SECTIONS)  # fmt: skip


@needs_chromium
@pytest.mark.slow
def test_printed_on_letter_nothing_overflows(browser: Any, household_letter: dict[str, Path],
                                             shots: Path) -> None:  # fmt: skip
    check_page(browser, household_letter["html"], CONTENT_WIDTH["letter"], "print",
               shots / "household-print-letter.png", SECTIONS)  # fmt: skip


EXAMPLES = {
    "growth_client": ("growth_client.csv",),
    "custodian_export": ("custodian_export.csv",),
    "diversified_client": ("diversified_client.csv",),
    "fund_only_client": ("fund_only_client.csv",),
    "household_mix": ("household_mix.csv",),
    "model_weights": ("model_weights.csv", "--total-value", "1,000,000"),
}


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("example", list(EXAMPLES))
def test_every_example_portfolio_reads_in_the_browser(
    browser: Any, example: str, shots: Path, tmp_path: Path
) -> None:
    file, *rest = EXAMPLES[example]
    html = write_report(tmp_path, example, str(PORTFOLIOS / file), *rest)["html"]
    sections = tuple(s for s in SECTIONS if s != "hedging")
    for label, width, media in (("desktop", 1280, "screen"), ("phone", 390, "screen"),
                                ("print-a4", CONTENT_WIDTH["a4"], "print"),
                                ("print-letter", CONTENT_WIDTH["letter"], "print")):  # fmt: skip
        check_page(browser, html, width, media, shots / f"{example}-{label}.png", sections)


# -- on paper ----------------------------------------------------------------------------------


def pdf_pages(path: Path) -> list[dict[str, Any]]:
    """Each page's size in points and its text (poppler)."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    sizes = [tuple(round(float(x)) for x in m)
             for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]  # fmt: skip
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = text.split("\f")[: len(sizes)]
    return [{"size": s, "text": t} for s, t in zip(sizes, pages, strict=True)]


HEADINGS = {"summary": "Summary", "today": "Your portfolio today", "proposal": "The proposal",
            "risk": "Before and after", "frontier": "The trade-off", "scenarios": "Scenarios",
            "hedging": "Hedging alternatives", "methodology": "Methodology",
            "glossary": "Glossary", "disclosures": "Disclosures"}  # fmt: skip
#: Sections that open a new page (``section { break-before: page }``; the rest follow on).
NEW_PAGE = ("today", "proposal", "risk", "scenarios", "hedging", "methodology")


def assert_paged(path: Path, paper: str) -> int:
    """Every page of ``paper``'s size, numbered "Page i of n" in order; the sections in the
    document's order, those that open a page each on a later page than the one before."""
    pages = pdf_pages(path)
    n = len(pages)
    assert n >= 8, f"{path.name}: only {n} pages"
    for i, page in enumerate(pages, 1):
        assert page["size"] == PAGE_POINTS[paper], (path.name, i, page["size"])
        assert f"Page {i} of {n}" in page["text"], (path.name, i)
    first = {}
    for key, heading in HEADINGS.items():
        at = [i for i, page in enumerate(pages) if re.search(rf"^\s*{heading}\s*$",
                                                            page["text"], flags=re.M)]  # fmt: skip
        assert at, f"{path.name}: no page has the heading {heading!r}"
        first[key] = at[0]
    order = [first[k] for k in HEADINGS]
    assert order == sorted(order), first
    keys = list(HEADINGS)
    for key in NEW_PAGE:
        assert first[key] > first[keys[keys.index(key) - 1]], (path.name, key, first)
    return n


def assert_fonts_embedded(path: Path) -> list[str]:
    """``pdffonts``: every font embedded, and each one the document's own typeface."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows, f"{path.name}: no fonts"
    names = []
    for row in rows:
        cols = row.split()
        emb = cols[-5]  # name type(s) encoding emb sub uni object-id generation
        assert emb == "yes", f"{path.name}: font not embedded: {row}"
        names.append(cols[0].split("+")[-1])
    assert set(names) == {"Advisor-Sans", "Advisor-Sans-Bold"}, names
    return names


def assert_pages_rasterise(path: Path, paper: str, folder: Path) -> None:
    """``pdftoppm`` at 72 dpi: one image per page, of the page's size in points, with ink, and
    none in the outer 14 mm on the left and right (the margins are 16 mm)."""
    from PIL import Image

    prefix = folder / path.stem
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(path), str(prefix)], check=True)
    images = sorted(folder.glob(f"{path.stem}-*.png"))
    assert len(images) == len(pdf_pages(path))
    w, h = PAGE_POINTS[paper]
    strip = round(14 / 25.4 * 72)
    for png in images:
        assert_not_blank(png, share=0.002)
        with Image.open(png) as im:
            assert abs(im.width - w) <= 1 and abs(im.height - h) <= 1, (png.name, im.size)
            grey = im.convert("L")
            for box in ((0, 0, strip, im.height), (im.width - strip, 0, im.width, im.height)):
                assert grey.crop(box).getextrema()[0] > 200, f"{png.name}: ink in a side margin"


@needs_weasyprint
@needs_poppler
def test_weasyprint_pdf_on_a4(household: dict[str, Path], tmp_path: Path) -> None:
    assert_paged(household["pdf"], "a4")
    assert_pages_rasterise(household["pdf"], "a4", tmp_path)


@needs_weasyprint
@needs_poppler
def test_pdf_embeds_its_fonts(household: dict[str, Path]) -> None:
    assert_fonts_embedded(household["pdf"])


@needs_weasyprint
@needs_poppler
@pytest.mark.slow
def test_weasyprint_pdf_on_letter(household_letter: dict[str, Path], tmp_path: Path) -> None:
    assert_paged(household_letter["pdf"], "letter")
    assert_pages_rasterise(household_letter["pdf"], "letter", tmp_path)
    assert_fonts_embedded(household_letter["pdf"])


@needs_chromium
@needs_poppler
@pytest.mark.slow
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_chromium_prints_the_document(browser: Any, household: dict[str, Path],
                                      household_letter: dict[str, Path], paper: str,
                                      tmp_path: Path) -> None:  # fmt: skip
    """Chromium's own print to PDF of the same HTML: the @page size, page numbers and breaks
    hold there too, and its pages rasterise with ink and clean margins."""
    html = (household if paper == "a4" else household_letter)["html"]
    context, page, fetched = open_page(browser, html, 1280, "print")
    try:
        out = tmp_path / f"chromium-{paper}.pdf"
        page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert fetched == []
    assert_paged(out, paper)
    assert_pages_rasterise(out, paper, tmp_path)


def test_ci_installs_what_these_tests_need() -> None:
    """``.ci/run`` runs exactly the README's test command, and that command first installs the
    system programs above (``.ci/system-packages.sh``), so CI runs these tests, not skips them."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
                for line in block.splitlines() if "pytest -m 'slow or not slow'" in line]  # fmt: skip
    assert len(commands) == 1
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert run[-1] == commands[0]
    assert commands[0].startswith("sh .ci/system-packages.sh && ")
    script = (ROOT / ".ci" / "system-packages.sh").read_text(encoding="utf-8")
    for package in ("chromium", "poppler-utils", "libpango-1.0-0", "libpangoft2-1.0-0"):
        assert package in script
    assert script.rstrip().endswith("exit 0")
