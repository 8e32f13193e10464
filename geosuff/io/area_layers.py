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

from geosuff._errors import DataMissingError, GeosuffError, ValidationError
from geosuff.io.area_rejects import rejects_for_area
from geosuff.io.areas import Area, list_areas, resolve_area
from geosuff.io.bed_use import BedUse, apply_bed_use, bed_use_model
from geosuff.io.coverage import assess_coverage, check_declarations
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.placement import check_count_by, place_in_area
from geosuff.io.population import _lsoa_file_for, load_lsoa_boundaries, load_population
from geosuff.io.population_year import layers_for_years
from geosuff.io.provenance import Coverage, SourceInfo
from geosuff.io.providers import load_providers
from geosuff.io.rejects import Loaded, empty_rejects
from geosuff.io.scope import DEFAULT_SCOPE, apply_scope, check_scope
from geosuff.io.source_info import catalogue_record, data_readme_entry, source_info

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
        Coverage verdict of each provider layer (:class:`Coverage`), and of the
        population when its file covers only part of the area; a layer absent from
        the mapping has not been assessed.
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
    bed_use
        The bed-use model that split the care homes' beds (``None``: registration),
        so providers loaded later (over the border) are split the same way.
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
    bed_use: BedUse | None = None


_DEFAULT_KEYS = {
    "care_homes": ("cqc_locations", "care_homes", "care_directory"),
    "home_care": ("cqc_locations", "home_care", "care_directory"),
    "extra_care": ("cqc_locations", "extra_care", "care_directory"),
}
_LABELS = {"care_homes": "care homes", "home_care": "home care", "extra_care": "extra care"}


def _provider_file(layer: str, given: PathLike | None, folder: Path) -> Path | None:
    if given is not None:
        return Path(given)
    for key in _DEFAULT_KEYS[layer]:
        found = find_data_file(folder, key)
        if found is not None:
            return found
    return None


def _empty_layer(crs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"provider_id": [], "name": [], "kind": [], "beds": [], "units": []},
        geometry=[],
        crs=crs,
    )


def _area_lsoas(
    pop: Loaded, area: Area, lsoa_path: Path, pop_path: Path | None
) -> tuple[gpd.GeoDataFrame, Coverage | None]:
    """Every LSOA of the area (with or without population figures) for placing providers.

    When the population file lacks some of the area's LSOAs, their polygons are read
    again so the providers in them are still counted, and the population is partial.
    """
    base = pop.data[["lsoa_code", "la_code", "geometry"]]
    rejects = pop.rejects
    if rejects.empty:
        return base, None
    no_pop = rejects.loc[
        rejects["reason"].astype(str).str.startswith("no population estimate"), "id"
    ]
    if no_pop.empty:
        return base, None
    boundaries = load_lsoa_boundaries(lsoa_path).data
    extra = boundaries[boundaries["lsoa_code"].isin(set(no_pop))][
        ["lsoa_code", "la_code", "geometry"]
    ]
    n_all = len(base) + len(extra)
    name = pop_path.name if pop_path is not None else "the population file"
    cover = Coverage(
        "partial",
        f"{name} has figures for {len(base):,} of the {n_all:,} LSOAs of {area.name} "
        f"({len(extra):,} without, listed): providers there are counted, but ratios and "
        "gaps of units missing people cannot be computed",
    )
    both = pd.concat([base, extra], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=base.crs), cover


def _other_authorities(folder: Path, area: Area) -> list[str]:
    try:
        names = list_areas(folder)["name"].astype(str).tolist()
    except GeosuffError:
        return []
    own = {area.name, *area.district_names}
    return [n for n in names if n not in own]


def _bed_model(
    nursing_share: float | None, bed_use: PathLike | BedUse | None
) -> tuple[BedUse, pd.DataFrame]:
    if isinstance(bed_use, BedUse):
        if nursing_share is not None:
            msg = "give nursing_share inside the BedUse model, not beside it"
            raise ValidationError(msg)
        return bed_use, empty_rejects()
    return bed_use_model(nursing_share=nursing_share, bed_use=bed_use)


def load_area_layers(
    area: str | Area,
    *,
    data_dir: PathLike | None = None,
    files: LayerFiles | None = None,
    require: tuple[str, ...] = ("care_homes",),
    year: int | None = None,
    include_dormant: bool = False,
    min_rating: str | None = None,
    scope: str = DEFAULT_SCOPE,
    nursing_share: float | None = None,
    bed_use: PathLike | BedUse | None = None,
    coverage: Mapping[str, str] | None = None,
    count_by: str = "cqc",
) -> AreaLayers:
    """Load the population and provider layers of an area.

    Providers are counted where their point falls, unless their source's local
    authority says otherwise (see :mod:`geosuff.io.placement`). Care homes are then
    restricted to the *scope* (see :mod:`geosuff.io.scope`) and their beds split by the
    bed-use model (see :mod:`geosuff.io.bed_use`); every layer gets a coverage verdict
    (:mod:`geosuff.io.coverage`) and a source record with its vintage
    (:mod:`geosuff.io.source_info`). Every row left out is listed in ``rejects``.

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
    scope
        ``"older-people"`` (default: homes registered for Older People or Dementia)
        or ``"all"``.
    nursing_share
        Share of beds in nursing-registered homes counted as nursing (0..1); default
        the ``registration`` rule (all of them).
    bed_use
        A bed-use file (nursing/residential beds per CQC location id) or a
        :class:`~geosuff.io.bed_use.BedUse` model.
    coverage
        The user's coverage declarations, e.g. ``{"home_care": "complete"}``.
    count_by
        ``"cqc"`` (default: a provider whose local authority and coordinates disagree
        is counted where its source says) or ``"coordinates"``.

    Returns
    -------
    AreaLayers
        The layers and their rejects, coverage, provenance, scope and bed split;
        ``year`` and ``population_basis`` say which population was used.

    Raises
    ------
    ValidationError
        If *year* is outside the projection's range, or an authority of the area is
        missing from the projection.
    """
    files = files or LayerFiles()
    scope = check_scope(scope)
    check_count_by(count_by)
    declared = check_declarations(coverage)
    model, model_rejects = _bed_model(nursing_share, bed_use)
    folder = resolve_data_dir(data_dir)
    resolved = area if isinstance(area, Area) else resolve_area(area, folder)
    pop = load_population(resolved, lsoa=files.lsoa, population=files.population, data_dir=folder)
    pop_path = Path(files.population) if files.population else find_data_file(folder, "population")
    lsoa_path = Path(files.lsoa) if files.lsoa else _lsoa_file_for(resolved, folder)
    lsoas, pop_cover = _area_lsoas(pop, resolved, lsoa_path, pop_path)
    sources = {"population": str(files.population or "data folder ONS estimates")}
    provenance = {
        "population": source_info("population", pop_path, folder),
        "lsoa": source_info("lsoa", lsoa_path, folder),
    }
    cover: dict[str, Coverage] = {} if pop_cover is None else {"population": pop_cover}
    pop_75plus = float(pop.data["pop_75plus"].sum())
    rejects = [pop.rejects, model_rejects]
    missing: dict[str, str] = {}
    provider_paths = {
        layer: _provider_file(layer, getattr(files, layer), folder) for layer in _DEFAULT_KEYS
    }
    postcode_path = (
        Path(files.postcodes) if files.postcodes else find_data_file(folder, "postcodes")
    )
    others = _other_authorities(folder, resolved)
    layers: dict[str, gpd.GeoDataFrame] = {}
    bed_split = model.describe()
    for layer, path in provider_paths.items():
        if path is None:
            if layer in require:
                msg = (
                    f"no {layer.replace('_', ' ')} file in {folder}; run `geosuff data fetch "
                    f"--area {resolved.name}` or give --{layer.replace('_', '-')} FILE"
                )
                raise DataMissingError(msg)
            missing[layer] = "no file in the data folder"
            layers[layer] = _empty_layer(pop.data.crs)
            cover[layer] = assess_coverage(layer, None, pop_75plus=pop_75plus)
            provenance[layer] = source_info(layer, None, folder)
            continue
        loaded = load_providers(
            path,
            layer,
            postcodes=postcode_path,
            include_dormant=include_dormant,
            min_rating=min_rating,
        )
        facts = dict(loaded.data.attrs)
        sources[layer] = str(path)
        source = f"{_LABELS[layer]} ({path.name})"
        placed, listed = place_in_area(
            loaded.data,
            lsoas,
            resolved,
            count_by=count_by,
            others=others,
            postcodes=postcode_path,
            source=source,
        )
        placed["ruc11"] = placed["lsoa_code"].map(pop.data.set_index("lsoa_code")["ruc11"])
        # Rejected rows are reported only when they claim to be in this area, or when
        # the user gave the file (then every row is theirs to fix).
        layer_rejects = loaded.rejects
        if getattr(files, layer) is None and not layer_rejects.empty:
            layer_rejects = rejects_for_area(layer_rejects, path, resolved)
        rejects += [layer_rejects, listed]
        if layer == "care_homes":
            placed, excluded = apply_scope(placed, scope, source=source)
            placed, flagged, n_file = apply_bed_use(placed, model, source=source)
            bed_split = model.describe(len(placed), n_file)
            rejects += [excluded, flagged]
        layers[layer] = placed.reset_index(drop=True)
        cover[layer] = assess_coverage(
            layer,
            placed,
            pop_75plus=pop_75plus,
            facts=facts,
            declared=declared.get(layer),
            readme=data_readme_entry(folder, path),
            catalogue=catalogue_record(folder, path),
        )
        provenance[layer] = source_info(layer, path, folder, facts)
    if layers["care_homes"].empty and "nursing_beds" not in layers["care_homes"]:
        layers["care_homes"] = apply_bed_use(layers["care_homes"], model)[0]
    parts = [r for r in rejects if not r.empty]
    all_rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    log.info("%s: scope %s; beds split by %s", resolved.name, scope, bed_split)
    loaded = AreaLayers(
        resolved,
        pop.data,
        layers["care_homes"],
        layers["home_care"],
        layers["extra_care"],
        all_rejects,
        sources,
        missing,
        coverage=MappingProxyType(cover),
        provenance=MappingProxyType(provenance),
        scope=scope,
        bed_split=bed_split,
        bed_use=model,
    )
    estimates = files.population or find_data_file(folder, "population")
    if estimates is None:
        return loaded
    dated = layers_for_years(
        loaded, [year], data_dir=folder, estimates=estimates, projection=files.projections
    )[0]
    if "projections" not in dated.sources:
        return dated
    info = source_info("projections", dated.sources["projections"], folder)
    return dated._replace(provenance=MappingProxyType({**provenance, "projections": info}))
