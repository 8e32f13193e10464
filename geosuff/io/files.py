"""Reading tables (CSV, spreadsheets, Parquet) and vector files, and writing outputs atomically.

Outputs are written to a hidden temporary file beside the final one
(``.<stem>.<host>-<pid>-<token>.tmp<suffix>``) and renamed into place when complete.
A run killed while writing leaves its temporary file behind; the next write to the
same folder removes it once its writer process is gone (:func:`clean_stale_temp_files`
does a whole folder, as ``geosuff batch`` does at start).
"""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import logging
import os
import re
import secrets
import socket
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import GeosuffError, InputFileError, OutputError, ValidationError
from geosuff.io.output_meta import (
    PROVENANCE_KEY,
    sidecar_path,
    to_json,
    write_parquet_metadata,
)
from geosuff.io.qgis_styles import add_layer_styles
from geosuff.io.sheet_tables import read_sheet
from geosuff.io.sheets import is_spreadsheet, normalise_label

__all__ = [
    "atomic_path",
    "clean_stale_temp_files",
    "read_table",
    "read_vector",
    "require_columns",
    "write_table",
]

log = logging.getLogger(__name__)


TABLE_SUFFIXES = (".csv", ".parquet", ".gpkg", ".geojson", ".json")


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


#: Temporary files of other hosts, or of writers that cannot be identified, count as
#: stale after this long.
STALE_AFTER_S = 24 * 3600.0
_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
_TEMP_RE = re.compile(
    r"^\.(?P<stem>.*)\.(?:(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]+|[a-z0-9_]{8})"
    r"\.tmp(?:\.[^./]*)?$"
)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:  # pragma: no cover - platforms without signals
        return True
    return True


def _is_stale(path: Path, now: float) -> bool:
    """Whether a geosuff temporary file was left by a writer that is gone."""
    match = _TEMP_RE.match(path.name)
    if match is None:
        return False
    try:
        age_s = now - path.lstat().st_mtime
    except OSError:
        return False
    if match.group("pid") and match.group("host") == _HOST:
        return not _pid_alive(int(match.group("pid")))
    return age_s > STALE_AFTER_S


def clean_stale_temp_files(
    folder: str | os.PathLike[str], *, pattern: str = ".*.tmp*", recursive: bool = True
) -> list[tuple[Path, int]]:
    """Remove geosuff's temporary files left in *folder* by killed writes.

    A file counts as stale when the process that wrote it (on this machine) is gone;
    one from another machine, or from an older geosuff, when it is a day old.

    Parameters
    ----------
    folder
        The output folder.
    pattern
        Glob of the candidate names.
    recursive
        Look in sub-folders too.

    Returns
    -------
    list of (pathlib.Path, int)
        The files removed and their sizes in bytes.
    """
    root = Path(folder)
    if not root.is_dir():
        return []
    candidates = root.rglob(pattern) if recursive else root.glob(pattern)
    now, removed = time.time(), []
    for path in candidates:
        if path.is_file() and _is_stale(path, now):
            try:
                size = path.stat().st_size
                path.unlink()
            except OSError:
                continue
            removed.append((path, size))
    if removed:
        total = sum(size for _, size in removed)
        log.info(
            "removed %d temporary file(s) left by killed runs in %s (%.1f MB)",
            len(removed),
            root,
            total / 1e6,
        )
    return removed


def _prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(folder, "cannot create the output folder: a file has that name") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(folder, f"cannot create the output folder ({reason})") from exc
    if not folder.is_dir():
        raise OutputError(folder, "is not a folder")


def _about(exc: OSError, paths: tuple[Path, ...]) -> bool:
    """Whether an OS error concerns the output being written (or names no file)."""
    names = {os.fspath(x) for x in (exc.filename, exc.filename2) if x is not None}
    return not names or bool(names & {str(p) for p in paths})


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside *path*, renamed onto *path* only on success.

    Temporary files that killed writes left for the same output are removed first.

    Parameters
    ----------
    path
        The final output path. Its folder is created if needed.

    Yields
    ------
    pathlib.Path
        A temporary file path with the same suffix, in the same folder.

    Raises
    ------
    OutputError
        If the folder cannot be created or written to, or the file cannot be written;
        the message names the folder or the output file, never the temporary file.
    """
    final = Path(path)
    folder = final.parent
    _prepare_folder(folder)
    clean_stale_temp_files(
        folder,
        pattern=f".{glob.escape(final.stem)}.*.tmp{glob.escape(final.suffix)}",
        recursive=False,
    )
    tmp = folder / f".{final.stem}.{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.tmp{final.suffix}"
    try:
        tmp.touch(exist_ok=False)
        tmp.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(folder, f"cannot write in this folder ({reason})") from exc
    try:
        yield tmp
        if final.is_dir():
            raise OutputError(final, "is a folder; give a file name")
        os.replace(tmp, final)
    except GeosuffError:
        raise
    except OSError as exc:
        if not _about(exc, (tmp, final, folder)):
            raise
        reason = exc.strerror or str(exc).replace(str(tmp), str(final)) or type(exc).__name__
        raise OutputError(final, f"cannot write ({reason})") from exc
    except Exception as exc:
        text = str(exc)
        if str(tmp) not in text and tmp.name not in text:
            raise
        first = text.replace(str(tmp), str(final)).replace(tmp.name, final.name).splitlines()[0]
        raise OutputError(final, f"cannot write ({first})") from exc
    finally:
        with contextlib.suppress(OSError):
            if tmp.exists():
                tmp.unlink()


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Write *df* atomically, choosing the format from the file extension.

    ``.csv`` writes CSV (geometry as WKT, coordinates in EPSG:27700); ``.parquet``
    writes GeoParquet (or plain Parquet without geometry); ``.gpkg`` writes a
    GeoPackage layer; ``.geojson`` writes GeoJSON in WGS84; ``.json`` writes records.

    Parameters
    ----------
    df
        The table or GeoDataFrame to write.
    path
        The output file.
    layer
        GeoPackage layer name (default: the file stem).
    provenance
        A record of the sources, vintages and rules behind the table
        (:func:`geosuff.io.output_meta.provenance_record`): stored in the GeoPackage's
        metadata or the Parquet file's key/value metadata, or written beside a CSV,
        JSON or GeoJSON file as ``<name>.sources.json`` (see
        :mod:`geosuff.io.output_meta`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValidationError
        If the extension is not one of the supported ones, or a geographic format
        is asked for a table without geometry.
    """
    final = Path(path)
    suffix = final.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        msg = f"{final}: unsupported output type {suffix!r}; use one of {', '.join(TABLE_SUFFIXES)}"
        raise ValidationError(msg)
    is_geo = isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns
    if suffix in (".gpkg", ".geojson") and not is_geo:
        msg = f"{final}: {suffix} needs geometry; write this table as .csv or .parquet"
        raise ValidationError(msg)
    meta = _gpkg_metadata(provenance) if suffix == ".gpkg" else {}
    with atomic_path(final) as tmp:
        if suffix == ".csv":
            out = pd.DataFrame(df)
            if is_geo:
                out = out.assign(**{df.geometry.name: df.geometry.to_wkt()})
            out.to_csv(tmp, index=False)
        elif suffix == ".parquet":
            df.to_parquet(tmp, index=False)
            if provenance is not None:
                write_parquet_metadata(tmp, provenance)
        elif suffix == ".gpkg":
            df.to_file(tmp, layer=layer or final.stem, driver="GPKG", **meta)
            add_layer_styles(tmp, layer or final.stem, df)  # QGIS styles, as on the map
        elif suffix == ".geojson":
            df.to_crs("EPSG:4326").to_file(tmp, driver="GeoJSON")
        else:
            out = pd.DataFrame(df)
            if is_geo:
                out = out.drop(columns=df.geometry.name)
            out.to_json(tmp, orient="records", indent=1)
    if provenance is not None and suffix in (".csv", ".json", ".geojson"):
        with atomic_path(sidecar_path(final)) as tmp:
            tmp.write_text(to_json(provenance) + "\n", encoding="utf-8")
    return final


def _gpkg_metadata(provenance: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """GDAL layer and dataset metadata holding the provenance record (GPKG)."""
    if provenance is None:
        return {}
    entry = {PROVENANCE_KEY: to_json(provenance)}
    return {"layer_metadata": entry, "dataset_metadata": entry}
