"""Postcode geocoding from OS Code-Point Open or the ONS Postcode Directory."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io.files import read_table

__all__ = ["load_postcodes", "normalise_postcodes", "postcode_area"]

_PC_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_CODEPOINT_COLUMNS = [
    "postcode",
    "quality",
    "easting",
    "northing",
    "country_code",
    "nhs_region",
    "nhs_ha",
    "admin_county_code",
    "la_code",
    "ward_code",
]


def normalise_postcodes(values: pd.Series | Iterable[object]) -> pd.Series:
    """Spell postcodes the standard way: upper case, one space before the inward code.

    Parameters
    ----------
    values
        Postcodes as written (``"sp3 6ls"``, ``"SP36LS"``, ``" SP3  6LS "``).

    Returns
    -------
    pandas.Series
        Normalised postcodes (``"SP3 6LS"``); ``<NA>`` where the text is not a
        valid UK postcode shape.
    """
    s = pd.Series(values, dtype="object")
    compact = s.fillna("").astype(str).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    parts = compact.str.extract(_PC_RE)
    out = parts[0] + " " + parts[1]
    return out.astype("string")


def postcode_area(postcodes: pd.Series) -> pd.Series:
    """Return the postcode area (the leading letters, e.g. ``SP``) of normalised postcodes.

    Parameters
    ----------
    postcodes
        Normalised postcodes.

    Returns
    -------
    pandas.Series
        The area letters, ``<NA>`` where the postcode is missing.
    """
    return postcodes.astype("string").str.extract(r"^([A-Z]{1,2})", expand=False)


def _read_codepoint_zip(path: Path, areas: set[str] | None) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if re.search(r"Data/CSV/[a-z]+\.csv$", n)]
            if not members:
                raise InputFileError(
                    path, "no Data/CSV/<area>.csv files: not a Code-Point Open zip"
                )
            if areas is not None:
                members = [n for n in members if Path(n).stem.upper() in areas]
            frames = []
            for name in members:
                with zf.open(name) as fh:
                    frames.append(
                        pd.read_csv(
                            io.TextIOWrapper(fh, encoding="utf-8"),
                            header=None,
                            names=_CODEPOINT_COLUMNS,
                            usecols=["postcode", "easting", "northing", "la_code"],
                            dtype={"postcode": str, "la_code": str},
                        )
                    )
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(path, f"cannot read Code-Point Open zip ({exc})") from exc
    if not frames:
        return pd.DataFrame(columns=["postcode", "easting", "northing", "la_code"])
    return pd.concat(frames, ignore_index=True)


def _read_postcode_csv(path: Path) -> pd.DataFrame:
    table = read_table(path, dtype=str)
    lower = {c.lower(): c for c in table.columns}
    pc = next((lower[c] for c in ("pcds", "pcd", "postcode", "pcd7", "pcd8") if c in lower), None)
    east = next((lower[c] for c in ("oseast1m", "easting", "eastings", "x") if c in lower), None)
    north = next((lower[c] for c in ("osnrth1m", "northing", "northings", "y") if c in lower), None)
    la = next(
        (lower[c] for c in ("oslaua", "lad", "la_code", "admin_district_code") if c in lower), None
    )
    if pc is None or east is None or north is None:
        raise InputFileError(
            path,
            "needs a postcode column (pcds/postcode) and eastings/northings "
            "(oseast1m/osnrth1m or easting/northing)",
        )
    out = pd.DataFrame(
        {
            "postcode": table[pc],
            "easting": pd.to_numeric(table[east], errors="coerce"),
            "northing": pd.to_numeric(table[north], errors="coerce"),
            "la_code": table[la] if la else pd.NA,
        }
    )
    return out


def load_postcodes(
    path: str | os.PathLike[str], *, only: Iterable[object] | None = None
) -> pd.DataFrame:
    """Load a postcode table from Code-Point Open (zip as distributed) or an ONSPD-style CSV.

    Parameters
    ----------
    path
        ``codepo_gb_*.zip`` (OS Code-Point Open) or a CSV with a postcode column and
        eastings/northings (ONS Postcode Directory: ``pcds``, ``oseast1m``, ``osnrth1m``).
    only
        Postcodes (or sectors/districts) of interest; from a Code-Point zip only their
        areas' files are read,
        which is much faster than reading all of Great Britain.

    Returns
    -------
    pandas.DataFrame
        Indexed by normalised ``postcode``, columns ``easting``, ``northing`` (EPSG:27700,
        metres) and ``la_code``. Postcodes without a grid reference are left out.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(p, "file not found")
    areas: set[str] | None = None
    if only is not None:
        texts = [str(v).strip().upper() for v in only if isinstance(v, str)]
        # Postcodes, sectors ("SP3 6") and districts ("SN8") all name their area letters.
        areas = {m.group(0) for t in texts if (m := re.match(r"[A-Z]{1,2}(?=\d)", t))}
    if p.suffix.lower() == ".zip":
        table = _read_codepoint_zip(p, areas)
    else:
        table = _read_postcode_csv(p)
    table["postcode"] = normalise_postcodes(table["postcode"])
    has_grid = (
        table["postcode"].notna()
        & table["easting"].gt(0)
        & table["northing"].gt(0)
        & np.isfinite(table["easting"].astype(float))
    )
    table = table[has_grid].drop_duplicates("postcode").set_index("postcode")
    return table[["easting", "northing", "la_code"]]
