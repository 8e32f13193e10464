"""The ``--network`` and ``--profile`` options: build, load or skip a road network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geosuff._errors import InputFileError
from geosuff.cli._options import data_file_option

__all__ = ["NetworkOpt", "ProfileOpt", "load_network_file", "load_network_option"]

NetworkOpt = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="Road network: .osm.pbf/.osm (built once, then cached), a saved network "
        "folder or GraphML. Without it, travel times are a labelled straight-line estimate.",
        dir_okay=True,
    ),
]
ProfileOpt = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="Speed profile (TOML): speeds for a .pbf network and the calibration of the "
        "estimate used without one (e.g. from `geosuff network calibrate`).",
        dir_okay=False,
    ),
]


def load_network_file(path: Path, profile: Path | None) -> object:
    """Load a saved network folder or GraphML, or build one from an OSM file."""
    import osmnx as ox

    from geosuff.network import RoadNetwork, build_network, load_network

    if path.is_dir():
        return load_network(path)
    if path.suffix.lower() == ".graphml":
        try:
            graph = ox.load_graphml(path)
        except Exception as exc:  # networkx/lxml raise many types; all mean "unreadable"
            raise InputFileError(path, f"cannot read GraphML ({type(exc).__name__})") from exc
        return RoadNetwork.from_graph(graph)
    return build_network(path, profile=profile)


def load_network_option(
    path: Path | None, data: Path | None = None, profile: Path | None = None
) -> object | None:
    """Load the ``--network`` option: build (cached) from OSM files, or load a saved one.

    Parameters
    ----------
    path
        The option value: a file here, or one in the data folder
        (``osm/rutland-2022-07-20.osm.pbf``).
    data
        The ``--data`` option.
    profile
        The ``--profile`` value (speed profile for building from OSM files).

    Returns
    -------
    object or None
        A road network, or ``None`` for the straight-line estimate.
    """
    path = data_file_option(path, data)
    if path is None:
        return None
    from geosuff.network import build_network
    from geosuff.network.cache import default_cache_dir

    if path.suffix.lower() in (".pbf", ".osm") or path.name.endswith(".osm.pbf"):
        return build_network(path, profile=profile, cache_dir=default_cache_dir())
    return load_network_file(path, profile)
