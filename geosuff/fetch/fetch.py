"""``geosuff data fetch``: download an area's data into the data folder.

Order of work: national files first (admin areas, lookups, centroids, population,
CQC, postcodes, projections, deprivation), then the area is resolved to its
authority code and districts, then the per-area files (LSOA boundaries, wards),
then the OpenStreetMap extract chosen from Geofabrik's index around the area's
LSOAs. Files already present and current are skipped; ``refresh=True`` fetches
them again. An entry's URL (``urls``) or a file the user downloaded (``files``)
can be given instead of the catalogue's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from geosuff import settings
from geosuff._errors import AreaNotFoundError, DataMissingError, GeosuffError, ValidationError
from geosuff.fetch import _http
from geosuff.fetch.catalogue import Source, Sources, load_sources
from geosuff.fetch.cqc import date_in_name, find_link
from geosuff.fetch.fetcher import Fetcher, FetchOutcome, fill
from geosuff.fetch.osm import fetch_geofabrik
from geosuff.fetch.places import area_placeholders, resolve_for_fetch
from geosuff.io.areas import Area

__all__ = ["FetchOutcome", "area_placeholders", "fetch_data", "prepare_data_dir"]

logger = logging.getLogger(__name__)


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


def _suffix(url_or_name: str) -> str:
    path = urllib.parse.urlsplit(url_or_name).path or url_or_name
    return Path(path).suffix.lstrip(".").lower()


def _fetch_entry(
    fetcher: Fetcher,
    source: Source,
    values: dict[str, str],
    *,
    area: str | None = None,
    url: str | None = None,
    file: Path | None = None,
) -> None:
    """Fetch one entry: from the user's file or URL, a discovered link, or its template."""
    vintage = ""
    if file is not None:
        vintage = date_in_name(file.name)
        relpath = fill(
            source.target,
            source,
            {**values, "ext": _suffix(file.name), "vintage": vintage or source.vintage},
        )
        fetcher.place(source, file, relpath, vintage=vintage)
        return
    if url is None and source.discover:
        page = fill(source.discover, source, values)
        url, vintage = find_link(page, source.link_pattern, entry=source.name, **fetcher.http)
        logger.info("%s: %s links to %s", source.name, page, url)
    elif url is None and source.needs_url:
        msg = (
            f"catalogue entry {source.name!r} has no public address geosuff can know: download "
            f"it and give --file {source.name}=PATH, or give --url {source.name}=URL "
            f"({source.check or source.title})"
        )
        raise DataMissingError(msg)
    elif url is None:
        url = fill(source.url, source, values)
    else:
        vintage = date_in_name(url)
    relpath = fill(
        source.target,
        source,
        {**values, "ext": _suffix(url) or source.format, "vintage": vintage or source.vintage},
    )
    fetcher.get(source, url, relpath, area=area, max_age=source.max_age_days, vintage=vintage)


def fetch_data(
    area: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    sources_file: str | os.PathLike[str] | None = None,
    only: Iterable[str] | None = None,
    refresh: bool = False,
    urls: Mapping[str, str] | None = None,
    files: Mapping[str, str | os.PathLike[str]] | None = None,
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
    urls
        Entry name -> URL to download instead of the catalogue's (e.g. this
        month's CQC file when CQC's page cannot be read).
    files
        Entry name -> a file already downloaded, copied into the data folder under
        the entry's name (checked and recorded like a download).
    timeout_s, retries, backoff_s
        Per-download timeout, retries and first back-off (doubling). A host that
        cannot be reached at all fails at once.
    progress
        Show progress bars for large files on a terminal.
    report
        Called with each outcome as soon as it is known (the command line prints
        them, so files fetched before a later failure are still shown).

    Returns
    -------
    list of FetchOutcome
        One per file, in the order handled. Entries that need a URL from the user
        (``needs_url``) and got none are ``"skipped"`` unless named in *only*.

    Raises
    ------
    geosuff.fetch.DownloadError
        When offline, timed out or a source has moved; names the entry to update.
    ValidationError
        On a bad sources file, unknown ``only``/``urls``/``files`` names, or a
        checksum/format mismatch.
    AreaNotFoundError
        If the area cannot be resolved.
    """
    folder = prepare_data_dir(data_dir)
    sources = load_sources(sources_file)
    urls = dict(urls or {})
    given = {k: Path(v).expanduser() for k, v in (files or {}).items()}
    named = list(only or [])
    unknown = sorted((set(named) | set(urls) | set(given)) - set(sources.names()))
    if unknown:
        msg = (
            f"unknown catalogue entr{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(unknown)}; known: {', '.join(sources.names())}"
        )
        raise ValidationError(msg)
    if named:
        wanted = [s for s in sources.sources if s.name in named]
    else:
        wanted = [s for s in sources.sources if s.enabled or s.name in urls or s.name in given]
    fetcher = Fetcher(
        folder,
        refresh=refresh,
        timeout_s=timeout_s,
        retries=retries,
        backoff_s=backoff_s,
        progress=progress,
        report=report,
    )
    failures: list[GeosuffError] = []

    def run(source: Source, values: dict[str, str], code: str | None = None) -> None:
        unaddressed = source.needs_url and source.name not in urls and source.name not in given
        if unaddressed and source.name not in named:
            detail = f"needs a URL: give --url {source.name}=URL or --file {source.name}=PATH"
            fetcher.add(FetchOutcome(source.name, source.target, "skipped", detail))
            return
        with _collect(failures):
            _fetch_entry(
                fetcher,
                source,
                values,
                area=code,
                url=urls.get(source.name),
                file=given.get(source.name),
            )

    for source in (s for s in wanted if s.scope == "national"):
        run(source, {**sources.base_urls, "vintage": source.vintage})
    local = [s for s in wanted if s.scope != "national"]
    if not local:
        _raise_failures(failures)
        return fetcher.outcomes
    resolved = _resolve(area, folder, sources)
    placeholders = area_placeholders(resolved, folder)
    for source in local:
        values = {**sources.base_urls, **placeholders, "vintage": source.vintage}
        if source.scope == "area":
            run(source, values, resolved.code)
        else:
            with _collect(failures):
                fetch_geofabrik(fetcher, source, values, resolved)
    _raise_failures(failures)
    return fetcher.outcomes


def _resolve(area: str, folder: Path, sources: Sources) -> Area:
    try:
        resolved = resolve_for_fetch(area, folder, sources)
    except AreaNotFoundError as exc:
        msg = f"{exc} (fetch admin_areas and ltla_utla_lookup first, or give the ONS code)"
        raise AreaNotFoundError(msg) from None
    logger.info(
        "area %s (%s): districts %s",
        resolved.name,
        resolved.code,
        ", ".join(resolved.district_names),
    )
    return resolved


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
