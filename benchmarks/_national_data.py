"""England's demand and care homes for the national benchmark, and its district partitions."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

import geosuff
from geosuff.io.population import _read_centroids, read_population_estimates

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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


def _within(xy, pts, radius_m) -> np.ndarray:
    """Rows of *xy* within *radius_m* of any of *pts* (box filter, then a KD-tree)."""
    lo, hi = pts.min(axis=0) - radius_m, pts.max(axis=0) + radius_m
    idx = np.flatnonzero(np.all((xy >= lo) & (xy <= hi), axis=1))
    dist, _ = cKDTree(pts).query(xy[idx], distance_upper_bound=radius_m)
    return idx[np.isfinite(dist)]


def partitions(demand, homes, demand_km, homes_km, only=None):
    """One partition per district: its LSOAs plus demand and homes within the buffers.

    The homes buffer is widened, where needed, to the farthest nearest home of the
    district's LSOAs (plus 1 km), so the nearest home is always in the partition.
    """
    dxy = demand[["x", "y"]].to_numpy()
    hxy = np.column_stack([homes.geometry.x, homes.geometry.y])
    _, htree = _trees(demand, homes, dxy, hxy)
    cols = ["provider_id", "name", "kind", "beds", "units", "dementia", "lad"]
    parts = []
    for lad, own in demand.groupby("lad", sort=True):
        if only is not None and lad not in only:
            continue
        pts = own[["x", "y"]].to_numpy()
        nearest_m = float(htree.query(pts)[0].max()) + 1000.0
        reach_h = max(homes_km * 1000.0, nearest_m)
        near_d = _within(dxy, pts, max(demand_km * 1000.0, reach_h))
        near_h = _within(hxy, pts, reach_h)
        parts.append(
            {
                "lad": lad,
                "homes_km": reach_h / 1000.0,
                "demand": demand.iloc[near_d][["lsoa_code", "x", "y", "pop_75plus", "lad"]],
                "homes": pd.DataFrame(homes.iloc[near_h][cols]).assign(
                    x=hxy[near_h, 0], y=hxy[near_h, 1]
                ),
            }
        )
    return parts
