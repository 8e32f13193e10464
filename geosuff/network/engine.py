"""Routing engine: a road graph as compressed sparse arrays, queried with Dijkstra.

:class:`RoadNetwork` holds the graph once converted to CSR arrays (EPSG:27700 node
coordinates; edge ``travel_time`` in seconds and ``length`` in metres, taking the
fastest of parallel edges) and a table of undirected road pieces for snapping.
Routing uses compiled, GIL-free Dijkstra kernels (:mod:`geosuff.network._kernels`,
numba) run on threads over sources (:mod:`geosuff.network._search`); searches stop at
the time limit and once every wanted node is settled, and carry route length along.

Points are attached to the network by *seeds*: an origin snapped onto road ``a–b``
at fraction ``f`` starts its search at ``b`` (after ``(1 - f)`` of the ``a→b`` time)
and at ``a`` (after ``f`` of the ``b→a`` time, when that direction exists), plus its
off-network leg. Destinations are finished from the times at ``a`` and ``b``.
Results are therefore exact for points on roads, and one-way roads are respected at
both ends. Point matrices search from the smaller side, over reversed edges when that
is the destinations, so times always run from origin to destination.

Direction: every time is *from* an origin *to* a destination (``origin_id`` →
``dest_id``). Unreachable pairs, and pairs beyond ``max_minutes``, are NaN.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from geosuff._errors import NetworkError

if TYPE_CHECKING:
    import networkx as nx
    from scipy.sparse import csr_matrix

    from geosuff.network._search import Reached

__all__ = ["RoadNetwork", "as_network", "node_times", "reach"]

log = logging.getLogger(__name__)

METRIC_CRS = "EPSG:27700"


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
        from scipy.sparse import csr_matrix

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
        import networkx as nx
        import pyproj

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
        from geosuff.network._segments import road_pieces

        seg = road_pieces(u[sel], v[sel], t[sel], ln[sel], [geoms[i] for i in sel], crs)
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


def _node_seeds(sources: np.ndarray | list[int], n: int) -> np.ndarray:
    src = np.asarray(sources, dtype=np.int64).ravel()
    if src.size and (src.min() < 0 or src.max() >= n):
        raise NetworkError(f"source node positions must be in 0..{n - 1}")
    return src.astype(np.int32)


def node_times(
    network: RoadNetwork | nx.MultiDiGraph,
    sources: np.ndarray | list[int],
    *,
    max_minutes: float | None = None,
    reverse: bool = False,
    min_only: bool = False,
    workers: int | None = None,
) -> np.ndarray:
    """Travel minutes from network nodes (by CSR position) to every node.

    This is the engine's lowest level: compiled Dijkstra searches over the CSR arrays,
    on several threads for several sources.

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
    workers
        Threads (``None``: the usable cores for many sources on large graphs).

    Returns
    -------
    numpy.ndarray
        ``(len(sources), n_nodes)`` minutes, or ``(n_nodes,)`` with *min_only*; NaN
        where unreachable. See :func:`reach` for a result whose memory is proportional
        to what a limited search reached.
    """
    from geosuff.network._search import Seeds, multi_source, reach_rows, thread_count

    net = as_network(network)
    n = net.n_nodes
    src = _node_seeds(sources, n)
    limit = np.inf if max_minutes is None else float(max_minutes) * 60.0
    arrays = net._arrays(reverse=reverse)
    zeros = np.zeros(len(src))
    if min_only:
        seeds = Seeds(np.array([0, len(src)]), src, zeros, zeros)
        ws, count = multi_source(arrays, seeds, None, None, limit_s=limit, with_len=False)
        out = np.full(n, np.nan)
        hit = ws.order[:count]  # type: ignore[attr-defined]
        out[hit] = ws.dist[hit] / 60.0  # type: ignore[attr-defined]
        return out
    seeds = Seeds(np.arange(len(src) + 1, dtype=np.int64), src, zeros, zeros)
    threads = thread_count(workers, len(src), n)
    return reach_rows(arrays, seeds, limit_s=limit, threads=threads, dense=True)  # type: ignore[return-value]


def reach(
    network: RoadNetwork | nx.MultiDiGraph,
    sources: np.ndarray | list[int],
    *,
    max_minutes: float,
    reverse: bool = False,
    workers: int | None = None,
) -> Reached:
    """List the nodes each source reaches within *max_minutes* (memory as reached).

    Unlike :func:`node_times`, memory is proportional to what the searches reached,
    not to ``sources x nodes`` (a 10-minute search on a national graph touches a few
    thousand of its millions of nodes).

    Parameters
    ----------
    network
        The network (or an osmnx-style graph).
    sources
        Source node positions (CSR rows).
    max_minutes
        Search limit.
    reverse
        Time *to* the sources instead of *from* them.
    workers
        Threads (``None``: decide from the work).

    Returns
    -------
    Reached
        ``source`` (row in *sources*), ``node`` and ``minutes`` arrays, one entry per
        node reached, nodes of a source in the order they were settled (nearest first).
    """
    from geosuff.network._search import Seeds, reach_rows, thread_count

    net = as_network(network)
    src = _node_seeds(sources, net.n_nodes)
    zeros = np.zeros(len(src))
    seeds = Seeds(np.arange(len(src) + 1, dtype=np.int64), src, zeros, zeros)
    threads = thread_count(workers, len(src), net.n_nodes)
    arrays = net._arrays(reverse=reverse)
    limit = float(max_minutes) * 60.0
    return reach_rows(arrays, seeds, limit_s=limit, threads=threads, dense=False)  # type: ignore[return-value]
