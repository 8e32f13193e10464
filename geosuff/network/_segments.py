"""Undirected road pieces (for snapping) from a graph's directed edges."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["road_pieces"]

METRIC_CRS = "EPSG:27700"


def road_pieces(
    u: np.ndarray,
    v: np.ndarray,
    t: np.ndarray,
    ln: np.ndarray,
    geoms: list[Any],
    crs: Any,
) -> dict[str, np.ndarray]:
    """Collapse directed edges into undirected pieces oriented from the lower node."""
    a = np.minimum(u, v)
    b = np.maximum(u, v)
    fwd = u == a
    order = np.lexsort((~fwd, b, a))
    ao, bo = a[order], b[order]
    start = np.ones(len(order), bool)
    start[1:] = (ao[1:] != ao[:-1]) | (bo[1:] != bo[:-1])
    group = np.cumsum(start) - 1
    ng = int(group[-1]) + 1 if len(group) else 0
    t_ab = np.full(ng, np.nan)
    t_ba = np.full(ng, np.nan)
    fo = fwd[order]
    to = t[order]
    np.fmin.at(t_ab, group[fo], to[fo])
    np.fmin.at(t_ba, group[~fo], to[~fo])
    heads = order[start]
    wkb = np.full(ng, None, dtype=object)
    has_geom = [i for i, j in enumerate(heads) if geoms[j] is not None]
    if has_geom:
        import geopandas as gpd
        import shapely

        gs = gpd.GeoSeries([geoms[heads[i]] for i in has_geom], crs=crs).to_crs(METRIC_CRS)
        arr = np.asarray(gs.values, dtype=object)
        flip = ~fwd[heads[has_geom]]
        arr[flip] = shapely.reverse(arr[flip])
        wkb[has_geom] = shapely.to_wkb(arr)
    return {
        "seg_a": a[heads].astype(np.int32),
        "seg_b": b[heads].astype(np.int32),
        "seg_t_ab": t_ab,
        "seg_t_ba": t_ba,
        "seg_len_m": ln[heads],
        "seg_wkb": wkb,
    }
