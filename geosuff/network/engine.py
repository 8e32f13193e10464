"""Routing engine: a road graph as compressed sparse arrays, queried with Dijkstra.

:class:`RoadNetwork` holds the graph once converted to CSR arrays (EPSG:27700 node
coordinates; edge ``travel_time`` in seconds and ``length`` in metres, taking the
fastest of parallel edges) and a table of undirected road pieces for snapping.
Routing uses :func:`scipy.sparse.csgraph.dijkstra`.

Points are attached to the network by *virtual nodes*: an origin snapped onto road
``a–b`` at fraction ``f`` becomes an extra row with edges to ``b`` (``(1 - f)`` of
the ``a→b`` time) and to ``a`` (``f`` of the ``b→a`` time, when that direction
exists), plus its off-network leg. Destinations are finished after the search from
the times at ``a`` and ``b``. Results are therefore exact for points on roads, and
one-way roads are respected at both ends.

Direction: every time is *from* an origin *to* a destination (``origin_id`` →
``dest_id``). Unreachable pairs, and pairs beyond ``max_minutes``, are NaN.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pyproj
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geosuff._errors import NetworkError

__all__ = ["RoadNetwork", "as_network", "node_times"]

log = logging.getLogger(__name__)

METRIC_CRS = "EPSG:27700"
_CHUNK_BYTES = 48 * 2**20


@dataclass
class RoadNetwork:
    """A routable road network: CSR arrays plus the osmnx graph they came from.

    Build one with :func:`geosuff.build_network` or :meth:`from_graph`. Arrays are
    read-only in spirit; functions never change them.

    Attributes
    ----------
    node_ids
        Graph node ids, position ``i`` is CSR row ``i``.
    x, y
        Node coordinates in EPSG:27700 (metres).
    indptr, indices, time_s, length_m
        The CSR adjacency (row = from node); ``time_s`` seconds, ``length_m`` metres.
    seg_a, seg_b, seg_t_ab, seg_t_ba, seg_len_m
        Undirected road pieces for snapping: end node positions, the time in each
        direction (NaN where that direction is not allowed) and the length.
    seg_wkb
        WKB of each piece's EPSG:27700 geometry, or ``None`` where it is straight.
    meta
        Source, profile, counts (``nodes``, ``edges``, ``scc_nodes_dropped``) and timings.
    offnetwork_speed_kph
        Speed of the leg between a point and its snapped position.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    time_s: np.ndarray
    length_m: np.ndarray
    seg_a: np.ndarray
    seg_b: np.ndarray
    seg_t_ab: np.ndarray
    seg_t_ba: np.ndarray
    seg_len_m: np.ndarray
    seg_wkb: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    offnetwork_speed_kph: float = 15.0
    _graph: nx.MultiDiGraph | None = field(default=None, repr=False)
    _graph_loader: Callable[[], nx.MultiDiGraph] | None = field(default=None, repr=False)
    _lazy: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The osmnx ``MultiDiGraph`` (loaded on first use for cached networks)."""
        if self._graph is None and self._graph_loader is not None:
            self._graph = self._graph_loader()
        if self._graph is None:
            raise NetworkError("this network was built without keeping its graph")
        return self._graph

    def array_nbytes(self) -> int:
        """Bytes held by the routing arrays (CSR, coordinates, snapping table)."""
        names = ("x", "y", "indptr", "indices", "time_s", "length_m")
        names += ("seg_a", "seg_b", "seg_t_ab", "seg_t_ba", "seg_len_m")
        total = sum(getattr(self, n).nbytes for n in names)
        if self.node_ids.dtype != object:
            total += self.node_ids.nbytes
        return int(total)

    def csr(self, *, reverse: bool = False) -> csr_matrix:
        """Return the time-weighted CSR matrix (``reverse=True``: edges flipped)."""
        key = "csr_rev" if reverse else "csr"
        if key not in self._lazy:
            ip, ix, t, _ = self._arrays(reverse=reverse)
            n = self.n_nodes
            self._lazy[key] = csr_matrix((t, ix, ip), shape=(n, n))
        return self._lazy[key]

    def _arrays(
        self, *, reverse: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not reverse:
            return self.indptr, self.indices, self.time_s, self.length_m
        if "rev" not in self._lazy:
            rows = np.repeat(np.arange(self.n_nodes, dtype=np.int32), np.diff(self.indptr))
            order = np.lexsort((rows, self.indices))
            counts = np.bincount(self.indices, minlength=self.n_nodes)
            ip = np.zeros(self.n_nodes + 1, dtype=self.indptr.dtype)
            np.cumsum(counts, out=ip[1:])
            self._lazy["rev"] = (ip, rows[order], self.time_s[order], self.length_m[order])
        return self._lazy["rev"]

    def _keys(self, *, reverse: bool = False) -> np.ndarray:
        key = "keys_rev" if reverse else "keys"
        if key not in self._lazy:
            ip, ix, _, _ = self._arrays(reverse=reverse)
            rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(ip))
            self._lazy[key] = (rows << 32) | ix.astype(np.int64)
        return self._lazy[key]

    def node_index(self) -> dict[Any, int]:
        """Map node id to CSR row."""
        if "node_index" not in self._lazy:
            self._lazy["node_index"] = {n: i for i, n in enumerate(self.node_ids.tolist())}
        return self._lazy["node_index"]

    @classmethod
    def from_graph(
        cls,
        graph: nx.MultiDiGraph,
        *,
        meta: dict[str, Any] | None = None,
        offnetwork_speed_kph: float = 15.0,
    ) -> RoadNetwork:
        """Convert an osmnx-style graph (node ``x``/``y``, edge ``travel_time`` s).

        Parameters
        ----------
        graph
            The graph. Its ``graph["crs"]`` gives the node coordinates' CRS (EPSG:4326
            when absent). Edge ``length`` (m) is optional; straight-line length is used
            where it is missing. Edge ``geometry`` (in the graph CRS) is used for
            snapping where present.
        meta
            Metadata to keep (source, counts, timings).
        offnetwork_speed_kph
            Speed of the off-network leg of snapped points.

        Returns
        -------
        RoadNetwork
            The routable network.

        Raises
        ------
        NetworkError
            If the graph is empty, nodes lack ``x``/``y`` or edges lack ``travel_time``.
        """
        if not isinstance(graph, nx.MultiDiGraph | nx.DiGraph):
            kind = type(graph).__name__
            msg = f"expected an osmnx MultiDiGraph or a geosuff RoadNetwork, got {kind}"
            raise NetworkError(msg)
        if graph.number_of_edges() == 0:
            raise NetworkError("the graph has no edges to route on")
        ids = list(graph.nodes)
        try:
            gx = np.fromiter((graph.nodes[n]["x"] for n in ids), float, len(ids))
            gy = np.fromiter((graph.nodes[n]["y"] for n in ids), float, len(ids))
        except KeyError as exc:
            msg = "graph nodes lack 'x'/'y' coordinates (osmnx convention)"
            raise NetworkError(msg) from exc
        index = {n: i for i, n in enumerate(ids)}
        edges = list(graph.edges(data=True))
        missing = sum(1 for _, _, d in edges if "travel_time" not in d)
        if missing:
            msg = (
                f"graph has no 'travel_time' on {missing:,} of {len(edges):,} edges; add it "
                "with geosuff.network.speeds.add_edge_speeds or osmnx.routing.add_edge_travel_times"
            )
            raise NetworkError(msg)
        crs = graph.graph.get("crs", "EPSG:4326")
        tr = pyproj.Transformer.from_crs(crs, METRIC_CRS, always_xy=True)
        x, y = (np.asarray(a, dtype=float) for a in tr.transform(gx, gy))
        u = np.fromiter((index[a] for a, _, _ in edges), np.int64, len(edges))
        v = np.fromiter((index[b] for _, b, _ in edges), np.int64, len(edges))
        t = np.fromiter((float(d["travel_time"]) for _, _, d in edges), float, len(edges))
        straight = np.hypot(x[u] - x[v], y[u] - y[v])
        ln = np.fromiter((float(d.get("length", np.nan)) for _, _, d in edges), float, len(edges))
        ln = np.where(np.isnan(ln), straight, ln)
        if not np.all(np.isfinite(t)) or np.any(t < 0):
            raise NetworkError("graph has negative or non-finite 'travel_time' values")
        geoms = [d.get("geometry") for _, _, d in edges]
        keep = u != v
        # fastest of parallel edges: sort by (u, v, time) and keep the first of each pair
        order = np.lexsort((t, v, u))
        order = order[keep[order]]
        uo, vo = u[order], v[order]
        first = np.ones(len(order), bool)
        first[1:] = (uo[1:] != uo[:-1]) | (vo[1:] != vo[:-1])
        sel = order[first]
        n = len(ids)
        counts = np.bincount(u[sel], minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int32 if len(sel) < 2**31 else np.int64)
        np.cumsum(counts, out=indptr[1:])
        seg = _segments(u[sel], v[sel], t[sel], ln[sel], [geoms[i] for i in sel], crs)
        ids_arr = np.asarray(ids)
        if ids_arr.dtype == object or ids_arr.ndim != 1:
            ids_arr = np.empty(len(ids), dtype=object)
            ids_arr[:] = ids
        net = cls(
            node_ids=ids_arr,
            x=x,
            y=y,
            indptr=indptr,
            indices=v[sel].astype(np.int32),
            time_s=t[sel],
            length_m=ln[sel],
            **seg,
            meta=dict(meta or {}),
            offnetwork_speed_kph=offnetwork_speed_kph,
            _graph=graph,
        )
        net.meta.setdefault("nodes", n)
        net.meta.setdefault("edges", graph.number_of_edges())
        return net


def _segments(
    u: np.ndarray,
    v: np.ndarray,
    t: np.ndarray,
    ln: np.ndarray,
    geoms: list[Any],
    crs: Any,
) -> dict[str, np.ndarray]:
    """Collapse directed edges into undirected pieces oriented from the lower node."""
    a = np.minimum(u, v)
    b = np.maximum(u, v)
    fwd = u == a
    order = np.lexsort((~fwd, b, a))
    ao, bo = a[order], b[order]
    start = np.ones(len(order), bool)
    start[1:] = (ao[1:] != ao[:-1]) | (bo[1:] != bo[:-1])
    group = np.cumsum(start) - 1
    ng = int(group[-1]) + 1 if len(group) else 0
    t_ab = np.full(ng, np.nan)
    t_ba = np.full(ng, np.nan)
    fo = fwd[order]
    to = t[order]
    np.fmin.at(t_ab, group[fo], to[fo])
    np.fmin.at(t_ba, group[~fo], to[~fo])
    heads = order[start]
    wkb = np.full(ng, None, dtype=object)
    has_geom = [i for i, j in enumerate(heads) if geoms[j] is not None]
    if has_geom:
        import geopandas as gpd
        import shapely

        gs = gpd.GeoSeries([geoms[heads[i]] for i in has_geom], crs=crs).to_crs(METRIC_CRS)
        arr = np.asarray(gs.values, dtype=object)
        flip = ~fwd[heads[has_geom]]
        arr[flip] = shapely.reverse(arr[flip])
        wkb[has_geom] = shapely.to_wkb(arr)
    return {
        "seg_a": a[heads].astype(np.int32),
        "seg_b": b[heads].astype(np.int32),
        "seg_t_ab": t_ab,
        "seg_t_ba": t_ba,
        "seg_len_m": ln[heads],
        "seg_wkb": wkb,
    }


def as_network(network: RoadNetwork | nx.MultiDiGraph) -> RoadNetwork:
    """Accept a geosuff network or any osmnx-style graph and return a network.

    Parameters
    ----------
    network
        A :class:`RoadNetwork`, or a ``MultiDiGraph`` with node ``x``/``y`` and edge
        ``travel_time`` (seconds). Graphs are converted on every call; convert once
        with :meth:`RoadNetwork.from_graph` to reuse.

    Returns
    -------
    RoadNetwork
        The network.

    Raises
    ------
    NetworkError
        If *network* is neither, or the graph is not routable.
    """
    if isinstance(network, RoadNetwork):
        return network
    return RoadNetwork.from_graph(network)


def _augmented(
    net: RoadNetwork,
    cols: np.ndarray,
    w_t: np.ndarray,
    w_l: np.ndarray,
    *,
    reverse: bool = False,
) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Append one virtual row per source; *cols*, *w_t*, *w_l* are ``(k, 2)`` (NaN = none)."""
    ip, ix, t, ln = net._arrays(reverse=reverse)
    n = net.n_nodes
    k = cols.shape[0]
    swap = cols[:, 0] > cols[:, 1]
    c = np.where(swap[:, None], cols[:, ::-1], cols)
    wt = np.where(swap[:, None], w_t[:, ::-1], w_t)
    wl = np.where(swap[:, None], w_l[:, ::-1], w_l)
    ok = np.isfinite(wt)
    cnt = ok.sum(axis=1)
    new_ip = np.concatenate([ip, ip[-1] + np.cumsum(cnt)]).astype(np.int64)
    new_ix = np.concatenate([ix, c[ok].astype(np.int32)])
    new_t = np.concatenate([t, wt[ok]])  # explicit zeros are edges for csgraph
    new_l = np.concatenate([ln, wl[ok]])
    rows = np.repeat(np.arange(n, n + k, dtype=np.int64), cnt)
    keys = np.concatenate([net._keys(reverse=reverse), (rows << 32) | c[ok].astype(np.int64)])
    g = csr_matrix((new_t, new_ix, new_ip), shape=(n + k, n + k))
    return g, keys, new_l


def _path_lengths(
    pred: np.ndarray, targets: np.ndarray, keys: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Length (m) of the search-tree path to each target node, for each search row.

    Walks the predecessor arrays back from the targets only (all rows and targets
    at once), looking edge lengths up by ``row << 32 | col`` keys, so memory stays
    proportional to ``rows x targets`` rather than ``rows x nodes``.
    """
    c = pred.shape[0]
    cur = np.tile(targets.astype(np.int64), c)
    row = np.repeat(np.arange(c), len(targets))
    acc = np.zeros(cur.size)
    live = np.arange(cur.size)
    while live.size:
        p = pred[row[live], cur[live]].astype(np.int64)
        ok = p >= 0
        live, p = live[ok], p[ok]
        if not live.size:
            break
        acc[live] += lengths[np.searchsorted(keys, (p << 32) | cur[live])]
        cur[live] = p
    return acc.reshape(c, len(targets))


def node_times(
    network: RoadNetwork | nx.MultiDiGraph,
    sources: np.ndarray | list[int],
    *,
    max_minutes: float | None = None,
    reverse: bool = False,
    min_only: bool = False,
) -> np.ndarray:
    """Travel minutes from network nodes (by CSR position) to every node.

    This is the engine's lowest level: one Dijkstra call on the cached CSR matrix.

    Parameters
    ----------
    network
        The network (or an osmnx-style graph).
    sources
        Source node positions (rows of the CSR, see ``RoadNetwork.node_ids``).
    max_minutes
        Stop searching beyond this time; farther nodes are NaN.
    reverse
        Time *to* the sources instead of *from* them.
    min_only
        Return one row: the time from (or to) the nearest source.

    Returns
    -------
    numpy.ndarray
        ``(len(sources), n_nodes)`` minutes, or ``(n_nodes,)`` with *min_only*; NaN
        where unreachable.
    """
    net = as_network(network)
    limit = np.inf if max_minutes is None else float(max_minutes) * 60.0
    d = dijkstra(
        net.csr(reverse=reverse),
        directed=True,
        indices=np.asarray(sources, dtype=np.int32),
        limit=limit,
        min_only=min_only,
    )
    d /= 60.0
    d[np.isinf(d)] = np.nan
    return d


def _pool_workers(workers: int | None, n_sources: int, n_nodes: int) -> int:
    if multiprocessing.current_process().daemon:
        return 1  # a daemonic process (e.g. a Dask or pool worker) may not start children
    if workers is not None:
        return max(1, int(workers))
    cpus = os.cpu_count() or 1
    # measured: two processes pay from about 64 origins on graphs of 50k+ nodes
    return 2 if cpus >= 2 and n_sources >= 64 and n_nodes >= 50_000 else 1


def chunk_size(n_nodes: int, *, with_km: bool) -> int:
    """Origins per Dijkstra call so one chunk's arrays stay near 48 MB."""
    per = n_nodes * (8 + (4 if with_km else 0))
    return int(max(1, min(256, _CHUNK_BYTES // max(per, 1))))
