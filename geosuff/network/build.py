"""Build drivable road networks (osmnx ``MultiDiGraph``) from OSM files or downloads.

Local ``.osm.pbf`` and ``.osm`` XML files are read with pyosmium, filtered to the
drivable ways osmnx's ``network_type="drive"`` keeps, turned into an osmnx-style
graph (``crs`` EPSG:4326, node ``x``/``y``, edge ``osmid``, ``highway``, ``oneway``,
``reversed``, ``length``), simplified with :func:`osmnx.simplify_graph` (merged
attributes in a fixed order, so two builds of the same file give identical arrays
whatever ``PYTHONHASHSEED`` is), given UK speeds
(:func:`geosuff.network.speeds.add_edge_speeds`) and cut to its largest strongly
connected component (the number of nodes dropped is logged and kept in the
network's metadata).

Ways clipped at the edge of an extract reference nodes the file does not hold;
such ways are split at the missing nodes so no straight edge jumps across the gap.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
import shapely

from geosuff._errors import InputFileError, NetworkError, ValidationError
from geosuff.network.engine import RoadNetwork
from geosuff.network.speeds import SpeedProfile, add_edge_speeds, load_profile

__all__ = ["build_network", "graph_from_osm_file", "simplify_graph"]

log = logging.getLogger(__name__)

DRIVE_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)
_EXCLUDED_SERVICE = {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
_ONEWAY_TRUE = {"yes", "true", "1", "-1", "reverse", "t", "f"}
_ONEWAY_REVERSED = {"-1", "reverse", "t"}
_WAY_TAGS = (
    "highway",
    "name",
    "ref",
    "maxspeed",
    "lanes",
    "junction",
    "bridge",
    "tunnel",
    "access",
)
OSM_SUFFIXES = (".pbf", ".osm", ".xml", ".bz2", ".gz", ".o5m")


def _is_drivable(tags: dict[str, str]) -> bool:
    if tags.get("highway") not in DRIVE_HIGHWAYS:
        return False
    if tags.get("area") == "yes" or "private" in tags.get("access", ""):
        return False
    if tags.get("motor_vehicle") == "no" or tags.get("motorcar") == "no":
        return False
    return tags.get("service") not in _EXCLUDED_SERVICE


def _read_osm_ways(
    path: Path,
) -> tuple[dict[int, tuple[float, float]], list[tuple[int, list[int], dict[str, str]]], int]:
    import osmium

    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    clipped = 0
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in fp:
            tags = {t.k: t.v for t in way.tags}
            if not _is_drivable(tags):
                continue
            run: list[int] = []
            for n in way.nodes:
                if n.location.valid():
                    nodes[n.ref] = (n.location.lon, n.location.lat)
                    run.append(n.ref)
                else:
                    clipped += 1
                    if len(run) >= 2:
                        ways.append((way.id, run, tags))
                    run = []
            if len(run) >= 2:
                ways.append((way.id, run, tags))
    except RuntimeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(path, f"not a readable OSM file ({first})") from exc
    return nodes, ways, clipped


def graph_from_osm_file(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read the drivable ways of a local ``.osm.pbf`` or ``.osm`` file as a raw graph.

    Parameters
    ----------
    path
        The OSM file (PBF or XML; compressed XML also works).

    Returns
    -------
    networkx.MultiDiGraph
        An unsimplified osmnx-style graph in EPSG:4326 with edge ``length`` in metres.
        Its ``graph["clipped_node_refs"]`` counts node references without a location
        (ways cut at the extract edge), at which ways were split.

    Raises
    ------
    InputFileError
        If the file is missing, not OSM, or holds no drivable roads.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "file not found")
    if p.stat().st_size == 0:
        raise InputFileError(p, "empty file; expected an OpenStreetMap .osm.pbf or .osm extract")
    nodes, ways, clipped = _read_osm_ways(p)
    if not ways:
        raise InputFileError(p, "no drivable roads (highway=motorway…residential) in this OSM file")
    graph = nx.MultiDiGraph(crs="EPSG:4326", created_with="geosuff", source=str(p))
    used = {n for _, refs, _ in ways for n in refs}
    graph.add_nodes_from((n, {"x": nodes[n][0], "y": nodes[n][1]}) for n in used)
    for way_id, refs, tags in ways:
        attrs: dict[str, Any] = {k: tags[k] for k in _WAY_TAGS if k in tags}
        attrs["osmid"] = way_id
        ow = tags.get("oneway", "").lower()
        oneway = ow in _ONEWAY_TRUE or tags.get("junction") in ("roundabout", "circular")
        if tags.get("highway") == "motorway" and ow == "":
            oneway = True
        seq = list(reversed(refs)) if oneway and ow in _ONEWAY_REVERSED else refs
        pairs = list(itertools.pairwise(seq))
        graph.add_edges_from(
            (u, v, {**attrs, "oneway": oneway, "reversed": False}) for u, v in pairs if u != v
        )
        if not oneway:
            graph.add_edges_from(
                (v, u, {**attrs, "oneway": False, "reversed": True}) for u, v in pairs if u != v
            )
    graph.graph["clipped_node_refs"] = clipped
    if clipped:
        log.info("%s: split ways at %d node references missing from the extract", p.name, clipped)
    return ox.distance.add_edge_lengths(graph)


def _download(source: object, timeout_s: float) -> nx.MultiDiGraph:
    saved = (ox.settings.overpass_rate_limit, ox.settings.requests_timeout)
    # osmnx's Overpass rate limiter otherwise waits ~60 s before failing offline
    ox.settings.overpass_rate_limit = False
    ox.settings.requests_timeout = max(1, int(timeout_s))
    try:
        if isinstance(source, shapely.Polygon | shapely.MultiPolygon):
            return ox.graph_from_polygon(source, network_type="drive", simplify=False)
        if isinstance(source, tuple) and len(source) == 4:
            return ox.graph_from_bbox(source, network_type="drive", simplify=False)
        return ox.graph_from_place(str(source), network_type="drive", simplify=False)
    except Exception as exc:  # requests raises many types; all mean "no download"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"cannot download the road network for {source!r} ({type(exc).__name__}: "
            f"{first[:160]}); work offline from a local .osm.pbf (e.g. a Geofabrik extract)"
        )
        raise NetworkError(msg) from exc
    finally:
        ox.settings.overpass_rate_limit, ox.settings.requests_timeout = saved


def _sorted_unique(values: list[Any]) -> Any:
    """One value if all agree, else the distinct values in a fixed (sorted) order."""
    uniq = sorted(set(values), key=lambda v: (type(v).__name__, str(v)))
    return uniq[0] if len(uniq) == 1 else uniq


def _main_highway(values: list[tuple[str, float]]) -> str:
    """Return the class covering most of a merged edge's length (ties: by name)."""
    by_class: dict[str, float] = {}
    for hw, length in values:
        by_class[hw] = by_class.get(hw, 0.0) + length
    return min(by_class, key=lambda hw: (-round(by_class[hw], 6), hw))


def simplify_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Simplify the graph topology (:func:`osmnx.simplify_graph`), reproducibly.

    osmnx keeps the distinct values of a merged edge's attributes as a list in set
    order, which follows ``PYTHONHASHSEED`` for strings; a speed read from that list
    would change from run to run. Here every merged attribute is a sorted list, and
    ``highway_main`` holds the class covering most of the edge's length, which the
    speed rule uses.

    Parameters
    ----------
    graph
        An unsimplified osmnx-style graph with edge ``length`` and ``highway``.

    Returns
    -------
    networkx.MultiDiGraph
        The simplified graph (a new graph).
    """
    work = graph.copy()
    names: set[str] = set()
    for _, _, data in work.edges(data=True):
        names.update(data)
        hw = data.get("highway")
        if isinstance(hw, str):
            data["_highway_m"] = (hw, float(data.get("length", 0.0)))
    aggs: dict[str, Any] = {
        n: _sorted_unique for n in names - {"length", "travel_time", "geometry"}
    }
    aggs.update({"length": sum, "travel_time": sum, "_highway_m": _main_highway})
    out = ox.simplify_graph(work, edge_attr_aggs=aggs)
    for _, _, data in out.edges(data=True):
        main = data.pop("_highway_m", None)
        if main is not None:
            data["highway_main"] = main if isinstance(main, str) else main[0]
    return out


def _largest_scc(graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, int]:
    if len(graph) == 0:
        return graph, 0
    keep = max(nx.strongly_connected_components(graph), key=len)
    dropped = len(graph) - len(keep)
    if dropped:
        graph = graph.subgraph(keep).copy()
    return graph, dropped


def build_network(
    source: str | os.PathLike[str] | nx.MultiDiGraph | shapely.Polygon | tuple[float, ...],
    *,
    profile: str | os.PathLike[str] | SpeedProfile | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    simplify: bool = True,
    download_timeout_s: float = 10.0,
) -> RoadNetwork:
    """Build a drivable road network with UK care-worker speeds, ready for routing.

    Parameters
    ----------
    source
        A local ``.osm.pbf``/``.osm`` file; an existing osmnx ``MultiDiGraph``
        (speeds are added where edges lack ``travel_time``); or, online only, a
        place name, a shapely polygon (EPSG:4326) or a ``(left, bottom, right, top)``
        bounding box for an osmnx download (fails fast when offline).
    profile
        Speed profile: ``None`` for ``uk_care_worker``, or a TOML override file.
    cache_dir
        When given (file sources only), a built network is stored there keyed by the
        file's path, size and modification time and the profile's hash, and loaded
        from there next time (see :mod:`geosuff.network.cache`).
    simplify
        Simplify the graph topology with :func:`osmnx.simplify_graph` (default).
    download_timeout_s
        Timeout of each download request.

    Returns
    -------
    RoadNetwork
        The network: ``.graph`` (osmnx MultiDiGraph, largest strongly connected
        component) plus routing arrays; ``.meta`` holds counts and timings, including
        ``scc_nodes_dropped``.

    Raises
    ------
    InputFileError
        If the file is missing, empty, not OSM, or has no drivable roads.
    NetworkError
        If a download fails or the graph has no routable edges.
    """
    prof = load_profile(profile)
    t0 = time.perf_counter()
    is_file = isinstance(source, str | os.PathLike) and (
        Path(source).suffix.lower() in OSM_SUFFIXES or Path(source).exists()
    )
    if is_file and cache_dir is not None:
        from geosuff.network.cache import load_cached, save_cached

        cached = load_cached(Path(source), prof, cache_dir)  # type: ignore[arg-type]
        if cached is not None:
            return cached
    if isinstance(source, nx.MultiDiGraph):
        graph = source.copy()
        origin = "graph"
    elif is_file:
        graph = graph_from_osm_file(source)  # type: ignore[arg-type]
        origin = str(source)
    elif isinstance(source, str | shapely.Polygon | shapely.MultiPolygon | tuple):
        graph = _download(source, download_timeout_s)
        origin = f"download:{source!r}"
    else:
        msg = f"cannot build a network from {type(source).__name__}; give an .osm.pbf path"
        raise ValidationError(msg)
    raw_nodes, raw_edges = len(graph), graph.number_of_edges()
    # a user's graph that already has travel times is routed as given
    keep_times = isinstance(source, nx.MultiDiGraph) and all(
        "travel_time" in d for _, _, d in graph.edges(data=True)
    )
    if simplify and not keep_times and not graph.graph.get("simplified", False):
        graph = simplify_graph(graph)
    if not keep_times:
        graph = add_edge_speeds(graph, prof)
    graph, dropped = _largest_scc(graph)
    if graph.number_of_edges() == 0:
        raise NetworkError(f"{origin}: no routable edges after keeping the largest component")
    build_s = time.perf_counter() - t0
    log.info(
        "network %s: %d nodes, %d edges (largest strongly connected component; "
        "%d nodes dropped) built in %.1f s",
        Path(origin).name if is_file else origin,
        len(graph),
        graph.number_of_edges(),
        dropped,
        build_s,
    )
    meta = {
        "source": origin,
        "profile": prof.name,
        "profile_source": prof.source,
        "profile_digest": prof.digest,
        "raw_nodes": raw_nodes,
        "raw_edges": raw_edges,
        "clipped_node_refs": int(graph.graph.get("clipped_node_refs", 0)),
        "scc_nodes_dropped": dropped,
        "build_s": round(build_s, 3),
    }
    net = RoadNetwork.from_graph(graph, meta=meta, offnetwork_speed_kph=prof.offnetwork_speed_kph)
    net.meta["nodes"] = len(graph)
    net.meta["edges"] = graph.number_of_edges()
    if is_file and cache_dir is not None:
        save_cached(net, Path(source), prof, cache_dir)  # type: ignore[arg-type]
    return net
