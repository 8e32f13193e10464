"""The compiled engine against the SciPy engine it replaced, networkx and hand cases."""

import multiprocessing

import numpy as np
import pytest
from _legacy_engine import nearest as legacy_nearest
from _legacy_engine import node_times as legacy_node_times
from _legacy_engine import time_matrix_array as legacy_matrix
from _network_helpers import grid_graph, random_points, rutland

from geosuff.network import RoadNetwork, nearest, node_times, reach, time_matrix_array
from geosuff.network import travel as travel_mod

RTOL = 1e-12  # float sums taken in a different order (reversed searches)


@pytest.fixture(scope="module")
def grid():
    return RoadNetwork.from_graph(grid_graph(40, seed=5))


def assert_same(new, old_minutes, old_km):
    np.testing.assert_array_equal(np.isnan(new.minutes), np.isnan(old_minutes))
    np.testing.assert_allclose(new.minutes, old_minutes, rtol=RTOL, atol=1e-12)
    np.testing.assert_array_equal(np.isnan(new.km), np.isnan(old_km))
    np.testing.assert_allclose(new.km, old_km, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n_o,n_d", [(12, 70), (70, 12), (30, 30)])
@pytest.mark.parametrize("limit", [None, 4.0])
def test_matrix_equals_old_engine_on_grid(grid, n_o, n_d, limit):
    o, d = random_points(grid, n_o, 1), random_points(grid, n_d, 2)
    new = time_matrix_array(grid, o, d, max_minutes=limit)
    old_minutes, old_km = legacy_matrix(grid, o, d, max_minutes=limit)
    assert_same(new, old_minutes, old_km)
    assert np.isfinite(new.minutes).sum() > 0.3 * new.minutes.size
    if limit is not None:
        assert np.isnan(new.minutes).any() and np.nanmax(new.minutes) <= limit


def test_smaller_side_agrees_with_the_other_side(grid):
    o, d = random_points(grid, 60, 3), random_points(grid, 5, 4)
    many_to_few = time_matrix_array(grid, o, d)  # searches from the 5 destinations
    few_to_many = time_matrix_array(grid, d, o)  # the other way round: not the transpose
    old_minutes, old_km = legacy_matrix(grid, o, d)
    assert_same(many_to_few, old_minutes, old_km)
    # one-way streets make the two directions differ somewhere
    assert not np.allclose(many_to_few.minutes, few_to_many.minutes.T)


def test_threads_give_identical_answers(grid):
    o, d = random_points(grid, 40, 5), random_points(grid, 50, 6)
    one = time_matrix_array(grid, o, d, workers=1)
    two = time_matrix_array(grid, o, d, workers=2)
    np.testing.assert_array_equal(one.minutes, two.minutes)
    np.testing.assert_array_equal(one.km, two.km)


def test_without_km(grid):
    o, d = random_points(grid, 8, 7), random_points(grid, 9, 8)
    a = time_matrix_array(grid, o, d, with_km=False)
    b = time_matrix_array(grid, o, d)
    assert np.isnan(a.km).all()
    np.testing.assert_array_equal(a.minutes, b.minutes)


@pytest.mark.parametrize("direction", ["to_facility", "from_facility"])
@pytest.mark.parametrize("limit", [None, 3.0])
def test_nearest_equals_old_engine(grid, direction, limit):
    o, f = random_points(grid, 80, 9), random_points(grid, 15, 10)
    new = nearest(grid, o, f, direction=direction, max_minutes=limit)
    old = legacy_nearest(grid, o, f, direction=direction, max_minutes=limit)
    np.testing.assert_allclose(new.minutes, old.minutes, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(new.km, old.km, rtol=1e-9)
    rows = old.facility_row.to_numpy()
    want = np.where(rows >= 0, f["id"].to_numpy()[np.maximum(rows, 0)], None)
    assert list(new.facility_id) == list(want)


def test_node_times_and_reach_equal_scipy(grid):
    src = [0, 17, 555, 1599]
    for rev in (False, True):
        np.testing.assert_allclose(
            node_times(grid, src, reverse=rev), legacy_node_times(grid, src, reverse=rev)
        )
        lim = node_times(grid, src, max_minutes=1.5, reverse=rev)
        np.testing.assert_allclose(lim, legacy_node_times(grid, src, max_minutes=1.5, reverse=rev))
        near = node_times(grid, src, reverse=rev, min_only=True)
        np.testing.assert_allclose(near, legacy_node_times(grid, src, reverse=rev, min_only=True))
        got = reach(grid, src, max_minutes=1.5, reverse=rev)
        # one entry per node reached, nothing else: memory follows what was reached
        assert len(got.node) == int(np.isfinite(lim).sum()) < lim.size / 4
        dense = np.full_like(lim, np.nan)
        dense[got.source, got.node] = got.minutes
        np.testing.assert_array_equal(dense, lim)


def test_agrees_with_old_engine_on_rutland(data_dir):
    net = rutland()[0]
    o, d = random_points(net, 45, 11, off_m=150), random_points(net, 400, 12, off_m=150)
    for a, b, limit in ((o, d, None), (d, o, None), (o, d, 12.0)):
        new = time_matrix_array(net, a, b, max_minutes=limit)
        old_minutes, old_km = legacy_matrix(net, a, b, max_minutes=limit)
        assert_same(new, old_minutes, old_km)
    new = nearest(net, d, o)
    old = legacy_nearest(net, d, o)
    np.testing.assert_allclose(new.minutes, old.minutes, rtol=RTOL)
    assert (new.facility_id.to_numpy() == o["id"].to_numpy()[old.facility_row]).all()


def test_the_batch_hook_sets_the_threads(grid, monkeypatch):
    asked = []

    def one(workers, n_sources, n_nodes):
        asked.append((workers, n_sources, n_nodes))
        return 1

    monkeypatch.setattr(travel_mod, "_pool_workers", one)
    o, d = random_points(grid, 30, 13), random_points(grid, 20, 14)
    time_matrix_array(grid, o, d)
    assert asked == [(None, 20, grid.n_nodes)]


def _in_daemon(queue):
    net = RoadNetwork.from_graph(grid_graph(20, seed=1))
    o, d = random_points(net, 30, 1), random_points(net, 30, 2)
    queue.put(np.nansum(time_matrix_array(net, o, d, workers=2).minutes))


def test_threads_run_inside_a_daemonic_process():
    """A Dask worker is a daemonic process: it may run threads but no child processes."""
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_in_daemon, args=(q,), daemon=True)
    p.start()
    got = q.get(timeout=300)
    p.join(60)
    assert p.exitcode == 0
    net = RoadNetwork.from_graph(grid_graph(20, seed=1))
    o, d = random_points(net, 30, 1), random_points(net, 30, 2)
    assert got == pytest.approx(np.nansum(time_matrix_array(net, o, d, workers=1).minutes))


def test_thread_count(monkeypatch):
    from geosuff.network._search import thread_count, usable_cores

    assert thread_count(3, 1, 10) == 3  # asked for: given
    assert thread_count(None, 1, 10**6) == 1  # one search: one thread
    assert thread_count(None, 50, 100) == 1  # tiny work: not worth a thread
    assert thread_count(None, 500, 300_000) == min(usable_cores(), 500)
    monkeypatch.setenv("GEOSUFF_THREADS", "1")
    assert thread_count(None, 500, 300_000) == 1
    assert thread_count(2, 500, 300_000) == 2  # an explicit request wins


def test_dense_random_graph_with_many_improvements_equals_scipy():
    """Many improvements per node overflow the heap's n slots: stale entries compact away."""
    import networkx as nx

    rng = np.random.default_rng(0)
    n, m = 300, 9000
    g = nx.MultiDiGraph(crs="EPSG:27700")
    g.add_nodes_from((i, {"x": 480_000.0 + i, "y": 300_000.0}) for i in range(n))
    u, v = rng.integers(0, n, (2, m))
    w = rng.uniform(0, 100, m)
    w[:50] = 0.0  # zero-time edges too
    g.add_edges_from(
        (int(a), int(b), {"travel_time": float(t)}) for a, b, t in zip(u, v, w, strict=True)
    )
    net = RoadNetwork.from_graph(g)
    src = list(range(0, n, 7))
    for rev in (False, True):
        np.testing.assert_allclose(
            node_times(net, src, reverse=rev), legacy_node_times(net, src, reverse=rev)
        )
        np.testing.assert_allclose(
            node_times(net, src, min_only=True, reverse=rev),
            legacy_node_times(net, src, min_only=True, reverse=rev),
        )
