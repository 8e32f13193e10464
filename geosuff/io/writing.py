"""Writing outputs atomically, with their provenance.

Outputs are written to a hidden temporary file beside the final one
(``.<stem>.<host>-<pid>-<token>.tmp<suffix>``) and renamed into place when complete.
A run killed while writing leaves its temporary file behind; the next write to the
same folder removes it once its writer process is gone (:func:`clean_stale_temp_files`
does a whole folder, as ``geosuff batch`` does at start).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import logging
import os
import re
import secrets
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import GeosuffError, OutputError, ValidationError
from geosuff.io.output_meta import (
    PROVENANCE_KEY,
    sidecar_path,
    to_json,
    write_parquet_metadata,
)
from geosuff.io.qgis_styles import add_layer_styles

__all__ = ["TABLE_SUFFIXES", "atomic_path", "clean_stale_temp_files", "write_table"]

log = logging.getLogger(__name__)

#: Output formats, chosen by the file's extension.
TABLE_SUFFIXES = (".csv", ".parquet", ".gpkg", ".geojson", ".json")


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
