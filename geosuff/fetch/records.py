"""``catalogue.json``: what ``geosuff data fetch`` put in the data folder, and from where."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosuff._errors import InputFileError

if TYPE_CHECKING:
    from geosuff.fetch.catalogue import Source

__all__ = ["CATALOGUE_NAME", "read_catalogue", "record_fetch", "write_catalogue"]

CATALOGUE_NAME = "catalogue.json"


def read_catalogue(data_dir: Path) -> dict[str, dict[str, Any]]:
    """Read ``catalogue.json`` from *data_dir*: relative path -> record.

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    dict
        The records (empty when there is no catalogue yet).

    Raises
    ------
    InputFileError
        If the catalogue exists but is not valid JSON.
    """
    path = data_dir / CATALOGUE_NAME
    if not path.exists():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"not a geosuff catalogue ({exc}); delete it and run `geosuff data fetch --refresh`"
        raise InputFileError(path, msg) from exc
    return dict(files)


def write_catalogue(data_dir: Path, files: dict[str, dict[str, Any]]) -> Path:
    """Write ``catalogue.json`` atomically.

    Parameters
    ----------
    data_dir
        The data folder.
    files
        Relative path -> record.

    Returns
    -------
    pathlib.Path
        The catalogue file.
    """
    path = data_dir / CATALOGUE_NAME
    tmp = path.with_name(path.name + ".tmp")
    body = {"format": 1, "files": dict(sorted(files.items()))}
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def record_fetch(
    data_dir: Path,
    relpath: str,
    source: Source,
    *,
    url: str,
    sha256: str,
    size_bytes: int,
    vintage: str,
    area: str | None = None,
    last_modified: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add or replace one file's record in ``catalogue.json``.

    Parameters
    ----------
    data_dir
        The data folder.
    relpath
        The file, relative to *data_dir*, with ``/`` separators.
    source
        The entry it came from.
    url
        The URL actually fetched.
    sha256
        The file's SHA-256.
    size_bytes
        The file's size.
    vintage
        The data's vintage.
    area
        The authority code, for per-area files.
    last_modified
        The server's ``Last-Modified`` header.
    extra
        More fields to record.

    Returns
    -------
    dict
        The record written.
    """
    record: dict[str, Any] = {
        "entry": source.name,
        "url": url,
        "fetched": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": sha256,
        "size_bytes": size_bytes,
        "licence": source.licence,
        "attribution": source.attribution,
        "vintage": vintage,
    }
    if area:
        record["area"] = area
    if last_modified:
        record["last_modified"] = last_modified
    record.update(extra or {})
    files = read_catalogue(data_dir)
    files[relpath] = record
    write_catalogue(data_dir, files)
    return record
