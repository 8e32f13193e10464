"""Road minutes and km between real points, measured by geosuff's engine, for calibration."""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._errors import ValidationError

__all__ = ["network_pairs"]

log = logging.getLogger(__name__)


def network_pairs(
    network: Any,
    points: gpd.GeoDataFrame,
    *,
    max_snap_m: float = 2_000.0,
) -> pd.DataFrame:
    """Road minutes and km between real points, by geosuff's engine, for calibration.

    Parameters
    ----------
    network
        A :class:`~geosuff.network.engine.RoadNetwork` (or osmnx-style graph).
    points
        Points with ``id``, ``kind`` (``"lsoa"`` or ``"provider"``), ``group`` (the
        LSOA a point belongs to, its cross-validation group), ``ruc11`` and optionally
        ``weight`` (e.g. the LSOA's 75+ population; 0 for providers).
    max_snap_m
        Points farther than this from the network are left out (logged): the
        network would only add a long made-up off-road leg.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of different points, provider-to-provider pairs
        excepted: ``origin_id``, ``dest_id``, ``origin_kind``, ``dest_kind``,
        ``origin_group``, ``dest_group``, ``origin_ruc11``, ``dest_ruc11``,
        ``origin_weight``, ``dest_weight``, ``crow_km``, ``minutes``, ``km`` (by road,
        including the off-network legs). Unreachable pairs are left out (logged).

    Raises
    ------
    ValidationError
        If *points* lacks a column or fewer than three points remain.
    """
    from geosuff.network.travel import time_matrix_array

    missing = {"id", "kind", "group", "ruc11"} - set(points.columns)
    if missing:
        raise ValidationError(f"calibration points lack columns {sorted(missing)}")
    pts = points.to_crs("EPSG:27700").reset_index(drop=True)
    no_ruc = pts["ruc11"].isna()
    if no_ruc.any():
        log.warning("%d calibration points have no RUC11 class and are left out", no_ruc.sum())
        pts = pts[~no_ruc].reset_index(drop=True)
    if len(pts) < 3:
        raise ValidationError(
            f"need at least 3 calibration points with a RUC11 class, got {len(pts)}"
        )
    arr = time_matrix_array(network, pts, pts, max_snap_m=None)
    off = arr.origin_snap_dist_m > max_snap_m
    if off.any():
        log.warning(
            "%d calibration points lie over %.0f m from the network: left out",
            off.sum(),
            max_snap_m,
        )
    xy = np.column_stack([pts.geometry.x, pts.geometry.y])
    oi, di = np.meshgrid(np.arange(len(pts)), np.arange(len(pts)), indexing="ij")
    oi, di = oi.ravel(), di.ravel()
    kind = pts["kind"].astype(str).to_numpy()
    keep = (oi != di) & ~((kind[oi] == "provider") & (kind[di] == "provider"))
    keep &= ~off[oi] & ~off[di]
    reached = np.isfinite(arr.minutes[oi, di])
    if (keep & ~reached).any():
        log.warning(
            "%d calibration pairs are unreachable by road: left out", (keep & ~reached).sum()
        )
    keep &= reached
    oi, di = oi[keep], di[keep]
    weight = pts["weight"].to_numpy(float) if "weight" in pts else np.zeros(len(pts))
    return pd.DataFrame(
        {
            "origin_id": pts["id"].to_numpy()[oi],
            "dest_id": pts["id"].to_numpy()[di],
            "origin_kind": kind[oi],
            "dest_kind": kind[di],
            "origin_group": pts["group"].astype(str).to_numpy()[oi],
            "dest_group": pts["group"].astype(str).to_numpy()[di],
            "origin_ruc11": pts["ruc11"].astype(str).to_numpy()[oi],
            "dest_ruc11": pts["ruc11"].astype(str).to_numpy()[di],
            "origin_weight": weight[oi],
            "dest_weight": weight[di],
            "crow_km": np.hypot(*(xy[oi] - xy[di]).T) / 1000.0,
            "minutes": arr.minutes[oi, di],
            "km": arr.km[oi, di],
        }
    )
