"""Benchmark the calibrated travel estimate against the uncalibrated one it replaces.

Run: ``python benchmarks/bench_estimate.py``

Side by side in one process, on random points in a 60 km square (EPSG:27700) with
random RUC11 classes: the uncalibrated ``crowfly_matrix`` (one detour factor and speed),
the calibrated ``calibrated_matrix`` (per-point settings, exponential local legs) and
``time_matrix_array(None, ...)`` (the whole estimate path: coordinates, RUC11 lookup,
model), for a Wiltshire-size access matrix (802 providers x 3,295 demand points) and a
larger one (2,000 x 10,000). Times are the best of five runs; the ratio is calibrated
over uncalibrated.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np

from geosuff.network import time_matrix_array
from geosuff.network.estimate_model import estimate_model, setting_index
from geosuff.network.fallback import calibrated_matrix, crowfly_matrix

CODES = np.array(["C1", "C1", "C1", "D1", "E1", "E1", "A1", "C2", "D2", "E2"])


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def points(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    xy = rng.uniform(0, 60_000, size=(n, 2)) + np.array([380_000, 120_000])
    return gpd.GeoDataFrame(
        {"id": np.arange(n), "ruc11": rng.choice(CODES, n)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:27700",
    )


def main() -> None:
    rng = np.random.default_rng(0)
    model = estimate_model()
    print(f"{'matrix':>14} | {'uncalibrated':>12} | {'calibrated':>10} | {'ratio':>5} | whole path")
    for n_o, n_d in ((802, 3_295), (2_000, 10_000)):
        o, d = points(n_o, rng), points(n_d, rng)
        oxy = np.column_stack([o.geometry.x, o.geometry.y])
        dxy = np.column_stack([d.geometry.x, d.geometry.y])
        so, _ = setting_index(o["ruc11"].to_numpy(), model)
        sd, _ = setting_index(d["ruc11"].to_numpy(), model)
        t_crow = best(lambda oxy=oxy, dxy=dxy: crowfly_matrix(oxy, dxy))
        t_cal = best(
            lambda oxy=oxy, dxy=dxy, so=so, sd=sd: calibrated_matrix(oxy, dxy, so, sd, model=model)
        )
        t_all = best(lambda o=o, d=d: time_matrix_array(None, o, d), repeat=3)
        print(
            f"{n_o:>6} x {n_d:<6}| {t_crow * 1000:>9.0f} ms | {t_cal * 1000:>7.0f} ms | "
            f"{t_cal / t_crow:>4.1f}x | {t_all * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
