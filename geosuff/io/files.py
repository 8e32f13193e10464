"""Reading tables (CSV, spreadsheets, Parquet) and vector files.

Outputs are written by :mod:`geosuff.io.writing` (atomically, with provenance); its
functions are re-exported here, where most callers look for them.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io.sheet_tables import read_sheet
from geosuff.io.sheets import is_spreadsheet, normalise_label
from geosuff.io.writing import TABLE_SUFFIXES, atomic_path, clean_stale_temp_files, write_table

__all__ = [
    "TABLE_SUFFIXES",
    "atomic_path",
    "clean_stale_temp_files",
    "read_table",
    "read_vector",
    "require_columns",
    "write_table",
]

log = logging.getLogger(__name__)


def read_table(
    path: str | os.PathLike[str],
    *,
    sheets: Sequence[str] | None = None,
    expect: Sequence[Sequence[str]] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Read a CSV, spreadsheet (ODS, XLSX, XLS) or Parquet table; one-line error on failure.

    Spreadsheets are read as published: the sheet and header row are found by
    content (:func:`geosuff.io.sheets.read_sheet`), so a README sheet, a title
    above the header or a header padded with empty cells do not matter. CSV files
    are read as UTF-8 (with or without a byte-order mark); a file that is not valid
    UTF-8 (as Excel saves CSV on Windows) is read as Windows-1252 and a warning
    says so. With *expect*, lines above the header (a preamble) are skipped.

    Parameters
    ----------
    path
        The file to read.
    sheets
        Spreadsheets: sheet names to try first (case, spaces and underscores ignored).
    expect
        Alternative sets of column names the header row holds (spreadsheets, and
        CSV files with a preamble).
    **kwargs
        Passed to :func:`pandas.read_csv` for CSV; for spreadsheets ``dtype``,
        ``usecols``, ``nrows``, ``na_values`` and ``keep_default_na`` are honoured
        and CSV-only options are ignored.

    Returns
    -------
    pandas.DataFrame
        The table as read.

    Raises
    ------
    InputFileError
        If the file is missing, empty or not parseable.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "file not found")
    suffix = p.suffix.lower()
    try:
        if is_spreadsheet(p):
            return _read_spreadsheet(p, sheets, expect, kwargs)
        if suffix == ".parquet":
            return pd.read_parquet(p)
        return _read_csv(p, kwargs, expect)
    except InputFileError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, ImportError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(p, f"cannot read table ({first})") from exc


def _header_line(path: Path, encoding: str, expect: Sequence[Sequence[str]] | None) -> int:
    """Lines to skip before the header: CQC's directory CSV has a 4-line preamble."""
    if not expect:
        return 0
    wanted = [{normalise_label(n) for n in group} for group in expect if group]
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if i >= _CSV_PREAMBLE_LINES:
                break
            if any(group <= {normalise_label(c) for c in row} for group in wanted):
                return i
    return 0


def _read_csv(
    path: Path, kwargs: dict[str, Any], expect: Sequence[Sequence[str]] | None = None
) -> pd.DataFrame:
    """Read a CSV as UTF-8, falling back to Windows-1252 (and saying so)."""
    options = {"low_memory": False, **kwargs}
    if "encoding" in options:
        return pd.read_csv(path, **options)
    given_skip = options.pop("skiprows", None)  # the caller found the header itself
    try:
        skip = given_skip if given_skip is not None else _header_line(path, "utf-8-sig", expect)
        table = pd.read_csv(path, encoding="utf-8-sig", skiprows=skip or None, **options)
        if skip:
            table.attrs["lines"] = tuple(range(skip + 2, skip + 2 + len(table)))
        return table
    except UnicodeDecodeError as exc:
        log.warning(
            "%s is not UTF-8 (byte %d); read it as Windows-1252 (cp1252), as Excel saves CSV. "
            "Save it as 'CSV UTF-8' to avoid this guess.",
            path.name,
            exc.start,
        )
        skip = given_skip if given_skip is not None else _header_line(path, "cp1252", expect)
        return pd.read_csv(path, encoding="cp1252", skiprows=skip or None, **options)


_CSV_PREAMBLE_LINES = 20
_SHEET_OPTIONS = ("dtype", "usecols", "nrows", "na_values", "keep_default_na")
_SHEET_CACHE: OrderedDict[tuple[object, ...], pd.DataFrame] = OrderedDict()
_SHEET_CACHE_SIZE = 2


def _freeze(value: object) -> object:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def _read_spreadsheet(
    path: Path,
    sheets: Sequence[str] | None,
    expect: Sequence[Sequence[str]] | None,
    kwargs: dict[str, Any],
) -> pd.DataFrame:
    """Read a spreadsheet, reusing the last reads of the same unchanged file.

    Loading three provider layers from one CQC workbook reads it once. A read
    without sheet or header hints reuses an earlier hinted read of the file.
    """
    options = {k: v for k, v in kwargs.items() if k in _SHEET_OPTIONS}
    if callable(options.get("usecols")):
        return read_sheet(path, sheets=sheets, expect=expect, **options)
    stat = path.stat()
    key = (
        str(path.resolve()),
        stat.st_mtime_ns,
        stat.st_size,
        _freeze(sheets),
        _freeze(expect),
        _freeze({k: str(v) for k, v in options.items()}),
    )
    cached = _SHEET_CACHE.get(key)
    if cached is None and sheets is None and expect is None:
        # no hints: the table an earlier, hinted read of this file found is the one
        cached = next(
            (df for k, df in _SHEET_CACHE.items() if k[:3] == key[:3] and k[5] == key[5]), None
        )
    if cached is None:
        cached = read_sheet(path, sheets=sheets, expect=expect, **options)
        _SHEET_CACHE[key] = cached
        while len(_SHEET_CACHE) > _SHEET_CACHE_SIZE:
            _SHEET_CACHE.popitem(last=False)
    elif key in _SHEET_CACHE:
        _SHEET_CACHE.move_to_end(key)
    return cached.copy()


def read_vector(path: str | os.PathLike[str], **kwargs: object) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage, shapefile or GeoParquet file.

    Parameters
    ----------
    path
        The file to read.
    **kwargs
        Passed to :func:`geopandas.read_file`.

    Returns
    -------
    geopandas.GeoDataFrame
        The features, in the file's own CRS.

    Raises
    ------
    InputFileError
        If the file is missing, unreadable or has no CRS.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(p, "file not found")
    try:
        if p.suffix.lower() == ".parquet":
            gdf = gpd.read_parquet(p)
        else:
            if p.suffix.lower() == ".gpkg" and "layer" not in kwargs:
                kwargs["layer"] = _data_layer(p)
            gdf = gpd.read_file(p, **kwargs)  # type: ignore[arg-type]
    except Exception as exc:  # pyogrio raises many types; all mean "unreadable"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(p, f"cannot read vector file ({first})") from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputFileError(p, "no geometry column")
    if gdf.crs is None:
        raise InputFileError(
            p, "has no CRS; save it with its CRS (EPSG:27700 or EPSG:4326) and try again"
        )
    return gdf


def _data_layer(path: Path) -> str | None:
    """Return the one data layer of a GeoPackage whose other table is ``layer_styles``."""
    import pyogrio

    names = [str(n) for n, _ in pyogrio.list_layers(path) if n != "layer_styles"]
    return names[0] if len(names) == 1 else None


def require_columns(df: pd.DataFrame, columns: list[str] | tuple[str, ...], source: object) -> None:
    """Raise a one-line error naming every required column that *df* lacks.

    Parameters
    ----------
    df
        The table to check.
    columns
        Column names that must be present.
    source
        The file (or description) named in the message.

    Raises
    ------
    InputFileError
        If any column is missing.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, list(df.columns)[:12]))
        raise InputFileError(source, f"missing column(s) {missing}; found: {have}")
