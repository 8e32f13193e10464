"""Shared builders for the network tests: a hand-made graph and the Rutland network."""

from __future__ import annotations

import functools
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx

RUTLAND = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "osm"
RUTLAND_PBF = RUTLAND / "rutland-2022-07-20.osm.pbf"


X0, Y0 = 480_000.0, 300_000.0  # a real British National Grid origin (near Rutland)


def tiny_graph() -> nx.MultiDiGraph:
    """A graph in EPSG:27700 (metres from X0, Y0) with hand-checkable times (seconds).

    1 (0,0) <-> 2 (1000,0): 60 s each way, plus a slower parallel 1->2 edge (90 s)
    2 -> 3 (2000,0): 120 s, one-way
    3 -> 4 (1000,2000): 100 s, one-way
    4 -> 2: 30 s, one-way
    5 (5000,5000) -> 1: 10 s (nothing reaches 5)
    """
    g = nx.MultiDiGraph(crs="EPSG:27700")
    for n, (x, y) in {
        1: (0, 0),
        2: (1000, 0),
        3: (2000, 0),
        4: (1000, 2000),
        5: (5000, 5000),
    }.items():
        g.add_node(n, x=X0 + x, y=Y0 + y)
    g.add_edge(1, 2, travel_time=60.0, length=1000.0)
    g.add_edge(2, 1, travel_time=60.0, length=1000.0)
    g.add_edge(1, 2, travel_time=90.0, length=1000.0)
    g.add_edge(2, 3, travel_time=120.0, length=1000.0)
    g.add_edge(3, 4, travel_time=100.0, length=2236.0)
    g.add_edge(4, 2, travel_time=30.0, length=2000.0)
    g.add_edge(5, 1, travel_time=10.0, length=7071.0)
    return g


def points(coords: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Points in EPSG:27700 given in metres from (X0, Y0)."""
    ids = list(coords)
    xs = [X0 + coords[i][0] for i in ids]
    ys = [Y0 + coords[i][1] for i in ids]
    return gpd.GeoDataFrame({"id": ids}, geometry=gpd.points_from_xy(xs, ys), crs="EPSG:27700")


_CACHE_DIR = tempfile.mkdtemp(prefix="geosuff-test-netcache-")


@functools.cache
def rutland() -> tuple[object, object, float, float]:
    """Build Rutland once per test session; return (network, cached copy, build s, load s)."""
    from geosuff.network import build_network

    t0 = time.perf_counter()
    net = build_network(RUTLAND_PBF, cache_dir=_CACHE_DIR)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    cached = build_network(RUTLAND_PBF, cache_dir=_CACHE_DIR)
    load_s = time.perf_counter() - t1
    return net, cached, build_s, load_s


def grid_graph(side: int, seed: int = 0) -> nx.MultiDiGraph:
    """A jittered road grid (100 m blocks) in EPSG:27700 near (X0, Y0).

    Every 10th line is a fast road (60 km/h, else 30), speeds vary by up to 15%, about
    8% of blocks are missing and about 5% of the slow streets are one-way.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    x = X0 + np.repeat(np.arange(side), side) * 100.0 + rng.uniform(-20, 20, side * side)
    y = Y0 + np.tile(np.arange(side), side) * 100.0 + rng.uniform(-20, 20, side * side)
    us, vs, fast = [], [], []
    for a, b, line in (
        (ids[:, :-1], ids[:, 1:], np.broadcast_to(np.arange(side)[:, None], (side, side - 1))),
        (ids[:-1, :], ids[1:, :], np.broadcast_to(np.arange(side)[None, :], (side - 1, side))),
    ):
        us.append(a.ravel())
        vs.append(b.ravel())
        fast.append((line % 10 == 0).ravel())
    u, v, f = np.concatenate(us), np.concatenate(vs), np.concatenate(fast)
    keep = f | (rng.random(len(u)) > 0.08)
    u, v, f = u[keep], v[keep], f[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    t = length / (np.where(f, 60.0, 30.0) * rng.uniform(0.85, 1.0, len(u)) / 3.6)
    oneway = (~f) & (rng.random(len(u)) < 0.05)
    g = nx.MultiDiGraph(crs="EPSG:27700")
    g.add_nodes_from((int(i), {"x": float(x[i]), "y": float(y[i])}) for i in range(side * side))
    for a, b, tt, ln, ow in zip(u, v, t, length, oneway, strict=True):
        g.add_edge(int(a), int(b), travel_time=float(tt), length=float(ln))
        if not ow:
            g.add_edge(int(b), int(a), travel_time=float(tt), length=float(ln))
    return g


def random_points(net: object, k: int, seed: int, *, off_m: float = 40.0) -> gpd.GeoDataFrame:
    """*k* points near random nodes of *net*, up to *off_m* metres off the road."""
    import numpy as np

    rng = np.random.default_rng(seed)
    idx = rng.choice(net.n_nodes, k, replace=False)
    dx, dy = rng.uniform(-off_m, off_m, (2, k))
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in idx]},
        geometry=gpd.points_from_xy(net.x[idx] + dx, net.y[idx] + dy),
        crs="EPSG:27700",
    )
