"""Which zone each LSOA is in, from any zone input: polygons, a table or a seed list."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from geosuff.analysis.joins import _LSOA_COLS, _pick, load_zones
from geosuff.io.area_layers import AreaLayers
from geosuff.io.files import read_table
from geosuff.io.rejects import Loaded, empty_rejects
from geosuff.io.wards import load_wards

__all__ = ["zone_assignment"]


def zone_assignment(
    zones: str | os.PathLike[str],
    layers: AreaLayers,
    *,
    network: object | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> Loaded:
    """Assign every LSOA of an area to a zone.

    Parameters
    ----------
    zones
        Zone polygons (GeoJSON/GPKG/...), a CSV assigning LSOAs or wards to zones, or a
        seed list (``boundaries/*.toml``), from which zones are proposed by drive time.
    layers
        The area's layers.
    network
        Road network for proposing zones from a seed list (``None``: the estimate).
    data_dir
        Data folder (wards, postcodes).
    wards
        Ward polygons for a ward table (default: the area's, from the data folder).

    Returns
    -------
    Loaded
        ``data``: ``lsoa_code``, ``zone`` (missing when in none); ``rejects``: table rows
        naming unknown LSOAs/wards and LSOAs in no zone.
    """
    path = Path(zones)
    if path.suffix.lower() == ".toml":
        from geosuff.zones.propose import propose_zones
        from geosuff.zones.seeds import parse_seeds, resolve_seeds

        seeds = resolve_seeds(parse_seeds(path), layers, data_dir=data_dir)
        proposal = propose_zones(layers, seeds, network=network)
        return Loaded(proposal[["lsoa_code", "zone"]], empty_rejects())
    if wards is None and path.suffix.lower() == ".csv":
        header = read_table(path, nrows=0).columns
        if _pick(header, _LSOA_COLS) is None:
            wards = load_wards(layers.area, data_dir=data_dir)
    return load_zones(path, layers.population, wards=wards)
