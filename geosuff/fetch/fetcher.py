"""Putting one catalogue entry's file in the data folder: skip, download or copy, record.

A file already present and recorded with the same URL and size (and younger than
the entry's ``max_age_days``) is kept; a file placed by hand is kept as it is.
Downloads are checked (:mod:`geosuff.fetch.formats`) before they land, ArcGIS
queries with ``paging`` are fetched page by page, and every file is recorded in
``catalogue.json`` with its URL, checksum, licence and vintage.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geosuff._errors import DataMissingError, ValidationError
from geosuff.fetch import _http
from geosuff.fetch.arcgis import download_paged
from geosuff.fetch.catalogue import Source
from geosuff.fetch.formats import check_format
from geosuff.fetch.records import read_catalogue, record_fetch

__all__ = ["FetchOutcome", "Fetcher", "age_days", "fill"]

logger = logging.getLogger(__name__)


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
        ``"fetched"``, ``"placed"`` (copied from a file the user gave),
        ``"current"`` (recorded and unchanged: skipped) or ``"present"`` (not
        fetched by geosuff: kept as it is).
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


def fill(template: str, source: Source, values: dict[str, str]) -> str:
    """Fill a URL or target template; an unknown placeholder names the entry."""
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        msg = (
            f"catalogue entry {source.name!r}: unknown placeholder {exc} in {template!r}; "
            f"known: {', '.join(sorted(values))}"
        )
        raise ValidationError(msg) from None


def age_days(record: dict[str, Any]) -> float | None:
    """Return days since a catalogue record's fetch (``None`` when it has no date)."""
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
    age = age_days(record)
    if max_age is not None and (age is None or age > max_age):
        return None
    return "current"


class Fetcher:
    """Downloads catalogue entries into the data folder and reports each outcome."""

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
        """Record an outcome and report it."""
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
        vintage: str = "",
    ) -> Path:
        """Download *url* to *relpath* unless the file there is current; return its path."""
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
        checker = check or (lambda p: check_format(p, source))
        extra: dict[str, Any] = {}
        if source.paging:
            paged = download_paged(
                url, path, entry=source.name, page_size=source.page_size, check=checker, **self.http
            )
            sha, size, modified = paged.sha256, paged.size_bytes, paged.last_modified
            extra = {"pages": paged.pages, "features": paged.features}
        else:
            result = _http.download(
                url,
                path,
                entry=source.name,
                sha256=None if source.scope == "geofabrik" else source.sha256,
                check=checker,
                **self.http,
            )
            sha, size, modified = result.sha256, result.size_bytes, result.last_modified
        vintage = vintage or source.vintage or _http_date(modified)
        record_fetch(
            self.data_dir,
            relpath,
            source,
            url=url,
            sha256=sha,
            size_bytes=size,
            vintage=vintage,
            area=area,
            last_modified=modified,
            extra=extra,
        )
        if keep:
            detail = f"{size:,} bytes" + (f", vintage {vintage}" if vintage else "")
            if extra:
                detail += f", {extra['features']:,} features in {extra['pages']} pages"
            self.add(FetchOutcome(source.name, relpath, "fetched", detail, source.attribution))
        return path

    def place(self, source: Source, file: Path, relpath: str, *, vintage: str = "") -> Path:
        """Copy a file the user downloaded into the data folder, checked and recorded."""
        if not file.is_file():
            msg = f"--file {source.name}={file}: file not found"
            raise DataMissingError(msg)
        path = self.data_dir / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        shutil.copyfile(file, part)
        try:
            check_format(part, source)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, path)
        vintage = vintage or source.vintage
        record_fetch(
            self.data_dir,
            relpath,
            source,
            url=file.resolve().as_uri(),
            sha256=_http.sha256_of(path),
            size_bytes=path.stat().st_size,
            vintage=vintage,
        )
        detail = f"copied from {file}" + (f", vintage {vintage}" if vintage else "")
        self.add(FetchOutcome(source.name, relpath, "placed", detail, source.attribution))
        return path


def _http_date(value: str | None) -> str:
    """Turn a ``Last-Modified`` header into ``YYYY-MM-DD`` (empty when absent or odd)."""
    if not value:
        return ""
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return value
