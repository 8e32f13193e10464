"""Put a built map on a page: Leaflet assets, base tiles, controls, framing; and save it."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.io.files import atomic_path
from geosuff.maps._runtime import RUNTIME_CSS, RUNTIME_JS
from geosuff.maps.layers import MapPage, RuntimeLayer, safe_json
from geosuff.maps.offline import RawElement, add_assets
from geosuff.maps.title import SHORT_ATTRIBUTION

__all__ = ["HTML_SUFFIXES", "assemble", "check_html_path", "resolve_tiles", "save_map"]

log = logging.getLogger(__name__)

#: Suffixes a map or report file may have.
HTML_SUFFIXES = (".html", ".htm")

_OSM_TILES = (
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)


class _Script(MacroElement):
    """A fixed script calling the runtime with safe JSON arguments."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "GeosuffScript"
        self.code = code


def check_html_path(path: str | os.PathLike[str]) -> Path:
    """Check that an output file is an HTML page, before any work is done.

    Parameters
    ----------
    path
        The output file.

    Returns
    -------
    pathlib.Path
        The path.

    Raises
    ------
    ValidationError
        If its suffix is not ``.html`` (or ``.htm``).
    """
    p = Path(path)
    if p.suffix.lower() not in HTML_SUFFIXES:
        msg = f"{p}: a map or report is an HTML page; give an output file ending in .html"
        raise ValidationError(msg)
    return p


def resolve_tiles(tiles: str | None, attribution: str | None = None) -> tuple[str, str] | None:
    """Return the tile URL template and attribution, or ``None`` for no base map.

    Parameters
    ----------
    tiles
        ``None``/``"none"``, ``"osm"``, or a URL template with ``{z}/{x}/{y}``.
    attribution
        Attribution of a custom tile URL (plain text).

    Returns
    -------
    tuple of str or None
        URL template and attribution HTML.

    Raises
    ------
    ValidationError
        If a custom URL lacks ``{z}``, ``{x}`` or ``{y}``.
    """
    if tiles is None or tiles.strip().lower() in ("", "none", "off"):
        return None
    if tiles.strip().lower() in ("osm", "openstreetmap"):
        return _OSM_TILES
    if not all(p in tiles for p in ("{z}", "{x}", "{y}")):
        msg = f"tile URL {tiles!r} needs {{z}}, {{x}} and {{y}}; or use 'osm' or 'none'"
        raise ValidationError(msg)
    return tiles, html.escape(attribution or f"Tiles: {tiles.split('/')[2]}")


def assemble(
    page: MapPage,
    *,
    frame: BaseGeometry,
    info: dict[str, Any],
    tiles: str | None,
    tiles_attribution: str | None,
    self_contained: bool,
) -> folium.Map:
    """Make the folium map: assets, layers, layer control, legend, title block, framing.

    Parameters
    ----------
    page
        The built layers.
    frame
        What the map opens on (EPSG:27700): the focus with its margin, or the area.
    info
        The title block (:func:`geosuff.maps.title.title_info`).
    tiles
        ``None``, ``"osm"`` or a tile URL template.
    tiles_attribution
        Attribution of a custom tile URL.
    self_contained
        Inline Leaflet and plugins instead of linking a CDN.

    Returns
    -------
    folium.Map
        The map, with ``geosuff_*`` attributes recording what was drawn.
    """
    west, south, east, north = (
        gpd.GeoSeries([frame], crs=settings.crs_metric).to_crs("EPSG:4326").total_bounds
    )
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        max_zoom=18,
        min_zoom=5,
        **{"maxZoom": 18, "minZoom": 5, "zoomSnap": 0.25},
    )
    fmap.default_js = []
    fmap.default_css = []
    root = fmap.get_root()
    root.title = html.escape(info["title"])
    add_assets(root, self_contained=self_contained)
    root.header.add_child(RawElement(f"<script>{RUNTIME_JS}</script>"), name="geosuff_runtime")
    root.header.add_child(RawElement(RUNTIME_CSS), name="geosuff_css")
    tile = resolve_tiles(tiles, tiles_attribution)
    if tile is not None:
        folium.TileLayer(tiles=tile[0], attr=tile[1], name="Base map", control=False).add_to(fmap)
    map_var = fmap.get_name()
    fmap.add_child(_Script(f"geosuff.panes({map_var});"))
    bases: list[str] = []
    overlays: list[str] = []
    for spec in page.specs:
        for element in spec.elements:
            fmap.add_child(element)
            if isinstance(element, RuntimeLayer) and element.control:
                (overlays if element.overlay else bases).append(element.plain_name)
    legends = [s.legend for s in page.specs if s.legend is not None]
    controls = {"bases": bases, "overlays": overlays, "none": "No shading (outlines only)"}
    bounds = [[float(south), float(west)], [float(north), float(east)]]
    fmap.add_child(
        _Script(
            f"L.control.fullscreen({{position: 'topleft'}}).addTo({map_var});"
            f"{map_var}.attributionControl.addAttribution({safe_json(html.escape(SHORT_ATTRIBUTION))});"
            f"geosuff.title({map_var}, {safe_json(info)});"
            f"geosuff.controls({map_var}, {safe_json(controls)});"
            f"geosuff.legend({map_var}, {safe_json(legends)});"
            f"geosuff.frame({map_var}, {safe_json(bounds)});"
            f"geosuff.map = {map_var};"
        )
    )
    fmap.geosuff_self_contained = self_contained  # type: ignore[attr-defined]
    fmap.geosuff_counts = {s.key: s.count for s in page.specs}  # type: ignore[attr-defined]
    fmap.geosuff_layer_names = [s.name for s in page.specs]  # type: ignore[attr-defined]
    fmap.geosuff_legends = {s.key: s.legend for s in page.specs}  # type: ignore[attr-defined]
    fmap.geosuff_unavailable = list(page.unavailable)  # type: ignore[attr-defined]
    fmap.geosuff_info = info  # type: ignore[attr-defined]
    return fmap


def save_map(fmap: folium.Map, path: str | os.PathLike[str]) -> int:
    """Write the map as one HTML file, atomically, and return its size.

    Parameters
    ----------
    fmap
        A map from :func:`geosuff.maps.build_map`.
    path
        The ``.html`` file to write.

    Returns
    -------
    int
        File size in bytes.

    Raises
    ------
    ValidationError
        If the path is not ``.html``, or a self-contained map would still load a
        script or style from the internet.
    """
    check_html_path(path)
    page = fmap.get_root().render()
    if getattr(fmap, "geosuff_self_contained", False) and (
        "<script src=" in page or '<link rel="stylesheet" href="http' in page
    ):
        msg = "a self-contained map still links an external script or style; please report this"
        raise ValidationError(msg)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    size = Path(path).stat().st_size
    log.info("map written to %s (%.2f MB)", path, size / 1e6)
    return size
