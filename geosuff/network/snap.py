"""Snap points onto the nearest road (edge, not node) of a network.

Each point is moved to the closest position on the closest road piece, found with a
shapely STR-tree (the index behind geopandas' ``sindex``) over the network's pieces
in EPSG:27700. The straight leg between the point and that position is travelled at
the network's ``offnetwork_speed_kph`` (profile ``offnetwork.speed_kph``, default
15 km/h, an assumption for drives, car parks and unmapped access roads) and counted
in both minutes and km. ``snap_dist_m`` is kept so badly placed points are visible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geosuff._errors import ValidationError
from geosuff.network.engine import METRIC_CRS, RoadNetwork

__all__ = ["DEFAULT_MAX_SNAP_M", "Snapped", "point_ids", "points_metric", "snap_points"]

log = logging.getLogger(__name__)

DEFAULT_MAX_SNAP_M = 5000.0
NODE_TOLERANCE_M = 0.5


@dataclass(frozen=True)
class Snapped:
    """Points attached to road pieces.

    Attributes
    ----------
    ids
        Point ids (the ``id`` column, else the index).
    seg
        Road piece index per point.
    frac
        Position along the piece from node ``a`` (0) to node ``b`` (1).
    dist_m
        Straight distance from the point to the road (``snap_dist_m``).
    a, b
        The piece's end nodes (CSR positions).
    out_t, out_l
        ``(n, 2)`` seconds and metres from the point to ``a`` and to ``b`` (NaN where
        one-way traffic forbids), including the off-network leg.
    in_t, in_l
        ``(n, 2)`` seconds and metres from ``a`` and from ``b`` to the point.
    xy
        ``(n, 2)`` EPSG:27700 coordinates of the points themselves.
    """

    ids: np.ndarray
    seg: np.ndarray
    frac: np.ndarray
    dist_m: np.ndarray
    a: np.ndarray
    b: np.ndarray
    out_t: np.ndarray
    out_l: np.ndarray
    in_t: np.ndarray
    in_l: np.ndarray
    xy: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def point_ids(points: gpd.GeoDataFrame) -> np.ndarray:
    """Return ids from the ``id`` column, else from the index.

    Parameters
    ----------
    points
        The points.

    Returns
    -------
    numpy.ndarray
        One id per row.

    Raises
    ------
    ValidationError
        If ids repeat.
    """
    ids = points["id"].to_numpy() if "id" in points.columns else points.index.to_numpy()
    if len(ids) != len(set(ids.tolist())):
        raise ValidationError("point ids repeat; give each point a unique 'id' (or index)")
    return ids


def points_metric(points: gpd.GeoDataFrame, what: str = "points") -> np.ndarray:
    """Return ``(n, 2)`` EPSG:27700 coordinates of point geometries.

    Parameters
    ----------
    points
        A GeoDataFrame of points in any CRS.
    what
        Name used in error messages (``"origins"``, ``"destinations"``…).

    Returns
    -------
    numpy.ndarray
        Eastings and northings.

    Raises
    ------
    ValidationError
        If it is not a GeoDataFrame, has no CRS, or holds empty or non-point geometry.
    """
    if not isinstance(points, gpd.GeoDataFrame):
        msg = f"{what} must be a GeoDataFrame of points, got {type(points).__name__}"
        raise ValidationError(msg)
    if len(points) == 0:
        raise ValidationError(f"{what}: no points given")
    if points.crs is None:
        msg = f"{what} have no CRS; set it with .set_crs('EPSG:4326') or 'EPSG:27700'"
        raise ValidationError(msg)
    geom = points.geometry
    bad = geom.isna() | geom.is_empty
    if bad.any():
        raise ValidationError(f"{what}: {int(bad.sum())} row(s) have no geometry")
    kinds = set(geom.geom_type)
    if kinds - {"Point"}:
        msg = (
            f"{what} must be points, found {sorted(kinds)}; use population-weighted "
            "centroids or .representative_point()"
        )
        raise ValidationError(msg)
    g = geom.to_crs(METRIC_CRS) if points.crs != METRIC_CRS else geom
    return shapely.get_coordinates(g.values)


def _part(share: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Time for *share* of a piece; zero at its very end even where the direction is banned."""
    return np.where(share <= 0, 0.0, share * t)


def _tree(net: RoadNetwork) -> tuple[shapely.STRtree, np.ndarray]:
    if "strtree" not in net._lazy:
        geoms = shapely.linestrings(
            np.stack(
                [
                    np.column_stack([net.x[net.seg_a], net.y[net.seg_a]]),
                    np.column_stack([net.x[net.seg_b], net.y[net.seg_b]]),
                ],
                axis=1,
            )
        )
        has = np.array([w is not None for w in net.seg_wkb], dtype=bool)
        if has.any():
            geoms[has] = shapely.from_wkb(net.seg_wkb[has])
        net._lazy["strtree"] = (shapely.STRtree(geoms), geoms)
    return net._lazy["strtree"]


def snap_points(
    network: RoadNetwork,
    points: gpd.GeoDataFrame,
    *,
    what: str = "points",
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
) -> Snapped:
    """Snap points to the nearest road piece of *network*.

    Parameters
    ----------
    network
        The network.
    points
        Points in any CRS; ids from the ``id`` column, else the index.
    what
        Name used in messages.
    max_snap_m
        Points farther than this from every road are an error (they are probably
        outside the network's area or in the wrong CRS). ``None`` accepts any distance.

    Returns
    -------
    Snapped
        Snapping results and the costs of reaching the road in each direction.

    Raises
    ------
    ValidationError
        If points are invalid or lie beyond *max_snap_m*.
    """
    ids = point_ids(points)
    xy = points_metric(points, what)
    tree, geoms = _tree(network)
    pts = shapely.points(xy)
    (src, seg), dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    order = np.argsort(src, kind="stable")
    seg, dist = seg[order], dist[order]
    if max_snap_m is not None and np.any(dist > max_snap_m):
        far = np.flatnonzero(dist > max_snap_m)
        shown = ", ".join(map(str, ids[far[:5]].tolist()))
        msg = (
            f"{len(far)} of {len(ids)} {what} lie more than {max_snap_m:,.0f} m from any road "
            f"of the network (e.g. {shown}; farthest {dist.max():,.0f} m): outside the "
            "network's area? Use a network that covers them, or raise max_snap_m (--max-snap-m)"
        )
        raise ValidationError(msg)
    g = geoms[seg]
    frac = shapely.line_locate_point(g, pts, normalized=True)
    frac = np.where(np.isfinite(frac), frac, 0.0)
    # a position within NODE_TOLERANCE_M of a node is at the node (float noise from
    # reprojection must not put a point just past a node on a one-way road)
    glen = shapely.length(g)
    frac = np.where(frac * glen < NODE_TOLERANCE_M, 0.0, frac)
    frac = np.where((1 - frac) * glen < NODE_TOLERANCE_M, 1.0, frac)
    a = network.seg_a[seg]
    b = network.seg_b[seg]
    t_ab = network.seg_t_ab[seg]
    t_ba = network.seg_t_ba[seg]
    ln = network.seg_len_m[seg]
    off = dist / (network.offnetwork_speed_kph / 3.6)
    out_t = np.column_stack([off + _part(frac, t_ba), off + _part(1 - frac, t_ab)])
    in_t = np.column_stack([off + _part(frac, t_ab), off + _part(1 - frac, t_ba)])
    base_l = np.column_stack([dist + frac * ln, dist + (1 - frac) * ln])
    out_l = np.where(np.isfinite(out_t), base_l, np.nan)
    in_l = np.where(np.isfinite(in_t), base_l, np.nan)
    if len(ids) and dist.max() > 500:
        log.info(
            "%s: %d of %d points are more than 500 m from a road (max %.0f m)",
            what,
            int((dist > 500).sum()),
            len(ids),
            dist.max(),
        )
    return Snapped(
        ids=ids,
        seg=seg,
        frac=frac,
        dist_m=dist,
        a=a,
        b=b,
        out_t=out_t,
        out_l=out_l,
        in_t=in_t,
        in_l=in_l,
        xy=xy,
    )
