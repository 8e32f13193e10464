"""Render a recipe: load the area's layers and optional results, build and save the map."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geosuff._errors import DataMissingError, InputFileError
from geosuff.io.area_layers import LayerFiles, load_area_layers
from geosuff.io.files import read_table, read_vector
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.wards import load_wards
from geosuff.maps.build import build_map, save_map
from geosuff.maps.focus import resolve_focus
from geosuff.maps.recipe import MapRecipe

__all__ = ["RenderResult", "render_recipe"]

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
    """

    path: Path
    size_bytes: int
    seconds: float
    build_seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)


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


def render_recipe(
    recipe: MapRecipe,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    files: LayerFiles | None = None,
    out: str | os.PathLike[str] | None = None,
) -> RenderResult:
    """Load the data a recipe needs, build its map and write it.

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
    folder = resolve_data_dir(data_dir)
    layers = load_area_layers(recipe.area, data_dir=folder, files=files)
    focus = None
    if recipe.focus:
        try:
            wards = load_wards(layers.area, data_dir=folder)
        except (DataMissingError, InputFileError) as exc:
            # No ward file for this area: a postcode can still be found.
            log.warning("no wards for %s (%s); the focus must be a postcode", recipe.area, exc)
            wards = gpd.GeoDataFrame(
                {"ward_code": [], "ward_name": []}, geometry=[], crs="EPSG:27700"
            )
        postcodes = (files.postcodes if files else None) or find_data_file(folder, "postcodes")
        focus = resolve_focus(recipe.focus, wards, postcodes=postcodes)
    extra = {key: _read_any(path) for key, path in recipe.inputs.items()}
    sources = {k: str(v) for k, v in recipe.inputs.items()}
    pop_file = (files.population if files else None) or find_data_file(folder, "population")
    if pop_file is not None:
        sources["population"] = str(pop_file)
    built = time.perf_counter()
    fmap = build_map(
        layers,
        focus=focus,
        access=extra.get("access"),
        gaps=extra.get("gaps"),
        zones=extra.get("zones"),
        isochrones=extra.get("isochrones"),  # type: ignore[arg-type]
        title=recipe.title,
        tiles=recipe.tiles,
        tiles_attribution=recipe.tiles_attribution,
        self_contained=recipe.self_contained,
        options=recipe.options,
        sources=sources,
    )
    path = Path(out) if out is not None else recipe.output_path()
    size = save_map(fmap, path)
    end = time.perf_counter()
    return RenderResult(
        path,
        size,
        end - start,
        end - built,
        dict(fmap.geosuff_counts),  # type: ignore[attr-defined]
        list(fmap.geosuff_unavailable),  # type: ignore[attr-defined]
    )
