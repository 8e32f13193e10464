"""The batch manifest: what was run, on which inputs, with which parameters, and how it went.

``OUT/manifest.json`` holds one entry per task (``<area code>/<analysis>``) with its
output file and checksum, row count, timing, travel method, the rejected input rows of
its area, its parameters and a *fingerprint* (a hash of the analysis, parameters,
input checksums and geosuff version). A task is skipped on the next run when its entry
says ``done``, its fingerprint is unchanged and its output file is still there with the
same checksum. The manifest is rewritten (atomically) after every area finishes, so an
interrupted run keeps what it finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geosuff.io.files import atomic_path
from geosuff.io.layout import find_data_file

__all__ = [
    "MANIFEST_NAME",
    "area_inputs",
    "checksum",
    "fingerprint",
    "is_done",
    "load_manifest",
    "new_manifest",
    "now",
    "save_manifest",
]

MANIFEST_NAME = "manifest.json"
_CHUNK = 1 << 20


def now() -> str:
    """Return the current UTC time, ISO 8601 to the second.

    Returns
    -------
    str
        E.g. ``2026-11-23T10:00:00Z``.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def checksum(path: str | os.PathLike[str], known: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of a file, reusing *known* when its size and modification time match.

    Parameters
    ----------
    path
        The file (a folder is hashed by its files' names, sizes and times).
    known
        A previous manifest's ``inputs`` entry for this path.

    Returns
    -------
    str
        ``sha256:<hex>``.
    """
    p = Path(path)
    st = p.stat()
    if known and known.get("bytes") == st.st_size and known.get("mtime_ns") == st.st_mtime_ns:
        return str(known["sha256"])
    digest = hashlib.sha256()
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            if f.is_file():
                fs = f.stat()
                digest.update(f"{f.relative_to(p)}:{fs.st_size}:{fs.st_mtime_ns}\n".encode())
    else:
        with p.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def area_inputs(
    code: str, data_dir: Path, files: Mapping[str, Path], *, zones: Path | None = None
) -> list[Path]:
    """List the files an area's tasks read (the data folder's, or the recipe's overrides).

    Parameters
    ----------
    code
        Area code.
    data_dir
        The data folder.
    files
        Layer file overrides of the area.
    zones
        The area's zone file.

    Returns
    -------
    list of pathlib.Path
        Existing input files, in a stable order. A missing override is kept so that
        the task fails naming it.
    """
    keys = {
        "lsoa": ("lsoa_boundaries",),
        "population": ("population",),
        "care_homes": ("care_homes", "care_directory"),
        "home_care": ("home_care", "care_directory"),
        "extra_care": ("extra_care", "care_directory"),
        "postcodes": ("postcodes",),
    }
    out: list[Path] = []
    for layer, layout_keys in keys.items():
        if layer in files:
            out.append(Path(files[layer]))
            continue
        for key in layout_keys:
            found = find_data_file(data_dir, key, code=code)
            if found is not None:
                out.append(found)
                break
    for key in ("lsoa_centroids", "admin_areas", "lsoa_lookup"):
        found = find_data_file(data_dir, key)
        if found is not None:
            out.append(found)
    if zones is not None:
        out.append(zones)
    return list(dict.fromkeys(out))


def fingerprint(
    analysis: str, parameters: Mapping[str, Any], inputs: Mapping[str, str], version: str
) -> str:
    """Hash of everything a task's output depends on.

    Parameters
    ----------
    analysis
        Analysis (or scenario) name.
    parameters
        The task's parameters.
    inputs
        Input path -> checksum.
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


def is_done(entry: Mapping[str, Any] | None, fp: str, out_dir: Path) -> bool:
    """Whether a task can be skipped: done, same fingerprint, output unchanged.

    Parameters
    ----------
    entry
        The task's manifest entry (``None`` when absent).
    fp
        The task's fingerprint now.
    out_dir
        The output folder (entries hold paths relative to it).

    Returns
    -------
    bool
        ``True`` when the task need not run.
    """
    if not entry or entry.get("status") != "done" or entry.get("fingerprint") != fp:
        return False
    output = out_dir / str(entry.get("output", ""))
    if not entry.get("output") or not output.is_file():
        return False
    return checksum(output) == entry.get("output_sha256")


def new_manifest(recipe_info: Mapping[str, Any]) -> dict[str, Any]:
    """Start an empty manifest with the environment's versions.

    Parameters
    ----------
    recipe_info
        What to record about the recipe (path, checksum, parameters).

    Returns
    -------
    dict
        The manifest skeleton.
    """
    from geosuff import __version__

    return {
        "geosuff_version": __version__,
        "python": platform.python_version(),
        "packages": _package_versions(("numpy", "pandas", "geopandas", "shapely", "dask")),
        "recipe": dict(recipe_info),
        "inputs": {},
        "tasks": {},
        "runs": [],
    }


def _package_versions(names: Iterable[str]) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def load_manifest(out_dir: Path) -> dict[str, Any] | None:
    """Read ``OUT/manifest.json`` if present and readable.

    Parameters
    ----------
    out_dir
        The output folder.

    Returns
    -------
    dict or None
        The manifest, or ``None`` (missing or corrupt: every task then runs).
    """
    path = out_dir / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_manifest(out_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``OUT/manifest.json`` atomically.

    Parameters
    ----------
    out_dir
        The output folder.
    manifest
        The manifest.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = out_dir / MANIFEST_NAME
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=1, default=str) + "\n", encoding="utf-8")
    return path
