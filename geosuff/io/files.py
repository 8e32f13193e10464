"""Reading tables and vector files, and writing outputs atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.output_meta import (
    PROVENANCE_KEY,
    sidecar_path,
    to_json,
    write_parquet_metadata,
)
from geosuff.io.qgis_styles import add_layer_styles

__all__ = ["atomic_path", "read_table", "read_vector", "require_columns", "write_table"]

TABLE_SUFFIXES = (".csv", ".parquet", ".gpkg", ".geojson", ".json")


def read_table(path: str | os.PathLike[str], **kwargs: object) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet table, raising a one-line error on failure.

    Parameters
    ----------
    path
        The file to read.
    **kwargs
        Passed to :func:`pandas.read_csv` (CSV only).

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
        if suffix in (".xlsx", ".xls", ".ods"):
            return pd.read_excel(p)
        if suffix == ".parquet":
            return pd.read_parquet(p)
        return pd.read_csv(p, encoding="utf-8-sig", low_memory=False, **kwargs)  # type: ignore[arg-type]
    except (ValueError, OSError, UnicodeDecodeError, ImportError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(p, f"cannot read table ({first})") from exc


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


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside *path*, renamed onto *path* only on success.

    Parameters
    ----------
    path
        The final output path. Its folder is created if needed.

    Yields
    ------
    pathlib.Path
        A temporary file path with the same suffix, in the same folder.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
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
