import math

import networkx as nx
import pytest

from geosuff._errors import InputFileError, ValidationError
from geosuff.network.speeds import add_edge_speeds, load_profile, parse_maxspeed

MPH = 1.609344


@pytest.mark.parametrize(
    ("value", "kph", "kind"),
    [
        ("30 mph", 30 * MPH, "tagged"),
        ("30mph", 30 * MPH, "tagged"),
        ("50", 50.0, "tagged"),
        ("50 km/h", 50.0, "tagged"),
        (40, 40.0, "tagged"),
        ("national", 60 * MPH, "national"),
        ("GB:nsl_single", 60 * MPH, "national"),
        ("GB:nsl_dual", 70 * MPH, "national"),
        ("GB:motorway", 70 * MPH, "national"),
        ("GB:zone20", 20 * MPH, "tagged"),
        ("30 mph;40 mph", 30 * MPH, "tagged"),
        (["40 mph", "30 mph"], 30 * MPH, "tagged"),
        ("signals", math.nan, "unparsed"),
        (None, math.nan, "none"),
        (math.nan, math.nan, "none"),
    ],
)
def test_parse_maxspeed(value, kph, kind):
    got, got_kind = parse_maxspeed(value)
    assert got_kind == kind
    if math.isnan(kph):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(kph, abs=0.01)


def test_packaged_profile_is_documented_and_sane():
    prof = load_profile()
    assert prof.name == "uk_care_worker"
    rural, urban = prof.speeds_kph("rural"), prof.speeds_kph("urban")
    # national-speed-limit lanes are driven far below 60 mph (96.6 km/h)
    assert rural["unclassified"] < 0.5 * 96.6
    assert all(urban[k] <= rural[k] for k in rural)
    assert prof.visit_overhead_min == pytest.approx(3.0)


def test_profile_override_from_file(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("[speeds_kph.rural]\nunclassified = 33.0\n[visit]\nparking_min = 5\n")
    prof = load_profile(f)
    assert prof.speeds_kph("rural")["unclassified"] == 33.0
    assert prof.speeds_kph("rural")["primary"] == load_profile().speeds_kph("rural")["primary"]
    assert prof.visit_overhead_min == pytest.approx(6.0)
    assert prof.digest != load_profile().digest


def test_profile_override_rejects_unknown_keys_and_bad_values(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("[speeds_kph.rural]\nunclasified = 33.0\n")
    with pytest.raises(ValidationError, match="unclasified"):
        load_profile(f)
    f.write_text("[speeds_kph.rural]\nunclassified = -3\n")
    with pytest.raises(ValidationError, match="unclassified"):
        load_profile(f)
    f.write_text("not toml = = =")
    with pytest.raises(InputFileError, match="TOML"):
        load_profile(f)
    with pytest.raises(InputFileError, match="not found"):
        load_profile(tmp_path / "missing.toml")


def _edge_graph(**tags):
    g = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_node(1, x=-0.7, y=52.6)
    g.add_node(2, x=-0.69, y=52.6)
    g.add_edge(1, 2, length=1000.0, **tags)
    return g


def test_edge_speeds_cap_by_limit_and_national_lanes_rural():
    prof = load_profile()
    g = add_edge_speeds(_edge_graph(highway="unclassified", maxspeed="national"), prof)
    d = g.edges[1, 2, 0]
    assert d["setting"] == "rural"
    assert d["speed_kph"] == prof.speeds_kph("rural")["unclassified"]
    assert d["travel_time"] == pytest.approx(1000 / (d["speed_kph"] / 3.6))
    g = add_edge_speeds(_edge_graph(highway="primary", maxspeed="20 mph"), prof)
    d = g.edges[1, 2, 0]
    assert d["setting"] == "urban"
    assert d["speed_kph"] == pytest.approx(round(prof.limit_factor * 20 * MPH, 2))
    # a merged edge listing several classes: the slowest, whatever the list order
    # (osmnx lists them in set order, which changes with PYTHONHASHSEED)
    rural = prof.speeds_kph("rural")
    for listed in (["tertiary", "residential"], ["residential", "tertiary"]):
        g = add_edge_speeds(_edge_graph(highway=listed), prof)
        assert g.edges[1, 2, 0]["speed_kph"] == rural["residential"] < rural["tertiary"]
    # geosuff's own simplification names the class covering most of the length
    g = _edge_graph(highway=["residential", "tertiary"], highway_main="tertiary")
    assert add_edge_speeds(g, prof).edges[1, 2, 0]["speed_kph"] == rural["tertiary"]


def test_edge_speeds_need_length():
    g = _edge_graph(highway="primary")
    del g.edges[1, 2, 0]["length"]
    with pytest.raises(ValidationError, match="length"):
        add_edge_speeds(g)
