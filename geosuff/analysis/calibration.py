"""Calibrate the travel estimate on a road network, from an area's real points.

The points are the ones geosuff routes between in practice: every LSOA demand point
(population-weighted centroid) and every provider (care homes, home care agencies,
extra care schemes), each with the RUC11 class of its LSOA. Without an area, the
LSOA centroids inside the network's outline are used (no providers).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.io.area_layers import AreaLayers
from geosuff.io.centroids import read_centroids
from geosuff.io.layout import data_file, resolve_data_dir
from geosuff.io.population import demand_points, read_population_estimates
from geosuff.io.ruc import ruc_by_lsoa
from geosuff.io.surroundings import PROVIDER_LAYERS
from geosuff.network.calibrate import Calibration, calibrate, network_pairs
from geosuff.network.engine import RoadNetwork, as_network
from geosuff.network.estimate_model import estimate_model, estimate_profile

__all__ = ["calibrate_network", "calibration_points", "network_lsoa_points"]

log = logging.getLogger(__name__)

_COLS = ["id", "kind", "group", "ruc11", "weight", "geometry"]


def calibration_points(layers: AreaLayers) -> gpd.GeoDataFrame:
    """Return an area's LSOA demand points and providers as calibration points.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``id`` (LSOA code, or ``layer:provider_id``), ``kind`` (``lsoa`` or
        ``provider``), ``group`` (the LSOA, for cross-validation folds), ``ruc11``,
        ``weight`` (75+ population; 0 for providers), EPSG:27700 points.
    """
    pop = demand_points(layers.population)
    frames = [
        pd.DataFrame(
            {
                "id": pop["lsoa_code"].astype(str),
                "kind": "lsoa",
                "group": pop["lsoa_code"].astype(str),
                "ruc11": pop.get("ruc11", pd.Series(None, index=pop.index)),
                "weight": pop["pop_75plus"].astype(float),
                "geometry": pop.geometry,
            }
        )
    ]
    for layer in PROVIDER_LAYERS:
        frame = getattr(layers, layer)
        if frame.empty:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "id": f"{layer}:" + frame["provider_id"].astype(str),
                    "kind": "provider",
                    "group": frame["lsoa_code"].astype(str),
                    "ruc11": frame.get("ruc11", pd.Series(None, index=frame.index)),
                    "weight": 0.0,
                    "geometry": frame.geometry.to_crs(settings.crs_metric),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)[_COLS]
    return gpd.GeoDataFrame(table, geometry="geometry", crs=settings.crs_metric)


def network_lsoa_points(
    network: RoadNetwork,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    inset_m: float = 2_000.0,
) -> gpd.GeoDataFrame:
    """Return the LSOA centroids well inside a network as calibration points.

    Parameters
    ----------
    network
        The road network.
    data_dir
        Data folder with the national centroids, population and RUC11 files.
    inset_m
        Keep centroids at least this far inside the network's outline (the land
        its roads cover, gaps under 3 km closed), so routes near an extract's edge are
        not cut short.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`calibration_points` (LSOAs only).

    Raises
    ------
    ValidationError
        If fewer than three LSOAs lie inside the network.
    """
    folder = resolve_data_dir(data_dir)
    outline = _network_outline(network).buffer(-inset_m)
    centroids = read_centroids(data_file(folder, "lsoa_centroids"))
    inside = shapely.contains_xy(outline, centroids["demand_e"], centroids["demand_n"])
    near = centroids[inside]
    if len(near) < 3:
        msg = f"only {len(near)} LSOA centroids lie {inset_m:g} m inside the network; give --area"
        raise ValidationError(msg)
    estimates, _ = read_population_estimates(data_file(folder, "population"), codes=set(near.index))
    codes = near.index.astype(str)
    table = pd.DataFrame(
        {
            "id": codes,
            "kind": "lsoa",
            "group": codes,
            "ruc11": ruc_by_lsoa(codes, data_dir=folder).to_numpy(),
            "weight": estimates["pop_75plus"].reindex(near.index).fillna(0.0).to_numpy(),
            "geometry": gpd.points_from_xy(near["demand_e"], near["demand_n"]),
        }
    )
    return gpd.GeoDataFrame(table, geometry="geometry", crs=settings.crs_metric)


def _network_outline(network: RoadNetwork, close_m: float = 1_500.0) -> shapely.Geometry:
    """Return the land the network's roads cover: their pieces, with gaps under 3 km closed."""
    a = np.column_stack([network.x[network.seg_a], network.y[network.seg_a]])
    b = np.column_stack([network.x[network.seg_b], network.y[network.seg_b]])
    pieces = shapely.linestrings(np.stack([a, b], axis=1))
    grown = shapely.union_all(shapely.buffer(pieces, close_m, quad_segs=2))
    return grown.buffer(-close_m, quad_segs=2)


def calibrate_network(
    network: object,
    *,
    layers: AreaLayers | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    profile: str | os.PathLike[str] | None = None,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """Fit the travel estimate to a road network and cross-validate it.

    Parameters
    ----------
    network
        A geosuff road network (or osmnx-style graph).
    layers
        An area inside the network: its LSOAs and providers are the points. Without
        it, the LSOA centroids inside the network (:func:`network_lsoa_points`).
    data_dir
        Data folder (for the points without *layers*).
    profile
        The starting profile (its ``[estimate]`` values are the priors; default
        :func:`geosuff.network.estimate_model.estimate_profile`).
    folds, seed
        Cross-validation design.

    Returns
    -------
    Calibration
        The fitted model, the pairs with out-of-fold predictions, per-fold parameters.
    """
    net = as_network(network)  # type: ignore[arg-type]
    if layers is not None:
        points = calibration_points(layers)
        where = f"{layers.area.name} ({layers.area.code})"
    else:
        points = network_lsoa_points(net, data_dir=data_dir)
        where = f"{len(points)} LSOAs inside the network"
    pairs = network_pairs(net, points)
    prof = estimate_profile(profile)
    source = str(net.meta.get("source", "graph"))
    name = Path(source).name if source not in ("graph", "") else "a road network"
    log.info("calibrating on %d pairs of %s", len(pairs), where)
    return calibrate(
        pairs,
        prior=estimate_model(prof),
        crowfly=prof.fallback("rural"),
        folds=folds,
        seed=seed,
        source=f"{where}, road network {name}",
    )
