"""Access to supply once distance counts: nearest provider, beds within reach, E2SFCA.

One travel-time matrix is computed from every provider in and around the area to
every demand point (the area's LSOAs and, for cross-border work, neighbouring LSOAs);
every measure is read off it. Travel times come from a road network when one is
given, else from the straight-line estimate, and the ``travel_method`` column says
which (``network``, ``estimate_calibrated`` or ``estimate_crowfly``; the two are
never mixed) and ``travel_calibration`` names the estimate's calibration. The
calibrated estimate gives every provider and demand point the setting of its LSOA's
RUC11 class (their ``ruc11`` column).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff.analysis.fca import DEFAULT_BANDS, Decay, floating_catchment, step_decay
from geosuff.io.area_layers import AreaLayers
from geosuff.io.bed_use import apply_bed_use
from geosuff.io.surroundings import Surroundings, within_area_only

__all__ = ["ACCESS_TARGETS", "OFF_NETWORK_LIMIT_M", "access", "provider_table"]

log = logging.getLogger(__name__)

#: Points farther than this from the road network are outside it: left out of network
#: results (and counted) rather than given a long made-up off-road leg.
OFF_NETWORK_LIMIT_M = 2_000.0

#: Target name -> (layer, kind filter or None, flag column or None).
ACCESS_TARGETS: dict[str, tuple[str, str | None, str | None]] = {
    "care_home": ("care_homes", None, None),
    "nursing": ("care_homes", "care_home_nursing", None),
    "residential": ("care_homes", "care_home_residential", None),
    "dementia": ("care_homes", None, "dementia"),
    "home_care": ("home_care", None, None),
    "extra_care": ("extra_care", None, None),
}


def provider_table(surroundings: Surroundings) -> gpd.GeoDataFrame:
    """Stack the provider layers into one table of supply points.

    Parameters
    ----------
    surroundings
        Providers in and around the area.

    Returns
    -------
    geopandas.GeoDataFrame
        ``provider_id``, ``name``, ``layer``, ``kind``, ``beds``, ``nursing_beds``,
        ``residential_beds`` (the bed-use split), ``units``, ``dementia``, ``in_area``,
        ``ruc11`` (``None`` where unknown), point geometry (EPSG:27700), index 0..n-1.
    """
    cols = [
        "provider_id",
        "name",
        "kind",
        "beds",
        "nursing_beds",
        "residential_beds",
        "units",
        "dementia",
        "in_area",
        "ruc11",
    ]
    frames = []
    for layer, frame in surroundings.providers.items():
        if frame.empty:
            continue
        if layer == "care_homes" and "nursing_beds" not in frame:
            frame = apply_bed_use(frame)[0]  # layers made by hand: the registration rule
        part = frame.reindex(columns=[*cols, "geometry"]).assign(layer=layer)
        frames.append(part)
    if not frames:
        return gpd.GeoDataFrame(
            {c: [] for c in [*cols, "layer"]}, geometry=[], crs=settings.crs_metric
        )
    table = pd.concat(frames, ignore_index=True)
    table["dementia"] = table["dementia"].astype("boolean").fillna(False).astype(bool)
    table["in_area"] = table["in_area"].astype(bool)
    table["ruc11"] = table["ruc11"].astype(object).where(table["ruc11"].notna(), None)
    return gpd.GeoDataFrame(table, geometry="geometry", crs=settings.crs_metric)


def _nearest(minutes: np.ndarray, km: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, ...]:
    """Minutes and km to the nearest column in *mask* (NaN when none is reachable)."""
    n = minutes.shape[0]
    if not mask.any():
        return np.full(n, np.nan), np.full(n, np.nan), np.full(n, -1)
    sub = np.where(np.isnan(minutes[:, mask]), np.inf, minutes[:, mask])
    j = sub.argmin(axis=1)
    best = sub[np.arange(n), j]
    cols = np.flatnonzero(mask)[j]
    found = np.isfinite(best)
    return (
        np.where(found, best, np.nan),
        np.where(found, km[np.arange(n), cols], np.nan),
        np.where(found, cols, -1),
    )


def access(
    layers: AreaLayers,
    *,
    network: object | None = None,
    surroundings: Surroundings | None = None,
    max_minutes: float = 60.0,
    bands: Mapping[float, float] = DEFAULT_BANDS,
    decay: Decay | None = None,
    catchment_minutes: float = 30.0,
    within_minutes: Sequence[float] = (15.0, 30.0, 45.0),
    area_class: str | None = None,
    profile: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Access to care from every LSOA of an area.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).
    network
        A geosuff road network or osmnx-style graph (edge ``travel_time`` in seconds),
        or ``None`` for the labelled straight-line estimate.
    surroundings
        Demand and providers around the area (:func:`geosuff.load_surroundings`) for
        cross-border access; default the area alone.
    max_minutes
        Longest drive searched; a provider beyond it counts as unreachable.
    bands
        Enhanced 2SFCA weights by band (default 1.0 / 0.68 / 0.22 for 0-10 / 10-20 /
        20-30 minutes).
    decay
        Any weight function instead of *bands* (e.g. :func:`geosuff.gaussian_decay`).
    catchment_minutes
        Catchment of the classic 2SFCA (weight 1 inside, 0 outside).
    within_minutes
        Thresholds for the beds-within-reach counts.
    area_class
        The estimate (no network only): ``None`` gives every provider and LSOA the
        setting of its RUC11 class (the calibrated estimate); ``"rural"``/``"urban"``
        the uncalibrated one; a RUC11 code that setting everywhere.
    profile
        Speed profile for the estimate (default: ``settings.estimate_profile``, else
        the packaged calibration).
    progress
        Called with the number of providers routed after each chunk (for a progress
        bar); the total is the number of providers in and around the area.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per LSOA of the area (LSOA polygons, EPSG:27700): ``lsoa_code``,
        ``lsoa_name``, ``la_code``, ``pop_75plus``; ``minutes_to_<target>`` and
        ``km_to_<target>`` and ``nearest_<target>_id`` for targets ``care_home``,
        ``nursing``, ``residential``, ``dementia``, ``home_care``, ``extra_care``
        (NaN / empty when none within *max_minutes*); ``beds_within_<N>min``;
        ``e2sfca_beds_per_1000_75plus`` (also ``_nursing_beds``,
        ``_residential_beds`` from the care homes' bed-use split, ``_extra_care_units``,
        ``_home_care_agencies``),
        ``twosfca_beds_per_1000_75plus``; ``cross_border_share_beds`` (share of the
        E2SFCA beds score from homes outside the area); ``travel_method``;
        ``travel_calibration`` (the estimate's calibration, empty for a network);
        ``demand_snap_dist_m``. Drive times run from each provider to the LSOA's
        demand point (as a care worker drives; one-way streets make the other
        direction differ slightly). ``home_care_coverage`` / ``extra_care_coverage``
        ("partial: <reason>") appear when that provider list is partial: its
        distances and scores are then not findings. ``attrs["providers_off_network"]``
        counts providers left out for lying beyond :data:`OFF_NETWORK_LIMIT_M` of the network.
    """
    from geosuff.network import time_matrix_array

    around = surroundings if surroundings is not None else within_area_only(layers)
    demand = around.demand
    supply = provider_table(around)
    # Routed from each provider to every demand point (the way a home care worker
    # drives; for care homes a symmetric approximation). Providers are far fewer than
    # demand points once the border buffer is counted, so this needs fewer searches.
    arr = time_matrix_array(
        network,
        supply.assign(id=np.arange(len(supply))),
        demand.assign(id=demand["lsoa_code"]),
        max_minutes=max_minutes,
        max_snap_m=None,
        area_class=area_class,
        profile=profile,
        progress=progress,
    )
    minutes, km = arr.minutes.T.copy(), arr.km.T.copy()
    off_supply = np.nan_to_num(arr.origin_snap_dist_m, nan=0.0) > OFF_NETWORK_LIMIT_M
    off_demand = np.nan_to_num(arr.dest_snap_dist_m, nan=0.0) > OFF_NETWORK_LIMIT_M
    minutes[:, off_supply] = np.nan
    minutes[off_demand, :] = np.nan
    km[np.isnan(minutes)] = np.nan
    if off_supply.any() or off_demand.any():
        log.warning(
            "%d providers and %d LSOA demand points lie over %.0f m from the road "
            "network and were left out of network travel times",
            int(off_supply.sum()),
            int(off_demand.sum()),
            OFF_NETWORK_LIMIT_M,
        )
    in_area_rows = demand["in_area"].to_numpy(bool)
    out = layers.population[["lsoa_code", "lsoa_name", "la_code", "pop_75plus", "geometry"]]
    out = out.set_index("lsoa_code").loc[demand.loc[in_area_rows, "lsoa_code"]].reset_index()
    rows = np.flatnonzero(in_area_rows)
    layer = supply["layer"].to_numpy()
    kind = supply["kind"].to_numpy()
    ids = supply["provider_id"].astype(str).to_numpy()
    for target, (lay, kind_filter, flag) in ACCESS_TARGETS.items():
        mask = layer == lay
        if kind_filter is not None:
            mask &= kind == kind_filter
        if flag is not None:
            mask &= supply[flag].to_numpy(bool)
        t, k, j = _nearest(minutes[rows], km[rows], mask)
        out[f"minutes_to_{target}"] = t
        out[f"km_to_{target}"] = k
        out[f"nearest_{target}_id"] = np.where(j >= 0, ids[np.maximum(j, 0)], None)
    homes = layer == "care_homes"
    beds = supply["beds"].fillna(0).to_numpy(float)
    for limit in within_minutes:
        reach = np.nan_to_num(minutes[rows][:, homes], nan=np.inf) <= limit
        out[f"beds_within_{limit:g}min"] = reach @ beds[homes]
    weights = decay or step_decay(bands)
    pop = demand["pop_75plus"].to_numpy(float)
    outside = ~supply["in_area"].to_numpy(bool)
    units = supply["units"].fillna(0).to_numpy(float)
    # nursing and residential capacity follow the bed-use split made at load
    nursing_beds = supply["nursing_beds"].fillna(0).to_numpy(float)
    residential_beds = supply["residential_beds"].fillna(0).to_numpy(float)
    scores = {
        "beds": (homes, beds),
        "nursing_beds": (homes, nursing_beds),
        "residential_beds": (homes, residential_beds),
        "extra_care_units": (layer == "extra_care", units),
        "home_care_agencies": (layer == "home_care", np.ones(len(supply))),
    }
    for name, (mask, capacity) in scores.items():
        res = floating_catchment(
            pop, capacity[mask], minutes[:, mask], weights, outside=outside[mask]
        )
        out[f"e2sfca_{name}_per_1000_75plus"] = res.score_per_1000[rows]
        if name == "beds":
            with np.errstate(divide="ignore", invalid="ignore"):
                share = res.from_outside_per_1000[rows] / res.score_per_1000[rows]
            out["cross_border_share_beds"] = np.where(res.score_per_1000[rows] > 0, share, 0.0)
    two = floating_catchment(
        pop, beds[homes], minutes[:, homes], step_decay({catchment_minutes: 1.0})
    )
    out["twosfca_beds_per_1000_75plus"] = two.score_per_1000[rows]
    out["travel_method"] = arr.method
    out["travel_calibration"] = arr.calibration
    out["demand_snap_dist_m"] = arr.dest_snap_dist_m[rows]
    # a sample list makes every LSOA look far from (and poorly served by) its providers:
    # the figures stay, with the layer's coverage beside them
    for layer in ("home_care", "extra_care"):
        cover = layers.coverage.get(layer)
        if cover is not None and cover.status == "partial":
            out[f"{layer}_coverage"] = cover.label()
    result = gpd.GeoDataFrame(out, geometry="geometry", crs=settings.crs_metric)
    result.attrs["providers_off_network"] = int(off_supply.sum())
    result.attrs["travel_method"] = arr.method
    result.attrs["travel_calibration"] = arr.calibration
    return result
