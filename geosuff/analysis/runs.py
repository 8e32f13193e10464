"""Care-worker travel per zone: simulated daily home care runs.

For each zone (or other LSOA group) geosuff simulates many daily runs: client homes
are sampled in proportion to the 75+ population of each LSOA and spread uniformly
inside the LSOA (not stacked on its centroid); each run visits 6-8 clients starting
from the nearest home care agency in the zone, or from the zone's population-weighted
centre when the zone has none, in a nearest-neighbour order improved by 2-opt.
Travel per visit is the run's drive time divided by its visits, plus the profile's
per-visit overhead (parking, walking to the door). Runs are seeded and reproducible;
the spread across runs is reported, not only the mean.
"""

from __future__ import annotations

import itertools
import logging
import zlib
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.io.area_layers import AreaLayers

__all__ = ["KM_PER_MILE", "care_runs", "order_run", "sample_clients", "simulate_runs"]

log = logging.getLogger(__name__)

KM_PER_MILE = 1.609344

TravelFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, str]]


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
        geom = geoms[i]
        minx, miny, maxx, maxy = geom.bounds
        got: list[np.ndarray] = []
        need = len(slots)
        for _ in range(200):
            x = rng.uniform(minx, maxx, need * 4 + 8)
            y = rng.uniform(miny, maxy, need * 4 + 8)
            inside = shapely.contains_xy(geom, x, y)
            got.append(np.column_stack([x[inside], y[inside]]))
            if sum(len(g) for g in got) >= need:
                break
        pts = np.concatenate(got)[:need]
        if len(pts) < need:  # a sliver polygon: fall back to a point on its surface
            rep = geom.representative_point()
            pts = np.vstack([pts, np.tile([rep.x, rep.y], (need - len(pts), 1))])
        xy[slots] = pts
    return xy, which


def order_run(times: np.ndarray) -> np.ndarray:
    """Order the visits of one run: nearest neighbour from the start, then 2-opt.

    Parameters
    ----------
    times
        ``(k + 1, k + 1)`` travel minutes; row/column 0 is the start, 1..k the visits.
        The run is an open path (it does not return to the start).

    Returns
    -------
    numpy.ndarray
        Visit order as indices 1..k.
    """
    k = times.shape[0] - 1
    cost = np.where(np.isnan(times), 1e9, times)
    left = set(range(1, k + 1))
    path = [0]
    while left:
        nxt = min(left, key=lambda j: cost[path[-1], j])
        path.append(nxt)
        left.remove(nxt)

    def length(p: list[int]) -> float:
        return float(sum(cost[a, b] for a, b in itertools.pairwise(p)))

    best = length(path)
    improved = True
    while improved:
        improved = False
        for i in range(1, k):
            for j in range(i + 1, k + 1):
                cand = path[:i] + path[i : j + 1][::-1] + path[j + 1 :]
                c = length(cand)
                if c < best - 1e-9:
                    path, best, improved = cand, c, True
    return np.array(path[1:])


def _travel_fn(network: object | None, area_class: str) -> TravelFn:
    from geosuff.network import time_matrix_array

    def travel(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
        ga = gpd.GeoDataFrame(geometry=gpd.points_from_xy(a[:, 0], a[:, 1]), crs=27700)
        gb = gpd.GeoDataFrame(geometry=gpd.points_from_xy(b[:, 0], b[:, 1]), crs=27700)
        arr = time_matrix_array(network, ga, gb, max_snap_m=None, area_class=area_class)
        return arr.minutes, arr.km, arr.method

    return travel


def simulate_runs(
    lsoas: gpd.GeoDataFrame,
    start_xy: np.ndarray,
    travel: TravelFn,
    *,
    n_runs: int = 100,
    visits: tuple[int, int] = (6, 8),
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Simulate daily runs in one zone.

    Parameters
    ----------
    lsoas
        The zone's LSOAs (polygons, ``pop_75plus``).
    start_xy
        ``(2,)`` start of every run (agency base or zone centre), EPSG:27700.
    travel
        ``travel(from_xy, to_xy) -> (minutes, km, method)`` matrices.
    n_runs
        Number of runs.
    visits
        Inclusive range of visits per run.
    rng
        Random generator.

    Returns
    -------
    pandas.DataFrame
        One row per run: ``run``, ``visits``, ``drive_minutes``, ``drive_km``,
        ``unreachable_legs``, ``method``.
    """
    lo, hi = visits
    if not 1 <= lo <= hi:
        msg = f"visits must be a range like (6, 8), got {visits!r}"
        raise ValidationError(msg)
    counts = rng.integers(lo, hi + 1, size=n_runs)
    xy, _ = sample_clients(lsoas, int(counts.sum()), rng)
    points = np.vstack([start_xy[None, :], xy])
    minutes, km, method = travel(points, points)
    rows = []
    offset = 1
    for r, k in enumerate(counts):
        idx = np.concatenate([[0], np.arange(offset, offset + k)])
        offset += k
        t = minutes[np.ix_(idx, idx)]
        order = order_run(t)
        path = np.concatenate([[0], order])
        legs_t = t[path[:-1], path[1:]]
        legs_km = km[np.ix_(idx, idx)][path[:-1], path[1:]]
        rows.append(
            {
                "run": r,
                "visits": int(k),
                "drive_minutes": float(np.nansum(legs_t)),
                "drive_km": float(np.nansum(legs_km)),
                "unreachable_legs": int(np.isnan(legs_t).sum()),
                "method": method,
            }
        )
    return pd.DataFrame(rows)


def care_runs(
    layers: AreaLayers,
    *,
    groups: pd.Series | None = None,
    network: object | None = None,
    n_runs: int = 100,
    visits: tuple[int, int] = (6, 8),
    visit_minutes: float = 30.0,
    overhead_minutes: float | None = None,
    hourly_rate_gbp: float | None = None,
    mileage_rate_gbp_per_mile: float | None = None,
    seed: int = 0,
    area_class: str = "rural",
    with_runs: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Estimate home care workers' travel per zone from simulated daily runs.

    Parameters
    ----------
    layers
        The area's layers.
    groups
        Zone of each LSOA (indexed by ``lsoa_code``); default its local authority.
    network
        Road network or osmnx graph; ``None`` for the labelled straight-line estimate.
    n_runs
        Runs simulated per zone.
    visits
        Inclusive range of visits per run (default 6-8).
    visit_minutes
        Paid contact time per visit, for the travel share of paid time.
    overhead_minutes
        Per-visit overhead (parking, walking to the door); default the speed profile's.
    hourly_rate_gbp
        Hourly rate for the cost of travel time; default
        :data:`geosuff.settings.home_care_hourly_rate_gbp` (£25.95, a default to change).
    mileage_rate_gbp_per_mile
        Mileage rate; default :data:`geosuff.settings.mileage_rate_gbp_per_mile` (45p).
    seed
        Seed; the same seed gives the same runs, zone by zone.
    area_class
        Estimate speeds when there is no network.
    with_runs
        Also return the run-level table (one row per simulated run).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone (dissolved LSOAs, EPSG:27700): ``zone``, ``n_lsoas``,
        ``pop_75plus``, ``start`` (``agency`` or ``centre``), ``runs``, ``visits``,
        ``drive_minutes_per_visit`` (mean), ``travel_minutes_per_visit`` (drive plus
        overhead: ``_mean``, ``_median``, ``_p10``, ``_p90``), ``miles_per_visit``,
        ``travel_share_of_paid_time`` (travel / (travel + contact time)),
        ``travel_cost_per_visit_gbp``, ``unreachable_legs``, ``travel_method``.
        With *with_runs*, a tuple of that and the run-level table.
    """
    from geosuff.network import load_profile

    overhead = load_profile().visit_overhead_min if overhead_minutes is None else overhead_minutes
    rate = settings.home_care_hourly_rate_gbp if hourly_rate_gbp is None else hourly_rate_gbp
    mileage = (
        settings.mileage_rate_gbp_per_mile
        if mileage_rate_gbp_per_mile is None
        else mileage_rate_gbp_per_mile
    )
    pop = layers.population
    zone = (
        pop["la_code"].astype(str)
        if groups is None
        else pop["lsoa_code"].map(groups).astype(object).fillna("(none)")
    )
    travel = _travel_fn(network, area_class)
    agencies = layers.home_care
    rows, run_tables = [], []
    for name in sorted(zone.unique()):
        members = pop[zone.to_numpy() == name]
        w = members["pop_75plus"].to_numpy(float)
        if w.sum() <= 0:
            log.warning("zone %s has no people aged 75+; no runs simulated", name)
            continue
        centre = np.array(
            [np.average(members["demand_e"], weights=w), np.average(members["demand_n"], weights=w)]
        )
        start, start_xy = "centre", centre
        if not agencies.empty:
            inside = agencies[agencies["lsoa_code"].isin(members["lsoa_code"])]
            if not inside.empty:
                xy = np.column_stack([inside.geometry.x, inside.geometry.y])
                start, start_xy = "agency", xy[np.argmin(((xy - centre) ** 2).sum(axis=1))]
        rng = np.random.default_rng([seed, zlib.crc32(str(name).encode())])
        runs = simulate_runs(members, start_xy, travel, n_runs=n_runs, visits=visits, rng=rng)
        per_visit = runs["drive_minutes"] / runs["visits"] + overhead
        miles = runs["drive_km"] / runs["visits"] / KM_PER_MILE
        travel_total = per_visit * runs["visits"]
        share = travel_total / (travel_total + visit_minutes * runs["visits"])
        cost = per_visit / 60.0 * rate + miles * mileage
        run_tables.append(runs.assign(zone=name, travel_minutes_per_visit=per_visit))
        rows.append(
            {
                "zone": name,
                "n_lsoas": len(members),
                "pop_75plus": float(w.sum()),
                "start": start,
                "runs": len(runs),
                "visits": int(runs["visits"].sum()),
                "drive_minutes_per_visit": float((per_visit - overhead).mean()),
                "travel_minutes_per_visit_mean": float(per_visit.mean()),
                "travel_minutes_per_visit_median": float(per_visit.median()),
                "travel_minutes_per_visit_p10": float(per_visit.quantile(0.1)),
                "travel_minutes_per_visit_p90": float(per_visit.quantile(0.9)),
                "miles_per_visit": float(miles.mean()),
                "travel_share_of_paid_time": float(share.mean()),
                "travel_cost_per_visit_gbp": float(cost.mean()),
                "unreachable_legs": int(runs["unreachable_legs"].sum()),
                "travel_method": runs["method"].iloc[0],
            }
        )
    table = pd.DataFrame(rows)
    shapes = gpd.GeoDataFrame(
        {"zone": zone.to_numpy()}, geometry=pop.geometry.to_numpy(), crs=pop.crs
    )
    shapes = shapes.dissolve("zone").reset_index()
    result = gpd.GeoDataFrame(table.merge(shapes, on="zone"), geometry="geometry", crs=pop.crs)
    result.attrs.update(
        hourly_rate_gbp=rate, mileage_rate_gbp_per_mile=mileage, overhead_minutes=overhead
    )
    if with_runs:
        runs_table = pd.concat(run_tables, ignore_index=True) if run_tables else pd.DataFrame()
        return result, runs_table
    return result
