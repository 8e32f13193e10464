import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _network_helpers import points, rutland, tiny_graph

from geosuff._errors import NetworkError, ValidationError
from geosuff.network import (
    RoadNetwork,
    isochrones,
    nearest,
    node_times,
    time_matrix_array,
    travel_time_matrix,
)

NODES = {"n1": (0, 0), "n2": (1000, 0), "n3": (2000, 0), "n4": (1000, 2000), "n5": (5000, 5000)}
# hand-computed seconds, origin row -> destination column (n1..n5); NaN = unreachable
EXPECTED_S = np.array(
    [
        [0, 60, 180, 280, np.nan],
        [60, 0, 120, 220, np.nan],
        [190, 130, 0, 100, np.nan],
        [90, 30, 150, 0, np.nan],
        [10, 70, 190, 290, 0],
    ]
)
OFF_S = 300 / (15 / 3.6)  # 300 m off-network at 15 km/h


@pytest.fixture(scope="module")
def tiny():
    return RoadNetwork.from_graph(tiny_graph())


def test_exact_times_on_hand_graph_with_oneways_and_parallel_edges(tiny):
    arr = time_matrix_array(tiny, points(NODES), points(NODES))
    assert arr.method == "network"
    np.testing.assert_allclose(arr.minutes * 60, EXPECTED_S, atol=1e-6)
    assert np.all(np.isnan(arr.minutes[:4, 4]))  # unreachable: NaN, not a big number
    assert arr.km[0, 2] == pytest.approx(2.0)
    assert arr.km[2, 0] == pytest.approx((2236 + 2000 + 1000) / 1000)
    np.testing.assert_allclose(arr.origin_snap_dist_m, 0, atol=1e-9)


def test_plain_osmnx_style_graph_and_any_crs(tiny):
    o = points(NODES).to_crs("EPSG:4326")
    a = time_matrix_array(tiny_graph(), o, points(NODES))
    np.testing.assert_allclose(a.minutes * 60, EXPECTED_S, atol=1e-3)


def test_points_along_and_beside_roads(tiny):
    pts = points({"m23": (1500, 0), "m23b": (1800, 0), "off": (1500, -300)})
    nodes = points(NODES)
    a = time_matrix_array(tiny, pts, nodes)
    s = a.minutes * 60
    assert s[0, 2] == pytest.approx(60)  # half of 2->3
    assert s[0, 1] == pytest.approx(60 + 100 + 30)  # one-way: round by 4
    assert s[2, 2] == pytest.approx(OFF_S + 60)
    assert a.origin_snap_dist_m[2] == pytest.approx(300)
    b = time_matrix_array(tiny, nodes, pts)
    assert b.minutes[0, 0] * 60 == pytest.approx(120)
    assert b.minutes[0, 2] * 60 == pytest.approx(120 + OFF_S)
    assert b.km[0, 2] == pytest.approx(1.8)
    c = time_matrix_array(tiny, pts.iloc[:2], pts.iloc[:2])
    assert c.minutes[0, 1] * 60 == pytest.approx(0.3 * 120)  # same road, forward
    assert c.minutes[1, 0] * 60 == pytest.approx(0.2 * 120 + 100 + 30 + 60)  # the long way
    assert c.km[0, 1] == pytest.approx(0.3)


def test_tidy_table_limit_and_dropna(tiny):
    t = travel_time_matrix(tiny, points(NODES), points(NODES), max_minutes=2)
    assert list(t.columns) == [
        "origin_id",
        "dest_id",
        "minutes",
        "km",
        "method",
        "origin_snap_dist_m",
        "dest_snap_dist_m",
    ]
    assert len(t) == 25
    row = t[(t.origin_id == "n1") & (t.dest_id == "n2")].iloc[0]
    assert row.minutes == pytest.approx(1.0)
    assert pd.isna(t[(t.origin_id == "n1") & (t.dest_id == "n3")].minutes.iloc[0])
    d = travel_time_matrix(tiny, points(NODES), points(NODES), max_minutes=2, dropna=True)
    assert d.minutes.notna().all()
    assert len(d) == int((EXPECTED_S <= 120).sum())
    assert (d.minutes <= 2).all()


def test_ids_from_index_when_no_id_column(tiny):
    p = points(NODES).set_index("id")
    t = travel_time_matrix(tiny, p, p)
    assert set(t.origin_id) == set(NODES)


def test_nearest_both_directions(tiny):
    origins = points({k: NODES[k] for k in ("n1", "n2", "n3", "n4")})
    fac = points({"A": NODES["n3"], "B": NODES["n4"]})
    to = nearest(tiny, origins, fac).set_index("origin_id")
    assert to.loc["n1", "facility_id"] == "A"
    assert to.loc["n1", "minutes"] == pytest.approx(3.0)
    assert to.loc["n4", "facility_id"] == "B"
    assert to.loc["n4", "minutes"] == pytest.approx(0.0)
    fr = nearest(tiny, origins, fac, direction="from_facility").set_index("origin_id")
    assert fr.loc["n1", "facility_id"] == "B"
    assert fr.loc["n1", "minutes"] == pytest.approx(1.5)
    assert (to.method == "network").all()
    lim = nearest(tiny, origins, fac, max_minutes=2).set_index("origin_id")
    assert pd.isna(lim.loc["n1", "minutes"]) and pd.isna(lim.loc["n1", "facility_id"])


def test_nearest_matches_matrix_minimum(tiny):
    o = points(NODES)
    fac = points({"A": (1500, 0), "B": (1000, 1000), "C": (2000, -500)})
    near = nearest(tiny, o, fac)
    arr = time_matrix_array(tiny, o, fac)
    np.testing.assert_allclose(near.minutes, np.nanmin(arr.minutes, axis=1), atol=1e-9)


def test_isochrones(tiny):
    iso = isochrones(tiny, points({"n1": NODES["n1"]}), minutes=[2, 4])
    assert iso.crs == "EPSG:27700"
    assert list(iso.minutes) == [4.0, 2.0]
    assert list(iso.nodes_reached) == [3, 2]
    assert iso.geometry.iloc[0].contains(iso.geometry.iloc[1].centroid)


def test_graph_without_travel_time_is_a_one_line_error():
    g = tiny_graph()
    for _, _, d in g.edges(data=True):
        del d["travel_time"]
    with pytest.raises(NetworkError, match="no 'travel_time'") as exc:
        travel_time_matrix(g, points(NODES), points(NODES))
    assert "\n" not in str(exc.value)


def test_points_outside_network_are_a_one_line_error(tiny):
    far = points({"far": (60_000, 0)})
    with pytest.raises(ValidationError, match="outside the network") as exc:
        travel_time_matrix(tiny, far, points(NODES))
    assert "\n" not in str(exc.value)
    t = travel_time_matrix(tiny, far, points(NODES), max_snap_m=None)
    assert t.origin_snap_dist_m.iloc[0] == pytest.approx(np.hypot(55_000, 5_000))


def test_bad_points(tiny):
    p = points(NODES).set_crs(None, allow_override=True)
    with pytest.raises(ValidationError, match="no CRS"):
        travel_time_matrix(tiny, p, points(NODES))
    with pytest.raises(ValidationError, match="must be points"):
        travel_time_matrix(tiny, points(NODES).buffer(5).to_frame("geometry"), points(NODES))
    dup = pd.concat([points(NODES), points(NODES)])
    with pytest.raises(ValidationError, match="repeat"):
        travel_time_matrix(tiny, dup, points(NODES))


def test_node_times(tiny):
    m = node_times(tiny, [0, 2])
    np.testing.assert_allclose(m * 60, EXPECTED_S[[0, 2]], atol=1e-6)
    near = node_times(tiny, [2, 3], reverse=True, min_only=True)
    assert near[0] * 60 == pytest.approx(180)


def test_workers_give_same_answer(tiny):
    o = points(NODES)
    one = time_matrix_array(tiny, o, o, workers=1)
    two = time_matrix_array(tiny, o, o, workers=2)
    np.testing.assert_array_equal(one.minutes, two.minutes)


def test_agrees_with_networkx_on_rutland(data_dir):
    net = rutland()[0]
    g = net.graph
    rng = np.random.default_rng(3)
    ids = rng.choice(np.array(list(g.nodes)), 40, replace=False)
    lon = [g.nodes[n]["x"] for n in ids]
    lat = [g.nodes[n]["y"] for n in ids]
    import geopandas as gpd

    pts = gpd.GeoDataFrame({"id": ids}, geometry=gpd.points_from_xy(lon, lat), crs=g.graph["crs"])
    arr = time_matrix_array(net, pts.iloc[:8], pts)
    assert np.nanmax(arr.origin_snap_dist_m) < 1e-3
    for i, s in enumerate(ids[:8]):
        ref = nx.single_source_dijkstra_path_length(g, s, weight="travel_time")
        want = np.array([ref[t] for t in ids]) / 60
        np.testing.assert_allclose(arr.minutes[i], want, rtol=1e-9, atol=1e-6)
        # km along the fastest path
        path = nx.dijkstra_path(g, s, ids[-1], weight="travel_time")
        km = (
            sum(
                min(g[u][v].values(), key=lambda d: d["travel_time"])["length"]
                for u, v in itertools.pairwise(path)
            )
            / 1000
        )
        assert arr.km[i, -1] == pytest.approx(km, rel=1e-6, abs=1e-6)
    cached = rutland()[1]
    arr2 = time_matrix_array(cached, pts.iloc[:8], pts)
    np.testing.assert_allclose(arr2.minutes, arr.minutes, rtol=1e-12)


def test_a_point_to_itself_is_zero_even_off_road(tiny):
    p = points({"off": (1500, -300), "other": (1600, -300)})
    a = time_matrix_array(tiny, p, p)
    assert a.minutes[0, 0] == 0 and a.km[0, 0] == 0
    assert a.minutes[0, 1] * 60 == pytest.approx(2 * 300 / (15 / 3.6) + 0.1 * 120)


def test_nearest_facility_at_the_same_place_is_zero(tiny):
    o = points({"o": (1500, -300)})
    near = nearest(tiny, o, points({"here": (1500, -300), "n3": NODES["n3"]}))
    assert near.facility_id.iloc[0] == "here"
    assert near.minutes.iloc[0] == 0
