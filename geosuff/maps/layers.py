"""Folium layers built from GeoDataFrames: simplified, rounded, and safe to embed.

Every layer's data goes into the page once, as JSON in which ``<``, ``>`` and ``&``
are escaped, and the map's runtime (:mod:`geosuff.maps._runtime`) puts data-derived
text into the DOM with ``textContent`` only.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geosuff._palettes import NO_DATA, NO_DATA_LABEL, Classification, LineStyle

__all__ = [
    "DataBlock",
    "LayerSpec",
    "MapPage",
    "RuntimeLayer",
    "display_geometry",
    "feature_collection",
    "fmt_number",
    "legend_entry",
    "line_legend",
    "point_rows",
    "safe_json",
    "vintage_of",
]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_JSON_ESCAPES["\u2029"] = "\\u2029"


def safe_json(obj: object) -> str:
    """Dump JSON that is safe inside an HTML ``<script>`` element.

    Parameters
    ----------
    obj
        JSON-serialisable data (NaN is written as ``null``).

    Returns
    -------
    str
        JSON text with ``<``, ``>``, ``&`` and line separators escaped.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def fmt_number(value: object, decimals: int = 0, *, suffix: str = "") -> str:
    """Format a number for a popup (``"1,234"``), or ``"no data"`` when missing.

    Parameters
    ----------
    value
        The value.
    decimals
        Decimals shown.
    suffix
        Appended text (e.g. ``" min"``).

    Returns
    -------
    str
        The formatted value.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "no data"
    if math.isnan(number):
        return "no data"
    if math.isinf(number):
        return "unreachable"
    return f"{number:,.{decimals}f}{suffix}"


def vintage_of(source: str) -> str:
    """Read a data vintage from a file name (``2021-04``, ``mid-2020``).

    Parameters
    ----------
    source
        A file path or description.

    Returns
    -------
    str
        The vintage, or ``"date not in file name"``.
    """
    name = re.split(r"[\\/]", str(source))[-1]
    if m := re.search(r"mid[-_]?(\d{4})", name):
        return f"mid-{m.group(1)}"
    if m := re.search(r"(20\d{2}|19\d{2})[-_](\d{2})(?!\d)", name):
        return f"{m.group(1)}-{m.group(2)}"
    if m := re.search(r"(20\d{2}|19\d{2})", name):
        return m.group(1)
    return "date not in file name"


def display_geometry(
    geoms: gpd.GeoSeries, *, simplify_m: float, decimals: int, coverage: bool = False
) -> gpd.GeoSeries:
    """Simplify in metres, reproject to WGS84 and round coordinates for display.

    Parameters
    ----------
    geoms
        Geometries in any projected or geographic CRS.
    simplify_m
        Simplification tolerance in metres (0 keeps every vertex).
    decimals
        Decimals of longitude/latitude kept (5 is about 1 m).
    coverage
        Simplify as a coverage so neighbours keep shared edges (LSOAs, zones).

    Returns
    -------
    geopandas.GeoSeries
        Display geometries in EPSG:4326.
    """
    metric = geoms.to_crs("EPSG:27700")
    if simplify_m > 0:
        if coverage:
            try:
                metric = metric.simplify_coverage(simplify_m)
            except Exception:  # GEOS < 3.12 or an invalid coverage: simplify one by one
                metric = metric.simplify(simplify_m, preserve_topology=True)
        else:
            metric = metric.simplify(simplify_m, preserve_topology=True)
    wgs = metric.to_crs("EPSG:4326")
    rounded = shapely.transform(wgs.values, lambda xy: np.round(xy, decimals))
    return gpd.GeoSeries(rounded, index=geoms.index, crs="EPSG:4326")


def feature_collection(geoms: gpd.GeoSeries, props: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Build a GeoJSON FeatureCollection from display geometries and properties.

    Parameters
    ----------
    geoms
        EPSG:4326 geometries (see :func:`display_geometry`).
    props
        One properties dict per geometry.

    Returns
    -------
    dict
        The FeatureCollection (empty geometries are left out).
    """
    features = []
    for geom, prop in zip(geoms.values, props, strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append(
            {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": prop}
        )
    return {"type": "FeatureCollection", "features": features}


def point_rows(gdf: gpd.GeoDataFrame, decimals: int) -> np.ndarray:
    """Return ``[[lat, lon], ...]`` of points, rounded.

    Parameters
    ----------
    gdf
        Points in any CRS.
    decimals
        Decimals kept.

    Returns
    -------
    numpy.ndarray
        Latitude and longitude per row.
    """
    wgs = gdf.geometry.to_crs("EPSG:4326")
    return np.round(np.column_stack([wgs.y.to_numpy(), wgs.x.to_numpy()]), decimals)


class DataBlock(MacroElement):
    """A JavaScript variable holding safe JSON, shared by several layers.

    Parameters
    ----------
    data
        JSON-serialisable data.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.payload }};"
        "{% endmacro %}"
    )

    def __init__(self, data: object) -> None:
        super().__init__()
        self._name = "GeosuffData"
        self.payload = safe_json(data)


class RuntimeLayer(folium.map.Layer):
    """A layer built in the browser by the geosuff runtime from a :class:`DataBlock`.

    Parameters
    ----------
    name
        Name in the layer control (plain text; escaped here).
    builder
        ``"polygons"`` or ``"points"``.
    data
        The data block the layer reads.
    options
        Options passed to the runtime builder (JSON-serialisable).
    show
        Whether the layer is on when the map opens.
    control
        Whether it is listed in the layer control.
    base
        A shading (choropleth) choice: one at a time, picked with a radio button.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = geosuff.{{ this.builder }}("
        "{{ this.data.get_name() }}, {{ this.options_json }});"
        "{% endmacro %}"
    )

    def __init__(
        self,
        name: str,
        builder: str,
        data: DataBlock,
        options: dict[str, Any],
        *,
        show: bool = True,
        control: bool = True,
        base: bool = False,
    ) -> None:
        super().__init__(name=html.escape(name), overlay=not base, control=control, show=show)
        self._name = "GeosuffLayer"
        self.builder = builder
        self.data = data
        self.plain_name = name
        self.options_json = safe_json({**options, "name": name})


@dataclass
class LayerSpec:
    """A built layer with its data, legend entry and notes.

    Attributes
    ----------
    key
        Recipe key (``"pop75"``, ``"care_homes"``…).
    name
        Layer-control name.
    elements
        Data blocks and layers to add to the map, in order.
    legend
        Legend entry (title, method, items, shape) or ``None``.
    count
        Number of features drawn.
    """

    key: str
    name: str
    elements: list[MacroElement] = field(default_factory=list)
    legend: dict[str, Any] | None = None
    count: int = 0


@dataclass
class MapPage:
    """Accumulates layers, place labels and notes while a map is built.

    Attributes
    ----------
    specs
        Built layers, in drawing order.
    unavailable
        Layers left out, each with the reason.
    """

    specs: list[LayerSpec] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)


def legend_entry(name: str, classes: Classification, *, note: str | None = None) -> dict[str, Any]:
    """Return the legend entry of a choropleth.

    Parameters
    ----------
    name
        Layer name the entry follows (shown while that layer is on).
    classes
        The classification.
    note
        Extra words after the method.

    Returns
    -------
    dict
        ``layer``, ``title``, ``method``, ``items`` and ``shape``.
    """
    method = f"Classes: {classes.method}"
    if note:
        method = f"{method}; {note}"
    items = [[c, label] for c, label in zip(classes.colours, classes.labels, strict=True)]
    items.append([NO_DATA, NO_DATA_LABEL])
    return {"layer": name, "title": classes.unit, "method": method, "items": items, "shape": "fill"}


def line_legend(
    name: str, title: str, style: LineStyle, label: str, *, method: str | None = None
) -> dict[str, Any]:
    """Return the legend entry of an outline layer, drawn with the layer's own line style.

    Parameters
    ----------
    name
        Layer name the entry follows.
    title
        Legend title.
    style
        The outline style (colour, weight, dash, casing), as on the map.
    label
        Text beside the swatch.
    method
        Extra words under the title.

    Returns
    -------
    dict
        ``layer``, ``title``, ``method``, ``items``, ``shape`` (``"line"``) and ``style``.
    """
    return {
        "layer": name,
        "title": title,
        "method": method,
        "items": [[style.colour, label]],
        "shape": "line",
        "style": style.as_dict(),
    }
