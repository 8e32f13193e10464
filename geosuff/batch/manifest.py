"""The batch manifest: what was run, on which inputs, with which parameters, and how it went.

``OUT/manifest.json`` holds one entry per task (``<area code>/<analysis>``) with its
output file and checksum, row count, timing, travel method, the rejected input rows of
its area, its parameters, its inputs and a *fingerprint* (see
:mod:`geosuff.batch.inputs`). A task is skipped on the next run when its entry says
``done``, its fingerprint is unchanged and its output file is still there with the
same checksum.

Each run is recorded in ``runs`` as soon as it starts (``status = "running"``, with its
process id and host), updated after every area, and closed as ``finished`` or
``interrupted``. A run that was killed (``kill -9``, a power cut) leaves its record
``running``; the next run marks it ``killed``, keeping what it finished. The manifest
is rewritten atomically after every area, so an interrupted run keeps its work.
"""

from __future__ import annotations

import json
import os
import platform
import socket
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geosuff._errors import ValidationError
from geosuff.io.files import atomic_path

__all__ = [
    "MANIFEST_NAME",
    "close_stale_runs",
    "is_done",
    "load_manifest",
    "new_manifest",
    "now",
    "process_token",
    "save_manifest",
    "start_run",
]

MANIFEST_NAME = "manifest.json"


def now() -> str:
    """Return the current UTC time, ISO 8601 to the second.

    Returns
    -------
    str
        E.g. ``2026-11-23T10:00:00Z``.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def process_token(pid: int) -> str | None:
    """Identify a running process beyond its id (its start time), where the system says.

    Parameters
    ----------
    pid
        Process id.

    Returns
    -------
    str or None
        The process's start time in clock ticks since boot (Linux), or ``None`` when
        the process does not exist or the system does not tell.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, token: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return token is None or process_token(pid) in (None, token)


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
    from geosuff.batch.inputs import checksum

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


def close_stale_runs(manifest: dict[str, Any], out_dir: Path) -> list[dict[str, Any]]:
    """Mark runs left ``running`` by processes that are gone as ``killed``.

    Parameters
    ----------
    manifest
        The manifest (changed in place).
    out_dir
        The output folder (named in the error).

    Returns
    -------
    list of dict
        The run records marked ``killed``.

    Raises
    ------
    ValidationError
        If a run recorded on this machine is still running: two runs must not write
        to one folder.
    """
    host = socket.gethostname()
    killed = []
    for record in manifest.get("runs", []):
        if record.get("status") != "running":
            continue
        pid = int(record.get("pid", -1))
        if record.get("host") == host and pid > 0 and _alive(pid, record.get("process")):
            msg = (
                f"{out_dir}: another geosuff batch (process {pid}, started "
                f"{record.get('started_at')}) is writing here; wait for it or stop it"
            )
            raise ValidationError(msg)
        record["status"] = "killed"
        record["noticed_at"] = now()
        record["note"] = (
            "the run stopped without finishing (killed, or its machine stopped); the tasks "
            "it finished are kept"
            if record.get("host") == host
            else f"started on {record.get('host')} and never finished there"
        )
        killed.append(record)
    return killed


def start_run(manifest: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Append a ``running`` record for this process to the manifest's runs.

    Parameters
    ----------
    manifest
        The manifest (changed in place).
    **fields
        Other fields of the record (backend, workers, tasks, skipped, ...).

    Returns
    -------
    dict
        The record, to update as the run goes on.
    """
    pid = os.getpid()
    record: dict[str, Any] = {
        "status": "running",
        "started_at": now(),
        "pid": pid,
        "process": process_token(pid),
        "host": socket.gethostname(),
        "executed": [],
        "skipped": [],
        "failed": [],
        **fields,
    }
    manifest.setdefault("runs", []).append(record)
    return record


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
