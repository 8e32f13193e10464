"""Palettes and classifications of the maps (defined once in :mod:`geosuff._palettes`).

The same definitions style the GeoPackage outputs for QGIS
(:mod:`geosuff.io.qgis_styles`), so this module only re-exports them.
"""

from __future__ import annotations

from geosuff._palettes import (
    NO_DATA,
    NO_DATA_LABEL,
    OUTLINES,
    PALETTES,
    POINT_COLOURS,
    Classification,
    LineStyle,
    access_classes,
    density75_classes,
    fixed_classes,
    isochrone_classes,
    minutes_classes,
    pop75_classes,
    quantile_classes,
)

__all__ = [
    "NO_DATA",
    "NO_DATA_LABEL",
    "OUTLINES",
    "PALETTES",
    "POINT_COLOURS",
    "Classification",
    "LineStyle",
    "access_classes",
    "density75_classes",
    "fixed_classes",
    "isochrone_classes",
    "minutes_classes",
    "pop75_classes",
    "quantile_classes",
]
