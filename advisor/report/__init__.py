"""Reports: each result as terminal tables (rich) and CSV; JSON is ``to_dict()`` dumped.

One module per result (``analysis``, ``proposal``, ``frontier``, ``whatif``, ``replays``,
``hedge``, ``data``), each with ``render(result, console)``; CSV is the result's ``to_frame()``
unless the module has its own ``csv_rows(result)`` (the analysis's tidy one).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def render_to(
    result: Any, fmt: str, output: Path | None, report: Any, width: int = 100
) -> Path | None:
    """Write ``result`` as ``fmt`` (table, json, csv) with the report module ``report``: to
    standard output, or to the file ``output`` (returned when written)."""
    if fmt == "json":
        from advisor.report.json import dumps

        text = dumps(result)
    elif fmt == "csv":  # the module's own layout, else the result's table
        rows = getattr(report, "csv_rows", None)
        text = rows(result) if rows else result.to_frame().to_csv(index=False)
    else:
        from rich.console import Console

        if output is None:
            report.render(result, Console())
            return None
        with open(output, "w") as f:
            report.render(result, Console(file=f, width=width))
        return output
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return None
    output.write_text(text)
    return output
