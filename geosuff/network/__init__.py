"""Road networks and the travel-time engine.

Build a drivable osmnx graph with UK care-worker speeds (:func:`build_network`), then
ask for travel times between points (:func:`travel_time_matrix`,
:func:`time_matrix_array`), the nearest facility (:func:`nearest`) or isochrones
(:func:`isochrones`). Without a network, the same functions return a straight-line
estimate labelled ``method = "estimate_calibrated"`` (calibrated on real roads, each
point in its own RUC11 setting; :mod:`geosuff.network.fallback`) or
``"estimate_crowfly"`` (uncalibrated). :mod:`geosuff.network.calibrate` refits the
calibration from any network.

Names are imported on first use, so ``import geosuff.network`` does not pull in
osmnx, networkx or the compiled kernels until a network is built, loaded or routed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geosuff.network._search import Reached
    from geosuff.network.build import build_network, graph_from_osm_file
    from geosuff.network.cache import load_network, save_network
    from geosuff.network.engine import RoadNetwork, as_network, node_times, reach
    from geosuff.network.fallback import (
        ESTIMATE_METHODS,
        METHOD_CALIBRATED,
        METHOD_ESTIMATE,
        METHOD_NETWORK,
        EstimateModel,
        calibrated_matrix,
        crowfly_matrix,
        estimate_model,
        is_estimate,
    )
    from geosuff.network.snap import snap_points
    from geosuff.network.speeds import (
        SpeedProfile,
        add_edge_speeds,
        load_profile,
        parse_maxspeed,
    )
    from geosuff.network.travel import (
        TravelArrays,
        isochrones,
        nearest,
        time_matrix_array,
        travel_time_matrix,
    )

_WHERE = {
    "ESTIMATE_METHODS": "fallback",
    "METHOD_CALIBRATED": "fallback",
    "EstimateModel": "fallback",
    "calibrated_matrix": "fallback",
    "estimate_model": "fallback",
    "is_estimate": "fallback",
    "METHOD_ESTIMATE": "fallback",
    "METHOD_NETWORK": "fallback",
    "Reached": "_search",
    "RoadNetwork": "engine",
    "SpeedProfile": "speeds",
    "TravelArrays": "travel",
    "add_edge_speeds": "speeds",
    "as_network": "engine",
    "build_network": "build",
    "crowfly_matrix": "fallback",
    "graph_from_osm_file": "build",
    "isochrones": "travel",
    "load_network": "cache",
    "load_profile": "speeds",
    "nearest": "travel",
    "node_times": "engine",
    "parse_maxspeed": "speeds",
    "reach": "engine",
    "save_network": "cache",
    "snap_points": "snap",
    "time_matrix_array": "travel",
    "travel_time_matrix": "travel",
}

__all__ = [
    "ESTIMATE_METHODS",
    "METHOD_CALIBRATED",
    "METHOD_ESTIMATE",
    "METHOD_NETWORK",
    "EstimateModel",
    "Reached",
    "RoadNetwork",
    "SpeedProfile",
    "TravelArrays",
    "add_edge_speeds",
    "as_network",
    "build_network",
    "calibrated_matrix",
    "crowfly_matrix",
    "estimate_model",
    "graph_from_osm_file",
    "is_estimate",
    "isochrones",
    "load_network",
    "load_profile",
    "nearest",
    "node_times",
    "parse_maxspeed",
    "reach",
    "save_network",
    "snap_points",
    "time_matrix_array",
    "travel_time_matrix",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"geosuff.network.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'geosuff.network' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
