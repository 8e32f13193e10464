"""LSOAs grouped into towns (through their wards), for ``--by town``."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd

from geosuff.analysis.joins import assign_groups
from geosuff.io.areas import Area
from geosuff.io.rejects import Loaded
from geosuff.io.towns import load_towns

__all__ = ["lsoa_towns"]


def lsoa_towns(
    area: Area,
    population: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    path: str | os.PathLike[str] | None = None,
) -> Loaded:
    """Give every LSOA of an area the town of the ward holding its demand point.

    Parameters
    ----------
    area
        The area.
    population
        Its population layer.
    wards
        Its ward polygons (``ward_code``, ``ward_name``).
    path
        A towns file (default the shipped one for the area, else the name-prefix
        rule; see :mod:`geosuff.io.towns`).

    Returns
    -------
    Loaded
        ``data``: DataFrame ``lsoa_code``, ``ward_code``, ``town``;
        ``rejects``: LSOAs in no ward or several, towns-file names matching no ward.
    """
    ward_of, problems = assign_groups(population, wards, "ward_code", label="ward")
    towns, town_problems = load_towns(area, wards, path=path)
    town_of_ward = towns.set_index("ward_code")["town"]
    data = pd.DataFrame(
        {
            "lsoa_code": ward_of.index,
            "ward_code": ward_of.to_numpy(),
            "town": ward_of.map(town_of_ward).to_numpy(),
        }
    )
    parts = [p for p in (problems, town_problems) if not p.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else problems
    return Loaded(data, rejects)
