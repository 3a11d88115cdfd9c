"""The client document's files from a proposal: the scenarios and the frontier run on it, the
HTML written, and the PDF with the ``pdf`` extra. One function for ``advisor report``,
``advisor propose --report`` and ``advisor book --report`` (no click here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_report(
    proposal: Any, holdings: Any, market: Any, o: dict[str, Any], pdf_worker: Any = None
) -> list[Path]:
    """Run the scenarios and the frontier on ``proposal`` and write the document's files; the
    PDF through ``pdf_worker`` (a started :class:`~advisor.report.pdf.PdfWorker`) when given,
    which lays out the proposal's part while the scenarios and the frontier are computed."""
    import advisor
    from advisor.report import html

    document = html.report(proposal, _cover(o, o["client"]))
    worker = pdf_worker if o["pdf"] is not None else None
    if worker is not None:
        worker.first(document, html.rest_pages(o["hedges"]))
    whatif = advisor.what_if(holdings, market, html.report_scenarios(), proposal=proposal)
    curve = advisor.frontier(holdings, market, points=o["points"], setup=proposal.setup)
    hedges = (
        advisor.hedge(whatif, market, cost_bps=proposal.mandate.cost_bps) if o["hedges"] else None
    )
    document.add(*html.outcomes(whatif, curve, hedges))
    if worker is not None:
        worker.finish(o["pdf"])
    written = []
    if o["output"] is not None:  # while the helper lays out the rest
        o["output"].write_text(document.html(), encoding="utf-8")
        written.append(o["output"])
    if worker is not None:
        written.append(worker.wait())
    elif o["pdf"] is not None:
        from advisor.report.pdf import write_pdf

        written.append(write_pdf(document.html(for_pdf=True), o["pdf"]))
    return written


def today_pages(worker: Any, o: dict[str, Any], household: Any = None) -> Callable[[Any], None]:
    """``propose(on_analysis=...)`` for a PDF through ``worker`` (a started
    :class:`~advisor.report.pdf.PdfWorker`): the pages on the portfolio today are made from the
    analysis and laid out in the helper while the proposal is computed. ``o`` are the settings
    :func:`write_report` gets (with ``client`` None to name it as :func:`client_name` does,
    and a ``date``, the same for both)."""
    from advisor.report import html

    def send(analysis: Any) -> None:
        cover = _cover(o, client_name(o["client"], household, analysis))
        after = html.decided_pages() + html.rest_pages(o["hedges"])
        worker.today(html.today(analysis, cover), after)

    return send


def _cover(o: dict[str, Any], client: str) -> Any:
    from advisor.report import html

    return html.Cover(client, o["advisor"] or "", o.get("date"), paper=o["paper"])


def document_settings(path: Path, household: Any, proposal: Any, opts: dict[str, Any]) -> dict:
    """``propose --report PATH``: the document's settings with the defaults of ``report``."""
    pdf = path.suffix.lower() == ".pdf"
    return dict(opts, output=None if pdf else path, pdf=path if pdf else None,
                client=client_name(None, household, proposal.before), advisor=None, paper="a4",
                hedges=False, points=8)  # fmt: skip


def client_name(client: str | None, household: Any, before: Any) -> str:
    """The name on the cover: --client, else the household file's, else the name of the file
    ``before`` (the analysis of the holdings, or the proposal's) was read from."""
    if client:
        return client
    if household is not None:
        return str(household.name)
    return Path(str(before.source or "client")).stem.replace("_", " ").capitalize()
