"""Render a recipe: load the area's layers and optional results, build and save the map."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import DataMissingError, InputFileError
from geosuff.io.area_layers import AreaLayers, LayerFiles, load_area_layers
from geosuff.io.files import read_table, read_vector
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.wards import load_wards
from geosuff.maps.build import build_map
from geosuff.maps.focus import Focus, resolve_focus
from geosuff.maps.page import check_html_path, save_map
from geosuff.maps.recipe import MapRecipe

__all__ = ["RenderResult", "area_wards", "render_recipe"]

log = logging.getLogger(__name__)

_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb")


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_recipe` wrote.

    Attributes
    ----------
    path
        The HTML file.
    size_bytes
        Its size.
    seconds
        Time to load the data, build and save the map.
    build_seconds
        Time to build and save the map only (data already loaded).
    counts
        Features drawn per layer key.
    unavailable
        Layers left out, and why.
    year
        The population's year.
    population_basis
        How the population was obtained (estimates, or an apportioned projection).
    """

    path: Path
    size_bytes: int
    seconds: float
    build_seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)
    year: int | None = None
    population_basis: str = ""


def _read_any(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in _VECTOR_SUFFIXES:
        return read_vector(path)
    table = read_table(path)
    if path.suffix.lower() == ".parquet":
        try:
            return gpd.read_parquet(path)
        except (ValueError, TypeError):
            return table
    return table


def _analyses(
    recipe: MapRecipe,
    layers: AreaLayers,
    focus: Focus | None,
    folder: Path,
    given: dict[str, pd.DataFrame],
    wards: gpd.GeoDataFrame,
) -> dict[str, object]:
    """Compute what the map shows and the recipe did not give: zones, access, travel, gaps."""
    from geosuff.maps.results import (
        focus_isochrones,
        load_network_file,
        load_zones_input,
        map_results,
    )

    out: dict[str, object] = {}
    net, _ = load_network_file(recipe.network, folder)
    groups = None
    zones_file = recipe.inputs.get("zones")
    if zones_file is not None:
        zoned = load_zones_input(zones_file, layers, network=net, folder=folder)
        groups = zoned.groups
        if zones_file.suffix.lower() == ".toml":
            out["zones"] = zoned.polygons
    missing = {"access", "travel", "gaps"} - set(given)
    if missing:
        results = map_results(
            layers,
            folder=folder,
            network=net,
            groups=groups,
            wards=wards,
            access=given.get("access"),
            travel=given.get("travel"),
        )
        found = {"access": results.access, "travel": results.travel, "gaps": results.gaps}
        out.update({key: found[key] for key in missing})
    if "isochrones" not in given:
        out["isochrones"] = focus_isochrones(net, focus)
    return out


def area_wards(layers: AreaLayers, folder: Path) -> gpd.GeoDataFrame:
    """Return the area's wards (for the focus and place names), or none when absent.

    Parameters
    ----------
    layers
        The area's layers.
    folder
        The data folder.

    Returns
    -------
    geopandas.GeoDataFrame
        ``ward_code``, ``ward_name`` and polygons; empty when the data folder has no
        ward file for the area (a postcode focus still works).
    """
    try:
        return load_wards(layers.area, data_dir=folder)
    except (DataMissingError, InputFileError) as exc:
        log.warning(
            "no wards for %s (%s): no place names; a focus must be a postcode",
            layers.area.name,
            exc,
        )
        return gpd.GeoDataFrame({"ward_code": [], "ward_name": []}, geometry=[], crs="EPSG:27700")


def render_recipe(
    recipe: MapRecipe,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    files: LayerFiles | None = None,
    out: str | os.PathLike[str] | None = None,
) -> RenderResult:
    """Load the data a recipe needs, build its map and write it.

    The area's layers follow the recipe's supply rules (``recipe.rules``: scope, bed
    split, coverage declarations, provider filters), and so do the access, travel
    and gaps computed for the map.

    Parameters
    ----------
    recipe
        The recipe.
    data_dir
        Data folder (``--data`` / ``GEOSUFF_DATA`` / ``../shared/data``).
    files
        Layer file overrides.
    out
        Output file replacing the recipe's.

    Returns
    -------
    RenderResult
        Path, size, timings and layer counts.
    """
    start = time.perf_counter()
    path = check_html_path(out if out is not None else recipe.output_path())
    folder = resolve_data_dir(data_dir)
    layers = load_area_layers(
        recipe.area, data_dir=folder, files=files, year=recipe.year, **recipe.rules.load_kwargs()
    )
    wards = area_wards(layers, folder)
    focus = None
    if recipe.focus:
        postcodes = (files.postcodes if files else None) or find_data_file(folder, "postcodes")
        focus = resolve_focus(recipe.focus, wards, postcodes=postcodes)
    extra: dict[str, Any] = {
        key: _read_any(path)
        for key, path in recipe.inputs.items()
        if not (key == "zones" and path.suffix.lower() == ".toml")
    }
    if recipe.analyses:
        extra.update(_analyses(recipe, layers, focus, folder, extra, wards))
    sources = {k: str(v) for k, v in recipe.inputs.items()}
    pop_file = (files.population if files else None) or find_data_file(folder, "population")
    if pop_file is not None:
        sources["population"] = str(pop_file)
    built = time.perf_counter()
    fmap = build_map(
        layers,
        focus=focus,
        access=extra.get("access"),
        travel=extra.get("travel"),
        gaps=extra.get("gaps"),
        zones=extra.get("zones"),
        isochrones=extra.get("isochrones"),  # type: ignore[arg-type]
        wards=wards if len(wards) else None,
        title=recipe.title,
        tiles=recipe.tiles,
        tiles_attribution=recipe.tiles_attribution,
        self_contained=recipe.self_contained,
        options=recipe.options,
        sources=sources,
    )
    size = save_map(fmap, path)
    end = time.perf_counter()
    return RenderResult(
        path,
        size,
        end - start,
        end - built,
        dict(fmap.geosuff_counts),  # type: ignore[attr-defined]
        list(fmap.geosuff_unavailable),  # type: ignore[attr-defined]
        layers.year,
        layers.population_basis,
    )
