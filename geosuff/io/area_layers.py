"""Load every layer for one area in one call, with each layer overridable by a file."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from geosuff._errors import DataMissingError
from geosuff.analysis.joins import assign_to_lsoas
from geosuff.io.areas import Area, resolve_area
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.population import load_population
from geosuff.io.population_year import layers_for_years
from geosuff.io.provenance import Coverage, SourceInfo
from geosuff.io.providers import load_providers
from geosuff.io.rejects import empty_rejects

__all__ = ["AreaLayers", "LayerFiles", "load_area_layers"]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class LayerFiles:
    """User files that replace the data folder's, one per layer (``None`` = default)."""

    lsoa: PathLike | None = None
    population: PathLike | None = None
    care_homes: PathLike | None = None
    home_care: PathLike | None = None
    extra_care: PathLike | None = None
    postcodes: PathLike | None = None
    projections: PathLike | None = None


class AreaLayers(NamedTuple):
    """All layers of one area, clipped to its LSOAs, and every rejected row.

    Attributes
    ----------
    area
        The resolved area.
    population
        Population layer (LSOA polygons, EPSG:27700).
    care_homes, home_care, extra_care
        Provider layers inside the area, with ``lsoa_code``, ``la_code`` and ``ruc11``
        (the RUC11 class of their LSOA, ``None`` when unknown); an empty layer when
        its data is absent (see ``missing``).
    rejects
        Rows not used (or repaired/flagged), from every layer.
    sources
        The file each layer was read from.
    missing
        Layers with no data, and why.
    coverage
        Coverage verdict of each provider layer (:class:`Coverage`); a layer absent
        from the mapping has not been assessed.
    provenance
        Source record of each layer (:class:`SourceInfo`), for output footers.
    scope
        Which care homes count toward the 75+ benchmarks (``"older-people"`` or
        ``"all"``).
    bed_split
        How beds are split into nursing and residential, in words.
    year
        The year the population describes (the estimate's year, or a projected one).
    population_basis
        How the population was obtained (estimate, or apportioned projection), in words.
    """

    area: Area
    population: gpd.GeoDataFrame
    care_homes: gpd.GeoDataFrame
    home_care: gpd.GeoDataFrame
    extra_care: gpd.GeoDataFrame
    rejects: pd.DataFrame
    sources: dict[str, str]
    missing: dict[str, str]
    coverage: Mapping[str, Coverage] = MappingProxyType({})
    provenance: Mapping[str, SourceInfo] = MappingProxyType({})
    scope: str = "all"
    bed_split: str = "registration: all beds in homes registered with nursing count as nursing"
    year: int | None = None
    population_basis: str = ""


_DEFAULT_KEYS = {
    "care_homes": ("cqc_locations", "care_homes", "care_directory"),
    "home_care": ("cqc_locations", "home_care", "care_directory"),
    "extra_care": ("cqc_locations", "extra_care", "care_directory"),
}


def _provider_file(layer: str, given: PathLike | None, folder: Path) -> Path | None:
    if given is not None:
        return Path(given)
    for key in _DEFAULT_KEYS[layer]:
        found = find_data_file(folder, key)
        if found is not None:
            return found
    return None


def load_area_layers(
    area: str | Area,
    *,
    data_dir: PathLike | None = None,
    files: LayerFiles | None = None,
    require: tuple[str, ...] = ("care_homes",),
    year: int | None = None,
    include_dormant: bool = False,
    min_rating: str | None = None,
) -> AreaLayers:
    """Load the population and provider layers of an area.

    Providers are kept when their point falls in one of the area's LSOAs (point in
    polygon), whatever their file says their local authority is.

    Parameters
    ----------
    area
        Code or name (``"Wiltshire"``, ``"E06000054"``, ``"Worcestershire"``) or an Area.
    data_dir
        Data folder (``--data`` / ``GEOSUFF_DATA`` / ``../shared/data``).
    files
        Files replacing the data folder's for any layer.
    require
        Provider layers whose absence is an error; others are left empty and listed
        in ``missing``.
    year
        The year of the population: ``None`` (or the estimates' year) for the
        estimates; a later year projects them with the data folder's population
        projection (:func:`geosuff.io.population_year.population_for_year`).
    include_dormant, min_rating
        Provider filters (see :func:`geosuff.io.providers.load_providers`): keep
        CQC-dormant locations; keep only locations rated at least this.

    Returns
    -------
    AreaLayers
        The layers and their rejects; ``year`` and ``population_basis`` say which
        population was used.

    Raises
    ------
    ValidationError
        If *year* is outside the projection's range, or an authority of the area is
        missing from the projection.
    """
    files = files or LayerFiles()
    folder = resolve_data_dir(data_dir)
    resolved = area if isinstance(area, Area) else resolve_area(area, folder)
    pop = load_population(resolved, lsoa=files.lsoa, population=files.population, data_dir=folder)
    sources = {"population": str(files.population or "data folder ONS estimates")}
    rejects = [pop.rejects]
    missing: dict[str, str] = {}
    provider_paths = {
        layer: _provider_file(layer, getattr(files, layer), folder) for layer in _DEFAULT_KEYS
    }
    postcode_path = (
        Path(files.postcodes) if files.postcodes else find_data_file(folder, "postcodes")
    )
    layers: dict[str, gpd.GeoDataFrame] = {}
    for layer, path in provider_paths.items():
        if path is None:
            if layer in require:
                msg = (
                    f"no {layer.replace('_', ' ')} file in {folder}; run `geosuff data fetch "
                    f"--area {resolved.name}` or give --{layer.replace('_', '-')} FILE"
                )
                raise DataMissingError(msg)
            missing[layer] = "no file in the data folder"
            layers[layer] = gpd.GeoDataFrame(
                {"provider_id": [], "kind": [], "beds": [], "units": []},
                geometry=[],
                crs=pop.data.crs,
            )
            continue
        loaded = load_providers(
            path,
            layer,
            postcodes=postcode_path,
            include_dormant=include_dormant,
            min_rating=min_rating,
        )
        sources[layer] = str(path)
        placed = assign_to_lsoas(loaded.data, pop.data)
        placed["ruc11"] = placed["lsoa_code"].map(pop.data.set_index("lsoa_code")["ruc11"])
        inside = placed["lsoa_code"].notna()
        layers[layer] = placed[inside].reset_index(drop=True)
        # Rejected rows are reported only when they claim to be in this area, or when
        # the user gave the file (then every row is theirs to fix).
        layer_rejects = loaded.rejects
        if getattr(files, layer) is None and not layer_rejects.empty:
            layer_rejects = _rejects_for_area(layer_rejects, path, resolved)
        rejects.append(layer_rejects)
    parts = [r for r in rejects if not r.empty]
    all_rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    loaded = AreaLayers(
        resolved,
        pop.data,
        layers["care_homes"],
        layers["home_care"],
        layers["extra_care"],
        all_rejects,
        sources,
        missing,
    )
    estimates = files.population or find_data_file(folder, "population")
    if estimates is None:
        return loaded
    return layers_for_years(
        loaded, [year], data_dir=folder, estimates=estimates, projection=files.projections
    )[0]


def _rejects_for_area(rejects: pd.DataFrame, path: Path, area: Area) -> pd.DataFrame:
    """Keep rejects whose source row names one of the area's authorities.

    A national file's unplaceable rows cannot be clipped spatially, so they are
    attributed to an area by the local authority text in the row.
    """
    from geosuff.io.areas import normalise_name
    from geosuff.io.files import read_table

    raw = read_table(path, dtype=str, keep_default_na=False, na_values=[""])
    la_col = next(
        (
            c
            for c in raw.columns
            if c.lower() in ("location local authority", "local authority", "local_authority")
        ),
        None,
    )
    if la_col is None:
        return rejects
    names = {normalise_name(n) for n in (area.name, *area.district_names)}
    row_la = raw[la_col].fillna("").map(normalise_name)
    matches = row_la.map(lambda v: any(v.startswith(n) or n in v for n in names if n))
    from geosuff.io.sheet_tables import data_lines

    lines = {line for line, hit in zip(data_lines(raw), matches, strict=True) if hit}
    return rejects[rejects["line"].isin(lines)].reset_index(drop=True)
