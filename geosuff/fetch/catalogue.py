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
    format = "csv"               # csv, geojson, topojson, json, zip, osm.pbf, xlsx, xls, ods
    columns = ["lsoa11cd"]       # csv/spreadsheets: columns the header must hold (any case)
    licence = "OGL-UK-3.0"
    attribution = "Source: Office for National Statistics ..."
    vintage = "2011"
    sha256 = ""                  # optional; a mismatch deletes the download

Further fields: ``paging`` (ArcGIS queries fetched page by page), ``discover``
and ``link_pattern`` (read the file's link from a web page, as CQC's), ``needs_url``
(no stable public address: the user gives one), ``sheets`` (spreadsheets).

``catalogue.json`` in the data folder records, per file (relative path), the
entry, URL, date fetched, SHA-256, size, licence, attribution and vintage
(:mod:`geosuff.fetch.records`).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geosuff._errors import InputFileError, ValidationError
from geosuff.fetch.records import CATALOGUE_NAME, read_catalogue, record_fetch, write_catalogue
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

SCOPES = ("national", "area", "geofabrik")
FORMATS = ("csv", "geojson", "topojson", "json", "zip", "osm.pbf", "xlsx", "xls", "ods")
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
    "paging",
    "page_size",
    "discover",
    "link_pattern",
    "needs_url",
    "sheets",
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
        Empty for ``discover`` entries without a fallback and ``needs_url`` ones.
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
    enabled
        False to leave the entry out unless named with ``--only``.
    paging
        ArcGIS FeatureServer query: fetch it page by page (``resultOffset``) until
        the server stops saying ``exceededTransferLimit``, and merge the pages.
    page_size
        Features per page asked for (``resultRecordCount``).
    discover
        A web page to read the file's link from (CQC's "using CQC data" page);
        ``url`` is then only used when the page offers no matching link.
    link_pattern
        Regular expression a link on the ``discover`` page must match.
    needs_url
        True when geosuff cannot know the URL (no stable public address): the
        user gives one with ``--url ENTRY=URL`` (or a file with ``--file``).
    sheets
        Spreadsheets: sheet names the file must have (any one of them).
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
    paging: bool = False
    page_size: int = 2000
    discover: str = ""
    link_pattern: str = ""
    needs_url: bool = False
    sheets: tuple[str, ...] = ()


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
    required = ["target"] if raw.get("discover") or raw.get("needs_url") else ["url", "target"]
    for key in required:
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
    pattern = raw.get("link_pattern", "")
    if raw.get("discover") and not pattern:
        problems.append(f"{where}: discover needs a link_pattern")
    try:
        re.compile(str(pattern))
    except re.error as exc:
        problems.append(f"{where}: link_pattern is not a regular expression ({exc})")
    sha = raw.get("sha256") or None
    if sha is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", str(sha)):
        problems.append(f"{where}: sha256 must be 64 hex digits (or empty)")
    if len(problems):
        return None
    try:
        return Source(
            name=name,
            url=str(raw.get("url", "")),
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
            paging=bool(raw.get("paging", False)),
            page_size=int(raw.get("page_size", 2000)),
            discover=str(raw.get("discover", "")),
            link_pattern=str(pattern),
            needs_url=bool(raw.get("needs_url", False)),
            sheets=tuple(str(n) for n in raw.get("sheets", ())),
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
