"""UK speed profiles and ``maxspeed`` parsing.

A *speed profile* gives typical achieved driving speeds (km/h) by OSM highway class
and by setting (``urban`` or ``rural``), how a tagged ``maxspeed`` caps them, the
speed of the off-network leg, the per-visit overhead for care runs and the fallback
estimate's detour factors. The packaged profile ``uk_care_worker`` documents the
source of every figure (or labels it an assumption) in
``geosuff/network/profiles/uk_care_worker.toml``.

Edge speed rule: ``speed_kph = min(class speed for the setting, limit_factor * limit)``
where *limit* is the parsed ``maxspeed`` (no cap when untagged). A merged edge's class
is its ``highway_main`` (the class covering most of its length, set by
:func:`geosuff.network.build.simplify_graph`), else the slowest class it lists.

Urban/rural heuristic (an assumption, not an official classification): an edge is
urban when its tagged limit is at most 30 mph, rural when it is tagged national speed
limit or at least 50 mph; otherwise it is urban when the junction density of the 1 km
grid cell holding its start node reaches ``urban_junctions_per_km2``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosuff._errors import InputFileError, ValidationError
from geosuff.network._estimate_checks import ESTIMATE_SETTINGS, estimate_problems

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ESTIMATE_SETTINGS",
    "SpeedProfile",
    "add_edge_speeds",
    "classify_setting",
    "load_profile",
    "parse_maxspeed",
]

MPH_TO_KPH = 1.609344
DEFAULT_PROFILE = "uk_care_worker"
_SETTINGS = ("urban", "rural")


@dataclass(frozen=True)
class SpeedProfile:
    """A validated speed profile (see the module docstring for the rules).

    Attributes
    ----------
    name
        Profile name, e.g. ``"uk_care_worker"``.
    data
        The full profile as nested dicts (the TOML content after overrides).
    source
        Where the profile came from (packaged name and override files).
    """

    name: str
    data: dict[str, Any] = field(repr=False)
    source: str = ""

    def speeds_kph(self, setting: str) -> dict[str, float]:
        """Return the class speeds for ``"urban"`` or ``"rural"``."""
        return dict(self.data["speeds_kph"][setting])

    @property
    def limit_factor(self) -> float:
        """Share of a tagged limit that drivers typically achieve where it binds."""
        return float(self.data["maxspeed"]["limit_factor"])

    @property
    def offnetwork_speed_kph(self) -> float:
        """Speed of the leg between a point and its snapped road position."""
        return float(self.data["offnetwork"]["speed_kph"])

    @property
    def visit_overhead_min(self) -> float:
        """Minutes added once per care visit (parking plus walking to the door)."""
        v = self.data["visit"]
        return float(v["parking_min"]) + float(v["walk_to_door_min"])

    def fallback(self, setting: str) -> tuple[float, float]:
        """Return ``(detour_factor, speed_kph)`` of the crow-fly estimate for *setting*."""
        fb = self.data["fallback"]
        return float(fb[f"detour_factor_{setting}"]), float(fb[f"speed_kph_{setting}"])

    @property
    def digest(self) -> str:
        """A short hash of the profile content (used in cache keys)."""
        raw = json.dumps(self.data, sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def _merge(base: dict[str, Any], over: dict[str, Any], where: str) -> None:
    for key, value in over.items():
        if key not in base:
            msg = f"unknown speed profile key {where}{key!r}; known: {', '.join(sorted(base))}"
            raise ValidationError(msg)
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                msg = f"speed profile key {where}{key!r} must be a table"
                raise ValidationError(msg)
            _merge(base[key], value, f"{where}{key}.")
        else:
            base[key] = value


def _validate(data: dict[str, Any]) -> None:
    problems: list[str] = []
    for setting in _SETTINGS:
        for cls, v in data["speeds_kph"][setting].items():
            if not isinstance(v, int | float) or not 0 < v <= 140:
                problems.append(f"speeds_kph.{setting}.{cls}={v!r} (need 0 < km/h <= 140)")
    checks = {
        ("maxspeed", "limit_factor"): (0.1, 1.5),
        ("offnetwork", "speed_kph"): (0.5, 140),
        ("visit", "parking_min"): (0, 120),
        ("visit", "walk_to_door_min"): (0, 120),
        ("fallback", "detour_factor_urban"): (1.0, 5.0),
        ("fallback", "detour_factor_rural"): (1.0, 5.0),
        ("fallback", "speed_kph_urban"): (1, 140),
        ("fallback", "speed_kph_rural"): (1, 140),
    }
    for (sec, key), (lo, hi) in checks.items():
        v = data[sec][key]
        if not isinstance(v, int | float) or not lo <= v <= hi:
            problems.append(f"{sec}.{key}={v!r} (need {lo}..{hi})")
    problems.extend(estimate_problems(data["estimate"]))
    if problems:
        raise ValidationError("invalid speed profile: " + "; ".join(problems))


def load_profile(
    profile: str | os.PathLike[str] | SpeedProfile | None = None,
) -> SpeedProfile:
    """Load the packaged profile, optionally overridden by a user TOML file.

    Parameters
    ----------
    profile
        ``None`` or ``"uk_care_worker"`` for the packaged profile; a path to a TOML
        file whose keys replace the packaged values (only the keys it gives); or an
        existing :class:`SpeedProfile`, returned unchanged.

    Returns
    -------
    SpeedProfile
        The validated profile.

    Raises
    ------
    InputFileError
        If the override file is missing or is not valid TOML.
    ValidationError
        If a key is unknown or a value is out of range.
    """
    if isinstance(profile, SpeedProfile):
        return profile
    text = resources.files("geosuff.network").joinpath(f"profiles/{DEFAULT_PROFILE}.toml")
    data = tomllib.loads(text.read_text(encoding="utf-8"))
    source = DEFAULT_PROFILE
    if profile is not None and str(profile) != DEFAULT_PROFILE:
        path = Path(profile)
        if not path.is_file():
            raise InputFileError(path, "speed profile file not found")
        try:
            over = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(path, f"not a valid TOML speed profile ({exc})") from exc
        data = copy.deepcopy(data)
        _merge(data, over, "")
        source = f"{DEFAULT_PROFILE} + {path}"
    _validate(data)
    return SpeedProfile(name=str(data["name"]), data=data, source=source)


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: object, profile: SpeedProfile | None = None) -> tuple[float, str]:
    """Parse an OSM ``maxspeed`` value into km/h and a kind.

    Parameters
    ----------
    value
        The tag value (a string, a number, a list of values as osmnx stores merged
        edges, or ``None``/NaN). ``"30 mph"``, ``"50"`` (km/h, the OSM default unit),
        ``"national"``, ``"GB:nsl_single"``, ``"GB:nsl_dual"``, ``"GB:motorway"``,
        ``"GB:zone20"``, ``"30;40"`` (the lowest wins) are understood.
    profile
        Gives the national speed limit figures (default: the packaged profile).

    Returns
    -------
    tuple of (float, str)
        The limit in km/h (NaN when absent or unparseable) and its kind: ``"tagged"``,
        ``"national"`` (national speed limit), ``"none"`` or ``"unparsed"``.

    Examples
    --------
    >>> parse_maxspeed("30 mph")
    (48.28032, 'tagged')
    >>> parse_maxspeed("GB:nsl_single")[1]
    'national'
    """
    prof = profile or load_profile()
    ms = prof.data["maxspeed"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan, "none"
    if isinstance(value, int | float):
        return float(value), "tagged"
    if isinstance(value, list | tuple):
        parts = [str(v) for v in value]
    else:
        parts = re.split(r"[;|,]", str(value))
    best = math.nan
    kind = "unparsed"
    for raw in parts:
        s = raw.strip().lower()
        kph, k = math.nan, "unparsed"
        if s in ("national", "gb:national", "gb:nsl_single", "uk:nsl_single", "gb:nsl"):
            kph, k = float(ms["national_single_kph"]), "national"
        elif s in ("gb:nsl_dual", "uk:nsl_dual"):
            kph, k = float(ms["national_dual_kph"]), "national"
        elif s in ("gb:motorway", "uk:motorway", "motorway"):
            kph, k = float(ms["motorway_kph"]), "national"
        elif s.startswith(("gb:zone", "uk:zone")):
            m = _NUMBER.match(s.split("zone", 1)[1])
            if m:
                kph, k = float(m.group(1)) * MPH_TO_KPH, "tagged"
        elif s in ("walk", "gb:walk"):
            kph, k = 8.0, "tagged"
        else:
            m = _NUMBER.match(s)
            if m:
                unit = (m.group(2) or "").lower()
                kph = float(m.group(1)) * (MPH_TO_KPH if unit == "mph" else 1.0)
                k = "tagged"
        if not math.isnan(kph) and (math.isnan(best) or kph < best):
            best, kind = kph, k
    return best, kind


def _class_speed(data: dict[str, Any], speeds: dict[str, float]) -> float:
    """Class speed of an edge: its ``highway_main`` class, else its (single) class.

    A merged edge listing several classes without ``highway_main`` (e.g. a graph
    simplified by osmnx directly) takes the slowest of them, whatever their order.
    """
    default = speeds["road"]
    main = data.get("highway_main")
    if isinstance(main, str):
        return speeds.get(main, default)
    hw = data.get("highway")
    if isinstance(hw, list | tuple):
        return min((speeds.get(str(h), default) for h in hw), default=default)
    return speeds.get(str(hw), default)


def classify_setting(graph: nx.MultiDiGraph, profile: SpeedProfile) -> dict[Any, bool]:
    """Mark each node urban (``True``) or rural by the junction-density heuristic.

    A node is urban when the 1 km grid cell (EPSG:27700) that holds it contains at
    least ``setting.urban_junctions_per_km2`` junctions (nodes joining three or more
    distinct neighbours) per km². This is an assumption-level heuristic, not the ONS
    rural-urban classification.

    Parameters
    ----------
    graph
        An osmnx-style graph with node ``x``/``y`` in its ``crs``.
    profile
        Supplies the cell size and threshold.

    Returns
    -------
    dict
        Node id to ``True`` (urban) or ``False`` (rural).
    """
    import numpy as np
    import pyproj

    st = profile.data["setting"]
    ids = list(graph.nodes)
    if not ids:
        return {}
    x = np.fromiter((graph.nodes[n]["x"] for n in ids), float, len(ids))
    y = np.fromiter((graph.nodes[n]["y"] for n in ids), float, len(ids))
    crs = graph.graph.get("crs", "EPSG:4326")
    tr = pyproj.Transformer.from_crs(crs, "EPSG:27700", always_xy=True)
    ex, ny = tr.transform(x, y)
    cell = float(st["cell_size_m"])
    cx = np.floor(np.asarray(ex) / cell).astype(np.int64)
    cy = np.floor(np.asarray(ny) / cell).astype(np.int64)
    key = cx * 10_000_000 + cy
    junction = np.fromiter(
        (len(set(graph.successors(n)) | set(graph.predecessors(n))) >= 3 for n in ids),
        bool,
        len(ids),
    )
    uniq, inv = np.unique(key, return_inverse=True)
    counts = np.bincount(inv, weights=junction.astype(float), minlength=len(uniq))
    density = counts / (cell / 1000.0) ** 2
    urban = density[inv] >= float(st["urban_junctions_per_km2"])
    return dict(zip(ids, urban.tolist(), strict=True))


def add_edge_speeds(graph: nx.MultiDiGraph, profile: SpeedProfile | None = None) -> nx.MultiDiGraph:
    """Add ``speed_kph``, ``travel_time`` (seconds) and ``setting`` to every edge.

    Follows the rule in the module docstring: the class speed for the edge's
    urban/rural setting, capped by ``limit_factor`` times a tagged ``maxspeed``.
    The graph is changed in place and returned (as osmnx's ``add_edge_speeds``).

    Parameters
    ----------
    graph
        An osmnx-style graph with edge ``length`` (metres) and ``highway``.
    profile
        The speed profile (default ``uk_care_worker``).

    Returns
    -------
    networkx.MultiDiGraph
        The same graph, with the new edge attributes.

    Raises
    ------
    ValidationError
        If an edge has no ``length``.
    """
    prof = profile or load_profile()
    node_urban = classify_setting(graph, prof)
    st = prof.data["setting"]
    factor = prof.limit_factor
    classes = {s: prof.speeds_kph(s) for s in _SETTINGS}
    cache: dict[object, tuple[float, str]] = {}
    for u, _v, data in graph.edges(data=True):
        if "length" not in data:
            msg = "graph edges lack 'length' (metres); add it with osmnx.distance.add_edge_lengths"
            raise ValidationError(msg)
        raw = data.get("maxspeed")
        ck = tuple(raw) if isinstance(raw, list) else raw
        if ck not in cache:
            cache[ck] = parse_maxspeed(raw, prof)
        limit, kind = cache[ck]
        if kind == "national" or (not math.isnan(limit) and limit >= st["rural_min_limit_kph"]):
            setting = "rural"
        elif not math.isnan(limit) and limit <= st["urban_max_limit_kph"] + 0.01:
            setting = "urban"
        else:
            setting = "urban" if node_urban.get(u, False) else "rural"
        speed = _class_speed(data, classes[setting])
        if not math.isnan(limit):
            speed = min(speed, factor * limit)
        data["setting"] = setting
        data["speed_kph"] = round(speed, 2)
        data["travel_time"] = float(data["length"]) / (speed / 3.6)
    return graph
