"""Which LSOAs share which authority's projection, and the estimates they start from.

For the area itself, the units are its authorities (``la_code`` of the population
layer), each matched to the projection (:mod:`geosuff.io.projection_match`); a county
whose districts are not in the projection uses its own row. For the LSOAs around an
area (cross-border demand), each LSOA's authority comes from the data folder's LSOA
lookup (``ons/lsoa11_lsoa21_lad22_lookup.csv``) and every LSOA of that authority
takes part in its apportionment, so neighbours get the same figures they would as an
area of their own.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geosuff._errors import ValidationError
from geosuff.io.apportion import (
    APPORTION_CUTS,
    Apportionment,
    apportion,
    common_cuts,
    merge_bands,
    read_estimate_bands,
)
from geosuff.io.areas import Area
from geosuff.io.layout import LAYOUT, find_data_file
from geosuff.io.projection_match import ProjectionUnit, match_authorities, match_authority
from geosuff.io.projections import Projection

__all__ = [
    "apportionment_for",
    "estimates_basis",
    "estimates_year",
    "project_neighbours",
]

log = logging.getLogger(__name__)

#: The projection's 75+ in the estimates' year over the estimates' 75+: outside this
#: range the LSOA layer probably does not hold the whole authority.
_PLAUSIBLE_RATIO = (0.8, 1.25)


def estimates_year(path: str | os.PathLike[str]) -> int | None:
    """Return the year of a population estimates file from its name (``mid2020`` -> 2020).

    Parameters
    ----------
    path
        The estimates file, e.g. ``ons/population_mid2020_lsoa11_syoa.csv``.

    Returns
    -------
    int or None
        The year, or ``None`` when the name holds no year.
    """
    name = Path(path).name.lower()
    m = re.search(r"mid[ _-]?((?:19|20)\d{2})", name) or re.search(
        r"(?<!\d)((?:19|20)\d{2})(?!\d)", name
    )
    return int(m.group(1)) if m else None


def estimates_basis(path: str | os.PathLike[str]) -> str:
    """Describe an estimates file in words, for output footers.

    Parameters
    ----------
    path
        The estimates file.

    Returns
    -------
    str
        E.g. ``"ONS mid-2020 LSOA population estimates"``.
    """
    p = Path(path)
    year = estimates_year(p)
    if p.match(LAYOUT["population"].split("/")[-1]) and year is not None:
        return f"ONS mid-{year} LSOA population estimates"
    when = f"{year}" if year is not None else "year not stated in the file name"
    return f"population estimates ({p.name}, {when})"


def apportionment_for(
    population: gpd.GeoDataFrame,
    projection: Projection,
    estimates: Path,
    *,
    area: Area | None,
    data_dir: Path | None,
) -> tuple[Apportionment, list[str]]:
    """Prepare the apportionment of an area's LSOAs (any number of years).

    Parameters
    ----------
    population
        The area's population layer (``lsoa_code``, ``la_code``).
    projection
        The projection.
    estimates
        The LSOA estimates file the layer was built from.
    area
        The area: a county whose districts are not in the projection uses its own
        row when the file has one.
    data_dir
        Data folder (admin-areas file, for authorities whose codes changed).

    Returns
    -------
    plan : Apportionment
        Base-year groups per LSOA and the unit of each.
    notes : list of str
        How authorities missing from the projection were matched.

    Raises
    ------
    ValidationError
        If an authority is missing from the projection and cannot be matched.
    """
    la_code = population["la_code"].astype("string")
    if la_code.isna().any():
        if area is None or len(area.district_codes) != 1:
            msg = (
                "the LSOA layer has no local authority code (LADCD_ACTIVE) for some LSOAs, "
                "so a projection cannot be shared among them by authority"
            )
            raise ValidationError(msg)
        la_code = la_code.fillna(area.district_codes[0])
    la_code = la_code.astype(str)
    codes = list(dict.fromkeys(la_code))
    names = dict(zip(la_code, population["la_name"], strict=False))
    if area is not None:
        names.update(zip(area.district_codes, area.district_names, strict=False))
    unit_of = pd.Series(la_code.to_numpy(), index=pd.Index(population["lsoa_code"]))
    try:
        units: dict[str, ProjectionUnit] = match_authority(
            codes, projection, data_dir=data_dir, names=names
        )
    except ValidationError:
        if area is None or len(codes) < 2 or area.code not in projection.codes:
            raise
        # A county whose districts are not in the file: its own row, shared by its LSOAs.
        units = {area.code: ProjectionUnit((area.code,), f"{area.name}: the county's own row")}
        unit_of = unit_of.map(lambda _: area.code)
    bands = read_estimate_bands(estimates, codes=set(unit_of.index))
    cuts = common_cuts(projection, [c for c in APPORTION_CUTS if c in bands.columns])
    bands = merge_bands(bands, cuts)
    missing = unit_of.index.difference(bands.index)
    if len(missing):
        msg = f"{estimates.name}: no usable estimate for LSOA {missing[0]} ({len(missing)} in all)"
        raise ValidationError(msg)
    plan = Apportionment(bands.loc[unit_of.index], unit_of, units)
    notes = [u.note for u in units.values() if u.note]
    _check_base(plan, projection, estimates)
    return plan, notes


def _check_base(plan: Apportionment, projection: Projection, estimates: Path) -> None:
    """Warn when the layer's 75+ is far from the projection's in the estimates' year."""
    year = estimates_year(estimates)
    if year is None or year not in projection.years:
        return
    old = [c for c in plan.cuts if c >= 75]
    for key, unit in plan.units.items():
        proj = projection.band_totals(unit.codes, year, list(plan.cuts))[old].to_numpy().sum()
        base = plan.bands.loc[plan.unit_of.eq(key).to_numpy(), old].to_numpy().sum()
        ratio = proj / base if base > 0 else float("inf")
        if not _PLAUSIBLE_RATIO[0] <= ratio <= _PLAUSIBLE_RATIO[1]:
            log.warning(
                "%s: the projection's 75+ in %d is %.0f but the LSOA estimates add up to %.0f; "
                "does the LSOA layer hold the whole authority?",
                key,
                year,
                proj,
                base,
            )


def project_neighbours(
    codes: pd.Index,
    year: int,
    *,
    estimates: Path,
    projection: Projection,
    data_dir: Path,
) -> tuple[pd.DataFrame, str]:
    """Project LSOAs outside an area (any authorities) to *year*.

    Parameters
    ----------
    codes
        LSOA codes.
    year
        A year of the projection after the estimates' year.
    estimates
        The LSOA estimates file.
    projection
        The projection.
    data_dir
        Data folder: the LSOA lookup (each LSOA's authority) and admin-areas file.

    Returns
    -------
    projected : pandas.DataFrame
        Indexed by the LSOAs that could be projected: ``pop_total``, ``pop_65plus``,
        ``pop_75plus``, ``pop_85plus``. LSOAs left out keep their estimates.
    note : str
        Which LSOAs kept their estimates and why; empty when all were projected.
    """
    empty = pd.DataFrame(columns=["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"])
    if len(codes) == 0:
        return empty, ""
    lookup_path = find_data_file(data_dir, "lsoa_lookup")
    if lookup_path is None:
        return empty, f"no LSOA lookup in {data_dir}: cross-border demand keeps its estimates"
    lookup = _lsoa_authorities(lookup_path)
    la = lookup.reindex(codes)
    authorities = la["la_code"].dropna().unique().tolist()
    names = dict(zip(lookup["la_code"], lookup["la_name"], strict=False))
    matched, unmatched = match_authorities(authorities, projection, data_dir=data_dir, names=names)
    kept = int(la["la_code"].isna().sum()) + int(la["la_code"].isin(unmatched).sum())
    note = ""
    if kept:
        places = ", ".join(sorted({names.get(c, c) for c in unmatched}))
        why = f" ({places}: not in the projection)" if places else ""
        note = (
            f"{kept} LSOAs over the border keep their estimates{why}"
            if why
            else f"{kept} LSOAs over the border have no authority in the lookup and keep "
            "their estimates"
        )
    if not matched:
        return empty, note
    members = lookup[lookup["la_code"].isin(matched)]
    bands = read_estimate_bands(estimates, codes=set(members.index))
    cuts = common_cuts(projection, [c for c in APPORTION_CUTS if c in bands.columns])
    bands = merge_bands(bands, cuts)
    unit_of = members["la_code"].reindex(bands.index)
    projected = apportion(Apportionment(bands, unit_of, matched), projection, year)
    return projected.reindex(codes.intersection(projected.index)), note


def _lsoa_authorities(path: Path) -> pd.DataFrame:
    """LSOA (2011) -> authority code and name from the LSOA lookup."""
    from geosuff.io.files import read_table

    raw = read_table(path, dtype=str)
    cols = {c.upper(): c for c in raw.columns}
    code = next((cols[c] for c in ("LSOA11CD",) if c in cols), None)
    la = next((cols[c] for c in sorted(cols, reverse=True) if re.fullmatch(r"LAD\d\dCD", c)), None)
    if code is None or la is None:
        from geosuff._errors import InputFileError

        raise InputFileError(path, "needs LSOA11CD and an LADyyCD column")
    name = cols.get(la.upper().replace("CD", "NM"))
    out = pd.DataFrame({"la_code": raw[la], "la_name": raw[name] if name else raw[la]})
    out.index = pd.Index(raw[code], name="lsoa_code")
    return out[~out.index.duplicated()]
