"""Supply ratios: beds, agencies and extra care units per 1,000 people aged 75+.

Benchmarks come from :data:`geosuff.settings.benchmarks_per_1000_75plus` (65
residential beds, 45 nursing beds and 25 extra care units per 1,000 aged 75+, Housing
LIN "More Choice, Greater Voice"), the one place to change them.

Bed types: beds in homes registered for nursing count as nursing beds (including
dual-registered homes, whose beds CQC does not split); beds in homes registered
without nursing count as residential beds. ``*_gap`` columns are supply minus the
benchmark for the unit's 75+ population: positive is a surplus, negative a shortfall.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.analysis.joins import assign_to_lsoas

__all__ = ["SUPPLY_COLUMNS", "UNITS", "supply_ratios"]

#: Units supply can be summarised by.
UNITS = ("lsoa", "ward", "zone", "la", "area")

_POP = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]


SUPPLY_COLUMNS = [
    "care_homes",
    "nursing_homes",
    "residential_homes",
    "dementia_homes",
    "beds",
    "nursing_beds",
    "residential_beds",
    "older_people_beds",
    "home_care_agencies",
    "extra_care_schemes",
    "extra_care_units",
]


def _per_lsoa_supply(
    population: gpd.GeoDataFrame,
    care_homes: gpd.GeoDataFrame | None,
    home_care: gpd.GeoDataFrame | None,
    extra_care: gpd.GeoDataFrame | None,
) -> pd.DataFrame:
    """Sum supply per LSOA (points outside the area's LSOAs are not counted)."""
    index = pd.Index(population["lsoa_code"], name="lsoa_code")
    out = pd.DataFrame(0.0, index=index, columns=SUPPLY_COLUMNS)

    def add(points: gpd.GeoDataFrame | None, values: dict[str, pd.Series]) -> None:
        if points is None or points.empty:
            return
        frame = pd.DataFrame(values, index=points.index).astype(float)
        sums = frame.groupby(points["lsoa_code"]).sum().reindex(index).fillna(0.0)
        out[sums.columns] = sums

    if care_homes is not None:
        homes = assign_to_lsoas(care_homes, population)
        beds = homes["beds"].fillna(0).astype(float)
        nursing = homes["kind"].eq("care_home_nursing")
        older = homes["older_people"].fillna(False).astype(bool)
        add(
            homes,
            {
                "care_homes": pd.Series(1.0, index=homes.index),
                "nursing_homes": nursing,
                "residential_homes": ~nursing,
                "dementia_homes": homes["dementia"].fillna(False).astype(bool),
                "beds": beds,
                "nursing_beds": beds.where(nursing, 0.0),
                "residential_beds": beds.where(~nursing, 0.0),
                "older_people_beds": beds.where(older, 0.0),
            },
        )
    if home_care is not None:
        agencies = assign_to_lsoas(home_care, population)
        add(agencies, {"home_care_agencies": pd.Series(1.0, index=agencies.index)})
    if extra_care is not None:
        schemes = assign_to_lsoas(extra_care, population)
        add(
            schemes,
            {
                "extra_care_schemes": pd.Series(1.0, index=schemes.index),
                "extra_care_units": schemes["units"].fillna(0).astype(float),
            },
        )
    return out


def supply_ratios(
    population: gpd.GeoDataFrame,
    care_homes: gpd.GeoDataFrame | None = None,
    home_care: gpd.GeoDataFrame | None = None,
    extra_care: gpd.GeoDataFrame | None = None,
    *,
    by: str = "la",
    groups: pd.Series | None = None,
    benchmarks: dict[str, float] | None = None,
) -> gpd.GeoDataFrame:
    """Supply and supply per 1,000 people aged 75+ by LSOA, ward, zone, LA or whole area.

    Parameters
    ----------
    population
        The population layer (:func:`geosuff.load_population`).
    care_homes, home_care, extra_care
        Provider layers; ``None`` counts as no supply of that kind. Points are joined to
        the LSOA they fall in; points outside the area are not counted.
    by
        ``"lsoa"``, ``"ward"``, ``"zone"``, ``"la"`` or ``"area"``.
    groups
        For ``by="ward"`` or ``"zone"``: the group of each LSOA, indexed by
        ``lsoa_code`` (from :func:`geosuff.load_zones` or ward assignment). LSOAs with
        no group are summarised under ``"(none)"`` so no population is lost.
    benchmarks
        Override of :data:`geosuff.settings.benchmarks_per_1000_75plus`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit (column ``unit``), EPSG:27700 geometry (the dissolved LSOAs),
        with ``n_lsoas``, population counts, supply counts (``care_homes``,
        ``nursing_homes``, ``residential_homes``, ``dementia_homes``, ``beds``,
        ``nursing_beds``, ``residential_beds``, ``older_people_beds``,
        ``home_care_agencies``, ``extra_care_schemes``, ``extra_care_units``), each
        per 1,000 aged 75+ (``*_per_1000_75plus``, NaN where no one is 75+), the
        benchmark supply (``*_benchmark``) and the gap (``*_gap``, supply minus
        benchmark) for residential beds, nursing beds and extra care units.

    Raises
    ------
    ValidationError
        For an unknown *by*, or ward/zone without *groups*.

    Examples
    --------
    >>> import geosuff
    >>> area = geosuff.resolve_area("Rutland", geosuff.resolve_data_dir())
    >>> pop = geosuff.load_population(area).data
    >>> homes = geosuff.load_care_homes().data
    >>> geosuff.supply_ratios(pop, homes, by="area")["beds"].item()
    419.0
    """
    if by not in UNITS:
        msg = f"by must be one of {', '.join(UNITS)}; got {by!r}"
        raise ValidationError(msg)
    marks = dict(settings.benchmarks_per_1000_75plus if benchmarks is None else benchmarks)
    per_lsoa = _per_lsoa_supply(population, care_homes, home_care, extra_care)
    base = population.set_index("lsoa_code")
    if by == "lsoa":
        unit = pd.Series(base.index, index=base.index)
    elif by == "la":
        unit = base["la_code"].astype(str)
    elif by == "area":
        unit = pd.Series("area", index=base.index)
    else:
        if groups is None:
            msg = f"by={by!r} needs the {by} of each LSOA (give --zones or ward boundaries)"
            raise ValidationError(msg)
        unit = groups.reindex(base.index).astype(object).fillna("(none)")
    table = pd.concat([base[_POP], per_lsoa], axis=1)
    table["unit"] = unit.to_numpy()
    table["n_lsoas"] = 1
    sums = table.groupby("unit", sort=True).sum(numeric_only=True)
    geoms = gpd.GeoDataFrame(
        {"unit": unit.to_numpy()}, geometry=base.geometry.to_numpy(), crs=population.crs
    ).dissolve("unit")
    pop75 = sums["pop_75plus"].where(sums["pop_75plus"] > 0)
    for col in SUPPLY_COLUMNS:
        sums[f"{col}_per_1000_75plus"] = sums[col] / pop75 * 1000.0
    for col, mark in (
        ("residential_beds", marks["residential_beds"]),
        ("nursing_beds", marks["nursing_beds"]),
        ("extra_care_units", marks["extra_care_units"]),
    ):
        sums[f"{col}_benchmark"] = sums["pop_75plus"] * mark / 1000.0
        sums[f"{col}_gap"] = sums[col] - sums[f"{col}_benchmark"]
    sums = sums.replace([np.inf, -np.inf], np.nan)
    result = gpd.GeoDataFrame(
        sums.join(geoms), geometry="geometry", crs=population.crs
    ).reset_index()
    if by == "la" and "la_name" in base.columns:
        la_names = base.drop_duplicates("la_code").set_index("la_code")["la_name"]
        result.insert(1, "la_name", result["unit"].map(la_names))
    if by == "lsoa":
        names = base["lsoa_name"]
        result.insert(1, "lsoa_name", result["unit"].map(names))
        result.insert(2, "la_code", result["unit"].map(base["la_code"]))
    return result
