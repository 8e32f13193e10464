"""Read a zoning against an area: polygons, LSOA/ward tables or a proposal, with input problems."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import InputFileError, ValidationError
from geosuff.analysis.joins import load_zones
from geosuff.io.area_layers import AreaLayers
from geosuff.io.files import read_table, read_vector
from geosuff.io.population import demand_points
from geosuff.io.wards import load_wards
from geosuff.zones.propose import zone_polygons
from geosuff.zones.rules import PROBLEM_COLUMNS, ZoneThresholds, problem

__all__ = ["Zoning", "read_zoning"]

log = logging.getLogger(__name__)

_ZONE_COLS = ("zone", "zone_name", "name")


class Zoning(NamedTuple):
    """A zoning read against an area.

    Attributes
    ----------
    assignment
        ``lsoa_code``, ``zone`` (missing when in none), ``n_zones`` (how many zones
        claim the LSOA).
    polygons
        Zone outlines as given (polygon files) or dissolved from LSOAs (tables).
    problems
        Input problems found while reading (:data:`PROBLEM_COLUMNS`).
    source
        Where the zoning came from.
    """

    assignment: pd.DataFrame
    polygons: gpd.GeoDataFrame
    problems: pd.DataFrame
    source: str


def _pick(columns: pd.Index, names: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def _from_polygons(
    polys: gpd.GeoDataFrame, layers: AreaLayers, source: str, th: ZoneThresholds
) -> Zoning:
    problems: list[dict] = []
    name_col = _pick(polys.columns, _ZONE_COLS)
    if name_col is None:
        raise InputFileError(Path(source), "no zone name column (zone or name)")
    polys = polys.rename(columns={name_col: "zone"})[["zone", "geometry"]]
    polys = polys.to_crs(settings.crs_metric)
    bounds = polys.geometry.bounds.to_numpy()
    bad = ~np.isfinite(bounds).all(axis=1) & ~polys.geometry.is_empty.to_numpy()
    if bad.all() and len(polys):
        msg = (
            f"{source}: zone coordinates do not convert to British National Grid; is the "
            f"file's CRS right (read as {polys.crs})?"
        )
        raise ValidationError(msg)
    for name in polys.loc[bad, "zone"]:
        problems.append(problem(name, "bad_coordinates", 1, 0, "coordinates out of range"))
    polys = polys[~bad]
    empty = polys.geometry.isna() | polys.geometry.is_empty
    for name in polys.loc[empty, "zone"]:
        problems.append(problem(name, "empty_geometry", 0, "", "zone has no geometry; ignored"))
    polys = polys[~empty].copy()
    invalid = ~polys.geometry.is_valid
    if invalid.any():
        fixed = polys.geometry[invalid].make_valid()
        change_km2 = (fixed.area - polys.geometry[invalid].buffer(0).area).abs() / 1e6
        for name, km2 in zip(polys.loc[invalid, "zone"], change_km2, strict=True):
            if km2 > th.max_gap_km2:
                problems.append(
                    problem(
                        name,
                        "invalid_geometry",
                        round(float(km2), 3),
                        th.max_gap_km2,
                        "zone polygon invalid (km2 changed by repair); checked after repair",
                    )
                )
            else:
                log.warning("zone %s: tiny self-intersection repaired (%.4f km2)", name, km2)
        polys.loc[invalid, "geometry"] = fixed
    dup = polys["zone"].duplicated(keep=False)
    for name in sorted(set(polys.loc[dup, "zone"])):
        n = int((polys["zone"] == name).sum())
        problems.append(problem(name, "duplicate_zone_name", n, 1, f"{n} features share this name"))
    area = layers.population.geometry.union_all()
    outside = ~polys.intersects(area)
    if outside.all():
        msg = (
            f"{source}: no zone overlaps {layers.area.name}; is the file's CRS right "
            f"(read as {polys.crs})?"
        )
        raise ValidationError(msg)
    for name in polys.loc[outside, "zone"]:
        problems.append(problem(name, "zone_outside_area", 1, 0, "zone lies outside the area"))
    polys = polys[~outside].dissolve("zone").reset_index()
    points = demand_points(layers.population)[["lsoa_code", "geometry"]]
    joined = gpd.sjoin(points, polys, how="left", predicate="within")
    counts = joined.groupby("lsoa_code")["zone"].nunique()
    first = joined.sort_values("zone").drop_duplicates("lsoa_code").set_index("lsoa_code")
    assignment = pd.DataFrame(
        {
            "lsoa_code": layers.population["lsoa_code"],
            "zone": layers.population["lsoa_code"].map(first["zone"]),
            "n_zones": layers.population["lsoa_code"].map(counts).fillna(0).astype(int),
        }
    )
    zone_union = polys.geometry.union_all()
    gaps = shapely.get_parts(area.difference(zone_union))
    gap_areas = np.array([g.area for g in gaps]) / 1e6
    big = gap_areas > th.max_gap_km2
    if big.any():
        problems.append(
            problem(
                "(all)",
                "polygon_gap",
                round(float(gap_areas[big].sum()), 3),
                th.max_gap_km2,
                f"{int(big.sum())} pieces of the area (km2) lie in no zone",
            )
        )
    left, right = polys.sindex.query(polys.geometry, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        km2 = polys.geometry.iloc[i].intersection(polys.geometry.iloc[j]).area / 1e6
        if km2 > th.max_overlap_km2:
            a, b = polys["zone"].iloc[i], polys["zone"].iloc[j]
            problems.append(
                problem(
                    a,
                    "polygon_overlap",
                    round(km2, 3),
                    th.max_overlap_km2,
                    f"overlaps zone {b} (km2)",
                )
            )
    return Zoning(assignment, polys, pd.DataFrame(problems, columns=PROBLEM_COLUMNS), source)


def _from_table(path: Path, layers: AreaLayers, data_dir: object) -> Zoning:
    table = read_table(path, dtype=str)
    zone_col = _pick(table.columns, _ZONE_COLS)
    if zone_col is None:
        raise InputFileError(path, "no zone column (zone or zone_name)")
    problems: list[dict] = []
    lsoa_col = _pick(table.columns, ("lsoa_code", "lsoa11cd", "lsoa11_code", "lsoa21cd"))
    wards = None if lsoa_col else load_wards(layers.area, data_dir=data_dir)  # type: ignore[arg-type]
    loaded = load_zones(path, layers.population, wards=wards)
    assignment = loaded.data.copy()
    if lsoa_col is not None:
        counts = table.groupby(lsoa_col)[zone_col].nunique()
        assignment["n_zones"] = assignment["lsoa_code"].map(counts).fillna(0).astype(int)
    else:
        assignment["n_zones"] = assignment["zone"].notna().astype(int)
    for _, row in loaded.rejects.iterrows():
        if row["action"] == "rejected":
            problems.append(problem(row["name"], "unknown_member", row["id"], "", row["reason"]))
    polys = zone_polygons(layers.population, assignment)[["zone", "geometry"]]
    return Zoning(assignment, polys, pd.DataFrame(problems, columns=PROBLEM_COLUMNS), str(path))


def read_zoning(
    zones: str | os.PathLike[str] | gpd.GeoDataFrame | pd.DataFrame,
    layers: AreaLayers,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    thresholds: ZoneThresholds | None = None,
) -> Zoning:
    """Read zones (polygons, an LSOA/ward table, or a proposal) against an area.

    Parameters
    ----------
    zones
        Zone polygons file (GeoJSON/GPKG/shapefile/GeoParquet with ``zone`` or
        ``name``), CSV/XLSX assigning ``lsoa_code`` or ``ward_code``/``ward_name`` to
        ``zone``, a GeoDataFrame of polygons, or a DataFrame ``lsoa_code``/``zone``.
    layers
        The area's layers.
    data_dir
        Data folder (wards for ward tables).
    thresholds
        Gap/overlap tolerances.

    Returns
    -------
    Zoning
        The LSOA assignment, outlines and input problems.
    """
    th = thresholds or ZoneThresholds()
    if isinstance(zones, gpd.GeoDataFrame):
        return _from_polygons(zones, layers, "zones", th)
    if isinstance(zones, pd.DataFrame):
        assignment = zones[["lsoa_code", "zone"]].copy()
        assignment = layers.population[["lsoa_code"]].merge(assignment, how="left")
        assignment["n_zones"] = assignment["zone"].notna().astype(int)
        polys = zone_polygons(layers.population, assignment)[["zone", "geometry"]]
        return Zoning(assignment, polys, pd.DataFrame(columns=PROBLEM_COLUMNS), "proposal")
    path = Path(zones)
    if path.suffix.lower() in (".csv", ".xlsx"):
        return _from_table(path, layers, data_dir)
    return _from_polygons(read_vector(path), layers, str(path), th)
