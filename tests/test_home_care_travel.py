"""Care-worker travel per visit: hand-made areas with known answers, and the real data."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geosuff import settings
from geosuff.analysis.patches import local_patches
from geosuff.analysis.rounds import round_legs
from geosuff.analysis.runs import LSOA_COLUMNS, care_runs, home_care_travel
from geosuff.analysis.travel_cost import travel_costs
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.areas import Area

CRS = "EPSG:27700"
AREA = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))
# one client per person aged 75+, no per-visit overhead: the drive alone
PLAIN = {"clients_per_1000_75plus": 1000.0, "overhead_minutes": 0.0}


def _layers(boxes, pop75):
    geoms = [box(*b) for b in boxes]
    codes = [f"L{i}" for i in range(len(geoms))]
    pop = gpd.GeoDataFrame(
        {
            "lsoa_code": codes,
            "lsoa_name": codes,
            "la_code": "E06000099",
            "la_name": "Testshire",
            "pop_75plus": [float(p) for p in pop75],
            "demand_e": [g.centroid.x for g in geoms],
            "demand_n": [g.centroid.y for g in geoms],
        },
        geometry=geoms,
        crs=CRS,
    )
    empty = gpd.GeoDataFrame({"provider_id": [], "lsoa_code": []}, geometry=[], crs=CRS)
    return AreaLayers(AREA, pop, empty, empty, empty, pd.DataFrame(), {}, {})


def _grid(side_m, per_lsoa, n=4, x0=0.0):
    """An n x n grid of square LSOAs covering a square of *side_m*, *per_lsoa* each."""
    step = side_m / n
    boxes = [
        (x0 + i * step, j * step, x0 + (i + 1) * step, (j + 1) * step)
        for i in range(n)
        for j in range(n)
    ]
    return boxes, [per_lsoa] * len(boxes)


def _one_zone(layers, name="Z"):
    return pd.Series(name, index=layers.population["lsoa_code"])


def _drive(result, zone="Z"):
    return result.zones.set_index("zone").loc[zone, "home_care_drive_minutes_per_visit"]


def test_round_legs_attribute_each_leg_to_the_visit_it_leads_to():
    # three clients on a line, due in slots 0, 1, 2: one round 0 -> 1 -> 2
    xy = np.array([[0.0, 0.0], [1000.0, 0.0], [3000.0, 0.0]])
    t = np.abs(xy[:, 0][:, None] - xy[:, 0][None, :]) / 1000.0  # 1 minute per km
    legs, km, unreachable = round_legs(t, t * 2, xy, np.arange(3), np.array([0, 1, 2]), 3)
    assert np.isnan(legs[0]) and legs[1:].tolist() == [1.0, 2.0]
    assert km[1:].tolist() == [2.0, 4.0] and not unreachable.any()
    # two clients due in the same slot cannot share a round: no legs at all
    legs, _, _ = round_legs(t, t, xy, np.arange(2), np.array([0, 0]), 3)
    assert np.isnan(legs).all()
    # an unreachable pair is reported, never given a made-up time
    t_cut = t.copy()
    t_cut[0, 1] = np.nan
    legs, _, unreachable = round_legs(t_cut, t_cut, xy, np.arange(2), np.array([0, 1]), 2)
    assert unreachable.tolist() == [False, True] and np.isnan(legs).all()


def test_the_next_visit_is_the_nearest_client_due_then():
    # slot 1 has a near client (x=500) and a far one (x=9000): the round takes the near one
    xy = np.array([[0.0, 0.0], [500.0, 0.0], [9000.0, 0.0]])
    t = np.abs(xy[:, 0][:, None] - xy[:, 0][None, :]) / 1000.0
    legs, _, _ = round_legs(t, t, xy, np.arange(3), np.array([0, 1, 1]), 2)
    # the round starts at the client farthest from the centre in slot 0 (the only one)
    assert legs[1] == pytest.approx(0.5)
    assert np.isnan(legs[2])  # the far client starts its own round


def test_halving_density_lengthens_travel_by_about_sqrt2():
    # local patches on a large grid: the patch grows with the spacing of clients
    dense = _layers(*_grid(20_000.0, 40, n=10))  # 40 clients per 4 km2 LSOA
    sparse = _layers(*_grid(20_000.0, 20, n=10))  # half as many on the same area
    centre = [f"L{i * 10 + j}" for i in range(3, 7) for j in range(3, 7)]

    def central_drive(layers):
        r = home_care_travel(layers, days=20, patch_clients=150.0, **PLAIN)
        v = r.visits[r.visits["lsoa_code"].isin(centre)]
        return v["leg_minutes"].mean()

    assert central_drive(sparse) / central_drive(dense) == pytest.approx(np.sqrt(2), rel=0.08)
    # one zone: the same clients on twice the area
    zone = _layers(*_grid(10_000.0, 40))
    wide = _layers(*_grid(10_000.0 * np.sqrt(2), 40))
    a = _drive(home_care_travel(zone, groups=_one_zone(zone), days=30, **PLAIN))
    c = _drive(home_care_travel(wide, groups=_one_zone(wide), days=30, **PLAIN))
    assert c / a == pytest.approx(np.sqrt(2), rel=0.02)


def test_a_two_cluster_zone_is_worse_than_two_one_cluster_zones():
    boxes_a, pop_a = _grid(3_000.0, 10, n=3)
    boxes_b, pop_b = _grid(3_000.0, 10, n=3, x0=40_000.0)
    layers = _layers(boxes_a + boxes_b, pop_a + pop_b)
    codes = layers.population["lsoa_code"]
    one = home_care_travel(layers, groups=pd.Series("Both", index=codes), days=40, **PLAIN)
    two = home_care_travel(
        layers,
        groups=pd.Series(["West"] * 9 + ["East"] * 9, index=codes.to_numpy()),
        days=40,
        **PLAIN,
    )
    joint = one.zones.set_index("zone").loc["Both"]
    apart = two.zones
    apart_mean = np.average(
        apart["home_care_drive_minutes_per_visit"], weights=apart["home_care_legs_sampled"]
    )
    assert joint["home_care_drive_minutes_per_visit"] > 1.2 * apart_mean
    # the long legs are the jumps between the clusters: 40 km x 1.4 at 50 km/h = 67 min
    assert one.visits["leg_minutes"].max() > 60 > two.visits["leg_minutes"].max()


def test_seed_reproducibility_and_same_figure_for_the_same_zone():
    layers = _layers(*_grid(8_000.0, 30))
    groups = _one_zone(layers)
    a = home_care_travel(layers, groups=groups, seed=3, days=10)
    b = home_care_travel(layers, groups=groups, seed=3, days=10)
    c = home_care_travel(layers, groups=groups, seed=4, days=10)
    pd.testing.assert_frame_equal(a.lsoas, b.lsoas)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    assert not np.allclose(
        a.lsoas["home_care_minutes_per_visit"], c.lsoas["home_care_minutes_per_visit"]
    )
    # the zone figure is the mean over the zone's visits, as the LSOA figures are over theirs
    legs = a.visits["leg_minutes"].dropna()
    overhead = a.parameters["overhead_minutes"]
    zone = a.zones.iloc[0]
    assert zone["home_care_minutes_per_visit"] == pytest.approx(legs.mean() + overhead)
    assert zone["home_care_legs_sampled"] == len(legs) == a.lsoas["home_care_legs_sampled"].sum()
    # the earlier API gives the same zone figure, whatever number of runs it is asked for
    full = home_care_travel(layers, groups=groups).zones.iloc[0]["home_care_minutes_per_visit"]
    for n_runs in (5, 30):
        old = care_runs(layers, groups=groups, n_runs=n_runs)
        assert old.iloc[0]["home_care_minutes_per_visit"] == full


def test_cost_arithmetic():
    c = travel_costs(
        np.array([20.0, 9.0]),
        np.array([5.0, 2.0]),
        visit_minutes=30.0,
        hourly_pay_gbp=12.0,
        mileage_rate_gbp_per_mile=0.45,
        contact_hour_price_gbp=25.0,
    )
    # 20 min at 12/h = 4.00, 5 miles at 45p = 2.25; 9 min = 1.80, 2 miles = 0.90
    assert c["travel_cost_per_visit_gbp"].tolist() == pytest.approx([6.25, 2.70])
    assert c["unpaid_travel_share"].tolist() == pytest.approx([20 / 50, 9 / 39])
    assert c["travel_cost_per_contact_hour_gbp"].tolist() == pytest.approx([12.5, 5.4])
    assert c["travel_cost_share_of_price"].tolist() == pytest.approx([0.5, 0.216])
    # defaults: the care worker's pay, not the price of a contact hour
    d = travel_costs(np.array([60.0]), np.array([0.0]))
    assert d["travel_cost_per_visit_gbp"][0] == pytest.approx(settings.care_worker_hourly_pay_gbp)
    assert settings.care_worker_hourly_pay_gbp == 12.21
    assert settings.home_care_hourly_rate_gbp == 25.95


def test_lsoa_costs_follow_from_minutes_and_miles():
    layers = _layers(*_grid(8_000.0, 30))
    r = home_care_travel(layers, days=5, hourly_pay_gbp=15.0, mileage_rate_gbp_per_mile=0.5)
    t = r.lsoas
    expected = t["home_care_minutes_per_visit"] / 60 * 15.0 + t["home_care_miles_per_visit"] * 0.5
    assert t["home_care_travel_cost_per_visit_gbp"].to_numpy() == pytest.approx(expected.to_numpy())
    assert list(t.columns) == LSOA_COLUMNS
    assert r.parameters["hourly_pay_gbp"] == 15.0


def test_local_patch_rule():
    xy = np.column_stack([np.arange(10) * 1000.0, np.zeros(10)])
    patches = local_patches(xy, np.full(10, 30.0), patch_clients=100.0)
    # 30 clients each: the LSOA and its 3 nearest make 120 >= 100
    assert patches[0].tolist() == [0, 1, 2, 3]
    assert patches[5][0] == 5 and sorted(patches[5].tolist()) == [3, 4, 5, 6]
    assert all(len(p) == 4 for p in patches)
    # a small area: the patch is all of it
    assert sorted(local_patches(xy[:2], np.full(2, 30.0))[0].tolist()) == [0, 1]


def test_without_zones_each_lsoa_uses_its_own_patch():
    # a dense town and a sparse countryside far apart: patches never mix them
    town = _grid(2_000.0, 400, n=2)  # 40 clients in each of 4 LSOAs
    country = _grid(30_000.0, 150, n=4, x0=100_000.0)  # 15 in each of 16
    layers = _layers(town[0] + country[0], town[1] + country[1])
    r = home_care_travel(layers, patch_clients=60.0, days=20, clients_per_1000_75plus=100.0)
    t = r.lsoas.set_index("lsoa_code")
    assert t.loc["L0", "home_care_round_area"].startswith("local patch (")
    assert t["zone"].isna().all()
    town_min = t.iloc[:4]["home_care_minutes_per_visit"].max()
    country_min = t.iloc[4:]["home_care_minutes_per_visit"].min()
    assert town_min < country_min
    assert t.loc["L0", "home_care_round_area"] == "local patch (2 nearest LSOAs, ~80 clients)"
    assert r.zones["home_care_round_area"].tolist() == ["local patches"]


@pytest.fixture(scope="module")
def wiltshire(data_dir):
    return load_area_layers("Wiltshire", data_dir=data_dir)


def _zone_groups(path, layers, data_dir):
    from geosuff.zones.groups import zone_assignment

    return zone_assignment(path, layers, data_dir=data_dir).data.set_index("lsoa_code")["zone"]


def test_wiltshire_rural_zones_travel_longest_towns_shortest(wiltshire, data_dir):
    z15 = _zone_groups("geosuff/boundaries/wiltshire_15_zones.toml", wiltshire, data_dir)
    r15 = home_care_travel(wiltshire, groups=z15)
    by = r15.zones.set_index("zone")["home_care_minutes_per_visit"].sort_values()
    assert set(by.index[:2]) == {"Salisbury", "Trowbridge & Westbury"}
    assert {"Wilton", "Tisbury"} <= set(by.index[-4:])
    assert r15.zones["home_care_clients_expected"].sum() == pytest.approx(51_991 * 0.058)
    z3 = _zone_groups("geosuff/boundaries/wiltshire_3_zones.toml", wiltshire, data_dir)
    r3 = home_care_travel(wiltshire, groups=z3)

    def mean(r):
        z = r.zones
        return np.average(z["home_care_minutes_per_visit"], weights=z["home_care_legs_sampled"])

    assert mean(r3) > mean(r15) + 1.0
    # without zones: local patches, the same towns shortest, far fewer LSOAs above 10 min
    patches = home_care_travel(wiltshire)
    t = patches.lsoas.merge(r15.lsoas[["lsoa_code", "zone"]], on="lsoa_code", suffixes=("", "_15"))
    per_zone = t.groupby("zone_15")["home_care_minutes_per_visit"].mean().sort_values()
    assert set(per_zone.index[:3]) >= {"Salisbury", "Trowbridge & Westbury"}
    over = int((patches.lsoas["home_care_minutes_per_visit"] > 10).sum())
    assert 10 < over < 100


def _reference_round_legs(t, xy, idx, slot, n_slots):
    """The rounds of round_legs written plainly, as an independent check."""
    free = set(range(len(idx)))
    legs = np.full(len(idx), np.nan)
    while free:
        first = min(slot[j] for j in free)
        centre = np.mean([xy[idx[j]] for j in free], axis=0)
        due = sorted(j for j in free if slot[j] == first)
        here = max(due, key=lambda j: (((xy[idx[j]] - centre) ** 2).sum(), -j))
        free.discard(here)
        for s in range(first + 1, n_slots):
            due = [j for j in sorted(free) if slot[j] == s]
            if due:
                nxt = min(due, key=lambda j: (t[idx[here], idx[j]], j))
                legs[nxt] = t[idx[here], idx[nxt]]
                free.discard(nxt)
                here = nxt
    return legs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_round_legs_agree_with_a_plain_implementation(seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20_000, (300, 2))
    t = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 1000 * 1.4 / 50 * 60
    idx = rng.choice(300, 120, replace=False)
    slot = rng.integers(0, 7, 120)
    fast, _, _ = round_legs(t, t, xy, idx, slot, 7)
    assert np.allclose(fast, _reference_round_legs(t, xy, idx, slot, 7), equal_nan=True)
    # every client is visited once; one visit per round has no leg
    rounds = int(np.isnan(fast).sum())
    assert 120 / 7 <= rounds < 120 / 7 * 2
