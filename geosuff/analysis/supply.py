"""Supply ratios: beds, agencies and extra care units per 1,000 people aged 75+.

Benchmarks come from :data:`geosuff.settings.benchmarks_per_1000_75plus` (65
residential beds, 45 nursing beds and 25 extra care units per 1,000 aged 75+, Housing
LIN "More Choice, Greater Voice"), the one place to change them.

Bed types come from the care homes' ``nursing_beds`` and ``residential_beds``
columns (the bed-use model applied when layers are loaded, :mod:`geosuff.io.bed_use`);
a layer without them is split by the ``registration`` rule (every bed of a home
registered with nursing is a nursing bed). ``*_gap`` columns are supply minus the
benchmark for the unit's 75+ population: positive is a surplus, negative a shortfall.

Coverage: a layer whose coverage is ``partial`` (a sample list, a source without bed
counts) gives no ratio and no gap: those cells are NaN and the ``*_gap_note`` columns
say "insufficient data (partial: <reason>)"; ``<layer>_coverage`` columns carry each
layer's verdict on every row (see :mod:`geosuff.analysis.insufficient`).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.analysis.insufficient import mark_insufficient
from geosuff.io.bed_use import apply_bed_use
from geosuff.io.placement import assign_to_lsoas
from geosuff.io.provenance import Coverage

__all__ = ["COUNT_COLUMNS", "NO_POPULATION_UNIT", "SUPPLY_COLUMNS", "UNITS", "supply_ratios"]

#: Units supply can be summarised by (``town`` and ``ward`` take *groups* like zones).
UNITS = ("lsoa", "ward", "town", "zone", "la", "area")

#: Unit of providers in LSOAs the population file has no figures for (ward/zone/town).
NO_POPULATION_UNIT = "(LSOAs without population figures)"

_POP = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]


SUPPLY_COLUMNS = [
    "care_homes",
    "nursing_homes",
    "residential_homes",
    "dementia_homes",
    "beds",
    "nursing_beds",
    "residential_beds",
    "dementia_beds",
    "older_people_beds",
    "home_care_agencies",
    "extra_care_schemes",
    "extra_care_units",
]

#: Supply columns that count providers (integers in the output).
COUNT_COLUMNS = [
    "care_homes",
    "nursing_homes",
    "residential_homes",
    "dementia_homes",
    "home_care_agencies",
    "extra_care_schemes",
]


def _placed(points: gpd.GeoDataFrame, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return providers with their LSOA: as placed by the loader, else point in polygon."""
    if "lsoa_code" in points and "la_code" in points:
        return points[points["lsoa_code"].notna()]
    return assign_to_lsoas(points, population)


def _per_lsoa_supply(
    population: gpd.GeoDataFrame,
    care_homes: gpd.GeoDataFrame | None,
    home_care: gpd.GeoDataFrame | None,
    extra_care: gpd.GeoDataFrame | None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Sum supply per LSOA (points outside the area's LSOAs are not counted).

    Returns the sums (indexed by LSOA code, including LSOAs that hold providers but
    have no population figures) and the local authority of those extra LSOAs.
    """
    parts: dict[str, pd.DataFrame] = {}
    extra_la: dict[str, str] = {}

    def add(points: gpd.GeoDataFrame, values: dict[str, pd.Series]) -> None:
        frame = pd.DataFrame(values, index=points.index).astype(float)
        # min_count=1: beds unknown (NaN) stay unknown rather than becoming 0
        sums = frame.groupby(points["lsoa_code"]).sum(min_count=1)
        for col in sums.columns:
            parts[col] = sums[col]
        extra_la.update(points.drop_duplicates("lsoa_code").set_index("lsoa_code")["la_code"])

    if care_homes is not None and not care_homes.empty:
        homes = _placed(care_homes, population)
        if "nursing_beds" not in homes or "residential_beds" not in homes:
            homes = apply_bed_use(homes)[0]
        beds = pd.to_numeric(homes["beds"], errors="coerce").astype(float)
        nursing = homes["kind"].eq("care_home_nursing")
        no = pd.Series(False, index=homes.index)
        older = homes.get("older_people", no).astype("boolean").fillna(False).astype(bool)
        dementia = homes.get("dementia", no).astype("boolean").fillna(False).astype(bool)
        add(
            homes,
            {
                "care_homes": pd.Series(1.0, index=homes.index),
                "nursing_homes": nursing,
                "residential_homes": ~nursing,
                "dementia_homes": dementia,
                "beds": beds,
                "nursing_beds": homes["nursing_beds"],
                "residential_beds": homes["residential_beds"],
                "dementia_beds": homes.get("dementia_beds", beds.where(dementia, 0.0)),
                "older_people_beds": beds.where(older, 0.0),
            },
        )
    if home_care is not None and not home_care.empty:
        agencies = _placed(home_care, population)
        add(agencies, {"home_care_agencies": pd.Series(1.0, index=agencies.index)})
    if extra_care is not None and not extra_care.empty:
        schemes = _placed(extra_care, population)
        add(
            schemes,
            {
                "extra_care_schemes": pd.Series(1.0, index=schemes.index),
                "extra_care_units": schemes["units"].fillna(0).astype(float),
            },
        )
    index = pd.Index(population["lsoa_code"], name="lsoa_code")
    found = set().union(*(set(v.index) for v in parts.values())) if parts else set()
    extra = sorted(found - set(index))
    full = index.append(pd.Index(extra, name="lsoa_code"))
    out = pd.DataFrame(0.0, index=full, columns=SUPPLY_COLUMNS)
    for col, values in parts.items():
        out.loc[values.index, col] = values  # LSOAs without such providers stay 0
    return out, pd.Series({k: extra_la[k] for k in extra}, dtype=object)


def _unit_of_lsoas(
    base: pd.DataFrame, extra_la: pd.Series, by: str, groups: pd.Series | None
) -> pd.Series:
    """Return the unit of every LSOA (with population figures, then the extra ones)."""
    extra = extra_la.index
    if by == "lsoa":
        return pd.Series([*base.index, *extra], index=[*base.index, *extra])
    if by == "la":
        return pd.concat([base["la_code"].astype(str), extra_la.astype(str)])
    if by == "area":
        return pd.Series("area", index=[*base.index, *extra])
    if groups is None:
        msg = f"by={by!r} needs the {by} of each LSOA (give --zones or ward boundaries)"
        raise ValidationError(msg)
    own = groups.reindex(base.index).astype(object).fillna("(none)")
    return pd.concat([own, pd.Series(NO_POPULATION_UNIT, index=extra, dtype=object)])


def supply_ratios(
    population: gpd.GeoDataFrame,
    care_homes: gpd.GeoDataFrame | None = None,
    home_care: gpd.GeoDataFrame | None = None,
    extra_care: gpd.GeoDataFrame | None = None,
    *,
    by: str = "la",
    groups: pd.Series | None = None,
    benchmarks: dict[str, float] | None = None,
    coverage: Mapping[str, Coverage] | None = None,
) -> gpd.GeoDataFrame:
    """Supply and supply per 1,000 people aged 75+ by LSOA, ward, town, zone, LA or area.

    Parameters
    ----------
    population
        The population layer (:func:`geosuff.load_population`).
    care_homes, home_care, extra_care
        Provider layers; ``None`` counts as no supply of that kind. Providers are
        counted in the LSOA the loader placed them in (``lsoa_code``), else in the
        LSOA their point falls in; points outside the area are not counted.
    by
        ``"lsoa"``, ``"ward"``, ``"town"``, ``"zone"``, ``"la"`` or ``"area"``.
    groups
        For ``by="ward"``, ``"town"`` or ``"zone"``: the group of each LSOA, indexed
        by ``lsoa_code``. LSOAs with no group are summarised under ``"(none)"`` so no
        population is lost.
    benchmarks
        Override of :data:`geosuff.settings.benchmarks_per_1000_75plus`.
    coverage
        Coverage verdict per layer (``layers.coverage``); a ``partial`` layer gets
        no ratios or gaps (NaN, with the reason in ``*_gap_note``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit (column ``unit``), EPSG:27700 geometry (the dissolved LSOAs),
        with ``n_lsoas``, population counts, supply counts (``care_homes``,
        ``nursing_homes``, ``residential_homes``, ``dementia_homes`` as integers;
        ``beds``, ``nursing_beds``, ``residential_beds``, ``dementia_beds``,
        ``older_people_beds``, ``home_care_agencies``, ``extra_care_schemes``,
        ``extra_care_units``), each per 1,000 aged 75+ (``*_per_1000_75plus``, NaN
        where no one is 75+), the benchmark supply (``*_benchmark``), the gap
        (``*_gap``, supply minus benchmark) and its note (``*_gap_note``) for
        residential beds, nursing beds and extra care units, and each layer's
        coverage (``<layer>_coverage``) when *coverage* is given.

    Raises
    ------
    ValidationError
        For an unknown *by*, or ward/town/zone without *groups*.

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
    per_lsoa, extra_la = _per_lsoa_supply(population, care_homes, home_care, extra_care)
    base = population.set_index("lsoa_code")
    unit = _unit_of_lsoas(base, extra_la, by, groups)
    pop = base[_POP].reindex(per_lsoa.index)  # NaN for LSOAs without figures
    table = pd.concat([pop, per_lsoa], axis=1)
    table["unit"] = unit.reindex(per_lsoa.index).to_numpy()
    table["n_lsoas"] = 1
    figures = [*_POP, *SUPPLY_COLUMNS]
    sums = table.groupby("unit", sort=True)[[*figures, "n_lsoas"]].sum()
    # a unit with any unknown figure (no population, beds not in the source) is unknown
    unknown = table[figures].isna().groupby(table["unit"], sort=True).any()
    sums[figures] = sums[figures].mask(unknown)
    sums[COUNT_COLUMNS] = sums[COUNT_COLUMNS].fillna(0).astype(int)
    geoms = gpd.GeoDataFrame(
        {"unit": unit.reindex(base.index).to_numpy()},
        geometry=base.geometry.to_numpy(),
        crs=population.crs,
    ).dissolve("unit")
    pop75 = sums["pop_75plus"].where(sums["pop_75plus"] > 0)
    for col in SUPPLY_COLUMNS:
        sums[f"{col}_per_1000_75plus"] = sums[col] / pop75 * 1000.0
    for col in ("residential_beds", "nursing_beds", "extra_care_units"):
        sums[f"{col}_benchmark"] = sums["pop_75plus"] * marks[col] / 1000.0
        sums[f"{col}_gap"] = sums[col] - sums[f"{col}_benchmark"]
    sums = sums.replace([np.inf, -np.inf], np.nan)
    sums = mark_insufficient(sums, coverage, lsoa_units=by == "lsoa")
    result = gpd.GeoDataFrame(
        sums.join(geoms), geometry="geometry", crs=population.crs
    ).reset_index()
    if by == "la" and "la_name" in base.columns:
        la_names = base.drop_duplicates("la_code").set_index("la_code")["la_name"]
        result.insert(1, "la_name", result["unit"].map(la_names))
    if by == "lsoa":
        names = base["lsoa_name"]
        result.insert(1, "lsoa_name", result["unit"].map(names))
        la = pd.concat([base["la_code"], extra_la])
        result.insert(2, "la_code", result["unit"].map(la))
    return result
