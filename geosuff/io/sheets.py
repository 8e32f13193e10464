"""Spreadsheets as published (ODS, XLSX, XLS): find the right sheet and header row.

Publishers put a README sheet first, a title and notes above the header, and pad
the header row with empty cells; the sheet and the header row are therefore found
by content (a row holding the expected column names), never by position. Cells
are read by python-calamine (the compiled reader pandas also uses as its
``calamine`` engine), which reads a 25 MB ODS in seconds with bounded memory,
where pandas' ``odf`` engine needs minutes and gigabytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geosuff._errors import InputFileError

__all__ = [
    "SPREADSHEET_SUFFIXES",
    "SheetHeader",
    "as_at_date",
    "cell_label",
    "find_header",
    "is_spreadsheet",
    "locate",
    "normalise_label",
    "open_workbook",
    "sheet_names",
    "sheet_text",
]

#: File suffixes read as spreadsheets.
SPREADSHEET_SUFFIXES = (".ods", ".xlsx", ".xlsm", ".xls")

#: Rows looked at for a header (titles, notes and blank rows above it).
HEADER_SCAN_ROWS = 40

Expect = Sequence[Sequence[str]]


@dataclass(frozen=True)
class SheetHeader:
    """Where a table starts in a workbook.

    Attributes
    ----------
    sheet
        The sheet's name as the workbook spells it.
    row
        0-based index of the header row (blank rows above it counted).
    columns
        The header's non-empty labels, stripped, in order.
    """

    sheet: str
    row: int
    columns: tuple[str, ...]


def is_spreadsheet(path: str | os.PathLike[str]) -> bool:
    """Return whether *path* has a spreadsheet suffix (``.ods``, ``.xlsx``, ``.xls``).

    Parameters
    ----------
    path
        A file name.

    Returns
    -------
    bool
        True for ODS/XLSX/XLSM/XLS.
    """
    return Path(path).suffix.lower() in SPREADSHEET_SUFFIXES


def normalise_label(text: object) -> str:
    """Compare-ready form of a sheet name or column label.

    Case, runs of white space and underscores are ignored, so ``"HSCA_Active_Locations"``
    matches ``"HSCA Active Locations"`` and ``" Location ID "`` matches ``"location id"``.

    Parameters
    ----------
    text
        A label.

    Returns
    -------
    str
        The normalised label.
    """
    return " ".join(str(text).replace("_", " ").split()).lower()


def cell_label(value: object) -> str:
    """Return a header cell as text (whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def open_workbook(path: Path):  # noqa: ANN201 (python_calamine has no workbook type alias)
    """Open a workbook with python-calamine; a one-line error when it is not one."""
    from python_calamine import CalamineError, CalamineWorkbook

    if not path.is_file():
        raise InputFileError(path, "file not found")
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"cannot read spreadsheet ({first}); is it really {path.suffix.lstrip('.').upper()}?"
        raise InputFileError(path, msg) from exc


def sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """Return the names of a workbook's sheets, in workbook order.

    Parameters
    ----------
    path
        An ODS, XLSX or XLS file.

    Returns
    -------
    list of str
        Sheet names.

    Raises
    ------
    InputFileError
        If the file is missing or not a spreadsheet.
    """
    return list(open_workbook(Path(path)).sheet_names)


def _header_row(rows: list[list[object]], expect: Expect | None) -> int | None:
    """Index of the header row among *rows*, or ``None``.

    With *expect*, the first row holding every name of one of the alternatives.
    Without, the first row that is mostly text and at least half as wide as the
    widest of the rows looked at (titles and notes above a header are narrow).
    """
    labels = [[cell_label(c) for c in row] for row in rows]
    if expect:
        wanted = [{normalise_label(n) for n in group} for group in expect if group]
        for i, row in enumerate(labels):
            present = {normalise_label(c) for c in row if c}
            if any(group <= present for group in wanted):
                return i
        return None
    widths = [sum(1 for c in row if c) for row in labels]
    widest = max(widths, default=0)
    if widest < 2:
        return None
    for i, row in enumerate(rows):
        filled = [c for c in row if c not in (None, "")]
        texts = sum(1 for c in filled if isinstance(c, str))
        following = widths[i + 1] if i + 1 < len(widths) else 0
        if len(filled) >= max(2, widest / 2) and texts >= 0.6 * len(filled) and following:
            return i
    return None


def _candidates(names: list[str], sheets: Sequence[str] | None) -> list[str]:
    """Sheets to try: the ones named (in the order given), then the rest in order."""
    if not sheets:
        return names
    by_label = {normalise_label(n): n for n in names}
    named = [by_label[normalise_label(s)] for s in sheets if normalise_label(s) in by_label]
    return list(dict.fromkeys(named + names))


def _describe(expect: Expect | None) -> str:
    if not expect:
        return "a header row"
    options = " or ".join("[" + ", ".join(g) + "]" for g in expect if g)
    return f"a header row with {options}"


def locate(
    book: object,
    path: Path,
    sheets: Sequence[str] | None,
    expect: Expect | None,
    scan_rows: int,
) -> tuple[SheetHeader, object]:
    """Find the header in an open workbook; return it and its (calamine) sheet."""
    names = list(book.sheet_names)  # type: ignore[attr-defined]
    for name in _candidates(names, sheets):
        sheet = book.get_sheet_by_name(name)  # type: ignore[attr-defined]
        head = sheet.to_python(skip_empty_area=False, nrows=scan_rows)
        row = _header_row(head, expect)
        if row is not None:
            columns = tuple(c for c in (cell_label(v) for v in head[row]) if c)
            return SheetHeader(name, row, columns), sheet
    wanted = f" (looked first in {', '.join(sheets)})" if sheets else ""
    msg = (
        f"no sheet has {_describe(expect)} in its first {scan_rows} rows{wanted}; "
        f"sheets: {', '.join(names) or 'none'}"
    )
    raise InputFileError(path, msg)


def find_header(
    path: str | os.PathLike[str],
    *,
    sheets: Sequence[str] | None = None,
    expect: Expect | None = None,
    scan_rows: int = HEADER_SCAN_ROWS,
) -> SheetHeader:
    """Find the sheet and header row of a published table.

    Parameters
    ----------
    path
        An ODS, XLSX or XLS file.
    sheets
        Sheet names to try first (case, spaces and underscores ignored); the other
        sheets are tried after them.
    expect
        Alternative sets of column names; the header is the first row holding all
        names of one set. Without it, the first wide, mostly-text row is taken.
    scan_rows
        How many rows of each sheet to look at.

    Returns
    -------
    SheetHeader
        The sheet, the header row's index and its labels.

    Raises
    ------
    InputFileError
        If no sheet has such a header; the message lists the sheets.
    """
    p = Path(path)
    header, _ = locate(open_workbook(p), p, sheets, expect, scan_rows)
    return header


#: Dates like "01 November 2025" or "1 Nov 2025" in README sheets.
_AS_AT = re.compile(r"as at\s+(\d{1,2}\s+[A-Za-z]+\s+\d{4})", re.IGNORECASE)


def sheet_text(path: str | os.PathLike[str], sheet: str, *, nrows: int = 30) -> list[str]:
    """Return the non-empty cells of the first rows of a sheet, as text.

    Used to read what a README sheet says (e.g. "Source: CQC database as at
    01 November 2025").

    Parameters
    ----------
    path
        An ODS, XLSX or XLS file.
    sheet
        The sheet name (case, spaces and underscores ignored).
    nrows
        How many rows to look at.

    Returns
    -------
    list of str
        The cells, row by row; empty when the sheet does not exist.
    """
    book = open_workbook(Path(path))
    by_label = {normalise_label(n): n for n in book.sheet_names}
    name = by_label.get(normalise_label(sheet))
    if name is None:
        return []
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
    return [cell_label(c) for row in rows for c in row if cell_label(c)]


def as_at_date(texts: Iterable[str]) -> str:
    """Find an "as at <day> <month> <year>" date in some text, as ``YYYY-MM-DD``.

    Parameters
    ----------
    texts
        Cells of a README sheet.

    Returns
    -------
    str
        The date, or an empty string when none is found.
    """
    for text in texts:
        match = _AS_AT.search(text)
        if not match:
            continue
        for fmt in ("%d %B %Y", "%d %b %Y"):
            try:
                return dt.datetime.strptime(match.group(1), fmt).date().isoformat()
            except ValueError:
                continue
    return ""
