"""Resolve an area (local authority code or name) to its code, name and districts."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geosuff._errors import AreaNotFoundError, InputFileError
from geosuff.io.layout import find_data_file

__all__ = ["Area", "list_areas", "normalise_name", "resolve_area"]

_CODE_RE = re.compile(r"^[ENSW]\d{8}$", re.IGNORECASE)
_ALIASES = {
    "banes": "bath and north east somerset",
    "bnes": "bath and north east somerset",
    "b and nes": "bath and north east somerset",
    "herefordshire": "herefordshire county of",
    "bath": "bath and north east somerset",
    "bath and ne somerset": "bath and north east somerset",
}


@dataclass(frozen=True)
class Area:
    """A local authority: a unitary, a county (made of districts) or a district.

    Attributes
    ----------
    code
        ONS code, e.g. ``E06000054``.
    name
        Name, e.g. ``Wiltshire``.
    tier
        ``"utla"`` (unitary or county) or ``"ltla"`` (district).
    district_codes, district_names
        The lower-tier authorities it is made of (itself for a unitary or district).
    """

    code: str
    name: str
    tier: str
    district_codes: tuple[str, ...]
    district_names: tuple[str, ...]


def normalise_name(name: str) -> str:
    """Lower-case a place name, spell ``&`` as ``and`` and drop punctuation.

    Parameters
    ----------
    name
        A place name.

    Returns
    -------
    str
        The normalised name, e.g. ``"bath and north east somerset"``.
    """
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.lru_cache(maxsize=4)
def _admin_table(path: Path) -> pd.DataFrame:
    try:
        topo = json.loads(path.read_text(encoding="utf-8"))
        rows = [
            {
                "code": g["properties"]["areacd"],
                "name": g["properties"]["areanm"],
                "tier": tier,
                "end": g["properties"].get("end"),
            }
            for tier in ("utla", "ltla")
            for g in topo["objects"][tier]["geometries"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(path, f"not an ONS admin-areas TopoJSON ({exc})") from exc
    table = pd.DataFrame(rows)
    table["current"] = table["end"].isna()
    table["key"] = table["name"].map(normalise_name)
    return table


def list_areas(data_dir: Path) -> pd.DataFrame:
    """List the current upper- and lower-tier authorities known to the data folder.

    Parameters
    ----------
    data_dir
        The data folder (reads ``ons/uk_admin_areas_topo.json``).

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``name``, ``tier``.
    """
    path = find_data_file(data_dir, "admin_areas")
    if path is None:
        return pd.DataFrame(columns=["code", "name", "tier"])
    table = _admin_table(path)
    current = table[table["current"]]
    return current[["code", "name", "tier"]].drop_duplicates("code").reset_index(drop=True)


def _districts_of(code: str, data_dir: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the district codes and names of a county from its LSOA file and the lookup."""
    lsoa_path = find_data_file(data_dir, "lsoa_boundaries", code=code)
    lookup_path = find_data_file(data_dir, "lsoa_lookup")
    if lsoa_path is None or lookup_path is None:
        return (), ()
    import pyogrio

    info = pyogrio.read_dataframe(lsoa_path, columns=["LSOA11CD"], read_geometry=False)
    lookup = pd.read_csv(
        lookup_path, usecols=["LSOA11CD", "LAD22CD", "LAD22NM"], encoding="utf-8-sig"
    )
    lads = lookup[lookup["LSOA11CD"].isin(info["LSOA11CD"])].drop_duplicates("LAD22CD")
    lads = lads.sort_values("LAD22NM")
    return tuple(lads["LAD22CD"]), tuple(lads["LAD22NM"])


def resolve_area(code_or_name: str, data_dir: Path) -> Area:
    """Resolve a local authority code or name.

    Names are matched case-insensitively, ``&`` as ``and``; a few aliases such
    as ``BANES`` are known. Counties resolve to their districts (Worcestershire to
    its six), which is how CQC files name local authorities.

    Parameters
    ----------
    code_or_name
        E.g. ``"Wiltshire"``, ``"E06000054"``, ``"Worcestershire"``, ``"B&NES"``.
    data_dir
        The data folder (reads ``ons/uk_admin_areas_topo.json``, and for counties
        the LSOA file and the LSOA lookup).

    Returns
    -------
    Area
        The resolved authority.

    Raises
    ------
    AreaNotFoundError
        If nothing matches; the message suggests close names.
    """
    text = code_or_name.strip()
    path = find_data_file(data_dir, "admin_areas")
    if path is None:
        if _CODE_RE.match(text):
            code = text.upper()
            districts = _districts_of(code, data_dir)
            return Area(code, code, "utla", districts[0] or (code,), districts[1] or (code,))
        msg = f"cannot resolve area {text!r}: no admin-areas file in {data_dir}; give a code"
        raise AreaNotFoundError(msg)
    table = _admin_table(path)
    if _CODE_RE.match(text):
        hits = table[table["code"] == text.upper()]
    else:
        key = normalise_name(text)
        key = _ALIASES.get(key, key)
        hits = table[table["key"] == key]
    if hits.empty:
        key = normalise_name(text)
        close = table[table["current"] & table["key"].str.contains(key[:5], regex=False)]
        hint = f"; did you mean {', '.join(close['name'].unique()[:5])}?" if len(close) else ""
        msg = f"no local authority called {text!r} in {path.name}{hint}"
        raise AreaNotFoundError(msg)
    hits = hits.sort_values(["current", "tier"], ascending=[False, False])
    row = hits.iloc[0]
    code, name, tier = str(row["code"]), str(row["name"]), str(row["tier"])
    if code.startswith("E10"):
        district_codes, district_names = _districts_of(code, data_dir)
        if not district_codes:
            msg = f"{name} ({code}) is a county: its LSOA file or the LSOA lookup is missing"
            raise AreaNotFoundError(msg)
        return Area(code, name, tier, district_codes, district_names)
    return Area(code, name, tier, (code,), (name,))
