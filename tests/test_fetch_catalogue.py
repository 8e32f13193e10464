"""The shipped sources file, its parsing, and catalogue.json."""

from __future__ import annotations

import fnmatch
import string

import pytest

from geosuff._errors import InputFileError, ValidationError
from geosuff.fetch.catalogue import (
    load_sources,
    read_catalogue,
    record_fetch,
    sources_path,
    write_catalogue,
)
from geosuff.io.layout import LAYOUT, layers_dir

SHIPPED = layers_dir() / "sources.toml"
AREA_PLACEHOLDERS = {
    "code",
    "name",
    "district_codes_sql",
    "lsoa11_where",
    "lsoa21_where",
    "vintage",
}
FETCH_ONLY = {"ltla_utla_lookup"}  # used by fetch to expand counties; no loader reads it


def _placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_shipped_sources_cover_every_fetchable_layout_key():
    sources = load_sources(SHIPPED)
    names = set(sources.names())
    assert names - FETCH_ONLY <= set(LAYOUT)
    assert {
        "lsoa_boundaries",
        "lsoa_centroids",
        "population",
        "lsoa_lookup",
        "wards",
        "admin_areas",
        "care_directory",
        "cqc_locations",
        "postcodes",
        "osm",
        "projections",
        "imd",
        "population_lsoa21",
        "lsoa21_boundaries",
        "lsoa21_centroids",
    } <= names
    assert sources.base_urls["geofabrik"] == "https://download.geofabrik.de"


@pytest.mark.parametrize("source", load_sources(SHIPPED).sources, ids=lambda s: s.name)
def test_shipped_targets_land_in_the_layout(source):
    target = source.target.format(
        code="E06000054", vintage=source.vintage or "2025-11-01", extract="wiltshire", ext="ods"
    )
    if source.name in FETCH_ONLY:
        assert target.startswith("ons/")
        return
    assert fnmatch.fnmatch(target, LAYOUT[source.name].format(code="E06000054"))
    known = set(load_sources(SHIPPED).base_urls) | AREA_PLACEHOLDERS
    assert _placeholders(source.url) | _placeholders(source.discover) <= known, source.url
    assert source.url or source.discover or source.needs_url
    assert source.licence, "every source needs a licence"
    assert source.check or source.scope == "geofabrik"


def test_sources_path_order(monkeypatch, tmp_path):
    monkeypatch.delenv("GEOSUFF_SOURCES", raising=False)
    monkeypatch.delenv("GEOSUFF_LAYERS", raising=False)
    assert sources_path() == SHIPPED
    monkeypatch.setenv("GEOSUFF_SOURCES", str(tmp_path / "mine.toml"))
    assert sources_path() == tmp_path / "mine.toml"
    assert sources_path(tmp_path / "cli.toml") == tmp_path / "cli.toml"


def test_base_url_environment_override(monkeypatch):
    monkeypatch.setenv("GEOSUFF_BASE_URL_GEOFABRIK", "http://127.0.0.1:9/mirror/")
    assert load_sources(SHIPPED).base_urls["geofabrik"] == "http://127.0.0.1:9/mirror"


def test_every_problem_is_listed(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[sources.a]\nurl = "http://x"\ntarget = "/etc/passwd"\nformat = "pdf"\n'
        '[sources.b]\nurl = "http://x"\ntarget = "ons/x.csv"\nsha256 = "abc"\ncolour = 1\n'
    )
    with pytest.raises(ValidationError) as info:
        load_sources(path)
    message = str(info.value)
    assert "[sources.a]: format 'pdf' is not one of" in message
    assert "[sources.a]: target must be a relative path inside the data folder" in message
    assert "[sources.b]: unknown field(s) ['colour']" in message
    assert "[sources.b]: sha256 must be 64 hex digits" in message


def test_missing_and_broken_sources_file(tmp_path):
    with pytest.raises(InputFileError, match="sources file not found"):
        load_sources(tmp_path / "none.toml")
    (tmp_path / "bad.toml").write_text("[sources\n")
    with pytest.raises(InputFileError, match="cannot read sources file"):
        load_sources(tmp_path / "bad.toml")


def test_catalogue_round_trip_and_broken_catalogue(tmp_path):
    source = load_sources(SHIPPED).sources[0]
    assert read_catalogue(tmp_path) == {}
    record = record_fetch(
        tmp_path,
        "ons/uk_admin_areas_topo.json",
        source,
        url="http://example/x",
        sha256="f" * 64,
        size_bytes=12,
        vintage="2025",
    )
    assert record["licence"] == "OGL-UK-3.0"
    assert read_catalogue(tmp_path) == {"ons/uk_admin_areas_topo.json": record}
    write_catalogue(tmp_path, {})
    assert read_catalogue(tmp_path) == {}
    (tmp_path / "catalogue.json").write_text("{not json")
    with pytest.raises(InputFileError, match="not a geosuff catalogue"):
        read_catalogue(tmp_path)
