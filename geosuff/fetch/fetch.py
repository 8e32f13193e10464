"""``geosuff data fetch``: download an area's data into the data folder, and list it.

Order of work: national files first (admin areas, lookups, centroids, population,
CQC, postcodes), then the area is resolved to its authority code and districts,
then the per-area files (LSOA boundaries, wards), then the OpenStreetMap extract
chosen from Geofabrik's index around the area's LSOAs. Files already present and
current are skipped; ``refresh=True`` fetches them again.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import email.utils
import fnmatch
import json
import logging
import os
import re
import urllib.parse
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geosuff import settings
from geosuff._errors import (
    AreaNotFoundError,
    DataMissingError,
    GeosuffError,
    InputFileError,
    ValidationError,
)
from geosuff.fetch import _http
from geosuff.fetch.catalogue import (
    Source,
    Sources,
    load_sources,
    read_catalogue,
    record_fetch,
)
from geosuff.fetch.geofabrik import area_outline, choose_extracts, read_index
from geosuff.io.areas import Area, list_areas, normalise_name, resolve_area
from geosuff.io.layout import LAYOUT, find_data_file

__all__ = ["FetchOutcome", "area_placeholders", "fetch_data", "list_data", "prepare_data_dir"]

logger = logging.getLogger(__name__)

_CODE_RE = re.compile(r"^[ENSW]\d{8}$", re.IGNORECASE)
_INDEX_TARGET = "osm/geofabrik-index-v1.json"
_INDEX_MAX_AGE_DAYS = 7.0
_LTLA_UTLA_ENTRY = "ltla_utla_lookup"
_CSV_PREAMBLE_LINES = 8
_PARTS_DIR = "osm/geofabrik"


@dataclass(frozen=True)
class FetchOutcome:
    """What happened to one file.

    Attributes
    ----------
    entry
        The catalogue entry.
    path
        The file, relative to the data folder.
    status
        ``"fetched"``, ``"current"`` (recorded and unchanged: skipped) or
        ``"present"`` (not fetched by geosuff: kept as it is).
    detail
        A few words for the user (size, vintage, why it was skipped).
    attribution
        The credit line the source's licence asks for.
    """

    entry: str
    path: str
    status: str
    detail: str = ""
    attribution: str = ""


def prepare_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """Return the folder to fetch into, creating it when named explicitly.

    Parameters
    ----------
    data_dir
        ``--data``; else ``GEOSUFF_DATA``, else :data:`geosuff.settings.data_dir`.

    Returns
    -------
    pathlib.Path
        The data folder (it exists on return).

    Raises
    ------
    DataMissingError
        If no folder is named anywhere.
    """
    for candidate in (data_dir, os.environ.get("GEOSUFF_DATA"), settings.data_dir):
        if candidate:
            path = Path(candidate).expanduser()
            path.mkdir(parents=True, exist_ok=True)
            return path
    msg = "say where to put the data: pass --data DIR or set GEOSUFF_DATA"
    raise DataMissingError(msg)


# --------------------------------------------------------------------------- formats


def _check_format(path: Path, source: Source) -> None:
    """Raise ValidationError unless *path* looks like *source*'s expected format."""
    where = f"catalogue entry {source.name!r}"
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.lstrip()[:1] == b"<" and source.format != "osm.pbf":
        msg = f"{where}: got an HTML/XML page, not {source.format}; the source may have moved"
        raise ValidationError(msg)
    if source.format == "csv":
        _check_csv_header(path, source)
    elif source.format in ("geojson", "topojson", "json"):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            msg = f"{where}: not valid JSON ({exc})"
            raise ValidationError(msg) from exc
        if isinstance(body, dict) and "error" in body:
            msg = f"{where}: the server answered with an error: {str(body['error'])[:200]}"
            raise ValidationError(msg)
        if source.format == "geojson":
            features = body.get("features") if isinstance(body, dict) else None
            if not isinstance(features, list) or not features:
                msg = f"{where}: the GeoJSON has no features (check the entry's url and query)"
                raise ValidationError(msg)
            if body.get("exceededTransferLimit") or (body.get("properties") or {}).get(
                "exceededTransferLimit"
            ):
                msg = (
                    f"{where}: the server cut the answer short at {len(features)} features "
                    "(exceededTransferLimit); the query needs paging or a narrower where clause"
                )
                raise ValidationError(msg)
        if source.format == "topojson" and body.get("type") != "Topology":
            msg = f"{where}: not a TopoJSON Topology"
            raise ValidationError(msg)
    elif source.format == "zip":
        if not zipfile.is_zipfile(path):
            msg = f"{where}: not a zip file"
            raise ValidationError(msg)
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
        missing = [m for m in source.members if not fnmatch.filter(names, m)]
        if missing:
            msg = f"{where}: zip lacks members matching {missing}"
            raise ValidationError(msg)
    elif source.format == "osm.pbf" and b"OSMHeader" not in head[:64]:
        msg = f"{where}: not an OpenStreetMap PBF file"
        raise ValidationError(msg)


def _check_csv_header(path: Path, source: Source) -> None:
    """Require the source's columns in the header (after a short preamble, if any)."""
    with path.open("rb") as fh:
        text = fh.read(1 << 16).decode("utf-8-sig", errors="replace")
    lines = [ln for ln in text.splitlines()[:_CSV_PREAMBLE_LINES] if ln.strip()]
    if not lines:
        msg = f"catalogue entry {source.name!r}: the CSV is empty"
        raise ValidationError(msg)
    for line in lines:
        header = {c.strip().strip('"') for c in next(csv.reader([line]))}
        if all(c in header for c in source.columns):
            return
    first = lines[0]
    missing = [c for c in source.columns if c not in first]
    msg = (
        f"catalogue entry {source.name!r}: CSV header lacks {missing} (got {first[:100]!r}); "
        "the source may have changed its layout"
    )
    raise ValidationError(msg)


# --------------------------------------------------------------------------- area


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


def _resolve(area: str, data_dir: Path, sources: Sources) -> Area:
    """Resolve *area*, expanding a county into districts even before its LSOAs exist."""
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


def area_placeholders(area: Area, data_dir: Path) -> dict[str, str]:
    """Values for the area placeholders in source URLs (URL-encoded).

    ``{code}`` and ``{name}``; ``{district_codes_sql}``, the district codes as a
    quoted SQL list (``'E07000234','E07000235'``); and ``{lsoa11_where}``, a where
    clause ``LSOA11NM LIKE 'Wychavon %' OR …`` over the 2011 district names that
    prefix the area's 2011 LSOA names (taken from the LSOA lookup when present).

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
    prefixes: list[str] = []
    lookup_path = find_data_file(data_dir, "lsoa_lookup")
    if lookup_path is not None:
        lookup = pd.read_csv(
            lookup_path, usecols=["LSOA11NM", "LAD22CD"], encoding="utf-8-sig", dtype=str
        )
        names = lookup.loc[lookup["LAD22CD"].isin(area.district_codes), "LSOA11NM"]
        prefixes = sorted(set(names.str.rsplit(" ", n=1).str[0]))
    if not prefixes:
        prefixes = list(area.district_names)
    where = " OR ".join(f"LSOA11NM LIKE {_sql_quote(p + ' %')}" for p in prefixes)
    values = {
        "code": area.code,
        "name": area.name,
        "district_codes_sql": ",".join(_sql_quote(c) for c in area.district_codes),
        "lsoa11_where": where,
    }
    return {k: urllib.parse.quote(v, safe="") for k, v in values.items()}


# --------------------------------------------------------------------------- fetching


def _fill(template: str, source: Source, values: dict[str, str]) -> str:
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        msg = (
            f"catalogue entry {source.name!r}: unknown placeholder {exc} in {template!r}; "
            f"known: {', '.join(sorted(values))}"
        )
        raise ValidationError(msg) from None


def _age_days(record: dict[str, Any]) -> float | None:
    try:
        fetched = dt.datetime.strptime(record["fetched"], "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, ValueError):
        return None
    return (dt.datetime.now(dt.UTC).replace(tzinfo=None) - fetched).total_seconds() / 86400


def _skip_reason(
    path: Path, record: dict[str, Any] | None, url: str, source: Source, max_age: float | None
) -> str | None:
    """Return why the file can be kept (``None`` when it must be fetched)."""
    if not path.is_file():
        return None
    if record is None:
        return "present"
    if record.get("url") != url or record.get("size_bytes") != path.stat().st_size:
        return None
    if source.sha256 and record.get("sha256") != source.sha256:
        return None
    age = _age_days(record)
    if max_age is not None and (age is None or age > max_age):
        return None
    return "current"


class _Fetcher:
    def __init__(
        self,
        data_dir: Path,
        *,
        refresh: bool,
        timeout_s: float,
        retries: int,
        backoff_s: float,
        progress: bool,
        report: Callable[[FetchOutcome], None] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.report = report
        self.refresh = refresh
        self.http = {
            "timeout_s": timeout_s,
            "retries": retries,
            "backoff_s": backoff_s,
            "progress": progress,
        }
        self.outcomes: list[FetchOutcome] = []

    def add(self, outcome: FetchOutcome) -> None:
        self.outcomes.append(outcome)
        if self.report is not None:
            self.report(outcome)

    def get(
        self,
        source: Source,
        url: str,
        relpath: str,
        *,
        area: str | None = None,
        max_age: float | None = None,
        check: Callable[[Path], None] | None = None,
        keep: bool = True,
    ) -> Path:
        path = self.data_dir / relpath
        record = read_catalogue(self.data_dir).get(relpath)
        reason = None if self.refresh else _skip_reason(path, record, url, source, max_age)
        if reason is not None:
            vintage = (record or {}).get("vintage", "")
            detail = f"vintage {vintage}" if vintage else "not recorded in catalogue.json"
            if keep:
                self.add(FetchOutcome(source.name, relpath, reason, detail, source.attribution))
            logger.info("%s: %s is %s, skipped", source.name, relpath, reason)
            return path
        logger.info("%s: downloading %s", source.name, url)
        result = _http.download(
            url,
            path,
            entry=source.name,
            sha256=None if source.scope == "geofabrik" else source.sha256,
            check=check or (lambda p: _check_format(p, source)),
            **self.http,
        )
        vintage = source.vintage or _http_date(result.last_modified)
        record_fetch(
            self.data_dir,
            relpath,
            source,
            url=url,
            sha256=result.sha256,
            size_bytes=result.size_bytes,
            vintage=vintage,
            area=area,
            last_modified=result.last_modified,
        )
        if keep:
            detail = f"{result.size_bytes:,} bytes" + (f", vintage {vintage}" if vintage else "")
            self.add(FetchOutcome(source.name, relpath, "fetched", detail, source.attribution))
        return path


def _http_date(value: str | None) -> str:
    """Turn a ``Last-Modified`` header into ``YYYY-MM-DD`` (empty when absent or odd)."""
    if not value:
        return ""
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return value


def _index_checker(source: Source) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        try:
            read_index(path)
        except InputFileError as exc:
            msg = f"catalogue entry {source.name!r}: not a Geofabrik index-v1.json ({exc.problem})"
            raise ValidationError(msg) from None

    return check


def _fetch_geofabrik(fetcher: _Fetcher, source: Source, values: dict[str, str], area: Area) -> None:
    boundaries = find_data_file(fetcher.data_dir, "lsoa_boundaries", code=area.code)
    if boundaries is None:
        msg = (
            f"catalogue entry {source.name!r} needs the LSOA boundaries of {area.name} "
            f"to choose an extract; run `geosuff data fetch --area {area.code} "
            "--only lsoa_boundaries` first"
        )
        raise DataMissingError(msg)
    index_url = _fill(source.url, source, values)
    index = fetcher.get(
        source,
        index_url,
        _INDEX_TARGET,
        max_age=_INDEX_MAX_AGE_DAYS,
        check=_index_checker(source),
        keep=False,
    )
    need = area_outline(boundaries, buffer_m=source.buffer_m)
    extracts = choose_extracts(
        read_index(index), need, max_extracts=source.max_extracts, min_cover=source.min_cover
    )
    logger.info(
        "%s: %s + %.0f m is covered by %s",
        source.name,
        area.name,
        source.buffer_m,
        ", ".join(f"{e.id} ({e.area_km2:,.0f} km2)" for e in extracts),
    )
    if len(extracts) == 1:
        relpath = _fill(source.target, source, {**values, "extract": extracts[0].id})
        fetcher.get(
            source, extracts[0].pbf_url, relpath, area=area.code, max_age=source.max_age_days
        )
        return
    parts = [
        fetcher.get(
            source,
            e.pbf_url,
            f"{_PARTS_DIR}/{e.id}-latest.osm.pbf",
            max_age=source.max_age_days,
            keep=False,
        )
        for e in extracts
    ]
    merged_name = "-".join(sorted(e.id for e in extracts))
    relpath = _fill(source.target, source, {**values, "extract": merged_name})
    _merge_pbf(fetcher, source, parts, relpath, [e.pbf_url for e in extracts], area.code)


def _merge_pbf(
    fetcher: _Fetcher,
    source: Source,
    parts: list[Path],
    relpath: str,
    urls: list[str],
    code: str,
) -> None:
    """Merge several extracts into one PBF (objects in more than one are kept once)."""
    import osmium

    target = fetcher.data_dir / relpath
    label = " + ".join(urls)
    record = read_catalogue(fetcher.data_dir).get(relpath)
    parts_sha = [read_catalogue(fetcher.data_dir).get(_rel(fetcher.data_dir, p)) for p in parts]
    stamp = ",".join(str((r or {}).get("sha256", "")) for r in parts_sha)
    if (
        not fetcher.refresh
        and target.is_file()
        and record is not None
        and record.get("url") == label
        and record.get("parts_sha256") == stamp
    ):
        outcome = FetchOutcome(source.name, relpath, "current", "merged", source.attribution)
        fetcher.add(outcome)
        return
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    reader = osmium.MergeInputReader()
    for part in parts:
        reader.add_file(str(part))
    writer = osmium.SimpleWriter(osmium.io.File(str(tmp), "pbf"))
    try:
        reader.apply(writer, simplify=True)
    finally:
        writer.close()
    os.replace(tmp, target)
    result_sha = _http.sha256_of(target)
    size = target.stat().st_size
    record_fetch(
        fetcher.data_dir,
        relpath,
        source,
        url=label,
        sha256=result_sha,
        size_bytes=size,
        vintage=source.vintage,
        area=code,
        extra={"parts_sha256": stamp},
    )
    detail = f"{size:,} bytes, merged from {len(parts)} extracts"
    outcome = FetchOutcome(source.name, relpath, "fetched", detail, source.attribution)
    fetcher.add(outcome)


def _rel(data_dir: Path, path: Path) -> str:
    return path.relative_to(data_dir).as_posix()


def fetch_data(
    area: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    sources_file: str | os.PathLike[str] | None = None,
    only: Iterable[str] | None = None,
    refresh: bool = False,
    timeout_s: float = 60.0,
    retries: int = 4,
    backoff_s: float = 2.0,
    progress: bool = True,
    report: Callable[[FetchOutcome], None] | None = None,
) -> list[FetchOutcome]:
    """Download the data an area needs into the data folder.

    Parameters
    ----------
    area
        Authority name or code, e.g. ``"Wiltshire"`` or ``"E10000034"``.
    data_dir
        The data folder (created if needed); see :func:`prepare_data_dir`.
    sources_file
        The sources file; see :func:`geosuff.fetch.catalogue.sources_path`.
    only
        Fetch only these catalogue entries.
    refresh
        Fetch again even files that are present and current.
    timeout_s, retries, backoff_s
        Per-download timeout, retries and first back-off (doubling).
    progress
        Show progress bars for large files on a terminal.
    report
        Called with each outcome as soon as it is known (the command line prints
        them, so files fetched before a later failure are still shown).

    Returns
    -------
    list of FetchOutcome
        One per file, in the order handled.

    Raises
    ------
    geosuff.fetch.DownloadError
        When offline, timed out or a source has moved; names the entry to update.
    ValidationError
        On a bad sources file, unknown ``only`` names, or a checksum/format mismatch.
    AreaNotFoundError
        If the area cannot be resolved.
    """
    folder = prepare_data_dir(data_dir)
    sources = load_sources(sources_file)
    wanted = [s for s in sources.sources if s.enabled]
    if only:
        only = list(only)
        unknown = sorted(set(only) - set(sources.names()))
        if unknown:
            msg = (
                f"unknown catalogue entr{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; known: {', '.join(sources.names())}"
            )
            raise ValidationError(msg)
        wanted = [s for s in sources.sources if s.name in only]
    fetcher = _Fetcher(
        folder,
        refresh=refresh,
        timeout_s=timeout_s,
        retries=retries,
        backoff_s=backoff_s,
        progress=progress,
        report=report,
    )
    failures: list[GeosuffError] = []
    for source in (s for s in wanted if s.scope == "national"):
        values = {**sources.base_urls, "vintage": source.vintage}
        url = _fill(source.url, source, values)
        relpath = _fill(source.target, source, values)
        with _collect(failures):
            fetcher.get(source, url, relpath, max_age=source.max_age_days)
    local = [s for s in wanted if s.scope != "national"]
    if not local:
        _raise_failures(failures)
        return fetcher.outcomes
    try:
        resolved = _resolve(area, folder, sources)
    except AreaNotFoundError as exc:
        msg = f"{exc} (fetch admin_areas and ltla_utla_lookup first, or give the ONS code)"
        raise AreaNotFoundError(msg) from None
    logger.info(
        "area %s (%s): districts %s",
        resolved.name,
        resolved.code,
        ", ".join(resolved.district_names),
    )
    placeholders = area_placeholders(resolved, folder)
    for source in local:
        values = {**sources.base_urls, **placeholders, "vintage": source.vintage}
        with _collect(failures):
            if source.scope == "area":
                url = _fill(source.url, source, values)
                relpath = _fill(source.target, source, values)
                fetcher.get(source, url, relpath, area=resolved.code, max_age=source.max_age_days)
            else:
                _fetch_geofabrik(fetcher, source, values, resolved)
    _raise_failures(failures)
    return fetcher.outcomes


@contextlib.contextmanager
def _collect(failures: list[GeosuffError]) -> Iterator[None]:
    """Note a failed entry and go on, unless the failure means we cannot reach anything."""
    try:
        yield
    except _http.DownloadError as exc:
        if not exc.moved:
            raise
        failures.append(exc)
    except (ValidationError, DataMissingError) as exc:
        failures.append(exc)


def _raise_failures(failures: list[GeosuffError]) -> None:
    if not failures:
        return
    first = failures[0]
    if len(failures) == 1:
        raise first
    others = "; ".join(str(f) for f in failures[1:])
    msg = f"{first} ({len(failures) - 1} more failed: {others})"
    raise type(first)(msg)


# --------------------------------------------------------------------------- listing


def list_data(data_dir: Path) -> pd.DataFrame:
    """Describe the files in a data folder: layout key, vintage, age and provenance.

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    pandas.DataFrame
        One row per file, columns ``key``, ``path``, ``size_bytes``, ``vintage``,
        ``fetched``, ``age_days`` (since fetched, else since last modified),
        ``recorded`` (whether ``catalogue.json`` knows it) and ``licence``.
    """
    catalogue = read_catalogue(data_dir)
    seen: dict[str, str] = {}
    for key, pattern in LAYOUT.items():
        for path in sorted(data_dir.glob(pattern.format(code="*"))):
            seen.setdefault(path.relative_to(data_dir).as_posix(), key)
    for relpath, record in catalogue.items():
        if (data_dir / relpath).is_file():
            seen.setdefault(relpath, str(record.get("entry", "")))
    now = dt.datetime.now(dt.UTC).timestamp()
    rows = []
    for relpath, key in sorted(seen.items(), key=lambda kv: (kv[1], kv[0])):
        path = data_dir / relpath
        record = catalogue.get(relpath)
        age = _age_days(record) if record else None
        if age is None:
            age = (now - path.stat().st_mtime) / 86400
        rows.append(
            {
                "key": key,
                "path": relpath,
                "size_bytes": path.stat().st_size,
                "vintage": (record or {}).get("vintage", ""),
                "fetched": (record or {}).get("fetched", ""),
                "age_days": round(age, 1),
                "recorded": record is not None,
                "licence": (record or {}).get("licence", ""),
            }
        )
    columns = ["key", "path", "size_bytes", "vintage", "fetched", "age_days", "recorded", "licence"]
    return pd.DataFrame(rows, columns=columns)
