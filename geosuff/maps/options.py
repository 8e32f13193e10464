"""What a map draws and how: layer keys and drawing options."""

from __future__ import annotations

from dataclasses import dataclass

from geosuff._errors import ValidationError
from geosuff._palettes import DEFAULT_MINUTES_EDGES, DEFAULT_TRAVEL_EDGES

__all__ = ["ALL_LAYERS", "CHOROPLETH_LAYERS", "MapOptions"]

#: Layer keys a recipe can list, in drawing order.
ALL_LAYERS: tuple[str, ...] = (
    "outline",
    "pop75",
    "density75",
    "access",
    "travel",
    "drive_home_care",
    "drive_nursing",
    "isochrones",
    "gaps",
    "zones",
    "focus",
    "labels",
    "extra_care",
    "home_care",
    "care_homes",
)

#: Shading layers: one shown at a time (radio buttons), the others a click away.
CHOROPLETH_LAYERS: tuple[str, ...] = (
    "pop75",
    "density75",
    "access",
    "travel",
    "drive_home_care",
    "drive_nursing",
)


@dataclass(frozen=True)
class MapOptions:
    """How a map is drawn.

    Attributes
    ----------
    layers
        Layer keys to draw (see :data:`ALL_LAYERS`); absent data leaves a layer out.
    simplify_m
        Polygon simplification tolerance for display, metres.
    decimals
        Decimals of longitude/latitude kept (5 is about 1 m).
    cluster_above
        Cluster a point layer with more markers than this.
    minutes_edges
        Class edges of drive-time choropleths and isochrones, minutes.
    access_edges
        Class edges of E2SFCA beds per 1,000 aged 75+ (default: around the benchmark).
    travel_edges
        Class edges of care-worker travel per visit, minutes.
    focus_buffer_km
        Margin around the focus place when framing the map.
    shading
        The shading layer shown when the map opens (one of :data:`CHOROPLETH_LAYERS`,
        or ``"none"``); default access when there are access results, else 75+ counts.
    """

    layers: tuple[str, ...] = ALL_LAYERS
    simplify_m: float = 25.0
    decimals: int = 5
    cluster_above: int = 40
    minutes_edges: tuple[float, ...] = DEFAULT_MINUTES_EDGES
    access_edges: tuple[float, ...] | None = None
    travel_edges: tuple[float, ...] = DEFAULT_TRAVEL_EDGES
    focus_buffer_km: float = 5.0
    shading: str | None = None

    def __post_init__(self) -> None:
        """Check the layer keys and numbers."""
        unknown = sorted(set(self.layers) - set(ALL_LAYERS))
        if unknown:
            msg = f"unknown map layer(s) {unknown}; known: {', '.join(ALL_LAYERS)}"
            raise ValidationError(msg)
        if self.simplify_m < 0 or not 0 <= self.decimals <= 8 or self.focus_buffer_km < 0:
            msg = "simplify_m and focus_buffer_km must be >= 0 and decimals 0..8"
            raise ValidationError(msg)
        if self.shading is not None and self.shading not in (*CHOROPLETH_LAYERS, "none"):
            msg = f"shading must be one of {', '.join(CHOROPLETH_LAYERS)} or none"
            raise ValidationError(msg)
