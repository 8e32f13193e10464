"""Place names drawn on the map offline, from ward names: towns and the focus place.

No base map is needed to find Tenbury Wells or Trowbridge: towns are found by grouping
wards whose names share a leading name ("Trowbridge Grove", "Trowbridge Park" ->
Trowbridge) when the wards touch; a single ward with a short place name ("Tisbury",
"Mere") is labelled at closer zoom. Labels are text only (``textContent`` in the
browser) and never hide the shading.
"""

from __future__ import annotations

import re
from collections import Counter

import geopandas as gpd
import pandas as pd
import shapely

from geosuff import settings
from geosuff.io.areas import Area
from geosuff.io.places import lsoa_place_names
from geosuff.io.towns import load_towns
from geosuff.maps.focus import Focus
from geosuff.maps.layers import DataBlock, LayerSpec, MapPage, RuntimeLayer, point_rows
from geosuff.maps.options import MapOptions

__all__ = ["add_labels", "lsoa_towns", "place_labels", "town_of_wards"]

#: Leading words that never make a town on their own.
_GENERIC = {
    "st",
    "the",
    "north",
    "south",
    "east",
    "west",
    "central",
    "upper",
    "lower",
    "great",
    "little",
    "old",
    "new",
    "hill",
}
#: Wards named like this are the countryside around a town: kept out of its label point.
_RURAL = re.compile(r"\b(?:rural|without|vale)\b", re.IGNORECASE)
#: Zoom from which labels of each rank show (0: focus, 1: towns, 2: single-ward places).
LABEL_MIN_ZOOM = {0: 0.0, 1: 9.0, 2: 11.0}


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", name.strip()) if t]


def town_of_wards(wards: gpd.GeoDataFrame) -> pd.Series:
    """Group wards into towns by a shared leading name (the documented default rule).

    A ward belongs to the leading name (one or more whole words, not a generic word
    such as "North" or "St") that the most wards share, preferring the longer name on
    a tie ("Royal Wootton Bassett"), provided the wards sharing it touch one another.

    Parameters
    ----------
    wards
        Wards with ``ward_code``, ``ward_name`` and polygons.

    Returns
    -------
    pandas.Series
        Town name of each ward (indexed like *wards*); ``None`` for a ward in no town.
    """
    names = wards["ward_name"].astype(str).tolist()
    prefixes: list[list[str]] = []
    counts: Counter[str] = Counter()
    for name in names:
        toks = _tokens(name)
        mine = [" ".join(toks[:k]) for k in range(1, len(toks))]
        mine = [p for p in mine if p.split()[-1] != "&" and p.lower() not in _GENERIC]
        prefixes.append(mine)
        counts.update(set(mine))
    best: list[str | None] = []
    for mine in prefixes:
        shared = [p for p in mine if counts[p] >= 2]
        best.append(max(shared, key=lambda p: (counts[p], len(p))) if shared else None)
    towns = pd.Series(best, index=wards.index, dtype=object)
    for town in set(t for t in best if t is not None):
        members = wards.geometry[towns == town]
        merged = shapely.union_all(members.buffer(1).to_numpy())
        if merged.geom_type != "Polygon":  # wards apart: different places with one name
            towns[towns == town] = None
    return towns


def lsoa_towns(
    population: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, area: Area | None = None
) -> pd.DataFrame:
    """Name the ward and the town of each LSOA: the one mapping from LSOAs to towns.

    The ward is the one every per-LSOA output names
    (:func:`geosuff.io.places.lsoa_place_names`: the ward holding the LSOA's
    population-weighted centroid); the town is that ward's town, from the area's
    grouping of wards into towns (:func:`geosuff.io.towns.load_towns`, the same as
    ``geosuff supply --by town``) when *area* is given, else :func:`town_of_wards`;
    a ward in no town is its own place. Maps and reports take towns from here only.

    Parameters
    ----------
    population
        LSOAs with ``lsoa_code``, ``demand_e``, ``demand_n`` (EPSG:27700).
    wards
        Ward polygons with ``ward_code`` and ``ward_name``; may be empty.
    area
        The area, for its town grouping.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code``, ``ward_code``, ``ward_name`` and ``town`` (``None`` when no
        ward overlaps the LSOA, or there are no wards).
    """
    codes = population["lsoa_code"].astype(str).to_numpy()
    if wards is None or not len(wards):
        return pd.DataFrame(
            {"lsoa_code": codes, "ward_code": None, "ward_name": None, "town": None}
        )
    metric = wards.to_crs(settings.crs_metric).reset_index(drop=True)
    names = lsoa_place_names(population, metric)
    if area is not None:
        grouping = load_towns(area, metric).data
        town = pd.Series(grouping["town"].to_numpy(), index=grouping["ward_code"].astype(str))
    else:
        town = pd.Series(town_of_wards(metric).to_numpy(), index=metric["ward_code"].astype(str))
    town = town[~town.index.duplicated()]
    ward_town = names["ward_code"].astype(object).map(town)
    names["town"] = ward_town.where(ward_town.notna(), names["ward_name"]).to_numpy()
    names["lsoa_code"] = codes
    return names[["lsoa_code", "ward_code", "ward_name", "town"]]


def place_labels(
    wards: gpd.GeoDataFrame,
    focus: Focus | None = None,
    towns: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """Return the place labels of an area: towns, short single-ward names and the focus.

    Parameters
    ----------
    wards
        The area's wards (``ward_code``, ``ward_name``, polygons).
    focus
        The focus place, labelled with the name the user asked for.
    towns
        Town of each ward (indexed like *wards*), e.g. the area's grouping from
        :func:`geosuff.io.towns.load_towns`; a ward named as its own town is a
        single-ward place. Default: :func:`town_of_wards`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``name``, ``rank`` (0 focus, 1 town, 2 single-ward place) and a point each,
        EPSG:27700.
    """
    rows: list[tuple[str, int, shapely.Geometry]] = []
    if len(wards):
        metric = wards.to_crs(settings.crs_metric)
        if towns is None:
            towns = town_of_wards(metric)
        else:
            towns = towns.reindex(metric.index).astype(object)
            names = metric["ward_name"].astype(str)
            size = towns.map(towns.value_counts())
            towns = towns.where(~(towns.eq(names) & size.eq(1)))
        for town, members in metric.groupby(towns):
            core = members[~members["ward_name"].astype(str).str.contains(_RURAL)]
            shape = (core if len(core) else members).geometry.union_all()
            rows.append((str(town), 1, shape.representative_point()))
        for _, ward in metric[towns.isna()].iterrows():
            name = str(ward["ward_name"])
            toks = _tokens(name)
            if len(toks) <= 3 and "&" not in toks and "," not in name:
                rows.append((name, 2, ward.geometry.representative_point()))
    if focus is not None:
        point = focus.geometry.representative_point()
        rows = [r for r in rows if r[0].lower() not in (focus.query.lower(), focus.name.lower())]
        rows.append((focus.query.strip() or focus.name, 0, point))
    return gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "rank": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=settings.crs_metric,
    )


def add_labels(
    page: MapPage,
    wards: gpd.GeoDataFrame | None,
    focus: Focus | None,
    opts: MapOptions,
    area: Area | None = None,
) -> None:
    """Add the place labels layer (towns from zoom 9, single-ward places from zoom 11).

    Parameters
    ----------
    page
        The page being built.
    wards
        The area's wards, or ``None`` (then only the focus is labelled).
    focus
        The focus place, or ``None``.
    opts
        Drawing options.
    area
        The area, for its grouping of wards into towns (as ``supply --by town``).
    """
    empty = gpd.GeoDataFrame({"ward_code": [], "ward_name": []}, geometry=[], crs=27700)
    towns = None
    if wards is not None and len(wards) and area is not None:
        grouping = load_towns(area, wards).data
        towns = pd.Series(grouping["town"].to_numpy(), index=wards.index)
    labels = place_labels(wards if wards is not None else empty, focus, towns)
    if labels.empty:
        page.unavailable.append("place names (no ward names for this area)")
        return
    latlon = point_rows(labels, opts.decimals)
    rows = [
        [float(latlon[i, 0]), float(latlon[i, 1]), str(name), int(rank)]
        for i, (name, rank) in enumerate(zip(labels["name"], labels["rank"], strict=True))
    ]
    name = "Place names"
    block = DataBlock(rows)
    zooms = {str(k): v for k, v in LABEL_MIN_ZOOM.items()}
    layer = RuntimeLayer(name, "labels", block, {"minZoom": zooms})
    page.specs.append(LayerSpec("labels", name, [block, layer], None, len(rows)))
