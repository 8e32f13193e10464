"""LSOA adjacency and zone contiguity (polygon adjacency and road network)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["lsoa_adjacency", "parts_by_adjacency", "parts_by_road"]

#: Generalised boundaries leave hairline gaps between neighbours; polygons closer
#: than this (metres) count as touching.
TOUCH_TOLERANCE_M = 5.0


def lsoa_adjacency(population: gpd.GeoDataFrame) -> csr_matrix:
    """Symmetric adjacency matrix of LSOAs that touch (within a few metres).

    Parameters
    ----------
    population
        LSOA polygons (EPSG:27700), row order defines matrix order.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n, n)`` boolean adjacency, no self loops.
    """
    geoms = population.geometry.reset_index(drop=True)
    left, right = geoms.sindex.query(
        geoms.buffer(TOUCH_TOLERANCE_M), predicate="intersects", output_format="indices"
    )
    keep = left != right
    n = len(geoms)
    m = coo_matrix((np.ones(keep.sum(), dtype=bool), (left[keep], right[keep])), shape=(n, n))
    return (m + m.T).tocsr().astype(bool)


def parts_by_adjacency(adjacency: csr_matrix, members: np.ndarray) -> int:
    """Count the separate pieces a set of LSOAs forms by polygon adjacency.

    Parameters
    ----------
    adjacency
        From :func:`lsoa_adjacency`.
    members
        Row positions of the zone's LSOAs.

    Returns
    -------
    int
        Connected components (1 = contiguous; 0 for no members).
    """
    if len(members) == 0:
        return 0
    sub = adjacency[members][:, members]
    n, _ = connected_components(sub, directed=False)
    return int(n)


def parts_by_road(network: object, zone_polygon: object, points_xy: np.ndarray) -> int:
    """Count the pieces a zone forms by road, driving only inside the zone.

    Nodes of the network inside the zone polygon are kept; the zone's demand points
    are snapped to their nearest kept node; the answer is the number of road
    components those points fall in.

    Parameters
    ----------
    network
        A geosuff road network (or osmnx graph).
    zone_polygon
        The zone's outline (EPSG:27700).
    points_xy
        ``(n, 2)`` demand points of the zone's LSOAs.

    Returns
    -------
    int
        Road components holding the zone's points (1 = connected inside the zone).
    """
    import shapely

    from geosuff.network import as_network

    net = as_network(network)
    inside = shapely.contains_xy(zone_polygon.buffer(TOUCH_TOLERANCE_M), net.x, net.y)
    idx = np.flatnonzero(inside)
    if len(idx) == 0 or len(points_xy) == 0:
        return len(points_xy)
    sub = net.csr()[idx][:, idx]
    _, labels = connected_components(sub, directed=False)
    tree = shapely.STRtree(shapely.points(net.x[idx], net.y[idx]))
    nearest = tree.nearest(shapely.points(points_xy[:, 0], points_xy[:, 1]))
    return len(np.unique(labels[nearest]))
