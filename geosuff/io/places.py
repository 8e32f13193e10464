"""Named focus places (Tisbury, Tenbury Wells, ...) resolved from the data folder.

A place is found by electoral ward name first, then by postcode sector from the
postcode lookup; ``boundaries/focus_places.toml`` lists the places commissioners name
as hard to serve, with the ward names and postcode sectors to look for. Any other
place can be given by ward name or postcode directly.

A place's LSOAs are those mostly inside it (:func:`lsoas_in_place`: half their area,
or their population-weighted centroid), and every per-LSOA output is named by its
ward through one function, :func:`add_place_names`.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import AreaNotFoundError, DataMissingError, InputFileError
from geosuff.io.areas import Area, normalise_name
from geosuff.io.layout import _PACKAGE_ROOT, find_data_file, resolve_data_dir
from geosuff.io.postcodes import load_postcodes, normalise_postcodes
from geosuff.io.towns import load_towns
from geosuff.io.wards import load_wards

__all__ = [
    "MIN_AREA_SHARE",
    "FocusPlace",
    "add_place_names",
    "focus_places",
    "lsoa_place_names",
    "lsoas_in_place",
    "match_wards",
    "place_frame",
    "resolve_place",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FocusPlace:
    """A resolved place.

    Attributes
    ----------
    name
        The name asked for.
    geometry
        Its outline in EPSG:27700 (wards' union, or the postcode sector's hull).
    matched
        What matched, e.g. ``"ward Tenbury"`` or ``"postcode sector WR15 8"``.
    """

    name: str
    geometry: shapely.Geometry
    matched: str


def _boundaries_dir() -> Path:
    env = os.environ.get("GEOSUFF_BOUNDARIES")
    return Path(env) if env else _PACKAGE_ROOT / "boundaries"


def focus_places(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, object]]:
    """Read the named focus places.

    Parameters
    ----------
    path
        TOML file; default ``boundaries/focus_places.toml``.

    Returns
    -------
    dict
        Place name -> ``{"area": ..., "wards": [...], "postcodes": [...]}``.
    """
    p = Path(path) if path else _boundaries_dir() / "focus_places.toml"
    try:
        return dict(tomllib.loads(p.read_text(encoding="utf-8")).get("places", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(p, f"cannot read focus places ({exc})") from exc


def match_wards(wards: gpd.GeoDataFrame, names: list[str]) -> gpd.GeoDataFrame:
    """Find wards named like a place: exactly, else by a whole-word prefix either way.

    ``"Salisbury"`` has no ward of its own but matches ``"Salisbury St Paul's"`` and the
    city's other wards; ``"Tenbury Wells"`` matches the ward ``"Tenbury"``; ``"Pewsey"``
    matches the ward ``"Pewsey"`` only. Comparison ignores case, punctuation and ``&``.

    Parameters
    ----------
    wards
        Ward polygons with ``ward_name``.
    names
        Place names to look for.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching wards (possibly none).
    """
    keys = {normalise_name(n) for n in names}
    ward_keys = wards["ward_name"].astype(str).map(normalise_name)
    exact = wards[ward_keys.isin(keys)]
    if not exact.empty:
        return exact
    partial = ward_keys.map(
        lambda w: bool(w) and any(w.startswith(k + " ") or k.startswith(w + " ") for k in keys)
    )
    return wards[partial.to_numpy(bool)]


def resolve_place(
    name: str,
    area: Area,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> FocusPlace:
    """Find a place in an area by ward name or postcode, never by stored coordinates.

    Parameters
    ----------
    name
        A listed focus place (``"Tenbury Wells"``), a ward name (``"Tisbury"``), or a
        postcode, sector or district (``"SP3 6"``).
    area
        The area to look in.
    data_dir
        Data folder (ward boundaries, postcode lookup).
    wards
        Ward polygons already loaded (default: the area's from the data folder).

    Returns
    -------
    FocusPlace
        The place's outline.

    Raises
    ------
    AreaNotFoundError
        When nothing matches; the message lists close ward names.
    """
    folder = resolve_data_dir(data_dir)
    listed = {normalise_name(k): v for k, v in focus_places().items()}
    entry = listed.get(normalise_name(name), {})
    ward_names = [str(w) for w in entry.get("wards", [])] or [name]  # type: ignore[attr-defined]
    if wards is None:
        wards = load_wards(area, data_dir=folder)
    hit = match_wards(wards, ward_names)
    if not hit.empty:
        label = ", ".join(sorted(hit["ward_name"]))
        return FocusPlace(name, hit.geometry.union_all(), f"ward {label}")
    prefixes = [str(p) for p in entry.get("postcodes", [])] or [name]  # type: ignore[attr-defined]
    codepoint = find_data_file(folder, "postcodes")
    for prefix in prefixes:
        text = prefix.strip().upper()
        if codepoint is None or not text[:1].isalpha() or len(text) > 8:
            continue
        full = normalise_postcodes([text]).iloc[0]
        table = load_postcodes(codepoint, only=[text])
        keys = table.index.to_series()
        if isinstance(full, str):
            mask = keys.eq(full)
        elif " " in text:
            mask = keys.str.startswith(text)
        else:
            mask = keys.str.startswith(text + " ")
        pts = table[mask.to_numpy()]
        if len(pts):
            points = shapely.points(pts["easting"].to_numpy(), pts["northing"].to_numpy())
            hull = shapely.convex_hull(shapely.multipoints(points)).buffer(250.0)
            return FocusPlace(name, hull, f"postcode {text} ({len(pts)} postcodes)")
    key = normalise_name(name)[:4]
    close = sorted(n for n in wards["ward_name"] if key and key in normalise_name(n))
    hint = f"; wards like it: {', '.join(close[:6])}" if close else ""
    msg = f"no ward or postcode called {name!r} in {area.name}{hint}"
    raise AreaNotFoundError(msg)


def place_frame(place: FocusPlace) -> gpd.GeoDataFrame:
    """Return a place as a one-row GeoDataFrame (EPSG:27700).

    Parameters
    ----------
    place
        The resolved place.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``matched``, geometry.
    """
    return gpd.GeoDataFrame(
        {"name": [place.name], "matched": [place.matched]},
        geometry=[place.geometry],
        crs=settings.crs_metric,
    )


#: An LSOA belongs to a place when at least this share of its area lies inside it.
MIN_AREA_SHARE = 0.5


def lsoas_in_place(
    population: gpd.GeoDataFrame, place: shapely.Geometry, *, min_share: float = MIN_AREA_SHARE
) -> np.ndarray:
    """Which LSOAs are mostly inside a place: the focus rule.

    An LSOA counts when at least *min_share* of its area lies inside the place, or when
    its population-weighted centroid (``demand_e``/``demand_n``, where its people
    live) does. LSOAs that only touch the place's edge (generalised boundaries
    overlap by a few metres) have a tiny share and a centroid outside, so they do
    not count.

    Parameters
    ----------
    population
        LSOA polygons (EPSG:27700) with ``demand_e`` and ``demand_n``.
    place
        The place's outline (EPSG:27700), e.g. :attr:`FocusPlace.geometry`.
    min_share
        Share of an LSOA's area that must lie inside.

    Returns
    -------
    numpy.ndarray
        Boolean, one per LSOA row.
    """
    geoms = population.geometry.to_numpy()
    shapely.prepare(place)
    touching = shapely.intersects(place, geoms)
    share = np.zeros(len(geoms))
    if touching.any():
        inside = shapely.area(shapely.intersection(geoms[touching], place))
        share[touching] = inside / np.maximum(shapely.area(geoms[touching]), 1e-9)
    points = shapely.points(population["demand_e"].to_numpy(), population["demand_n"].to_numpy())
    centred = shapely.contains(place, points)
    return (share >= min_share) | centred


def lsoa_place_names(population: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Name the place each LSOA is in: its electoral ward.

    The ward is the one holding the LSOA's population-weighted centroid (where its
    people live), else the ward covering most of its area. This is the one place
    where per-LSOA outputs get their names.

    Parameters
    ----------
    population
        LSOAs with ``lsoa_code``, ``demand_e``, ``demand_n`` (EPSG:27700).
    wards
        Ward polygons with ``ward_code`` and ``ward_name`` (:func:`load_wards`).

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code``, ``ward_code``, ``ward_name`` (missing when no ward overlaps).
    """
    geoms = wards.geometry.to_numpy()
    points = shapely.points(population["demand_e"].to_numpy(), population["demand_n"].to_numpy())
    tree = shapely.STRtree(geoms)
    pt_idx, ward_idx = tree.query(points, predicate="within")
    which = np.full(len(population), -1)
    which[pt_idx[::-1]] = ward_idx[::-1]  # the first ward listed wins on a shared edge
    lost = np.flatnonzero(which < 0)
    if len(lost):
        lsoa_geoms = population.geometry.to_numpy()[lost]
        left, right = tree.query(lsoa_geoms, predicate="intersects")
        if len(left):
            area = shapely.area(shapely.intersection(lsoa_geoms[left], geoms[right]))
            best = pd.DataFrame({"l": left, "w": right, "a": area}).sort_values("a")
            best = best.drop_duplicates("l", keep="last")
            which[lost[best["l"].to_numpy()]] = best["w"].to_numpy()
    found = which >= 0
    codes = np.where(found, wards["ward_code"].to_numpy()[np.maximum(which, 0)], None)
    names = np.where(found, wards["ward_name"].to_numpy()[np.maximum(which, 0)], None)
    return pd.DataFrame(
        {"lsoa_code": population["lsoa_code"].to_numpy(), "ward_code": codes, "ward_name": names}
    )


def add_place_names(
    table: pd.DataFrame,
    population: gpd.GeoDataFrame,
    area: Area,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Add ``ward_name``, ``ward_code`` and ``town`` to a per-LSOA table, after ``lsoa_code``.

    The ward is the one holding the LSOA's population-weighted centroid; the town is
    that ward's town (:func:`geosuff.io.towns.load_towns`: the shipped grouping of
    wards for the area, else wards grouped by name prefix).

    Parameters
    ----------
    table
        Any table with ``lsoa_code``.
    population
        The area's LSOAs.
    area
        The area (its wards are loaded from the data folder unless given).
    data_dir
        Data folder.
    wards
        Ward polygons already loaded.

    Returns
    -------
    pandas.DataFrame
        A copy of *table* with the names; unchanged (with a logged warning) when the
        area has no ward boundaries.
    """
    if wards is None:
        try:
            wards = load_wards(area, data_dir=data_dir)
        except (InputFileError, DataMissingError, OSError) as exc:
            log.warning("no ward names for %s: %s", area.name, exc)
            return table.copy()
    names = lsoa_place_names(population, wards).set_index("lsoa_code")
    towns = load_towns(area, wards).data.set_index("ward_code")["town"]
    out = table.drop(columns=["ward_code", "ward_name", "town"], errors="ignore").copy()
    at = list(out.columns).index("lsoa_code") + 1
    ward_code = out["lsoa_code"].map(names["ward_code"])
    out.insert(at, "ward_name", out["lsoa_code"].map(names["ward_name"]).to_numpy())
    out.insert(at + 1, "ward_code", ward_code.to_numpy())
    out.insert(at + 2, "town", ward_code.map(towns).to_numpy())
    return out
