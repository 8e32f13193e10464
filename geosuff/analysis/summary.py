"""The county summary: population, care homes, beds and benchmark gaps per authority."""

from __future__ import annotations

import pandas as pd

from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers

__all__ = ["SUMMARY_COLUMNS", "area_summary", "layer_supply"]

#: Columns of :func:`area_summary`, in display order (then ``<layer>_coverage``).
SUMMARY_COLUMNS = [
    "la_code",
    "la_name",
    "lsoas",
    "pop_total",
    "pop_75plus",
    "care_homes",
    "nursing_homes",
    "residential_homes",
    "dementia_homes",
    "beds",
    "nursing_beds",
    "residential_beds",
    "dementia_beds",
    "beds_per_1000_75plus",
    "nursing_beds_per_1000_75plus",
    "residential_beds_per_1000_75plus",
    "nursing_beds_gap",
    "nursing_beds_gap_note",
    "residential_beds_gap",
    "residential_beds_gap_note",
    "home_care_agencies",
    "extra_care_schemes",
    "extra_care_units",
    "extra_care_units_gap",
    "extra_care_units_gap_note",
]


def layer_supply(
    layers: AreaLayers, *, by: str = "la", groups: pd.Series | None = None
) -> pd.DataFrame:
    """Supply ratios of an area's layers, honouring their coverage.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).
    by
        Unit (see :func:`geosuff.supply_ratios`).
    groups
        Group of each LSOA for ward, town or zone units.

    Returns
    -------
    geopandas.GeoDataFrame
        The supply table (:func:`geosuff.supply_ratios`).
    """
    return supply_ratios(
        layers.population,
        layers.care_homes,
        layers.home_care,
        layers.extra_care,
        by=by,
        groups=groups,
        coverage=layers.coverage,
    )


def area_summary(layers: AreaLayers) -> pd.DataFrame:
    """Summarise an area: one row per local authority district, then the area total.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS` then one ``<layer>_coverage`` column per assessed
        layer; the last row is the whole area (``la_code`` is the area code).
        Single-authority areas have just that row.
    """
    total = pd.DataFrame(layer_supply(layers, by="area").drop(columns="geometry"))
    total["la_code"], total["la_name"] = layers.area.code, layers.area.name
    frames = []
    if len(layers.area.district_codes) > 1:
        by_la = pd.DataFrame(layer_supply(layers, by="la").drop(columns="geometry"))
        by_la["la_code"] = by_la["unit"]
        frames.append(by_la)
    frames.append(total)
    table = pd.concat(frames, ignore_index=True).rename(columns={"n_lsoas": "lsoas"})
    cover = [c for c in table.columns if c.endswith("_coverage")]
    return table[[*SUMMARY_COLUMNS, *cover]].reset_index(drop=True)
