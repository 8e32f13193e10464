"""The ONS Rural-Urban Classification 2011 (RUC11) of LSOAs, and of any point.

The ONS file gives every 2011 LSOA of England and Wales one RUC11 code::

    A1  urban major conurbation            B1  urban minor conurbation
    C1  urban city and town                C2  urban city and town in a sparse setting
    D1  rural town and fringe              D2  rural town and fringe in a sparse setting
    E1  rural village and dispersed        E2  rural village and dispersed in a sparse setting

geosuff uses it as the *setting* of a point for the travel estimate
(:mod:`geosuff.network.fallback`): every point takes the class of the LSOA it lies
in. :func:`read_ruc` reads the file, :func:`ruc_by_lsoa` looks codes up and
:func:`ruc_for_points` places arbitrary points (clients, agencies, seed towns).
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import InputFileError, ValidationError
from geosuff.io.files import read_table
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.rejects import Loaded, make_rejects

__all__ = [
    "RUC11_CODES",
    "read_ruc",
    "ruc_by_lsoa",
    "ruc_for_points",
    "ruc_from_nearest",
    "with_ruc",
]

log = logging.getLogger(__name__)

#: RUC11 codes and their ONS labels.
RUC11_CODES: dict[str, str] = {
    "A1": "Urban major conurbation",
    "B1": "Urban minor conurbation",
    "C1": "Urban city and town",
    "C2": "Urban city and town in a sparse setting",
    "D1": "Rural town and fringe",
    "D2": "Rural town and fringe in a sparse setting",
    "E1": "Rural village and dispersed",
    "E2": "Rural village and dispersed in a sparse setting",
}

_CODE_COLS = ("LSOA11CD", "lsoa11cd", "lsoa_code", "lsoa11_code")
_RUC_COLS = ("RUC11CD", "ruc11cd", "ruc11", "ruc11_code")
_NAME_COLS = ("RUC11", "ruc11nm", "ruc11_name")


def _pick(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def read_ruc(path: str | os.PathLike[str]) -> Loaded:
    """Read the ONS RUC11 lookup of 2011 LSOAs.

    Parameters
    ----------
    path
        CSV/XLSX with an LSOA code column (``LSOA11CD``) and the RUC11 code
        (``RUC11CD``, e.g. ``"C1"``); the label column ``RUC11`` is optional.

    Returns
    -------
    Loaded
        ``data``: ``lsoa_code``, ``ruc11`` (code), ``ruc11_name`` (label), one row per
        LSOA; ``rejects``: rows with an unknown code and duplicate LSOAs (first kept).

    Raises
    ------
    InputFileError
        If the file lacks the LSOA or RUC11 code column.
    """
    p = Path(path)
    raw = read_table(p, dtype=str, keep_default_na=False)
    code_col, ruc_col = _pick(raw.columns, _CODE_COLS), _pick(raw.columns, _RUC_COLS)
    if code_col is None or ruc_col is None:
        have = ", ".join(map(str, list(raw.columns)[:8]))
        raise InputFileError(p, f"needs LSOA11CD and RUC11CD columns (RUC11 lookup); found {have}")
    codes = raw[ruc_col].str.strip().str.upper()
    lines = pd.Series(np.arange(2, len(raw) + 2), index=raw.index)
    bad = ~codes.isin(list(RUC11_CODES))
    dup = raw[code_col].duplicated(keep="first") & ~bad
    source = f"RUC11 ({p.name})"
    rejects = pd.concat(
        [
            make_rejects(
                source,
                lines[bad],
                raw.loc[bad, code_col],
                raw.loc[bad, ruc_col],
                f"unknown RUC11 code (expected one of {', '.join(RUC11_CODES)})",
            ),
            make_rejects(
                source,
                lines[dup],
                raw.loc[dup, code_col],
                raw.loc[dup, ruc_col],
                "duplicate LSOA row (first one used)",
            ),
        ],
        ignore_index=True,
    )
    good = ~bad & ~dup
    data = pd.DataFrame(
        {
            "lsoa_code": raw.loc[good, code_col].str.strip().to_numpy(),
            "ruc11": codes[good].to_numpy(),
        }
    )
    data["ruc11_name"] = data["ruc11"].map(RUC11_CODES)
    if not rejects.empty:
        log.warning("%s: %d rows not used (see rejects)", p.name, len(rejects))
    return Loaded(data, rejects)


@functools.lru_cache(maxsize=4)
def _ruc_table(path: str, mtime_ns: int) -> pd.Series:
    """Return the RUC11 code by LSOA code of a file (read once per file version)."""
    del mtime_ns  # part of the cache key only
    return read_ruc(path).data.set_index("lsoa_code")["ruc11"]


def ruc_by_lsoa(
    lsoa_codes: pd.Series | np.ndarray | list[str],
    *,
    path: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> pd.Series:
    """Look up the RUC11 code of each LSOA.

    Parameters
    ----------
    lsoa_codes
        2011 LSOA codes.
    path
        The RUC11 file; default the data folder's (layout key ``ruc``).
    data_dir
        Data folder, when *path* is not given.

    Returns
    -------
    pandas.Series
        RUC11 code per input code (object dtype), in input order; ``None`` for codes
        not in the file (e.g. 2021 codes), and for every code when the data folder
        has no RUC11 file.
    """
    codes = pd.Series(np.asarray(lsoa_codes, dtype=object))
    missing = pd.Series([None] * len(codes), index=codes.index, dtype=object)
    if path is None:
        try:
            folder = resolve_data_dir(data_dir)
        except FileNotFoundError:
            return missing
        path = find_data_file(folder, "ruc")
        if path is None:
            return missing
    found = codes.map(_ruc_table(str(Path(path).resolve()), Path(path).stat().st_mtime_ns))
    return found.astype(object).where(found.notna(), None)


def ruc_for_points(
    xy: np.ndarray,
    lsoas: gpd.GeoDataFrame,
    *,
    max_dist_m: float = 0.0,
) -> np.ndarray:
    """Give every point the RUC11 code of the LSOA polygon it lies in.

    Parameters
    ----------
    xy
        ``(n, 2)`` EPSG:27700 coordinates (metres).
    lsoas
        LSOA polygons with a ``ruc11`` column (the population layer has one when the
        data folder holds the RUC11 file); reprojected to EPSG:27700 when needed.
    max_dist_m
        A point outside every polygon takes the nearest polygon's code when it is
        within this distance (e.g. a home just over a generalised coastline);
        ``0`` leaves it missing.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` object array of RUC11 codes, ``None`` where the point lies in no
        polygon (or in one without a code). A point on a shared boundary takes the
        smallest code of the polygons touching it, so the answer never depends on
        row order.

    Raises
    ------
    ValidationError
        If *lsoas* has no ``ruc11`` column or *xy* is not ``(n, 2)``.

    Examples
    --------
    >>> ruc = ruc_for_points(clients_xy, layers.population)  # doctest: +SKIP
    """
    pts_xy = np.asarray(xy, dtype=float)
    if pts_xy.ndim != 2 or pts_xy.shape[1] != 2:
        raise ValidationError(f"xy must be an (n, 2) array of coordinates, got {pts_xy.shape}")
    if "ruc11" not in lsoas.columns:
        raise ValidationError("the LSOA polygons have no 'ruc11' column (no RUC11 file?)")
    polys = lsoas if lsoas.crs is None else lsoas.to_crs(settings.crs_metric)
    geoms = np.asarray(polys.geometry.values, dtype=object)
    codes = polys["ruc11"].astype(object).where(polys["ruc11"].notna(), None).to_numpy()
    out = np.full(len(pts_xy), None, dtype=object)
    if not len(pts_xy) or not len(geoms):
        return out
    points = shapely.points(pts_xy)
    tree = shapely.STRtree(geoms)
    pi, gi = tree.query(points, predicate="intersects")
    keep = np.array([codes[g] is not None for g in gi], dtype=bool)
    pi, gi = pi[keep], gi[keep]
    if len(pi):
        # smallest code first, so a boundary point's answer does not follow row order
        order = np.lexsort((codes[gi].astype(str), pi))
        pi, gi = pi[order], gi[order]
        first = np.ones(len(pi), bool)
        first[1:] = pi[1:] != pi[:-1]
        out[pi[first]] = codes[gi[first]]
    if max_dist_m > 0:
        todo = np.flatnonzero([v is None for v in out])
        has = np.array([c is not None for c in codes], dtype=bool)
        if len(todo) and has.any():
            sub = shapely.STRtree(geoms[has])
            src, nearest = sub.query_nearest(
                points[todo], max_distance=max_dist_m, all_matches=False
            )
            out[todo[src]] = codes[has][nearest]
    return out


def ruc_from_nearest(
    xy: np.ndarray,
    ref_xy: np.ndarray,
    ref_ruc: np.ndarray | pd.Series,
    *,
    max_dist_m: float | None = None,
) -> np.ndarray:
    """Give every point the RUC11 code of the nearest reference point that has one.

    Used where LSOA polygons are not at hand, e.g. providers over an area's border
    take the class of the nearest LSOA population-weighted centroid (an LSOA is
    roughly the set of places nearest its centroid, so this is an approximation of
    point in polygon, good enough for a setting).

    Parameters
    ----------
    xy
        ``(n, 2)`` EPSG:27700 coordinates of the points.
    ref_xy
        ``(m, 2)`` EPSG:27700 coordinates of the reference points (e.g. LSOA centroids).
    ref_ruc
        ``(m,)`` their RUC11 codes (``None``/NA where unknown; those are skipped).
    max_dist_m
        Points farther than this from every reference point stay missing.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` object array of codes, ``None`` where no reference point qualifies.
    """
    from scipy.spatial import cKDTree

    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    codes = pd.Series(np.asarray(ref_ruc, dtype=object))
    has = codes.notna().to_numpy()
    out = np.full(len(pts), None, dtype=object)
    if not len(pts) or not has.any():
        return out
    ref = np.asarray(ref_xy, dtype=float).reshape(-1, 2)[has]
    dist, idx = cKDTree(ref).query(pts, k=1)
    ok = np.isfinite(dist) if max_dist_m is None else dist <= max_dist_m
    out[ok] = codes[has].to_numpy()[idx[ok]]
    return out


def with_ruc(points: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return *points* with the ``ruc11`` of the LSOA each lies in, when LSOAs have one.

    The calibrated travel estimate reads each point's setting from ``ruc11``; points
    built on the fly (zone centres, seed towns, sampled clients) get it here. Points
    outside every LSOA take the nearest LSOA's class within 2 km.

    Parameters
    ----------
    points
        Point geometries (any CRS; read in EPSG:27700).
    lsoas
        LSOA polygons; without a ``ruc11`` column *points* are returned unchanged.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``ruc11``, or *points* itself.
    """
    if "ruc11" not in lsoas.columns or points.empty:
        return points
    metric = points.to_crs(settings.crs_metric) if points.crs is not None else points
    xy = np.column_stack([metric.geometry.x, metric.geometry.y])
    return points.assign(ruc11=ruc_for_points(xy, lsoas, max_dist_m=2_000.0))
