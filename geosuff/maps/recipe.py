"""Map recipes: TOML files in ``maps/`` saying which area, focus place and layers to draw.

A recipe looks like::

    title = "Tisbury and the Nadder valley: care for people aged 75+"
    area = "Wiltshire"
    focus = "Tisbury"
    year = 2030               # optional: the population projected to that year
    out = "output/maps/tisbury.html"
    tiles = "osm"              # "none", "osm" or a URL template with {z}/{x}/{y}
    self_contained = true
    layers = ["outline", "pop75", "density75", "care_homes"]   # default: all
    shading = "travel"         # the shading shown first (default: access, else pop75)

    [display]
    simplify_m = 25
    decimals = 5
    cluster_above = 40
    focus_buffer_km = 6

    [thresholds]
    minutes = [0, 10, 20, 30, 45]          # an open top class is added
    access_beds_per_1000 = [0, 40, 80, 110, 165]
    travel_minutes = [0, 6, 8, 10, 13]     # care-worker travel per visit

    network = "osm/rutland-2022-07-20.osm.pbf"   # optional; else the labelled estimate
    analyses = true           # compute access, travel, gaps, isochrones unless given below

    scope = "all"             # supply rules (as --scope etc.); default older-people
    nursing_share = 0.6       # or bed_use = "capacity_tracker.csv" (from the current folder)
    count_by = "cqc"          # or "coordinates"
    min_rating = "good"       # needs a CQC file with ratings
    include_dormant = false
    complete = ["home_care"]  # coverage declarations (or a [coverage] table)
    partial = ["extra_care"]

    [inputs]                  # optional results of other steps; paths from the current folder
    access = "output/access_wiltshire.parquet"
    gaps = "output/gaps_wiltshire.csv"
    travel = "output/runs_lsoa_wiltshire.csv"   # geosuff runs --by lsoa
    zones = "geosuff/boundaries/wiltshire_15_zones.toml"  # polygons, LSOA/ward CSV or seeds
    isochrones = "output/isochrones_tisbury.gpkg"
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.supply_rules import RULE_KEYS, SupplyRules, read_rules
from geosuff.maps.options import ALL_LAYERS, MapOptions

__all__ = ["INPUT_KEYS", "MapRecipe", "load_recipe"]

INPUT_KEYS = ("access", "gaps", "travel", "zones", "isochrones")
_TOP = {
    "title",
    "area",
    "focus",
    "out",
    "tiles",
    "tiles_attribution",
    "self_contained",
    "layers",
    "display",
    "thresholds",
    "inputs",
    "network",
    "analyses",
    "year",
    "shading",
    *RULE_KEYS,
}
_DISPLAY = {"simplify_m", "decimals", "cluster_above", "focus_buffer_km"}
_THRESHOLDS = {"minutes", "access_beds_per_1000", "travel_minutes"}


@dataclass(frozen=True)
class MapRecipe:
    """What to draw and where to write it.

    Attributes
    ----------
    area
        Local authority code or name.
    focus
        Place the map opens on (ward name or postcode), or ``None`` for the whole area.
    title
        Map title (default from the area and focus).
    out
        Output HTML file (default ``output/maps/<name>.html``).
    tiles
        ``"none"``, ``"osm"`` or a tile URL template.
    tiles_attribution
        Attribution of a custom tile URL.
    self_contained
        Inline Leaflet so the file renders with no internet.
    options
        Drawing options.
    inputs
        Optional result files: ``access``, ``gaps``, ``travel`` (per-LSOA care-worker
        travel, ``geosuff runs --by lsoa``), ``zones``, ``isochrones``.
    name
        Short name (the recipe file stem).
    network
        Road network (``.osm.pbf``, relative to the data folder or the current
        folder) for drive times and isochrones; ``None`` uses the labelled estimate.
    analyses
        Compute access, care-worker travel, gaps (and isochrones with a network) for
        the map when no result file is given in ``[inputs]``.
    year
        The population's year: ``None`` for the estimates' own; a later year uses the
        data folder's population projection (as ``--year``).
    rules
        The supply rules: scope, bed split, coverage declarations, where providers
        count, rating and dormancy filters (:class:`geosuff.io.supply_rules.SupplyRules`).
    """

    area: str
    focus: str | None = None
    title: str | None = None
    out: Path | None = None
    tiles: str | None = "osm"
    tiles_attribution: str | None = None
    self_contained: bool = True
    options: MapOptions = field(default_factory=MapOptions)
    inputs: dict[str, Path] = field(default_factory=dict)
    name: str = "map"
    network: Path | None = None
    analyses: bool = True
    year: int | None = None
    rules: SupplyRules = field(default_factory=SupplyRules)

    def output_path(self) -> Path:
        """Return the output file: ``out``, else ``output/maps/<name>.html``.

        Returns
        -------
        pathlib.Path
            The HTML file to write.
        """
        return self.out if self.out is not None else Path("output") / "maps" / f"{self.name}.html"


def _check_keys(table: dict[str, Any], allowed: set[str], where: str, path: Path) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputFileError(
            path, f"unknown key(s) {unknown} in {where}; allowed: {', '.join(sorted(allowed))}"
        )


def _edges(values: object, key: str, path: Path) -> tuple[float, ...]:
    if not isinstance(values, list) or len(values) < 2:
        raise InputFileError(path, f"thresholds.{key} must be a list of at least 2 numbers")
    try:
        edges = [float(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise InputFileError(path, f"thresholds.{key} must hold numbers ({exc})") from exc
    if not math.isinf(edges[-1]):
        edges.append(math.inf)
    return tuple(edges)


def load_recipe(path: str | os.PathLike[str]) -> MapRecipe:
    """Read and check a map recipe.

    Parameters
    ----------
    path
        A TOML recipe (see the module docstring).

    Returns
    -------
    MapRecipe
        The recipe.

    Raises
    ------
    InputFileError
        If the file is missing, not TOML, or has unknown keys or wrong types.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "map recipe not found")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(p, f"not valid TOML ({exc})") from exc
    _check_keys(doc, _TOP, "the recipe", p)
    if not isinstance(doc.get("area"), str) or not doc["area"].strip():
        raise InputFileError(p, 'needs area = "<local authority code or name>"')
    display = doc.get("display", {})
    thresholds = doc.get("thresholds", {})
    inputs = doc.get("inputs", {})
    _check_keys(display, _DISPLAY, "[display]", p)
    _check_keys(thresholds, _THRESHOLDS, "[thresholds]", p)
    _check_keys(inputs, set(INPUT_KEYS), "[inputs]", p)
    kwargs: dict[str, Any] = {}
    if "layers" in doc:
        layers = doc["layers"]
        if not isinstance(layers, list) or not all(isinstance(x, str) for x in layers):
            raise InputFileError(p, f"layers must be a list of names from {', '.join(ALL_LAYERS)}")
        kwargs["layers"] = tuple(layers)
    for key in _DISPLAY:
        if key in display:
            value = display[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputFileError(p, f"display.{key} must be a number")
            kwargs[key] = int(value) if key in ("decimals", "cluster_above") else float(value)
    if "minutes" in thresholds:
        kwargs["minutes_edges"] = _edges(thresholds["minutes"], "minutes", p)
    if "access_beds_per_1000" in thresholds:
        kwargs["access_edges"] = _edges(
            thresholds["access_beds_per_1000"], "access_beds_per_1000", p
        )
    if "shading" in doc:
        if not isinstance(doc["shading"], str):
            raise InputFileError(p, 'shading must be text, e.g. shading = "travel"')
        kwargs["shading"] = doc["shading"]
    if "travel_minutes" in thresholds:
        kwargs["travel_edges"] = _edges(thresholds["travel_minutes"], "travel_minutes", p)
    year = doc.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise InputFileError(p, "year must be a whole number, e.g. year = 2030")
    if year is not None and not 1900 <= year <= 2200:
        raise InputFileError(p, f"year = {year} is not a plausible year (1900 to 2200)")
    try:
        options = MapOptions(**kwargs)
    except ValidationError as exc:
        raise InputFileError(p, str(exc)) from exc
    for key in ("title", "focus", "out", "tiles", "tiles_attribution", "network"):
        if key in doc and not isinstance(doc[key], str):
            raise InputFileError(p, f"{key} must be text")
    for key in ("self_contained", "analyses"):
        if key in doc and not isinstance(doc[key], bool):
            raise InputFileError(p, f"{key} must be true or false")
    rules, problems = read_rules(doc)
    if problems:
        raise InputFileError(p, "; ".join(message for _, message in problems))
    return MapRecipe(
        area=doc["area"].strip(),
        focus=doc.get("focus") or None,
        title=doc.get("title"),
        out=Path(doc["out"]) if doc.get("out") else None,
        tiles=doc.get("tiles", "osm"),
        tiles_attribution=doc.get("tiles_attribution"),
        self_contained=doc.get("self_contained", True),
        options=options,
        inputs={k: Path(str(v)) for k, v in inputs.items() if v},
        name=p.stem,
        network=Path(doc["network"]) if doc.get("network") else None,
        analyses=doc.get("analyses", True),
        year=year,
        rules=SupplyRules(**rules),
    )
