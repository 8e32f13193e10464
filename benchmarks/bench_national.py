"""Benchmark: network E2SFCA and nearest care home for every English LSOA, on Dask.

Run: ``nice python benchmarks/bench_national.py [--workers 2] [--only N] [--json FILE]``
(needs the data folder; about an hour on a busy 2-core machine, see the README).

What it does
------------
* Demand: all 32,844 English 2011 LSOAs at their population-weighted centroids, with
  the mid-2020 population aged 75+. Supply: every English care home with beds in the
  CQC file.
* Roads: a synthetic England-sized network (``_england.py``): the road-like grid of
  the other benchmarks (60 km/h arterials every 10th line, else 30 km/h, one-way
  streets, missing blocks) over England's extent, 3.05M+ nodes, built once and
  saved; workers memory-map it. There is no offline national OSM network here, so
  the *times* are synthetic; the work (graph sizes, point counts, partitions) is
  England's.
* Partitions: one per local authority district (2022). Its LSOAs, care homes within
  30 km (the farthest a 30-minute drive can go at the network's top speed, widened
  to each LSOA's crow-fly-nearest home) and demand within 60 km (all the demand of
  those homes' catchments), routed on the network window of the district plus 60 km
  (every path of 30 minutes or less between them lies inside it). So each
  partition's E2SFCA is exact; a sample of districts is re-run with 10 km wider
  buffers to check.
* Each task: cut the window from the national network, then :func:`geosuff.access`
  (30-minute E2SFCA of beds, beds within 15/30 min, nearest home within 30 min) and
  :func:`geosuff.nearest` (nearest home by road, no limit) for the district's LSOAs.
  Only the district code is sent to a worker; each worker reads the tables and maps
  the network once, as on a real cluster.
* Dask ``LocalCluster``: processes, one thread each, ``GEOSUFF_THREADS=1`` (one
  search thread per worker process). Reported: wall time, each task's time (the sum
  is the core-seconds a cluster needs), peak resident memory of every worker, and a
  projection to clusters of 8-64 workers (``core-seconds / workers``, bounded below
  by the longest task).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import _england  # noqa: E402
from _national_data import DATA, load_national, partitions  # noqa: E402

import geosuff  # noqa: E402
from geosuff.io.areas import Area  # noqa: E402
from geosuff.io.surroundings import Surroundings  # noqa: E402

CRS = "EPSG:27700"
CATCHMENT_MIN = 30.0
TOP_SPEED_KPH = 60.0  # the synthetic network's fastest roads
HOMES_KM = CATCHMENT_MIN / 60.0 * TOP_SPEED_KPH  # 30 km
DEMAND_KM = 2 * HOMES_KM  # 60 km
WINDOW_KM = DEMAND_KM


def partition_access(part, net_dir: Path, extra_km: float = 0.0):
    """geosuff.access and geosuff.nearest for one district with its buffers."""
    t0, c0 = time.perf_counter(), time.process_time()
    lad = part["lad"]
    d, h = part["demand"], part["homes"]
    own = d[d["lad"] == lad]
    pad = (WINDOW_KM + extra_km) * 1000.0
    bounds = (
        own["x"].min() - pad,
        own["y"].min() - pad,
        own["x"].max() + pad,
        own["y"].max() + pad,
    )
    net = _england.window(net_dir, bounds)
    t_window = time.perf_counter() - t0
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
        layers,
        network=net,
        surroundings=around,
        max_minutes=CATCHMENT_MIN,
        within_minutes=(15.0, CATCHMENT_MIN),
    )
    near = geosuff.nearest(net, pop.assign(id=pop["lsoa_code"]), homes, direction="from_facility")
    out = pd.DataFrame(
        acc[
            [
                "lsoa_code",
                "minutes_to_care_home",
                "beds_within_30min",
                "e2sfca_beds_per_1000_75plus",
                "twosfca_beds_per_1000_75plus",
            ]
        ]
    )
    out["nearest_home_minutes"] = near["minutes"].to_numpy()
    out["nearest_home_km"] = near["km"].to_numpy()
    # the nearest home is certainly inside the partition when it is nearer than the
    # homes buffer can be driven at top speed
    out["nearest_certain"] = out["nearest_home_minutes"] <= part["homes_km"] / TOP_SPEED_KPH * 60
    stats = {
        "lad": lad,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "window_seconds": t_window,
        "nodes": net.n_nodes,
        "demand": len(d),
        "homes": len(h),
    }
    return out, stats


_NATIONAL: dict[str, object] = {}


def national():
    """National demand and homes, loaded once per process."""
    if not _NATIONAL:
        demand, homes, seconds = load_national()
        _NATIONAL.update(demand=demand, homes=homes, seconds=seconds)
    return _NATIONAL["demand"], _NATIONAL["homes"]


def district_task(lad, net_dir):
    """Build one district's partition and run it (a Dask task): only the code travels."""
    demand, homes = national()
    (part,) = partitions(demand, homes, DEMAND_KM, HOMES_KM, only=[lad])
    return partition_access(part, Path(net_dir))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_dask(lads, n_workers, net_dir):
    from dask.distributed import Client, LocalCluster, as_completed

    # Workers import this file as the module ``bench_national``; one search thread each.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(HERE), os.environ.get("PYTHONPATH", "")]
    )
    os.environ["GEOSUFF_THREADS"] = "1"
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
        futures = client.map(bench_national.district_task, lads, net_dir=str(net_dir), pure=False)
        results = []
        for k, fut in enumerate(as_completed(futures), 1):
            results.append(fut.result())
            if k % 25 == 0 or k == len(lads):
                print(f"  {k}/{len(lads)} districts, {time.perf_counter() - t:.0f} s", flush=True)
        seconds = time.perf_counter() - t
        rss = client.run(_maxrss_mb)
    table = pd.concat([r[0] for r in results], ignore_index=True).sort_values("lsoa_code")
    return (
        table.reset_index(drop=True),
        [r[1] for r in results],
        seconds,
        t_up,
        sorted(rss.values()),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", type=int, help="Run only this many districts (smoke test).")
    parser.add_argument("--net-dir", type=Path, help="Keep the national network here.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this JSON file.")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"data folder {DATA} not found")
    t_all = time.perf_counter()
    demand, homes = national()
    print(
        f"England: {len(demand):,} LSOAs, {int(demand['pop_75plus'].sum()):,} aged 75+, "
        f"{len(homes):,} care homes with beds; loaded in {_NATIONAL['seconds']:.1f} s",
        flush=True,
    )
    tmp = None
    net_dir = args.net_dir
    if net_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="geosuff-england-")
        net_dir = Path(tmp.name)
    if not (net_dir / "meta.json").is_file():
        margin = 70_000.0
        bounds = (
            demand["x"].min() - margin,
            demand["y"].min() - margin,
            demand["x"].max() + margin,
            demand["y"].max() + margin,
        )
        meta = _england.build(net_dir, bounds)
    else:
        meta = json.loads((net_dir / "meta.json").read_text())
    print(
        f"synthetic England network: {meta['nodes']:,} nodes, {meta['edges']:,} edges "
        f"({meta['nx']} x {meta['ny']} lattice, {meta['spacing_m']} m blocks), built in "
        f"{meta['build_s']} s, {meta['mb_on_disk']} MB on disk",
        flush=True,
    )
    t = time.perf_counter()
    parts = partitions(demand, homes, DEMAND_KM, HOMES_KM)
    t_part = time.perf_counter() - t
    lads = [p["lad"] for p in sorted(parts, key=lambda p: -len(p["demand"]) * len(p["homes"]))]
    if args.only:
        lads = lads[:: max(1, len(lads) // args.only)][: args.only]
    print(
        f"{len(parts)} district partitions (planned in {t_part:.1f} s): homes within "
        f"{HOMES_KM:g} km, demand within {DEMAND_KM:g} km, network window +{WINDOW_KM:g} km; "
        f"mean {np.mean([len(p['demand']) for p in parts]):,.0f} LSOAs x "
        f"{np.mean([len(p['homes']) for p in parts]):,.0f} homes per partition; running "
        f"{len(lads)} on {args.workers} Dask worker processes",
        flush=True,
    )
    table, stats, seconds, t_up, rss = run_dask(lads, args.workers, net_dir)
    task_s = np.array([s["seconds"] for s in stats])
    core_s = float(task_s.sum())
    cpu_s = float(sum(s["cpu_seconds"] for s in stats))
    longest = float(task_s.max())
    n_lsoas = len(table)
    if not args.only:
        assert n_lsoas == len(demand) and table["lsoa_code"].is_unique
    print(
        f"{args.workers} workers: {seconds:.0f} s wall for {n_lsoas:,} LSOAs (cluster start "
        f"{t_up:.1f} s); tasks {core_s:.0f} s in all, {cpu_s:.0f} CPU-seconds (mean "
        f"{task_s.mean():.1f} s, "
        f"longest {longest:.1f} s, window cut mean "
        f"{np.mean([s['window_seconds'] for s in stats]):.2f} s, mean "
        f"{np.mean([s['nodes'] for s in stats]):,.0f} nodes per window); worker peak RSS "
        f"{', '.join(f'{r:,.0f}' for r in rss)} MB",
        flush=True,
    )
    # a cluster's cores are not shared with other users: project from CPU-seconds
    scale = len(parts) / len(lads)
    longest_cpu = max(s["cpu_seconds"] for s in stats)
    projection = {n: round(max(cpu_s * scale / n, longest_cpu)) for n in (8, 16, 32, 64)}
    print(
        "projection (all districts, CPU-seconds / workers, at least the longest task): "
        + ", ".join(f"{n} workers ~{s:,} s" for n, s in projection.items())
    )
    # exactness: a sample of districts again with 10 km wider buffers and windows
    sample = [lads[i] for i in np.linspace(0, len(lads) - 1, min(3, len(lads))).astype(int)]
    wider = {
        p["lad"]: p
        for p in partitions(demand, homes, DEMAND_KM + 10, HOMES_KM + 10, only=set(sample))
    }
    worst = 0.0
    for lad in sample:
        got = partition_access(wider[lad], net_dir, extra_km=10.0)[0].set_index("lsoa_code")
        base = table.set_index("lsoa_code").loc[got.index]
        num = got.select_dtypes("number").columns
        diff = np.abs(got[num].to_numpy(float) - base[num].to_numpy(float))
        worst = max(worst, float(np.nanmax(diff)))
    print(f"buffer check on {len(sample)} districts (+10 km): max abs difference {worst:g}")
    both = table["minutes_to_care_home"].notna()
    agree = float(
        np.nanmax(
            np.abs(
                table.loc[both, "minutes_to_care_home"] - table.loc[both, "nearest_home_minutes"]
            )
        )
    )
    england = table.merge(demand[["lsoa_code", "pop_75plus"]], on="lsoa_code")
    w = england["pop_75plus"]
    summary = {
        "e2sfca_beds_per_1000_75plus_weighted_mean": float(
            np.average(england["e2sfca_beds_per_1000_75plus"].fillna(0), weights=w)
        ),
        "nearest_home_minutes_weighted_mean": float(
            np.average(england["nearest_home_minutes"], weights=w)
        ),
        "nearest_home_minutes_max": float(england["nearest_home_minutes"].max()),
        "lsoas_no_home_within_30min": int(england["minutes_to_care_home"].isna().sum()),
        "lsoas_nearest_not_certain": int((~england["nearest_certain"]).sum()),
        "access_vs_nearest_max_abs_diff_minutes": agree,
    }
    print("England (synthetic roads): " + ", ".join(f"{k} {v:.4g}" for k, v in summary.items()))
    client_rss = _maxrss_mb()
    print(
        f"this process peak RSS {client_rss:,.0f} MB; "
        f"whole script {time.perf_counter() - t_all:.0f} s"
    )
    if args.json:
        figures = {
            "network": meta,
            "lsoas": n_lsoas,
            "care_homes": len(homes),
            "partitions": len(parts),
            "districts_run": len(lads),
            "workers": args.workers,
            "wall_seconds": round(seconds, 1),
            "cluster_start_seconds": round(t_up, 1),
            "task_seconds": round(core_s),
            "cpu_seconds": round(cpu_s),
            "longest_task_seconds": round(longest, 1),
            "worker_peak_rss_mb": [round(r) for r in rss],
            "client_peak_rss_mb": round(client_rss),
            "projection_seconds": projection,
            "buffer_check_max_abs_diff": worst,
            "england": summary,
            "tasks": stats,
        }
        args.json.write_text(json.dumps(figures, indent=1, default=float))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
