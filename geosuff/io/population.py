"""The population layer: LSOA boundaries joined to single-year-of-age estimates.

Canonical columns: ``lsoa_code``, ``lsoa_name``, ``la_code``, ``la_name``, ``utla_code``,
``pop_total``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``, ``demand_e``,
``demand_n`` (the demand point in EPSG:27700), ``demand_source``
(``pop_weighted_centroid`` or ``representative_point``) and the LSOA polygon as
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
from geosuff._errors import DataMissingError, InputFileError
from geosuff.io._tablecache import cached_table
from geosuff.io.areas import Area
from geosuff.io.files import read_vector
from geosuff.io.layout import LAYOUT, data_file, find_data_file, resolve_data_dir
from geosuff.io.points import _TO_BNG, GB_BOUNDS_EN
from geosuff.io.rejects import Loaded, empty_rejects, make_rejects

__all__ = [
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
]

_CODE_COLS = ("LSOA11CD", "lsoa11cd", "lsoa11_code", "lsoa_code", "LSOA21CD", "lsoa21cd")
_NAME_COLS = ("LSOA11NM", "lsoa11nm", "lsoa11_name", "lsoa_name", "LSOA21NM")
_LA_COLS = ("LADCD_ACTIVE", "LAD22CD", "LAD21CD", "LAD11CD", "la_code", "ladcd")
_UTLA_COLS = ("UTLACD", "utla_code")
_AGE_BANDS = {"pop_65plus": 65, "pop_75plus": 75, "pop_85plus": 85}


def _pick(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def _age_columns(columns: pd.Index) -> dict[int, str]:
    """Map single years of age (0..90, where 90 means 90+) to their column names."""
    ages: dict[int, str] = {}
    for col in columns:
        text = str(col).strip().lower().removeprefix("age_").removeprefix("age ")
        if text in ("90+", "90plus", "90 and over"):
            ages[90] = col
        elif text.isdigit() and int(text) <= 90:
            ages.setdefault(int(text), col)
    return ages


def read_population_estimates(
    path: str | os.PathLike[str], *, codes: set[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read LSOA population estimates by single year of age (or ready-made totals).

    Parameters
    ----------
    path
        ONS small-area estimates as CSV/XLSX: an LSOA code column and single-year
        columns ``0`` .. ``89`` and ``90+`` plus a total; or a table that already has
        ``pop_total``, ``pop_65plus``, ``pop_75plus`` and ``pop_85plus``.
    codes
        Keep only these LSOAs (read faster for one area).

    Returns
    -------
    estimates : pandas.DataFrame
        Indexed by ``lsoa_code``, columns ``pop_total``, ``pop_65plus``,
        ``pop_75plus``, ``pop_85plus``.
    rejects : pandas.DataFrame
        Duplicate LSOA rows and rows with non-numeric or negative counts.
    """
    p = Path(path)
    raw = cached_table(p, dtype=str)  # parsed once per command, then Parquet-cached
    code_col = _pick(raw.columns, _CODE_COLS)
    if code_col is None:
        raise InputFileError(p, "no LSOA code column (lsoa11_code, LSOA11CD or lsoa_code)")
    raw["_line"] = np.arange(2, len(raw) + 2)
    if codes is not None:
        raw = raw[raw[code_col].isin(codes)]
    ready = all(c in raw.columns for c in ("pop_total", *_AGE_BANDS))
    ages = _age_columns(raw.columns)
    if not ready and sorted(ages) != list(range(91)):
        missing = sorted(set(range(91)) - set(ages))
        raise InputFileError(
            p,
            "needs single-year-of-age columns 0..89 and 90+ (or pop_total, pop_65plus, "
            f"pop_75plus, pop_85plus); missing ages {missing[:5]}",
        )
    total_col = _pick(raw.columns, ("total_population", "pop_total", "all ages", "all_ages"))
    if ready:
        numbers = raw[["pop_total", *_AGE_BANDS]].apply(pd.to_numeric, errors="coerce")
    else:
        by_age = raw[[ages[a] for a in range(91)]].apply(pd.to_numeric, errors="coerce")
        by_age.columns = list(range(91))
        numbers = pd.DataFrame(index=raw.index)
        numbers["pop_total"] = (
            pd.to_numeric(raw[total_col], errors="coerce")
            if total_col
            else by_age.sum(axis=1, min_count=91)
        )
        for name, start in _AGE_BANDS.items():
            numbers[name] = by_age.loc[:, start:90].sum(axis=1, min_count=91 - start)
    bad = numbers.isna().any(axis=1) | numbers.lt(0).any(axis=1)
    dup = raw[code_col].duplicated(keep="first") & ~bad
    rejects = pd.concat(
        [
            make_rejects(
                f"population ({p.name})",
                raw.loc[bad, "_line"],
                raw.loc[bad, code_col],
                [None] * int(bad.sum()),
                "population counts missing, not numeric or negative",
            ),
            make_rejects(
                f"population ({p.name})",
                raw.loc[dup, "_line"],
                raw.loc[dup, code_col],
                [None] * int(dup.sum()),
                "duplicate LSOA row (first one used)",
            ),
        ],
        ignore_index=True,
    )
    good = ~bad & ~dup
    out = numbers[good].astype(float).copy()
    out.index = pd.Index(raw.loc[good, code_col], name="lsoa_code")
    return out, rejects


def _lsoa_file_for(area: Area, data_dir: Path) -> Path:
    """Find the per-authority LSOA file holding *area* (its own, or its county's)."""
    own = find_data_file(data_dir, "lsoa_boundaries", code=area.code)
    if own is not None:
        return own
    import pyogrio

    pattern = LAYOUT["lsoa_boundaries"].format(code="*")
    for path in sorted(data_dir.glob(pattern)):
        try:
            info = pyogrio.read_dataframe(path, columns=["LADCD_ACTIVE"], read_geometry=False)
        except Exception:
            continue
        if info["LADCD_ACTIVE"].isin(area.district_codes).any():
            return path
    return data_file(data_dir, "lsoa_boundaries", code=area.code, area=area.name)


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
    return Loaded(out[~empty].drop(columns="_line").reset_index(drop=True), rejects)


def _read_centroids(path: Path, codes: pd.Series | None = None) -> pd.DataFrame:
    """Read population-weighted centroids as EPSG:27700 ``demand_e``/``demand_n`` by code.

    ``codes`` keeps only those LSOAs; ``None`` keeps all.
    """
    table = cached_table(path)
    code_col = _pick(table.columns, _CODE_COLS)
    lon_col = _pick(table.columns, ("longitude", "long", "lon", "x"))
    lat_col = _pick(table.columns, ("latitude", "lat", "y"))
    if code_col is None or lon_col is None or lat_col is None:
        raise InputFileError(path, "needs an LSOA code column and longitude/latitude")
    if codes is not None:
        table = table[table[code_col].isin(codes)]
    table = table.drop_duplicates(code_col)
    e, n = _TO_BNG.transform(table[lon_col].to_numpy(float), table[lat_col].to_numpy(float))
    return pd.DataFrame({"demand_e": e, "demand_n": n}, index=pd.Index(table[code_col]))


def load_population(
    area: Area | None = None,
    *,
    lsoa: str | os.PathLike[str] | None = None,
    population: str | os.PathLike[str] | None = None,
    centroids: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
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

    Returns
    -------
    Loaded
        ``data``: GeoDataFrame (EPSG:27700) with :data:`POPULATION_COLUMNS`, polygon
        geometry; ``rejects``: repaired polygons, LSOAs without estimates, bad rows.
    """
    folder = resolve_data_dir(data_dir) if None in (lsoa, population) else None
    if lsoa is None:
        if area is None or folder is None:
            msg = "give an area or an LSOA boundary file"
            raise DataMissingError(msg)
        lsoa = _lsoa_file_for(area, folder)
    boundaries, rejects_b = load_lsoa_boundaries(lsoa)
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
        population = data_file(folder, "population", area=area.name if area else None)  # type: ignore[arg-type]
    estimates, rejects_p = read_population_estimates(population, codes=set(boundaries["lsoa_code"]))
    merged = boundaries.join(estimates, on="lsoa_code")
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
        centroids = find_data_file(folder, "lsoa_centroids")
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
    data = gpd.GeoDataFrame(
        merged[[*POPULATION_COLUMNS, "geometry"]].reset_index(drop=True),
        geometry="geometry",
        crs=settings.crs_metric,
    )
    parts = [r for r in (rejects_b, rejects_p, rejects_missing) if not r.empty]
    return Loaded(data, pd.concat(parts, ignore_index=True) if parts else empty_rejects())


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
