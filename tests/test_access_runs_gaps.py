import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geosuff.analysis.access import access
from geosuff.analysis.gaps import GapThresholds, find_gaps
from geosuff.analysis.runs import care_runs, order_run
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.areas import Area
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


def test_runs_reproducible_and_denser_is_shorter():
    dense = _pop([(0, 0, 1000, 1000)] * 1, [500.0], codes=["D"])
    sparse = _pop([(50000, 0, 70000, 20000)], [500.0], codes=["S"])
    pop = pd.concat([dense, sparse], ignore_index=True)
    layers = _layers(gpd.GeoDataFrame(pop, crs=CRS), _providers([], "care_home_nursing"))
    groups = pd.Series({"D": "dense", "S": "sparse"})
    a, runs_a = care_runs(layers, groups=groups, seed=7, n_runs=30, with_runs=True)
    b = care_runs(layers, groups=groups, seed=7, n_runs=30)
    c = care_runs(layers, groups=groups, seed=8, n_runs=30)
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    )
    assert not np.allclose(a["drive_minutes_per_visit"], c["drive_minutes_per_visit"])
    by = a.set_index("zone")
    assert (
        by.loc["dense", "travel_minutes_per_visit_mean"]
        < by.loc["sparse", "travel_minutes_per_visit_mean"]
    )
    assert (
        by.loc["dense", "travel_minutes_per_visit_p10"]
        <= by.loc["dense", "travel_minutes_per_visit_p90"]
    )
    assert set(runs_a["visits"]) <= {6, 7, 8} and len(runs_a) == 60
    # cost = minutes/60 * 25.95 + miles * 0.45, per run, averaged
    per_visit = runs_a["travel_minutes_per_visit"]
    miles = runs_a["drive_km"] / runs_a["visits"] / 1.609344
    cost = (per_visit / 60 * 25.95 + miles * 0.45).groupby(runs_a["zone"]).mean()
    assert by["travel_cost_per_visit_gbp"].to_numpy() == pytest.approx(cost.to_numpy())


def test_order_run_finds_the_straight_line():
    xs = np.array([0.0, 3.0, 1.0, 4.0, 2.0])  # start at 0, visits scattered on a line
    times = np.abs(xs[:, None] - xs[None, :])
    order = order_run(times)
    assert xs[order].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_gaps_reasons_and_thresholds(small):
    acc = access(small)
    zones = pd.DataFrame({"zone": ["E06000099"], "travel_minutes_per_visit_mean": [22.0]})
    th = GapThresholds(
        home_care_minutes=10,
        nursing_minutes=30,
        min_pop_75plus=300,
        access_quantile=0.0,
        travel_minutes_per_visit=15,
    )
    gaps = find_gaps(acc, runs=zones, thresholds=th)
    assert gaps["gap_home_care"].tolist() == [False, False, True]
    assert gaps["gap_zone_travel"].all()
    reason = gaps.loc[2, "reasons"]
    assert "nearest home care agency" in reason and "> 10 min with 300 aged 75+" in reason
    assert "zone E06000099: care-worker travel 22.0 min per visit > 15 min" in reason
    with pytest.raises(Exception, match="unknown gap thresholds"):
        GapThresholds.from_mapping({"home_care_mins": 5})


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
    runs = care_runs(layers, network=net, n_runs=20, seed=1)
    row = runs.iloc[0]
    assert row["travel_method"] == "network" and row["unreachable_legs"] == 0
    assert 5 < row["travel_minutes_per_visit_mean"] < 30
    gaps = find_gaps(acc, runs=runs)
    # Rutland's home care list is a partial sample: no home care flag from it
    assert not gaps["gap_home_care"].any() and "home_care" in gaps.attrs["not_flagged"]
    assert gaps["reasons"].str.contains("E2SFCA").any()
