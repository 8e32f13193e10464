"""Road networks and the travel-time engine.

Build a drivable osmnx graph with UK care-worker speeds (:func:`build_network`), then
ask for travel times between points (:func:`travel_time_matrix`,
:func:`time_matrix_array`), the nearest facility (:func:`nearest`) or isochrones
(:func:`isochrones`). Without a network, the same functions return a straight-line
estimate labelled ``method = "estimate_calibrated"`` (calibrated on real roads, each
point in its own RUC11 setting; :mod:`geosuff.network.fallback`) or
``"estimate_crowfly"`` (uncalibrated). :mod:`geosuff.network.calibrate` refits the
calibration from any network.
"""

from __future__ import annotations

from geosuff.network.build import build_network, graph_from_osm_file
from geosuff.network.cache import load_network, save_network
from geosuff.network.engine import RoadNetwork, as_network, node_times
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
from geosuff.network.speeds import SpeedProfile, add_edge_speeds, load_profile, parse_maxspeed
from geosuff.network.travel import (
    TravelArrays,
    isochrones,
    nearest,
    time_matrix_array,
    travel_time_matrix,
)

__all__ = [
    "ESTIMATE_METHODS",
    "METHOD_CALIBRATED",
    "METHOD_ESTIMATE",
    "METHOD_NETWORK",
    "EstimateModel",
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
    "save_network",
    "snap_points",
    "time_matrix_array",
    "travel_time_matrix",
]
