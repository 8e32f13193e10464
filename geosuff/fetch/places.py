"""Which authority a fetch is for, and the values filled into its per-area URLs.

A county is expanded into its districts (from the LTLA to UTLA lookup when it has
been fetched, else from the data folder); LSOA queries select by the 2011 or 2021
LSOA names of the area's districts, taken from the LSOA lookup. The lookup is on
2022 districts, so the unitary authorities created in April 2023 (Cumberland,
Westmorland and Furness, North Yorkshire, Somerset) are matched through the
districts they replaced.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pandas as pd

from geosuff.fetch.catalogue import Sources
from geosuff.io.areas import Area, list_areas, normalise_name, resolve_area
from geosuff.io.layout import find_data_file

__all__ = ["UNITARIES_2023", "area_placeholders", "lad22_codes", "resolve_for_fetch"]

_CODE_RE = re.compile(r"^[ENSW]\d{8}$", re.IGNORECASE)
_LTLA_UTLA_ENTRY = "ltla_utla_lookup"

#: Unitary authorities created on 1 April 2023 -> the 2022 districts they replaced.
UNITARIES_2023: dict[str, tuple[str, ...]] = {
    # Cumberland: Allerdale, Carlisle, Copeland
    "E06000063": ("E07000026", "E07000028", "E07000029"),
    # Westmorland and Furness: Barrow-in-Furness, Eden, South Lakeland
    "E06000064": ("E07000027", "E07000030", "E07000031"),
    # North Yorkshire: Craven, Hambleton, Harrogate, Richmondshire, Ryedale,
    # Scarborough, Selby
    "E06000065": (
        "E07000163",
        "E07000164",
        "E07000165",
        "E07000166",
        "E07000167",
        "E07000168",
        "E07000169",
    ),
    # Somerset: Mendip, Sedgemoor, South Somerset, Somerset West and Taunton
    "E06000066": ("E07000187", "E07000188", "E07000189", "E07000246"),
}


def lad22_codes(district_codes: tuple[str, ...]) -> tuple[str, ...]:
    """Return 2022 district codes for *district_codes*, expanding the 2023 unitaries.

    Parameters
    ----------
    district_codes
        Current district (or unitary) codes.

    Returns
    -------
    tuple of str
        The same codes, with each April 2023 unitary replaced by its predecessors.
    """
    out: list[str] = []
    for code in district_codes:
        out.extend(UNITARIES_2023.get(code.upper(), (code,)))
    return tuple(out)


def _ltla_utla(data_dir: Path, sources: Sources) -> pd.DataFrame | None:
    src = next((s for s in sources.sources if s.name == _LTLA_UTLA_ENTRY), None)
    path = data_dir / src.target if src else None
    if path is None or not path.is_file():
        return None
    table = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    cols = {c.upper()[:4] + c.upper()[-2:]: c for c in table.columns}
    try:
        picked = table[[cols["LTLACD"], cols["LTLANM"], cols["UTLACD"], cols["UTLANM"]]]
    except KeyError:
        return None
    picked.columns = ["ltla_cd", "ltla_nm", "utla_cd", "utla_nm"]
    return picked


def resolve_for_fetch(area: str, data_dir: Path, sources: Sources) -> Area:
    """Resolve *area*, expanding a county into districts even before its LSOAs exist.

    Parameters
    ----------
    area
        Authority name or code.
    data_dir
        The data folder.
    sources
        The sources file (to find the LTLA to UTLA lookup).

    Returns
    -------
    Area
        The authority and its districts.

    Raises
    ------
    AreaNotFoundError
        If the area is not known.
    """
    text = area.strip()
    lookup = _ltla_utla(data_dir, sources)
    if lookup is not None:
        code: str | None = text.upper() if _CODE_RE.match(text) else None
        if code is None:
            admin = list_areas(data_dir)
            hit = admin[admin["name"].map(normalise_name) == normalise_name(text)]
            if len(hit):
                code = str(hit.sort_values("tier", ascending=False).iloc[0]["code"])
            else:
                named = lookup[lookup["utla_nm"].map(normalise_name) == normalise_name(text)]
                code = str(named.iloc[0]["utla_cd"]) if len(named) else None
        rows = lookup[lookup["utla_cd"] == code]
        if len(rows):
            rows = rows.drop_duplicates("ltla_cd").sort_values("ltla_nm")
            return Area(
                str(code),
                str(rows.iloc[0]["utla_nm"]),
                "utla",
                tuple(rows["ltla_cd"]),
                tuple(rows["ltla_nm"]),
            )
    return resolve_area(text, data_dir)


def _sql_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _name_prefixes(area: Area, data_dir: Path, name_column: str) -> list[str]:
    """District names that prefix the area's LSOA names (``Wychavon 001A``)."""
    lookup_path = find_data_file(data_dir, "lsoa_lookup")
    if lookup_path is None:
        return []
    lookup = pd.read_csv(lookup_path, encoding="utf-8-sig", dtype=str)
    columns = {c.upper(): c for c in lookup.columns}
    if name_column not in columns or "LAD22CD" not in columns:
        return []
    wanted = lad22_codes(area.district_codes)
    names = lookup.loc[lookup[columns["LAD22CD"]].isin(wanted), columns[name_column]]
    return sorted(set(names.dropna().str.rsplit(" ", n=1).str[0]))


def area_placeholders(area: Area, data_dir: Path) -> dict[str, str]:
    """Values for the area placeholders in source URLs (URL-encoded).

    ``{code}`` and ``{name}``; ``{district_codes_sql}``, the district codes as a
    quoted SQL list (``'E07000234','E07000235'``); ``{lsoa11_where}`` and
    ``{lsoa21_where}``, where clauses ``LSOA11NM LIKE 'Wychavon %' OR …`` over the
    district names that prefix the area's 2011 (2021) LSOA names, taken from the
    LSOA lookup when present (2023 unitaries through the districts they replaced).

    Parameters
    ----------
    area
        The resolved area.
    data_dir
        The data folder (the LSOA lookup is read from it when present).

    Returns
    -------
    dict of str to str
        Placeholder name -> URL-encoded value.
    """
    values = {
        "code": area.code,
        "name": area.name,
        "district_codes_sql": ",".join(_sql_quote(c) for c in area.district_codes),
    }
    for key, column in (("lsoa11_where", "LSOA11NM"), ("lsoa21_where", "LSOA21NM")):
        prefixes = _name_prefixes(area, data_dir, column) or list(area.district_names)
        values[key] = " OR ".join(f"{column} LIKE {_sql_quote(p + ' %')}" for p in prefixes)
    return {k: urllib.parse.quote(v, safe="") for k, v in values.items()}
