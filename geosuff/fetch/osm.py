"""The OpenStreetMap entry: choose Geofabrik extracts around the area, fetch, merge.

The area's LSOAs (grown by the entry's ``buffer_m``) decide which extracts are
needed (:mod:`geosuff.fetch.geofabrik`); several extracts are merged into one PBF
with objects that appear in more than one kept once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from geosuff._errors import DataMissingError, InputFileError, ValidationError
from geosuff.fetch import _http
from geosuff.fetch.catalogue import Source
from geosuff.fetch.fetcher import Fetcher, FetchOutcome, fill
from geosuff.fetch.geofabrik import area_outline, choose_extracts, read_index
from geosuff.fetch.records import read_catalogue, record_fetch
from geosuff.io.areas import Area
from geosuff.io.layout import find_data_file

__all__ = ["fetch_geofabrik"]

logger = logging.getLogger(__name__)

_INDEX_TARGET = "osm/geofabrik-index-v1.json"
_INDEX_MAX_AGE_DAYS = 7.0
_PARTS_DIR = "osm/geofabrik"


def _index_checker(source: Source) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        try:
            read_index(path)
        except InputFileError as exc:
            msg = f"catalogue entry {source.name!r}: not a Geofabrik index-v1.json ({exc.problem})"
            raise ValidationError(msg) from None

    return check


def fetch_geofabrik(fetcher: Fetcher, source: Source, values: dict[str, str], area: Area) -> None:
    """Fetch the extract(s) covering *area* plus the entry's buffer, merged into one PBF."""
    boundaries = find_data_file(fetcher.data_dir, "lsoa_boundaries", code=area.code)
    if boundaries is None:
        msg = (
            f"catalogue entry {source.name!r} needs the LSOA boundaries of {area.name} "
            f"to choose an extract; run `geosuff data fetch --area {area.code} "
            "--only lsoa_boundaries` first"
        )
        raise DataMissingError(msg)
    index_url = fill(source.url, source, values)
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
        relpath = fill(source.target, source, {**values, "extract": extracts[0].id})
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
    relpath = fill(source.target, source, {**values, "extract": merged_name})
    _merge_pbf(fetcher, source, parts, relpath, [e.pbf_url for e in extracts], area.code)


def _merge_pbf(
    fetcher: Fetcher,
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
