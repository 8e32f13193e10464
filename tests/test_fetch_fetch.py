"""The whole fetch path against a loopback server serving real-format fixture files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.parse

import osmium
import pandas as pd
import pytest

from geosuff._errors import AreaNotFoundError, DataMissingError, ValidationError
from geosuff.fetch import DownloadError, fetch_data, list_data
from geosuff.fetch.catalogue import read_catalogue
from geosuff.io.area_layers import load_area_layers
from geosuff.io.areas import resolve_area
from geosuff.io.layout import data_file
from geosuff.io.postcodes import load_postcodes
from tests.fetch_fixtures import (
    LAST_MODIFIED,
    closed_port,
    lsoa_geojson,
    population_csv,
    routes,
    serve,
    wards_geojson,
    write_sources,
)

FAST = {"timeout_s": 2.0, "retries": 1, "backoff_s": 0.01, "progress": False}
WILTSHIRE_FILES = {
    "admin_areas": "ons/uk_admin_areas_topo.json",
    "ltla_utla_lookup": "ons/ltla_utla_lookup.csv",
    "lsoa_lookup": "ons/lsoa11_lsoa21_lad22_lookup.csv",
    "lsoa_centroids": "ons/lsoa11_pwc.csv",
    "population": "ons/population_mid2020_lsoa11_syoa.csv",
    "care_directory": "cqc/care_directory_2025-10.csv",
    "postcodes": "postcodes/codepo_gb_latest.zip",
    "lsoa_boundaries": "ons/lsoa11_bgc/E06000054.geojson",
    "wards": "ons/wards_2025_bgc/E06000054.geojson",
    "osm": "osm/wiltshire-latest.osm.pbf",
}


@pytest.fixture
def site(tmp_path):
    with serve() as server:
        server.routes.update(routes(server.base, tmp_path))
        sources = write_sources(tmp_path / "sources.toml", server.base)
        yield server, sources, tmp_path / "data"


def _queries(server, path):
    return [
        urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
        for p, _ in server.requests
        if p.split("?")[0] == path
    ]


def _count_ways(path):
    return sum(1 for o in osmium.FileProcessor(str(path)) if o.is_way())


def test_fetch_lands_every_file_where_the_loaders_read_it(site):
    server, sources, data = site
    outcomes = fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)

    assert [(o.entry, o.path, o.status) for o in outcomes] == [
        (entry, path, "fetched") for entry, path in WILTSHIRE_FILES.items()
    ]
    # the loaders' own lookups find the files
    assert data_file(data, "population").name == "population_mid2020_lsoa11_syoa.csv"
    assert data_file(data, "lsoa_boundaries", code="E06000054").parent.name == "lsoa11_bgc"
    assert data_file(data, "osm").name == "wiltshire-latest.osm.pbf"
    assert data_file(data, "care_directory").name == "care_directory_2025-10.csv"
    area = resolve_area("Wiltshire", data)
    assert (area.code, area.tier) == ("E06000054", "utla")
    postcodes = load_postcodes(data_file(data, "postcodes"))
    assert postcodes.loc["SP3 6LD", "easting"] == 394140
    assert postcodes.loc["SP3 6NH", "la_code"] == "E06000054"
    population = pd.read_csv(data_file(data, "population"))
    over_75 = population[[str(a) for a in range(75, 90)] + ["90+"]].sum(axis=1)
    assert over_75.tolist() == [160, 320]
    assert _count_ways(data / "osm/wiltshire-latest.osm.pbf") == 1

    # the per-area queries asked for the area's LSOAs and wards
    (lsoa_query,) = _queries(server, "/ons/lsoa/query")
    assert lsoa_query["where"] == ["LSOA11NM LIKE 'Wiltshire %'"]
    (ward_query,) = _queries(server, "/ons/wards/query")
    assert ward_query["where"] == ["LAD25CD IN ('E06000054')"]

    catalogue = json.loads((data / "catalogue.json").read_text())
    assert catalogue["format"] == 1
    record = catalogue["files"]["ons/population_mid2020_lsoa11_syoa.csv"]
    assert record["entry"] == "population"
    assert record["url"] == server.url("/ons/population.csv")
    assert record["sha256"] == hashlib.sha256(population_csv()).hexdigest()
    assert record["size_bytes"] == len(population_csv())
    assert record["licence"] == "OGL-UK-3.0"
    assert record["attribution"] == "Source: Office for National Statistics"
    assert record["vintage"] == "mid2020"
    assert record["fetched"][:10] == dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert catalogue["files"]["ons/lsoa11_bgc/E06000054.geojson"]["area"] == "E06000054"
    osm = catalogue["files"]["osm/wiltshire-latest.osm.pbf"]
    assert osm["url"] == server.url(
        "/geofabrik/europe/great-britain/england/wiltshire-latest.osm.pbf"
    )
    assert osm["vintage"] == "2025-10-01"  # no vintage in the sources file: the server's date
    assert osm["last_modified"] == LAST_MODIFIED
    assert osm["licence"] == "ODbL-1.0"
    assert "osm/geofabrik-index-v1.json" in catalogue["files"]
    assert not list(data.rglob("*.part*"))


def test_second_fetch_skips_current_files_and_refresh_fetches_again(site):
    server, sources, data = site
    fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    first = len(server.requests)
    again = fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    assert {o.status for o in again} == {"current"}
    assert [o.path for o in again] == list(WILTSHIRE_FILES.values())
    assert len(server.requests) == first  # nothing downloaded, not even the index

    fetched_before = read_catalogue(data)["ons/lsoa11_pwc.csv"]["fetched"]
    refreshed = fetch_data("Wiltshire", data_dir=data, sources_file=sources, refresh=True, **FAST)
    assert {o.status for o in refreshed} == {"fetched"}
    assert server.hits("/ons/pwc.csv") == 2
    assert server.hits("/geofabrik/index-v1.json") == 2
    assert read_catalogue(data)["ons/lsoa11_pwc.csv"]["fetched"] >= fetched_before


def test_changed_file_or_url_is_fetched_again(site):
    server, sources, data = site
    fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["population"], **FAST)
    target = data / "ons/population_mid2020_lsoa11_syoa.csv"
    target.write_text("truncated")  # size no longer matches the record
    outcomes = fetch_data(
        "Wiltshire", data_dir=data, sources_file=sources, only=["population"], **FAST
    )
    assert [o.status for o in outcomes] == ["fetched"]
    assert target.read_bytes() == population_csv()

    server.routes["/ons/population-v2.csv"] = population_csv()
    sources.write_text(sources.read_text().replace("/population.csv", "/population-v2.csv"))
    outcomes = fetch_data(
        "Wiltshire", data_dir=data, sources_file=sources, only=["population"], **FAST
    )
    assert [o.status for o in outcomes] == ["fetched"]
    assert read_catalogue(data)["ons/population_mid2020_lsoa11_syoa.csv"]["url"] == server.url(
        "/ons/population-v2.csv"
    )


def test_files_placed_by_hand_are_kept(site):
    server, sources, data = site
    own = data / "ons" / "lsoa11_pwc.csv"
    own.parent.mkdir(parents=True)
    own.write_text("lsoa11cd,longitude,latitude\nE01031950,-2.0,51.0\n")
    outcomes = fetch_data(
        "Wiltshire", data_dir=data, sources_file=sources, only=["lsoa_centroids"], **FAST
    )
    assert [(o.status, o.detail) for o in outcomes] == [
        ("present", "not recorded in catalogue.json")
    ]
    assert own.read_text().endswith("-2.0,51.0\n")
    assert server.hits("/ons/pwc.csv") == 0


def test_county_is_fetched_with_its_districts(site):
    server, sources, data = site
    server.routes["/ons/lsoa/query"] = lsoa_geojson("E10000034")
    server.routes["/ons/wards/query"] = wards_geojson("E10000034")
    outcomes = fetch_data("worcestershire", data_dir=data, sources_file=sources, **FAST)
    paths = [o.path for o in outcomes]
    assert "ons/lsoa11_bgc/E10000034.geojson" in paths
    assert paths[-1] == "osm/worcestershire-latest.osm.pbf"
    (lsoa_query,) = _queries(server, "/ons/lsoa/query")
    assert lsoa_query["where"] == ["LSOA11NM LIKE 'Malvern Hills %' OR LSOA11NM LIKE 'Wychavon %'"]
    (ward_query,) = _queries(server, "/ons/wards/query")
    assert ward_query["where"] == ["LAD25CD IN ('E07000235','E07000238')"]
    area = resolve_area("Worcestershire", data)  # now works offline from the fetched files
    assert area.district_names == ("Malvern Hills", "Wychavon")


def test_several_extracts_are_merged_into_one_pbf(tmp_path):
    with serve() as server:
        server.routes.update(routes(server.base, tmp_path))
        sources = write_sources(tmp_path / "sources.toml", server.base, max_extracts=2)
        data = tmp_path / "data"
        outcomes = fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
        again = fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    assert outcomes[-1].path == "osm/tisbury-east-tisbury-west-latest.osm.pbf"
    assert outcomes[-1].detail.endswith("merged from 2 extracts")
    assert data_file(data, "osm").name == "tisbury-east-tisbury-west-latest.osm.pbf"
    assert sorted(p.name for p in (data / "osm" / "geofabrik").iterdir()) == [
        "tisbury-east-latest.osm.pbf",
        "tisbury-west-latest.osm.pbf",
    ]
    assert _count_ways(data / outcomes[-1].path) == 1  # the same way in both: kept once
    record = read_catalogue(data)[outcomes[-1].path]
    assert record["url"].count(" + ") == 1
    assert again[-1].status == "current"


def test_source_moved_names_the_entry_and_the_rest_is_fetched(site):
    server, sources, data = site
    del server.routes["/cqc/directory.csv"]
    with pytest.raises(DownloadError) as info:
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    message = str(info.value)
    assert message.startswith("catalogue entry 'care_directory': ")
    assert "HTTP 404" in message
    assert "\n" not in message
    assert server.hits("/cqc/directory.csv") == 1
    assert list((data / "cqc").iterdir()) == []  # no file, no .part
    files = read_catalogue(data)
    assert "cqc/care_directory_2025-10.csv" not in files
    assert "osm/wiltshire-latest.osm.pbf" in files
    assert (data / "ons/population_mid2020_lsoa11_syoa.csv").is_file()


def test_checksum_mismatch_leaves_no_file(site):
    server, sources, data = site
    write_sources(sources, server.base, population_sha="ab" * 32)
    with pytest.raises(ValidationError, match=r"^catalogue entry 'population': .* SHA-256 "):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    assert not list((data / "ons").glob("population*"))
    assert "ons/population_mid2020_lsoa11_syoa.csv" not in read_catalogue(data)


def test_html_instead_of_csv_is_rejected(site):
    server, sources, data = site
    server.routes["/ons/pwc.csv"] = b"<!DOCTYPE html><html>We have moved</html>"
    with pytest.raises(ValidationError, match="'lsoa_centroids': got an HTML/XML page"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["lsoa_centroids"])
    assert not (data / "ons/lsoa11_pwc.csv").exists()


def test_empty_area_query_is_rejected(site):
    server, sources, data = site
    server.routes["/ons/lsoa/query"] = b'{"type": "FeatureCollection", "features": []}'
    with pytest.raises(ValidationError, match="'lsoa_boundaries': the GeoJSON has no features"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)


def test_truncated_arcgis_answer_is_rejected(site):
    server, sources, data = site
    body = json.loads(lsoa_geojson("E06000054"))
    body["properties"] = {"exceededTransferLimit": True}
    server.routes["/ons/lsoa/query"] = json.dumps(body).encode()
    with pytest.raises(ValidationError, match="cut the answer short at 2 features"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    assert not (data / "ons/lsoa11_bgc/E06000054.geojson").exists()


def test_broken_geofabrik_index_names_the_entry(site):
    server, sources, data = site
    server.routes["/geofabrik/index-v1.json"] = b'{"type": "FeatureCollection"}'
    with pytest.raises(ValidationError, match=r"'osm': not a Geofabrik index-v1\.json"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    assert not (data / "osm").exists() or list((data / "osm").iterdir()) == []


def test_no_data_folder_named(monkeypatch):
    monkeypatch.delenv("GEOSUFF_DATA", raising=False)
    with pytest.raises(DataMissingError, match="pass --data DIR or set GEOSUFF_DATA"):
        fetch_data("Wiltshire")


def test_timeout_names_the_entry(tmp_path):
    with serve() as server:
        sources = write_sources(tmp_path / "sources.toml", server.base + "/stall")
        with pytest.raises(DownloadError, match=r"'admin_areas': cannot download .* timed out"):
            fetch_data(
                "Wiltshire",
                data_dir=tmp_path / "data",
                sources_file=sources,
                timeout_s=0.2,
                retries=0,
                progress=False,
            )
        assert len(server.requests) == 1  # gave up at once: no point trying the others


def test_offline_stops_at_first_entry(tmp_path):
    sources = write_sources(tmp_path / "sources.toml", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(DownloadError, match=r"'admin_areas': .*connection refused \(offline"):
        fetch_data("Wiltshire", data_dir=tmp_path / "data", sources_file=sources, **FAST)
    assert read_catalogue(tmp_path / "data") == {}


def test_base_url_override_from_environment(site, monkeypatch, tmp_path):
    server, _, data = site
    sources = write_sources(tmp_path / "elsewhere.toml", "https://example.invalid")
    monkeypatch.setenv("GEOSUFF_BASE_URL_ONS", server.base + "/ons")
    outcomes = fetch_data(
        "Wiltshire", data_dir=data, sources_file=sources, only=["lsoa_centroids"], **FAST
    )
    assert [o.status for o in outcomes] == ["fetched"]
    assert read_catalogue(data)["ons/lsoa11_pwc.csv"]["url"] == server.url("/ons/pwc.csv")


def test_only_unknown_entry_lists_known_ones(site):
    _, sources, data = site
    with pytest.raises(ValidationError, match="unknown catalogue entry roads; known: admin_areas"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["roads"])


def test_osm_alone_needs_boundaries_first(site):
    _, sources, data = site
    with pytest.raises(DataMissingError, match="--only lsoa_boundaries` first"):
        fetch_data(
            "E06000054", data_dir=data, sources_file=sources, only=["osm", "admin_areas"], **FAST
        )


def test_unknown_area(site):
    _, sources, data = site
    with pytest.raises(AreaNotFoundError, match="no local authority called 'Atlantis'"):
        fetch_data("Atlantis", data_dir=data, sources_file=sources, **FAST)


def test_list_data_reports_vintage_and_provenance(site):
    _, sources, data = site
    fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    (data / "care_lists").mkdir()
    (data / "care_lists" / "home_care_providers.csv").write_text("name,postcode\n")
    table = list_data(data).set_index("path")
    assert table.loc["ons/population_mid2020_lsoa11_syoa.csv", "vintage"] == "mid2020"
    assert table.loc["ons/population_mid2020_lsoa11_syoa.csv", "key"] == "population"
    assert table.loc["ons/population_mid2020_lsoa11_syoa.csv", "age_days"] == 0.0
    assert bool(table.loc["ons/ltla_utla_lookup.csv", "recorded"])
    assert table.loc["ons/ltla_utla_lookup.csv", "key"] == "ltla_utla_lookup"
    own = table.loc["care_lists/home_care_providers.csv"]
    assert (own["key"], bool(own["recorded"]), own["vintage"]) == ("home_care", False, "")
    assert table.loc["osm/wiltshire-latest.osm.pbf", "licence"] == "ODbL-1.0"


def test_fetched_folder_feeds_the_area_loaders(site):
    """After a fetch into an empty folder, the loaders build the area's layers from it."""
    _, sources, data = site
    fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    layers = load_area_layers("Wiltshire", data_dir=data, require=("home_care",))
    population = layers.population.set_index("lsoa_code")
    assert population["pop_75plus"].to_dict() == {"E01031950": 160, "E01031951": 320}
    assert population["la_code"].unique().tolist() == ["E06000054"]
    assert layers.home_care["name"].tolist() == ["Nadder Home Care"]
    assert layers.home_care["lsoa_code"].tolist() == ["E01031951"]  # geocoded via Code-Point
    # the care directory has no beds: homes are kept and flagged, beds left empty
    assert layers.care_homes["name"].tolist() == ["Tisbury Care Home"]
    assert layers.care_homes["beds"].isna().all()
    assert layers.rejects["action"].tolist() == ["flagged"]
    assert layers.rejects["reason"].tolist() == [
        "beds not in this source (counted as a home, not in bed totals)"
    ]
