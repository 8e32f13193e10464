"""Check a zoning: coverage, contiguity, balance and travel, with a list of problems.

Every problem carries the zone, the rule, the figure and the threshold, so a zone
file can be checked in a pipeline (``geosuff zones check --fail-on-problems``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import InputFileError, ValidationError
from geosuff._thresholds import thresholds_from_mapping
from geosuff.analysis.gaps import find_gaps
from geosuff.analysis.joins import load_zones
from geosuff.analysis.clients import sample_clients
from geosuff.analysis.runs import care_runs
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers
from geosuff.io.files import read_table, read_vector
from geosuff.io.population import demand_points
from geosuff.io.wards import load_wards
from geosuff.zones.adjacency import lsoa_adjacency, parts_by_adjacency, parts_by_road
from geosuff.zones.propose import zone_polygons

__all__ = ["PROBLEM_COLUMNS", "ZoneCheck", "ZoneThresholds", "check_zones", "read_zoning"]

log = logging.getLogger(__name__)

PROBLEM_COLUMNS = ["zone", "rule", "figure", "threshold", "detail"]
_ZONE_COLS = ("zone", "zone_name", "name")


@dataclass(frozen=True)
class ZoneThresholds:
    """Thresholds of the zone checks (defaults are assumptions to tune per council).

    Attributes
    ----------
    max_gap_km2, max_overlap_km2
        Polygon gaps / overlaps inside the area larger than this are problems
        (generalised boundaries leave slivers smaller than this).
    max_parts
        Pieces a zone may have (by polygon adjacency and by road).
    max_pop_vs_mean, min_pop_vs_mean
        A zone's 75+ population above / below this multiple of the mean zone.
    centre_p90_minutes
        90th-percentile drive from the zone centre to its people.
    travel_minutes_per_visit
        Mean simulated care-worker travel per visit.
    max_share_nearer_other
        Share of a zone's LSOAs that are nearer (by drive time) another zone's centre.
    home_care_clients_per_1000_75plus
        Expected home care clients per 1,000 aged 75+, for the demand column (an
        assumption: about 5% of people aged 75+ receive home care).
    """

    max_gap_km2: float = 0.05
    max_overlap_km2: float = 0.05
    max_parts: float = 1
    max_pop_vs_mean: float = 2.0
    min_pop_vs_mean: float = 0.25
    centre_p90_minutes: float = 30.0
    travel_minutes_per_visit: float = 15.0
    max_share_nearer_other: float = 0.10
    home_care_clients_per_1000_75plus: float = 50.0

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> ZoneThresholds:
        """Build thresholds from a mapping, rejecting unknown names.

        Parameters
        ----------
        values
            Name -> number.

        Returns
        -------
        ZoneThresholds
            Defaults overridden by *values*.
        """
        return thresholds_from_mapping(cls, values, "zone")


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


class ZoneCheck(NamedTuple):
    """Result of :func:`check_zones`.

    Attributes
    ----------
    zones
        One row per zone with every figure, zone polygons (EPSG:27700).
    overall
        Figures for the zoning as a whole.
    problems
        The verdict list (:data:`PROBLEM_COLUMNS`).
    assignment
        LSOA -> zone, with the drive to its own and to the nearest other zone centre.
    """

    zones: gpd.GeoDataFrame
    overall: dict[str, Any]
    problems: pd.DataFrame
    assignment: pd.DataFrame


def _problem(zone: object, rule: str, figure: object, threshold: object, detail: str) -> dict:
    return {"zone": zone, "rule": rule, "figure": figure, "threshold": threshold, "detail": detail}


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
        problems.append(_problem(name, "bad_coordinates", 1, 0, "coordinates out of range"))
    polys = polys[~bad]
    empty = polys.geometry.isna() | polys.geometry.is_empty
    for name in polys.loc[empty, "zone"]:
        problems.append(_problem(name, "empty_geometry", 0, "", "zone has no geometry; ignored"))
    polys = polys[~empty].copy()
    invalid = ~polys.geometry.is_valid
    if invalid.any():
        fixed = polys.geometry[invalid].make_valid()
        change_km2 = (fixed.area - polys.geometry[invalid].buffer(0).area).abs() / 1e6
        for name, km2 in zip(polys.loc[invalid, "zone"], change_km2, strict=True):
            if km2 > th.max_gap_km2:
                problems.append(
                    _problem(
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
        problems.append(
            _problem(name, "duplicate_zone_name", n, 1, f"{n} features share this name")
        )
    area = layers.population.geometry.union_all()
    outside = ~polys.intersects(area)
    if outside.all():
        msg = (
            f"{source}: no zone overlaps {layers.area.name}; is the file's CRS right "
            f"(read as {polys.crs})?"
        )
        raise ValidationError(msg)
    for name in polys.loc[outside, "zone"]:
        problems.append(_problem(name, "zone_outside_area", 1, 0, "zone lies outside the area"))
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
            _problem(
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
                _problem(
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
            problems.append(_problem(row["name"], "unknown_member", row["id"], "", row["reason"]))
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


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    ok = ~np.isnan(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(values[ok])
    v, w = values[ok][order], weights[ok][order]
    cum = np.cumsum(w) / w.sum()
    return float(v[np.searchsorted(cum, q)])


def check_zones(
    layers: AreaLayers,
    zones: str | os.PathLike[str] | gpd.GeoDataFrame | pd.DataFrame,
    *,
    network: object | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    thresholds: ZoneThresholds | None = None,
    access_table: gpd.GeoDataFrame | None = None,
    n_runs: int = 50,
    n_pairs: int = 100,
    seed: int = 0,
) -> ZoneCheck:
    """Check a zoning of an area and list its problems.

    Parameters
    ----------
    layers
        The area's layers.
    zones
        The zoning (see :func:`read_zoning`).
    network
        Road network for drive times; ``None`` for the labelled straight-line estimate.
    data_dir
        Data folder.
    thresholds
        Rules' thresholds (:class:`ZoneThresholds`).
    access_table
        Output of :func:`geosuff.access` to count gap LSOAs per zone (optional).
    n_runs
        Simulated care runs per zone (travel per visit).
    n_pairs
        Random client pairs per zone for the client-to-client drive times.
    seed
        Random seed.

    Returns
    -------
    ZoneCheck
        Per-zone figures, overall figures, the problem list and the LSOA assignment.
        Zone figures: ``n_lsoas``, ``pop_75plus``, ``expected_home_care_clients``,
        ``home_care_agencies``, ``beds``, ``nursing_beds``, ``extra_care_units``,
        ``pop_vs_mean``, ``parts_adjacency``, ``parts_road`` (NaN without a network),
        ``centre_minutes_median``/``_p90`` (75+-weighted), ``pair_minutes_median``/
        ``_p90``, ``travel_minutes_per_visit``, ``lsoas_nearer_other``,
        ``share_nearer_other``, ``gap_lsoas``, ``travel_method``.
    """
    from geosuff.network import time_matrix_array

    th = thresholds or ZoneThresholds()
    zoning = read_zoning(zones, layers, data_dir=data_dir, thresholds=th)
    pop = layers.population
    assign = pop[["lsoa_code", "pop_75plus", "demand_e", "demand_n"]].merge(
        zoning.assignment, on="lsoa_code", how="left"
    )
    problems = list(zoning.problems.to_dict("records"))
    none = assign["zone"].isna()
    for _, row in assign[none].iterrows():
        problems.append(
            _problem(
                "(none)",
                "lsoa_in_no_zone",
                row["lsoa_code"],
                "",
                f"{row['pop_75plus']:.0f} aged 75+ in no zone",
            )
        )
    several = assign["n_zones"] > 1
    for _, row in assign[several].iterrows():
        problems.append(
            _problem(
                row["zone"],
                "lsoa_in_several_zones",
                row["lsoa_code"],
                1,
                f"claimed by {row['n_zones']} zones",
            )
        )
    groups = assign.set_index("lsoa_code")["zone"]
    names = sorted(assign["zone"].dropna().unique())
    if not names:
        msg = f"{zoning.source}: no LSOA of {layers.area.name} falls in any zone"
        raise ValidationError(msg)
    supply = supply_ratios(
        pop, layers.care_homes, layers.home_care, layers.extra_care, by="zone", groups=groups
    ).set_index("unit")
    adjacency = lsoa_adjacency(pop)
    xy = assign[["demand_e", "demand_n"]].to_numpy(float)
    w = assign["pop_75plus"].to_numpy(float)
    centres = np.array(
        [
            np.average(
                xy[(assign["zone"] == z).to_numpy()],
                axis=0,
                weights=np.maximum(w[(assign["zone"] == z).to_numpy()], 1e-9),
            )
            for z in names
        ]
    )
    centre_gdf = gpd.GeoDataFrame(
        {"zone": names},
        geometry=gpd.points_from_xy(centres[:, 0], centres[:, 1]),
        crs=settings.crs_metric,
    )
    arr = time_matrix_array(network, demand_points(pop), centre_gdf, max_snap_m=None)
    method = arr.method
    zone_pos = {z: i for i, z in enumerate(names)}
    own = np.array([zone_pos.get(z, -1) if isinstance(z, str) else -1 for z in assign["zone"]])
    own_min = np.where(own >= 0, arr.minutes[np.arange(len(assign)), np.maximum(own, 0)], np.nan)
    other = arr.minutes.copy()
    other[np.arange(len(assign))[own >= 0], own[own >= 0]] = np.nan
    other = np.where(np.isnan(other), np.inf, other)
    other_min = other.min(axis=1)
    nearer_other = (own >= 0) & (other_min < own_min)
    assign["minutes_to_own_centre"] = own_min
    assign["minutes_to_other_centre"] = np.where(np.isfinite(other_min), other_min, np.nan)
    assign["nearer_other_zone"] = np.where(
        nearer_other, np.array(names, dtype=object)[other.argmin(axis=1)], None
    )
    runs = care_runs(layers, groups=groups, network=network, n_runs=n_runs, seed=seed)
    runs = runs.set_index("zone")
    gap_counts: pd.Series | None = None
    if access_table is not None:
        flagged = find_gaps(access_table, runs=runs.reset_index(), groups=groups)
        gap_counts = flagged.groupby("zone")["flagged"].sum()
    rng = np.random.default_rng(seed)
    rows = []
    mean_pop = float(np.mean([w[(assign["zone"] == z).to_numpy()].sum() for z in names]))
    for z in names:
        members = np.flatnonzero((assign["zone"] == z).to_numpy())
        zpop = float(w[members].sum())
        polygon = zoning.polygons.set_index("zone").geometry.get(z)
        parts_road = (
            float(parts_by_road(network, polygon, xy[members]))
            if network is not None and polygon is not None
            else np.nan
        )
        pair_med = pair_p90 = np.nan
        if zpop > 0 and n_pairs > 0:
            sub = pop.iloc[members]
            a_xy, _ = sample_clients(sub, n_pairs, rng)
            b_xy, _ = sample_clients(sub, n_pairs, rng)
            ga = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*a_xy.T), crs=settings.crs_metric)
            gb = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*b_xy.T), crs=settings.crs_metric)
            pair = np.diag(time_matrix_array(network, ga, gb, max_snap_m=None).minutes)
            if np.isfinite(pair).any():
                pair_med, pair_p90 = np.nanmedian(pair), np.nanpercentile(pair, 90)
        n_near = int(nearer_other[members].sum())
        rows.append(
            {
                "zone": z,
                "n_lsoas": len(members),
                "pop_75plus": zpop,
                "expected_home_care_clients": zpop * th.home_care_clients_per_1000_75plus / 1000,
                "home_care_agencies": float(supply.loc[z, "home_care_agencies"]),
                "beds": float(supply.loc[z, "beds"]),
                "nursing_beds": float(supply.loc[z, "nursing_beds"]),
                "extra_care_units": float(supply.loc[z, "extra_care_units"]),
                "pop_vs_mean": zpop / mean_pop if mean_pop else np.nan,
                "parts_adjacency": parts_by_adjacency(adjacency, members),
                "parts_road": parts_road,
                "centre_minutes_median": _weighted_quantile(own_min[members], w[members], 0.5),
                "centre_minutes_p90": _weighted_quantile(own_min[members], w[members], 0.9),
                "pair_minutes_median": float(pair_med),
                "pair_minutes_p90": float(pair_p90),
                "travel_minutes_per_visit": float(
                    runs["home_care_minutes_per_visit"].get(z, np.nan)
                ),
                "lsoas_nearer_other": n_near,
                "share_nearer_other": n_near / len(members) if len(members) else np.nan,
                "gap_lsoas": float(gap_counts.get(z, 0)) if gap_counts is not None else np.nan,
                "travel_method": method,
            }
        )
    table = pd.DataFrame(rows)
    problems += _rule_problems(table, th)
    polys = zoning.polygons.set_index("zone").reindex(names)
    zones_gdf = gpd.GeoDataFrame(table, geometry=polys.geometry.to_numpy(), crs=settings.crs_metric)
    problem_df = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    overall = {
        "area": f"{layers.area.name} ({layers.area.code})",
        "source": zoning.source,
        "zones": len(names),
        "lsoas": len(assign),
        "lsoas_in_no_zone": int(none.sum()),
        "pop_75plus_in_no_zone": float(w[none.to_numpy()].sum()),
        "lsoas_in_several_zones": int(several.sum()),
        "pop_75plus_max_over_min": float(table["pop_75plus"].max() / table["pop_75plus"].min())
        if table["pop_75plus"].min() > 0
        else float("inf"),
        "pop_75plus_cv": float(table["pop_75plus"].std(ddof=0) / table["pop_75plus"].mean()),
        "travel_minutes_per_visit": float(
            np.average(table["travel_minutes_per_visit"], weights=table["pop_75plus"])
        ),
        "centre_minutes_p90": _weighted_quantile(own_min, w, 0.9),
        "lsoas_nearer_other": int(nearer_other.sum()),
        "split_zones": int((table["parts_adjacency"] > th.max_parts).sum()),
        "gap_lsoas": float(table["gap_lsoas"].sum()) if access_table is not None else None,
        "travel_method": method,
        "problems": len(problem_df),
        "thresholds": asdict(th),
    }
    cols = [
        "lsoa_code",
        "zone",
        "n_zones",
        "pop_75plus",
        "minutes_to_own_centre",
        "minutes_to_other_centre",
        "nearer_other_zone",
    ]
    return ZoneCheck(zones_gdf, overall, problem_df, assign[cols])


def _rule_problems(table: pd.DataFrame, th: ZoneThresholds) -> list[dict]:
    out: list[dict] = []
    for _, r in table.iterrows():
        z = r["zone"]
        if r["parts_adjacency"] > th.max_parts:
            out.append(
                _problem(
                    z,
                    "split_zone_adjacency",
                    int(r["parts_adjacency"]),
                    th.max_parts,
                    "zone is in several separate pieces",
                )
            )
        if not np.isnan(r["parts_road"]) and r["parts_road"] > th.max_parts:
            out.append(
                _problem(
                    z,
                    "split_zone_road",
                    int(r["parts_road"]),
                    th.max_parts,
                    "parts of the zone cannot be reached by road inside it",
                )
            )
        if r["pop_vs_mean"] > th.max_pop_vs_mean:
            out.append(
                _problem(
                    z,
                    "too_many_people",
                    round(r["pop_vs_mean"], 2),
                    th.max_pop_vs_mean,
                    "75+ population vs the mean zone",
                )
            )
        if r["pop_vs_mean"] < th.min_pop_vs_mean:
            out.append(
                _problem(
                    z,
                    "too_few_people",
                    round(r["pop_vs_mean"], 2),
                    th.min_pop_vs_mean,
                    "75+ population vs the mean zone",
                )
            )
        if r["centre_minutes_p90"] > th.centre_p90_minutes:
            out.append(
                _problem(
                    z,
                    "far_from_centre",
                    round(r["centre_minutes_p90"], 1),
                    th.centre_p90_minutes,
                    "90th-percentile drive (min) from the zone centre",
                )
            )
        if r["travel_minutes_per_visit"] > th.travel_minutes_per_visit:
            out.append(
                _problem(
                    z,
                    "long_travel_per_visit",
                    round(r["travel_minutes_per_visit"], 1),
                    th.travel_minutes_per_visit,
                    "simulated care-worker travel (min) per visit",
                )
            )
        if r["share_nearer_other"] > th.max_share_nearer_other:
            out.append(
                _problem(
                    z,
                    "lsoas_nearer_another_centre",
                    round(r["share_nearer_other"], 2),
                    th.max_share_nearer_other,
                    f"{r['lsoas_nearer_other']} LSOAs are nearer another zone's "
                    "centre by drive time",
                )
            )
    return out
