"""Build the interactive sufficiency map of an area.

:func:`build_map` takes the loaded layers and, optionally, access results, gap flags,
zones, isochrones and ward names; a layer whose data is absent is left out and listed
as "not available" in the map's title block. :func:`geosuff.maps.save_map` writes the
page atomically.

The map opens with one shading (access when there are access results, else people
aged 75+), the others a click away; isochrones start off while a shading is on;
outlines (boundary, zones, gaps, focus) each have their own line style and legend
swatch; place names come from ward names, so the map reads without a base map.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geosuff.analysis.runs import HomeCareTravel
from geosuff.io.area_layers import AreaLayers
from geosuff.maps.choropleths import join_travel, lsoa_layers, lsoa_table, travel_label
from geosuff.maps.focus import Focus
from geosuff.maps.labels import add_labels, lsoa_towns
from geosuff.maps.layers import MapPage, vintage_of
from geosuff.maps.options import ALL_LAYERS, MapOptions
from geosuff.maps.overlays import add_focus, add_gaps, add_isochrones, add_outline, add_zones
from geosuff.maps.page import assemble, resolve_tiles, save_map
from geosuff.maps.points import add_points
from geosuff.maps.title import (
    ATTRIBUTION,
    SHORT_ATTRIBUTION,
    default_title,
    title_info,
    year_note,
)

__all__ = [
    "ALL_LAYERS",
    "ATTRIBUTION",
    "SHORT_ATTRIBUTION",
    "MapOptions",
    "build_map",
    "resolve_tiles",
    "save_map",
]


def build_map(
    layers: AreaLayers,
    *,
    focus: Focus | None = None,
    access: pd.DataFrame | None = None,
    travel: HomeCareTravel | pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    zones: gpd.GeoDataFrame | pd.DataFrame | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    wards: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    self_contained: bool = True,
    options: MapOptions | None = None,
    sources: dict[str, str] | None = None,
) -> folium.Map:
    """Build the interactive map of an area's older population, care supply and gaps.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).
    focus
        Place the map opens on (:func:`geosuff.maps.resolve_focus`); default the area.
    access
        Per-LSOA access results: ``lsoa_code`` and any of
        ``e2sfca_beds_per_1000_75plus``, ``minutes_to_home_care``, ``minutes_to_nursing``,
        ``travel_method`` (``"network"``, ``"estimate_calibrated"`` or
        ``"estimate_crowfly"``).
    travel
        Care-worker travel per visit (:func:`geosuff.home_care_travel`, or its
        ``lsoas`` table): the "Care-worker travel per visit" shading, with p10-p90,
        cost, method and the zone or patch in its popups. Without it, ``home_care_*``
        columns of *access* are used when present.
    gaps
        Flagged LSOAs: ``lsoa_code`` and ``reasons`` (text or list); a full gaps table
        with a ``flagged`` column is reduced to its flagged rows.
    zones
        Zone polygons with a ``zone`` (or ``name``) column, or an ``lsoa_code`` to
        ``zone`` table drawn from the LSOAs.
    isochrones
        Drive-time polygons with ``minutes``.
    wards
        The area's wards (``ward_code``, ``ward_name``, polygons) for place names on
        the map and each LSOA's ward and town in its popup.
    title
        Title shown on the map and as the page title (default names the area and focus).
    tiles
        ``None`` (no base map), ``"osm"`` or a tile URL template.
    tiles_attribution
        Attribution of a custom tile URL.
    self_contained
        Inline Leaflet and plugins (renders with no internet) instead of CDN links.
    options
        Drawing options.
    sources
        Descriptions of each layer's source replacing ``layers.sources``.

    Returns
    -------
    folium.Map
        The map; write it with :func:`save_map`.
    """
    opts = options or MapOptions()
    srcs = {**layers.sources, **(sources or {})}
    page = MapPage()
    pop, has_access = lsoa_table(layers.population, access)
    per_lsoa = travel.lsoas if isinstance(travel, HomeCareTravel) else travel
    pop = join_travel(pop, per_lsoa)
    if has_access:
        method = travel_label(access)
    elif "home_care_travel_method" in pop.columns:
        method = travel_label(pop.rename(columns={"home_care_travel_method": "travel_method"}))
    else:
        method = "not available"
    if not has_access:
        page.unavailable.append("access and drive times (no access table)")
    if wards is not None and len(wards):
        places = lsoa_towns(pop, wards, layers.area).set_index("lsoa_code")
        pop["ward_name"] = pop["lsoa_code"].map(places["ward_name"])
        town = pop["lsoa_code"].map(places["town"])
        pop["town"] = town.where(town != pop["ward_name"])
    limits = gaps.attrs.get("thresholds", {}) if gaps is not None else {}
    pop_source = srcs.get("population", "ONS population estimates")
    pop_label = f"ONS population estimates ({vintage_of(pop_source)}) on 2011 LSOAs"
    if "outline" in opts.layers:
        add_outline(page, layers, opts)
    shown = lsoa_layers(
        page,
        pop,
        opts,
        pop_source=pop_label,
        access_source=srcs.get("access", "given table") if has_access else None,
        travel=method,
        year_note=year_note(layers),
        travel_threshold=limits.get("travel_minutes_per_visit"),
        agency_coverage=layers.coverage.get("home_care"),
    )
    if "isochrones" in opts.layers:
        iso_travel = method if has_access else "method not stated"
        add_isochrones(page, isochrones, opts, iso_travel, show=shown is None)
    if "gaps" in opts.layers:
        add_gaps(page, pop, gaps, opts)
    if "zones" in opts.layers:
        asked = (focus.query, focus.name) if focus is not None else ()
        add_zones(page, pop, zones, opts, asked)
    if focus is not None and "focus" in opts.layers:
        add_focus(page, focus, opts)
    if "labels" in opts.layers:
        add_labels(page, wards, focus, opts, layers.area)
    for key in ("extra_care", "home_care", "care_homes"):
        if key in opts.layers:
            add_points(
                page,
                key,
                getattr(layers, key),
                opts,
                missing=layers.missing.get(key),
                coverage=layers.coverage.get(key),
            )
    text_title = title or default_title(layers, focus)
    info = title_info(
        page,
        layers,
        pop,
        title=text_title,
        srcs=srcs,
        travel=method,
        pop_label=pop_label,
        focus=focus,
    )
    frame = shapely.box(*pop.total_bounds)
    if focus is not None:
        frame = focus.geometry.buffer(opts.focus_buffer_km * 1000)
    return assemble(
        page,
        frame=frame,
        info=info,
        tiles=tiles,
        tiles_attribution=tiles_attribution,
        self_contained=self_contained,
    )
