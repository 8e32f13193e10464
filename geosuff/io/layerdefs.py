"""Layer definitions: how a source file's columns map to geosuff's canonical columns.

Definitions are TOML files in ``layers/`` (see its README). :func:`detect_definition`
picks the one that fits a file's columns; :func:`apply_definition` turns the file into
a canonical table of text/number columns and boolean flags.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.layout import layers_dir

__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_FLAGS",
    "LAYERS",
    "FlagRule",
    "LayerDefinition",
    "apply_definition",
    "detect_definition",
    "header_names",
    "load_definitions",
    "sheet_names",
]

#: Layers a definition can provide.
LAYERS = ("care_homes", "home_care", "extra_care")

#: Canonical text/number columns a definition can map.
CANONICAL_COLUMNS = (
    "provider_id",
    "name",
    "postcode",
    "la_name",
    "lat",
    "lon",
    "easting",
    "northing",
    "location_text",
    "beds",
    "units",
    "note",
    "rating",
)

#: Canonical yes/no facts a definition can derive.
CANONICAL_FLAGS = (
    "care_home",
    "nursing",
    "residential",
    "domiciliary",
    "extra_care",
    "older_people",
    "dementia",
    "uncertain",
    "dormant",
)


@dataclass(frozen=True)
class FlagRule:
    """How to derive one yes/no flag from a source column.

    Attributes
    ----------
    columns
        Candidate source columns; the first present is used.
    equals
        Values meaning "yes" (compared case-insensitively, stripped).
    contains
        Substrings meaning "yes" when any occurs (case-insensitive).
    """

    columns: tuple[str, ...]
    equals: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerDefinition:
    """One layer definition read from a TOML file.

    Attributes
    ----------
    name
        Unique short id.
    title
        Human-readable title.
    provides
        Layers this definition can feed (subset of :data:`LAYERS`).
    priority
        Higher is tried first.
    detect
        Columns that must all be present.
    columns
        Canonical column -> candidate source columns.
    flags
        Canonical flag -> rule.
    source, licence
        Provenance, shown in outputs.
    path
        The TOML file.
    sheets
        Spreadsheet sheet names this definition reads (tried first; any sheet whose
        header holds the ``detect`` columns is accepted).
    detect_layer
        Further columns a file must have to be read as one layer (e.g. the
        domiciliary-care column for ``home_care``): a file without them cannot say
        which rows belong to that layer.
    coverage
        ``"complete"`` when the source lists every provider of its kind (CQC's
        register), else ``""`` (not declared); read by the coverage verdicts.
    coverage_reason
        Why, in one sentence.
    """

    name: str
    title: str
    provides: tuple[str, ...]
    priority: int
    detect: tuple[str, ...]
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flags: dict[str, FlagRule] = field(default_factory=dict)
    source: str = ""
    licence: str = ""
    path: Path | None = None
    sheets: tuple[str, ...] = ()
    detect_layer: dict[str, tuple[str, ...]] = field(default_factory=dict)
    coverage: str = ""
    coverage_reason: str = ""

    def detect_for(self, layer: str) -> tuple[str, ...]:
        """Return the columns a file needs to be read as *layer* with this definition.

        Parameters
        ----------
        layer
            One of :data:`LAYERS`.

        Returns
        -------
        tuple of str
            ``detect`` plus the layer's own ``detect_layer`` columns.
        """
        return self.detect + self.detect_layer.get(layer, ())


def _as_tuple(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    msg = f"{where}: expected a string or a list of strings, got {value!r}"
    raise ValidationError(msg)


def _parse(path: Path) -> LayerDefinition:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"not a readable layer definition: {exc}") from exc
    problems: list[str] = []
    for key in ("name", "provides", "detect"):
        if key not in raw:
            problems.append(f"missing '{key}'")
    provides = _as_tuple(raw.get("provides", []), f"{path.name} provides")
    problems += [f"unknown layer {p!r} in provides" for p in provides if p not in LAYERS]
    columns = {
        k: _as_tuple(v, f"{path.name} [columns] {k}") for k, v in raw.get("columns", {}).items()
    }
    problems += [f"unknown canonical column {k!r}" for k in columns if k not in CANONICAL_COLUMNS]
    flags: dict[str, FlagRule] = {}
    for key, rule in raw.get("flags", {}).items():
        if key not in CANONICAL_FLAGS:
            problems.append(f"unknown flag {key!r}")
            continue
        where = f"{path.name} [flags.{key}]"
        equals = tuple(v.strip().lower() for v in _as_tuple(rule.get("equals", []), where))
        contains = tuple(v.lower() for v in _as_tuple(rule.get("contains", []), where))
        if not equals and not contains:
            problems.append(f"[flags.{key}] needs 'equals' or 'contains'")
        flags[key] = FlagRule(_as_tuple(rule.get("column", []), where), equals, contains)
    detect_layer = {
        k: _as_tuple(v, f"{path.name} [detect_layer] {k}")
        for k, v in raw.get("detect_layer", {}).items()
    }
    problems += [f"unknown layer {k!r} in [detect_layer]" for k in detect_layer if k not in LAYERS]
    coverage = str(raw.get("coverage", ""))
    if coverage not in ("", "complete", "partial", "unknown"):
        problems.append(f"coverage {coverage!r} is not one of complete, partial, unknown")
    if problems:
        raise InputFileError(path, "; ".join(problems))
    return LayerDefinition(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        provides=provides,
        priority=int(raw.get("priority", 0)),
        detect=_as_tuple(raw["detect"], f"{path.name} detect"),
        columns=columns,
        flags=flags,
        source=str(raw.get("source", "")),
        licence=str(raw.get("licence", "")),
        path=path,
        sheets=_as_tuple(raw.get("sheets", []), f"{path.name} sheets"),
        detect_layer=detect_layer,
        coverage=coverage,
        coverage_reason=str(raw.get("coverage_reason", "")),
    )


def load_definitions(directory: Path | None = None) -> list[LayerDefinition]:
    """Read every layer definition in *directory*, highest priority first.

    Parameters
    ----------
    directory
        Folder of ``*.toml`` definitions; default :func:`geosuff.io.layout.layers_dir`.
        ``sources.toml`` is not a layer definition and is skipped.

    Returns
    -------
    list of LayerDefinition
        Sorted by descending priority, then name.
    """
    folder = directory or layers_dir()
    paths = sorted(p for p in folder.glob("*.toml") if p.name != "sources.toml")
    if not paths:
        msg = f"no layer definitions (*.toml) found in {folder}"
        raise InputFileError(folder, msg)
    defs = [_parse(p) for p in paths]
    return sorted(defs, key=lambda d: (-d.priority, d.name))


def detect_definition(
    columns: list[str] | pd.Index, layer: str, source: object, defs: list[LayerDefinition]
) -> LayerDefinition:
    """Choose the definition that reads a file with *columns* as *layer*.

    Parameters
    ----------
    columns
        The file's column names.
    layer
        One of :data:`LAYERS`.
    source
        The file, for the error message.
    defs
        Candidate definitions, highest priority first.

    Returns
    -------
    LayerDefinition
        The first definition providing *layer* whose ``detect`` columns are all present.

    Raises
    ------
    InputFileError
        If none fits; the message lists what each candidate needs.
    """
    present = {str(c).strip().lower() for c in columns}
    candidates = [d for d in defs if layer in d.provides]
    for d in candidates:
        if all(c.lower() in present for c in d.detect_for(layer)):
            return d
    needs = "; ".join(f"{d.name} needs {', '.join(d.detect_for(layer))}" for d in candidates)
    msg = f"columns not recognised as a {layer} layer ({needs}); add a layer definition"
    raise InputFileError(source, msg)


def sheet_names(defs: list[LayerDefinition]) -> list[str]:
    """Return the sheet names the definitions accept, highest priority first.

    Parameters
    ----------
    defs
        Layer definitions.

    Returns
    -------
    list of str
        Sheet names, without repeats.
    """
    return list(dict.fromkeys(s for d in defs for s in d.sheets))


def header_names(defs: list[LayerDefinition]) -> list[list[str]]:
    """Return, per definition, the column names its header row holds.

    A spreadsheet's header row is the first row holding one of these sets.

    Parameters
    ----------
    defs
        Layer definitions.

    Returns
    -------
    list of list of str
        The ``detect`` columns of each definition.
    """
    return [list(d.detect) for d in defs]


def _first_present(df: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """Return the first candidate column present (exact name first, then any case)."""
    exact = next((c for c in candidates if c in df.columns), None)
    if exact is not None:
        return exact
    lower = {str(c).strip().lower(): c for c in df.columns}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def _flag(df: pd.DataFrame, rule: FlagRule) -> pd.Series:
    col = _first_present(df, rule.columns)
    if col is None:
        return pd.Series(pd.NA, index=df.index, dtype="boolean")
    text = df[col].astype("string").str.strip().str.lower()
    hit = pd.Series(False, index=df.index)
    if rule.equals:
        hit |= text.isin(rule.equals).fillna(False).astype(bool)
    for needle in rule.contains:
        hit |= text.str.contains(needle, regex=False).fillna(False).astype(bool)
    return hit.astype("boolean")


def apply_definition(df: pd.DataFrame, definition: LayerDefinition) -> pd.DataFrame:
    """Map a raw table to canonical columns and flags.

    Parameters
    ----------
    df
        The raw table as read (all columns as text is fine).
    definition
        The definition to apply.

    Returns
    -------
    pandas.DataFrame
        Same index; every column of :data:`CANONICAL_COLUMNS` (missing ones all NA)
        and every flag of :data:`CANONICAL_FLAGS` (nullable boolean; NA when the
        definition cannot tell).
    """
    out = pd.DataFrame(index=df.index)
    for name in CANONICAL_COLUMNS:
        col = _first_present(df, definition.columns.get(name, ()))
        out[name] = df[col] if col is not None else pd.Series(np.nan, index=df.index)
    for name in CANONICAL_FLAGS:
        rule = definition.flags.get(name)
        out[name] = _flag(df, rule) if rule else pd.Series(pd.NA, index=df.index, dtype="boolean")
    return out
