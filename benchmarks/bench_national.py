"""Benchmark: nearest care home and E2SFCA for every English LSOA, on 1 and 2 Dask workers.

Run: ``PYTHONPATH=. python benchmarks/bench_national.py [--json FILE]`` (needs the data
folder; about 3-4 minutes on a 2-core machine).

What it does
------------
* Demand: all English 2011 LSOAs (codes ``E...``) at their population-weighted
  centroids, with the mid-2020 population aged 75+. Supply: every English care home
  with beds in the CQC file.
* Travel: the labelled crow-fly estimate (rural detour 1.4 at 50 km/h), as there is no
  national road network offline.
* Work is partitioned by local authority district (2022), each partition carrying a
  buffer of neighbouring LSOAs and care homes. E2SFCA needs, for every home within the
  30-minute catchment of an LSOA, all the demand within 30 minutes of that home: homes
  within the 30-minute reach (17.9 km crow-fly) and demand within twice that make each
  partition's E2SFCA exact; the homes buffer is widened where a district's farthest
  nearest home is beyond it, so the nearest home is exact too. Exactness is checked
  on a sample of partitions against buffers 20 km wider.
* Only the district code is sent to a worker; each worker process reads the national
  tables from the data folder once and builds its partitions, as on a real cluster.
* Each partition calls :func:`geosuff.access` (nearest care home by kind, beds within
  reach, E2SFCA by kind, 2SFCA, cross-border share). Partitions are submitted to a
  Dask ``LocalCluster`` of 1 and then 2 worker processes (1 thread each).
* Memory: peak resident memory of each worker process and of this process.

Measured (2-core machine, 23 GB, quiet; Python 3.11, dask 2026.8)
----------------------------------------------------------------
309 districts, demand within 36 km, homes within 18 km: 502 M origin-destination
cells in all (mean 2,593 LSOAs x 438 homes per partition).

==========  ========  =====================  ==================
workers     seconds   worker peak RSS (MB)   speed-up
==========  ========  =====================  ==================
1           101.3     807                    1.00
2            56.8     804, 808               1.78
==========  ========  =====================  ==================

Loading the national tables 2.5 s; building all partitions 17.5 s (in the client, for
ordering); client peak RSS 1.7 GB; whole script 215 s. Outputs identical on 1 and 2
workers; +20 km buffers change nothing (max abs difference 4e-14). England (estimate):
nearest care home 1.6 min (75+ weighted mean), at most 42 min; E2SFCA 94.3 beds per
1,000 aged 75+ (weighted mean).

Expected national cost on a road network
----------------------------------------
See the printed estimate at the end: it scales the county figures measured by
``bench_access.py`` (access on a county-size grid of 248,004 nodes: ~15 s for 1,579
demand points x 802 providers, i.e. about 10 ms per demand-point search) to the
demand-point searches a national county-by-county run makes (every LSOA of each
partition and its buffer is searched once per partition). Measured: 396,912 searches
with 20 km buffers (12.1 x the LSOAs) x ~9.8 ms = ~1.1 core-hours, i.e. ~35 min on 2
cores or a few minutes on a 16-core Dask cluster, plus one network build per county
(Rutland builds in 2-3 s; county extracts are 20-50 x larger and are built once, then
cached). The E2SFCA and nearest-home steps themselves are the small part (the national
crow-fly run above does them all in ~100 s on one core).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geosuff  # noqa: E402
from geosuff.io.areas import Area  # noqa: E402
from geosuff.io.population import _read_centroids, read_population_estimates  # noqa: E402
from geosuff.io.surroundings import Surroundings  # noqa: E402
from geosuff.network import load_profile  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CRS = "EPSG:27700"
CATCHMENT_MIN = 30.0
# County figure from bench_access.py (notes/issue4.md): 248,004-node grid, 1,579 x 802.
COUNTY_GRID_S, COUNTY_GRID_ORIGINS = 15.5, 1579


def reach_km(minutes: float) -> float:
    """Crow-fly distance the rural estimate covers in *minutes*."""
    detour, speed = load_profile().fallback("rural")
    return minutes / 60.0 * speed / detour


def load_national():
    t = time.perf_counter()
    pop_file = next((DATA / "ons").glob("population_*lsoa11_syoa.csv"))
    estimates, _ = read_population_estimates(pop_file)
    codes = estimates.index[estimates.index.str.startswith("E")]
    cents = _read_centroids(DATA / "ons" / "lsoa11_pwc.csv", pd.Series(codes))
    lookup = pd.read_csv(
        DATA / "ons" / "lsoa11_lsoa21_lad22_lookup.csv",
        usecols=["LSOA11CD", "LAD22CD"],
        encoding="utf-8-sig",
    ).drop_duplicates("LSOA11CD")
    demand = pd.DataFrame(
        {
            "lsoa_code": cents.index,
            "x": cents["demand_e"].to_numpy(),
            "y": cents["demand_n"].to_numpy(),
        }
    )
    demand["pop_75plus"] = estimates.loc[demand["lsoa_code"], "pop_75plus"].to_numpy()
    demand["lad"] = demand["lsoa_code"].map(lookup.set_index("LSOA11CD")["LAD22CD"])
    homes = geosuff.load_care_homes(next((DATA / "cqc").glob("hsca_care_homes_*.csv"))).data
    homes = homes[homes["beds"].fillna(0) > 0].reset_index(drop=True)
    # A home's authority: that of the nearest LSOA centroid (for in_area / cross-border).
    tree = cKDTree(demand[["x", "y"]].to_numpy())
    _, idx = tree.query(np.column_stack([homes.geometry.x, homes.geometry.y]))
    homes["lad"] = demand["lad"].to_numpy()[idx]
    return demand, homes, time.perf_counter() - t


def _trees(demand, homes, dxy, hxy):
    key = (id(demand), id(homes))
    if _TREES.get("key") != key:
        _TREES.update(key=key, trees=(cKDTree(dxy), cKDTree(hxy)))
    return _TREES["trees"]


_TREES: dict[str, object] = {}


def _union(lists) -> np.ndarray:
    return np.unique(np.concatenate([np.asarray(x, dtype=np.int64) for x in lists]))


def partitions(demand, homes, demand_km, homes_km, only=None):
    """One partition per district: its LSOAs plus demand and homes within the buffers.

    The homes buffer is widened, where needed, to the farthest nearest home of the
    district's LSOAs (plus 1 km), so the nearest home is always in the partition.
    """
    dxy = demand[["x", "y"]].to_numpy()
    hxy = np.column_stack([homes.geometry.x, homes.geometry.y])
    dtree, htree = _trees(demand, homes, dxy, hxy)
    cols = ["provider_id", "name", "kind", "beds", "units", "dementia", "lad"]
    parts = []
    for lad, own in demand.groupby("lad", sort=True):
        if only is not None and lad not in only:
            continue
        pts = own[["x", "y"]].to_numpy()
        nearest_m = float(htree.query(pts)[0].max()) + 1000.0
        reach_h = max(homes_km * 1000.0, nearest_m)
        near_d = _union(dtree.query_ball_point(pts, max(demand_km * 1000.0, reach_h)))
        near_h = _union(htree.query_ball_point(pts, reach_h))
        parts.append(
            {
                "lad": lad,
                "demand": demand.iloc[near_d][["lsoa_code", "x", "y", "pop_75plus", "lad"]],
                "homes": pd.DataFrame(homes.iloc[near_h][cols]).assign(
                    x=hxy[near_h, 0], y=hxy[near_h, 1]
                ),
            }
        )
    return parts


def partition_access(part):
    """geosuff.access for one district with its buffer (runs on a worker)."""
    lad = part["lad"]
    d, h = part["demand"], part["homes"]
    own = d[d["lad"] == lad]
    pop = gpd.GeoDataFrame(
        {
            "lsoa_code": own["lsoa_code"].to_numpy(),
            "lsoa_name": own["lsoa_code"].to_numpy(),
            "la_code": lad,
            "pop_75plus": own["pop_75plus"].to_numpy(),
        },
        geometry=gpd.points_from_xy(own["x"], own["y"]),
        crs=CRS,
    )
    area = Area(lad, lad, "ltla", (lad,), (lad,))
    homes = gpd.GeoDataFrame(
        h.drop(columns=["x", "y", "lad"]).assign(in_area=(h["lad"] == lad).to_numpy()),
        geometry=gpd.points_from_xy(h["x"], h["y"]),
        crs=CRS,
    )
    empty = homes.iloc[:0]
    demand = gpd.GeoDataFrame(
        {
            "lsoa_code": d["lsoa_code"].to_numpy(),
            "pop_75plus": d["pop_75plus"].to_numpy(),
            "in_area": (d["lad"] == lad).to_numpy(),
        },
        geometry=gpd.points_from_xy(d["x"], d["y"]),
        crs=CRS,
    )
    # access() lists the area's LSOAs first, as load_surroundings does.
    demand = demand.sort_values("in_area", ascending=False, kind="stable").reset_index(drop=True)
    layers = geosuff.AreaLayers(
        area, pop, homes[homes["in_area"]], empty, empty, pd.DataFrame(), {}, {}
    )
    around = Surroundings(
        demand, {"care_homes": homes, "home_care": empty, "extra_care": empty}, 0.0
    )
    acc = geosuff.access(
        layers, surroundings=around, max_minutes=60.0, within_minutes=(15.0, CATCHMENT_MIN)
    )
    keep = [
        "lsoa_code",
        "minutes_to_care_home",
        "minutes_to_nursing",
        "beds_within_30min",
        "e2sfca_beds_per_1000_75plus",
        "e2sfca_nursing_beds_per_1000_75plus",
        "cross_border_share_beds",
    ]
    return pd.DataFrame(acc[keep]), len(d) * len(h)


_NATIONAL: dict[str, object] = {}


def national():
    """National demand, homes and their KD-trees, loaded once per process."""
    if not _NATIONAL:
        demand, homes, seconds = load_national()
        _NATIONAL.update(demand=demand, homes=homes, seconds=seconds)
    return _NATIONAL["demand"], _NATIONAL["homes"]


def district_task(lad, demand_km, homes_km):
    """Build one district's partition from the national tables and run access (a Dask task).

    Only the district code travels to the worker; each worker process reads the data
    folder once, as workers of a real cluster would.
    """
    demand, homes = national()
    (part,) = partitions(demand, homes, demand_km, homes_km, only=[lad])
    return partition_access(part)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_dask(lads, n_workers, demand_km, homes_km):
    import os

    from dask.distributed import Client, LocalCluster

    # Workers import this file as the module ``bench_national``.
    here = str(Path(__file__).resolve().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), here, os.environ.get("PYTHONPATH", "")])
    import bench_national

    t_start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        t_up = time.perf_counter() - t_start
        t = time.perf_counter()
        futures = client.map(
            bench_national.district_task,
            lads,
            demand_km=demand_km,
            homes_km=homes_km,
            pure=False,
        )
        results = client.gather(futures)
        seconds = time.perf_counter() - t
        rss = client.run(_maxrss_mb)
    table = pd.concat([r[0] for r in results], ignore_index=True).sort_values("lsoa_code")
    cells = sum(r[1] for r in results)
    return table.reset_index(drop=True), seconds, t_up, sorted(rss.values()), cells


def network_estimate(parts, n_lsoas):
    """Scale the county-grid figure to a national county-by-county network run."""
    per_search = COUNTY_GRID_S / COUNTY_GRID_ORIGINS
    # With a network the buffer need not be the 36 km of the exact crow-fly run: the
    # county runs use 20 km; count demand points within 20 km of each district.
    searches = sum(p["n_search_20km"] for p in parts)
    return {
        "seconds_per_demand_point_search": round(per_search, 4),
        "demand_point_searches_20km_buffer": int(searches),
        "overlap_factor": round(searches / n_lsoas, 2),
        "single_core_hours": round(searches * per_search / 3600.0, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the figures to this JSON file.")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"data folder {DATA} not found")
    demand, homes = national()
    t_load = _NATIONAL["seconds"]
    homes_km = math.ceil(reach_km(CATCHMENT_MIN))
    buffer_km = 2 * homes_km
    t = time.perf_counter()
    parts = partitions(demand, homes, buffer_km, homes_km)
    dtree = cKDTree(demand[["x", "y"]].to_numpy())
    for p in parts:
        own = p["demand"][p["demand"]["lad"] == p["lad"]][["x", "y"]].to_numpy()
        p["n_search_20km"] = len(set().union(*dtree.query_ball_point(own, 20_000.0)))
    t_part = time.perf_counter() - t
    print(
        f"England: {len(demand):,} LSOAs, {int(demand['pop_75plus'].sum()):,} aged 75+, "
        f"{len(homes):,} care homes with beds; loaded in {t_load:.1f} s"
    )
    print(
        f"{len(parts)} district partitions: demand within {buffer_km} km, homes within "
        f"{homes_km} km ({reach_km(CATCHMENT_MIN):.1f} km = crow-fly reach of "
        f"{CATCHMENT_MIN:g} min); "
        f"built in {t_part:.1f} s; mean {np.mean([len(p['demand']) for p in parts]):,.0f} "
        f"LSOAs x {np.mean([len(p['homes']) for p in parts]):,.0f} homes per partition"
    )
    figures = {
        "lsoas": len(demand),
        "care_homes": len(homes),
        "partitions": len(parts),
        "demand_buffer_km": buffer_km,
        "homes_buffer_km": homes_km,
        "load_seconds": round(t_load, 1),
        "partition_seconds": round(t_part, 1),
        "runs": {},
    }
    tables = {}
    for n in args.workers:
        # Largest partitions first keeps the workers evenly busy at the end.
        lads = [p["lad"] for p in sorted(parts, key=lambda p: -len(p["demand"]) * len(p["homes"]))]
        table, seconds, t_up, rss, cells = run_dask(lads, n, buffer_km, homes_km)
        tables[n] = table
        figures["runs"][n] = {
            "seconds": round(seconds, 1),
            "cluster_start_seconds": round(t_up, 1),
            "worker_peak_rss_mb": [round(r) for r in rss],
            "matrix_cells": cells,
        }
        print(
            f"{n} worker(s): {seconds:.1f} s for {len(table):,} LSOAs "
            f"({cells / 1e6:,.0f} M origin-destination cells; cluster start {t_up:.1f} s); "
            f"worker peak RSS {', '.join(f'{r:,.0f}' for r in rss)} MB"
        )
    first = tables[args.workers[0]]
    assert len(first) == len(demand) and first["lsoa_code"].is_unique
    for n, table in tables.items():
        pd.testing.assert_frame_equal(first, table, obj=f"{n} workers")
    if len(tables) > 1:
        a, b = (figures["runs"][n]["seconds"] for n in args.workers[:2])
        print(f"speed-up {args.workers[0]} -> {args.workers[1]} workers: {a / b:.2f}x")
    # Exactness: the same districts with a 20 km wider buffer give the same answers.
    sample = [parts[i]["lad"] for i in np.linspace(0, len(parts) - 1, 6).astype(int)]
    wider = {p["lad"]: p for p in partitions(demand, homes, buffer_km + 20, homes_km + 20)}
    worst = 0.0
    for lad in sample:
        got = partition_access(wider[lad])[0].set_index("lsoa_code")
        base = first.set_index("lsoa_code").loc[got.index]
        num = got.select_dtypes("number")
        worst = max(worst, float(np.nanmax(np.abs(num - base[num.columns]).to_numpy())))
    print(f"buffer check on {len(sample)} districts (+20 km buffer): max abs difference {worst:g}")
    figures["buffer_check_max_abs_diff"] = worst
    england = first.merge(demand[["lsoa_code", "pop_75plus"]], on="lsoa_code")
    w = england["pop_75plus"]
    summary = {
        "mean_minutes_to_care_home_75plus_weighted": float(
            np.average(england["minutes_to_care_home"], weights=w)
        ),
        "max_minutes_to_care_home": float(england["minutes_to_care_home"].max()),
        "mean_e2sfca_beds_per_1000_75plus_weighted": float(
            np.average(england["e2sfca_beds_per_1000_75plus"], weights=w)
        ),
    }
    summary["lsoas_nearest_home_over_30min"] = int(
        (england["minutes_to_care_home"] > CATCHMENT_MIN).sum()
    )
    summary["lsoas_without_home_within_60min"] = int(england["minutes_to_care_home"].isna().sum())
    figures["england"] = summary
    print("England (estimate): " + ", ".join(f"{k} {v:.1f}" for k, v in summary.items()))
    figures["client_peak_rss_mb"] = round(_maxrss_mb())
    print(f"this process peak RSS {figures['client_peak_rss_mb']:,} MB")
    est = network_estimate(parts, len(demand))
    figures["network_estimate"] = est
    print(
        "On a road network (county-by-county, 20 km buffer): "
        f"{est['demand_point_searches_20km_buffer']:,} demand-point searches "
        f"({est['overlap_factor']}x the LSOAs) at ~{est['seconds_per_demand_point_search']} s "
        f"each on a county-size graph = ~{est['single_core_hours']} core-hours, plus one "
        "network build per county"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
