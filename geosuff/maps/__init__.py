"""Interactive sufficiency maps: folium layers, offline assets, recipes and focus places."""

from __future__ import annotations

from geosuff.maps.build import build_map
from geosuff.maps.focus import Focus, resolve_focus
from geosuff.maps.options import ALL_LAYERS, CHOROPLETH_LAYERS, MapOptions
from geosuff.maps.page import check_html_path, resolve_tiles, save_map
from geosuff.maps.results import MapResults, map_results

__all__ = [
    "ALL_LAYERS",
    "CHOROPLETH_LAYERS",
    "Focus",
    "MapOptions",
    "MapResults",
    "build_map",
    "check_html_path",
    "map_results",
    "resolve_focus",
    "resolve_tiles",
    "save_map",
]
