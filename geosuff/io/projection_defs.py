"""Projection layouts: how a population projection file's columns map to geosuff's.

Each layout is a small TOML file in ``layers/projections/`` (see the README there).
:func:`detect_projection_layout` picks the one whose ``detect`` columns a file has,
the same way provider files are matched to layer definitions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io.layout import layers_dir

__all__ = [
    "PROJECTION_COLUMNS",
    "ProjectionLayout",
    "detect_projection_layout",
    "find_projection_layout",
    "load_projection_layouts",
    "projection_layouts_dir",
]

#: Canonical columns a layout can map. ``area_code``, ``age`` are required; ``value``
#: is required when years are rows (``years`` names a column); ``vintage`` holds the
#: projection's base year where the file states it.
PROJECTION_COLUMNS = ("area_code", "area_name", "age", "sex", "value", "vintage")

_PACKAGE_DIR = Path(__file__).resolve().parents[1] / "layers" / "projections"


@dataclass(frozen=True)
class ProjectionLayout:
    """One projection layout read from a TOML file.

    Attributes
    ----------
    name
        Unique short id.
    title
        Human-readable title, used in output footers.
    priority
        Higher is tried first.
    detect
        Columns that must all be present.
    years
        ``"columns"`` when each year is a column (``2018``, ``2019``, ...); otherwise
        the column holding the year, one row per year (values in ``value``).
    columns
        Canonical column -> candidate source columns (first present wins).
    keep
        Source column -> values a row must have to be read (case-insensitive); rows
        with other values are other measures or components, not population counts.
    source, licence
        Provenance, shown in outputs.
    path
        The TOML file.
    """

    name: str
    title: str
    priority: int
    detect: tuple[str, ...]
    years: str
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keep: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    licence: str = ""
    path: Path | None = None


def _strings(value: object, where: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputFileError(path, f"{where}: expected a string or a list of strings")


def _parse(path: Path) -> ProjectionLayout:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"not a readable projection layout: {exc}") from exc
    problems = [f"missing '{k}'" for k in ("name", "detect", "years") if k not in raw]
    columns = {k: _strings(v, f"[columns] {k}", path) for k, v in raw.get("columns", {}).items()}
    problems += [f"unknown column {k!r}" for k in columns if k not in PROJECTION_COLUMNS]
    problems += [f"[columns] needs {k!r}" for k in ("area_code", "age") if k not in columns]
    if raw.get("years", "columns") != "columns" and "value" not in columns:
        problems.append("years in rows need a [columns] value")
    if problems:
        raise InputFileError(path, "; ".join(problems))
    keep = {k: _strings(v, f"[keep] {k}", path) for k, v in raw.get("keep", {}).items()}
    return ProjectionLayout(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        priority=int(raw.get("priority", 0)),
        detect=_strings(raw["detect"], "detect", path),
        years=str(raw["years"]),
        columns=columns,
        keep=keep,
        source=str(raw.get("source", "")),
        licence=str(raw.get("licence", "")),
        path=path,
    )


def projection_layouts_dir() -> Path:
    """Return the folder of projection layouts.

    ``projections/`` inside :func:`geosuff.io.layout.layers_dir` when it exists (so a
    ``GEOSUFF_LAYERS`` folder can carry its own), else the one shipped with geosuff.

    Returns
    -------
    pathlib.Path
        The folder holding the ``*.toml`` layouts.
    """
    own = layers_dir() / "projections"
    return own if own.is_dir() else _PACKAGE_DIR


def load_projection_layouts(directory: Path | None = None) -> list[ProjectionLayout]:
    """Read every projection layout in *directory*, highest priority first.

    Parameters
    ----------
    directory
        Folder of ``*.toml`` layouts; default :func:`projection_layouts_dir`.

    Returns
    -------
    list of ProjectionLayout
        Sorted by descending priority, then name.

    Raises
    ------
    InputFileError
        If the folder holds no layout or one is malformed.
    """
    folder = directory or projection_layouts_dir()
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise InputFileError(folder, "no projection layouts (*.toml) found")
    return sorted((_parse(p) for p in paths), key=lambda d: (-d.priority, d.name))


def detect_projection_layout(
    columns: list[str] | pd.Index, source: object, layouts: list[ProjectionLayout]
) -> ProjectionLayout:
    """Choose the layout whose ``detect`` columns are all among *columns*.

    Parameters
    ----------
    columns
        The file's column names (compared case-insensitively, stripped).
    source
        The file, for the error message.
    layouts
        Candidates, highest priority first.

    Returns
    -------
    ProjectionLayout
        The first layout that fits.

    Raises
    ------
    InputFileError
        If none fits; the message lists what each layout needs.
    """
    found = find_projection_layout(columns, layouts)
    if found is not None:
        return found
    needs = "; ".join(f"{d.name} needs {', '.join(d.detect)}" for d in layouts)
    msg = f"columns not recognised as a population projection ({needs})"
    raise InputFileError(source, msg)


def find_projection_layout(
    columns: list[str] | pd.Index, layouts: list[ProjectionLayout]
) -> ProjectionLayout | None:
    """Return the first layout whose ``detect`` columns are all present, or ``None``.

    Parameters
    ----------
    columns
        Column names.
    layouts
        Candidates, highest priority first.

    Returns
    -------
    ProjectionLayout or None
        The matching layout.
    """
    present = {str(c).strip().lower() for c in columns}
    return next((d for d in layouts if all(c.lower() in present for c in d.detect)), None)
