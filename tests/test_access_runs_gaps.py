import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geosuff.analysis.access import access
from geosuff.analysis.gaps import GapThresholds, find_gaps
from geosuff.analysis.runs import home_care_travel
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.areas import Area
from geosuff.io.provenance import Coverage
from geosuff.io.surroundings import load_surroundings
from geosuff.network import build_network

CRS = "EPSG:27700"
AREA = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))


def _pop(boxes, pop75, codes=None):
    codes = codes or [f"L{i}" for i in range(len(boxes))]
    geoms = [box(*b) for b in boxes]
    return gpd.GeoDataFrame(
        {
            "lsoa_code": codes,
            "lsoa_name": codes,
            "la_code": "E06000099",
            "la_name": "Testshire",
            "pop_total": [p * 10 for p in pop75],
            "pop_65plus": [p * 2 for p in pop75],
            "pop_75plus": pop75,
            "pop_85plus": [p / 4 for p in pop75],
            "demand_e": [g.centroid.x for g in geoms],
            "demand_n": [g.centroid.y for g in geoms],
        },
        geometry=geoms,
        crs=CRS,
    )


def _providers(points, kind, **cols):
    frame = gpd.GeoDataFrame(
        {
            "provider_id": [f"{kind}{i}" for i in range(len(points))],
            "name": "x",
            "kind": kind,
            **cols,
        },
        geometry=[Point(p) for p in points],
        crs=CRS,
    )
    for col in ("beds", "units"):
        if col not in frame:
            frame[col] = np.nan
    frame["older_people"] = True
    if "dementia" not in frame:
        frame["dementia"] = False
    return frame


def _layers(pop, homes, agencies=None, schemes=None):
    from geosuff.analysis.joins import assign_to_lsoas

    empty = _providers([], "domiciliary")
    return AreaLayers(
        AREA,
        pop,
        assign_to_lsoas(homes, pop),
        assign_to_lsoas(agencies if agencies is not None else empty, pop),
        assign_to_lsoas(schemes if schemes is not None else empty, pop),
        pd.DataFrame(),
        {},
        {},
    )


@pytest.fixture
def small():
    pop = _pop(
        [(0, 0, 4000, 4000), (4000, 0, 8000, 4000), (30000, 0, 34000, 4000)], [400.0, 300.0, 300.0]
    )
    homes = _providers(
        [(1000, 1000), (6000, 2000), (31000, 1000)], "care_home_nursing", beds=[40.0, 20.0, 30.0]
    )
    homes.loc[1, "kind"] = "care_home_residential"
    agencies = _providers([(2000, 2000)], "domiciliary")
    return _layers(pop, homes, agencies)


def test_access_estimate_is_labelled_and_nearest_is_right(small):
    acc = access(small)
    assert set(acc["travel_method"]) == {"estimate_crowfly"}
    assert acc["nearest_care_home_id"].tolist() == [
        "care_home_nursing0",
        "care_home_nursing1",
        "care_home_nursing2",
    ]
    # straight line 4000*sqrt(2) ... L0 centre (2000,2000) to home (1000,1000): 1414 m
    km = 1.41421356 * 1.4
    assert acc.loc[0, "km_to_care_home"] == pytest.approx(km, rel=1e-6)
    assert acc.loc[0, "minutes_to_care_home"] == pytest.approx(km / 50 * 60, rel=1e-6)
    assert acc.loc[2, "minutes_to_home_care"] == pytest.approx(30 * 1.4 / 50 * 60)
    assert acc.loc[1, "minutes_to_nursing"] > acc.loc[1, "minutes_to_residential"]
    assert acc.loc[0, "beds_within_15min"] == 60  # the 30-bed home is ~32 km away
    # L2 (32000, 2000): 30-bed home 1.4 km (crow) away, 20-bed home 26 km -> 43.7 min, 40-bed
    # home 31 km -> 52.1 min
    assert acc.loc[2, "beds_within_45min"] == 50


def test_access_whole_area_catchment_equals_supply_ratio(small):
    acc = access(small, decay=lambda m: np.where(np.isnan(m), 0.0, 1.0), max_minutes=1e6)
    simple = supply_ratios(small.population, small.care_homes, by="area")
    assert acc["e2sfca_beds_per_1000_75plus"].to_numpy() == pytest.approx(
        simple["beds_per_1000_75plus"].item()
    )
    assert acc["e2sfca_beds_per_1000_75plus"].iloc[0] == pytest.approx(90.0)


def test_gaps_reasons_and_thresholds(small):
    acc = access(small)
    travel = pd.DataFrame(
        {
            "lsoa_code": ["L0", "L1", "L2"],
            "home_care_round_area": ["zone North", "zone North", "zone Far"],
            "home_care_clients_expected": [23.2, 17.4, 17.4],
            "home_care_minutes_per_visit": [6.0, 9.0, 22.0],
            "home_care_minutes_per_visit_p10": [4.0, 5.0, 9.5],
            "home_care_minutes_per_visit_p90": [9.0, 14.0, 40.25],
            "home_care_travel_method": "estimate_crowfly",
        }
    )
    acc.loc[2, "pop_75plus"] = 500.0
    th = GapThresholds(travel_minutes_per_visit=8, nursing_minutes=30, access_quantile=0.0)
    gaps = find_gaps(acc, travel=travel, thresholds=th).set_index("lsoa_code")
    assert gaps["gap_home_care"].to_dict() == {"L0": False, "L1": True, "L2": True}
    reason = gaps.loc["L2", "reasons"]
    assert reason.startswith(
        "home care: care-worker travel 22.0 min per visit (p10-p90 9.5-40.2) > 8 min, drive "
        "times estimated (straight line x detour), rounds within zone Far; 500 aged 75+, "
        "~17 home care clients"
    )
    # the agency list's coverage was not assessed: no agency figure in any reason
    assert "agency" not in " ".join(gaps["reasons"])
    assert "distance to agency offices (coverage not assessed)" in gaps["not_assessed"].iloc[0]
    # flagged first, most people first (L0 is flagged for the lowest E2SFCA score)
    assert gaps["flagged"].all()
    assert list(gaps.index) == ["L2", "L0", "L1"]
    with pytest.raises(Exception, match="unknown gap thresholds"):
        GapThresholds.from_mapping({"home_care_mins": 5})


def test_home_care_flag_has_no_population_gate_and_agency_is_context_only(small):
    acc = access(small)
    acc.loc[2, "pop_75plus"] = 12.0  # a sparse LSOA: flagged all the same
    travel = pd.DataFrame(
        {
            "lsoa_code": ["L0", "L1", "L2"],
            "home_care_round_area": "local patch (3 nearest LSOAs, ~58 clients)",
            "home_care_minutes_per_visit": [6.0, 6.0, 31.0],
        }
    )
    complete = {"home_care": Coverage("complete", "every agency registered with CQC")}
    gaps = find_gaps(acc, travel=travel, coverage=complete).set_index("lsoa_code")
    assert gaps["gap_home_care"].to_dict() == {"L0": False, "L1": False, "L2": True}
    # L2's demand point (32000, 2000) is 30 km from the agency: 30 x 1.4 / 50 km/h = 50 min
    assert "(context: nearest agency office 50 min estimated" in gaps.loc["L2", "reasons"]
    assert "; 12 aged 75+" in gaps.loc["L2", "reasons"]
    partial = {"home_care": Coverage("partial", "a sample list")}
    gaps = find_gaps(acc, travel=travel, coverage=partial)
    assert not gaps["reasons"].str.contains("agency office").any()
    assert "partial: a sample list" in gaps["not_assessed"].iloc[0]


def test_nursing_and_residential_access_flags(small):
    acc = access(small)
    gaps = find_gaps(acc, thresholds=GapThresholds(access_quantile=0.0)).set_index("lsoa_code")
    by_code = acc.set_index("lsoa_code")
    for flag, col, words in [
        ("gap_low_nursing_access", "e2sfca_nursing_beds_per_1000_75plus", "nursing beds"),
        ("gap_low_residential_access", "e2sfca_residential_beds_per_1000_75plus", "residential"),
    ]:
        lowest = sorted(by_code.index[by_code[col] == by_code[col].min()])
        assert sorted(gaps.index[gaps[flag]]) == lowest and len(lowest) < 3
        assert f"low access to {words}" in gaps.loc[lowest[0], "reasons"]
    assert "home care travel (no travel figures given)" in gaps["not_assessed"].iloc[0]
    partial = {"care_homes": Coverage("partial", "no bed counts")}
    none = find_gaps(acc, coverage=partial, thresholds=GapThresholds(access_quantile=0.5))
    assert not none["flagged"].any()
    assert "care home gaps (partial: no bed counts)" in none["not_assessed"].iloc[0]


@pytest.fixture(scope="module")
def rutland(data_dir, tmp_path_factory):
    net = build_network(
        data_dir / "osm" / "rutland-2022-07-20.osm.pbf", cache_dir=tmp_path_factory.mktemp("cache")
    )
    return net, load_area_layers("Rutland", data_dir=data_dir)


def test_rutland_network_end_to_end(rutland, data_dir):
    net, layers = rutland
    around = load_surroundings(layers, buffer_km=20, data_dir=data_dir)
    acc = access(layers, network=net, surroundings=around)
    assert len(acc) == 23 and set(acc["travel_method"]) == {"network"}
    assert acc["minutes_to_care_home"].notna().all()
    assert acc["minutes_to_care_home"].max() < 20
    assert (acc["cross_border_share_beds"] > 0).any()
    assert acc.attrs["providers_off_network"] > 0  # homes beyond the Rutland extract
    travel = home_care_travel(layers, network=net, days=10, seed=1)
    row = travel.zones.iloc[0]
    assert row["home_care_travel_method"] == "network" and row["home_care_unreachable_legs"] == 0
    assert 3 < row["home_care_minutes_per_visit"] < 30
    gaps = find_gaps(acc, travel=travel, thresholds=GapThresholds(travel_minutes_per_visit=5))
    assert (
        gaps["reasons"]
        .str.contains("drive times by road (network), rounds within local", regex=False)
        .any()
    )
