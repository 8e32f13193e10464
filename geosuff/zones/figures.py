"""Drive-time figures of a zoning: to each zone's centre, and between random clients."""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff.analysis.clients import sample_clients
from geosuff.io.population import demand_points
from geosuff.io.ruc import with_ruc

__all__ = ["CentreTimes", "centre_times", "pair_minutes", "weighted_quantile"]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Weighted quantile of *values* (NaN and zero weights ignored; NaN when none left).

    Parameters
    ----------
    values, weights
        Same length.
    q
        Quantile in 0..1.

    Returns
    -------
    float
        The smallest value whose cumulative weight share reaches *q*.
    """
    ok = ~np.isnan(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(values[ok])
    v, w = values[ok][order], weights[ok][order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(np.searchsorted(cum, q), len(v) - 1)])


class CentreTimes(NamedTuple):
    """Drive times from each LSOA to its own zone's centre and to the nearest other.

    Attributes
    ----------
    own_minutes, other_minutes
        Per LSOA row (NaN for an LSOA in no zone / when no other zone is reachable).
    nearer_other
        Name of the other zone whose centre is nearer, else ``None``.
    method
        Travel method of the drive times.
    """

    own_minutes: np.ndarray
    other_minutes: np.ndarray
    nearer_other: np.ndarray
    method: str


def centre_times(
    population: gpd.GeoDataFrame, zone: pd.Series, names: list[str], network: object | None
) -> CentreTimes:
    """Drive from each LSOA's demand point to every zone's 75+-weighted centre.

    Parameters
    ----------
    population
        LSOAs (rows aligned with *zone*).
    zone
        Zone of each LSOA row (missing when in none).
    names
        The zones, in output order.
    network
        Road network, or ``None`` for the estimate.

    Returns
    -------
    CentreTimes
        The drive to the own centre and to the nearest other one.
    """
    from geosuff.network import time_matrix_array

    xy = population[["demand_e", "demand_n"]].to_numpy(float)
    w = population["pop_75plus"].to_numpy(float)
    z = zone.to_numpy()
    centres = np.array(
        [np.average(xy[z == n], axis=0, weights=np.maximum(w[z == n], 1e-9)) for n in names]
    )
    centre_gdf = gpd.GeoDataFrame(
        {"zone": names},
        geometry=gpd.points_from_xy(centres[:, 0], centres[:, 1]),
        crs=settings.crs_metric,
    )
    centre_gdf = with_ruc(centre_gdf, population)
    arr = time_matrix_array(network, demand_points(population), centre_gdf, max_snap_m=None)
    pos = {n: i for i, n in enumerate(names)}
    own = np.array([pos.get(v, -1) if isinstance(v, str) else -1 for v in z])
    rows = np.arange(len(z))
    own_min = np.where(own >= 0, arr.minutes[rows, np.maximum(own, 0)], np.nan)
    other = arr.minutes.copy()
    other[rows[own >= 0], own[own >= 0]] = np.nan
    other = np.where(np.isnan(other), np.inf, other)
    other_min = other.min(axis=1)
    nearer = (own >= 0) & (other_min < own_min)
    return CentreTimes(
        own_min,
        np.where(np.isfinite(other_min), other_min, np.nan),
        np.where(nearer, np.array(names, dtype=object)[other.argmin(axis=1)], None),
        arr.method,
    )


def pair_minutes(
    lsoas: gpd.GeoDataFrame, network: object | None, n_pairs: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Median and 90th percentile drive between two random clients of one zone.

    Parameters
    ----------
    lsoas
        The zone's LSOAs (polygons, ``pop_75plus``).
    network
        Road network, or ``None`` for the estimate.
    n_pairs
        Random pairs.
    rng
        Random generator.

    Returns
    -------
    tuple of float
        ``(median, p90)`` minutes; NaN when the zone has no people aged 75+.
    """
    from geosuff.network import time_matrix_array

    if n_pairs <= 0 or lsoas["pop_75plus"].sum() <= 0:
        return float("nan"), float("nan")
    a_xy, _ = sample_clients(lsoas, n_pairs, rng)
    b_xy, _ = sample_clients(lsoas, n_pairs, rng)
    ga = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*a_xy.T), crs=settings.crs_metric)
    gb = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*b_xy.T), crs=settings.crs_metric)
    ga, gb = with_ruc(ga, lsoas), with_ruc(gb, lsoas)
    pair = np.diag(time_matrix_array(network, ga, gb, max_snap_m=None).minutes)
    if not np.isfinite(pair).any():
        return float("nan"), float("nan")
    return float(np.nanmedian(pair)), float(np.nanpercentile(pair, 90))
