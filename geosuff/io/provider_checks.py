"""Input checks for provider files: structural errors, implausible rows, duplicates.

Structural problems make a file unusable as a whole and raise one
:class:`~geosuff._errors.InputFileError` naming the file:

* the file has no data rows (header only);
* no column can place a row: no latitude/longitude pair, no easting/northing pair,
  no postcode and no location text;
* a care-homes file read by a definition that maps a bed column has none of the
  bed columns it names (formats known to carry no bed counts, such as the CQC care
  directory, map no bed column and load with their beds reported as partial).

Row problems go to the rejects table with their reason and the row is not used:

* beds outside 1..400, or not a whole number (a care home);
* extra care units outside 1..1,000, or not a whole number;
* the same home (or agency, or scheme) listed under several ids: same name and the
  same position to the metre; the first listed is kept.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io.layerdefs import LayerDefinition, _first_present
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = [
    "BEDS_RANGE",
    "UNITS_RANGE",
    "check_structure",
    "declared_coverage",
    "implausible_counts",
    "reject_duplicate_ids",
    "reject_implausible",
    "reject_same_place_duplicates",
    "service_user_bands",
    "source_facts",
]

#: Beds a single care home can plausibly have (England's largest, April 2021: 215).
BEDS_RANGE = (1, 400)
#: Units a single extra care scheme can plausibly have.
UNITS_RANGE = (1, 1_000)

_PLACE_COLUMNS = (("lat", "lon"), ("easting", "northing"), ("postcode",), ("location_text",))
_BAND_PREFIX = "service user band - "
_SPECIALISM_COLUMNS = ("Specialisms/services", "specialisms_services")
#: Date columns of provider files, and how a vintage names them.
_DATE_COLUMNS = {
    "Location HSCA start date": "registration",
    "Date of latest check": "CQC check",
    "date_last_check": "CQC check",
    "source_date_if_known": "source date",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _present(raw: pd.DataFrame, definition: LayerDefinition, canonical: str) -> bool:
    return _first_present(raw, definition.columns.get(canonical, ())) is not None


def check_structure(raw: pd.DataFrame, definition: LayerDefinition, layer: str, path: Path) -> None:
    """Raise a one-line error when a provider file cannot be used at all.

    Parameters
    ----------
    raw
        The file as read.
    definition
        The layer definition that matched its columns.
    layer
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    path
        The file, named in the message.

    Raises
    ------
    InputFileError
        If the file has no data rows, no column to place a row by, or (a care-homes
        file whose definition maps beds) no bed column.
    """
    if raw.empty:
        raise InputFileError(path, "has a header but no data rows")
    if not any(all(_present(raw, definition, c) for c in group) for group in _PLACE_COLUMNS):
        wanted = [
            "/".join(definition.columns.get(c, (c,))[0] for c in group)
            for group in _PLACE_COLUMNS
            if all(definition.columns.get(c) for c in group)
        ]
        msg = (
            "no column to place providers by: needs latitude and longitude, eastings "
            f"and northings, or a postcode (as read by {definition.name}: "
            f"{', '.join(wanted) or 'none mapped'})"
        )
        raise InputFileError(path, msg)
    bed_columns = definition.columns.get("beds", ())
    if layer == "care_homes" and bed_columns and not _present(raw, definition, "beds"):
        msg = (
            f"no bed column ({', '.join(bed_columns)}): care homes need bed counts; add "
            "the column, or read the file with a layer definition that maps no beds "
            "(its beds are then reported as partial)"
        )
        raise InputFileError(path, msg)


def service_user_bands(raw: pd.DataFrame) -> pd.Series:
    """Return each row's service user bands (or CQC specialisms) as text.

    Parameters
    ----------
    raw
        The file as read: CQC HSCA ``Service user band - <band>`` columns (``Y`` =
        registered), or a CQC directory ``Specialisms/services`` column.

    Returns
    -------
    pandas.Series
        ``"Dementia; Older People"`` style text per row; missing where the file
        states no bands.
    """
    bands = [c for c in raw.columns if str(c).strip().lower().startswith(_BAND_PREFIX)]
    if bands:
        names = [str(c).strip()[len(_BAND_PREFIX) :] for c in bands]
        flags = raw[bands].astype("string").apply(lambda s: s.str.strip().str.upper().eq("Y"))
        flags = flags.fillna(False).astype(bool).to_numpy()
        text = ["; ".join(n for n, f in zip(names, row, strict=True) if f) for row in flags]
        return pd.Series(text, index=raw.index, dtype="object")
    col = next((c for c in _SPECIALISM_COLUMNS if c in raw.columns), None)
    if col is not None:
        spec = raw[col].astype("string").str.replace("|", "; ", regex=False)
        return spec.astype("object").where(spec.notna(), None)
    return pd.Series(None, index=raw.index, dtype="object")


def implausible_counts(values: pd.Series, *, label: str, bounds: tuple[int, int]) -> pd.Series:
    """Return the reason each count is implausible (missing where it is fine).

    Parameters
    ----------
    values
        Parsed counts (NaN = not stated, not judged here).
    label
        ``"beds"`` or ``"units"``, for the reason.
    bounds
        Smallest and largest plausible count.

    Returns
    -------
    pandas.Series
        Reason text per row, e.g. ``"beds not a whole number: 35.5"`` or
        ``"beds outside 1..400: 99999"``; missing for plausible or blank values.
    """
    low, high = bounds
    stated = values.notna()
    fraction = stated & ~np.isclose(values.fillna(0) % 1, 0)
    outside = stated & ~fraction & ~values.between(low, high)
    reasons = pd.Series(None, index=values.index, dtype="object")
    reasons[fraction] = [f"{label} not a whole number: {v:g}" for v in values[fraction]]
    reasons[outside] = [f"{label} outside {low}..{high:,}: {v:g}" for v in values[outside]]
    return reasons


def reject_implausible(canon: pd.DataFrame, layer: str, source: str) -> pd.DataFrame:
    """List rows whose beds (care homes) or units (extra care) are implausible.

    Parameters
    ----------
    canon
        Canonical rows with parsed ``beds``/``units``, ``line``, ``provider_id``, ``name``.
    layer
        The layer (only ``care_homes`` and ``extra_care`` are checked).
    source
        Source label for the rejects table.

    Returns
    -------
    pandas.DataFrame
        Rejects-table rows (``rejected``) with reasons from :func:`implausible_counts`.
    """
    checked = {"care_homes": ("beds", BEDS_RANGE), "extra_care": ("units", UNITS_RANGE)}
    if layer not in checked or canon.empty:
        return empty_rejects()
    column, bounds = checked[layer]
    odd = implausible_counts(canon[column], label=column, bounds=bounds).dropna()
    rows = canon.loc[odd.index]
    return make_rejects(
        source, rows["line"], rows["provider_id"], rows["name"], odd.astype(str).tolist()
    )


def _name_key(names: pd.Series) -> pd.Series:
    text = names.astype("string").str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True)
    return text.str.strip()


def reject_duplicate_ids(
    placed: gpd.GeoDataFrame, source: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Reject rows repeating an earlier row's ``provider_id`` (the first is kept).

    Parameters
    ----------
    placed
        Placed provider rows.
    source
        Source label for the rejects table.

    Returns
    -------
    kept : geopandas.GeoDataFrame
        The rows without repeated ids.
    rejects : pandas.DataFrame
        One row per repeat, naming the line kept.
    """
    ids = placed["provider_id"].astype("string")
    dup = ids.notna() & ids.duplicated(keep="first")
    if not dup.any():
        return placed, empty_rejects()
    first_line = placed[~dup & ids.notna()].set_index("provider_id")["line"]
    reasons = [
        f"duplicate provider_id (first on line {first_line.get(i, '?')})"
        for i in placed.loc[dup, "provider_id"]
    ]
    rejects = make_rejects(
        source,
        placed.loc[dup, "line"],
        placed.loc[dup, "provider_id"],
        placed.loc[dup, "name"],
        reasons,
    )
    return placed[~dup], rejects


def reject_same_place_duplicates(
    placed: gpd.GeoDataFrame, source: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Reject rows that repeat an earlier row's name and position under another id.

    CQC lists some homes twice while a change of provider goes through (old and new
    registration both active); counting both would double the home's beds.

    Parameters
    ----------
    placed
        Placed provider rows (EPSG:27700 points, ``provider_id``, ``name``, ``line``).
    source
        Source label for the rejects table.

    Returns
    -------
    kept : geopandas.GeoDataFrame
        The rows without the repeats.
    rejects : pandas.DataFrame
        One row per repeat, naming the id and line kept.
    """
    if placed.empty:
        return placed, empty_rejects()
    key = pd.DataFrame(
        {
            "name": _name_key(placed["name"]),
            "e": np.round(placed.geometry.x.to_numpy()),
            "n": np.round(placed.geometry.y.to_numpy()),
        },
        index=placed.index,
    )
    has_name = key["name"].notna() & key["name"].ne("")
    dup = has_name & key.duplicated(keep="first")
    if not dup.any():
        return placed, empty_rejects()
    firsts = key[has_name & ~dup].reset_index().set_index(["name", "e", "n"])["index"]
    reasons = []
    for i in placed.index[dup]:
        first = firsts.loc[tuple(key.loc[i])]
        kept_id, kept_line = placed.at[first, "provider_id"], placed.at[first, "line"]
        reasons.append(
            f"same name and position as {kept_id} (line {kept_line}, kept): "
            "one home listed under two ids"
        )
    rejects = make_rejects(
        source,
        placed.loc[dup, "line"],
        placed.loc[dup, "provider_id"],
        placed.loc[dup, "name"],
        reasons,
    )
    return placed[~dup], rejects


def declared_coverage(definition: LayerDefinition) -> str | None:
    """Return the coverage a layer definition declares for its source, if any.

    A definition for a full register (e.g. the CQC HSCA active locations) says
    ``coverage = "complete"``; read from the definition object when it carries the
    field, else from its TOML file.

    Parameters
    ----------
    definition
        The layer definition.

    Returns
    -------
    str or None
        ``"complete"``, ``"partial"``, ``"unknown"`` or ``None`` (not declared).
    """
    value = getattr(definition, "coverage", None)
    if value is None and definition.path is not None:
        try:
            value = tomllib.loads(Path(definition.path).read_text(encoding="utf-8")).get("coverage")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            value = None
    return str(value) if value in ("complete", "partial", "unknown") else None


def _latest_date(raw: pd.DataFrame) -> str | None:
    """Latest date in the file's registration/check date column (ISO), if any."""
    col = next((c for c in _DATE_COLUMNS if c in raw.columns), None)
    if col is None:
        return None
    text = raw[col].astype("string").str.strip().str.slice(0, 10)
    iso = text.str.match(_ISO_DATE).fillna(False).astype(bool)
    dates = pd.concat(
        [
            pd.to_datetime(text[iso], errors="coerce", format="%Y-%m-%d"),
            pd.to_datetime(text[~iso], errors="coerce", dayfirst=True, format="mixed"),
        ]
    )
    latest = dates.max()
    return None if pd.isna(latest) else f"latest {_DATE_COLUMNS[col]} {latest:%Y-%m-%d}"


def source_facts(raw: pd.DataFrame, definition: LayerDefinition, path: Path) -> dict[str, Any]:
    """Facts about a provider file that its coverage verdict and provenance use.

    Parameters
    ----------
    raw
        The file as read.
    definition
        The definition that read it.
    path
        The file.

    Returns
    -------
    dict
        ``path``, ``definition``, ``title``, ``publisher``, ``licence``,
        ``declared_coverage``, ``has_beds``, ``has_units``, ``has_bands`` and
        ``latest_date`` (text naming the date column, or ``None``).
    """
    has_bands = any(
        _first_present(raw, definition.flags[f].columns) is not None
        for f in ("older_people", "dementia")
        if f in definition.flags
    )
    return {
        "path": str(path),
        "definition": definition.name,
        "title": definition.title,
        "publisher": definition.source,
        "licence": definition.licence,
        "declared_coverage": declared_coverage(definition),
        "declared_reason": str(getattr(definition, "coverage_reason", "") or ""),
        "has_beds": _present(raw, definition, "beds"),
        "has_units": _present(raw, definition, "units"),
        "has_bands": has_bands,
        "latest_date": _latest_date(raw),
    }
