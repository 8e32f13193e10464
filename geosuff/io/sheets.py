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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geosuff._errors import InputFileError

__all__ = [
    "SPREADSHEET_SUFFIXES",
    "SheetHeader",
    "as_at_date",
    "data_lines",
    "find_header",
    "is_spreadsheet",
    "normalise_label",
    "read_sheet",
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


def _cell_label(value: object) -> str:
    """Return a header cell as text (whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _open(path: Path):  # noqa: ANN202 (python_calamine has no public workbook type alias)
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
    return list(_open(Path(path)).sheet_names)


def _header_row(rows: list[list[object]], expect: Expect | None) -> int | None:
    """Index of the header row among *rows*, or ``None``.

    With *expect*, the first row holding every name of one of the alternatives.
    Without, the first row that is mostly text and at least half as wide as the
    widest of the rows looked at (titles and notes above a header are narrow).
    """
    labels = [[_cell_label(c) for c in row] for row in rows]
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


def _locate(
    book: object,
    path: Path,
    sheets: Sequence[str] | None,
    expect: Expect | None,
    scan_rows: int,
) -> tuple[SheetHeader, object]:
    names = list(book.sheet_names)  # type: ignore[attr-defined]
    for name in _candidates(names, sheets):
        sheet = book.get_sheet_by_name(name)  # type: ignore[attr-defined]
        head = sheet.to_python(skip_empty_area=False, nrows=scan_rows)
        row = _header_row(head, expect)
        if row is not None:
            columns = tuple(c for c in (_cell_label(v) for v in head[row]) if c)
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
    header, _ = _locate(_open(p), p, sheets, expect, scan_rows)
    return header


def _convert(value: object) -> object:
    """Return a cell as pandas' calamine engine gives it (whole floats as ints)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, label in enumerate(labels):
        name = label or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _rows_after(sheet: object, header_row: int) -> Iterator[tuple[int, list[object]]]:
    """Yield (0-based sheet row, cells from column A) for the rows below the header."""
    start = sheet.start or (0, 0)  # type: ignore[attr-defined]
    pad: list[object] = [""] * start[1]
    for i, row in enumerate(sheet.iter_rows()):  # type: ignore[attr-defined]
        at = start[0] + i
        if at > header_row:
            yield at, pad + row if pad else row


def data_lines(frame: pd.DataFrame) -> list[int]:
    """Return the spreadsheet line (1-based row number) of each row :func:`read_sheet` read.

    Parameters
    ----------
    frame
        A table from :func:`read_sheet` (or from a CSV: then the header is line 1).

    Returns
    -------
    list of int
        One line number per row, as a user sees it in the spreadsheet.
    """
    lines = frame.attrs.get("lines")
    if lines is not None and len(lines) == len(frame):
        return list(lines)
    return list(range(2, len(frame) + 2))


def read_sheet(
    path: str | os.PathLike[str],
    *,
    sheets: Sequence[str] | None = None,
    expect: Expect | None = None,
    usecols: Iterable[str] | Callable[[str], bool] | None = None,
    dtype: object = None,
    nrows: int | None = None,
    na_values: Iterable[str] | None = None,
    keep_default_na: bool = True,
    scan_rows: int = HEADER_SCAN_ROWS,
) -> pd.DataFrame:
    """Read the table of a published spreadsheet into a DataFrame.

    The sheet and header row are found by :func:`find_header`. Columns without a
    label and without any value (header padding) are dropped; rows that are empty
    in every kept column are dropped (:func:`data_lines` gives each row its line in
    the sheet). Only the kept columns are turned into Python objects, so memory
    stays near the size of the cells read.

    Parameters
    ----------
    path
        An ODS, XLSX or XLS file.
    sheets, expect, scan_rows
        As for :func:`find_header`.
    usecols
        Column labels to keep, or a function of the label; default all.
    dtype
        ``str`` to get every cell as text (numbers written as pandas' calamine
        engine writes them: ``45`` not ``45.0``); default values as stored.
    nrows
        Read at most this many data rows.
    na_values, keep_default_na
        As for :func:`pandas.read_excel`: which texts mean "missing".

    Returns
    -------
    pandas.DataFrame
        The table, one row per data row.

    Raises
    ------
    InputFileError
        If the file cannot be read or no sheet has the header.
    """
    p = Path(path)
    header, sheet = _locate(_open(p), p, sheets, expect, scan_rows)
    head = sheet.to_python(skip_empty_area=False, nrows=header.row + 1)[header.row]  # type: ignore[attr-defined]
    labels = _unique([_cell_label(v) for v in head])
    if callable(usecols):
        keep = [i for i, name in enumerate(labels) if usecols(name)]
    elif usecols is not None:
        wanted = {normalise_label(c) for c in usecols}
        keep = [i for i, name in enumerate(labels) if normalise_label(name) in wanted]
    else:
        keep = list(range(len(labels)))
    columns: list[list[object]] = [[] for _ in keep]
    lines: list[int] = []
    for at, row in _rows_after(sheet, header.row):
        if nrows is not None and len(lines) >= nrows:
            break
        width = len(row)
        cells = [row[i] if i < width else "" for i in keep]
        if all(c in ("", None) for c in cells):
            continue
        for store, cell in zip(columns, cells, strict=True):
            store.append(cell)
        lines.append(at + 1)
    count = len(lines)
    frame = pd.DataFrame(
        {labels[i]: pd.Series(col, dtype=object) for i, col in zip(keep, columns, strict=True)},
        index=pd.RangeIndex(count),
    )
    padding = [
        labels[i]
        for i in keep
        if labels[i].startswith("Unnamed: ")
        and not any(v not in ("", None) for v in frame[labels[i]])
    ]
    frame = frame.drop(columns=padding)
    out = _finish(frame, dtype=dtype, na_values=na_values, keep_default_na=keep_default_na)
    out.attrs.update(sheet=header.sheet, header_line=header.row + 1, lines=tuple(lines))
    return out


_DEFAULT_NA = frozenset(
    [
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-NaN",
        "-nan",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "n/a",
        "nan",
        "null",
        "None",
        "<NA>",
        "-1.#IND",
        "-1.#QNAN",
        "1.#IND",
        "1.#QNAN",
    ]
)


def _finish(
    frame: pd.DataFrame,
    *,
    dtype: object,
    na_values: Iterable[str] | None,
    keep_default_na: bool,
) -> pd.DataFrame:
    """Apply pandas-like missing-value and dtype handling to raw cells."""
    missing = set(na_values or ()) | (_DEFAULT_NA if keep_default_na else set())
    missing.add("")
    as_text = dtype in (str, "str", "string")
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        values = [_convert(v) for v in frame[name]]
        values = [None if v is None or (isinstance(v, str) and v in missing) else v for v in values]
        if as_text:
            texts = [None if v is None else str(v) for v in values]
            out[name] = pd.Series(texts, index=frame.index, dtype="str")
        else:
            out[name] = pd.Series(values, index=frame.index, dtype=object).infer_objects()
    return pd.DataFrame(out, index=frame.index)


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
    book = _open(Path(path))
    by_label = {normalise_label(n): n for n in book.sheet_names}
    name = by_label.get(normalise_label(sheet))
    if name is None:
        return []
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
    return [_cell_label(c) for row in rows for c in row if _cell_label(c)]


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
