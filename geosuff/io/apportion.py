"""Apportion an authority's projected population to its LSOAs.

For a projected year, every LSOA keeps its base-year share of its authority's
population within each age group::

    lsoa(band, year) = lsoa_estimate(band) / authority_estimate(band) * projection(band, year)

so each authority's figure in each age group equals the projection exactly, and
``pop_total``, ``pop_65plus``, ``pop_75plus`` and ``pop_85plus`` follow by adding the
groups. Age groups are 0-64, 65-69, 70-74, 75-79, 80-84, 85-89 and 90+ when both the
estimates (single years of age) and the projection have them; coarser (0-64, 65-74,
75-84, 85+) when either only has those.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.age_bands import band_label
from geosuff.io.estimates import CODE_COLUMNS, _age_columns, _estimates_sheet, pick_column
from geosuff.io.files import read_table
from geosuff.io.projection_match import ProjectionUnit
from geosuff.io.projections import Projection

__all__ = [
    "APPORTION_CUTS",
    "REQUIRED_CUTS",
    "Apportionment",
    "apportion",
    "common_cuts",
    "cuts_text",
    "merge_bands",
    "read_estimate_bands",
]

log = logging.getLogger(__name__)

#: Age groups used when the data allows (first age of each).
APPORTION_CUTS = (0, 65, 70, 75, 80, 85, 90)
#: Age groups every apportionment needs: pop_65plus, pop_75plus and pop_85plus add up.
REQUIRED_CUTS = (0, 65, 75, 85)
_READY = ("pop_total", "pop_65plus", "pop_75plus", "pop_85plus")


def read_estimate_bands(
    path: str | os.PathLike[str], *, codes: set[str] | None = None
) -> pd.DataFrame:
    """Read LSOA estimates summed into the age groups of :data:`APPORTION_CUTS`.

    Parameters
    ----------
    path
        The population estimates (single years ``0`` .. ``89``, ``90+``; or a table of
        ready-made ``pop_total``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``, which
        gives the groups of :data:`REQUIRED_CUTS` only).
    codes
        Keep only these LSOAs.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lsoa_code``, one column per group's first age (int). Rows with
        missing, non-numeric or negative counts are left out (the population loader
        lists them as rejects).
    """
    p = Path(path)
    expect = [[c, "90+"] for c in CODE_COLUMNS] + [[c, "F90", "M90"] for c in CODE_COLUMNS]
    expect += [[c, "pop_total"] for c in CODE_COLUMNS]
    raw = read_table(p, sheets=_estimates_sheet(p, None), expect=expect, dtype=str)
    code_col = pick_column(raw.columns, CODE_COLUMNS)
    if code_col is None:
        raise InputFileError(p, "no LSOA code column (lsoa11_code, LSOA11CD or lsoa_code)")
    if codes is not None:
        raw = raw[raw[code_col].isin(codes)]
    raw = raw.drop_duplicates(code_col)
    ages = _age_columns(raw.columns)
    if sorted(ages) == list(range(91)):
        by_age = pd.DataFrame(
            {
                a: raw[ages[a]]
                .apply(pd.to_numeric, errors="coerce")
                .sum(axis=1, min_count=len(ages[a]))
                for a in range(91)
            },
            index=raw.index,
        )
        edges = [*APPORTION_CUTS, 91]
        bands = pd.DataFrame(
            {
                lo: by_age.loc[:, lo : hi - 1].sum(axis=1, min_count=hi - lo)
                for lo, hi in itertools.pairwise(edges)
            }
        )
    elif all(c in raw.columns for c in _READY):
        ready = raw[list(_READY)].apply(pd.to_numeric, errors="coerce")
        bands = pd.DataFrame(
            {
                0: ready["pop_total"] - ready["pop_65plus"],
                65: ready["pop_65plus"] - ready["pop_75plus"],
                75: ready["pop_75plus"] - ready["pop_85plus"],
                85: ready["pop_85plus"],
            }
        )
    else:
        raise InputFileError(p, "needs single-year-of-age columns 0..89 and 90+")
    ok = bands.notna().all(axis=1) & bands.ge(0).all(axis=1)
    bands = bands[ok].astype(float)
    bands.index = pd.Index(raw.loc[ok, code_col], name="lsoa_code")
    return bands


def common_cuts(projection: Projection, estimate_cuts: Sequence[int]) -> tuple[int, ...]:
    """Return the age groups both the projection and the estimates can give.

    Parameters
    ----------
    projection
        The projection.
    estimate_cuts
        First ages of the estimates' groups.

    Returns
    -------
    tuple of int
        First ages of the shared groups.

    Raises
    ------
    ValidationError
        If 65, 75 and 85 are not all group boundaries of both.
    """
    cuts = tuple(c for c in estimate_cuts if c in projection.cuts)
    missing = [c for c in REQUIRED_CUTS if c not in cuts]
    if missing:
        msg = (
            f"{projection.path.name}: age groups must start at 65, 75 and 85 to project "
            f"the 65+, 75+ and 85+ populations; none starts at {missing}"
        )
        raise ValidationError(msg)
    return cuts


def cuts_text(cuts: Sequence[int]) -> str:
    """Return ``"0-64, 65-69, ..., 90+"`` for group boundaries.

    Parameters
    ----------
    cuts
        First ages of the groups.

    Returns
    -------
    str
        The groups as text.
    """
    ends = [*[c - 1 for c in cuts[1:]], None]
    return ", ".join(band_label((lo, hi)) for lo, hi in zip(cuts, ends, strict=True))


def merge_bands(bands: pd.DataFrame, cuts: Sequence[int]) -> pd.DataFrame:
    """Add age groups up to coarser ones starting at *cuts* (each starts a group).

    Parameters
    ----------
    bands
        Persons by row and age group (columns: first ages, in order, the first 0).
    cuts
        First ages of the coarser groups.

    Returns
    -------
    pandas.DataFrame
        Same rows, one column per cut.
    """
    cols = np.asarray(bands.columns, dtype=int)
    edges = np.asarray(cuts)
    bucket = edges[np.searchsorted(edges, cols, side="right") - 1]
    return bands.T.groupby(bucket).sum().T


class Apportionment(NamedTuple):
    """What is needed to apportion projections to LSOAs, for any year.

    Attributes
    ----------
    bands
        Base-year persons per LSOA (index ``lsoa_code``) and age group (columns:
        first ages).
    unit_of
        The apportionment unit (an authority code) of each LSOA.
    units
        Unit -> the projection areas summed for it.
    """

    bands: pd.DataFrame
    unit_of: pd.Series
    units: Mapping[str, ProjectionUnit]

    @property
    def cuts(self) -> tuple[int, ...]:
        """First ages of the age groups."""
        return tuple(int(c) for c in self.bands.columns)


def apportion(plan: Apportionment, projection: Projection, year: int) -> pd.DataFrame:
    """Project every LSOA of *plan* to *year*.

    Parameters
    ----------
    plan
        Base-year groups per LSOA and each LSOA's unit.
    projection
        The projection (its bands must split at ``plan.cuts``).
    year
        A year of the projection.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lsoa_code`` (as ``plan.bands``): ``pop_total``, ``pop_65plus``,
        ``pop_75plus`` and ``pop_85plus``; within each unit and group they add up to
        the projection.

    Raises
    ------
    ValidationError
        If a unit has no base-year population at all, or a projection figure is missing.
    """
    cuts = list(plan.cuts)
    keys = list(plan.units)
    target = pd.DataFrame(
        [projection.band_totals(plan.units[k].codes, year, cuts).sum(axis=0) for k in keys],
        index=pd.Index(keys, name="unit"),
    )
    base = plan.bands.groupby(plan.unit_of).sum().reindex(keys).fillna(0.0)
    empty = base.sum(axis=1) <= 0
    if empty.any():
        msg = f"no base-year population in {', '.join(base.index[empty])} to apportion"
        raise ValidationError(msg)
    factor = target / base.where(base > 0)
    weights = plan.bands.copy()
    per_lsoa_factor = factor.reindex(plan.unit_of.to_numpy()).set_axis(plan.bands.index)
    no_base = per_lsoa_factor.isna()
    if no_base.any(axis=None):
        # An age group with no one in the unit's base year: share it by all ages.
        total = plan.bands.sum(axis=1)
        unit_total = total.groupby(plan.unit_of).transform("sum")
        share = total / unit_total
        target_lsoa = target.reindex(plan.unit_of.to_numpy()).set_axis(plan.bands.index)
        weights = weights.where(~no_base, 1.0)
        per_lsoa_factor = per_lsoa_factor.where(~no_base, target_lsoa.mul(share, axis=0))
        log.info("age groups with no base-year population shared by all-ages population")
    projected = weights * per_lsoa_factor
    cols = np.asarray(cuts)
    out = pd.DataFrame(index=plan.bands.index)
    out["pop_total"] = projected.sum(axis=1)
    for name, start in (("pop_65plus", 65), ("pop_75plus", 75), ("pop_85plus", 85)):
        out[name] = projected.loc[:, cols >= start].sum(axis=1)
    return out
