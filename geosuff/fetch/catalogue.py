"""The editable list of data sources, and the ``catalogue.json`` of what was fetched.

The sources file (``geosuff/layers/sources.toml``, or ``--sources FILE``, or the
``GEOSUFF_SOURCES`` environment variable) says where each file comes from::

    format = 1

    [base_urls]                  # overridable by GEOSUFF_BASE_URL_<NAME>
    geofabrik = "https://download.geofabrik.de"

    [sources.lsoa_centroids]     # the name is the catalogue entry (and --only key)
    url = "{ons_hub}/.../csv"    # {base} names and area placeholders are filled in
    target = "ons/lsoa11_pwc.csv"
    scope = "national"           # or "area" (one file per authority), "geofabrik"
    format = "csv"               # csv, geojson, topojson, json, zip, osm.pbf
    columns = ["lsoa11cd"]       # csv: columns that must be in the header
    licence = "OGL-UK-3.0"
    attribution = "Source: Office for National Statistics ..."
    vintage = "2011"
    sha256 = ""                  # optional; a mismatch deletes the download

``catalogue.json`` in the data folder records, per file (relative path), the
entry, URL, date fetched, SHA-256, size, licence, attribution and vintage.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.layout import layers_dir

__all__ = [
    "CATALOGUE_NAME",
    "FORMATS",
    "SCOPES",
    "Source",
    "Sources",
    "load_sources",
    "read_catalogue",
    "record_fetch",
    "sources_path",
    "write_catalogue",
]

CATALOGUE_NAME = "catalogue.json"
SCOPES = ("national", "area", "geofabrik")
FORMATS = ("csv", "geojson", "topojson", "json", "zip", "osm.pbf")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = {
    "title",
    "url",
    "target",
    "scope",
    "format",
    "columns",
    "members",
    "licence",
    "attribution",
    "vintage",
    "sha256",
    "check",
    "max_age_days",
    "buffer_m",
    "max_extracts",
    "min_cover",
    "enabled",
}


@dataclass(frozen=True)
class Source:
    """One entry of the sources file.

    Attributes
    ----------
    name
        The entry name, e.g. ``"lsoa_boundaries"`` (usually a data-layout key).
    url
        URL template; ``{base}`` names and area placeholders are filled in later.
        For ``scope = "geofabrik"`` it is the Geofabrik index (``index-v1.json``).
    target
        Path in the data folder; may use ``{code}``, ``{vintage}``, ``{extract}``.
    scope
        ``"national"`` (one file), ``"area"`` (one per authority) or ``"geofabrik"``.
    format
        Expected format, checked before the file is put in place.
    licence, attribution, vintage
        Recorded in ``catalogue.json``.
    columns
        CSV columns that must be present.
    members
        Zip members (glob patterns) that must be present.
    sha256
        Expected checksum, or ``None``.
    max_age_days
        Refetch when the recorded copy is older than this, or ``None``.
    buffer_m
        Geofabrik: the area is grown by this much before choosing extracts.
    max_extracts
        Geofabrik: use up to this many smaller extracts instead of one big one
        (several are merged into one PBF).
    min_cover
        Geofabrik: share of the buffered area the extract(s) must cover.
    check
        A note to users about what to verify when the source moves.
    """

    name: str
    url: str
    target: str
    scope: str = "national"
    format: str = "csv"
    licence: str = ""
    attribution: str = ""
    vintage: str = ""
    title: str = ""
    columns: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    sha256: str | None = None
    max_age_days: float | None = None
    buffer_m: float = 5000.0
    max_extracts: int = 1
    min_cover: float = 1.0
    check: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class Sources:
    """A parsed sources file.

    Attributes
    ----------
    path
        The file it came from.
    base_urls
        Base URL per name, after environment overrides.
    sources
        The entries in file order.
    """

    path: Path
    base_urls: dict[str, str]
    sources: tuple[Source, ...] = field(default=())

    def names(self) -> list[str]:
        """Return the entry names, in file order.

        Returns
        -------
        list of str
            Entry names.
        """
        return [s.name for s in self.sources]


def sources_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Find the sources file: *path*, else ``GEOSUFF_SOURCES``, else the shipped one.

    Parameters
    ----------
    path
        An explicit file (``--sources``).

    Returns
    -------
    pathlib.Path
        The sources file to read.
    """
    if path:
        return Path(path).expanduser()
    env = os.environ.get("GEOSUFF_SOURCES")
    if env:
        return Path(env).expanduser()
    return layers_dir() / "sources.toml"


def _source(name: str, raw: dict[str, Any], problems: list[str]) -> Source | None:
    where = f"[sources.{name}]"
    if not _NAME_RE.match(name):
        problems.append(f"{where}: name must be lower_case letters, digits and _")
    unknown = set(raw) - _FIELDS
    if unknown:
        problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
    for key in ("url", "target"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            problems.append(f"{where}: {key} is required")
    scope = raw.get("scope", "national")
    if scope not in SCOPES:
        problems.append(f"{where}: scope {scope!r} is not one of {', '.join(SCOPES)}")
    fmt = raw.get("format", "osm.pbf" if scope == "geofabrik" else "csv")
    if fmt not in FORMATS:
        problems.append(f"{where}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    target = str(raw.get("target", ""))
    if target.startswith(("/", "\\")) or ".." in Path(target).parts:
        problems.append(f"{where}: target must be a relative path inside the data folder")
    sha = raw.get("sha256") or None
    if sha is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", str(sha)):
        problems.append(f"{where}: sha256 must be 64 hex digits (or empty)")
    if len(problems):
        return None
    try:
        return Source(
            name=name,
            url=raw["url"],
            target=target,
            scope=scope,
            format=fmt,
            licence=str(raw.get("licence", "")),
            attribution=str(raw.get("attribution", "")),
            vintage=str(raw.get("vintage", "")),
            title=str(raw.get("title", "")),
            columns=tuple(str(c) for c in raw.get("columns", ())),
            members=tuple(str(m) for m in raw.get("members", ())),
            sha256=str(sha).lower() if sha else None,
            max_age_days=float(raw["max_age_days"]) if "max_age_days" in raw else None,
            buffer_m=float(raw.get("buffer_m", 5000.0)),
            max_extracts=int(raw.get("max_extracts", 1)),
            min_cover=float(raw.get("min_cover", 1.0)),
            check=str(raw.get("check", "")),
            enabled=bool(raw.get("enabled", True)),
        )
    except (TypeError, ValueError) as exc:
        problems.append(f"{where}: {exc}")
        return None


def load_sources(path: str | os.PathLike[str] | None = None) -> Sources:
    """Read and check a sources file, applying ``GEOSUFF_BASE_URL_<NAME>`` overrides.

    Parameters
    ----------
    path
        The sources file; see :func:`sources_path` for the default.

    Returns
    -------
    Sources
        The parsed file.

    Raises
    ------
    InputFileError
        If the file is missing or not valid TOML.
    ValidationError
        If entries are malformed; every problem is listed.
    """
    file = sources_path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(file, "sources file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(file, f"cannot read sources file ({exc})") from exc
    bases = {str(k): str(v).rstrip("/") for k, v in raw.get("base_urls", {}).items()}
    for name in bases:
        override = os.environ.get(f"GEOSUFF_BASE_URL_{name.upper()}")
        if override:
            bases[name] = override.rstrip("/")
    problems: list[str] = []
    entries = []
    for name, body in raw.get("sources", {}).items():
        if not isinstance(body, dict):
            problems.append(f"[sources.{name}] must be a table")
            continue
        src = _source(name, body, problems)
        if src is not None:
            entries.append(src)
    if problems:
        raise ValidationError(f"{file}: " + "; ".join(problems))
    return Sources(file, bases, tuple(entries))


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
