"""geosuff: geospatial sufficiency mapping for English adult social care."""

from __future__ import annotations

__version__ = "0.1.0"
