"""Reading a published spreadsheet's table into a DataFrame, cell by cell.

The sheet and header row are found by :func:`geosuff.io.sheets.find_header`;
only the columns kept are turned into Python objects, and each row remembers its
line in the sheet (:func:`data_lines`) so rejects can point at it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd

from geosuff.io.sheets import (
    HEADER_SCAN_ROWS,
    Expect,
    cell_label,
    locate,
    normalise_label,
    open_workbook,
)

__all__ = ["data_lines", "read_sheet"]


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


def _rows_below(sheet: object, header_row: int, width: int) -> list[tuple[int, list[object]]]:
    """Return (0-based sheet row, cells from column A, padded to *width*) below the header."""
    rows = sheet.to_python(skip_empty_area=False)  # type: ignore[attr-defined]
    out = []
    for at in range(header_row + 1, len(rows)):
        row = rows[at]
        if len(row) < width:
            row = row + [""] * (width - len(row))
        elif len(row) > width:
            row = row[:width]
        out.append((at, row))
    return out


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
    header, sheet = locate(open_workbook(p), p, sheets, expect, scan_rows)
    head = sheet.to_python(skip_empty_area=False, nrows=header.row + 1)[header.row]  # type: ignore[attr-defined]
    labels = _unique([cell_label(v) for v in head])
    if callable(usecols):
        keep = [i for i, name in enumerate(labels) if usecols(name)]
    elif usecols is not None:
        wanted = {normalise_label(c) for c in usecols}
        keep = [i for i, name in enumerate(labels) if normalise_label(name) in wanted]
    else:
        keep = list(range(len(labels)))
    rows = _rows_below(sheet, header.row, len(labels))
    lines: list[int] = []
    kept: list[list[object]] = []
    for at, row in rows:
        # any() is fast and nearly always true; the exact test runs on falsy rows only
        if any(row) or any(c != "" and c is not None for c in row):
            kept.append(row)
            lines.append(at + 1)
            if nrows is not None and len(lines) >= nrows:
                break
    transposed = list(zip(*kept, strict=True)) if kept else [() for _ in labels]
    columns = [transposed[i] for i in keep]
    named = {
        labels[i]: col
        for i, col in zip(keep, columns, strict=True)
        # header padding: no label and no value
        if not labels[i].startswith("Unnamed: ") or any(v != "" and v is not None for v in col)
    }
    out = _finish(
        named, len(lines), dtype=dtype, na_values=na_values, keep_default_na=keep_default_na
    )
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
    columns: dict[str, Sequence[object]],
    count: int,
    *,
    dtype: object,
    na_values: Iterable[str] | None,
    keep_default_na: bool,
) -> pd.DataFrame:
    """Build the table with pandas-like missing values; whole floats become ints."""
    missing = set(na_values or ()) | (_DEFAULT_NA if keep_default_na else set())
    missing.add("")
    as_text = dtype in (str, "str", "string")
    index = pd.RangeIndex(count)
    out: dict[str, pd.Series] = {}
    for name, cells in columns.items():
        if as_text:
            texts = [
                None
                if v is None or (v.__class__ is str and v in missing)
                else v
                if v.__class__ is str
                else str(int(v))
                if v.__class__ is float and v.is_integer()  # type: ignore[attr-defined]
                else str(v)
                for v in cells
            ]
            out[name] = pd.Series(texts, index=index, dtype="str")
            continue
        values = [
            None
            if v is None or (v.__class__ is str and v in missing)
            else int(v)
            if v.__class__ is float and v.is_integer()  # type: ignore[attr-defined]
            else v
            for v in cells
        ]
        out[name] = pd.Series(values, index=index, dtype=object).infer_objects()
    return pd.DataFrame(out, index=index)
