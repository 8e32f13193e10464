"""Where each file lives in a geosuff data folder, and how the folder is found.

The data folder layout is the one ``geosuff data fetch`` writes and the loaders
read (the same as ``../shared/data`` in a development checkout)::

    ons/lsoa11_bgc/<authority code>.geojson      LSOA boundaries per authority
    ons/lsoa11_bsc_england_wales.geojson         all LSOAs, coarse
    ons/lsoa11_pwc.csv (or .geojson)             population-weighted centroids
    ons/population_*_lsoa11_syoa.csv (or .xlsx)  single-year-of-age estimates
    ons/lsoa21_bgc/<authority code>.geojson      2021 LSOA boundaries per authority
    ons/lsoa21_pwc.csv (or .geojson)             2021 population-weighted centroids
    ons/population_*_lsoa21_syoa.xlsx            estimates on 2021 LSOAs (by sex)
    ons/lsoa11_lsoa21_lad22_lookup.csv           LSOA 2011 -> 2021 -> LAD 2022
    ons/snpp*                                    subnational population projections
    ons/imd2019_lsoa11_england.csv               Index of Multiple Deprivation 2019
    ons/wards_2025_bgc/<authority code>.geojson  electoral wards
    ons/uk_admin_areas_topo.json                 authority names and codes
    cqc/hsca_active_locations_*.ods (or .xlsx)   CQC active locations (every service)
    cqc/hsca_care_homes_*.csv                    CQC active locations (care homes)
    cqc/care_directory*.csv                      CQC care directory (all services)
    care_lists/home_care_providers.csv           home care agencies (any CSV)
    care_lists/extra_care_schemes.csv            extra care schemes (any CSV)
    postcodes/codepo_gb_*.zip                    OS Code-Point Open
    osm/*.osm.pbf                                OpenStreetMap extracts
"""

from __future__ import annotations

import os
from pathlib import Path

from geosuff import settings
from geosuff._errors import DataMissingError

__all__ = ["LAYOUT", "data_file", "find_data_file", "resolve_data_dir"]

#: Relative glob pattern of each data key; ``{code}`` is an authority code.
LAYOUT: dict[str, str] = {
    "lsoa_boundaries": "ons/lsoa11_bgc/{code}.geojson",
    "lsoa_boundaries_england": "ons/lsoa11_bsc_england_wales.geojson",
    "lsoa_centroids": "ons/lsoa11_pwc.*",
    "population": "ons/population_*lsoa11_syoa.*",
    "lsoa21_boundaries": "ons/lsoa21_bgc/{code}.geojson",
    "lsoa21_centroids": "ons/lsoa21_pwc.*",
    "population_lsoa21": "ons/population_*lsoa21_syoa.*",
    "lsoa_lookup": "ons/lsoa11_lsoa21_lad22_lookup.csv",
    "projections": "ons/snpp*",
    "imd": "ons/imd2019_lsoa11_england.csv",
    "wards": "ons/wards_2025_bgc/{code}.geojson",
    "admin_areas": "ons/uk_admin_areas_topo.json",
    "cqc_locations": "cqc/hsca_active_locations_*",
    "care_homes": "cqc/hsca_care_homes_*.csv",
    "care_directory": "cqc/care_directory*.csv",
    "home_care": "care_lists/home_care_providers.csv",
    "extra_care": "care_lists/extra_care_schemes.csv",
    "postcodes": "postcodes/codepo_gb_*.zip",
    "osm": "osm/*.osm.pbf",
}

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_REPO_ROOT = _PACKAGE_ROOT.parent


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Find the data folder.

    The order is: the *data_dir* argument (``--data``), the ``GEOSUFF_DATA``
    environment variable, :data:`geosuff.settings.data_dir`, then ``../shared/data``
    beside the current folder or beside the geosuff checkout.

    Parameters
    ----------
    data_dir
        An explicit folder, which wins when given.

    Returns
    -------
    pathlib.Path
        The data folder.

    Raises
    ------
    DataMissingError
        If no folder is given and none of the defaults exists.
    """
    for candidate in (data_dir, os.environ.get("GEOSUFF_DATA"), settings.data_dir):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_dir():
                msg = f"data folder {path} does not exist (create it with `geosuff data fetch`)"
                raise DataMissingError(msg)
            return path
    for path in (Path.cwd() / ".." / "shared" / "data", _REPO_ROOT.parent / "shared" / "data"):
        if path.is_dir():
            return path.resolve()
    msg = (
        "no data folder: pass --data DIR, set GEOSUFF_DATA, or run "
        "`geosuff data fetch --area AREA` to download one"
    )
    raise DataMissingError(msg)


def find_data_file(data_dir: Path, key: str, *, code: str | None = None) -> Path | None:
    """Return the newest file in *data_dir* matching layout *key*, or ``None``.

    Parameters
    ----------
    data_dir
        The data folder.
    key
        A key of :data:`LAYOUT`.
    code
        The authority code, for per-authority files.

    Returns
    -------
    pathlib.Path or None
        The matching file (the last in name order when several match).
    """
    pattern = LAYOUT[key].format(code=code or "*")
    matches = sorted(p for p in data_dir.glob(pattern) if not _is_partial(p))
    return matches[-1] if matches else None


def _is_partial(path: Path) -> bool:
    """Whether *path* is a download or write in progress (never a data file)."""
    return path.name.startswith(".") or path.name.endswith((".part", ".part.json", ".tmp"))


def data_file(
    data_dir: Path, key: str, *, code: str | None = None, area: str | None = None
) -> Path:
    """Like :func:`find_data_file`, but raise a helpful error when the file is absent.

    Parameters
    ----------
    data_dir
        The data folder.
    key
        A key of :data:`LAYOUT`.
    code
        The authority code, for per-authority files.
    area
        The area name to suggest in the ``geosuff data fetch`` hint.

    Returns
    -------
    pathlib.Path
        The matching file.

    Raises
    ------
    DataMissingError
        If no file matches.
    """
    found = find_data_file(data_dir, key, code=code)
    if found is None:
        pattern = LAYOUT[key].format(code=code or "*")
        hint = f"geosuff data fetch --area {area or code or 'AREA'}"
        msg = f"{data_dir / pattern} not found; run `{hint}` or point the layer at your own file"
        raise DataMissingError(msg)
    return found


def layers_dir() -> Path:
    """Return the folder of layer definitions (``layers/`` in the geosuff checkout).

    ``GEOSUFF_LAYERS`` overrides it, so users can keep their own definitions.

    Returns
    -------
    pathlib.Path
        The folder holding ``*.toml`` layer definitions and ``sources.toml``.
    """
    env = os.environ.get("GEOSUFF_LAYERS")
    return Path(env) if env else _PACKAGE_ROOT / "layers"
