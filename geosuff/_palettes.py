"""Classes and colours of every geosuff map layer, in one place.

The interactive maps (:mod:`geosuff.maps`) and the QGIS styles written into
GeoPackage outputs (:mod:`geosuff.io.qgis_styles`) both take their class breaks,
colours and outline styles from here, so a GIS officer opening a file sees what the
commissioner saw on the map.

Sequential and diverging palettes are ColorBrewer schemes marked colour-blind safe
(YlGnBu, PuBu, YlOrRd, RdYlBu, Purples); point categories use the Okabe-Ito palette.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError

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

#: Five-class ColorBrewer schemes, light to dark (RdYlBu: red = low).
PALETTES: dict[str, tuple[str, ...]] = {
    "YlGnBu": ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    "PuBu": ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"),
    "YlOrRd": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    "RdYlBu": ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"),
    "Purples": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
}

#: Okabe-Ito colours for point layers (distinguishable with any colour vision).
POINT_COLOURS: dict[str, str] = {
    "care_home_nursing": "#D55E00",
    "care_home_residential": "#0072B2",
    "domiciliary": "#009E73",
    "extra_care": "#CC79A7",
}

#: Fill of a value that is missing (or "insufficient data").
NO_DATA = "#bdbdbd"
NO_DATA_LABEL = "no data / insufficient data"

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


def _fmt(value: float, decimals: int) -> str:
    if math.isinf(value):
        return "∞"
    return f"{value:,.{decimals}f}"


@dataclass(frozen=True)
class Classification:
    """Class breaks of a choropleth, their colours, and how they were chosen.

    Attributes
    ----------
    edges
        Increasing class edges, one more than the colours; a value ``v`` is in class
        ``i`` when ``edges[i] <= v < edges[i + 1]`` (values below the first edge fall
        in the first class, values at or above the last in the last).
    colours
        One colour per class.
    method
        The classification in words, shown in the legend (e.g. ``"quantiles (5 classes)"``).
    unit
        What the values are (shown as the legend title).
    decimals
        Decimals in the legend labels.
    """

    edges: tuple[float, ...]
    colours: tuple[str, ...]
    method: str
    unit: str
    decimals: int = 0

    def __post_init__(self) -> None:
        """Check there is one colour per class."""
        if len(self.edges) != len(self.colours) + 1:
            msg = f"{len(self.edges)} class edges need {len(self.edges) - 1} colours"
            raise ValidationError(msg)

    @property
    def labels(self) -> list[str]:
        """Legend label of each class, e.g. ``"10 – 20"``."""
        return [
            f"{_fmt(lo, self.decimals)} – {_fmt(hi, self.decimals)}"
            for lo, hi in zip(self.edges[:-1], self.edges[1:], strict=True)
        ]

    def class_of(self, values: Sequence[float] | pd.Series | np.ndarray) -> np.ndarray:
        """Return the class index of each value (-1 where missing).

        Parameters
        ----------
        values
            The values to classify.

        Returns
        -------
        numpy.ndarray
            Integer class indices.
        """
        arr = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
        inner = np.asarray(self.edges[1:-1], dtype=float)
        idx = np.searchsorted(inner, arr, side="right")
        return np.where(np.isnan(arr), -1, idx)

    def colour_of(self, values: Sequence[float] | pd.Series | np.ndarray) -> list[str]:
        """Return the class colour of each value (grey where missing).

        Parameters
        ----------
        values
            The values to colour.

        Returns
        -------
        list of str
            Hex colours.
        """
        return [NO_DATA if i < 0 else self.colours[i] for i in self.class_of(values)]


def quantile_classes(
    values: pd.Series | np.ndarray, *, palette: str, unit: str, k: int = 5, decimals: int = 0
) -> Classification:
    """Classify values by quantiles (equal counts), merging duplicate breaks.

    Parameters
    ----------
    values
        The values (missing ones ignored).
    palette
        A name in :data:`PALETTES`.
    unit
        Legend title.
    k
        Number of classes (at most the palette length).
    decimals
        Decimals used to round the breaks.

    Returns
    -------
    Classification
        Quantile classes; fewer than ``k`` when values repeat.
    """
    arr = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    colours = PALETTES[palette]
    k = min(k, len(colours))
    if arr.size == 0:
        return Classification((0.0, 1.0), (colours[0],), "no values", unit, decimals)
    qs = np.quantile(arr, np.linspace(0, 1, k + 1))
    qs = np.round(qs, decimals)
    qs[0] = min(qs[0], float(arr.min()))
    qs[-1] = max(qs[-1], float(arr.max()))
    edges = tuple(float(x) for x in np.unique(qs))
    if len(edges) == 1:
        edges = (edges[0], edges[0] + 1.0)
    n = len(edges) - 1
    step = (len(colours) - 1) / max(n - 1, 1)
    chosen = tuple(colours[round(i * step)] for i in range(n)) if n > 1 else (colours[-1],)
    method = f"quantiles ({n} classes of about equal count)"
    return Classification(edges, chosen, method, unit, decimals)


def fixed_classes(
    edges: Sequence[float], *, palette: str, unit: str, method: str, decimals: int = 0
) -> Classification:
    """Classify values by fixed breaks (e.g. minutes 0-10-20-30-45).

    Parameters
    ----------
    edges
        Increasing class edges (use ``float("inf")`` for an open top class).
    palette
        A name in :data:`PALETTES`; ``len(edges) - 1`` colours are picked evenly.
    unit
        Legend title.
    method
        Why these breaks, in words (shown in the legend).
    decimals
        Decimals in the legend labels.

    Returns
    -------
    Classification
        The classes.
    """
    edges_t = tuple(float(e) for e in edges)
    if len(edges_t) < 2 or any(b <= a for a, b in itertools.pairwise(edges_t)):
        msg = f"class edges must increase, got {list(edges)}"
        raise ValidationError(msg)
    colours = PALETTES[palette]
    n = len(edges_t) - 1
    if n > len(colours):
        msg = f"at most {len(colours)} classes with palette {palette}, got {n}"
        raise ValidationError(msg)
    step = (len(colours) - 1) / max(n - 1, 1)
    chosen = tuple(colours[round(i * step)] for i in range(n))
    return Classification(edges_t, chosen, method, unit, decimals)


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
