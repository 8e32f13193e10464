"""The analyses a map or a report draws: zones, access, care-worker travel, gaps, isochrones.

:func:`map_results` runs them as the ``access``, ``runs`` and ``gaps`` commands do with
their defaults (:func:`geosuff.access`, :func:`geosuff.home_care_travel`,
:func:`geosuff.find_gaps` with the layers' coverage), so a figure on a map or in a
report is the figure those commands print for the same area, year, zones and network.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geosuff._errors import InputFileError
from geosuff.analysis.gaps import GapThresholds
from geosuff.analysis.runs import HomeCareTravel
from geosuff.io.area_layers import AreaLayers
from geosuff.maps.focus import Focus

__all__ = [
    "ISOCHRONE_MINUTES",
    "MapResults",
    "ZoneInput",
    "focus_isochrones",
    "load_network_file",
    "load_zones_input",
    "map_results",
]

log = logging.getLogger(__name__)

#: Drive-time bands drawn around the focus with a road network, minutes.
ISOCHRONE_MINUTES = (10, 20, 30)


@dataclass(frozen=True)
class ZoneInput:
    """Zones read from a zone file.

    Attributes
    ----------
    groups
        Zone of each LSOA (indexed by ``lsoa_code``); LSOAs in no zone are left out.
    polygons
        Zone outlines (the zone's LSOAs dissolved, with ``zone`` and ``pop_75plus``).
    """

    groups: pd.Series
    polygons: gpd.GeoDataFrame


@dataclass(frozen=True)
class MapResults:
    """What a map or report shows besides the layers themselves.

    Attributes
    ----------
    access
        :func:`geosuff.access` per LSOA, or ``None``.
    travel
        :func:`geosuff.home_care_travel` (per LSOA and per zone), or ``None``.
    gaps
        :func:`geosuff.find_gaps` for every LSOA (flagged first, with ``ward_name``
        when the area has wards), or ``None``.
    isochrones
        Drive-time bands around the focus (with a road network), or ``None``.
    """

    access: gpd.GeoDataFrame | None = None
    travel: HomeCareTravel | None = None
    gaps: gpd.GeoDataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None


def load_network_file(
    path: str | os.PathLike[str] | None, folder: Path
) -> tuple[object | None, str | None]:
    """Load a road network given on the command line or in a recipe.

    Parameters
    ----------
    path
        ``.osm.pbf`` (built once and cached) or a saved network folder, here or in
        the data folder; ``None`` for the labelled estimate.
    folder
        The data folder.

    Returns
    -------
    tuple
        The network (``None`` without one) and its file name.

    Raises
    ------
    InputFileError
        If the file is neither here nor in the data folder.
    """
    if path is None:
        return None, None
    from geosuff.network import build_network, load_network
    from geosuff.network.cache import default_cache_dir

    p = Path(path)
    if not p.exists() and (folder / p).exists():
        p = folder / p
    if not p.exists():
        raise InputFileError(p, "road network not found (looked here and in the data folder)")
    if p.is_dir():
        return load_network(p), p.name
    return build_network(p, cache_dir=default_cache_dir()), p.name


def load_zones_input(
    zones: str | os.PathLike[str],
    layers: AreaLayers,
    *,
    network: object | None,
    folder: Path,
) -> ZoneInput:
    """Read zones (polygons, an LSOA/ward-to-zone table or a seed list) for an area.

    Parameters
    ----------
    zones
        The zone file (see :func:`geosuff.zones.groups.zone_assignment`).
    layers
        The area's layers.
    network
        Road network (seed lists grow zones by drive time), or ``None``.
    folder
        The data folder.

    Returns
    -------
    ZoneInput
        Zone of each LSOA and the zone outlines.
    """
    from geosuff.zones.groups import zone_assignment
    from geosuff.zones.propose import zone_polygons

    assignment = zone_assignment(zones, layers, network=network, data_dir=folder).data
    placed = assignment.dropna(subset=["zone"])
    groups = placed.set_index("lsoa_code")["zone"]
    return ZoneInput(groups, zone_polygons(layers.population, placed))


def map_results(
    layers: AreaLayers,
    *,
    folder: Path,
    network: object | None = None,
    groups: pd.Series | None = None,
    focus: Focus | None = None,
    wards: gpd.GeoDataFrame | None = None,
    thresholds: GapThresholds | None = None,
    access: pd.DataFrame | None = None,
    travel: HomeCareTravel | pd.DataFrame | None = None,
    seed: int = 0,
) -> MapResults:
    """Run access, care-worker travel and gaps (and isochrones with a network and a focus).

    Parameters
    ----------
    layers
        The area's layers (for the year wanted).
    folder
        The data folder (cross-border surroundings, ward names).
    network
        Road network, or ``None`` for the labelled estimate.
    groups
        Zone of each LSOA; without zones care-worker rounds use local patches.
    focus
        The focus place (isochrones around it, with a network).
    wards
        The area's wards, to name each gap LSOA's ward (``None``: not named).
    thresholds
        Gap thresholds (default :class:`geosuff.GapThresholds`).
    access
        Access results to use instead of computing them.
    travel
        Care-worker travel to use instead of computing it (or a per-LSOA table of it).
    seed
        Seed of the simulated rounds (the commands' default is 0).

    Returns
    -------
    MapResults
        Access, travel, gaps and isochrones.
    """
    from geosuff.analysis.access import access as access_fn
    from geosuff.analysis.gaps import find_gaps
    from geosuff.analysis.runs import home_care_travel
    from geosuff.io.places import add_place_names
    from geosuff.io.surroundings import load_surroundings

    acc = access
    if acc is None:
        around = load_surroundings(layers, data_dir=folder)
        acc = access_fn(layers, network=network, surroundings=around)
    hc = (
        travel
        if travel is not None
        else home_care_travel(layers, groups=groups, network=network, seed=seed)
    )
    flagged = find_gaps(acc, travel=hc, coverage=layers.coverage, thresholds=thresholds)  # type: ignore[arg-type]
    if wards is not None and len(wards):
        attrs = dict(flagged.attrs)
        named = add_place_names(flagged, layers.population, layers.area, wards=wards)
        flagged = gpd.GeoDataFrame(named, geometry="geometry", crs=flagged.crs)
        flagged.attrs = attrs
    iso = focus_isochrones(network, focus)
    return MapResults(acc, hc, flagged, iso)  # type: ignore[arg-type]


def focus_isochrones(network: object | None, focus: Focus | None) -> gpd.GeoDataFrame | None:
    """Drive-time bands (:data:`ISOCHRONE_MINUTES`) around the focus, over a road network.

    Parameters
    ----------
    network
        Road network, or ``None``.
    focus
        The focus place, or ``None``.

    Returns
    -------
    geopandas.GeoDataFrame or None
        The bands, or ``None`` without a network or a focus (the estimate draws none).
    """
    if network is None or focus is None:
        return None
    from geosuff.network import isochrones

    centre = focus.geometry.representative_point()
    point = gpd.GeoDataFrame({"id": ["focus"]}, geometry=[centre], crs="EPSG:27700")
    return isochrones(network, point, minutes=ISOCHRONE_MINUTES, max_snap_m=None)
