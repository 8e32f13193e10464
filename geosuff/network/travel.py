"""Travel answers between points: matrices, nearest facility, isochrones.

Every function takes a :class:`~geosuff.network.engine.RoadNetwork` or any
osmnx-style ``MultiDiGraph`` (node ``x``/``y``, edge ``travel_time`` in seconds), or
``None`` for the labelled straight-line estimate (:mod:`geosuff.network.fallback`;
points with a ``ruc11`` column get their own setting).
Points are GeoDataFrames in any CRS, ids from the ``id`` column else the index.
Times run from origin to destination; unreachable pairs are NaN, never a sentinel.
``km`` is the length of the fastest route, including both off-network legs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from geosuff._errors import ValidationError
from geosuff.network.engine import (
    METRIC_CRS,
    RoadNetwork,
    _augmented,
    _path_lengths,
    _pool_workers,
    as_network,
    chunk_size,
)
from geosuff.network.fallback import METHOD_NETWORK, estimate_matrix
from geosuff.network.snap import (
    DEFAULT_MAX_SNAP_M,
    NODE_TOLERANCE_M,
    Snapped,
    point_ids,
    points_metric,
    snap_points,
)
from geosuff.network.speeds import SpeedProfile

__all__ = ["TravelArrays", "isochrones", "nearest", "time_matrix_array", "travel_time_matrix"]

log = logging.getLogger(__name__)

NetworkLike = RoadNetwork | nx.MultiDiGraph | None
Progress = Callable[[int], None]


class TravelArrays(NamedTuple):
    """Array form of a travel-time matrix (rows = origins, columns = destinations).

    Attributes
    ----------
    minutes, km
        ``(n_origins, n_destinations)``; NaN where unreachable or beyond the limit.
    method
        ``"network"``, ``"estimate_calibrated"`` or ``"estimate_crowfly"``.
    origin_ids, dest_ids
        Ids in row and column order.
    origin_snap_dist_m, dest_snap_dist_m
        Distance from each point to its road (NaN for the estimate).
    calibration
        For an estimate, the calibration it used (or ``"uncalibrated (...)"``);
        empty for network results.
    """

    minutes: np.ndarray
    km: np.ndarray
    method: str
    origin_ids: np.ndarray
    dest_ids: np.ndarray
    origin_snap_dist_m: np.ndarray
    dest_snap_dist_m: np.ndarray
    calibration: str = ""


# state handed to forked worker processes (set under the lock just before forking)
_FORK_STATE: dict[str, Any] = {}
_FORK_LOCK = threading.Lock()


def _finish(
    dist: np.ndarray,
    so: Snapped,
    sd: Snapped,
    rows: np.ndarray,
    lens: tuple[np.ndarray, np.ndarray] | None,
    seg_t: tuple[np.ndarray, np.ndarray, np.ndarray],
    off_mps: float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Destination times (s) and lengths (m) from node times *dist* of origins *rows*."""
    in_t = np.where(np.isfinite(sd.in_t), sd.in_t, np.inf)
    ta = dist[:, sd.a] + in_t[:, 0]
    tb = dist[:, sd.b] + in_t[:, 1]
    via_b = tb < ta
    t_s = np.where(via_b, tb, ta)
    len_m = None
    if lens is not None:
        len_m = np.where(via_b, lens[1] + sd.in_l[:, 1], lens[0] + sd.in_l[:, 0])
        len_m = np.where(np.isfinite(t_s), len_m, np.nan)
    # origin and destination on the same road piece: the direct stretch may be shorter
    oi, dj = np.nonzero(so.seg[rows][:, None] == sd.seg[None, :])
    if len(oi):
        t_ab, t_ba, seg_len = seg_t
        s = sd.seg[dj]
        fo, fd = so.frac[rows[oi]], sd.frac[dj]
        offs_t = (so.dist_m[rows[oi]] + sd.dist_m[dj]) / off_mps
        fwd = np.where(fd >= fo, (fd - fo) * t_ab[s], np.inf)
        bwd = np.where(fd <= fo, (fo - fd) * t_ba[s], np.inf)
        direct = np.fmin(np.nan_to_num(fwd, nan=np.inf), np.nan_to_num(bwd, nan=np.inf))
        direct = direct + offs_t
        # a point and itself (same place, within the node tolerance) are 0 apart
        same = np.hypot(*(so.xy[rows[oi]] - sd.xy[dj]).T) < NODE_TOLERANCE_M
        direct = np.where(same, 0.0, direct)
        better = direct < t_s[oi, dj]
        t_s[oi[better], dj[better]] = direct[better]
        if len_m is not None:
            direct_m = np.abs(fd - fo) * seg_len[s] + so.dist_m[rows[oi]] + sd.dist_m[dj]
            len_m[oi[better], dj[better]] = np.where(same, 0.0, direct_m)[better]
    return t_s, len_m


def _chunk_job(
    bounds: tuple[int, int], state: dict[str, Any] | None = None
) -> tuple[int, np.ndarray, np.ndarray | None]:
    st = _FORK_STATE if state is None else state
    rows = np.arange(bounds[0], bounds[1])
    n = st["n"]
    res = dijkstra(
        st["g"],
        directed=True,
        indices=n + rows,
        limit=st["limit"],
        return_predecessors=st["with_km"],
    )
    if st["with_km"]:
        dist, pred = res
        targets, inv = st["targets"]
        at = _path_lengths(pred, targets, st["keys"], st["lens"])
        lens = (at[:, inv[: len(st["sd"])]], at[:, inv[len(st["sd"]) :]])
    else:
        dist, lens = res, None
    t_s, len_m = _finish(dist, st["so"], st["sd"], rows, lens, st["seg_t"], st["off_mps"])
    return bounds[0], t_s, len_m


def _network_matrix(
    net: RoadNetwork,
    so: Snapped,
    sd: Snapped,
    *,
    limit_s: float,
    with_km: bool,
    workers: int | None,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    g, keys, lens = _augmented(net, np.column_stack([so.a, so.b]), so.out_t, so.out_l)
    n_o, n_d = len(so), len(sd)
    minutes = np.full((n_o, n_d), np.nan)
    km = np.full((n_o, n_d), np.nan)
    size = chunk_size(net.n_nodes + n_o, with_km=with_km)
    nw = _pool_workers(workers, n_o, net.n_nodes)
    if nw > 1:
        size = min(size, max(1, -(-n_o // (nw * 4))))
    chunks = [(i, min(i + size, n_o)) for i in range(0, n_o, size)]
    targets = np.unique(np.concatenate([sd.a, sd.b]), return_inverse=True)
    state = dict(
        targets=targets,
        g=g,
        keys=keys,
        lens=lens,
        n=net.n_nodes,
        limit=limit_s,
        with_km=with_km,
        so=so,
        sd=sd,
        seg_t=(net.seg_t_ab, net.seg_t_ba, net.seg_len_m),
        off_mps=net.offnetwork_speed_kph / 3.6,
    )
    if nw > 1 and os.name == "posix" and len(chunks) > 1:
        with _FORK_LOCK:
            _FORK_STATE.update(state)
            try:
                ctx = multiprocessing.get_context("fork")
                with ctx.Pool(nw) as pool:
                    results = pool.imap_unordered(_chunk_job, chunks)
                    _collect(results, minutes, km, limit_s, progress)
            finally:
                _FORK_STATE.clear()
    else:
        jobs = (_chunk_job(c, state) for c in chunks)
        _collect(jobs, minutes, km, limit_s, progress)
    return minutes, km


def _collect(
    results: Any,
    minutes: np.ndarray,
    km: np.ndarray,
    limit_s: float,
    progress: Progress | None,
) -> None:
    for start, t_s, len_m in results:
        t_s = np.where(np.isfinite(t_s) & (t_s <= limit_s), t_s, np.nan)
        stop = start + t_s.shape[0]
        minutes[start:stop] = t_s / 60.0
        if len_m is not None:
            km[start:stop] = np.where(np.isnan(t_s), np.nan, len_m / 1000.0)
        if progress is not None:
            progress(t_s.shape[0])


def time_matrix_array(
    network: NetworkLike,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    max_minutes: float | None = None,
    with_km: bool = True,
    workers: int | None = None,
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
    area_class: str | None = None,
    profile: str | os.PathLike[str] | SpeedProfile | None = None,
    progress: Progress | None = None,
) -> TravelArrays:
    """Travel minutes (and km) from every origin to every destination, as arrays.

    Parameters
    ----------
    network
        A :class:`RoadNetwork`, an osmnx-style graph, or ``None`` for the labelled
        straight-line estimate.
    origins, destinations
        Points (GeoDataFrames in any CRS); ids from ``id`` else the index.
    max_minutes
        Search limit; pairs beyond it are NaN (searching stops there, so a limit is
        much faster on large networks).
    with_km
        Also measure the fastest route's length (costs about as much again as the
        time search on large networks); ``km`` is NaN when ``False``.
    workers
        Processes for many origins; ``None`` uses two on a 2+ core machine for 64+
        origins on graphs of 50,000+ nodes, else one.
    max_snap_m
        Points farther than this from any road are an error (``None``: accept all).
    area_class
        The estimate (``network=None`` only): ``None`` (or ``"auto"``) uses each point's own setting
        from its ``ruc11`` column (RUC11 code; the calibrated estimate, or the
        uncalibrated rural one with a warning when neither side has ``ruc11``);
        ``"urban"``/``"rural"`` the uncalibrated estimate; a RUC11 code (``"C1"``)
        the calibrated estimate with that setting everywhere
        (:func:`geosuff.network.fallback.estimate_matrix`).
    profile
        Speed profile for the estimate (default: ``settings.estimate_profile``, else
        the packaged one).
    progress
        Called with the number of origins finished after each chunk.

    Returns
    -------
    TravelArrays
        ``minutes``, ``km``, ``method`` and the ids and snapping distances.

    Raises
    ------
    ValidationError
        For invalid points, or points beyond *max_snap_m*.
    NetworkError
        If the graph is not routable (e.g. no ``travel_time``).
    """
    if max_minutes is not None and not max_minutes > 0:
        raise ValidationError(f"max_minutes must be positive, got {max_minutes!r}")
    o_ids, d_ids = point_ids(origins), point_ids(destinations)
    if network is None:
        oxy = points_metric(origins, "origins")
        dxy = points_metric(destinations, "destinations")
        minutes, km, method, calibration = estimate_matrix(
            origins,
            destinations,
            oxy,
            dxy,
            area_class=area_class,
            profile=profile,
            max_minutes=max_minutes,
        )
        if progress is not None:
            progress(len(o_ids))
        nan_o, nan_d = np.full(len(o_ids), np.nan), np.full(len(d_ids), np.nan)
        return TravelArrays(minutes, km, method, o_ids, d_ids, nan_o, nan_d, calibration)
    net = as_network(network)
    so = snap_points(net, origins, what="origins", max_snap_m=max_snap_m)
    sd = snap_points(net, destinations, what="destinations", max_snap_m=max_snap_m)
    limit_s = np.inf if max_minutes is None else float(max_minutes) * 60.0
    minutes, km = _network_matrix(
        net, so, sd, limit_s=limit_s, with_km=with_km, workers=workers, progress=progress
    )
    return TravelArrays(minutes, km, METHOD_NETWORK, o_ids, d_ids, so.dist_m, sd.dist_m)


def travel_time_matrix(
    network: NetworkLike,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    max_minutes: float | None = None,
    dropna: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """Travel times as a tidy table, one row per origin–destination pair.

    Parameters
    ----------
    network
        A :class:`RoadNetwork`, an osmnx-style graph, or ``None`` (straight-line
        estimate, ``method = "estimate_calibrated"`` or ``"estimate_crowfly"``).
    origins, destinations
        Points in any CRS; ids from the ``id`` column else the index.
    max_minutes
        Pairs beyond this are NaN (or absent with *dropna*).
    dropna
        Leave out unreachable pairs instead of giving them NaN.
    **kwargs
        Passed to :func:`time_matrix_array` (``with_km``, ``workers``, ``max_snap_m``,
        ``area_class``, ``profile``, ``progress``).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin_id, dest_id, minutes, km, method, origin_snap_dist_m,
        dest_snap_dist_m``; travel runs from origin to destination.
        ``attrs["calibration"]`` names the estimate's calibration.

    Examples
    --------
    >>> table = travel_time_matrix(None, homes, lsoas)  # doctest: +SKIP
    """
    arr = time_matrix_array(network, origins, destinations, max_minutes=max_minutes, **kwargs)
    n_o, n_d = arr.minutes.shape
    df = pd.DataFrame(
        {
            "origin_id": np.repeat(arr.origin_ids, n_d),
            "dest_id": np.tile(arr.dest_ids, n_o),
            "minutes": arr.minutes.ravel(),
            "km": arr.km.ravel(),
            "method": arr.method,
            "origin_snap_dist_m": np.repeat(arr.origin_snap_dist_m, n_d),
            "dest_snap_dist_m": np.tile(arr.dest_snap_dist_m, n_o),
        }
    )
    if dropna:
        df = df[df["minutes"].notna()].reset_index(drop=True)
    df.attrs["calibration"] = arr.calibration
    return df


def nearest(
    network: NetworkLike,
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    max_minutes: float | None = None,
    direction: str = "to_facility",
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
    area_class: str | None = None,
) -> pd.DataFrame:
    """Find the nearest facility (in time) for every origin, with one search in total.

    Parameters
    ----------
    network
        A network, an osmnx-style graph, or ``None`` for the estimate.
    origins, facilities
        Points in any CRS; ids from ``id`` else the index.
    max_minutes
        Facilities beyond this count as not found (NaN, ``facility_id`` missing).
    direction
        ``"to_facility"`` (origin travels to the facility, e.g. a resident to a care
        home) or ``"from_facility"`` (e.g. an agency's carer to a client).
    max_snap_m
        Points farther than this from any road are an error.
    area_class
        For the estimate, as in :func:`time_matrix_array`.

    Returns
    -------
    pandas.DataFrame
        ``origin_id, facility_id, minutes, km, method, origin_snap_dist_m,
        facility_snap_dist_m``, one row per origin.

    Raises
    ------
    ValidationError
        For invalid points or an unknown *direction*.
    """
    if direction not in ("to_facility", "from_facility"):
        msg = f"direction must be 'to_facility' or 'from_facility', got {direction!r}"
        raise ValidationError(msg)
    o_ids, f_ids = point_ids(origins), point_ids(facilities)
    if network is None:
        arr = time_matrix_array(
            None, origins, facilities, max_minutes=max_minutes, area_class=area_class
        )
        best = np.argmin(np.where(np.isnan(arr.minutes), np.inf, arr.minutes), axis=1)
        mins = arr.minutes[np.arange(len(o_ids)), best]
        km = arr.km[np.arange(len(o_ids)), best]
        fac = pd.array(f_ids[best], dtype=object)
        fac[np.isnan(mins)] = None
        out = pd.DataFrame(
            {
                "origin_id": o_ids,
                "facility_id": fac,
                "minutes": mins,
                "km": km,
                "method": arr.method,
                "origin_snap_dist_m": np.nan,
                "facility_snap_dist_m": np.nan,
            }
        )
        out.attrs["calibration"] = arr.calibration
        return out
    net = as_network(network)
    so = snap_points(net, origins, what="origins", max_snap_m=max_snap_m)
    sf = snap_points(net, facilities, what="facilities", max_snap_m=max_snap_m)
    reverse = direction == "to_facility"
    # search from the facilities over (reversed, for "to") roads, nearest only
    f_t, f_l = (sf.in_t, sf.in_l) if reverse else (sf.out_t, sf.out_l)
    g, keys, lens = _augmented(net, np.column_stack([sf.a, sf.b]), f_t, f_l, reverse=reverse)
    n = net.n_nodes
    limit_s = np.inf if max_minutes is None else float(max_minutes) * 60.0
    dist, pred, src = dijkstra(
        g,
        directed=True,
        indices=np.arange(n, n + len(sf)),
        limit=limit_s,
        min_only=True,
        return_predecessors=True,
    )
    targets, inv = np.unique(np.concatenate([so.a, so.b]), return_inverse=True)
    at = _path_lengths(pred[None, :], targets, keys, lens)[0]
    tree_len_a, tree_len_b = at[inv[: len(so)]], at[inv[len(so) :]]
    o_t, o_l = (so.out_t, so.out_l) if reverse else (so.in_t, so.in_l)
    o_t = np.where(np.isfinite(o_t), o_t, np.inf)
    ta, tb = o_t[:, 0] + dist[so.a], o_t[:, 1] + dist[so.b]
    via_b = tb < ta
    t_s = np.where(via_b, tb, ta)
    len_m = np.where(via_b, o_l[:, 1] + tree_len_b, o_l[:, 0] + tree_len_a)
    fac_row = np.where(via_b, src[so.b], src[so.a]) - n
    # an origin on the same road piece as a facility may reach it directly
    seg_fac: dict[int, list[int]] = {}
    for j, s in enumerate(sf.seg.tolist()):
        seg_fac.setdefault(s, []).append(j)
    off_mps = net.offnetwork_speed_kph / 3.6
    for i in np.flatnonzero(np.isin(so.seg, sf.seg)):
        s = int(so.seg[i])
        for j in seg_fac[s]:
            fo, ff = (so.frac[i], sf.frac[j]) if reverse else (sf.frac[j], so.frac[i])
            t_dir = net.seg_t_ab[s] if ff >= fo else net.seg_t_ba[s]
            if np.isnan(t_dir):
                continue
            direct = abs(ff - fo) * t_dir + (so.dist_m[i] + sf.dist_m[j]) / off_mps
            direct_m = abs(ff - fo) * net.seg_len_m[s] + so.dist_m[i] + sf.dist_m[j]
            if np.hypot(*(so.xy[i] - sf.xy[j])) < NODE_TOLERANCE_M:
                direct, direct_m = 0.0, 0.0
            if direct < t_s[i]:
                t_s[i] = direct
                len_m[i] = direct_m
                fac_row[i] = j
    ok = np.isfinite(t_s) & (limit_s >= t_s)
    fac = pd.array(np.empty(len(o_ids), dtype=object), dtype=object)
    fac[ok] = f_ids[fac_row[ok]]
    fac[~ok] = None
    return pd.DataFrame(
        {
            "origin_id": o_ids,
            "facility_id": fac,
            "minutes": np.where(ok, t_s / 60.0, np.nan),
            "km": np.where(ok, len_m / 1000.0, np.nan),
            "method": METHOD_NETWORK,
            "origin_snap_dist_m": so.dist_m,
            "facility_snap_dist_m": np.where(ok, sf.dist_m[np.where(ok, fac_row, 0)], np.nan),
        }
    )


def isochrones(
    network: RoadNetwork | nx.MultiDiGraph,
    points: gpd.GeoDataFrame,
    minutes: Sequence[float] = (10, 20, 30),
    *,
    ratio: float = 0.3,
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """Areas reachable from each point within each time band, as polygons.

    Each polygon is the concave hull (:func:`shapely.concave_hull`, *ratio*) of the
    point and the network nodes reached within the band. It outlines where the roads
    reach; land between roads is included and road ends beyond the last node are not.

    Parameters
    ----------
    network
        A network or an osmnx-style graph (isochrones need a network).
    points
        Start points in any CRS; ids from ``id`` else the index.
    minutes
        Time bands in minutes.
    ratio
        Concave hull ratio (0 = tightest, 1 = convex hull).
    max_snap_m
        Points farther than this from any road are an error.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id, minutes, nodes_reached, method, geometry`` in EPSG:27700, one row per
        point and band (largest band first, so smaller ones draw on top).

    Raises
    ------
    ValidationError
        If *minutes* is empty or not positive, or points are invalid.
    """
    bands = sorted({float(m) for m in minutes}, reverse=True)
    if not bands or bands[-1] <= 0:
        raise ValidationError(f"minutes must be positive numbers, got {list(minutes)!r}")
    net = as_network(network)
    sp = snap_points(net, points, what="points", max_snap_m=max_snap_m)
    xy = points_metric(points, "points")
    g, _, _ = _augmented(net, np.column_stack([sp.a, sp.b]), sp.out_t, sp.out_l)
    n = net.n_nodes
    rows: list[dict[str, Any]] = []
    for i in range(len(sp)):
        dist = dijkstra(g, directed=True, indices=n + i, limit=bands[0] * 60.0)[:n]
        for band in bands:
            hit = np.flatnonzero(band * 60.0 >= dist)
            pts = np.vstack([xy[i : i + 1], np.column_stack([net.x[hit], net.y[hit]])])
            geom = shapely.concave_hull(shapely.multipoints(pts), ratio=ratio)
            if geom.area == 0:
                geom = geom.buffer(25.0)
            rows.append(
                {
                    "id": sp.ids[i],
                    "minutes": band,
                    "nodes_reached": len(hit),
                    "method": METHOD_NETWORK,
                    "geometry": geom,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
