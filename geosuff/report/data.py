"""Everything a market position report shows, computed with geosuff's own analyses.

:func:`collect_report_data` loads the area and runs supply (by district, town and
zone), access, care-worker runs and gap flags exactly as the ``supply``, ``access``,
``runs`` and ``gaps`` commands do, so each figure in the report matches those
commands' tables. Inputs that other steps add later (population projections for a
chosen year, per-LSOA travel per visit) are optional fields: a section whose input is
missing is left out with a note.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import InputFileError
from geosuff.analysis.access import access as access_fn
from geosuff.analysis.gaps import GapThresholds, find_gaps
from geosuff.analysis.joins import assign_groups
from geosuff.analysis.runs import care_runs
from geosuff.analysis.summary import area_summary
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers, LayerFiles, load_area_layers
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.surroundings import load_surroundings
from geosuff.maps.focus import Focus, resolve_focus
from geosuff.maps.labels import town_of_wards
from geosuff.maps.render import area_wards
from geosuff.maps.usable import usable_gaps

__all__ = ["ReportData", "collect_report_data", "usable_gaps"]

log = logging.getLogger(__name__)


@dataclass
class ReportData:
    """The figures of one report.

    Attributes
    ----------
    layers
        The area's layers (population, providers, coverage, provenance, scope).
    wards
        The area's wards (may be empty).
    focus
        The focus place, or ``None``.
    summary
        :func:`geosuff.area_summary`: one row per district, then the area.
    towns
        Supply by town (``unit`` = town name), towns grouped from ward names.
    zones
        Supply by zone, or ``None`` without zones.
    zone_polygons
        Zone outlines (dissolved LSOAs), or ``None``.
    groups
        Zone of each LSOA (indexed by ``lsoa_code``), or ``None``.
    lsoa_places
        Ward and town of each LSOA (``lsoa_code`` index; ``ward``, ``town``).
    access
        :func:`geosuff.access` per LSOA.
    runs
        :func:`geosuff.care_runs` per zone (per district without zones).
    gaps
        :func:`geosuff.find_gaps` with only the flags the data can support.
    gaps_dropped
        Flags left out and why (e.g. home care distances from an incomplete list).
    isochrones
        Drive-time bands around the focus (with a road network), or ``None``.
    network
        The road network file, or ``None`` for the labelled estimate.
    pop_source
        The population file (its name carries the vintage).
    thresholds
        Gap thresholds used.
    runs_settings
        Rates and parameters of the runs (hourly rate, mileage, overhead, runs, seed).
    year
        The year the figures describe when it is not the population's base year.
    trajectory
        Population by year (``year``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``)
        from projections, or ``None`` when none are loaded.
    future
        :func:`geosuff.area_summary` for :attr:`year`, or ``None``.
    """

    layers: AreaLayers
    wards: gpd.GeoDataFrame
    focus: Focus | None
    summary: pd.DataFrame
    towns: pd.DataFrame | None
    zones: pd.DataFrame | None
    zone_polygons: gpd.GeoDataFrame | None
    groups: pd.Series | None
    lsoa_places: pd.DataFrame
    access: gpd.GeoDataFrame
    runs: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    gaps_dropped: list[str] = field(default_factory=list)
    isochrones: gpd.GeoDataFrame | None = None
    network: str | None = None
    pop_source: str = "ONS population estimates"
    thresholds: dict[str, Any] = field(default_factory=dict)
    runs_settings: dict[str, Any] = field(default_factory=dict)
    year: int | None = None
    trajectory: pd.DataFrame | None = None
    future: pd.DataFrame | None = None


def _lsoa_places(layers: AreaLayers, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    index = pd.Index(layers.population["lsoa_code"], name="lsoa_code")
    if wards.empty:
        return pd.DataFrame({"ward": None, "town": None}, index=index)
    ward_of, _ = assign_groups(layers.population, wards, "ward_code", label="ward")
    names = wards.set_index("ward_code")["ward_name"].astype(str)
    town = pd.Series(town_of_wards(wards).to_numpy(), index=wards["ward_code"])
    town = town.fillna(names)
    return pd.DataFrame(
        {"ward": ward_of.map(names).to_numpy(), "town": ward_of.map(town).to_numpy()},
        index=index,
    )


def _network(path: str | os.PathLike[str] | None, folder: Path) -> tuple[object | None, str | None]:
    if path is None:
        return None, None
    from geosuff.network import build_network, load_network
    from geosuff.network.cache import default_cache_dir

    p = Path(path)
    if not p.exists() and (folder / p).exists():
        p = folder / p
    if not p.exists():
        raise InputFileError(p, "road network not found (looked here and in the data folder)")
    if p.suffix.lower() in (".pbf", ".osm") or p.name.endswith(".osm.pbf"):
        return build_network(p, cache_dir=default_cache_dir()), p.name
    return load_network(p), p.name


def collect_report_data(
    area: str,
    *,
    zones: str | os.PathLike[str] | None = None,
    network: str | os.PathLike[str] | None = None,
    focus: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    files: LayerFiles | None = None,
    n_runs: int = 100,
    seed: int = 0,
    thresholds: GapThresholds | None = None,
) -> ReportData:
    """Load an area and compute every figure of its report.

    Parameters
    ----------
    area
        Local authority code or name.
    zones
        Zone polygons, an LSOA/ward-to-zone table or a seed list (``boundaries/*.toml``).
    network
        Road network (``.osm.pbf`` here or in the data folder, or a saved network);
        ``None`` uses the labelled straight-line estimate.
    focus
        A place to centre the map on (ward name or postcode).
    data_dir
        Data folder.
    files
        Layer file overrides.
    n_runs
        Simulated care-worker runs per zone (as ``geosuff runs``).
    seed
        Seed of the runs.
    thresholds
        Gap thresholds (default :class:`geosuff.GapThresholds`).

    Returns
    -------
    ReportData
        The figures.
    """
    from geosuff.zones.groups import zone_assignment
    from geosuff.zones.propose import zone_polygons

    folder = resolve_data_dir(data_dir)
    layers = load_area_layers(area, data_dir=folder, files=files)
    wards = area_wards(layers, folder)
    place = None
    if focus:
        postcodes = (files.postcodes if files else None) or find_data_file(folder, "postcodes")
        place = resolve_focus(focus, wards, postcodes=postcodes)
    net, net_name = _network(network, folder)
    groups = polygons = by_zone = None
    if zones is not None:
        assignment = zone_assignment(zones, layers, network=net, data_dir=folder).data
        groups = assignment.dropna(subset=["zone"]).set_index("lsoa_code")["zone"]
        polygons = zone_polygons(layers.population, assignment.dropna(subset=["zone"]))
        by_zone = _supply(layers, "zone", groups)
    places = _lsoa_places(layers, wards)
    towns = (
        _supply(layers, "ward", places["town"].dropna()) if places["town"].notna().any() else None
    )
    around = load_surroundings(layers, data_dir=folder)
    acc = access_fn(layers, network=net, surroundings=around)
    th = thresholds or GapThresholds()
    runs = care_runs(layers, groups=groups, network=net, n_runs=n_runs, seed=seed)
    flagged = find_gaps(acc, runs=runs, groups=groups, thresholds=th)
    gaps, dropped = usable_gaps(flagged, layers)
    iso = None
    if net is not None and place is not None:
        from geosuff.network import isochrones

        centre = place.geometry.representative_point()
        point = gpd.GeoDataFrame({"id": ["focus"]}, geometry=[centre], crs="EPSG:27700")
        iso = isochrones(net, point, minutes=(10, 20, 30), max_snap_m=None)
    return ReportData(
        layers=layers,
        wards=wards,
        focus=place,
        summary=area_summary(layers),
        towns=towns,
        zones=by_zone,
        zone_polygons=polygons,
        groups=groups,
        lsoa_places=places,
        access=acc,
        runs=runs,
        gaps=gaps,
        gaps_dropped=dropped,
        isochrones=iso,
        network=net_name,
        pop_source=str(
            (files.population if files else None)
            or find_data_file(folder, "population")
            or "ONS population estimates"
        ),
        thresholds=dict(flagged.attrs.get("thresholds", {})),
        runs_settings={**runs.attrs, "runs_per_zone": n_runs, "seed": seed},
    )


def _supply(layers: AreaLayers, by: str, groups: pd.Series) -> pd.DataFrame:
    table = supply_ratios(
        layers.population,
        layers.care_homes,
        layers.home_care,
        layers.extra_care,
        by=by,
        groups=groups,
    )
    return pd.DataFrame(table.drop(columns="geometry"))
