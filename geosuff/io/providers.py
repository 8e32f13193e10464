"""Loaders for care supply: care homes, home care agencies and extra care schemes.

Each loader reads a CQC file or any CSV described by a layer definition (``layers/``),
places every row (coordinates, grid reference or postcode) and returns the canonical
layer in EPSG:27700 together with a rejects table. Rows of other service types in a
multi-service file (e.g. GP surgeries in the CQC directory) are not part of the layer
and are counted in the log, not rejected.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._errors import DataMissingError
from geosuff.io.files import read_table
from geosuff.io.layerdefs import (
    LayerDefinition,
    _first_present,
    apply_definition,
    detect_definition,
    header_names,
    load_definitions,
    sheet_names,
)
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.points import PostcodeSource, place_rows
from geosuff.io.provider_checks import (
    check_structure,
    reject_duplicate_ids,
    reject_implausible,
    reject_same_place_duplicates,
    service_user_bands,
    source_facts,
)
from geosuff.io.rejects import Loaded, empty_rejects, make_rejects
from geosuff.io.selection import RATINGS, leave_out, select_rows
from geosuff.io.sheet_tables import data_lines

__all__ = [
    "PROVIDER_COLUMNS",
    "RATINGS",
    "load_care_homes",
    "load_extra_care",
    "load_home_care",
    "load_providers",
]

log = logging.getLogger(__name__)

#: Columns of every canonical provider layer (plus ``geometry``).
PROVIDER_COLUMNS = [
    "provider_id",
    "name",
    "kind",
    "beds",
    "units",
    "older_people",
    "dementia",
    "dual_registered",
    "uncertain",
    "postcode",
    "la_name",
    "note",
    "rating",
    "coord_source",
    "source",
    "line",
    "service_user_bands",
]

_DATA_KEYS = {
    "care_homes": ("cqc_locations", "care_homes", "care_directory"),
    "home_care": ("cqc_locations", "home_care", "care_directory"),
    "extra_care": ("cqc_locations", "extra_care", "care_directory"),
}
_LABELS = {"care_homes": "care homes", "home_care": "home care", "extra_care": "extra care"}


def _default_path(layer: str, data_dir: Path) -> Path:
    for key in _DATA_KEYS[layer]:
        found = find_data_file(data_dir, key)
        if found is not None:
            return found
    msg = (
        f"no {_LABELS[layer]} file in {data_dir} (looked for "
        f"{' or '.join(_DATA_KEYS[layer])}); run `geosuff data fetch` or give the file"
    )
    raise DataMissingError(msg)


def _default_postcodes(data_dir: Path) -> Path | None:
    return find_data_file(data_dir, "postcodes")


def _number_column(
    canon: pd.DataFrame, column: str, *, required: bool, source: str, label: str
) -> tuple[pd.Series, pd.DataFrame]:
    """Parse a count column; reject non-numeric or negative values (and blanks if required)."""
    raw = canon[column]
    text = raw.astype("string").str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    blank = text.isna() | text.eq("")
    bad = (~blank & values.isna()) | values.lt(0).fillna(False)
    reasons = [f"{label} not a non-negative number: {v!r}" for v in raw[bad].astype(str).tolist()]
    if required:
        missing = blank
        reasons_missing = [f"{label} missing"] * int(missing.sum())
    else:
        missing = pd.Series(False, index=canon.index)
        reasons_missing = []
    rej_idx = list(canon.index[bad]) + list(canon.index[missing])
    rejects = make_rejects(
        source,
        canon.loc[rej_idx, "line"],
        canon.loc[rej_idx, "provider_id"],
        canon.loc[rej_idx, "name"],
        reasons + reasons_missing,
    )
    return values.astype(float), rejects


def load_providers(
    path: str | os.PathLike[str],
    layer: str,
    *,
    postcodes: PostcodeSource = None,
    definitions: list[LayerDefinition] | None = None,
    include_dormant: bool = False,
    min_rating: str | None = None,
) -> Loaded:
    """Load one provider layer from a file, using the layer definition that fits it.

    Parameters
    ----------
    path
        CQC HSCA active locations as published (ODS, XLSX, or a CSV saved from it),
        CQC care directory CSV, or any CSV/spreadsheet with a name and coordinates,
        eastings/northings or a postcode.
    layer
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    postcodes
        Postcode lookup for rows without coordinates: a Code-Point Open zip, an ONSPD
        CSV, a loaded table, or ``None`` (such rows are then rejected).
    definitions
        Layer definitions to choose from; default those in ``layers/``.
    include_dormant
        Keep locations CQC marks dormant (registered but not providing care); by
        default they are left out and listed (``action="excluded"``).
    min_rating
        Keep only locations whose latest CQC overall rating is at least this
        (one of :data:`RATINGS`, e.g. ``"good"``: Good or Outstanding); the others,
        and locations not yet rated, are left out and listed (``action="excluded"``).

    Returns
    -------
    Loaded
        ``data``: GeoDataFrame in EPSG:27700 with :data:`PROVIDER_COLUMNS`;
        ``rejects``: rows not used (or used with a caveat, ``action="flagged"``).
        ``data.attrs`` names the ``layer_definition`` used and its declared
        ``coverage`` and ``coverage_reason`` (empty when not declared).

    Raises
    ------
    InputFileError
        If the file cannot be read or its columns match no definition.
    ValidationError
        If *min_rating* is unknown, or asked of a file without ratings.
    """
    p = Path(path)
    defs = definitions or load_definitions()
    text = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    raw = read_table(p, sheets=sheet_names(defs), expect=header_names(defs), **text)
    definition = detect_definition(raw.columns, layer, p, defs)
    log.info("%s: %d rows, read as %s", p.name, len(raw), definition.name)
    check_structure(raw, definition, layer, p)
    canon = apply_definition(raw, definition)
    canon["service_user_bands"] = service_user_bands(raw)
    has_beds = _first_present(raw, definition.columns.get("beds", ())) is not None
    canon["line"] = data_lines(raw)
    source = f"{_LABELS[layer]} ({p.name})"
    if canon["provider_id"].isna().all():
        canon["provider_id"] = [f"{p.stem}:{n}" for n in canon["line"]]
    keep = select_rows(canon, layer, definition)
    if (~keep).any():
        log.info("%s: %d rows are other service types, not %s", p.name, (~keep).sum(), layer)
    canon = canon[keep]
    rated = _first_present(raw, definition.columns.get("rating", ())) is not None
    options = {"include_dormant": include_dormant, "min_rating": min_rating, "has_rating": rated}
    canon, left_out = leave_out(canon, source=source, path=p, **options)
    rejects: list[pd.DataFrame] = [left_out]

    beds, bed_rejects = _number_column(
        canon,
        "beds",
        required=has_beds and layer == "care_homes",
        source=source,
        label="beds",
    )
    units, unit_rejects = _number_column(
        canon, "units", required=False, source=source, label="units"
    )
    canon = canon.assign(beds=beds, units=units)
    rejects += [bed_rejects, unit_rejects]
    bad_numbers = set(bed_rejects["line"]) | set(unit_rejects["line"])
    implausible = reject_implausible(canon[~canon["line"].isin(bad_numbers)], layer, source)
    rejects.append(implausible)
    bad_numbers |= set(implausible["line"])
    canon = canon[~canon["line"].isin(bad_numbers)]

    placed, place_rejects = place_rows(canon, source=source, postcodes=postcodes)
    rejects.append(place_rejects)
    placed, dup_rejects = reject_duplicate_ids(placed, source)
    rejects.append(dup_rejects)
    placed, same_place = reject_same_place_duplicates(placed, source)
    rejects.append(same_place)

    if layer == "care_homes":
        nursing = placed["nursing"].fillna(False).astype(bool)
        residential = placed["residential"].fillna(False).astype(bool)
        undetermined = ~nursing & ~residential
        if undetermined.any():
            rejects.append(
                make_rejects(
                    source,
                    placed.loc[undetermined, "line"],
                    placed.loc[undetermined, "provider_id"],
                    placed.loc[undetermined, "name"],
                    "cannot tell nursing from residential (add a nursing column, Y/N)",
                )
            )
            placed = placed[~undetermined]
            nursing, residential = nursing[~undetermined], residential[~undetermined]
        placed["kind"] = np.where(nursing, "care_home_nursing", "care_home_residential")
        placed["dual_registered"] = nursing & residential
        if not has_beds:
            rejects.append(
                make_rejects(
                    source,
                    placed["line"],
                    placed["provider_id"],
                    placed["name"],
                    "beds not in this source (counted as a home, not in bed totals)",
                    action="flagged",
                )
            )
    else:
        placed["kind"] = "domiciliary" if layer == "home_care" else "extra_care"
        placed["dual_registered"] = False
        if layer == "extra_care":
            no_units = placed["units"].isna()
            rejects.append(
                make_rejects(
                    source,
                    placed.loc[no_units, "line"],
                    placed.loc[no_units, "provider_id"],
                    placed.loc[no_units, "name"],
                    "units not stated (counted as a scheme, not in unit totals)",
                    action="flagged",
                )
            )
    uncertain = placed["uncertain"].fillna(False).astype(bool)
    if uncertain.any():
        rejects.append(
            make_rejects(
                source,
                placed.loc[uncertain, "line"],
                placed.loc[uncertain, "provider_id"],
                placed.loc[uncertain, "name"],
                "source marks the classification as uncertain (kept)",
                action="flagged",
            )
        )
    placed["uncertain"] = uncertain
    placed["source"] = p.name
    for col in ("older_people", "dementia"):
        placed[col] = placed[col].astype("boolean")
    data = gpd.GeoDataFrame(
        placed[[*PROVIDER_COLUMNS, "geometry"]].reset_index(drop=True),
        geometry="geometry",
        crs=placed.crs,
    )
    data.attrs.update(source_facts(raw, definition, p))
    data.attrs.update(layer_definition=definition.name, coverage=definition.coverage)
    data.attrs["coverage_reason"] = definition.coverage_reason
    non_empty = [r for r in rejects if not r.empty]
    all_rejects = pd.concat(non_empty, ignore_index=True) if non_empty else empty_rejects()
    return Loaded(data, all_rejects)


def _load_layer(
    layer: str,
    path: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None,
    postcodes: PostcodeSource,
) -> Loaded:
    if path is None:
        folder: Path | None = resolve_data_dir(data_dir)
        file = _default_path(layer, folder)
    else:
        file = Path(path)
        # A user's own file needs no data folder; its postcode file is used when there.
        try:
            folder = resolve_data_dir(data_dir) if postcodes is None else None
        except DataMissingError:
            folder = None
    if postcodes is None and folder is not None:
        postcodes = _default_postcodes(folder)
    return load_providers(file, layer, postcodes=postcodes)


def load_care_homes(
    path: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    postcodes: PostcodeSource = None,
) -> Loaded:
    """Load care homes (``kind`` = ``care_home_nursing`` or ``care_home_residential``).

    Parameters
    ----------
    path
        Defaults to the data folder's CQC HSCA file (else its CQC care directory).
    data_dir
        Data folder, resolved as ``--data`` / ``GEOSUFF_DATA`` / ``../shared/data``.
    postcodes
        Postcode lookup for rows without coordinates; default the data folder's
        Code-Point Open zip.

    Returns
    -------
    Loaded
        Care homes in EPSG:27700 (:data:`PROVIDER_COLUMNS`) and the rejects table.
        Dual-registered homes (nursing and residential) are ``care_home_nursing`` with
        ``dual_registered`` true; all their beds count as nursing beds.
    """
    return _load_layer("care_homes", path, data_dir, postcodes)


def load_home_care(
    path: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    postcodes: PostcodeSource = None,
) -> Loaded:
    """Load home care (domiciliary) agencies, ``kind`` = ``domiciliary``.

    Parameters
    ----------
    path
        Defaults to the data folder's ``care_lists/home_care_providers.csv`` (else its
        CQC care directory).
    data_dir
        Data folder.
    postcodes
        Postcode lookup; default the data folder's Code-Point Open zip.

    Returns
    -------
    Loaded
        Agencies in EPSG:27700 and the rejects table.
    """
    return _load_layer("home_care", path, data_dir, postcodes)


def load_extra_care(
    path: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    postcodes: PostcodeSource = None,
) -> Loaded:
    """Load extra care housing schemes, ``kind`` = ``extra_care``, with ``units``.

    Parameters
    ----------
    path
        Defaults to the data folder's ``care_lists/extra_care_schemes.csv`` (else its
        CQC care directory).
    data_dir
        Data folder.
    postcodes
        Postcode lookup; default the data folder's Code-Point Open zip.

    Returns
    -------
    Loaded
        Schemes in EPSG:27700 and the rejects table; schemes without stated units are
        kept and flagged.
    """
    return _load_layer("extra_care", path, data_dir, postcodes)
