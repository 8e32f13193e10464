"""The report's interactive map (the same builder as ``geosuff map``) and zone summaries.

The map is built by :func:`geosuff.maps.build_map` from the report's own figures and
placed in the page itself (not a frame): its scripts and data go into the report's
head and body, so the report stays one self-contained file that works offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import folium

from geosuff.maps.build import build_map
from geosuff.maps.options import MapOptions
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, esc, html_table, number
from geosuff.report.section import Section

__all__ = ["MapParts", "map_parts", "map_section", "report_map"]

_FOLIUM_PAGE_STYLES = (
    re.compile(r"<meta name=\"viewport\"[^>]*>"),
    re.compile(r"<style>\s*html, body \{[^}]*\}\s*</style>"),
    re.compile(r"<style>\s*#map \{[^}]*\}\s*</style>"),
)


@dataclass(frozen=True)
class MapParts:
    """A map split into the pieces a page needs.

    Attributes
    ----------
    head
        Styles and scripts for the page's ``<head>`` (Leaflet, plugins, runtime).
    body
        The map's ``<div>``.
    script
        The script that draws the map (runs after the body).
    info
        The map's title block (facts and lines).
    """

    head: str
    body: str
    script: str
    info: dict[str, object]


def report_map(data: ReportData, *, tiles: str | None = None) -> folium.Map:
    """Build the report's map from its figures (access shading, gaps, zones, focus).

    Parameters
    ----------
    data
        The report's figures.
    tiles
        Base map: ``None`` (offline, no tiles), ``"osm"`` or a URL template.

    Returns
    -------
    folium.Map
        The map.
    """
    layers = data.layers
    return build_map(
        layers,
        focus=data.focus,
        access=data.access,
        travel=data.travel,
        gaps=data.gaps,
        zones=data.zone_polygons,
        isochrones=data.isochrones,
        wards=data.wards if len(data.wards) else None,
        title=f"Care for people aged 75+: {layers.area.name}",
        tiles=tiles,
        self_contained=True,
        options=MapOptions(focus_buffer_km=8.0),
        sources={"access": "this report's access results", "population": data.pop_source},
    )


def map_parts(fmap: folium.Map) -> MapParts:
    """Split a built map into head, body and script for embedding in a page.

    Parameters
    ----------
    fmap
        A map from :func:`geosuff.maps.build_map`.

    Returns
    -------
    MapParts
        The pieces (folium's full-window page styles removed).
    """
    root = fmap.get_root()
    root.render()  # renders every element into the page's header, body and script
    head = root.header.render()
    for pattern in _FOLIUM_PAGE_STYLES:
        head = pattern.sub("", head)
    return MapParts(
        head,
        root.html.render(),
        root.script.render(),
        dict(getattr(fmap, "geosuff_info", {})),
    )


def _zone_table(data: ReportData) -> str:
    zones = data.current.zones
    if zones is None:
        return ""
    travel = data.travel.zones.set_index(data.travel.zones["zone"].astype(str))
    flagged = data.gaps[data.gaps["flagged"].astype(bool)]
    by_zone = flagged["lsoa_code"].map(data.groups).astype(str).value_counts()
    rows = []
    for _, z in zones.iterrows():
        name = str(z["unit"])
        minutes = travel["home_care_minutes_per_visit"].get(name)
        rows.append(
            [
                name,
                count(z["n_lsoas"]),
                count(z["pop_75plus"]),
                count(z["beds"]),
                number(z["beds_per_1000_75plus"], 1),
                number(minutes, 1),
                count(by_zone.get(name, 0)),
            ]
        )
    return html_table(
        [
            Column("Zone"),
            Column("LSOAs", True),
            Column(f"Aged 75+ ({data.year_label})", True),
            Column("Care home beds", True),
            Column("Beds per 1,000 aged 75+", True),
            Column("Care-worker travel per visit, min", True),
            Column("Flagged LSOAs", True),
        ],
        rows,
        caption=f"Zone summaries ({data.year_label})",
    )


def map_section(parts: MapParts, data: ReportData) -> Section:
    """Build the map section: the interactive map and the zone summaries.

    Parameters
    ----------
    parts
        The embedded map (:func:`map_parts`).
    data
        The report's figures.

    Returns
    -------
    Section
        The section.
    """
    hint = (
        '<p class="note screen-only">Pick one shading at a time in the layer list (care-worker '
        "travel per visit is one of them); click an area or a care home for its figures. Gap "
        f"LSOAs are outlined in magenta. Population, access, travel and gaps: "
        f"{esc(data.year_label)}.</p>"
    )
    body = f'{hint}<div class="report-map">{parts.body}</div>{_zone_table(data)}'
    return Section("map", "Map and zone summaries", body)
