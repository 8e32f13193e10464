"""Interactive sufficiency maps: folium layers, offline assets, recipes and focus places."""

from __future__ import annotations

from geosuff.maps.build import ALL_LAYERS, MapOptions, build_map, resolve_tiles, save_map
from geosuff.maps.focus import Focus, resolve_focus

__all__ = [
    "ALL_LAYERS",
    "Focus",
    "MapOptions",
    "build_map",
    "resolve_focus",
    "resolve_tiles",
    "save_map",
]
