"""The ``[[scenarios]]`` of a batch recipe: provider changes to compare with the base."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geosuff._errors import GeosuffError
from geosuff.batch._recipe_checks import Lines, Problems

__all__ = ["Scenario", "read_scenarios"]


@dataclass(frozen=True)
class Scenario:
    """A set of provider changes to compare against the base.

    Attributes
    ----------
    name
        Short name, used in output file names.
    changes
        CSV of changes (see :mod:`geosuff.batch.scenario`).
    areas
        Area codes the scenario applies to (all areas when empty).
    """

    name: str
    changes: Path
    areas: tuple[str, ...] = ()


def read_scenarios(
    raw: Mapping[str, Any],
    lines: Lines,
    problems: Problems,
    resolve: Callable[[object], Path],
    areas: Sequence[Any],
) -> list[Scenario]:
    """Check the recipe's ``[[scenarios]]``, each change file read once.

    Parameters
    ----------
    raw
        The recipe.
    lines
        Its lines.
    problems
        Where problems are added.
    resolve
        Turns a recipe path into a file (``{data}``, relative to the recipe).
    areas
        The recipe's resolved areas (``given``, ``code``, ``name``).

    Returns
    -------
    list of Scenario
        The scenarios.
    """
    from geosuff.batch.scenario import load_changes

    given = raw.get("scenarios", [])
    if not isinstance(given, list):
        problems.add(lines.key("scenarios"), "'scenarios' must be a list of tables")
        return []
    out: list[Scenario] = []
    for item in given:
        line = lines.table("scenarios")
        if not isinstance(item, Mapping) or not {"name", "changes"} <= set(item):
            problems.add(line, "each [[scenarios]] needs 'name' and 'changes' (a CSV)")
            continue
        name = str(item["name"])
        line = lines.value(name) or line
        unknown = set(item) - {"name", "changes", "areas"}
        if unknown:
            problems.add(line, f"unknown scenario keys {sorted(unknown)}; known: areas, changes")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            problems.add(line, f"scenario name {name!r}: use letters, digits, '-', '_' or '.'")
            continue
        path = resolve(item["changes"])
        try:
            load_changes(path)
        except GeosuffError as exc:
            problems.add(lines.value(str(item["changes"])) or line, f"scenario {name!r}: {exc}")
            continue
        codes: list[str] = []
        for label in item.get("areas", []):
            match = [a.code for a in areas if label in (a.given, a.code, a.name)]
            if not match:
                problems.add(lines.value(label) or line, f"scenario area {label!r} is not listed")
            codes.extend(match)
        out.append(Scenario(name, path, tuple(codes)))
    return out
