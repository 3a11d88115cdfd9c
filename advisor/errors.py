"""The errors ``advisor`` raises: one base class, a few precise subclasses.

Every error carries a message written for the person at the keyboard: what is wrong, where
(file, line, value) and what to do next. The CLI maps any :class:`AdvisorError` to exit code 1
and prints the message without a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class AdvisorError(Exception):
    """Base class of every error ``advisor`` raises on purpose."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n  {hint}")


class InputError(AdvisorError):
    """A holdings file (or another user file) cannot be read as given.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str, optional
        The file.
    line : int, optional
        1-based line number in the file (spreadsheet row for XLSX).
    value : str, optional
        The offending text as it appears in the file.
    hint : str, optional
        What the user can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        value: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.value = value
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        shown = f" (value: {value!r})" if value is not None else ""
        super().__init__(f"{where}{message}{shown}", hint)


class UnknownTickersError(InputError):
    """Tickers in a holdings file that the snapshot does not know.

    Attributes
    ----------
    unknown : list of (line, raw ticker, close matches)
    notes : dict of int to str
        A remark per line, shown after it (``looks like a mutual fund ...``); may be empty.
    """

    def __init__(
        self,
        path: str,
        unknown: Sequence[tuple[int, str, Sequence[str]]],
        notes: Mapping[int, str] | None = None,
    ) -> None:
        self.unknown = [(line, raw, list(matches)) for line, raw, matches in unknown]
        self.notes = dict(notes or {})
        rows = []
        for line, raw, matches in self.unknown:
            near = f" (close: {', '.join(matches)})" if matches else ""
            note = f": {self.notes[line]}" if line in self.notes else ""
            rows.append(f"    line {line}: {raw}{near}{note}")
        first = self.unknown[0][1]
        message = f"{len(self.unknown)} ticker(s) not in the market snapshot:\n" + "\n".join(rows)
        hint = (
            f"Map a ticker to a known one with --map {first}=NEWTICKER, value unknown lines "
            "as cash "
            "with --unknown cash, or leave them out of the analysis (listed as warnings) with "
            "--unknown skip."
        )
        super().__init__(message, path=path, hint=hint)


class DataError(AdvisorError):
    """The market snapshot (or the raw data it is built from) is missing or inconsistent."""


class UsageError(AdvisorError):
    """An option or argument that does not fit the input (the CLI exits 2, as for a bad option).

    Example: a realised-gain budget for a file without a cost-basis column.
    """

    def __init__(self, message: str, hint: str | None = None, option: str | None = None) -> None:
        self.option = option
        super().__init__(message, hint)


class SolverError(AdvisorError):
    """The optimizer broke down (not an infeasible mandate, which is a status)."""
