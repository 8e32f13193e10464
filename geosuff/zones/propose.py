"""Propose zones from seed towns: every LSOA to its nearest seed by drive time."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff.io.area_layers import AreaLayers
from geosuff.io.population import demand_points
from geosuff.io.ruc import with_ruc
from geosuff.zones.adjacency import lsoa_adjacency, parts_by_adjacency

__all__ = ["propose_zones", "zone_polygons"]

log = logging.getLogger(__name__)


def zone_polygons(population: gpd.GeoDataFrame, assignment: pd.DataFrame) -> gpd.GeoDataFrame:
    """Dissolve LSOAs into zone polygons.

    Parameters
    ----------
    population
        LSOA polygons.
    assignment
        ``lsoa_code``, ``zone``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone``, ``n_lsoas``, ``pop_75plus``, geometry (EPSG:27700).
    """
    merged = population[["lsoa_code", "pop_75plus", "geometry"]].merge(
        assignment[["lsoa_code", "zone"]], on="lsoa_code"
    )
    merged = merged[merged["zone"].notna()]
    out = merged.dissolve("zone", aggfunc={"lsoa_code": "count", "pop_75plus": "sum"})
    out = out.rename(columns={"lsoa_code": "n_lsoas"}).reset_index()
    out["geometry"] = out.geometry.make_valid()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=settings.crs_metric)


def _balance(
    zone_idx: np.ndarray,
    minutes: np.ndarray,
    pop: np.ndarray,
    adjacency: object,
    *,
    tolerance: float,
    max_moves: int,
) -> tuple[np.ndarray, int]:
    """Move border LSOAs from the most populous zone to smaller neighbours, keeping contiguity."""
    n_zones = minutes.shape[1]
    zone_idx = zone_idx.copy()
    moves = 0
    for _ in range(max_moves):
        totals = np.bincount(zone_idx, weights=pop, minlength=n_zones)
        mean = totals.mean()
        big = int(np.argmax(totals))
        if totals[big] <= mean * (1 + tolerance):
            break
        members = np.flatnonzero(zone_idx == big)
        best: tuple[float, int, int] | None = None
        for i in members:
            neighbours = adjacency[i].indices  # type: ignore[attr-defined]
            for z in set(zone_idx[neighbours]) - {big}:
                if totals[z] + pop[i] >= totals[big]:
                    continue
                penalty = minutes[i, z] - minutes[i, big]
                if np.isnan(penalty):
                    continue
                if best is None or penalty < best[0]:
                    rest = members[members != i]
                    if parts_by_adjacency(adjacency, rest) > 1:  # type: ignore[arg-type]
                        continue
                    best = (float(penalty), int(i), int(z))
        if best is None:
            break
        zone_idx[best[1]] = best[2]
        moves += 1
    return zone_idx, moves


def propose_zones(
    layers: AreaLayers,
    seeds: gpd.GeoDataFrame,
    *,
    network: object | None = None,
    balance: bool = False,
    tolerance: float = 0.25,
    max_moves: int = 2000,
) -> pd.DataFrame:
    """Assign every LSOA to the zone of its nearest seed town by drive time.

    Parameters
    ----------
    layers
        The area's layers.
    seeds
        Seed points with ``zone`` (:func:`geosuff.zones.seeds.resolve_seeds`).
    network
        Road network for drive times; ``None`` for the labelled straight-line estimate.
    balance
        Then even out the 75+ population: repeatedly move the border LSOA with the
        smallest extra drive from the most populous zone to a smaller neighbouring
        zone, never splitting a zone, until no zone exceeds the mean by more than
        *tolerance*.
    tolerance
        Allowed excess over the mean zone 75+ population when balancing (0.25 = 25%).
    max_moves
        Most LSOAs moved when balancing.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code``, ``zone``, ``seed`` (the nearest seed town), ``minutes_to_seed``
        (to the zone's nearest seed), ``method`` (``network`` or ``estimate_crowfly``).
        ``attrs["moves"]`` counts balancing moves.
    """
    from geosuff.network import time_matrix_array

    pop = layers.population
    arr = time_matrix_array(network, demand_points(pop), with_ruc(seeds, pop), max_snap_m=None)
    zones = list(dict.fromkeys(seeds["zone"]))
    seed_zone = np.array([zones.index(z) for z in seeds["zone"]])
    filled = np.where(np.isnan(arr.minutes), np.inf, arr.minutes)
    per_zone = np.full((len(pop), len(zones)), np.inf)
    for z in range(len(zones)):
        per_zone[:, z] = filled[:, seed_zone == z].min(axis=1)
    unreachable = ~np.isfinite(per_zone).any(axis=1)
    if unreachable.any():
        log.warning("%d LSOAs reach no seed town; left without a zone", int(unreachable.sum()))
    zone_idx = per_zone.argmin(axis=1)
    moves = 0
    if balance:
        minutes_z = np.where(np.isfinite(per_zone), per_zone, np.nan)
        zone_idx, moves = _balance(
            zone_idx,
            minutes_z,
            pop["pop_75plus"].to_numpy(float),
            lsoa_adjacency(pop),
            tolerance=tolerance,
            max_moves=max_moves,
        )
    nearest_seed = filled.argmin(axis=1)
    out = pd.DataFrame(
        {
            "lsoa_code": pop["lsoa_code"].to_numpy(),
            "zone": np.where(unreachable, None, np.array(zones, dtype=object)[zone_idx]),
            "seed": seeds["seed"].to_numpy()[nearest_seed],
            "minutes_to_seed": np.where(
                unreachable, np.nan, per_zone[np.arange(len(pop)), zone_idx]
            ),
            "method": arr.method,
        }
    )
    out.attrs["moves"] = moves
    return out
