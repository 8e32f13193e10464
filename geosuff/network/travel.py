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
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff._errors import ValidationError
from geosuff.network._points import nearest_times, network_matrix
from geosuff.network._search import Seeds, multi_source, seeds_of

# threads per matrix: ``_pool_workers(workers, n_searches, n_nodes) -> int``; a module
# global so a caller may replace it (geosuff.batch forces one thread per job this way)
from geosuff.network._search import thread_count as _pool_workers
from geosuff.network.engine import METRIC_CRS, RoadNetwork, as_network
from geosuff.network.fallback import METHOD_NETWORK, estimate_matrix
from geosuff.network.snap import (
    DEFAULT_MAX_SNAP_M,
    point_ids,
    points_metric,
    snap_points,
)
from geosuff.network.speeds import SpeedProfile

if TYPE_CHECKING:
    import networkx as nx

    NetworkLike = RoadNetwork | nx.MultiDiGraph | None

__all__ = ["TravelArrays", "isochrones", "nearest", "time_matrix_array", "travel_time_matrix"]

log = logging.getLogger(__name__)

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
        Also measure the fastest route's length (carried along the search, so it
        costs little); ``km`` is NaN when ``False``.
    workers
        Threads searching at once (``None``: the usable cores when the work is big
        enough, capped by ``GEOSUFF_THREADS``; 1 for small jobs). Threads work inside
        Dask workers and other daemonic processes.
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
        Called with the number of origins finished after each block of searches
        (searching from the destinations, the same share of the origins).

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
    threads = _pool_workers(workers, min(len(so), len(sd)), net.n_nodes)
    minutes, km = network_matrix(
        net, so, sd, limit_s=limit_s, with_km=with_km, threads=threads, progress=progress
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
    limit_s = np.inf if max_minutes is None else float(max_minutes) * 60.0
    reverse = direction == "to_facility"
    t_s, len_m, fac_row = nearest_times(net, so, sf, reverse=reverse, limit_s=limit_s)
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
    seeds = seeds_of(sp.a, sp.b, sp.out_t, sp.out_l)
    rows: list[dict[str, Any]] = []
    for i in range(len(sp)):
        one = Seeds(np.array([0, 2]), *(a[2 * i : 2 * i + 2] for a in seeds[1:]))
        ws, count = multi_source(net._arrays(), one, None, None, limit_s=bands[0] * 60.0)
        nodes = ws.order[:count]  # type: ignore[attr-defined]
        secs = ws.dist[nodes]  # type: ignore[attr-defined]
        for band in bands:
            hit = np.sort(nodes[band * 60.0 >= secs])
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
