"""Supply against benchmarks over several years: one row per unit and year.

Supply (care homes, beds, agencies, extra care units) stays as loaded; the 75+
population, and so the ratios, benchmark supply and gaps, follow each year
(:func:`geosuff.io.population_year.layers_for_years`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers
from geosuff.io.population_year import layers_for_years

__all__ = ["add_basis_columns", "supply_by_year"]


def add_basis_columns(table: pd.DataFrame, layers: AreaLayers) -> pd.DataFrame:
    """Return *table* with the population's ``year`` and ``population_basis`` columns.

    ``year`` goes after ``unit`` (or, without one, at the end) and
    ``population_basis`` last, so every row says which population its ratios and
    benchmarks are for.

    Parameters
    ----------
    table
        A result table (supply, access, gaps, summary).
    layers
        The layers it was computed from.

    Returns
    -------
    pandas.DataFrame
        A copy with the two columns (same type as *table*).
    """
    out = table.drop(columns=[c for c in ("year", "population_basis") if c in table.columns])
    at = int(out.columns.get_loc("unit")) + 1 if "unit" in out.columns else len(out.columns)
    out.insert(at, "year", pd.array([layers.year] * len(out), dtype="Int64"))
    out["population_basis"] = layers.population_basis
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in out.columns:
        geom = table.geometry.name
        out = out[[c for c in out.columns if c != geom] + [geom]]
        return gpd.GeoDataFrame(out, geometry=geom, crs=table.crs)
    return out


def supply_by_year(
    layers: AreaLayers,
    years: Sequence[int],
    *,
    by: str = "la",
    groups: pd.Series | None = None,
    benchmarks: dict[str, float] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame:
    """Supply ratios, benchmark supply and gaps for each of *years*.

    Parameters
    ----------
    layers
        The area's layers, loaded with the estimates (no ``year``).
    years
        The years; the estimates' year uses the estimates, later ones the projection.
    by, groups, benchmarks
        As :func:`geosuff.supply_ratios`.
    data_dir
        Data folder (projection and admin-areas files).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geosuff.supply_ratios`' columns for each year, one row per unit and
        year (years in the order given), with ``year`` and ``population_basis``.

    Raises
    ------
    ValidationError
        If a year is outside the projection's range or an authority is missing from it.
    """
    frames = []
    for layers_y in layers_for_years(layers, list(years), data_dir=data_dir):
        table = supply_ratios(
            layers_y.population,
            layers_y.care_homes,
            layers_y.home_care,
            layers_y.extra_care,
            by=by,
            groups=groups,
            benchmarks=benchmarks,
            coverage=layers_y.coverage,
        )
        frames.append(add_basis_columns(table, layers_y))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
