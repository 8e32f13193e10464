"""geosuff: geospatial sufficiency mapping for English adult social care.

The public API is re-exported here; each name lives in one module of the package
(``geosuff.io`` loaders, ``geosuff.analysis`` joins and ratios). ``geosuff.datasets``
gives the small real Rutland sample shipped with geosuff
(``geosuff.datasets.sample_dir()``).
"""

from __future__ import annotations

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
from geosuff.io.providers import load_care_homes, load_extra_care, load_home_care, load_providers
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
from geosuff.report import report
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
