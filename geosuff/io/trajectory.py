"""Population trajectories: the older population of an area's authorities, year by year.

:func:`population_trajectory` gives ``pop_65plus``, ``pop_75plus`` and ``pop_85plus``
per authority (and the whole area) for a list of years, each with the basis of its
figures, for charts in reports. :func:`parse_years` reads year lists such as
``2025,2030,2035`` or ``2025-2040:5``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import pandas as pd

from geosuff._errors import ValidationError
from geosuff.io.areas import Area, resolve_area
from geosuff.io.layout import data_file, resolve_data_dir
from geosuff.io.population import load_population
from geosuff.io.population_year import populations_for_years
from geosuff.io.projections import Projection

__all__ = ["TRAJECTORY_COLUMNS", "parse_years", "population_trajectory"]

#: Columns of :func:`population_trajectory`.
TRAJECTORY_COLUMNS = [
    "year",
    "la_code",
    "la_name",
    "pop_total",
    "pop_65plus",
    "pop_75plus",
    "pop_85plus",
    "basis",
    "population_basis",
]

_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})(?:\s*:\s*(\d+))?$")
_MAX_YEARS = 200


def parse_years(text: str) -> list[int]:
    """Read a list of years: ``"2025,2030,2035"``, ``"2025-2040:5"`` or both mixed.

    Parameters
    ----------
    text
        Comma-separated years or ranges ``FIRST-LAST`` (every year) or
        ``FIRST-LAST:STEP``; the last year of a range is included when the step
        reaches it.

    Returns
    -------
    list of int
        The years in the order given, without repeats.

    Raises
    ------
    ValidationError
        For anything else, naming the part not understood.

    Examples
    --------
    >>> parse_years("2025-2040:5")
    [2025, 2030, 2035, 2040]
    >>> parse_years("2020, 2030")
    [2020, 2030]
    """
    years: list[int] = []
    for part in (p.strip() for p in str(text).split(",")):
        if re.fullmatch(r"\d{4}", part):
            years.append(int(part))
            continue
        m = _RANGE.match(part)
        if not m:
            msg = f"years: {part!r} is not a year or a range like 2025-2040:5"
            raise ValidationError(msg)
        first, last, step = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        if last < first or step < 1:
            msg = f"years: range {part!r} must go forward in steps of at least 1"
            raise ValidationError(msg)
        years.extend(range(first, last + 1, step))
    years = list(dict.fromkeys(years))
    if len(years) > _MAX_YEARS:
        msg = f"years: {len(years)} years asked for; give at most {_MAX_YEARS}"
        raise ValidationError(msg)
    return years


def population_trajectory(
    area: str | Area,
    years: Sequence[int],
    data_dir: str | os.PathLike[str] | None = None,
    *,
    population: str | os.PathLike[str] | None = None,
    lsoa: str | os.PathLike[str] | None = None,
    projection: str | os.PathLike[str] | Projection | None = None,
) -> pd.DataFrame:
    """Return the older population of an area's authorities for each of *years*.

    Each year is the estimates (the estimates' year, or a year before it) or the
    projection apportioned to LSOAs and added up again (later years), so an
    authority's projected figures equal the projection file's.

    Parameters
    ----------
    area
        Code or name, or a resolved Area.
    years
        The years (see :func:`parse_years`).
    data_dir
        Data folder.
    population, lsoa
        Estimates and LSOA boundary files instead of the data folder's.
    projection
        A projection file (or one already read) instead of the data folder's.

    Returns
    -------
    pandas.DataFrame
        :data:`TRAJECTORY_COLUMNS`, one row per authority and year, then (for areas
        of several authorities) the area total with the area's code; ``basis`` is
        ``"estimate"`` or ``"projection"``, ``population_basis`` says which and how.

    Raises
    ------
    ValidationError
        If a year is outside the projection's range or an authority is missing from it.

    Examples
    --------
    >>> t = population_trajectory("Bath and North East Somerset", [2030])
    >>> round(t["pop_75plus"].item())
    22631
    """
    folder = resolve_data_dir(data_dir)
    resolved = area if isinstance(area, Area) else resolve_area(area, folder)
    pop = load_population(resolved, lsoa=lsoa, population=population, data_dir=folder).data
    estimates = population or data_file(folder, "population", area=resolved.name)
    results = populations_for_years(
        pop,
        list(years),
        estimates=estimates,
        area=resolved,
        data_dir=folder,
        projection=projection,
    )
    cols = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]
    frames = []
    for result in results:
        data = pd.DataFrame(result.data[["la_code", "la_name", *cols]])
        by_la = data.groupby(["la_code", "la_name"], sort=True, dropna=False)[cols].sum()
        rows = by_la.reset_index()
        if len(rows) > 1:
            total = pd.DataFrame(
                [{"la_code": resolved.code, "la_name": resolved.name, **data[cols].sum()}]
            )
            rows = pd.concat([rows, total], ignore_index=True)
        rows.insert(0, "year", result.year)
        rows["basis"] = "projection" if result.data is not pop else "estimate"
        rows["population_basis"] = result.basis
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)[TRAJECTORY_COLUMNS]
