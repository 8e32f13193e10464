"""Checks of a batch recipe's entries, each problem with the recipe line it is on."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from geosuff._errors import GeosuffError, ValidationError
from geosuff.batch.registry import ANALYSES, limit_problem

__all__ = ["Lines", "Problems", "RecipeError", "check_parameters", "check_years", "is_year"]


class RecipeError(ValidationError):
    """A recipe is not valid; the message lists every problem with its line."""


class Lines:
    """Find the line of a key or a value in a TOML text (best effort, 1-based)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def key(self, key: str, table: str | None = None) -> int | None:
        """Return the line of *key* (in *table* when given)."""
        current: str | None = None
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n, line in enumerate(self.lines, 1):
            head = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
            if head:
                current = head.group(1)
                if table is not None and current == table and key == "":
                    return n
                continue
            if (table is None or current == table) and pattern.match(line):
                return n
        return None

    def table(self, name: str) -> int | None:
        """Return the line of the table header ``[name]`` or ``[[name]]``."""
        for n, line in enumerate(self.lines, 1):
            if re.match(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?", line):
                return n
        return None

    def value(self, value: object, near: str | None = None) -> int | None:
        """Return the first line holding *value*, else the line of key *near*."""
        needle = f'"{value}"' if isinstance(value, str) else str(value)
        alt = f"'{value}'"
        hits = [n for n, line in enumerate(self.lines, 1) if needle in line or alt in line]
        if hits:
            return hits[0]
        return self.key(near) if near else None


class Problems:
    """Every problem found in a recipe, each with its line, raised together."""

    def __init__(self, source: str, lines: Lines) -> None:
        self.source = source
        self.lines = lines
        self.items: list[str] = []

    def add(self, line: int | None, message: str) -> None:
        """Record a problem at *line* (``None`` when not known)."""
        where = f"{self.source}:{line}" if line else self.source
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        """Raise :class:`RecipeError` listing every problem, if there is any."""
        if not self.items:
            return
        if len(self.items) == 1:
            raise RecipeError(self.items[0])
        raise RecipeError(f"{len(self.items)} problems: " + "; ".join(self.items))


def _check_type(value: object, default: object) -> bool:
    if default is None:  # an optional number (None = geosuff's default)
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list | tuple):
        return isinstance(value, list)
    return True


def _expected(default: object) -> str:
    if default is None or (isinstance(default, int | float) and not isinstance(default, bool)):
        return "a number" if default is None else f"a number, like the default {default!r}"
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, str):
        return f"text, like the default {default!r}"
    return f"a list, like the default {default!r}"


def check_parameters(
    raw: Mapping[str, Any], lines: Lines, problems: Problems
) -> dict[str, dict[str, Any]]:
    """Merge each analysis's defaults with the recipe's table, checking names, types, ranges.

    Parameters
    ----------
    raw
        The recipe.
    lines
        Its lines.
    problems
        Where problems are added.

    Returns
    -------
    dict
        Analysis name -> its full parameter set.
    """
    params: dict[str, dict[str, Any]] = {}
    for name, analysis in ANALYSES.items():
        given = raw.get(name, {})
        if not isinstance(given, Mapping):
            problems.add(lines.key(name), f"[{name}] must be a table of parameters")
            given = {}
        merged = dict(analysis.parameters)
        for key, value in given.items():
            if key not in analysis.parameters:
                known = ", ".join(sorted(analysis.parameters)) or "none"
                problems.add(
                    lines.key(key, name),
                    f"unknown parameter {key!r} in [{name}]; known: {known}",
                )
            elif not _check_type(value, analysis.parameters[key]):
                problems.add(
                    lines.key(key, name),
                    f"[{name}] {key} = {value!r} has the wrong type "
                    f"(expected {_expected(analysis.parameters[key])})",
                )
            elif key in analysis.limits and (problem := limit_problem(value, analysis.limits[key])):
                problems.add(lines.key(key, name), f"[{name}] {key} = {value!r} {problem}")
            else:
                merged[key] = value
        params[name] = merged
    return params


def is_year(value: object) -> bool:
    """Whether *value* is a plausible year (a whole number from 1900 to 2200)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200


def check_years(
    raw: Mapping[str, Any],
    areas: Sequence[Any],
    lines: Lines,
    problems: Problems,
    data: Path | None,
) -> None:
    """Check every ``year`` (top level and per area): a whole number the projection covers.

    Parameters
    ----------
    raw
        The recipe.
    areas
        Its resolved area entries (with ``year`` and ``files``).
    lines
        Its lines.
    problems
        Where problems are added.
    data
        The data folder (its projection file), or ``None`` when it is not known.
    """
    given = [("", raw["year"])] if "year" in raw else []
    entries = raw.get("areas") if isinstance(raw.get("areas"), list) else []
    given += [
        (str(e.get("name")), e["year"]) for e in entries if isinstance(e, Mapping) and "year" in e
    ]
    bad = False
    for name, value in given:
        if not is_year(value):
            where = lines.key("year", "areas") if name else lines.key("year")
            what = f"area {name!r}: " if name else ""
            problems.add(where, f"{what}year = {value!r} must be a whole number such as 2030")
            bad = True
    years = {a.year for a in areas if a.year is not None}
    if bad or not years or data is None:
        return
    from geosuff.io.projections import find_projection_file, read_projection

    paths = {a.files.get("projections") or find_projection_file(data) for a in areas if a.year}
    for path in paths:
        if path is None:
            problems.add(
                lines.key("year"),
                f"year given but no population projection in {data} (ons/snpp*); add ONS "
                "subnational population projections or name one with projections = FILE",
            )
            continue
        try:
            projection = read_projection(path)
            for year in sorted(years):
                projection.check_year(year)
        except GeosuffError as exc:
            problems.add(lines.key("year"), str(exc).splitlines()[0])
