"""A readable, self-contained HTML report of a zone check (tables plus a small SVG map)."""

from __future__ import annotations

import html
import math
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geosuff import __version__

__all__ = ["render_report", "svg_map"]

# Colour-blind-safe qualitative palette (Okabe & Ito 2008), cycled.
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return html.escape(str(value))


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def svg_map(zones: gpd.GeoDataFrame, *, width_px: int = 640, tolerance_m: float = 200.0) -> str:
    """Draw zone polygons as inline SVG with labels (no scripts, no external files).

    Parameters
    ----------
    zones
        ``zone`` and polygon geometry in EPSG:27700.
    width_px
        Width of the drawing.
    tolerance_m
        Simplification tolerance for display.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    geoms = zones.geometry.simplify(tolerance_m)
    minx, miny, maxx, maxy = geoms.total_bounds
    scale = width_px / max(maxx - minx, 1.0)
    height = int((maxy - miny) * scale) + 1

    def ring(coords: Any) -> str:
        pts = [f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y in coords]
        return "M" + "L".join(pts) + "Z"

    shapes, labels = [], []
    for i, (name, geom) in enumerate(zip(zones["zone"], geoms, strict=True)):
        if geom is None or geom.is_empty:
            continue
        path = ""
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon":
                continue
            path += ring(poly.exterior.coords) + "".join(ring(r.coords) for r in poly.interiors)
        colour = PALETTE[i % len(PALETTE)]
        title = html.escape(str(name))
        shapes.append(
            f'<path d="{path}" fill="{colour}" fill-opacity="0.55" stroke="#333" '
            f'stroke-width="0.8" fill-rule="evenodd"><title>{title}</title></path>'
        )
        p = geom.representative_point()
        labels.append(
            f'<text x="{(p.x - minx) * scale:.1f}" y="{(maxy - p.y) * scale:.1f}" '
            f'font-size="10" text-anchor="middle">{title}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_px}" height="{height}" '
        f'viewBox="0 0 {width_px} {height}" role="img" aria-label="zone map">'
        + "".join(shapes)
        + "".join(labels)
        + "</svg>"
    )


def render_report(
    title: str,
    overall: dict[str, Any],
    zones: gpd.GeoDataFrame,
    problems: pd.DataFrame,
    *,
    comparison: pd.DataFrame | None = None,
) -> str:
    """Render a zone check (or comparison) as one HTML page.

    Parameters
    ----------
    title
        Page title.
    overall
        Overall figures.
    zones
        Per-zone figures with polygons.
    problems
        The verdict list.
    comparison
        Side-by-side table from :func:`geosuff.zones.compare.compare_checks`.

    Returns
    -------
    str
        HTML; all data-derived text is escaped.
    """
    method = overall.get("travel_method")
    if method == "network":
        note = "Drive times over the road network."
    elif method == "estimate_calibrated":
        note = (
            "Drive times are ESTIMATES from straight-line distance, calibrated on real roads "
            "by each end's rural-urban setting: no road network was given."
        )
    else:
        note = (
            "Drive times are ESTIMATES (straight line x detour factor at typical speeds): "
            "no road network was given."
        )
    facts = pd.DataFrame(
        [(k, v) for k, v in overall.items() if k != "thresholds"], columns=["measure", "value"]
    )
    thresholds = pd.DataFrame(
        list(overall.get("thresholds", {}).items()), columns=["threshold", "value"]
    )
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(note)}</p>",
        svg_map(zones[["zone", "geometry"]]),
    ]
    if comparison is not None:
        parts += ["<h2>Side by side</h2>", _table(comparison)]
    parts += [
        f"<h2>Problems ({len(problems)})</h2>",
        _table(problems) if len(problems) else "<p>No problems found.</p>",
        "<h2>Zones</h2>",
        _table(pd.DataFrame(zones.drop(columns="geometry"))),
        "<h2>Overall</h2>",
        _table(facts),
        "<h2>Thresholds</h2>",
        _table(thresholds),
        "<p class=note>Zones from seed lists are proposals, not official boundaries. "
        "Contains public sector information licensed under the Open Government Licence v3.0 "
        "(ONS, CQC); contains OS data &copy; Crown copyright and database right; "
        "road data &copy; OpenStreetMap contributors (ODbL) where a network was used. "
        f"geosuff {html.escape(__version__)}.</p>",
    ]
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:12px}"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )
