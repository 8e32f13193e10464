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
    load_definitions,
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

__all__ = [
    "PROVIDER_COLUMNS",
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
    "coord_source",
    "source",
    "line",
    "service_user_bands",
]

_DATA_KEYS = {
    "care_homes": ("care_homes", "care_directory"),
    "home_care": ("home_care", "care_directory"),
    "extra_care": ("extra_care", "care_directory"),
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


def _select_rows(canon: pd.DataFrame, layer: str, definition: LayerDefinition) -> pd.Series:
    """Return a boolean mask of the rows that belong to *layer*."""
    if layer == "care_homes":
        known = [
            f
            for f in ("care_home", "nursing", "residential")
            if f in definition.flags and canon[f].notna().any()
        ]
        if not known:
            return pd.Series(True, index=canon.index)
        mask = pd.Series(False, index=canon.index)
        for flag in known:
            mask |= canon[flag].fillna(False).astype(bool)
        return mask
    flag = "domiciliary" if layer == "home_care" else "extra_care"
    if flag in definition.flags and canon[flag].notna().any():
        return canon[flag].fillna(False).astype(bool)
    # The file cannot say (no such column): every row is taken to be of this layer.
    return pd.Series(True, index=canon.index)


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
) -> Loaded:
    """Load one provider layer from a file, using the layer definition that fits it.

    Parameters
    ----------
    path
        CQC HSCA spreadsheet (CSV/XLSX), CQC care directory CSV, or any CSV with a
        name and coordinates, eastings/northings or a postcode.
    layer
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    postcodes
        Postcode lookup for rows without coordinates: a Code-Point Open zip, an ONSPD
        CSV, a loaded table, or ``None`` (such rows are then rejected).
    definitions
        Layer definitions to choose from; default those in ``layers/``.

    Returns
    -------
    Loaded
        ``data``: GeoDataFrame in EPSG:27700 with :data:`PROVIDER_COLUMNS`;
        ``rejects``: rows not used (or used with a caveat, ``action="flagged"``).

    Raises
    ------
    InputFileError
        If the file cannot be read or its columns match no definition.
    """
    p = Path(path)
    raw = read_table(p, dtype=str, keep_default_na=False, na_values=[""])
    definition = detect_definition(raw.columns, layer, p, definitions or load_definitions())
    log.info("%s: %d rows, read as %s", p.name, len(raw), definition.name)
    check_structure(raw, definition, layer, p)
    canon = apply_definition(raw, definition)
    canon["service_user_bands"] = service_user_bands(raw)
    has_beds = _first_present(raw, definition.columns.get("beds", ())) is not None
    canon["line"] = np.arange(2, len(canon) + 2)
    source = f"{_LABELS[layer]} ({p.name})"
    if canon["provider_id"].isna().all():
        canon["provider_id"] = [f"{p.stem}:{n}" for n in canon["line"]]
    keep = _select_rows(canon, layer, definition)
    if (~keep).any():
        log.info("%s: %d rows are other service types, not %s", p.name, (~keep).sum(), layer)
    canon = canon[keep]
    rejects: list[pd.DataFrame] = []

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
