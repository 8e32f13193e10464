"""Colour classes of a choropleth: the mechanism and the colour schemes.

:class:`Classification` holds class edges, their colours and how they were chosen;
:func:`quantile_classes` and :func:`fixed_classes` make one from values or fixed
breaks. Sequential and diverging palettes are ColorBrewer schemes marked colour-blind
safe (YlGnBu, PuBu, YlOrRd, RdYlBu, Purples). Which layer uses which classes is in
:mod:`geosuff._palettes`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geosuff._errors import ValidationError

__all__ = [
    "NO_DATA",
    "NO_DATA_LABEL",
    "PALETTES",
    "Classification",
    "fixed_classes",
    "quantile_classes",
]

#: Five-class ColorBrewer schemes, light to dark (RdYlBu: red = low).
PALETTES: dict[str, tuple[str, ...]] = {
    "YlGnBu": ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    "PuBu": ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"),
    "YlOrRd": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    "RdYlBu": ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"),
    "Purples": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
}

#: Fill of a value that is missing (or "insufficient data").
NO_DATA = "#bdbdbd"
NO_DATA_LABEL = "no data / insufficient data"


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
