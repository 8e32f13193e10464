"""Choosing Geofabrik extracts from an index-v1.json."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from geosuff._errors import ValidationError
from geosuff.fetch.geofabrik import area_outline, choose_extracts, read_index
from tests.fetch_fixtures import geofabrik_index, lsoa_geojson

BASE = "https://download.geofabrik.de"


@pytest.fixture
def features(tmp_path):
    path = tmp_path / "index-v1.json"
    path.write_bytes(geofabrik_index(BASE))
    return read_index(path)


def test_read_index_keeps_features_with_a_pbf(tmp_path):
    body = json.loads(geofabrik_index(BASE))
    body["features"].append({"type": "Feature", "properties": {"id": "x", "urls": {}}})
    path = tmp_path / "index.json"
    path.write_text(json.dumps(body))
    ids = [f["properties"]["id"] for f in read_index(path)]
    assert ids == ["england", "wiltshire", "worcestershire", "tisbury-west", "tisbury-east"]


def test_smallest_single_extract_covering_the_buffered_area(tmp_path, features):
    lsoas = tmp_path / "E06000054.geojson"
    lsoas.write_bytes(lsoa_geojson("E06000054"))
    need = area_outline(lsoas, buffer_m=5000)
    # the LSOAs span -2.10..-2.04 E; 5 km is about 0.07 degrees of longitude here
    minx, _, _, maxy = need.bounds
    assert minx == pytest.approx(-2.10 - 0.0716, abs=0.003)
    assert maxy == pytest.approx(51.07 + 0.045, abs=0.003)
    chosen = choose_extracts(features, need)
    assert [e.id for e in chosen] == ["wiltshire"]
    assert chosen[0].pbf_url == f"{BASE}/europe/great-britain/england/wiltshire-latest.osm.pbf"
    assert 6000 < chosen[0].area_km2 < 8000  # 1.1 x 0.9 degrees at 51 N


def test_several_smaller_extracts_when_allowed_and_smaller(features):
    need = box(-2.2, 51.0, -1.95, 51.1)
    chosen = choose_extracts(features, need, max_extracts=2)
    assert sorted(e.id for e in chosen) == ["tisbury-east", "tisbury-west"]
    assert sum(e.area_km2 for e in chosen) < 7000
    assert [e.id for e in choose_extracts(features, need, max_extracts=1)] == ["wiltshire"]


def test_falls_back_to_bigger_extract_when_halves_do_not_cover(features):
    need = box(-2.2, 51.0, -1.95, 51.3)  # reaches north of both halves
    assert [e.id for e in choose_extracts(features, need, max_extracts=3)] == ["wiltshire"]


def test_area_across_two_counties_needs_england(features):
    need = box(-2.2, 51.7, -2.0, 52.0)  # Wiltshire/Worcestershire gap
    assert [e.id for e in choose_extracts(features, need)] == ["england"]


def test_no_extract_touches_area(features):
    with pytest.raises(ValidationError, match="no Geofabrik extract touches"):
        choose_extracts(features, box(10, 10, 11, 11))


def test_min_cover_tolerates_slivers(features):
    need = box(-2.55, 51.0, -2.0, 51.1)  # 0.05 of 0.55 degrees lies west of Wiltshire's box
    assert [e.id for e in choose_extracts(features, need)] == ["england"]
    assert [e.id for e in choose_extracts(features, need, min_cover=0.85)] == ["wiltshire"]


def test_real_geofabrik_outlines_and_lsoas(data_dir):
    """Geofabrik's own Wiltshire outline misses slivers of Wiltshire's LSOAs (measured)."""
    outlines = json.loads((data_dir / "osm/geofabrik_extract_polygons.geojson").read_text())
    features = [
        {
            "type": "Feature",
            "properties": {"id": f["properties"]["id"], "urls": {"pbf": f["properties"]["pbf"]}},
            "geometry": f["geometry"],
        }
        for f in outlines["features"]
    ]
    features.append(
        {
            "type": "Feature",
            "properties": {"id": "england", "urls": {"pbf": "england.osm.pbf"}},
            "geometry": box(-6.5, 49.8, 2.1, 55.9).__geo_interface__,
        }
    )
    wiltshire = data_dir / "ons/lsoa11_bgc/E06000054.geojson"  # has an invalid polygon
    exact = area_outline(wiltshire, buffer_m=0)
    assert [e.id for e in choose_extracts(features, exact)] == ["england"]
    assert [e.id for e in choose_extracts(features, exact, min_cover=0.98)] == ["wiltshire"]
    grown = area_outline(wiltshire, buffer_m=5000)
    assert [e.id for e in choose_extracts(features, grown, min_cover=0.98)] == ["england"]
    worcs = area_outline(data_dir / "ons/lsoa11_bgc/E10000034.geojson", buffer_m=0)
    assert [e.id for e in choose_extracts(features, worcs)] == ["worcestershire"]
