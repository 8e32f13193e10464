"""Spatial joins: supply points to LSOAs, LSOAs to wards and zones.

Zones and wards are treated as groups of LSOAs: an LSOA belongs to the zone (or
ward) containing its demand point (population-weighted centroid). Supply points
take the zone of the LSOA they fall in, so population and supply always add up
over the same units.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geosuff import settings
from geosuff._errors import InputFileError
from geosuff.io.files import read_table, read_vector
from geosuff.io.placement import assign_to_lsoas
from geosuff.io.population import demand_points
from geosuff.io.rejects import Loaded, empty_rejects, make_rejects

__all__ = ["assign_groups", "assign_to_lsoas", "load_zones"]

log = logging.getLogger(__name__)

_ZONE_COLS = ("zone", "zone_name", "name", "Zone")
_LSOA_COLS = ("lsoa_code", "lsoa11cd", "LSOA11CD", "lsoa11_code", "lsoa21cd", "LSOA21CD")
_WARD_COLS = ("ward_code", "WD25CD", "wd25cd", "ward_name", "WD25NM", "ward", "wd25nm")


def _pick(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def assign_groups(
    population: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, name_column: str, *, label: str
) -> tuple[pd.Series, pd.DataFrame]:
    """Assign each LSOA to the polygon containing its demand point.

    Parameters
    ----------
    population
        The population layer.
    polygons
        Zone or ward polygons (any CRS).
    name_column
        Column of *polygons* naming the group.
    label
        ``"zone"`` or ``"ward"``, for messages.

    Returns
    -------
    groups : pandas.Series
        Group name per ``lsoa_code`` (missing when in none).
    problems : pandas.DataFrame
        A rejects-style table (``action="flagged"``) of LSOAs in no group or several.
    """
    points = demand_points(population)[["lsoa_code", "lsoa_name", "geometry"]]
    polys = polygons[[name_column, "geometry"]].to_crs(settings.crs_metric)
    joined = gpd.sjoin(points, polys, how="left", predicate="intersects")
    counts = joined.groupby("lsoa_code")[name_column].nunique()
    first = joined.sort_values(name_column).drop_duplicates("lsoa_code").set_index("lsoa_code")
    groups = first[name_column].reindex(population["lsoa_code"])
    groups.index.name = "lsoa_code"
    none = counts[counts == 0].index
    many = counts[counts > 1].index
    names = population.set_index("lsoa_code")["lsoa_name"]
    problems = pd.concat(
        [
            make_rejects(
                f"{label}s",
                [None] * len(none),
                none,
                names.reindex(none),
                f"LSOA in no {label}",
                action="flagged",
            ),
            make_rejects(
                f"{label}s",
                [None] * len(many),
                many,
                names.reindex(many),
                f"LSOA in more than one {label} (first by name used)",
                action="flagged",
            ),
        ],
        ignore_index=True,
    )
    return groups, problems


def load_zones(
    path: str | os.PathLike[str],
    population: gpd.GeoDataFrame,
    *,
    wards: gpd.GeoDataFrame | None = None,
) -> Loaded:
    """Read a zone file and assign every LSOA of *population* to a zone.

    Parameters
    ----------
    path
        Zone polygons (GeoJSON/GPKG/shapefile/GeoParquet with a ``zone`` or ``name``
        column), or a CSV assigning LSOAs (``lsoa_code``) or wards (``ward_code`` or
        ``ward_name``) to zones (``zone``).
    population
        The population layer of the area.
    wards
        Ward polygons (``ward_code``, ``ward_name``), needed for a ward table.

    Returns
    -------
    Loaded
        ``data``: DataFrame ``lsoa_code``, ``zone`` (missing when in no zone);
        ``rejects``: LSOAs in no zone or several, table rows naming unknown LSOAs/wards.
    """
    p = Path(path)
    if p.suffix.lower() in (".csv", ".xlsx", ".parquet") and p.suffix.lower() != ".geoparquet":
        table = read_table(p, dtype=str)
        zone_col = _pick(table.columns, _ZONE_COLS)
        if zone_col is None:
            raise InputFileError(p, "no zone column (zone or zone_name)")
        lsoa_col = _pick(table.columns, _LSOA_COLS)
        ward_col = _pick(table.columns, _WARD_COLS)
        if lsoa_col is not None:
            key_col, known = lsoa_col, population["lsoa_code"]
            mapping = table.drop_duplicates(lsoa_col).set_index(lsoa_col)[zone_col]
            zones = population["lsoa_code"].map(mapping)
            unknown = table[~table[lsoa_col].isin(known)]
        elif ward_col is not None:
            if wards is None:
                raise InputFileError(p, "assigns wards to zones, but no ward boundaries given")
            by_code = table[ward_col].isin(wards["ward_code"]).any()
            ward_key = "ward_code" if by_code else "ward_name"
            ward_zone = wards[[ward_key, "geometry"]].merge(
                table[[ward_col, zone_col]].rename(columns={ward_col: ward_key}), on=ward_key
            )
            groups, _ = assign_groups(population, ward_zone, zone_col, label="zone")
            zones = population["lsoa_code"].map(groups)
            key_col = ward_col
            unknown = table[~table[ward_col].isin(wards[ward_key])]
        else:
            raise InputFileError(p, "needs an lsoa_code or ward_code/ward_name column")
        lines = unknown.index + 2
        rejects = make_rejects(
            f"zones ({p.name})",
            lines,
            unknown[key_col],
            unknown[zone_col],
            f"{key_col} not in the area",
        )
        no_zone = zones.isna()
        rejects = pd.concat(
            [
                rejects,
                make_rejects(
                    f"zones ({p.name})",
                    [None] * int(no_zone.sum()),
                    population.loc[no_zone, "lsoa_code"],
                    population.loc[no_zone, "lsoa_name"],
                    "LSOA in no zone",
                    action="flagged",
                ),
            ],
            ignore_index=True,
        )
    else:
        polys = read_vector(p)
        zone_col = _pick(polys.columns, _ZONE_COLS)
        if zone_col is None:
            raise InputFileError(p, "no zone name column (zone or name)")
        groups, rejects = assign_groups(population, polys, zone_col, label="zone")
        zones = population["lsoa_code"].map(groups)
    data = pd.DataFrame({"lsoa_code": population["lsoa_code"], "zone": zones.to_numpy()})
    return Loaded(data, rejects if not rejects.empty else empty_rejects())
