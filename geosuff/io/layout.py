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
    ons/snpp*.csv (or .xls/.xlsx)                ONS subnational population projections
    ons/ruc11_lsoa11_*.csv                       ONS Rural-Urban Classification 2011
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

``--data sample`` (or ``GEOSUFF_DATA=sample``) names the small real Rutland sample
shipped inside the package (:mod:`geosuff.datasets`), laid out the same way.

Files shipped with geosuff (seed lists and focus places in ``boundaries/``, example
map and batch recipes in ``examples/``, layer definitions in ``layers/``) are found
inside the installed package, whatever the current folder: :func:`find_input` turns
a name such as ``wiltshire_15_zones``, ``maps/tisbury.toml`` or the path
``geosuff/boundaries/wiltshire_15_zones.toml`` into the shipped file when no such
file exists where the command runs.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from geosuff import datasets, settings
from geosuff._errors import DataMissingError

__all__ = [
    "LAYOUT",
    "SHIPPED",
    "data_file",
    "find_data_file",
    "find_input",
    "in_data_folder",
    "layers_dir",
    "package_dir",
    "resolve_data_dir",
    "shipped_dir",
    "shipped_file",
    "shipped_names",
]

log = logging.getLogger(__name__)

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
    "ruc": "ons/ruc11_*lsoa11*.csv",
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


def _absolute(path: Path) -> Path:
    """*path* made absolute without following symbolic links (``..`` removed)."""
    return Path(os.path.abspath(path.expanduser()))


def _default_data_dirs() -> list[Path]:
    """``../shared/data`` beside the current folder, and beside a geosuff checkout."""
    found = [Path.cwd() / ".." / "shared" / "data"]
    if (_REPO_ROOT / "pyproject.toml").is_file():  # a checkout, not an installed wheel
        found.append(_REPO_ROOT.parent / "shared" / "data")
    return found


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Find the data folder.

    The order is: the *data_dir* argument (``--data``), the ``GEOSUFF_DATA``
    environment variable, :data:`geosuff.settings.data_dir`, then ``../shared/data``
    beside the current folder or beside the geosuff checkout. Any of the first three
    may say ``sample``: the small real Rutland sample shipped with geosuff
    (:func:`geosuff.datasets.sample_dir`).

    Parameters
    ----------
    data_dir
        An explicit folder (or ``"sample"``), which wins when given.

    Returns
    -------
    pathlib.Path
        The data folder, as an absolute path (relative folders are taken from the
        current folder; symbolic links are kept as given).

    Raises
    ------
    DataMissingError
        If the folder given does not exist, or none is given and none of the
        defaults exists.
    """
    for candidate in (data_dir, os.environ.get("GEOSUFF_DATA"), settings.data_dir):
        if not candidate:
            continue
        name = datasets.sample_name(candidate)
        if name is not None:
            if Path(candidate).is_dir():
                log.warning(
                    "%r means the sample shipped with geosuff; write ./%s for the folder",
                    str(candidate),
                    candidate,
                )
            return datasets.path(name)
        path = _absolute(Path(candidate))
        if not path.is_dir():
            msg = (
                f"data folder {candidate} does not exist (create it with `geosuff data fetch`, "
                "or use --data sample for the Rutland sample shipped with geosuff)"
            )
            raise DataMissingError(msg)
        return path
    for path in _default_data_dirs():
        if path.is_dir():
            return path.resolve()
    msg = (
        "no data folder: pass --data DIR, set GEOSUFF_DATA, or run "
        "`geosuff data fetch --area AREA` to download one "
        "(--data sample uses the small Rutland sample shipped with geosuff)"
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
        sample = datasets.info(data_dir)
        if sample is not None:
            msg = (
                f"{pattern} is not in the {sample.get('title', 'sample')} shipped with geosuff, "
                f"which holds {sample.get('area_name', 'one area')} only; use a data folder "
                "(--data DIR, or `geosuff data fetch`)"
            )
            raise DataMissingError(msg)
        hint = f"geosuff data fetch --area {area or code or 'AREA'}"
        msg = f"{data_dir / pattern} not found; run `{hint}` or point the layer at your own file"
        raise DataMissingError(msg)
    return found


def in_data_folder(value: str | os.PathLike[str], data_dir: Path) -> Path:
    """Find a file given on the command line or in a recipe: as given, else in the data folder.

    Parameters
    ----------
    value
        The path given, e.g. ``osm/rutland-2022-07-20.osm.pbf``.
    data_dir
        The data folder.

    Returns
    -------
    pathlib.Path
        *value* when it exists (or is absolute), else ``data_dir / value`` when that
        exists, else *value* unchanged (so the error names what the user gave).
    """
    given = Path(value).expanduser()
    if given.exists() or given.is_absolute():
        return given
    inside = data_dir / given
    return inside if inside.exists() else given


def package_dir() -> Path:
    """Return the folder of the installed ``geosuff`` package.

    Returns
    -------
    pathlib.Path
        The package folder (``site-packages/geosuff`` once installed).
    """
    return _PACKAGE_ROOT


#: Files shipped inside the package: kind -> (folder in the package, environment
#: variable overriding it, paths users may write before the file name).
SHIPPED: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "boundaries": (
        "boundaries",
        "GEOSUFF_BOUNDARIES",
        ("boundaries", "geosuff/boundaries"),
    ),
    "maps": ("examples/maps", None, ("maps", "examples/maps", "geosuff/examples/maps")),
    "examples": ("examples", None, ("examples", "geosuff/examples")),
    "layers": ("layers", "GEOSUFF_LAYERS", ("layers", "geosuff/layers")),
}


def shipped_dir(kind: str) -> Path:
    """Return the folder of shipped files of *kind* (its environment variable wins).

    Parameters
    ----------
    kind
        A key of :data:`SHIPPED`: ``boundaries``, ``maps``, ``examples`` or ``layers``.

    Returns
    -------
    pathlib.Path
        E.g. ``site-packages/geosuff/boundaries``, or ``$GEOSUFF_BOUNDARIES``.
    """
    folder, env, _ = SHIPPED[kind]
    override = os.environ.get(env) if env else None
    return Path(override) if override else _PACKAGE_ROOT / folder


def shipped_names(kind: str, suffix: str = ".toml") -> list[str]:
    """List the shipped files of *kind* by name (without *suffix*).

    Parameters
    ----------
    kind
        A key of :data:`SHIPPED`.
    suffix
        File suffix.

    Returns
    -------
    list of str
        E.g. ``["focus_places", "rutland_3_zones", ...]``.
    """
    return sorted(p.stem for p in shipped_dir(kind).glob(f"*{suffix}"))


def shipped_file(
    value: str | os.PathLike[str], kinds: tuple[str, ...], *, suffix: str = ".toml"
) -> Path | None:
    """Return the shipped file that *value* names, or ``None``.

    A bare name (``wiltshire_15_zones`` or ``wiltshire_15_zones.toml``) or a path
    under one of the kind's usual folders (``boundaries/…``, ``geosuff/boundaries/…``,
    ``maps/…``, ``examples/…``) names the file of that name in the package.

    Parameters
    ----------
    value
        What the user wrote.
    kinds
        Keys of :data:`SHIPPED` to look in, in order.
    suffix
        Suffix added to a bare name that has none.

    Returns
    -------
    pathlib.Path or None
        The shipped file, when there is one.
    """
    text = os.fspath(value).strip().replace("\\", "/")
    given = Path(text)
    if not text or given.is_absolute():
        return None
    parent = given.parent.as_posix().removeprefix("./")
    name = given.name if given.suffix else given.name + suffix
    for kind in kinds:
        aliases = SHIPPED[kind][2]
        if parent not in (".", "", *aliases):
            continue
        candidate = shipped_dir(kind) / name
        if candidate.is_file():
            return candidate
    return None


def find_input(value: str | os.PathLike[str], kinds: tuple[str, ...]) -> Path:
    """Find a file the user named: as given when it exists, else the shipped file it names.

    ``geosuff map maps/tisbury.toml`` and ``--seeds wiltshire_15_zones`` work from any
    folder this way, and a user's own file of the same name wins.

    Parameters
    ----------
    value
        What the user wrote.
    kinds
        Keys of :data:`SHIPPED` to look in (see :func:`shipped_file`).

    Returns
    -------
    pathlib.Path
        The user's file, the shipped one, or *value* unchanged when neither exists
        (so the error names what the user gave).
    """
    given = Path(value).expanduser()
    if given.exists():
        return given
    shipped = shipped_file(value, kinds)
    if shipped is not None:
        log.debug("%s: using the file shipped with geosuff, %s", value, shipped)
        return shipped
    return given


def layers_dir() -> Path:
    """Return the folder of layer definitions (``geosuff/layers`` in the package).

    ``GEOSUFF_LAYERS`` overrides it, so users can keep their own definitions.

    Returns
    -------
    pathlib.Path
        The folder holding ``*.toml`` layer definitions and ``sources.toml``.
    """
    return shipped_dir("layers")
