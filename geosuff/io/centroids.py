"""Population-weighted LSOA centroids (the demand point of each LSOA)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import InputFileError
from geosuff.io._tablecache import cached_table
from geosuff.io.estimates import CODE_COLUMNS, pick_column
from geosuff.io.files import read_vector
from geosuff.io.points import _TO_BNG, GB_BOUNDS_EN

__all__ = ["read_centroids"]

_CODE_COLS = CODE_COLUMNS
_pick = pick_column


def _lonlat_or_grid(x: np.ndarray, y: np.ndarray) -> str:
    """Tell WGS84 longitude/latitude from British National Grid metres by their range."""
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    if not len(x):
        return "unknown"
    if (np.abs(x) <= 180).all() and (np.abs(y) <= 90).all():
        return "lonlat"
    minx, miny, maxx, maxy = GB_BOUNDS_EN
    if ((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)).all():
        return "grid"
    return "unknown"


def read_centroids(path: Path, codes: pd.Series | None = None) -> pd.DataFrame:
    """Read population-weighted centroids as EPSG:27700 ``demand_e``/``demand_n`` by code.

    Parameters
    ----------
    path
        A CSV (code plus longitude/latitude, or ONS's ``x``/``y``, whose values say
        whether they are degrees or grid metres) or a GeoJSON/GeoPackage of points.
    codes
        Keep only these LSOAs; ``None`` keeps all.

    Returns
    -------
    pandas.DataFrame
        ``demand_e``, ``demand_n`` (EPSG:27700 metres) indexed by LSOA code.

    Raises
    ------
    InputFileError
        Without a code column or coordinates, or with coordinates that are neither
        degrees nor grid metres in Great Britain.
    """
    if path.suffix.lower() in (".geojson", ".json", ".gpkg", ".parquet"):
        points = read_vector(path).to_crs(settings.crs_metric)
        code_col = _pick(points.columns, _CODE_COLS)
        if code_col is None:
            raise InputFileError(path, "needs an LSOA code column (LSOA11CD or LSOA21CD)")
        table = pd.DataFrame(
            {code_col: points[code_col], "_e": points.geometry.x, "_n": points.geometry.y}
        )
        x_col, y_col, kind = "_e", "_n", "grid"
    else:
        table = cached_table(path)  # parsed once per command, then Parquet-cached
        code_col = _pick(table.columns, _CODE_COLS)
        x_col = _pick(table.columns, ("longitude", "long", "lon", "x", "easting"))
        y_col = _pick(table.columns, ("latitude", "lat", "y", "northing"))
        if code_col is None or x_col is None or y_col is None:
            raise InputFileError(path, "needs an LSOA code column and longitude/latitude or x/y")
        kind = _lonlat_or_grid(table[x_col].to_numpy(float), table[y_col].to_numpy(float))
        if kind == "unknown":
            msg = (
                f"{x_col}/{y_col} are neither longitude/latitude nor British National Grid "
                "metres in Great Britain"
            )
            raise InputFileError(path, msg)
    if codes is not None:
        table = table[table[code_col].isin(codes)]
    table = table.drop_duplicates(code_col)
    x, y = table[x_col].to_numpy(float), table[y_col].to_numpy(float)
    e, n = _TO_BNG.transform(x, y) if kind == "lonlat" else (x, y)
    return pd.DataFrame({"demand_e": e, "demand_n": n}, index=pd.Index(table[code_col]))
