"""geosuff: geospatial sufficiency mapping for English adult social care.

The public API is re-exported here; each name lives in one module of the package
(``geosuff.io`` loaders, ``geosuff.analysis`` joins and ratios) and is imported on
first use. ``geosuff.datasets`` gives the small real Rutland sample shipped with
geosuff (``geosuff.datasets.sample_dir()``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geosuff import datasets
    from geosuff.analysis.access import access
    from geosuff.analysis.fca import floating_catchment, gaussian_decay, step_decay
    from geosuff.analysis.gaps import GapThresholds, find_gaps
    from geosuff.analysis.joins import assign_groups, assign_to_lsoas, load_zones
    from geosuff.analysis.runs import HomeCareTravel, care_runs, home_care_travel
    from geosuff.analysis.summary import area_summary, layer_supply
    from geosuff.analysis.supply import supply_ratios
    from geosuff.analysis.supply_years import supply_by_year
    from geosuff.analysis.towns import lsoa_towns
    from geosuff.io.area_layers import AreaLayers, LayerFiles, load_area_layers
    from geosuff.io.areas import Area, resolve_area
    from geosuff.io.bed_use import BedUse, load_bed_use
    from geosuff.io.layout import resolve_data_dir
    from geosuff.io.output_meta import provenance_record, read_provenance
    from geosuff.io.places import FocusPlace, add_place_names, lsoas_in_place, resolve_place
    from geosuff.io.population import demand_points, load_lsoa_boundaries, load_population
    from geosuff.io.postcodes import load_postcodes, normalise_postcodes
    from geosuff.io.projections import Projection, read_projection
    from geosuff.io.providers import (
        load_care_homes,
        load_extra_care,
        load_home_care,
        load_providers,
    )
    from geosuff.io.rejects import Loaded
    from geosuff.io.surroundings import Surroundings, load_surroundings
    from geosuff.io.towns import load_towns
    from geosuff.io.trajectory import parse_years, population_trajectory
    from geosuff.io.wards import load_wards
    from geosuff.network import (
        RoadNetwork,
        build_network,
        isochrones,
        load_network,
        nearest,
        save_network,
        time_matrix_array,
        travel_time_matrix,
    )
    from geosuff.report.build import report
    from geosuff.zones.check import ZoneCheck, ZoneThresholds, check_zones, read_zoning
    from geosuff.zones.compare import compare_checks
    from geosuff.zones.propose import propose_zones, zone_polygons
    from geosuff.zones.seeds import SeedList, parse_seeds, resolve_seeds

__version__ = "0.1.0"

__all__ = [
    "Area",
    "AreaLayers",
    "BedUse",
    "FocusPlace",
    "GapThresholds",
    "HomeCareTravel",
    "LayerFiles",
    "Loaded",
    "Projection",
    "RoadNetwork",
    "SeedList",
    "Surroundings",
    "ZoneCheck",
    "ZoneThresholds",
    "__version__",
    "access",
    "add_place_names",
    "area_summary",
    "assign_groups",
    "assign_to_lsoas",
    "build_network",
    "care_runs",
    "check_zones",
    "compare_checks",
    "datasets",
    "demand_points",
    "find_gaps",
    "floating_catchment",
    "gaussian_decay",
    "home_care_travel",
    "isochrones",
    "layer_supply",
    "load_area_layers",
    "load_bed_use",
    "load_care_homes",
    "load_extra_care",
    "load_home_care",
    "load_lsoa_boundaries",
    "load_network",
    "load_population",
    "load_postcodes",
    "load_providers",
    "load_surroundings",
    "load_towns",
    "load_wards",
    "load_zones",
    "lsoa_towns",
    "lsoas_in_place",
    "nearest",
    "normalise_postcodes",
    "parse_seeds",
    "parse_years",
    "population_trajectory",
    "propose_zones",
    "provenance_record",
    "read_projection",
    "read_provenance",
    "read_zoning",
    "report",
    "resolve_area",
    "resolve_data_dir",
    "resolve_place",
    "resolve_seeds",
    "save_network",
    "step_decay",
    "supply_by_year",
    "supply_ratios",
    "time_matrix_array",
    "travel_time_matrix",
    "zone_polygons",
]

_WHERE = {
    "Area": "geosuff.io.areas",
    "AreaLayers": "geosuff.io.area_layers",
    "BedUse": "geosuff.io.bed_use",
    "FocusPlace": "geosuff.io.places",
    "GapThresholds": "geosuff.analysis.gaps",
    "HomeCareTravel": "geosuff.analysis.runs",
    "LayerFiles": "geosuff.io.area_layers",
    "Loaded": "geosuff.io.rejects",
    "Projection": "geosuff.io.projections",
    "RoadNetwork": "geosuff.network",
    "SeedList": "geosuff.zones.seeds",
    "Surroundings": "geosuff.io.surroundings",
    "ZoneCheck": "geosuff.zones.check",
    "ZoneThresholds": "geosuff.zones.check",
    "access": "geosuff.analysis.access",
    "add_place_names": "geosuff.io.places",
    "area_summary": "geosuff.analysis.summary",
    "assign_groups": "geosuff.analysis.joins",
    "assign_to_lsoas": "geosuff.analysis.joins",
    "build_network": "geosuff.network",
    "care_runs": "geosuff.analysis.runs",
    "check_zones": "geosuff.zones.check",
    "compare_checks": "geosuff.zones.compare",
    "demand_points": "geosuff.io.population",
    "find_gaps": "geosuff.analysis.gaps",
    "floating_catchment": "geosuff.analysis.fca",
    "gaussian_decay": "geosuff.analysis.fca",
    "home_care_travel": "geosuff.analysis.runs",
    "isochrones": "geosuff.network",
    "layer_supply": "geosuff.analysis.summary",
    "load_area_layers": "geosuff.io.area_layers",
    "load_bed_use": "geosuff.io.bed_use",
    "load_care_homes": "geosuff.io.providers",
    "load_extra_care": "geosuff.io.providers",
    "load_home_care": "geosuff.io.providers",
    "load_lsoa_boundaries": "geosuff.io.population",
    "load_network": "geosuff.network",
    "load_population": "geosuff.io.population",
    "load_postcodes": "geosuff.io.postcodes",
    "load_providers": "geosuff.io.providers",
    "load_surroundings": "geosuff.io.surroundings",
    "load_towns": "geosuff.io.towns",
    "load_wards": "geosuff.io.wards",
    "load_zones": "geosuff.analysis.joins",
    "lsoa_towns": "geosuff.analysis.towns",
    "lsoas_in_place": "geosuff.io.places",
    "nearest": "geosuff.network",
    "normalise_postcodes": "geosuff.io.postcodes",
    "parse_seeds": "geosuff.zones.seeds",
    "parse_years": "geosuff.io.trajectory",
    "population_trajectory": "geosuff.io.trajectory",
    "propose_zones": "geosuff.zones.propose",
    "provenance_record": "geosuff.io.output_meta",
    "read_projection": "geosuff.io.projections",
    "read_provenance": "geosuff.io.output_meta",
    "read_zoning": "geosuff.zones.check",
    "report": "geosuff.report.build",
    "resolve_area": "geosuff.io.areas",
    "resolve_data_dir": "geosuff.io.layout",
    "resolve_place": "geosuff.io.places",
    "resolve_seeds": "geosuff.zones.seeds",
    "save_network": "geosuff.network",
    "step_decay": "geosuff.analysis.fca",
    "supply_by_year": "geosuff.analysis.supply_years",
    "supply_ratios": "geosuff.analysis.supply",
    "time_matrix_array": "geosuff.network",
    "travel_time_matrix": "geosuff.network",
    "zone_polygons": "geosuff.zones.propose",
}
_SUBPACKAGES = frozenset(
    {"analysis", "batch", "cli", "datasets", "fetch", "io", "maps", "network", "settings", "zones"}
)


def __getattr__(name: str) -> Any:
    # the public names are imported on first use, so ``python -m geosuff`` and
    # ``import geosuff`` pay only for what a command touches
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"geosuff.{name}")
    raise AttributeError(f"module 'geosuff' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
