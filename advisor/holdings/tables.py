"""Raw table reading: a CSV or XLSX export as numbered rows of cell texts.

The first layer of :mod:`advisor.holdings.read`: it knows about bytes, encodings, delimiters and
workbooks, nothing about holdings. Every failure is an :class:`~advisor.errors.InputError` naming
the file (and the line where there is one).
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from collections.abc import Callable

from advisor.errors import InputError

#: (1-based line number or spreadsheet row, cell texts)
Rows = list[tuple[int, list[str]]]

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SAVE_AS = "open it in a spreadsheet and save it as .xlsx or .csv"
_NOT_EXPORTS = {
    b"%PDF": ("this is a PDF, not a CSV or XLSX export", "download the positions as CSV or XLSX"),
    b"\xd0\xcf\x11\xe0": ("this is an old Excel .xls (or other OLE) file", _SAVE_AS),
}


def bad(
    path: str, line: int | None, message: str, value: str | None = None, hint: str | None = None
) -> InputError:
    """An :class:`InputError` from positional parts (keeps the holdings readers' raise sites short).

    Parameters
    ----------
    path : str
        The file.
    line : int or None
        1-based line (spreadsheet row for XLSX), None for the whole file.
    message : str
        What is wrong.
    value : str, optional
        The offending text as written.
    hint : str, optional
        What to do about it.
    """
    return InputError(message, path=path, line=line, value=value, hint=hint)


def read_table(path: str, is_header: Callable[[Rows], bool]) -> Rows:
    """The file's rows as (1-based line or spreadsheet row, cell texts).

    ``is_header`` tells whether some row of a candidate split is a usable header; it picks the
    CSV delimiter. XLSX files are read from their first sheet.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError as exc:
        raise bad(path, None, "file not found", None, "check the path") from exc
    except IsADirectoryError as exc:
        raise bad(path, None, "a directory, not a file", None, "give a CSV or XLSX") from exc
    except OSError as exc:
        message, hint = f"cannot read the file ({exc.strerror or exc})", "check you may read it"
        raise bad(path, None, message, None, hint) from exc
    if not data.strip():
        raise InputError("the file is empty", path=path, hint="export the positions again")
    for magic, (message, hint) in _NOT_EXPORTS.items():
        if data.startswith(magic):
            raise InputError(message, path=path, hint=hint)
    if data.startswith(b"PK\x03\x04") or path.lower().endswith(_XLSX_SUFFIXES):
        return _read_xlsx(data, path)
    return _read_csv(_decode(data, path), path, is_header)


def _decode(data: bytes, path: str) -> str:
    """Decode a text export: UTF-16 with BOM, UTF-8 (BOM dropped), else cp1252, else latin-1."""
    hint = "export the positions from the custodian as CSV or XLSX"
    not_text = bad(path, None, "not a CSV or XLSX file (binary content)", None, hint)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise not_text from exc
    if b"\x00" in data:
        raise not_text
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes anything
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f\v")
    if controls > max(2, len(text) // 100):
        raise not_text
    return text


def _read_csv(text: str, path: str, is_header: Callable[[Rows], bool]) -> Rows:
    """Split CSV text with the delimiter that yields a header row (most frequent tried first)."""
    candidates = sorted([",", ";", "\t", "|"], key=lambda d: -text.count(d))
    first: Rows | None = None
    for delimiter in candidates:
        rows: Rows = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        start = 1
        try:
            for cells in reader:
                rows.append((start, cells))
                start = reader.line_num + 1
        except csv.Error as exc:
            hint = "check the file is a CSV export"
            raise bad(path, start, f"cannot read as CSV: {exc}", None, hint) from exc
        first = rows if first is None else first
        if is_header(rows):
            return rows
    return first or []


def _read_xlsx(data: bytes, path: str) -> Rows:
    """The first sheet's rows by spreadsheet row number; percent-formatted cells as ``'12.5%'``."""
    import openpyxl  # only XLSX files need it

    try:
        with warnings.catch_warnings():  # "no default style" and the like: not the user's concern
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        sheet = book.worksheets[0]
        rows: Rows = []
        for cells in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
            rows.append((cells[0].row, [_xlsx_text(c.value, c.number_format) for c in cells]))
        book.close()
    except Exception as exc:  # openpyxl raises many types on damaged or foreign zip files
        message = f"cannot read as an XLSX workbook ({type(exc).__name__}: {exc})"
        raise bad(path, None, message, None, _SAVE_AS) from exc
    return rows


def _xlsx_text(value: object, number_format: str | None) -> str:
    """A cell as the text a CSV export would hold (integral floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if number_format and "%" in number_format:
        return f"{value * 100!r}%"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
