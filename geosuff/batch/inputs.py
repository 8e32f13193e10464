"""What each batch task reads, the checksums of those files, and the task's fingerprint.

A task's fingerprint is a hash of its analysis, parameters, output format, geosuff's
version and, for every file it reads, the file's resolved path and the SHA-256 of its
content. So the same data folder reached through a symbolic link or a relative path
is the same input, a changed ward file or seed list re-runs exactly the tasks that
read it, and nothing else does.

The files come from *input kinds*, each a function of the area's sources:

``layers``
    The area's LSOA boundaries, the population estimates and centroids, the provider
    files (or the recipe's own), the postcode file, the admin-areas file (and for a
    county the LSOA lookup), and the layer definitions that read the provider files.
``travel``
    The speed profile (network speeds, the straight-line estimate's detour factors and
    the per-visit overhead) and the road network, when the area has one.
``zones``
    The zone file; for a seed list also the area's wards and the focus-place list, for
    a ward table the area's wards.
``projections``
    The population projection (the area's ``projections`` file, else the data
    folder's ``ons/snpp*``): read by every task of an area with a ``year``, and by
    the report (its population trajectory).
``bed_use``
    The area's bed-use file (nursing/residential beds per care home), when its supply
    rules name one: read by every task that reads ``layers``.

:func:`register_input_kind` adds one for analyses that declare it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geosuff.io.layout import LAYOUT, find_data_file, layers_dir, package_dir, shipped_dir

__all__ = [
    "INPUT_KINDS",
    "AreaSources",
    "bed_use_files",
    "checksum",
    "fingerprint",
    "input_record",
    "projection_files",
    "register_input_kind",
    "task_inputs",
]

_CHUNK = 1 << 20
#: Where each provider layer comes from in a data folder, in order of preference (as
#: :func:`geosuff.load_area_layers` looks for them).
_PROVIDER_KEYS = {
    "care_homes": ("care_homes", "care_directory"),
    "home_care": ("home_care", "care_directory"),
    "extra_care": ("extra_care", "care_directory"),
}


@dataclass(frozen=True)
class AreaSources:
    """Where an area's inputs come from.

    Attributes
    ----------
    code
        Area code.
    data_dir
        Data folder.
    files
        Layer file overrides (keys of :data:`geosuff.batch.registry.AREA_FILE_KEYS`).
    network
        Road network file or folder, or ``None``.
    zones
        Zone file, or ``None``.
    year
        The population's year, or ``None`` for the estimates'.
    bed_use
        The bed-use file of the area's supply rules, or ``None``.
    """

    code: str
    data_dir: Path
    files: Mapping[str, Path] = field(default_factory=dict)
    network: Path | None = None
    zones: Path | None = None
    year: int | None = None
    bed_use: Path | None = None


def _found(data_dir: Path, key: str, code: str | None = None) -> list[Path]:
    found = find_data_file(data_dir, key, code=code)
    return [found] if found is not None else []


def _lsoa_file(src: AreaSources) -> list[Path]:
    if "lsoa" in src.files:
        return [Path(src.files["lsoa"])]
    own = _found(src.data_dir, "lsoa_boundaries", src.code)
    if own:
        return own
    # A district is read from its county's file: the loader's own choice.
    from geosuff._errors import GeosuffError
    from geosuff.io.areas import resolve_area
    from geosuff.io.population import _lsoa_file_for

    try:
        return [_lsoa_file_for(resolve_area(src.code, src.data_dir), src.data_dir)]
    except GeosuffError:
        return []


def _layers(src: AreaSources) -> list[Path]:
    out = _lsoa_file(src)
    out += [Path(src.files["population"])] if "population" in src.files else []
    if "population" not in src.files:
        out += _found(src.data_dir, "population")
    for layer, keys in _PROVIDER_KEYS.items():
        if layer in src.files:
            out.append(Path(src.files[layer]))
            continue
        for key in keys:
            if found := _found(src.data_dir, key):
                out += found
                break
    if "postcodes" in src.files:
        out.append(Path(src.files["postcodes"]))
    else:
        out += _found(src.data_dir, "postcodes")
    out += _found(src.data_dir, "lsoa_centroids") + _found(src.data_dir, "admin_areas")
    if src.code.upper().startswith("E10"):  # a county: its districts come from the lookup
        out += _found(src.data_dir, "lsoa_lookup")
    out += sorted(p for p in layers_dir().glob("*.toml") if p.name != "sources.toml")
    return out


def _travel(src: AreaSources) -> list[Path]:
    from geosuff.network.speeds import DEFAULT_PROFILE

    out = [package_dir() / "network" / "profiles" / f"{DEFAULT_PROFILE}.toml"]
    return [*out, src.network] if src.network is not None else out


def _wards(src: AreaSources) -> list[Path]:
    own = _found(src.data_dir, "wards", src.code)
    # A district's wards are in its county's file; every ward file may be read.
    return own or sorted(src.data_dir.glob(LAYOUT["wards"].format(code="*")))


def _zones(src: AreaSources) -> list[Path]:
    if src.zones is None:
        return []
    zones = Path(src.zones)
    suffix = zones.suffix.lower()
    if suffix == ".toml":  # a seed list: towns found by ward name, focus place or postcode
        return [zones, *_wards(src), shipped_dir("boundaries") / "focus_places.toml"]
    if suffix in (".csv", ".xlsx") and not _has_lsoa_column(zones):
        return [zones, *_wards(src)]
    return [zones]


def _has_lsoa_column(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline().lower()
    except OSError:
        return False
    return any(name in header for name in ("lsoa_code", "lsoa11cd", "lsoa11_code", "lsoa21cd"))


def projection_files(src: AreaSources) -> list[Path]:
    """List the population projection an area reads (its own file, else the data folder's).

    Parameters
    ----------
    src
        The area's sources.

    Returns
    -------
    list of pathlib.Path
        The projection file, or nothing when there is none.
    """
    if "projections" in src.files:
        return [Path(src.files["projections"])]
    from geosuff.io.projections import find_projection_file

    found = find_projection_file(src.data_dir)
    return [found] if found is not None else []


InputKindFn = Callable[[AreaSources], list[Path]]
#: Input kind -> the files it stands for.
INPUT_KINDS: dict[str, InputKindFn] = {"layers": _layers, "travel": _travel, "zones": _zones}


def register_input_kind(name: str, files: InputKindFn) -> None:
    """Add (or replace) a kind of input that analyses can declare in ``reads``.

    Parameters
    ----------
    name
        The kind, e.g. ``"projections"``.
    files
        ``files(sources) -> [paths]``: the files of that kind an area's task reads.
    """
    INPUT_KINDS[name] = files


def bed_use_files(src: AreaSources) -> list[Path]:
    """List the bed-use file an area's supply rules name (nothing when none).

    Parameters
    ----------
    src
        The area's sources.

    Returns
    -------
    list of pathlib.Path
        The file, or nothing.
    """
    return [Path(src.bed_use)] if src.bed_use is not None else []


register_input_kind("projections", projection_files)
register_input_kind("bed_use", bed_use_files)


def task_inputs(src: AreaSources, kinds: Iterable[str], extra: Iterable[Path] = ()) -> list[Path]:
    """List the files a task reads, resolved (symbolic links followed), without repeats.

    Parameters
    ----------
    src
        The area's sources.
    kinds
        Kinds of input the task's analysis reads (keys of :data:`INPUT_KINDS`).
    extra
        Other files (a scenario's changes).

    Returns
    -------
    list of pathlib.Path
        Absolute, resolved paths in a stable order. A missing file the recipe names is
        kept (its checksum is ``missing`` and the task fails naming it).
    """
    paths: list[Path] = []
    for kind in kinds:
        paths += INPUT_KINDS[kind](src)
    paths += list(extra)
    return list(dict.fromkeys(Path(os.path.abspath(p)).resolve() for p in paths))


def _listing(folder: Path) -> list[Path]:
    return sorted(f for f in folder.rglob("*") if f.is_file())


def _stamp(path: Path) -> dict[str, Any]:
    """Size and modification time, to reuse a checksum when neither changed."""
    if path.is_dir():
        text = "\n".join(
            f"{f.relative_to(path)}:{f.stat().st_size}:{f.stat().st_mtime_ns}"
            for f in _listing(path)
        )
        return {"listing": hashlib.sha256(text.encode()).hexdigest()}
    st = path.stat()
    return {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns}


def checksum(path: str | os.PathLike[str], known: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of a file's content, reusing *known* when its size and time match.

    Parameters
    ----------
    path
        The file (a folder, such as a saved road network, is hashed by the names and
        contents of its files).
    known
        A previous manifest's ``inputs`` entry for this path.

    Returns
    -------
    str
        ``sha256:<hex>``.
    """
    p = Path(path)
    if known and "sha256" in known:
        stamp = _stamp(p)
        if all(known.get(k) == v for k, v in stamp.items()):
            return str(known["sha256"])
    digest = hashlib.sha256()
    files = _listing(p) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(f"{f.relative_to(p)}\n".encode())
        with f.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def input_record(path: Path, digest: str) -> dict[str, Any]:
    """Return the manifest's record of an input: checksum, and size and time to reuse it.

    Parameters
    ----------
    path
        The input.
    digest
        Its checksum.

    Returns
    -------
    dict
        ``sha256`` and either ``bytes``/``mtime_ns`` or a folder's ``listing``.
    """
    return {"sha256": digest, **_stamp(path)}


def fingerprint(
    analysis: str, parameters: Mapping[str, Any], inputs: Mapping[str, str], version: str
) -> str:
    """Hash of everything a task's output depends on.

    Parameters
    ----------
    analysis
        Analysis (or scenario) name.
    parameters
        The task's parameters (and output format).
    inputs
        Resolved input path -> content checksum.
    version
        geosuff version.

    Returns
    -------
    str
        ``sha256:<hex>``.
    """
    payload = json.dumps(
        {"analysis": analysis, "parameters": parameters, "inputs": inputs, "version": version},
        sort_keys=True,
        default=str,
    )
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()
