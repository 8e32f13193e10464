"""A synthetic England-sized road network, stored once and cut into district windows.

The network is the road-like grid of ``_grids.py`` laid over England's extent (the
bounding box of every English LSOA's demand point plus a margin), with the block
size chosen so it has at least ``min_nodes`` nodes (3.05M at the default). It is
saved as plain ``.npy`` arrays; workers memory-map them (shared through the page
cache, as a cluster's workers would read one file) and cut out the window a
partition needs: a rectangle of lattice rows and columns, so no node is scanned.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
from _grids import grid_edges, network_from_edges

from geosuff.network import RoadNetwork

_ARRAYS = ("x", "y", "indptr", "indices", "time_s", "length_m")


def build(folder: Path, bounds, *, min_nodes: int = 3_050_000, seed: int = 42) -> dict:
    """Build the national grid over *bounds* (EPSG:27700) and save it in *folder*."""
    t0 = time.perf_counter()
    minx, miny, maxx, maxy = bounds
    spacing = math.sqrt((maxx - minx) * (maxy - miny) / min_nodes)
    spacing = math.floor(spacing)  # whole metres, so the count stays above min_nodes
    nx_side = int((maxx - minx) // spacing) + 1
    ny_side = int((maxy - miny) // spacing) + 1
    x, y, u, v, t, ln = grid_edges(
        nx_side, ny_side, seed=seed, spacing_m=float(spacing), x0=minx, y0=miny
    )
    order = np.lexsort((v, u))
    u, v, t, ln = u[order], v[order], t[order], ln[order]
    indptr = np.zeros(len(x) + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=len(x)), out=indptr[1:])
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "x": x,
        "y": y,
        "indptr": indptr,
        "indices": v.astype(np.int32),
        "time_s": t,
        "length_m": ln,
    }
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", arr)
    meta = {
        "nx": nx_side,
        "ny": ny_side,
        "spacing_m": spacing,
        "x0": minx,
        "y0": miny,
        "nodes": len(x),
        "edges": len(u),
        "build_s": round(time.perf_counter() - t0, 1),
        "mb_on_disk": round(sum(a.nbytes for a in arrays.values()) / 2**20),
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    return meta


_OPEN: dict[str, tuple[dict, dict]] = {}


def open_network(folder: Path) -> tuple[dict, dict]:
    """Memory-map the saved arrays (once per process)."""
    key = str(folder)
    if key not in _OPEN:
        meta = json.loads((folder / "meta.json").read_text())
        arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in _ARRAYS}
        _OPEN[key] = (meta, arrays)
    return _OPEN[key]


def window(folder: Path, bounds) -> RoadNetwork:
    """The sub-network of lattice nodes inside *bounds* (edges leaving it dropped)."""
    meta, a = open_network(folder)
    s, ny = meta["spacing_m"], meta["ny"]
    i0 = max(0, math.floor((bounds[0] - meta["x0"]) / s) - 1)
    i1 = min(meta["nx"] - 1, math.ceil((bounds[2] - meta["x0"]) / s) + 1)
    j0 = max(0, math.floor((bounds[1] - meta["y0"]) / s) - 1)
    j1 = min(ny - 1, math.ceil((bounds[3] - meta["y0"]) / s) + 1)
    nyw = j1 - j0 + 1
    ids = (np.arange(i0, i1 + 1)[:, None] * ny + np.arange(j0, j1 + 1)[None, :]).ravel()
    starts = np.asarray(a["indptr"][ids])
    counts = np.asarray(a["indptr"][ids + 1]) - starts
    first = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    edge = np.arange(int(counts.sum())) + first
    u = np.repeat(np.arange(len(ids)), counts)
    vg = np.asarray(a["indices"][edge]).astype(np.int64)
    vi, vj = vg // ny, vg % ny
    keep = (vi >= i0) & (vi <= i1) & (vj >= j0) & (vj <= j1)
    v = (vi - i0) * nyw + (vj - j0)
    return network_from_edges(
        np.asarray(a["x"][ids]),
        np.asarray(a["y"][ids]),
        u[keep],
        v[keep],
        np.asarray(a["time_s"][edge[keep]]),
        np.asarray(a["length_m"][edge[keep]]),
        node_ids=ids,
    )
