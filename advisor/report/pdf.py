"""The proposal document as a PDF, through WeasyPrint (the optional ``pdf`` extra).

WeasyPrint lays out the same HTML with its print CSS (``@page`` size, margins, page numbers).
It needs the system's Pango library; when WeasyPrint or Pango is missing, an
:class:`~advisor.errors.AdvisorError` says how to install them. Nothing is fetched: the fonts
are ``data:`` URLs inside the document (:mod:`advisor.report.typeface`), and any other address
stops the rendering.

Two things keep the PDF fast (``benchmarks/bench_report.py``):

* The embedded faces are given to WeasyPrint as a style sheet of their own instead of inside
  the HTML (its HTML parser reads the 110 kB of base64 character by character: about 0.3 s a
  document; its CSS parser takes 10 ms).
* :class:`PdfWorker`: ``advisor report --pdf`` starts WeasyPrint in a helper process before it
  computes the proposal, so that importing it, compiling the document's template and laying out
  a first page (0.65-1.1 s traced) happen on another core meanwhile. The document then goes to
  it in three parts, as the results' JSON (:class:`~advisor.report.html.Report`): the pages on
  the portfolio today as soon as the holdings are analysed (``propose(on_analysis=...)``), laid
  out while the optimizer imports cvxpy and solves; the proposal's part (cover, summary, the
  trades, "before and after") as soon as the proposal is made, laid out while the scenarios
  and the frontier are computed; then the rest (:class:`Layout` numbers the parts as one
  document). When the helper cannot be used, the PDF is laid out in the command's own process:
  the same pages.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.report.html import Report

INSTALL_HINT = (
    "Install the PDF extra: pip install 'advisor[pdf]' (WeasyPrint). It needs the Pango library: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian/Ubuntu) or brew install pango "
    "(macOS). The HTML document (--output) needs neither."
)


def _weasyprint() -> Any:
    from advisor.errors import AdvisorError

    try:
        weasyprint = _import_weasyprint()
    except ImportError as exc:
        raise AdvisorError(
            "writing a PDF needs WeasyPrint, which is not installed", INSTALL_HINT
        ) from exc
    except OSError as exc:  # WeasyPrint is there, the system's Pango is not
        raise AdvisorError(
            f"WeasyPrint cannot load the Pango library ({exc})", INSTALL_HINT
        ) from exc
    return weasyprint


def _import_weasyprint() -> Any:
    """``import weasyprint``; on Linux, its system libraries loaded by their sonames.

    WeasyPrint tries several names for each library (``libpango-1.0-0``, ``pango-1.0-0``,
    ``pango-1.0``, then ``libpango-1.0.so.0``...); cffi looks each name that does not load up with
    ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and then ``gcc`` or ``ld``:
    22 look-ups, 0.15-0.18 s of the import's 0.45 s here. While it is imported,
    ``find_library`` finds nothing, so the first names fail at once and the sonames load (the
    same libraries: ``/proc/self/maps``). Should a library load only through ``find_library``,
    WeasyPrint is imported again as it usually is (its message on the failed first attempt is
    not shown)."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint  # type: ignore[import-untyped]

        return weasyprint
    import ctypes.util
    import io

    find_library = ctypes.util.find_library
    ctypes.util.find_library = _no_library
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint

        return weasyprint
    except OSError:  # a library found only by find_library: the usual import below
        for name in [m for m in sys.modules if m.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = find_library
    import weasyprint

    return weasyprint


def _no_library(name: str) -> None:
    """``ctypes.util.find_library`` while WeasyPrint is imported: nothing found."""
    return None


def available() -> bool:
    """WeasyPrint and Pango both load."""
    from advisor.errors import AdvisorError

    try:
        _weasyprint()
    except AdvisorError:
        return False
    return True


def _offline(weasyprint: Any) -> Any:
    """WeasyPrint's fetcher that accepts ``data:`` URLs only and fails on anything else."""
    return weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def _faces(weasyprint: Any) -> tuple[Any, Any]:
    """(a font configuration, the embedded faces as a parsed style sheet) for one document.
    Not kept between documents: the configuration's temporary font folder goes with it."""
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    from advisor.report.typeface import font_face_css

    config = FontConfiguration()
    sheet = weasyprint.CSS(string=font_face_css(), font_config=config,
                           url_fetcher=_offline(weasyprint))  # fmt: skip
    return config, sheet


def write_pdf(html: str, path: str | Path) -> Path:
    """Lay ``html`` out on pages and write the PDF to ``path`` (nothing is fetched)."""
    Layout().write(html, str(path))
    return Path(path)


#: A page with nothing on it: while one part of a document is laid out, blank pages stand for
#: the other parts' pages, so that "Page i of n" counts them; they are not kept.
_BLANK_BEFORE = '<div style="break-after: page"></div>'
_BLANK_AFTER = '<div style="break-before: page"></div>'


def _with_blank_pages(html: str, before: int = 0, after: int = 0) -> str:
    """``html`` with ``before`` blank pages ahead of its body's content and ``after`` behind it."""
    start = html.index(">", html.index("<body")) + 1
    end = html.rindex("</body>")
    return (
        html[:start] + _BLANK_BEFORE * before + html[start:end] + _BLANK_AFTER * after + html[end:]
    )


def _page_of(document: Any, anchor: str) -> int:
    """The index of the page where the element with id ``anchor`` starts."""
    return next(i for i, page in enumerate(document.pages) if anchor in page.anchors)


class Layout:
    """WeasyPrint with the document's faces (:mod:`advisor.report.typeface`, given as a style
    sheet of their own, whether or not the HTML embeds them), fetching nothing.

    A document is laid out whole (:meth:`write`) or in parts, numbered as one ("Page i of n"):
    :meth:`today` can lay out the part on the portfolio today before the proposal is made,
    :meth:`first` the proposal's part (cover to "before and after", with "today" or a mark where
    its pages go: :data:`~advisor.report.html.TODAY_MARK`) before the rest is computed, and
    :meth:`finish` lays out the rest and writes the PDF of all. Each part is laid out as a
    document of all the pages, the other parts' pages blank, and only its own pages are kept.
    The number of the later parts' pages is a guess until they are laid out; when a guess was
    wrong, the part is laid out again. Every part starts on a page of its own. All parts share
    one font configuration, so the faces are embedded once."""

    def __init__(self) -> None:
        self._weasyprint = _weasyprint()
        self._config, self._sheet = _faces(self._weasyprint)
        self._today_html = ""  # the part "today", once laid out
        self._today_count = 0  # its pages (whatever the pages around it)
        #: "today" laid out, by (pages before it, pages after it)
        self._today: dict[tuple[int, int], Any] = {}
        #: the first part: (HTML, laid out, its pages before "today", "today"'s, its after)
        self._first: tuple[str, Any, int, int, int] | None = None

    def write(self, html: str, target: str | Path | None) -> bytes | None:
        """The PDF of ``html``, a whole document, written to ``target`` (or returned when it is
        None)."""
        return self._write(self._render(html), target)

    def today(self, html: str, after: int, before: int = 1) -> int:
        """Lay out the part "today", ``before`` pages (the cover's) guessed to come before it and
        ``after`` after it; its number of pages."""
        laid = self._render(_with_blank_pages(html, before=before, after=after))
        self._today_html, self._today_count = html, len(laid.pages) - before - after
        self._today[(before, after)] = laid
        return self._today_count

    def first(self, html: str, rest_pages: int) -> None:
        """Lay out the first part, the rest guessed to take ``rest_pages`` pages. With its mark
        for "today" (laid out by :meth:`today` before), as many blank pages stand there."""
        from advisor.report.html import TODAY_MARK

        today = 0
        if TODAY_MARK in html:
            if not self._today:
                raise ValueError("Layout.today() comes before a first part without 'today'")
            today = self._today_count
            html = html.replace(TODAY_MARK, _BLANK_AFTER * today, 1)
        laid = self._render(_with_blank_pages(html, after=rest_pages))
        own = len(laid.pages) - rest_pages
        head = own if not today else _page_of(laid, "proposal") - today
        self._first = (html, laid, head, today, own - head - today)

    def finish(self, html: str, target: str | Path | None) -> bytes | None:
        """Lay out the rest and write the PDF of all the parts to ``target`` (or return it)."""
        if self._first is None:
            raise ValueError("Layout.first() comes before Layout.finish()")
        first_html, laid, head, today, decided = self._first
        n = head + today + decided
        rest = self._render(_with_blank_pages(html, before=n))
        total = len(rest.pages)
        if len(laid.pages) != total:  # the rest's length was guessed wrong: number it again
            laid = self._render(_with_blank_pages(first_html, after=total - n))
        pages = laid.pages[:head]
        if today:
            pages += self._today_pages(head, total - head - today)
        pages += laid.pages[head + today : n] + rest.pages[n:]
        return self._write(laid.copy(pages), target)

    def _today_pages(self, before: int, after: int) -> list[Any]:
        """The pages of "today", numbered for ``before`` pages before them and ``after`` after
        (laid out again unless one of :meth:`today`'s guesses was right)."""
        if (before, after) not in self._today:
            self.today(self._today_html, after, before)
        laid = self._today[(before, after)]
        return laid.pages[before : before + self._today_count]  # type: ignore[no-any-return]

    def _render(self, html: str) -> Any:
        from advisor.report.typeface import font_face_css

        body = html.replace(font_face_css(), "", 1)  # the same rules as the style sheet
        document = self._weasyprint.HTML(string=body, url_fetcher=_offline(self._weasyprint))
        with self._offline_only():
            return document.render(stylesheets=[self._sheet], font_config=self._config)

    def _write(self, document: Any, target: str | Path | None) -> bytes | None:
        with self._offline_only():
            return document.write_pdf(target)  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def _offline_only(self) -> Iterator[None]:
        from advisor.errors import AdvisorError

        try:
            yield
        except self._weasyprint.urls.FatalURLFetchingError as exc:
            raise AdvisorError(f"the document refers to an outside resource ({exc})") from exc


def _warm_up() -> None:
    """Lay out a small page in the document's faces, regular and bold, in memory: the imports,
    fonts and caches a first document needs are then ready."""
    from advisor.report.typeface import FAMILY, font_face_css

    page = (f'<html><head><style>{font_face_css()} body {{ font-family: "{FAMILY}" }}</style>'
            "</head><body><table><tr><th>Before</th><td>1,234.56 % &#8722;0.5</td></tr>"
            "</table><p><b>Proposal</b> advisor</p></body></html>")  # fmt: skip
    Layout().write(page, None)
    from advisor.report.html import template

    template()  # the document's template, compiled before the proposal comes


class PdfWorker:
    """WeasyPrint in a helper process (``python -m advisor.report.pdf``), ready before the
    document is: start it, compute, then give it the document. Either a whole HTML page
    (:meth:`write`, or :meth:`send` and :meth:`wait`), or an
    :class:`~advisor.report.html.Report` in parts: optionally :meth:`today` as soon as the
    holdings are analysed (the helper lays out the pages on the portfolio today while the
    proposal is computed), :meth:`first` as soon as the proposal is made (the helper makes the
    first part's pages from its JSON and lays them out while the rest is computed), then
    :meth:`finish` once its outcomes are added, and :meth:`wait`. Use as a context manager, so
    the helper never outlives the command."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None
        self._report: Report | None = None  # kept to lay the PDF out here, if need be
        self._last: tuple[Callable[[], str], str] | None = None  # (the whole HTML, the path)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "advisor.report.pdf"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, ValueError):  # no interpreter to start (embedded Python): lay out here
            self._proc = None

    def today(self, report: Report, after: int) -> None:
        """Lay out the part on the portfolio today of ``report`` (made by
        :func:`~advisor.report.html.today`, before the proposal) now; the parts after it are
        expected to take ``after`` pages (laid out again once the proposal's part is, if not)."""
        self._tell({"today": report.data(), "after": int(after)})

    def first(self, report: Report, rest_pages: int) -> None:
        """Lay out the first part of ``report`` (its proposal's) now; the rest, to come, is
        expected to take ``rest_pages`` pages (:func:`~advisor.report.html.rest_pages`)."""
        self._report = report
        self._tell({"first": report.data(), "rest_pages": rest_pages})

    def finish(self, path: str | Path) -> None:
        """The rest of the report given to :meth:`first` (its outcomes, added since), and the
        PDF's path."""
        if self._report is None or self._report.outcomes is None:
            raise ValueError("PdfWorker.finish() needs first(report) and report.add() before")
        self._last = (functools.partial(self._report.html, for_pdf=True), str(path))
        self._tell({"rest": self._report.outcomes, "path": str(path)})

    def send(self, html: str, path: str | Path) -> None:
        """A whole document, for ``path``."""
        self._last = (lambda: html, str(path))
        self._tell({"html": html, "path": str(path)})

    def wait(self) -> Path:
        """The PDF at the path given, written by the helper (or here, should it fail)."""
        from advisor.errors import AdvisorError

        if self._last is None:
            raise ValueError("PdfWorker.wait() comes after send() or finish()")
        whole, path = self._last
        reply = self._answer()
        if reply is None or "crash" in reply:  # the helper broke: lay the document out here
            return write_pdf(whole(), path)
        for message in reply.get("log", []):  # WeasyPrint's warnings, as it logs them here
            logging.getLogger("weasyprint").warning("%s", message)
        if "error" in reply:
            raise AdvisorError(reply["error"], reply.get("hint"))
        return Path(path)

    def write(self, html: str, path: str | Path) -> Path:
        """The PDF of ``html``, a whole document."""
        self.send(html, path)
        return self.wait()

    def _tell(self, request: dict[str, Any]) -> None:
        if self._proc is None or self._proc.stdin is None:
            return
        try:
            self._proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except (OSError, ValueError):  # the helper is gone: the PDF is laid out here
            self.close()

    def _answer(self) -> dict[str, Any] | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        try:
            out, _ = proc.communicate()
            reply = json.loads(out.decode("utf-8"))
        except (OSError, ValueError):
            _stop(proc)
            return None
        return reply if isinstance(reply, dict) else None

    def close(self) -> None:
        """Stop the helper if it is still waiting (the command ended without a document)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc)

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()


def pdf_helper(wanted: bool) -> contextlib.AbstractContextManager[PdfWorker | None]:
    """A started :class:`PdfWorker` when a PDF is wanted, else nothing (``None``); the
    commands open it first and pass it to
    :func:`~advisor.report.document.write_report`."""
    return PdfWorker() if wanted else contextlib.nullcontext()


class _Collect(logging.Handler):
    """The helper's WeasyPrint warnings, kept for its answer (its standard error is not shown)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _requests(inbox: queue.SimpleQueue[dict[str, Any] | None]) -> None:
    """Read the requests, a JSON object a line, as they come (the helper may be busy laying
    out the first part when the rest is sent); ``None`` once the input ends."""
    try:
        for line in sys.stdin.buffer:
            inbox.put(json.loads(line))
    except ValueError:  # not a request: stop as at the end of the input
        pass
    inbox.put(None)


def _attempt(work: Callable[..., object], *args: Any) -> dict[str, Any] | None:
    """``work(*args)``; ``None`` when it went through, else the answer that says why not: an
    ``error`` the user can act on (with its ``hint``), or a ``crash`` (the command then lays the
    document out itself)."""
    from advisor.errors import AdvisorError

    try:
        work(*args)
    except AdvisorError as exc:
        return {"error": exc.message, "hint": exc.hint}
    except Exception as exc:  # noqa: BLE001 - answered, and the command retries in-process
        return {"crash": f"{type(exc).__name__}: {exc}"}
    return None


class _Parts:
    """The helper's document so far: the layout ("today"'s in it when it came first) and the
    report once its first part has come."""

    def __init__(self) -> None:
        self.layout: Layout | None = None  # made by "today", else by the first part
        self.report: Report | None = None


def _today_part(request: dict[str, Any], parts: _Parts) -> None:
    """The part on the portfolio today: its pages made and laid out."""
    from advisor.report.html import Report

    report = Report.from_data(request["today"])
    layout = Layout()
    layout.today(report.html("today", for_pdf=True), int(request["after"]))
    parts.layout = layout


def _first_part(request: dict[str, Any], parts: _Parts) -> None:
    """The first part of the report in ``request``: its pages made and laid out (beside
    "today"'s, when they are laid out already)."""
    from advisor.report.html import Report

    report = Report.from_data(request["first"])
    apart = parts.layout is not None
    layout = parts.layout if parts.layout is not None else Layout()
    layout.first(
        report.html("proposal", for_pdf=True, today_apart=apart), int(request["rest_pages"])
    )
    parts.layout, parts.report = layout, report


def _last_part(request: dict[str, Any], parts: _Parts) -> None:
    """The rest of the report laid out, and the PDF of all; or a whole document."""
    if "rest" not in request:
        write_pdf(request["html"], request["path"])
        return
    report, layout = parts.report, parts.layout
    if report is None or layout is None:  # the first part failed: the command lays it out
        raise RuntimeError("the first part of the document was not laid out")
    report.add(**request["rest"])
    layout.finish(report.html("outcomes", for_pdf=True), request["path"])


def _serve() -> None:
    """The helper's side: get WeasyPrint ready, then read the requests on standard input:
    optionally the part on the portfolio today (``today``: its JSON, and ``after``, a guess of
    the pages after it), laid out at once; a report's first part (``first``: its JSON, and
    ``rest_pages``), laid out at once, then its rest (``rest``: the outcomes' JSON, and
    ``path``); or a whole document (``html``, ``path``). Write the PDF and answer once, on
    standard output: ``path``, or ``error`` and ``hint`` for an error the user can act on, or
    ``crash``."""
    import gc

    gc.disable()  # one document and out: its cycles go with the process (5-10 % faster layout)
    inbox: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
    threading.Thread(target=_requests, args=(inbox,), daemon=True).start()
    # WeasyPrint missing is said in answer to the request, as the command would say it
    failed = _attempt(_warm_up)
    if failed is not None and "crash" in failed:  # only a head start: the request will tell
        failed = None
    log = _Collect()
    logging.getLogger("weasyprint").addHandler(log)
    parts = _Parts()
    while (request := inbox.get()) is not None:
        if "today" in request:  # a failure: the first part is then laid out with "today"
            if failed is None:
                _attempt(_today_part, request, parts)
            continue
        if "first" in request:  # a failure is said once the rest has come
            failed = failed or _attempt(_first_part, request, parts)
            continue
        reply = failed or _attempt(_last_part, request, parts) or {"path": request["path"]}
        reply["log"] = log.messages
        sys.stdout.write(json.dumps(reply))
        sys.stdout.flush()
        return


if __name__ == "__main__":
    _serve()
    import os

    os._exit(0)  # answered and flushed: no interpreter tear-down for the command to wait on
