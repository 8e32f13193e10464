"""Choosing the Geofabrik OpenStreetMap extract(s) that cover an area.

Geofabrik publishes ``index-v1.json``: a GeoJSON FeatureCollection with one
feature per extract, each with ``properties.id``, ``properties.name``,
``properties.parent`` and ``properties.urls.pbf``, and the extract's (buffered)
outline as geometry. The area of interest is grown by a buffer (roads just over
the border matter for travel times) and the smallest extract covering it wins;
optionally a few smaller extracts whose union covers it are used instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geosuff import settings
from geosuff._errors import InputFileError, ValidationError

__all__ = ["Extract", "area_outline", "choose_extracts", "read_index"]

_UNCOVERED_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Extract:
    """One Geofabrik extract.

    Attributes
    ----------
    id
        Geofabrik's id, e.g. ``"wiltshire"``.
    name
        Its name, e.g. ``"Wiltshire"``.
    pbf_url
        Where its ``.osm.pbf`` is.
    area_km2
        Area of its outline, in square kilometres (British National Grid).
    """

    id: str
    name: str
    pbf_url: str
    area_km2: float


def read_index(path: Path) -> list[dict[str, Any]]:
    """Read a Geofabrik ``index-v1.json`` and return its features that have a PBF.

    Parameters
    ----------
    path
        The index file.

    Returns
    -------
    list of dict
        GeoJSON features.

    Raises
    ------
    InputFileError
        If the file is not a Geofabrik index.
    """
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        features = index["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(path, f"not a Geofabrik index-v1.json ({exc})") from exc
    return [
        f
        for f in features
        if f.get("geometry") and f.get("properties", {}).get("urls", {}).get("pbf")
    ]


def area_outline(boundaries: Path, *, buffer_m: float) -> BaseGeometry:
    """Return the outline of an area's LSOAs grown by *buffer_m*, in WGS84.

    Parameters
    ----------
    boundaries
        The area's LSOA boundaries file (any CRS geopandas can read).
    buffer_m
        Buffer in metres.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        The buffered outline in EPSG:4326.

    Raises
    ------
    InputFileError
        If the file cannot be read or is empty.
    """
    try:
        frame = gpd.read_file(boundaries)
    except Exception as exc:
        raise InputFileError(boundaries, f"cannot read boundaries ({exc})") from exc
    if frame.empty or frame.crs is None:
        raise InputFileError(boundaries, "no features, or no CRS, in the boundaries file")
    metric = frame.to_crs(settings.crs_metric).geometry.make_valid().union_all()
    grown = gpd.GeoSeries([metric.buffer(buffer_m)], crs=settings.crs_metric)
    return grown.to_crs(settings.crs_display).iloc[0]


def choose_extracts(
    features: list[dict[str, Any]],
    need: BaseGeometry,
    *,
    max_extracts: int = 1,
    min_cover: float = 1.0,
) -> list[Extract]:
    """Choose the smallest Geofabrik extract(s) covering *need*.

    Parameters
    ----------
    features
        Features of a Geofabrik index (see :func:`read_index`).
    need
        The area to cover, in WGS84.
    max_extracts
        With 1, the smallest single extract covering *need*. With more, up to that
        many extracts chosen greedily whose union covers *need*, used only when their
        total area is smaller than the best single extract.
    min_cover
        Share of *need*'s area that must be covered (Geofabrik's outlines are
        simplified, so a county extract may miss slivers of its own county).

    Returns
    -------
    list of Extract
        The extracts, largest first.

    Raises
    ------
    ValidationError
        If no extract (or allowed combination) covers the area.
    """
    rows = []
    for feature in features:
        geom = shape(feature["geometry"])
        if geom.intersects(need):
            props = feature["properties"]
            rows.append(
                {"id": props["id"], "name": props.get("name", props["id"]), "geometry": geom}
            )
    if not rows:
        msg = "no Geofabrik extract touches the area; is it in Great Britain?"
        raise ValidationError(msg)
    pbf = {f["properties"]["id"]: f["properties"]["urls"]["pbf"] for f in features}
    cand = gpd.GeoDataFrame(rows, crs=settings.crs_display)
    need_m = gpd.GeoSeries([need], crs=settings.crs_display).to_crs(settings.crs_metric)[0]
    slack = (1.0 - min_cover) * need_m.area + _UNCOVERED_TOLERANCE * need_m.area
    cand = cand.sort_values("id").reset_index(drop=True)
    metric = cand.to_crs(settings.crs_metric).geometry
    cand["area_km2"] = metric.area / 1e6
    cand["covers"] = [need_m.difference(g).area <= slack for g in metric]
    order = cand.sort_values(["area_km2", "id"]).index

    def extract(row: Any) -> Extract:
        return Extract(str(row.id), str(row.name), pbf[row.id], float(row.area_km2))

    covering = [i for i in order if cand.at[i, "covers"]]
    best = extract(cand.loc[covering[0]]) if covering else None
    if max_extracts > 1:
        limit = best.area_km2 if best else float("inf")
        pool = [i for i in order if cand.at[i, "area_km2"] < limit]
        remaining, chosen = need_m, []
        while len(chosen) < max_extracts and remaining.area > slack:
            gains = {i: metric[i].intersection(remaining).area / metric[i].area for i in pool}
            best_i = max(gains, key=lambda i: gains[i], default=None)
            if best_i is None or gains[best_i] <= 0:
                break
            chosen.append(extract(cand.loc[best_i]))
            remaining = remaining.difference(metric[best_i])
            pool.remove(best_i)
        covered = remaining.area <= slack
        if chosen and covered and sum(e.area_km2 for e in chosen) < limit:
            return sorted(chosen, key=lambda e: -e.area_km2)
    if best is None:
        names = ", ".join(cand.loc[order, "id"].head(5))
        msg = (
            f"no single Geofabrik extract covers the area plus its buffer (touching: {names}); "
            "raise max_extracts or lower buffer_m in the sources file"
        )
        raise ValidationError(msg)
    return [best]
