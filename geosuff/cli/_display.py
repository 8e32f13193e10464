"""How supply figures read in terminal tables: integers, rounded ratios, worded gaps.

Counts print as integers, ratios to one decimal, gaps as ``shortfall 575`` or
``surplus 293``; a figure the data cannot support prints ``insufficient data
(partial)``, and :func:`footer` names the reason beside the table, together with the
scope, the bed split, every layer's coverage and the sources with their vintages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from geosuff import settings
from geosuff.io.area_layers import AreaLayers
from geosuff.io.provenance import Coverage
from geosuff.io.scope import describe_scope

__all__ = ["LAYER_OF", "cell", "fmt_count", "fmt_gap", "fmt_ratio", "footer"]

#: The layer each displayed column depends on (for "partial" marks).
LAYER_OF = {
    "care_homes": "care_homes",
    "beds": "care_homes",
    "nursing_beds": "care_homes",
    "residential_beds": "care_homes",
    "dementia_beds": "care_homes",
    "home_care_agencies": "home_care",
    "extra_care_schemes": "extra_care",
    "extra_care_units": "extra_care",
}

_LAYER_NAMES = {
    "population": "Population",
    "care_homes": "Care homes",
    "home_care": "Home care",
    "extra_care": "Extra care",
    "lsoa": "LSOA boundaries",
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def fmt_count(value: object) -> str:
    """Return a count as a whole number with thousands separators (``-`` if missing).

    Parameters
    ----------
    value
        The count (split beds may carry decimals; they are rounded).

    Returns
    -------
    str
        E.g. ``"4,483"``.
    """
    return "-" if _missing(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def fmt_ratio(value: object) -> str:
    """Return a ratio per 1,000 to one decimal (``-`` if missing).

    Parameters
    ----------
    value
        The ratio.

    Returns
    -------
    str
        E.g. ``"86.2"``.
    """
    return "-" if _missing(value) else f"{float(value):,.1f}"  # type: ignore[arg-type]


def fmt_gap(value: object, note: object = "") -> str:
    """Return a benchmark gap in words.

    Parameters
    ----------
    value
        Supply minus benchmark.
    note
        The gap's note (``*_gap_note``); shown when the gap is missing.

    Returns
    -------
    str
        ``"shortfall 575"``, ``"surplus 293"``, ``"balanced"`` or
        ``"insufficient data (partial)"``.
    """
    if _missing(value):
        text = str(note or "")
        if "partial" in text:
            return "insufficient data (partial)"
        return "insufficient data" if text else "-"
    rounded = round(float(value))  # type: ignore[arg-type]
    if rounded < 0:
        return f"shortfall {-rounded:,}"
    if rounded > 0:
        return f"surplus {rounded:,}"
    return "balanced"


def cell(row: Mapping[str, object], column: str, coverage: Mapping[str, Coverage]) -> str:
    """Format one table cell by its column's kind, marking partial layers.

    Parameters
    ----------
    row
        A table row.
    column
        The column.
    coverage
        Coverage per layer.

    Returns
    -------
    str
        The text to print.
    """
    value = row.get(column)
    if column.endswith("_gap"):
        return fmt_gap(value, row.get(f"{column}_note", ""))
    if column.endswith("per_1000_75plus"):
        if _missing(value):
            layer = LAYER_OF.get(column.removesuffix("_per_1000_75plus"))
            cover = coverage.get(layer or "")
            return "insufficient data (partial)" if cover and cover.status == "partial" else "-"
        return fmt_ratio(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        cover = coverage.get(LAYER_OF.get(column, ""))
        partial = cover is not None and cover.status == "partial"
        if _missing(value):
            return "insufficient data (partial)" if partial else "-"
        return f"{fmt_count(value)} (partial)" if partial else fmt_count(value)
    return "-" if _missing(value) else str(value)


def footer(layers: AreaLayers) -> list[str]:
    """Lines to print under a supply table: scope, bed split, coverage, sources.

    Parameters
    ----------
    layers
        The area's layers.

    Returns
    -------
    list of str
        One line per fact.
    """
    rejects = layers.rejects
    excluded = 0
    if not rejects.empty:
        out_of_scope = rejects["action"].eq("excluded") & rejects["reason"].astype(
            str
        ).str.startswith("outside scope")
        excluded = int(out_of_scope.sum())
    scope = f"Scope: {describe_scope(layers.scope)}"
    if layers.scope != "all":
        scope += f" ({excluded:,} homes excluded; --rejects FILE lists them)"
    lines = [scope, f"Bed split: {layers.bed_split}"]
    for layer, cover in layers.coverage.items():
        lines.append(f"Coverage, {_LAYER_NAMES.get(layer, layer).lower()}: {cover.label()}")
    marks = settings.benchmarks_per_1000_75plus
    lines.append(
        f"Benchmarks per 1,000 aged 75+: {marks['residential_beds']:g} residential beds, "
        f"{marks['nursing_beds']:g} nursing beds, {marks['extra_care_units']:g} extra care "
        f"units ({settings.benchmark_source})"
    )
    if layers.year is not None or layers.population_basis:
        basis = layers.population_basis or "estimate"
        lines.append(f"Population: {layers.year or ''} {basis}".replace("  ", " "))
    for info in layers.provenance.values():
        vintage = info.vintage or "vintage not stated"
        name = _LAYER_NAMES.get(info.layer, info.layer)
        lines.append(f"Source, {name.lower()}: {info.title} ({vintage}); {info.path}")
    return lines
