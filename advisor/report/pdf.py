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
  computes the proposal, so that importing it and laying out a first page (0.5-0.7 s) happen on
  another core meanwhile; the finished HTML is then sent to it. When the helper cannot be used,
  the PDF is laid out in the command's own process, with the same result.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

INSTALL_HINT = (
    "Install the PDF extra: pip install 'advisor[pdf]' (WeasyPrint). It needs the Pango library: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian/Ubuntu) or brew install pango "
    "(macOS). The HTML document (--output) needs neither."
)


def _weasyprint() -> Any:
    from advisor.errors import AdvisorError

    try:
        import weasyprint  # type: ignore[import-untyped]
    except ImportError as exc:
        raise AdvisorError(
            "writing a PDF needs WeasyPrint, which is not installed", INSTALL_HINT
        ) from exc
    except OSError as exc:  # WeasyPrint is there, the system's Pango is not
        raise AdvisorError(
            f"WeasyPrint cannot load the Pango library ({exc})", INSTALL_HINT
        ) from exc
    return weasyprint


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
    _layout(html, str(path))
    return Path(path)


def _layout(html: str, target: str | None) -> bytes | None:
    """The PDF of ``html``, written to ``target`` (or returned when it is None)."""
    from advisor.errors import AdvisorError
    from advisor.report.typeface import font_face_css

    weasyprint = _weasyprint()
    faces = font_face_css()
    config, sheet = _faces(weasyprint) if faces in html else (None, None)
    sheets = [sheet] if sheet is not None else []
    body = html.replace(faces, "", 1) if sheets else html  # the same rules, as a style sheet
    document = weasyprint.HTML(string=body, url_fetcher=_offline(weasyprint))
    try:
        return document.write_pdf(target, stylesheets=sheets, font_config=config)  # type: ignore[no-any-return]
    except weasyprint.urls.FatalURLFetchingError as exc:
        raise AdvisorError(f"the document refers to an outside resource ({exc})") from exc


def _warm_up() -> None:
    """Lay out a small page in the document's faces, regular and bold, in memory: the imports,
    fonts and caches a first document needs are then ready."""
    from advisor.report.typeface import FAMILY, font_face_css

    page = (f'<html><head><style>{font_face_css()} body {{ font-family: "{FAMILY}" }}</style>'
            "</head><body><table><tr><th>Before</th><td>1,234.56 % &#8722;0.5</td></tr>"
            "</table><p><b>Proposal</b> advisor</p></body></html>")  # fmt: skip
    _layout(page, None)


class PdfWorker:
    """WeasyPrint in a helper process (``python -m advisor.report.pdf``), ready before the
    document is: start it, compute, then :meth:`write` the HTML. Use as a context manager, so
    the helper never outlives the command."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "advisor.report.pdf"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, ValueError):  # no interpreter to start (embedded Python): lay out here
            self._proc = None

    def write(self, html: str, path: str | Path) -> Path:
        """The PDF of ``html`` at ``path``, written by the helper (or here, should it fail)."""
        from advisor.errors import AdvisorError

        reply = self._ask({"html": html, "path": str(path)})
        if reply is None or "crash" in reply:  # the helper broke: lay the document out here
            return write_pdf(html, path)
        for message in reply.get("log", []):  # WeasyPrint's warnings, as it logs them here
            logging.getLogger("weasyprint").warning("%s", message)
        if "error" in reply:
            raise AdvisorError(reply["error"], reply.get("hint"))
        return Path(path)

    def _ask(self, request: dict[str, str]) -> dict[str, Any] | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        try:
            out, _ = proc.communicate(json.dumps(request).encode("utf-8"))
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


def _serve() -> None:
    """The helper's side: get WeasyPrint ready, read one request (JSON: ``html``, ``path``) from
    standard input, write the PDF and answer on standard output (``path``, or ``error`` and
    ``hint`` for an error the user can act on, or ``crash``)."""
    import gc

    from advisor.errors import AdvisorError

    gc.disable()  # one document and out: its cycles go with the process (5-10 % faster layout)
    ready: AdvisorError | None = None
    try:
        _warm_up()
    except AdvisorError as exc:  # reported once the request comes, as the command would
        ready = exc
    except Exception:  # noqa: BLE001, S110 - only a head start: the request says what is wrong
        pass
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    log = _Collect()
    logging.getLogger("weasyprint").addHandler(log)
    try:
        if ready is not None:
            raise ready
        reply: dict[str, Any] = {"path": str(write_pdf(request["html"], request["path"]))}
    except AdvisorError as exc:
        reply = {"error": exc.message, "hint": exc.hint}
    except Exception as exc:  # noqa: BLE001 - answered, and the command retries in-process
        reply = {"crash": f"{type(exc).__name__}: {exc}"}
    reply["log"] = log.messages
    sys.stdout.write(json.dumps(reply))
    sys.stdout.flush()


if __name__ == "__main__":
    _serve()
    import os

    os._exit(0)  # answered and flushed: no interpreter tear-down for the command to wait on
