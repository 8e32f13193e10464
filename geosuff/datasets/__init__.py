"""Example data shipped with geosuff: a small real sample, laid out like a data folder.

``rutland`` holds real public data for Rutland (E06000017), the smallest English
unitary authority, and the rows around it that its analyses read: LSOA and ward
boundaries, population estimates and weighted centroids, the LSOA lookup, the
rural-urban classification, the 2018-based projections for Rutland and England, the
CQC care homes, the Code-Point Open postcodes (as a zip in the published layout) and
the OpenStreetMap extract. Its ``README.md`` lists every file with its source,
licence and attribution; ``scripts/build_sample.py`` in the geosuff repository
builds it from a data folder.

On the command line ``--data sample`` (or ``GEOSUFF_DATA=sample``) reads it::

    geosuff layers summary --area Rutland --data sample
    geosuff map maps/rutland.toml --data sample

From Python:

>>> import geosuff, geosuff.datasets
>>> layers = geosuff.load_area_layers("Rutland", data_dir=geosuff.datasets.sample_dir())
>>> len(layers.population)  # doctest: +SKIP
23
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any

from geosuff._errors import DataMissingError

__all__ = [
    "DEFAULT_SAMPLE",
    "SAMPLE_KEYWORD",
    "coverage_note",
    "info",
    "names",
    "path",
    "sample_dir",
    "sample_name",
]

#: What ``--data`` (or ``GEOSUFF_DATA``) says to use the shipped sample
#: (``sample:<name>`` for another one).
SAMPLE_KEYWORD = "sample"
#: The sample ``--data sample`` means.
DEFAULT_SAMPLE = "rutland"
#: File describing a sample (its area, the buffers it covers, its files).
INFO_FILE = "SAMPLE.toml"

_HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    """List the samples shipped with geosuff.

    Returns
    -------
    list of str
        Sample names, e.g. ``["rutland"]``.
    """
    return sorted(p.parent.name for p in _HERE.glob(f"*/{INFO_FILE}"))


def path(name: str = DEFAULT_SAMPLE) -> Path:
    """Return the folder of a shipped sample (a data folder in geosuff's layout).

    Parameters
    ----------
    name
        The sample, e.g. ``"rutland"``.

    Returns
    -------
    pathlib.Path
        The folder; pass it as ``data_dir`` to any loader.

    Raises
    ------
    DataMissingError
        If no such sample ships with this installation.
    """
    folder = _HERE / name
    if not (folder / INFO_FILE).is_file():
        shipped = ", ".join(names()) or "none"
        msg = f"no sample called {name!r} ships with geosuff (shipped: {shipped})"
        raise DataMissingError(msg)
    return folder


def sample_dir() -> Path:
    """Return the folder of the default sample (Rutland).

    Returns
    -------
    pathlib.Path
        The sample's data folder.
    """
    return path(DEFAULT_SAMPLE)


def sample_name(value: str | os.PathLike[str] | None) -> str | None:
    """Which sample a ``--data`` value names (``sample`` or ``sample:<name>``), if any.

    Parameters
    ----------
    value
        What the user gave for the data folder.

    Returns
    -------
    str or None
        The sample's name, or ``None`` when *value* is a folder path.
    """
    if value is None:
        return None
    text = os.fspath(value).strip()
    if text == SAMPLE_KEYWORD:
        return DEFAULT_SAMPLE
    if text.startswith(f"{SAMPLE_KEYWORD}:") and "/" not in text and os.sep not in text:
        return text.partition(":")[2] or DEFAULT_SAMPLE
    return None


@functools.cache
def _read_info(folder: Path) -> dict[str, Any]:
    return tomllib.loads((folder / INFO_FILE).read_text(encoding="utf-8"))


def info(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Describe a sample from its ``SAMPLE.toml``, or ``None`` for a full data folder.

    Parameters
    ----------
    folder
        A data folder.

    Returns
    -------
    dict or None
        ``name``, ``area``, ``area_name``, ``provider_buffer_km``, ``demand_buffer_km``
        and ``files`` (path -> source, rows, licence).
    """
    p = Path(folder)
    if not (p / INFO_FILE).is_file():
        return None
    return _read_info(p.resolve())


def coverage_note(folder: str | os.PathLike[str], *, buffer_km: float | None = None) -> str | None:
    """Say what a sample leaves out, when *folder* is one; ``None`` for a full data folder.

    Parameters
    ----------
    folder
        The data folder in use.
    buffer_km
        The cross-border buffer an analysis asks for (``None``: not about a buffer).

    Returns
    -------
    str or None
        One sentence to show beside the figures, or ``None`` when nothing is missing.
    """
    meta = info(folder)
    if meta is None:
        return None
    providers_km = float(meta.get("provider_buffer_km", 0.0))
    demand_km = float(meta.get("demand_buffer_km", 0.0))
    where = f"the {meta.get('title', 'embedded sample')} holds {meta.get('area_name', 'one area')}"
    if buffer_km is None:
        return (
            f"{where} only, with care homes within {providers_km:g} km and people within "
            f"{demand_km:g} km of it for cross-border access"
        )
    if buffer_km <= providers_km and 2 * buffer_km <= demand_km:
        return None
    return (
        f"{where} with care homes within {providers_km:g} km and people within "
        f"{demand_km:g} km of it only: with a {buffer_km:g} km buffer, cross-border homes and "
        "people beyond that are left out, so cross-border figures are incomplete"
    )
