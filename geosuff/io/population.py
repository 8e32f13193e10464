"""The population layer: LSOA boundaries joined to single-year-of-age estimates.

Estimates are read as ONS publishes them: the CSV of mid-2020 estimates, the
mid-2020 workbook (sheet ``Mid-2020 Persons``, header on row 5) and the current
workbook on 2021 LSOAs (sheets ``Mid-2022 LSOA 2021`` ..., header on row 4,
columns split by sex ``F0`` .. ``F90``, ``M0`` .. ``M90``, summed here). The
layer is built on 2011 LSOAs (``geography="lsoa11"``, the default) or on 2021
LSOAs (``"lsoa21"``); the data's ``attrs`` say which (``geography``) and for which
mid-year (``estimate_year``). Boundaries and estimates on different LSOA
geographies are refused with a one-line error.

Canonical columns: ``lsoa_code``, ``lsoa_name``, ``la_code``, ``la_name``, ``utla_code``,
``pop_total``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``, ``demand_e``,
``demand_n`` (the demand point in EPSG:27700), ``demand_source``
(``pop_weighted_centroid`` or ``representative_point``), ``ruc11`` (the ONS
Rural-Urban Classification 2011 code, e.g. ``"C1"``, from the data folder's RUC11 file;
``None`` when the file or the LSOA is absent from it) and the LSOA polygon as
geometry, in EPSG:27700.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import DataMissingError, InputFileError, ValidationError
from geosuff.io.areas import Area
from geosuff.io.centroids import read_centroids as _read_centroids
from geosuff.io.estimates import (
    AGE_BANDS,
    CODE_COLUMNS,
    GEOGRAPHIES,
    pick_column,
    read_population_estimates,
)
from geosuff.io.files import read_vector
from geosuff.io.layout import LAYOUT, data_file, find_data_file, resolve_data_dir
from geosuff.io.points import GB_BOUNDS_EN
from geosuff.io.rejects import Loaded, empty_rejects, make_rejects
from geosuff.io.ruc import ruc_by_lsoa

__all__ = [
    "GEOGRAPHIES",
    "POPULATION_COLUMNS",
    "demand_points",
    "load_lsoa_boundaries",
    "load_population",
    "read_population_estimates",
]

log = logging.getLogger(__name__)

POPULATION_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "la_code",
    "la_name",
    "utla_code",
    "pop_total",
    "pop_65plus",
    "pop_75plus",
    "pop_85plus",
    "demand_e",
    "demand_n",
    "demand_source",
    "ruc11",
]

_NAME_COLS = ("LSOA11NM", "lsoa11nm", "lsoa11_name", "lsoa_name", "LSOA21NM", "LSOA 2021 Name")
_LA_COLS = ("LADCD_ACTIVE", "LAD22CD", "LAD21CD", "LAD11CD", "la_code", "ladcd")
_UTLA_COLS = ("UTLACD", "utla_code")
_CODE_COLS = CODE_COLUMNS
_AGE_BANDS = AGE_BANDS
_LAYOUT_KEYS = {
    "lsoa11": ("lsoa_boundaries", "population", "lsoa_centroids"),
    "lsoa21": ("lsoa21_boundaries", "population_lsoa21", "lsoa21_centroids"),
}


_pick = pick_column


def _lsoa_file_for(area: Area, data_dir: Path, key: str = "lsoa_boundaries") -> Path:
    """Find the per-authority LSOA file holding *area* (its own, or its county's)."""
    own = find_data_file(data_dir, key, code=area.code)
    if own is not None:
        return own
    import pyogrio

    pattern = LAYOUT[key].format(code="*")
    for path in sorted(data_dir.glob(pattern)):
        try:
            info = pyogrio.read_dataframe(path, columns=["LADCD_ACTIVE"], read_geometry=False)
        except Exception:
            continue
        if info["LADCD_ACTIVE"].isin(area.district_codes).any():
            return path
    return data_file(data_dir, key, code=area.code, area=area.name)


def load_lsoa_boundaries(path: str | os.PathLike[str]) -> Loaded:
    """Read LSOA polygons to EPSG:27700 and repair invalid ones (each repair reported).

    Parameters
    ----------
    path
        ONS LSOA boundaries (GeoJSON, GeoPackage, shapefile, GeoParquet).

    Returns
    -------
    Loaded
        ``data``: ``lsoa_code``, ``lsoa_name``, ``la_code``, ``utla_code``, geometry;
        ``rejects``: repaired polygons (``action="repaired"``) and rows without a code
        or geometry (rejected).
    """
    p = Path(path)
    gdf = read_vector(p)
    code_col = _pick(gdf.columns, _CODE_COLS)
    if code_col is None:
        raise InputFileError(p, "no LSOA code column (LSOA11CD or lsoa_code)")
    name_col = _pick(gdf.columns, _NAME_COLS)
    la_col = _pick(gdf.columns, _LA_COLS)
    utla_col = _pick(gdf.columns, _UTLA_COLS)
    out = gpd.GeoDataFrame(
        {
            "lsoa_code": gdf[code_col].astype(str),
            "lsoa_name": gdf[name_col] if name_col else gdf[code_col],
            "la_code": gdf[la_col] if la_col else pd.NA,
            "utla_code": gdf[utla_col] if utla_col else pd.NA,
            "_line": np.arange(1, len(gdf) + 1),
        },
        geometry=gdf.geometry.to_crs(settings.crs_metric),
        crs=settings.crs_metric,
    )
    source = f"LSOA boundaries ({p.name})"
    minx, miny, maxx, maxy = out.total_bounds
    if len(out) and not (
        np.isfinite([minx, miny, maxx, maxy]).all()
        and minx >= GB_BOUNDS_EN[0]
        and miny >= GB_BOUNDS_EN[1]
        and maxx <= GB_BOUNDS_EN[2]
        and maxy <= GB_BOUNDS_EN[3]
    ):
        msg = (
            f"polygons fall outside Great Britain once read as {gdf.crs}: is the file's CRS right?"
        )
        raise InputFileError(p, msg)
    empty = out.geometry.isna() | out.geometry.is_empty
    invalid = ~empty & ~out.geometry.is_valid
    reasons = [
        f"invalid polygon repaired ({shapely.is_valid_reason(g)})" for g in out.geometry[invalid]
    ]
    if invalid.any():
        fixed = shapely.make_valid(out.geometry[invalid].to_numpy())
        polys = [
            shapely.unary_union(
                [
                    part
                    for part in shapely.get_parts(g)
                    if part.geom_type in ("Polygon", "MultiPolygon")
                ]
            )
            for g in fixed
        ]
        out.loc[invalid, "geometry"] = polys
        log.info("%s: repaired %d invalid polygons", p.name, int(invalid.sum()))
    rejects = pd.concat(
        [
            make_rejects(
                source,
                out.loc[invalid, "_line"],
                out.loc[invalid, "lsoa_code"],
                out.loc[invalid, "lsoa_name"],
                reasons,
                action="repaired",
            ),
            make_rejects(
                source,
                out.loc[empty, "_line"],
                out.loc[empty, "lsoa_code"],
                out.loc[empty, "lsoa_name"],
                "no geometry",
            ),
        ],
        ignore_index=True,
    )
    data = out[~empty].drop(columns="_line").reset_index(drop=True)
    code_label = str(code_col).lower()
    data.attrs["geography"] = (
        "lsoa21" if "21" in code_label else "lsoa11" if "11" in code_label else None
    )
    return Loaded(data, rejects)


def load_population(
    area: Area | None = None,
    *,
    lsoa: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
    centroids: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    geography: str = "lsoa11",
    year: int | None = None,
) -> Loaded:
    """Load the population layer for an area (or for every LSOA in *lsoa*).

    Parameters
    ----------
    area
        A resolved area (:func:`geosuff.resolve_area`); its LSOAs are those whose local
        authority is one of the area's districts. ``None`` keeps every LSOA in *lsoa*.
    lsoa
        LSOA boundary file; default the data folder's file for the area.
    population
        Single-year-of-age estimates; default the data folder's ONS file.
    centroids
        Population-weighted centroids (code, longitude, latitude); default the data
        folder's file when present, else each LSOA's representative point is used.
    data_dir
        Data folder, resolved as ``--data`` / ``GEOSUFF_DATA`` / ``../shared/data``.
    geography
        ``"lsoa11"`` (2011 LSOAs: the mid-2020 estimates) or ``"lsoa21"`` (2021
        LSOAs: ONS's current estimates); chooses the data folder's boundaries,
        estimates and centroids.
    year
        Mid-year of the estimates, for workbooks holding several (default latest).

    Returns
    -------
    Loaded
        ``data``: GeoDataFrame (EPSG:27700) with :data:`POPULATION_COLUMNS`, polygon
        geometry, and ``attrs`` ``geography`` (e.g. ``"2011 LSOAs"``) and
        ``estimate_year``; ``rejects``: repaired polygons, LSOAs without estimates,
        bad rows.

    Raises
    ------
    InputFileError
        If the boundaries and the estimates are on different LSOA geographies
        (2011 and 2021 codes cannot be joined directly).
    """
    if geography not in GEOGRAPHIES:
        msg = f"geography {geography!r} is not one of {', '.join(GEOGRAPHIES)}"
        raise ValidationError(msg)
    lsoa_key, population_key, centroids_key = _LAYOUT_KEYS[geography]
    folder = resolve_data_dir(data_dir) if None in (lsoa, population) else None
    if lsoa is None:
        if area is None or folder is None:
            msg = "give an area or an LSOA boundary file"
            raise DataMissingError(msg)
        lsoa = _lsoa_file_for(area, folder, lsoa_key)
    boundaries, rejects_b = load_lsoa_boundaries(lsoa)
    lsoa_geography = boundaries.attrs.get("geography")
    if area is not None:
        in_area = boundaries["la_code"].isin(area.district_codes) | boundaries["utla_code"].eq(
            area.code
        )
        if boundaries["la_code"].isna().all():
            in_area[:] = True
        boundaries = boundaries[in_area].reset_index(drop=True)
        rejects_b = rejects_b[rejects_b["id"].isin(boundaries["lsoa_code"])]
    if boundaries.empty:
        raise InputFileError(Path(lsoa), f"no LSOAs for {area.name if area else 'the area'}")
    if population is None:
        population = data_file(folder, population_key, area=area.name if area else None)  # type: ignore[arg-type]
    estimates, rejects_p = read_population_estimates(
        population, codes=set(boundaries["lsoa_code"]), year=year
    )
    _check_same_geography(
        Path(population), estimates.attrs.get("geography"), Path(lsoa), lsoa_geography
    )
    merged = boundaries.join(estimates, on="lsoa_code")
    if merged["la_code"].isna().all() and estimates.attrs.get("la_codes"):
        merged["la_code"] = merged["lsoa_code"].map(estimates.attrs["la_codes"])
    no_pop = merged["pop_total"].isna()
    rejects_missing = make_rejects(
        f"LSOA boundaries ({Path(lsoa).name})",
        merged.index[no_pop] + 1,
        merged.loc[no_pop, "lsoa_code"],
        merged.loc[no_pop, "lsoa_name"],
        f"no population estimate in {Path(population).name}",
    )
    merged = merged[~no_pop].copy()
    names = dict(zip(area.district_codes, area.district_names, strict=True)) if area else {}
    merged["la_name"] = merged["la_code"].map(names)
    if centroids is None and folder is not None:
        centroids = find_data_file(folder, centroids_key)
    rep = merged.geometry.representative_point()
    merged["demand_e"], merged["demand_n"] = rep.x, rep.y
    merged["demand_source"] = "representative_point"
    if centroids is not None:
        pwc = _read_centroids(Path(centroids), merged["lsoa_code"])
        has = merged["lsoa_code"].isin(pwc.index)
        merged.loc[has, "demand_e"] = merged.loc[has, "lsoa_code"].map(pwc["demand_e"])
        merged.loc[has, "demand_n"] = merged.loc[has, "lsoa_code"].map(pwc["demand_n"])
        merged.loc[has, "demand_source"] = "pop_weighted_centroid"
        if (~has).any():
            log.info("%d LSOAs have no weighted centroid; using a point inside", (~has).sum())
    merged["ruc11"] = ruc_by_lsoa(merged["lsoa_code"], data_dir=folder or data_dir).to_numpy()
    data = gpd.GeoDataFrame(
        merged[[*POPULATION_COLUMNS, "geometry"]].reset_index(drop=True),
        geometry="geometry",
        crs=settings.crs_metric,
    )
    data.attrs.update(
        geography=GEOGRAPHIES[lsoa_geography or estimates.attrs.get("geography") or geography],
        estimate_year=estimates.attrs.get("estimate_year"),
    )
    parts = [r for r in (rejects_b, rejects_p, rejects_missing) if not r.empty]
    return Loaded(data, pd.concat(parts, ignore_index=True) if parts else empty_rejects())


def _check_same_geography(
    population: Path, population_geography: str | None, lsoa: Path, lsoa_geography: str | None
) -> None:
    """Refuse estimates and boundaries on different LSOA geographies (one line)."""
    if population_geography and lsoa_geography and population_geography != lsoa_geography:
        msg = (
            f"estimates on {GEOGRAPHIES[population_geography]} cannot be joined to the "
            f"{GEOGRAPHIES[lsoa_geography]} of {lsoa.name}: use boundaries, centroids and "
            f"estimates of one geography (geography='{population_geography}' reads the "
            f"data folder's {GEOGRAPHIES[population_geography]})"
        )
        raise InputFileError(population, msg)


def demand_points(population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the population layer with its demand points as geometry.

    Parameters
    ----------
    population
        The population layer (:func:`load_population`).

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns, point geometry at (``demand_e``, ``demand_n``), EPSG:27700.
    """
    points = gpd.points_from_xy(population["demand_e"], population["demand_n"])
    return gpd.GeoDataFrame(
        population.drop(columns="geometry"), geometry=points, crs=settings.crs_metric
    )
