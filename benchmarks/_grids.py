"""Synthetic road-like grids for the benchmarks, built straight into engine arrays.

A jittered grid (``spacing_m`` blocks), a faster arterial (60 km/h, else 30 km/h)
every 10th line, speeds varying by up to 15%, ~8% of blocks missing and ~5% of the
slow streets one-way, in EPSG:27700. Big grids (millions of nodes) are built without
networkx: :func:`grid_network` fills a :class:`RoadNetwork` directly, exactly as
``RoadNetwork.from_graph`` would from the same edges (:func:`grid_graph`).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from geosuff.network import RoadNetwork
from geosuff.network._segments import road_pieces


def grid_edges(
    nx_side: int,
    ny_side: int | None = None,
    *,
    seed: int = 0,
    spacing_m: float = 100.0,
    x0: float = 450_000.0,
    y0: float = 250_000.0,
):
    """Directed edges of a grid: ``x, y, u, v, time_s, length_m``."""
    ny_side = nx_side if ny_side is None else ny_side
    rng = np.random.default_rng(seed)
    n = nx_side * ny_side
    ids = np.arange(n).reshape(nx_side, ny_side)
    jit = 0.2 * spacing_m
    x = x0 + np.repeat(np.arange(nx_side), ny_side) * spacing_m + rng.uniform(-jit, jit, n)
    y = y0 + np.tile(np.arange(ny_side), nx_side) * spacing_m + rng.uniform(-jit, jit, n)
    us, vs, fast = [], [], []
    for a, b, line in (
        (
            ids[:, :-1],
            ids[:, 1:],
            np.broadcast_to(np.arange(nx_side)[:, None], (nx_side, ny_side - 1)),
        ),
        (
            ids[:-1, :],
            ids[1:, :],
            np.broadcast_to(np.arange(ny_side)[None, :], (nx_side - 1, ny_side)),
        ),
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
    uu = np.concatenate([u, v[~oneway]])
    vv = np.concatenate([v, u[~oneway]])
    tt = np.concatenate([t, t[~oneway]])
    ll = np.concatenate([length, length[~oneway]])
    return x, y, uu, vv, tt, ll


def grid_network(nx_side: int, ny_side: int | None = None, **kw) -> RoadNetwork:
    """A :class:`RoadNetwork` of the grid, built from arrays (no networkx)."""
    x, y, u, v, t, ln = grid_edges(nx_side, ny_side, **kw)
    return network_from_edges(x, y, u, v, t, ln)


def network_from_edges(x, y, u, v, t, ln, node_ids=None) -> RoadNetwork:
    """CSR arrays and snapping pieces from directed edges (no parallel edges)."""
    n = len(x)
    order = np.lexsort((v, u))
    u, v, t, ln = u[order], v[order], t[order], ln[order]
    indptr = np.zeros(n + 1, dtype=np.int32 if len(u) < 2**31 else np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    seg = road_pieces(u, v, t, ln, [None] * len(u), "EPSG:27700")
    return RoadNetwork(
        node_ids=np.arange(n) if node_ids is None else node_ids,
        x=x,
        y=y,
        indptr=indptr,
        indices=v.astype(np.int32),
        time_s=t,
        length_m=ln,
        **seg,
        meta={"nodes": n, "edges": len(u), "source": "synthetic grid"},
    )


def grid_graph(nx_side: int, ny_side: int | None = None, **kw) -> nx.MultiDiGraph:
    """The same grid as a networkx graph (for networkx and pandana comparisons)."""
    x, y, u, v, t, ln = grid_edges(nx_side, ny_side, **kw)
    g = nx.MultiDiGraph(crs="EPSG:27700")
    g.add_nodes_from((i, {"x": float(x[i]), "y": float(y[i])}) for i in range(len(x)))
    g.add_edges_from(
        (int(a), int(b), {"travel_time": float(tt), "length": float(ll)})
        for a, b, tt, ll in zip(u, v, t, ln, strict=True)
    )
    return g
