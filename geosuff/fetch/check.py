"""``geosuff data check-sources``: whether each catalogue address answers, in its format.

For a machine with internet: every entry's URL (for CQC, the link read from its
page) is asked for its first 64 KB, and the answer is checked the way a download
would be (an HTML page where a CSV was expected means the source moved; a CSV
must hold the entry's columns; an ODS/XLSX/XLS must start like one; an ArcGIS
query must answer with JSON, not an error). Per-area entries are asked for one
feature of the whole layer, so no area is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from geosuff._errors import GeosuffError
from geosuff.fetch import _pages
from geosuff.fetch.arcgis import page_url
from geosuff.fetch.catalogue import Source, load_sources
from geosuff.fetch.cqc import find_link
from geosuff.fetch.fetcher import fill
from geosuff.fetch.formats import sniff_format

__all__ = ["SourceCheck", "check_sources"]

#: Placeholder values for per-area entries: the whole layer, one feature asked for.
_ANY_AREA = {
    "code": "E06000054",
    "name": "Wiltshire",
    "district_codes_sql": "%27E06000054%27",
    "lsoa11_where": "1%3D1",
    "lsoa21_where": "1%3D1",
    "vintage": "",
}
_EXPECTED = {
    "csv": ("text",),
    "geojson": ("json",),
    "topojson": ("json",),
    "json": ("json",),
    "zip": ("zip",),
    "xlsx": ("zip",),
    "ods": ("ods", "zip"),
    "xls": ("xls",),
    "osm.pbf": ("osm.pbf",),
}


@dataclass(frozen=True)
class SourceCheck:
    """The verdict on one catalogue entry.

    Attributes
    ----------
    entry
        The entry name.
    url
        The address asked (empty when none could be formed).
    status
        ``"ok"``, ``"failed"`` or ``"skipped"`` (needs a URL from the user).
    detail
        What was found, in a few words.
    """

    entry: str
    url: str
    status: str
    detail: str


def _verdict(source: Source, answer: _pages.Response) -> tuple[str, str]:
    kind = sniff_format(answer.body[:512])
    expected = _EXPECTED[source.format]
    size = answer.headers.get("content-range", "").rpartition("/")[2] or answer.headers.get(
        "content-length", "?"
    )
    if kind not in expected:
        return "failed", f"HTTP {answer.status}, got {kind}, expected {source.format}"
    if kind == "json" and b'"error"' in answer.body[:2048]:
        return "failed", f"the server answered with an error: {answer.body[:160]!r}"
    if source.format == "csv" and source.columns:
        text = answer.body.decode("utf-8-sig", errors="replace").lower()
        head = "\n".join(text.splitlines()[:8])
        missing = [c for c in source.columns if c.lower() not in head]
        if missing:
            return "failed", f"CSV header lacks {missing}"
    return "ok", f"HTTP {answer.status}, {source.format}, {size} bytes"


def _check_one(source: Source, bases: dict[str, str], http: dict[str, float]) -> SourceCheck:
    if source.needs_url:
        return SourceCheck(source.name, "", "skipped", "needs a URL from the user")
    values = {**bases, **_ANY_AREA, "vintage": source.vintage}
    url = ""
    try:
        if source.discover:
            page = fill(source.discover, source, values)
            url, _ = find_link(page, source.link_pattern, entry=source.name, **http)
        else:
            url = fill(source.url, source, values)
        if source.paging:
            url = page_url(url, 0, 1)
        answer = _pages.get(url, entry=source.name, **http)  # type: ignore[arg-type]
    except GeosuffError as exc:
        return SourceCheck(source.name, url, "failed", str(exc))
    if source.scope == "geofabrik":
        source = Source(source.name, source.url, source.target, format="json")
    status, detail = _verdict(source, answer)
    return SourceCheck(source.name, url, status, detail)


def check_sources(
    sources_file: str | os.PathLike[str] | None = None,
    *,
    only: list[str] | None = None,
    timeout_s: float = 30.0,
    retries: int = 1,
) -> list[SourceCheck]:
    """Check every catalogue entry's address, entry by entry.

    Parameters
    ----------
    sources_file
        The sources file (default: ``GEOSUFF_SOURCES``, then the shipped one).
    only
        Check only these entries.
    timeout_s, retries
        Per request; an unreachable host fails at once.

    Returns
    -------
    list of SourceCheck
        One per entry, in file order.
    """
    sources = load_sources(sources_file)
    http = {"timeout_s": timeout_s, "retries": retries, "backoff_s": 1.0}
    return [
        _check_one(s, sources.base_urls, http)
        for s in sources.sources
        if not only or s.name in only
    ]
