"""ArcGIS FeatureServer queries fetched page by page.

ONS's Open Geography Portal answers a query with at most 1,000-2,000 features and
``exceededTransferLimit: true`` when there are more; a large county or a national
layer (all LSOA centroids) needs several requests with ``resultOffset``. The pages
are downloaded one by one (each with the usual retries), merged into one GeoJSON
FeatureCollection and checked before the file is put in place.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geosuff._errors import ValidationError
from geosuff.fetch import _http

__all__ = ["PagedResult", "download_paged", "page_url"]

#: Stop after this many pages whatever the server says (a runaway guard).
MAX_PAGES = 1000


@dataclass(frozen=True)
class PagedResult:
    """What a paged download wrote.

    Attributes
    ----------
    sha256, size_bytes
        Of the merged file.
    last_modified
        The first page's ``Last-Modified`` header, if any.
    pages, features
        How many requests it took and how many features came back.
    """

    sha256: str
    size_bytes: int
    last_modified: str | None
    pages: int
    features: int


def page_url(url: str, offset: int, page_size: int) -> str:
    """Return *url* asking for one page: ``resultOffset`` and ``resultRecordCount`` set.

    Parameters
    ----------
    url
        A FeatureServer ``query`` URL.
    offset
        Features to skip.
    page_size
        Features to ask for.

    Returns
    -------
    str
        The URL with the two parameters replaced or added.
    """
    parts = urllib.parse.urlsplit(url)
    query = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if k not in ("resultOffset", "resultRecordCount")
    ]
    query += [("resultOffset", str(offset)), ("resultRecordCount", str(page_size))]
    encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="*,")
    return urllib.parse.urlunsplit(parts._replace(query=encoded))


def _exceeded(body: dict[str, Any]) -> bool:
    return bool(
        body.get("exceededTransferLimit")
        or (body.get("properties") or {}).get("exceededTransferLimit")
    )


def download_paged(
    url: str,
    target: Path,
    *,
    entry: str,
    page_size: int,
    check: Callable[[Path], None],
    **http: Any,
) -> PagedResult:
    """Download every page of an ArcGIS query into one GeoJSON file, atomically.

    Parameters
    ----------
    url
        The query URL (``f=geojson``).
    target
        The merged file's place in the data folder.
    entry
        The catalogue entry, for messages.
    page_size
        Features per request.
    check
        Run on the merged file before it is put in place.
    **http
        ``timeout_s``, ``retries``, ``backoff_s``, ``progress`` for each page.

    Returns
    -------
    PagedResult
        Checksum, size and how many pages and features.

    Raises
    ------
    ValidationError
        If a page is not JSON, is an ArcGIS error, or the server claims more
        features but sends none.
    geosuff.fetch.DownloadError
        If a page cannot be downloaded.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    page_file = target.with_name(f".{target.name}.page")
    features: list[Any] = []
    first: dict[str, Any] = {}
    last_modified = None
    pages = 0
    try:
        while pages < MAX_PAGES:
            got = _http.download(
                page_url(url, len(features), page_size), page_file, entry=entry, **http
            )
            pages += 1
            last_modified = last_modified or got.last_modified
            try:
                body = json.loads(page_file.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                msg = f"catalogue entry {entry!r}: page {pages} is not JSON ({exc})"
                raise ValidationError(msg) from None
            if not isinstance(body, dict) or "error" in body:
                error = str(body.get("error") if isinstance(body, dict) else body)[:200]
                msg = f"catalogue entry {entry!r}: the server answered page {pages} with {error}"
                raise ValidationError(msg)
            batch = body.get("features") or []
            first = first or body
            features.extend(batch)
            if not _exceeded(body):
                break
            if not batch:
                msg = (
                    f"catalogue entry {entry!r}: the server says more features follow "
                    f"after {len(features)} but sent none"
                )
                raise ValidationError(msg)
    finally:
        page_file.unlink(missing_ok=True)
    merged = {k: v for k, v in first.items() if k not in ("features", "exceededTransferLimit")}
    properties = {k: v for k, v in (first.get("properties") or {}).items()}
    properties.pop("exceededTransferLimit", None)
    merged.pop("properties", None)
    if properties:
        merged["properties"] = properties
    merged.setdefault("type", "FeatureCollection")
    merged["features"] = features
    part = target.with_name(target.name + ".part")
    part.write_text(json.dumps(merged), encoding="utf-8")
    try:
        check(part)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    digest = _http.sha256_of(part)
    size = part.stat().st_size
    os.replace(part, target)
    return PagedResult(digest, size, last_modified, pages, len(features))
