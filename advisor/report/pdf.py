"""The proposal document as a PDF, through WeasyPrint (the optional ``pdf`` extra).

WeasyPrint lays out the same HTML with its print CSS (``@page`` size, margins, page numbers).
It needs the system's Pango library; when WeasyPrint or Pango is missing, an
:class:`~advisor.errors.AdvisorError` says how to install them. Nothing is fetched: the fonts
are ``data:`` URLs inside the document (:mod:`advisor.report.typeface`), and any other address
stops the rendering.
"""

from __future__ import annotations

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


def write_pdf(html: str, path: str | Path) -> Path:
    """Lay ``html`` out on pages and write the PDF to ``path`` (nothing is fetched)."""
    from advisor.errors import AdvisorError

    weasyprint = _weasyprint()
    offline = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = weasyprint.HTML(string=html, url_fetcher=offline)
    try:
        document.write_pdf(str(path))
    except weasyprint.urls.FatalURLFetchingError as exc:
        raise AdvisorError(f"the document refers to an outside resource ({exc})") from exc
    return Path(path)
