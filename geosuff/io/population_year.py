"""The population layer for a chosen year: the estimates, or apportioned projections.

A year after the estimates' year (mid-2020 for the data folder's ONS file) is
projected: each authority's population by age group equals the projection for that
year, shared among its LSOAs by their base-year estimates (:mod:`geosuff.io.apportion`).
The estimates' own year uses the estimates. A year from the projection's first year up
to the estimates' year also uses the estimates, and says so. A year outside the
projection's range is an error naming the range.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import geopandas as gpd

from geosuff._errors import DataMissingError, ValidationError
from geosuff.io.apportion import Apportionment, apportion, cuts_text
from geosuff.io.apportion_units import apportionment_for, estimates_basis, estimates_year
from geosuff.io.areas import Area
from geosuff.io.layout import data_file, resolve_data_dir
from geosuff.io.projections import Projection, find_projection_file, read_projection

if TYPE_CHECKING:
    from geosuff.io.area_layers import AreaLayers

__all__ = [
    "PopulationForYear",
    "layers_for_years",
    "population_for_year",
    "populations_for_years",
    "project_layer",
]

log = logging.getLogger(__name__)

_POP = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]


class PopulationForYear(NamedTuple):
    """A population layer for one year.

    Attributes
    ----------
    data
        The population layer (same rows and columns as the estimates' layer).
    year
        The year it describes (``None`` when the estimates' year is not known).
    basis
        How it was obtained, in words (estimate, or projection and method).
    projection
        The projection used, or ``None`` for the estimates.
    """

    data: gpd.GeoDataFrame
    year: int | None
    basis: str
    projection: Projection | None = None


def population_for_year(
    population: gpd.GeoDataFrame,
    year: int | None,
    *,
    estimates: str | os.PathLike[str],
    area: Area | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    projection: str | os.PathLike[str] | Projection | None = None,
) -> PopulationForYear:
    """Return the population layer for *year*.

    Parameters
    ----------
    population
        The estimates' population layer (:func:`geosuff.load_population`).
    year
        The year wanted; ``None`` means the estimates' own year.
    estimates
        The estimates file the layer was built from (its name gives its year).
    area
        The area (for county rows and authority names).
    data_dir
        Data folder: its projection file (``ons/snpp*``) and admin-areas file.
    projection
        A projection file (or one already read) instead of the data folder's.

    Returns
    -------
    PopulationForYear
        The layer, its year and its basis in words.

    Raises
    ------
    ValidationError
        If the year is outside the projection's range, or an authority is missing
        from the projection.
    DataMissingError
        If a year other than the estimates' own is asked for and there is no
        projection file.
    """
    return populations_for_years(
        population,
        [year],
        estimates=estimates,
        area=area,
        data_dir=data_dir,
        projection=projection,
    )[0]


def populations_for_years(
    population: gpd.GeoDataFrame,
    years: Sequence[int | None],
    *,
    estimates: str | os.PathLike[str],
    area: Area | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    projection: str | os.PathLike[str] | Projection | None = None,
) -> list[PopulationForYear]:
    """Return the population layer for each of *years* (read and prepared once).

    Every year is checked before any is computed, so a bad year fails at once.

    Parameters
    ----------
    population
        The estimates' population layer.
    years
        The years wanted (``None``: the estimates' own year).
    estimates
        The estimates file the layer was built from.
    area
        The area.
    data_dir
        Data folder.
    projection
        A projection file or one already read, instead of the data folder's.

    Returns
    -------
    list of PopulationForYear
        One per year, in order.

    Raises
    ------
    ValidationError
        As :func:`population_for_year`.
    DataMissingError
        As :func:`population_for_year`.
    """
    est = Path(estimates)
    base_year = estimates_year(est)
    est_text = estimates_basis(est)
    others = [y for y in years if y is not None and y != base_year]
    proj: Projection | None = None
    if others:
        if base_year is None:
            msg = (
                f"cannot tell which year {est.name} describes (name it like "
                "population_mid2020_lsoa11_syoa.csv), so it cannot be projected to another year"
            )
            raise ValidationError(msg)
        proj = _projection(projection, data_dir)
        for y in others:
            proj.check_year(y)
    plan: Apportionment | None = None
    notes: list[str] = []
    out = []
    for y in years:
        if y is None or y == base_year:
            out.append(PopulationForYear(population, base_year, est_text))
            continue
        assert proj is not None and base_year is not None  # checked above
        if y < base_year:
            basis = f"{est_text}, used for {y} (not after the estimates' year {base_year})"
            out.append(PopulationForYear(population, y, basis, proj))
            continue
        if plan is None:
            folder = Path(data_dir) if data_dir is not None else None
            plan, notes = apportionment_for(population, proj, est, area=area, data_dir=folder)
        out.append(project_layer(population, plan, proj, y, est_text, notes))
    return out


def project_layer(
    population: gpd.GeoDataFrame,
    plan: Apportionment,
    projection: Projection,
    year: int,
    estimates_text: str,
    notes: list[str],
) -> PopulationForYear:
    """Apply a prepared apportionment for one year (see :func:`population_for_year`).

    Parameters
    ----------
    population
        The estimates' population layer.
    plan
        From :func:`apportionment_for`.
    projection
        The projection.
    year
        A projected year.
    estimates_text
        The estimates in words (:func:`estimates_basis`).
    notes
        How changed authority codes were matched.

    Returns
    -------
    PopulationForYear
        The projected layer, its year and basis.
    """
    projected = apportion(plan, projection, year)
    data = population.copy()
    for col in _POP:
        data[col] = data["lsoa_code"].map(projected[col]).to_numpy()
    basis = (
        f"{projection.label()} for {year}, apportioned to LSOAs by their share of their "
        f"authority's population in each age group ({cuts_text(plan.cuts)}) in the "
        f"{estimates_text}"
    )
    if notes:
        basis += "; " + "; ".join(notes)
    return PopulationForYear(data, year, basis, projection)


def _projection(
    given: str | os.PathLike[str] | Projection | None, data_dir: str | os.PathLike[str] | None
) -> Projection:
    if isinstance(given, Projection):
        return given
    if given is not None:
        return read_projection(given)
    path = find_projection_file(Path(data_dir)) if data_dir is not None else None
    if path is None:
        msg = (
            f"no population projection in {data_dir} (ons/snpp*.csv, .xls or .xlsx): add ONS "
            "subnational population projections (Table 2 or the SNPP CSV) to use --year"
        )
        raise DataMissingError(msg)
    return read_projection(path)


def layers_for_years(
    layers: AreaLayers,
    years: Sequence[int | None],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    estimates: str | os.PathLike[str] | None = None,
    projection: str | os.PathLike[str] | Projection | None = None,
) -> list[AreaLayers]:
    """Return an area's layers with the population of each year (providers unchanged).

    Parameters
    ----------
    layers
        Layers loaded with the estimates (:func:`geosuff.load_area_layers` without
        ``year``).
    years
        The years; ``None`` for the estimates' own year.
    data_dir
        Data folder (``--data`` / ``GEOSUFF_DATA`` / ``../shared/data``).
    estimates
        The estimates file the layers' population was built from; default the file
        in ``layers.sources["population"]``, else the data folder's.
    projection
        A projection file or one already read, instead of the data folder's.

    Returns
    -------
    list of AreaLayers
        One per year, with ``population``, ``year`` and ``population_basis`` set, and
        the projection file in ``sources["projections"]`` when one was applied.

    Raises
    ------
    ValidationError
        If *layers* already hold a projected population, or as
        :func:`population_for_year`.
    """
    if "projections" in layers.sources:
        msg = "these layers already hold a projected population; start from the estimates"
        raise ValidationError(msg)
    folder = resolve_data_dir(data_dir)
    if estimates is None:
        given = Path(layers.sources.get("population", ""))
        estimates = given if given.is_file() else data_file(folder, "population")
    results = populations_for_years(
        layers.population,
        years,
        estimates=estimates,
        area=layers.area,
        data_dir=folder,
        projection=projection,
    )
    out = []
    for result in results:
        sources = dict(layers.sources)
        if result.data is not layers.population and result.projection is not None:
            sources["projections"] = str(result.projection.path)
        out.append(
            layers._replace(
                population=result.data,
                year=result.year,
                population_basis=result.basis,
                sources=sources,
            )
        )
    return out
