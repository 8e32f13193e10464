"""Classes and colours of every geosuff map layer, in one place.

The interactive maps (:mod:`geosuff.maps`) and the QGIS styles written into
GeoPackage outputs (:mod:`geosuff.io.qgis_styles`) both take their class breaks,
colours and outline styles from here, so a GIS officer opening a file sees what the
commissioner saw on the map. The classification mechanism and the ColorBrewer schemes
live in :mod:`geosuff._classes` (re-exported here); point categories use the
Okabe-Ito palette.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._classes import (
    NO_DATA,
    NO_DATA_LABEL,
    PALETTES,
    Classification,
    fixed_classes,
    quantile_classes,
)

__all__ = [
    "DEFAULT_MINUTES_EDGES",
    "DEFAULT_TRAVEL_EDGES",
    "NO_DATA",
    "NO_DATA_LABEL",
    "OUTLINES",
    "PALETTES",
    "POINT_COLOURS",
    "Classification",
    "LineStyle",
    "access_classes",
    "bed_benchmark_per_1000",
    "density75_classes",
    "fixed_classes",
    "isochrone_classes",
    "minutes_classes",
    "pop75_classes",
    "quantile_classes",
    "travel_per_visit_classes",
]

#: Okabe-Ito colours for point layers (distinguishable with any colour vision).
POINT_COLOURS: dict[str, str] = {
    "care_home_nursing": "#D55E00",
    "care_home_residential": "#0072B2",
    "domiciliary": "#009E73",
    "extra_care": "#CC79A7",
}

#: Default class edges of drive-time layers, minutes (an open top class).
DEFAULT_MINUTES_EDGES: tuple[float, ...] = (0.0, 10.0, 20.0, 30.0, 45.0, math.inf)

#: Default class edges of care-worker travel per visit, minutes: 10 is the default gap
#: threshold (:class:`geosuff.GapThresholds`), so the top two classes are flagged.
DEFAULT_TRAVEL_EDGES: tuple[float, ...] = (0.0, 6.0, 8.0, 10.0, 13.0, math.inf)


@dataclass(frozen=True)
class LineStyle:
    """How an outline layer is drawn: a line over an optional white casing.

    Attributes
    ----------
    colour
        Line colour.
    weight_px
        Line width in pixels (screen) or points (QGIS, at 0.26 mm per px).
    dash
        SVG/Leaflet dash array in pixels (``"10 6"``), or ``None`` for a solid line.
    casing_colour
        Colour of a wider line drawn under it so it shows on any fill, or ``None``.
    casing_weight_px
        Width of the casing.
    round_caps
        Round line caps (turns a ``"0.1 8"`` dash into dots).
    """

    colour: str
    weight_px: float
    dash: str | None = None
    casing_colour: str | None = None
    casing_weight_px: float = 0.0
    round_caps: bool = False

    def as_dict(self) -> dict[str, object]:
        """Return the style as plain JSON-ready values (for the map runtime)."""
        return {
            "stroke": self.colour,
            "weight": self.weight_px,
            "dash": self.dash,
            "casing": self.casing_colour,
            "casingWeight": self.casing_weight_px,
            "roundCaps": self.round_caps,
        }


#: Outline layers, each different in colour, dash and weight: the area boundary
#: (solid dark grey), zones (long grey dashes), gap LSOAs (solid magenta over white,
#: no fill so the choropleth keeps its legend colours) and the focus place (black
#: dots over white).
OUTLINES: dict[str, LineStyle] = {
    "boundary": LineStyle("#252525", 2.5),
    "zone": LineStyle("#4d4d4d", 2.0, "10 6", "#ffffff", 4.0),
    "gap": LineStyle("#d01c8b", 3.0, None, "#ffffff", 6.0),
    "focus": LineStyle("#000000", 4.5, "0.1 8", "#ffffff", 8.0, round_caps=True),
}


def bed_benchmark_per_1000() -> float:
    """Return the care home bed benchmark per 1,000 aged 75+ (residential + nursing)."""
    marks = settings.benchmarks_per_1000_75plus
    return float(marks["residential_beds"] + marks["nursing_beds"])


def access_classes(edges: Sequence[float] | None = None) -> Classification:
    """Classes of care home beds per 1,000 aged 75+ (E2SFCA access, or supply ratios).

    Parameters
    ----------
    edges
        Class edges; default 0, 40, 80, the benchmark, 1.5 x the benchmark, open top.

    Returns
    -------
    Classification
        Red below the benchmark, blue above it.
    """
    mark = bed_benchmark_per_1000()
    chosen = edges or (0.0, 40.0, 80.0, mark, 1.5 * mark, math.inf)
    return fixed_classes(
        chosen,
        palette="RdYlBu",
        unit="Care home beds per 1,000 aged 75+",
        method=f"fixed breaks around the benchmark of {mark:g}",
        decimals=0,
    )


def minutes_classes(unit: str, edges: Sequence[float] = DEFAULT_MINUTES_EDGES) -> Classification:
    """Classes of drive times to the nearest provider, minutes.

    Parameters
    ----------
    unit
        Legend title (what the minutes measure).
    edges
        Class edges in minutes.

    Returns
    -------
    Classification
        Yellow (near) to red (far).
    """
    return fixed_classes(edges, palette="YlOrRd", unit=unit, method="fixed breaks in minutes")


def isochrone_classes(edges: Sequence[float] = DEFAULT_MINUTES_EDGES) -> Classification:
    """Classes of drive-time isochrones, in a palette no choropleth uses.

    Parameters
    ----------
    edges
        Class edges in minutes.

    Returns
    -------
    Classification
        Purples, dark (near) to light (far) reversed so the nearest band stands out.
    """
    classes = fixed_classes(
        edges,
        palette="Purples",
        unit="Drive time from the focus, minutes",
        method="fixed breaks in minutes",
    )
    return Classification(
        classes.edges, classes.colours[::-1], classes.method, classes.unit, classes.decimals
    )


def pop75_classes(values: pd.Series | np.ndarray) -> Classification:
    """Quantile classes of the number of people aged 75+ per LSOA.

    Parameters
    ----------
    values
        The counts.

    Returns
    -------
    Classification
        Five quantile classes (YlGnBu).
    """
    return quantile_classes(values, palette="YlGnBu", unit="People aged 75+")


def density75_classes(values: pd.Series | np.ndarray) -> Classification:
    """Quantile classes of people aged 75+ per km².

    Parameters
    ----------
    values
        The densities.

    Returns
    -------
    Classification
        Five quantile classes (PuBu), one decimal.
    """
    return quantile_classes(values, palette="PuBu", unit="People aged 75+ per km²", decimals=1)


def travel_per_visit_classes(edges: Sequence[float] = DEFAULT_TRAVEL_EDGES) -> Classification:
    """Classes of care-worker travel per visit (drive plus parking and walking), minutes.

    Parameters
    ----------
    edges
        Class edges in minutes (default :data:`DEFAULT_TRAVEL_EDGES`).

    Returns
    -------
    Classification
        Yellow (short) to red (long).
    """
    return fixed_classes(
        edges,
        palette="YlOrRd",
        unit="Care-worker travel per visit, minutes",
        method="fixed breaks in minutes",
        decimals=0,
    )
