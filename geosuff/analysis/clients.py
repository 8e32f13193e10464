"""Where home care clients live: expected clients per LSOA and candidate homes inside it.

Clients are placed where people likely to need home care live: each LSOA expects
``pop_75plus * clients_per_1000_75plus / 1000`` clients (the take-up of
:data:`geosuff.settings.home_care_clients_per_1000_75plus`, a documented assumption),
and their homes are spread uniformly over the LSOA's area, never stacked on its
centroid. A *pool* of candidate homes (a few per expected client) is drawn once per
area, so drive times are computed once and every simulated day draws its clients
from the same homes.
"""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import shapely

from geosuff import settings
from geosuff._errors import ValidationError

__all__ = [
    "ClientPool",
    "client_pool",
    "draw_counts",
    "expected_clients",
    "homes_onto_roads",
    "sample_clients",
]


def expected_clients(pop_75plus: np.ndarray, per_1000_75plus: float | None = None) -> np.ndarray:
    """Return the expected home care clients from the population aged 75+.

    Parameters
    ----------
    pop_75plus
        People aged 75+ per LSOA.
    per_1000_75plus
        Clients per 1,000 aged 75+; default
        :data:`geosuff.settings.home_care_clients_per_1000_75plus`.

    Returns
    -------
    numpy.ndarray
        Expected clients per LSOA (not rounded).

    Examples
    --------
    >>> expected_clients(np.array([1000.0, 150.0]), 58.0).tolist()
    [58.0, 8.7]
    """
    rate = (
        settings.home_care_clients_per_1000_75plus if per_1000_75plus is None else per_1000_75plus
    )
    if not rate > 0:
        msg = f"home care clients per 1,000 aged 75+ must be positive, got {rate!r}"
        raise ValidationError(msg)
    pop = np.nan_to_num(np.asarray(pop_75plus, dtype=float), nan=0.0)
    return np.maximum(pop, 0.0) * rate / 1000.0


def draw_counts(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole numbers of clients with the given expectations (floor, plus one by chance).

    Parameters
    ----------
    expected
        Expected clients per LSOA.
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        Integer counts; each is ``floor(e)`` or ``floor(e) + 1`` with mean ``e``.
    """
    base = np.floor(expected)
    return (base + (rng.random(len(expected)) < expected - base)).astype(np.int64)


def _points_in(geom: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """*n* points uniformly inside a polygon (rejection sampling in its bounding box)."""
    if n == 0:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = geom.bounds
    got: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        x = rng.uniform(minx, maxx, n * 4 + 8)
        y = rng.uniform(miny, maxy, n * 4 + 8)
        inside = shapely.contains_xy(geom, x, y)
        got.append(np.column_stack([x[inside], y[inside]]))
        have += int(inside.sum())
        if have >= n:
            break
    pts = np.concatenate(got)[:n]
    if len(pts) < n:  # a sliver polygon: the rest on its surface
        rep = geom.representative_point()
        pts = np.vstack([pts, np.tile([rep.x, rep.y], (n - len(pts), 1))])
    return pts


def sample_clients(
    lsoas: gpd.GeoDataFrame, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Sample *n* client homes: LSOA by 75+ population, then a uniform point inside it.

    Parameters
    ----------
    lsoas
        LSOA polygons (EPSG:27700) with ``pop_75plus``.
    n
        Number of clients.
    rng
        Random generator (seeded by the caller).

    Returns
    -------
    xy : numpy.ndarray
        ``(n, 2)`` coordinates in EPSG:27700.
    lsoa_index : numpy.ndarray
        Row position in *lsoas* of each client.

    Raises
    ------
    ValidationError
        When the LSOAs have no people aged 75+.
    """
    weights = lsoas["pop_75plus"].to_numpy(float)
    if weights.sum() <= 0:
        msg = "no people aged 75+ in the zone to sample clients from"
        raise ValidationError(msg)
    which = rng.choice(len(lsoas), size=n, p=weights / weights.sum())
    xy = np.empty((n, 2))
    geoms = lsoas.geometry.to_numpy()
    for i in np.unique(which):
        slots = np.flatnonzero(which == i)
        xy[slots] = _points_in(geoms[i], len(slots), rng)
    return xy, which


class ClientPool(NamedTuple):
    """Candidate client homes of an area, grouped by LSOA.

    Attributes
    ----------
    xy
        ``(m, 2)`` homes in EPSG:27700, LSOA by LSOA.
    lsoa
        Row position (in the population layer) of each home's LSOA.
    start
        ``start[i]:start[i + 1]`` are the homes of LSOA row *i*.
    expected
        Expected clients per LSOA row.
    """

    xy: np.ndarray
    lsoa: np.ndarray
    start: np.ndarray
    expected: np.ndarray


def client_pool(
    population: gpd.GeoDataFrame,
    expected: np.ndarray,
    *,
    homes_per_client: float = 2.0,
    rng: np.random.Generator,
) -> ClientPool:
    """Draw candidate homes in every LSOA: ``ceil(homes_per_client * expected)`` each.

    Parameters
    ----------
    population
        LSOA polygons (EPSG:27700).
    expected
        Expected clients per LSOA (:func:`expected_clients`).
    homes_per_client
        Candidate homes per expected client (at least 1): each simulated day draws its
        clients from these, so more homes mean more varied days.
    rng
        Random generator.

    Returns
    -------
    ClientPool
        The homes.
    """
    if not homes_per_client >= 1:
        msg = f"homes_per_client must be at least 1, got {homes_per_client!r}"
        raise ValidationError(msg)
    sizes = np.where(expected > 0, np.ceil(expected * homes_per_client), 0).astype(np.int64)
    # one more than can ever be drawn (floor(e) + 1), so a day never runs out of homes
    sizes = np.where(expected > 0, np.maximum(sizes, np.floor(expected) + 1), 0).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(sizes)])
    xy = np.empty((int(start[-1]), 2))
    geoms = population.geometry.to_numpy()
    for i in np.flatnonzero(sizes):
        xy[start[i] : start[i + 1]] = _points_in(geoms[i], int(sizes[i]), rng)
    lsoa = np.repeat(np.arange(len(sizes)), sizes)
    return ClientPool(xy, lsoa, start, np.asarray(expected, dtype=float))


def homes_onto_roads(pool: ClientPool, network: object) -> ClientPool:
    """Move every candidate home onto its nearest road.

    Homes spread uniformly over a rural LSOA fall in fields; routed as they are, each
    leg would start and end with a slow off-road stretch to the nearest road (in
    Rutland about 240 m on average, two minutes a leg at the off-network speed). Real
    homes are reached by road, so with a network each home is moved to the nearest
    point of its nearest road piece (on the straight line between the piece's nodes).

    Parameters
    ----------
    pool
        Candidate homes.
    network
        A geosuff road network or osmnx-style graph.

    Returns
    -------
    ClientPool
        The same homes, on the roads.
    """
    from geosuff.network import as_network, snap_points

    if len(pool.xy) == 0:
        return pool
    net = as_network(network)
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(pool.xy[:, 0], pool.xy[:, 1]), crs=settings.crs_metric
    )
    snapped = snap_points(net, points, what="client homes", max_snap_m=None)
    ax, ay = net.x[snapped.a], net.y[snapped.a]
    bx, by = net.x[snapped.b], net.y[snapped.b]
    frac = np.clip(snapped.frac, 0.0, 1.0)
    xy = np.column_stack([ax + frac * (bx - ax), ay + frac * (by - ay)])
    return pool._replace(xy=xy)
