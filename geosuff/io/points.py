"""Place provider rows on the map: coordinates, grid references, or postcode lookup.

Every row either gets a point in EPSG:27700 (with ``coord_source`` saying how) or a
line in the rejects table saying why not. Nothing is guessed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geosuff import settings
from geosuff._errors import GeosuffError
from geosuff.io.postcodes import load_postcodes, normalise_postcodes
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = ["GB_BOUNDS_EN", "GB_BOUNDS_LATLON", "place_rows"]

log = logging.getLogger(__name__)

#: Great Britain in British National Grid metres: (min_e, min_n, max_e, max_n).
GB_BOUNDS_EN = (0.0, 0.0, 700_000.0, 1_300_000.0)
#: Great Britain in WGS84: (min_lon, min_lat, max_lon, max_lat), generous to keep islands.
GB_BOUNDS_LATLON = (-8.8, 49.8, 2.1, 61.0)

_LATLON_IN_TEXT = r"\(\s*(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)\s*\)\s*$"
_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)

PostcodeSource = str | os.PathLike[str] | pd.DataFrame | None


def _numeric(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def _lookup_postcodes(
    postcodes: PostcodeSource, wanted: pd.Series
) -> tuple[pd.DataFrame | None, str]:
    """Return a postcode table covering *wanted* and a label naming where it came from."""
    if isinstance(postcodes, pd.DataFrame):
        return postcodes, "the postcode table"
    if postcodes is None:
        return None, "no postcode file"
    path = Path(postcodes)
    return load_postcodes(path, only=wanted), path.name


def place_rows(
    canon: pd.DataFrame,
    *,
    source: object,
    postcodes: PostcodeSource = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Give every canonical row a point in EPSG:27700, or reject it with a reason.

    The order of preference is: latitude/longitude, eastings/northings, a
    ``(lat, lon)`` at the end of ``location_text``, then the postcode looked up in
    *postcodes*.

    Parameters
    ----------
    canon
        Canonical rows (from :func:`geosuff.io.layerdefs.apply_definition`) with a
        ``line`` column (the row's line in the source file).
    source
        Name of the source, for the rejects table.
    postcodes
        Code-Point Open zip or postcode CSV path, an already loaded postcode table
        (index = normalised postcode, columns ``easting``, ``northing``), or ``None``.

    Returns
    -------
    placed : geopandas.GeoDataFrame
        The rows that could be placed, with ``postcode`` normalised, ``coord_source``
        (``lat_lon``, ``grid``, ``location_text`` or ``postcode``), EPSG:27700 points.
    rejects : pandas.DataFrame
        One row per row that could not be placed.
    """
    df = canon.copy()
    df["postcode"] = normalise_postcodes(df["postcode"]).to_numpy()
    east = pd.Series(np.nan, index=df.index)
    north = pd.Series(np.nan, index=df.index)
    how = pd.Series(pd.NA, index=df.index, dtype="object")
    reason = pd.Series(pd.NA, index=df.index, dtype="object")

    lat, lon = _numeric(df["lat"]), _numeric(df["lon"])
    text_ll = df["location_text"].astype("string").str.extract(_LATLON_IN_TEXT)
    t_lat, t_lon = _numeric(text_ll[0]), _numeric(text_ll[1])
    use_text = lat.isna() & lon.isna() & t_lat.notna() & t_lon.notna()
    lat = lat.where(~use_text, t_lat)
    lon = lon.where(~use_text, t_lon)
    has_ll = lat.notna() & lon.notna()
    min_lon, min_lat, max_lon, max_lat = GB_BOUNDS_LATLON
    ll_in_gb = lat.between(min_lat, max_lat) & lon.between(min_lon, max_lon)
    bad_ll = has_ll & ~ll_in_gb
    reason[bad_ll] = [
        f"coordinates outside Great Britain (lat {a:g}, lon {b:g})"
        for a, b in zip(lat[bad_ll], lon[bad_ll], strict=True)
    ]
    ok_ll = has_ll & ll_in_gb
    if ok_ll.any():
        e, n = _TO_BNG.transform(lon[ok_ll].to_numpy(), lat[ok_ll].to_numpy())
        east[ok_ll], north[ok_ll] = e, n
        how[ok_ll & ~use_text] = "lat_lon"
        how[ok_ll & use_text] = "location_text"

    grid_e, grid_n = _numeric(df["easting"]), _numeric(df["northing"])
    todo = ~has_ll
    has_grid = todo & grid_e.notna() & grid_n.notna()
    min_e, min_n, max_e, max_n = GB_BOUNDS_EN
    grid_in_gb = grid_e.between(min_e, max_e) & grid_n.between(min_n, max_n)
    bad_grid = has_grid & ~grid_in_gb
    reason[bad_grid] = [
        f"grid reference outside Great Britain (E {a:g}, N {b:g})"
        for a, b in zip(grid_e[bad_grid], grid_n[bad_grid], strict=True)
    ]
    ok_grid = has_grid & grid_in_gb
    east[ok_grid], north[ok_grid], how[ok_grid] = grid_e[ok_grid], grid_n[ok_grid], "grid"

    todo = todo & ~has_grid
    no_pc = todo & df["postcode"].isna()
    reason[no_pc] = "no coordinates and no postcode"
    need_pc = todo & df["postcode"].notna()
    if need_pc.any():
        try:
            table, label = _lookup_postcodes(postcodes, df.loc[need_pc, "postcode"])
        except GeosuffError as exc:
            table, label = None, f"postcode file unusable ({exc})"
        if table is None:
            reason[need_pc] = f"no coordinates, and postcode cannot be looked up ({label})"
        else:
            found = df.loc[need_pc, "postcode"].map(table["easting"]).notna()
            hit = found[found].index
            miss = found[~found].index
            east[hit] = df.loc[hit, "postcode"].map(table["easting"]).astype(float)
            north[hit] = df.loc[hit, "postcode"].map(table["northing"]).astype(float)
            how[hit] = "postcode"
            reason[miss] = [
                f"no coordinates, and postcode {pc} not found in {label}"
                for pc in df.loc[miss, "postcode"]
            ]

    failed = reason.notna()
    rejects = (
        make_rejects(
            source,
            df.loc[failed, "line"],
            df.loc[failed, "provider_id"],
            df.loc[failed, "name"],
            reason[failed].astype(str).tolist(),
        )
        if failed.any()
        else empty_rejects()
    )
    placed = df[~failed].copy()
    placed["coord_source"] = how[~failed]
    geometry = gpd.points_from_xy(east[~failed], north[~failed])
    gdf = gpd.GeoDataFrame(placed, geometry=geometry, crs=settings.crs_metric)
    return gdf, rejects
