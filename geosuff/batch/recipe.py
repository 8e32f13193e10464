"""Batch recipes: read a TOML file (or a dict), check every entry before any work starts.

A recipe names the areas, the analyses, their parameters and the output folder::

    output = "batch-out"                 # relative to the recipe's folder (--out overrides)
    format = "parquet"                   # parquet | csv | gpkg
    analyses = ["summary", "access", "gaps"]

    [[areas]]
    name = "Rutland"
    network = "{data}/osm/rutland-2022-07-20.osm.pbf"

    [[areas]]
    name = "Bath and North East Somerset"
    year = 2030                          # this area's population projected to 2030

    [access]
    buffer_km = 20

A top-level ``year = 2030`` applies to every area without its own ``year``. The supply
rules (``scope``, ``nursing_share``, ``bed_use``, ``count_by``, ``min_rating``,
``include_dormant``, coverage as ``[coverage]`` or ``complete``/``partial`` lists; see
:mod:`geosuff.io.supply_rules`) apply the same way: top level for every area, an
area's own value winning.

Every problem is reported at once, each with the recipe line it is on. The data folder
is absolute (``--data`` relative to the current folder, ``data`` to the recipe's), so
``{data}`` means the same wherever the recipe is; a zone file that is not found names
a seed list shipped with geosuff when it can (``zones = "rutland_3_zones"``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geosuff._errors import GeosuffError, ValidationError
from geosuff.batch._recipe_checks import (
    Lines,
    Problems,
    RecipeError,
    check_parameters,
    check_years,
    is_year,
)
from geosuff.batch._recipe_rules import area_rules, block_key_line, check_bed_use_files, top_rules
from geosuff.batch._recipe_scenarios import Scenario, read_scenarios
from geosuff.batch.registry import ANALYSES, AREA_FILE_KEYS, unavailable_reason
from geosuff.datasets import sample_name
from geosuff.io.areas import resolve_area
from geosuff.io.layout import find_input, resolve_data_dir, shipped_names
from geosuff.io.supply_rules import RULE_KEYS, SupplyRules

__all__ = [
    "FORMATS",
    "AreaEntry",
    "Recipe",
    "RecipeError",
    "Scenario",
    "load_recipe",
    "recipe_from_dict",
]

#: Output formats a recipe may ask for.
FORMATS = ("parquet", "csv", "gpkg")

_TOP_KEYS = {
    "output",
    "data",
    "format",
    "analyses",
    "areas",
    "network_cache",
    "scenarios",
    "year",
    *RULE_KEYS,
}
_AREA_KEYS = {"name", "network", "zones", "year", "focus", *AREA_FILE_KEYS, *RULE_KEYS}


@dataclass(frozen=True)
class AreaEntry:
    """One area of a recipe, resolved.

    Attributes
    ----------
    code, name
        The authority's ONS code and name.
    given
        The text the recipe gave.
    network
        Road network file (``.osm.pbf`` or a saved network), ``None`` for the estimate.
    zones
        Zone file for care runs and zone gaps, or ``None`` (zones = local authorities).
    files
        Layer files replacing the data folder's (keys of :data:`AREA_FILE_KEYS`).
    year
        The population's year (the area's ``year``, else the recipe's), or ``None``
        for the estimates' own.
    focus
        A place the area's report opens its map on (ward name or postcode), or ``None``.
    rules
        The supply rules (the area's own, else the recipe's, else the defaults).
    """

    code: str
    name: str
    given: str
    network: Path | None = None
    zones: Path | None = None
    files: Mapping[str, Path] = field(default_factory=dict)
    year: int | None = None
    focus: str | None = None
    rules: SupplyRules = field(default_factory=SupplyRules)


@dataclass(frozen=True)
class Recipe:
    """A checked recipe.

    Attributes
    ----------
    areas
        The areas, resolved.
    analyses
        Analysis names, in the order given.
    parameters
        Analysis name -> its full parameter set (defaults overridden by the recipe).
    output
        Output folder.
    data_dir
        The data folder.
    format
        ``parquet``, ``csv`` or ``gpkg``.
    network_cache
        Folder where built road networks are cached.
    scenarios
        Provider-change scenarios.
    source
        The recipe file (``None`` for a dict), and its text.
    """

    areas: tuple[AreaEntry, ...]
    analyses: tuple[str, ...]
    parameters: Mapping[str, Mapping[str, Any]]
    output: Path
    data_dir: Path
    format: str = "parquet"
    network_cache: Path | None = None
    scenarios: tuple[Scenario, ...] = ()
    source: Path | None = None
    text: str = ""


def load_recipe(
    path: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Recipe:
    """Read and check a TOML recipe.

    Parameters
    ----------
    path
        The recipe file, or one shipped with geosuff (``examples/batch.toml``).
    data_dir
        Data folder, overriding the recipe's ``data``.
    out
        Output folder, overriding the recipe's ``output`` (which may then be absent).

    Returns
    -------
    Recipe
        The checked recipe; relative paths are resolved against the recipe's folder.

    Raises
    ------
    RecipeError
        If the file is not valid TOML, or names an unknown area, analysis or
        parameter; the message gives the line.
    """
    p = find_input(path, ("examples",))
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        shipped = ", ".join(f"examples/{n}.toml" for n in shipped_names("examples"))
        hint = f"; shipped recipes: {shipped}" if not p.exists() else ""
        raise RecipeError(f"{p}: cannot read recipe ({exc.strerror or exc}){hint}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{p}: not valid TOML: {exc}") from exc
    return recipe_from_dict(raw, base=p.parent, source=p, text=text, data_dir=data_dir, out=out)


def _path(value: object, base: Path, data: Path | None, shipped: tuple[str, ...] = ()) -> Path:
    """Resolve a recipe path: ``{data}`` replaced, relative to *base*, or shipped by name."""
    text = str(value)
    if "{data}" in text:
        if data is None:
            msg = "'{data}' used but no data folder is known"
            raise ValidationError(msg)
        text = text.replace("{data}", str(data))
    p = Path(text).expanduser()
    here = p if p.is_absolute() else base / p
    if shipped and not here.exists():
        found = find_input(text, shipped)
        if found.exists():
            return found
    return here


def recipe_from_dict(
    raw: Mapping[str, Any],
    *,
    base: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    text: str = "",
    data_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Recipe:
    """Check a recipe given as a mapping (the parsed TOML).

    Parameters
    ----------
    raw
        The recipe's tables and keys.
    base
        Folder that relative paths are resolved against (default: current folder).
    source
        The file the recipe came from, named in messages.
    text
        The recipe's text, to name lines in messages.
    data_dir
        Data folder, overriding the recipe's ``data``.
    out
        Output folder, overriding the recipe's ``output`` (which may then be absent).

    Returns
    -------
    Recipe
        The checked recipe.

    Raises
    ------
    RecipeError
        Listing every problem found, each with its line when the text is known.
    """
    base_dir = Path(base) if base is not None else Path.cwd()
    lines = Lines(text)
    problems = Problems(str(source) if source else "recipe", lines)
    tables = {name for name in ANALYSES}
    for key in raw:
        if key not in _TOP_KEYS and key not in tables:
            known = ", ".join(sorted(_TOP_KEYS | tables))
            line = lines.key(key) or lines.table(key)
            problems.add(line, f"unknown recipe key {key!r}; known: {known}")
    data: Path | None = None
    try:
        given_data = data_dir if data_dir is not None else raw.get("data")
        if given_data is not None and data_dir is None and sample_name(given_data) is None:
            given_data = _path(given_data, base_dir, None)
        data = resolve_data_dir(given_data)
    except GeosuffError as exc:
        problems.add(lines.key("data"), str(exc))
    fmt = str(raw.get("format", "parquet"))
    if fmt not in FORMATS:
        problems.add(lines.key("format"), f"unknown format {fmt!r}; use one of {FORMATS}")
    analyses = raw.get("analyses")
    names: list[str] = []
    if not isinstance(analyses, list) or not analyses:
        problems.add(lines.key("analyses"), f"'analyses' must list some of {sorted(ANALYSES)}")
    else:
        for name in analyses:
            if name not in ANALYSES:
                problems.add(
                    lines.value(name, "analyses"),
                    f"unknown analysis {name!r}; known: {', '.join(sorted(ANALYSES))}",
                )
            elif (reason := unavailable_reason(name)) is not None:
                problems.add(lines.value(name, "analyses"), f"analysis {name!r}: {reason}")
            elif name not in names:
                names.append(name)
    params = check_parameters(raw, lines, problems)
    top = top_rules(raw, lines, problems, lambda v: _path(v, base_dir, data))
    areas = _areas(raw, lines, problems, base_dir, data, top)
    check_years(raw, areas, lines, problems, data)
    scenarios = read_scenarios(raw, lines, problems, lambda v: _path(v, base_dir, data), areas)
    output = raw.get("output")
    if output is None and out is None:
        problems.add(None, "'output' is missing: name an output folder, or pass --out DIR")
    problems.raise_if_any()
    if data is None:  # pragma: no cover - reported above
        raise RecipeError("no data folder")
    cache = raw.get("network_cache")
    return Recipe(
        areas=tuple(areas),
        analyses=tuple(names),
        parameters=params,
        output=Path(os.path.abspath(out)) if out is not None else _path(output, base_dir, data),
        data_dir=data,
        format=fmt,
        network_cache=_path(cache, base_dir, data) if cache else None,
        scenarios=tuple(scenarios),
        source=Path(source) if source else None,
        text=text,
    )


def _areas(
    raw: Mapping[str, Any],
    lines: Lines,
    problems: Problems,
    base: Path,
    data: Path | None,
    top: Mapping[str, Any],
) -> list[AreaEntry]:
    given = raw.get("areas")
    if not isinstance(given, list) or not given:
        problems.add(lines.key("areas") or lines.table("areas"), "'areas' must list some areas")
        return []
    out: list[AreaEntry] = []
    seen: set[str] = set()
    bed_use_at: list[tuple[SupplyRules, str, int | None]] = []
    for item in given:
        entry = {"name": item} if isinstance(item, str) else item
        if not isinstance(entry, Mapping) or "name" not in entry:
            problems.add(lines.key("areas"), f"area {item!r} needs a name")
            continue
        label = str(entry["name"])
        line = lines.value(label, "areas")
        for key in entry:
            if key not in _AREA_KEYS:
                known = ", ".join(sorted(_AREA_KEYS))
                problems.add(
                    lines.key(key, "areas") or line,
                    f"unknown key {key!r} for area {label!r}; known: {known}",
                )
        if data is None:
            continue
        try:
            area = resolve_area(label, data)
        except GeosuffError as exc:
            problems.add(line, f"unknown area: {exc}")
            continue
        if area.code in seen:
            problems.add(line, f"area {label!r} ({area.code}) is listed twice")
            continue
        seen.add(area.code)
        try:
            files = {k: _path(entry[k], base, data) for k in AREA_FILE_KEYS if k in entry}
            network = _path(entry["network"], base, data) if entry.get("network") else None
            zones = (
                _path(entry["zones"], base, data, ("boundaries",)) if entry.get("zones") else None
            )
        except GeosuffError as exc:
            problems.add(line, str(exc))
            continue
        year = entry.get("year", raw.get("year"))
        focus = entry.get("focus")
        if focus is not None and (not isinstance(focus, str) or not focus.strip()):
            problems.add(lines.key("focus", "areas") or line, f"area {label!r}: focus must be text")
            focus = None
        rules = area_rules(
            entry,
            top,
            label=label,
            line=line,
            lines=lines,
            problems=problems,
            resolve=lambda v: _path(v, base, data),
        )
        own = "bed_use" in entry
        bed_use_at.append(
            (rules, label, block_key_line(lines, "bed_use", line) if own else lines.key("bed_use"))
        )
        out.append(
            AreaEntry(
                area.code,
                area.name,
                label,
                network,
                zones,
                files,
                year if is_year(year) else None,
                focus.strip() if focus else None,
                rules,
            )
        )
    check_bed_use_files(bed_use_at, problems)
    return out
