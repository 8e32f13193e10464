"""The supply rules of a batch recipe: top level for every area, an area's own winning.

The keys are those of :mod:`geosuff.io.supply_rules` (``scope``, ``nursing_share``,
``bed_use``, ``count_by``, ``min_rating``, ``include_dormant``, and coverage as a
``[coverage]`` table or ``complete``/``partial`` lists). An area's own value replaces
the recipe's; coverage declarations combine layer by layer (the area's win). Every
problem is reported with its line; each bed-use file is read once here, so that a
missing or malformed file stops the recipe before any work starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geosuff._errors import GeosuffError
from geosuff.batch._recipe_checks import Lines, Problems
from geosuff.io.supply_rules import SupplyRules, read_rules

__all__ = ["area_rules", "block_key_line", "check_bed_use_files", "top_rules"]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def block_key_line(lines: Lines, key: str, near: int | None) -> int | None:
    """Return the line of *key* in the ``[[areas]]`` entry holding line *near*.

    Parameters
    ----------
    lines
        The recipe's lines.
    key
        A key of the entry (or of its sub-tables such as ``[areas.coverage]``).
    near
        A line inside the entry (its name's), or ``None``.

    Returns
    -------
    int or None
        The key's line (1-based), else *near*.
    """
    if near is None:
        return None
    text = lines.lines
    start = near
    while start > 1 and not re.match(r"^\s*\[\[\s*areas\s*\]\]", text[start - 1]):
        start -= 1
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for n in range(start, len(text) + 1):
        line = text[n - 1]
        head = _HEADER.match(line)
        if n > start and head and not head.group(1).startswith("areas."):
            break
        if pattern.match(line) or (head and head.group(1) == f"areas.{key}"):
            return n
    return near


def _resolver(resolve: Callable[[object], Path], problems: list[tuple[str, str]]) -> Any:
    def run(text: str) -> Path:
        try:
            return resolve(text)
        except GeosuffError as exc:
            problems.append(("bed_use", str(exc)))
            return Path(text)

    return run


def top_rules(
    raw: Mapping[str, Any], lines: Lines, problems: Problems, resolve: Callable[[object], Path]
) -> dict[str, Any]:
    """Read the recipe's own supply rules (for every area), reporting problems with lines.

    Parameters
    ----------
    raw
        The recipe.
    lines
        Its lines.
    problems
        Where problems are added.
    resolve
        Turns a path in the recipe into a path (``{data}``, the recipe's folder).

    Returns
    -------
    dict
        The rules given, as :class:`~geosuff.io.supply_rules.SupplyRules` keywords.
    """
    found: list[tuple[str, str]] = []
    rules, bad = read_rules(raw, _resolver(resolve, found))
    for key, message in [*bad, *found]:
        table, _, sub = key.rpartition(".")
        line = lines.key(sub, table) if table else lines.key(key)
        problems.add(line or lines.key("coverage") or lines.table("coverage"), message)
    return rules


def area_rules(
    entry: Mapping[str, Any],
    top: Mapping[str, Any],
    *,
    label: str,
    line: int | None,
    lines: Lines,
    problems: Problems,
    resolve: Callable[[object], Path],
) -> SupplyRules:
    """Combine the recipe's rules with an area's own (the area's win), checked.

    Parameters
    ----------
    entry
        The area's entry in the recipe.
    top
        The recipe's rules (:func:`top_rules`).
    label
        The area as the recipe names it (for messages).
    line
        The line of the area's name.
    lines
        The recipe's lines.
    problems
        Where problems are added.
    resolve
        Turns a path in the recipe into a path.

    Returns
    -------
    SupplyRules
        The area's rules (the defaults where a value had a problem).
    """
    found: list[tuple[str, str]] = []
    own, bad = read_rules(entry, _resolver(resolve, found))
    for key, message in [*bad, *found]:
        where = block_key_line(lines, key.rpartition(".")[2], line)
        if where == line and "." in key:
            where = block_key_line(lines, "coverage", line)
        problems.add(where, f"area {label!r}: {message}")
    merged = {**top, **own}
    if "coverage" in top or "coverage" in own:
        merged["coverage"] = {**top.get("coverage", {}), **own.get("coverage", {})}
    try:
        return SupplyRules(**merged)
    except GeosuffError as exc:
        problems.add(line, f"area {label!r}: {exc}")
        return SupplyRules()


def check_bed_use_files(
    found: list[tuple[SupplyRules, str, int | None]], problems: Problems
) -> None:
    """Read each bed-use file the areas name once; report one missing or unreadable.

    Parameters
    ----------
    found
        ``(rules, area label, line of its bed_use key)`` of each area.
    problems
        Where problems are added.
    """
    from geosuff.io.bed_use import load_bed_use

    seen: set[Path] = set()
    for rules, label, line in found:
        path = rules.bed_use
        if path is None or path in seen:
            continue
        seen.add(path)
        if not path.is_file():
            problems.add(line, f"area {label!r}: bed_use file {path} not found")
            continue
        try:
            load_bed_use(path)
        except GeosuffError as exc:
            problems.add(line, f"area {label!r}: {str(exc).splitlines()[0]}")
