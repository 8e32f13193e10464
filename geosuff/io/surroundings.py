"""An area's surroundings: neighbouring LSOAs and providers within a buffer.

Care crosses county lines: a home just over the border serves the LSOAs near it, and
the people just over the border compete for the area's homes. Access measures load
the demand points and providers within a buffer of the area, flagged ``in_area``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff.io.area_layers import AreaLayers
from geosuff.io.bed_use import apply_bed_use
from geosuff.io.centroids import read_centroids
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.placement import assign_to_lsoas
from geosuff.io.population import demand_points, read_population_estimates
from geosuff.io.providers import load_providers
from geosuff.io.ruc import ruc_by_lsoa, ruc_from_nearest
from geosuff.io.scope import apply_scope

__all__ = ["PROVIDER_LAYERS", "Surroundings", "load_surroundings", "within_area_only"]

log = logging.getLogger(__name__)

PROVIDER_LAYERS = ("care_homes", "home_care", "extra_care")


class Surroundings(NamedTuple):
    """Demand and supply in and around an area.

    Attributes
    ----------
    demand
        Demand points (``lsoa_code``, ``pop_75plus``, ``ruc11``, ``in_area``), the
        area's LSOAs first; EPSG:27700 points.
    providers
        Layer name -> providers in and around the area, with ``in_area`` and ``ruc11``
        (their LSOA's RUC11 class in the area; over the border, that of the nearest
        LSOA population-weighted centroid).
    buffer_km
        The buffer used (0 for the area alone).
    demand_note
        What differs in the cross-border demand's basis from the area's (e.g. LSOAs
        that keep their estimates in a projected year); empty when nothing does.
    """

    demand: gpd.GeoDataFrame
    providers: dict[str, gpd.GeoDataFrame]
    buffer_km: float
    demand_note: str = ""


def within_area_only(layers: AreaLayers) -> Surroundings:
    """Surroundings made of the area alone (no cross-border demand or supply).

    Parameters
    ----------
    layers
        The area's layers.

    Returns
    -------
    Surroundings
        Everything flagged ``in_area``.
    """
    cols = [c for c in ("lsoa_code", "pop_75plus", "ruc11") if c in layers.population]
    demand = demand_points(layers.population)[[*cols, "geometry"]]
    demand = demand.assign(in_area=True)
    providers = {name: getattr(layers, name).assign(in_area=True) for name in PROVIDER_LAYERS}
    return Surroundings(demand, providers, 0.0)


def load_surroundings(
    layers: AreaLayers,
    *,
    buffer_km: float = 20.0,
    demand_buffer_km: float | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Surroundings:
    """Load the providers within *buffer_km* of an area, and the demand competing for them.

    Neighbouring demand comes from the data folder's national population-weighted
    centroids and population estimates; neighbouring providers from the same provider
    files the area was loaded from (the CQC file covers all of England). When the
    layers hold a projected year, neighbouring LSOAs are projected to the same year
    the same way (each apportioned within its own authority), so competing demand is
    for that year; LSOAs whose authority is not in the projection (e.g. in Wales) keep
    their estimates and ``demand_note`` says so.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).
    buffer_km
        How far beyond the area boundary to look for providers; ``0`` means the area
        alone. 20 km covers a 30-minute catchment on the straight-line estimate (30 min
        at 50 km/h over a 1.4 detour factor is 17.9 km); fast roads reach farther.
    demand_buffer_km
        How far to look for competing demand; default twice *buffer_km*, so every
        included provider's own catchment is fully populated and E2SFCA near the
        border is exact on the estimate.
    data_dir
        Data folder.

    Returns
    -------
    Surroundings
        Demand and providers in and around the area.
    """
    own = within_area_only(layers)
    if buffer_km <= 0:
        return own
    folder = resolve_data_dir(data_dir)
    area_shape = layers.population.geometry.union_all()
    outline = area_shape.buffer(buffer_km * 1000.0)
    demand_km = 2.0 * buffer_km if demand_buffer_km is None else demand_buffer_km
    demand_outline = area_shape.buffer(demand_km * 1000.0)
    frames = [own.demand]
    demand_note = ""
    centroids = find_data_file(folder, "lsoa_centroids")
    pop_file = find_data_file(folder, "population")
    if centroids is not None and pop_file is not None:
        points = read_centroids(centroids)
        pts = gpd.GeoDataFrame(
            index=points.index,
            geometry=gpd.points_from_xy(points["demand_e"], points["demand_n"]),
            crs=settings.crs_metric,
        )
        near = pts[pts.within(demand_outline) & ~pts.index.isin(own.demand["lsoa_code"])]
        estimates, _ = read_population_estimates(pop_file, codes=set(near.index))
        near = near[near.index.isin(estimates.index)]
        pop75 = estimates.loc[near.index, "pop_75plus"]
        if "projections" in layers.sources and layers.year is not None:
            pop75, demand_note = _neighbours_for_year(layers, near.index, pop75, pop_file, folder)
        frames.append(
            gpd.GeoDataFrame(
                {
                    "lsoa_code": near.index,
                    "pop_75plus": pop75.to_numpy(),
                    "ruc11": ruc_by_lsoa(near.index, data_dir=folder).to_numpy(),
                    "in_area": False,
                },
                geometry=near.geometry.to_numpy(),
                crs=settings.crs_metric,
            )
        )
    else:
        log.warning("no national centroids/population: cross-border demand left out")
    demand = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=settings.crs_metric)
    providers: dict[str, gpd.GeoDataFrame] = {}
    for name in PROVIDER_LAYERS:
        path = layers.sources.get(name)
        if path is None:
            providers[name] = own.providers[name]
            continue
        postcodes = find_data_file(folder, "postcodes")
        loaded = load_providers(Path(path), name, postcodes=postcodes).data
        loaded = loaded[loaded.within(outline)]
        # The area's own providers as loaded (placement, scope, bed split); the others
        # under the same rules.
        placed = assign_to_lsoas(neighbour_providers(loaded, name, layers), layers.population)
        placed["in_area"] = False
        placed["ruc11"] = _provider_ruc(placed, layers.population, demand)
        both = pd.concat([own.providers[name], placed], ignore_index=True)
        providers[name] = gpd.GeoDataFrame(both, geometry="geometry", crs=settings.crs_metric)
    n_out = sum(int((~p["in_area"]).sum()) for p in providers.values())
    log.info(
        "surroundings within %g km: %d neighbouring LSOAs, %d providers over the border",
        buffer_km,
        int((~demand["in_area"]).sum()),
        n_out,
    )
    return Surroundings(demand, providers, float(buffer_km), demand_note)


def _neighbours_for_year(
    layers: AreaLayers, codes: pd.Index, pop75: pd.Series, estimates: Path, folder: Path
) -> tuple[pd.Series, str]:
    """Project neighbouring LSOAs' 75+ to the layers' year (estimates where impossible)."""
    from geosuff.io.apportion_units import project_neighbours
    from geosuff.io.projections import read_projection

    projection = read_projection(layers.sources["projections"])
    projected, note = project_neighbours(
        codes, int(layers.year), estimates=estimates, projection=projection, data_dir=folder
    )
    out = projected["pop_75plus"].reindex(codes).astype(float).fillna(pop75)
    if note:
        log.warning("cross-border demand in %d: %s", layers.year, note)
    return out, note


def _provider_ruc(
    placed: gpd.GeoDataFrame, population: gpd.GeoDataFrame, demand: gpd.GeoDataFrame
) -> np.ndarray:
    """RUC11 of providers: their LSOA's in the area, the nearest LSOA centroid's outside."""
    out = np.full(len(placed), None, dtype=object)
    if "ruc11" not in population or "ruc11" not in demand or placed.empty:
        return out
    own = placed["lsoa_code"].map(population.set_index("lsoa_code")["ruc11"])
    out[:] = own.astype(object).where(own.notna(), None).to_numpy()
    outside = ~placed["in_area"].to_numpy(bool)
    if outside.any():
        xy = np.column_stack([placed.geometry.x, placed.geometry.y])[outside]
        ref = np.column_stack([demand.geometry.x, demand.geometry.y])
        out[outside] = ruc_from_nearest(xy, ref, demand["ruc11"].to_numpy())
    return out


def neighbour_providers(
    providers: gpd.GeoDataFrame, layer: str, layers: AreaLayers
) -> gpd.GeoDataFrame:
    """Prepare providers from around an area under the area's own rules.

    Parameters
    ----------
    providers
        Providers loaded from the same file as the area's layer (e.g. within a buffer).
    layer
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    layers
        The area's layers.

    Returns
    -------
    geopandas.GeoDataFrame
        The providers not already counted in the area; care homes restricted to the
        area's scope and split by its bed-use model.
    """
    own = getattr(layers, layer)
    ids = set(own["provider_id"].astype(str)) if "provider_id" in own else set()
    out = providers[~providers["provider_id"].astype(str).isin(ids)]
    if layer == "care_homes" and not out.empty:
        out, _ = apply_scope(out, layers.scope)
        out = apply_bed_use(out, layers.bed_use, report_unmatched=False)[0]
    return out
