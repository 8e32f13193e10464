"""The registry of analyses a batch recipe can name, with their parameters and inputs.

To add an analysis, write ``fn(context, params) -> DataFrame`` at module level (so it
can be sent to worker processes) and call :func:`register_analysis`; say which inputs
it reads (``reads``) so that a change to them, and only to them, re-runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "ANALYSES",
    "AREA_FILE_KEYS",
    "Analysis",
    "always_available",
    "limit_problem",
    "register_analysis",
    "task_parameters",
    "unavailable_reason",
]

#: Layer files an area entry may replace (as in :class:`geosuff.LayerFiles`).
AREA_FILE_KEYS = (
    "lsoa",
    "population",
    "care_homes",
    "home_care",
    "extra_care",
    "postcodes",
    "projections",
)

#: ``fn(context, params) -> table``; the context is a
#: :class:`geosuff.batch.context.AreaContext` (which imports this module).
AnalysisFn = Callable[[Any, Mapping[str, Any]], pd.DataFrame]


def always_available() -> str | None:
    """Return ``None``: the analysis can run in this version.

    Returns
    -------
    None
        Always.
    """
    return None


@dataclass(frozen=True)
class Analysis:
    """An analysis a recipe can name.

    Attributes
    ----------
    name
        Name in recipes and output files.
    run
        ``run(context, params)`` returning one table (a module-level function).
    parameters
        Parameter name -> default; a recipe's ``[name]`` table overrides them.
    uses
        Other analyses whose parameters this one also depends on (e.g. gaps uses
        access and runs).
    network
        Whether travel times (the road network, or the estimate) are used.
    available
        ``None`` when usable, else why not (reported at recipe validation).
    reads
        Kinds of input it reads (see :mod:`geosuff.batch.inputs`): ``layers`` (the
        area's data files and layer definitions), ``travel`` (speed profile and road
        network), ``zones`` (the zone file and what it needs: wards, focus places).
        ``None``: ``layers``, plus ``travel`` when *network*.
    limits
        Parameter name -> rule checked in recipes: ``">0"``, ``">=0"``, ``">=1"``,
        ``"0..1"`` or ``"one of a|b"``.
    area_keys
        Keys of a recipe's area entry the analysis also depends on (e.g. ``focus``
        for the report); they join its tasks' fingerprints.
    """

    name: str
    run: AnalysisFn
    parameters: Mapping[str, Any]
    uses: tuple[str, ...] = ()
    network: bool = True
    available: Callable[[], str | None] = always_available
    reads: tuple[str, ...] | None = None
    limits: Mapping[str, str] = field(default_factory=dict)
    area_keys: tuple[str, ...] = ()

    def input_kinds(self) -> tuple[str, ...]:
        """Return the kinds of input this analysis reads.

        Returns
        -------
        tuple of str
            E.g. ``("layers", "travel", "zones")``.
        """
        if self.reads is not None:
            return self.reads
        return ("layers", "travel") if self.network else ("layers",)


ANALYSES: dict[str, Analysis] = {}


def register_analysis(analysis: Analysis) -> None:
    """Add (or replace) an analysis in the registry.

    Parameters
    ----------
    analysis
        The analysis.
    """
    ANALYSES[analysis.name] = analysis


def unavailable_reason(name: str) -> str | None:
    """Why analysis *name* cannot run in this version, or ``None`` when it can.

    Parameters
    ----------
    name
        A registered analysis.

    Returns
    -------
    str or None
        The reason.
    """
    return ANALYSES[name].available()


def task_parameters(name: str, parameters: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """All parameters a task of analysis *name* depends on, by analysis.

    Parameters
    ----------
    name
        The analysis.
    parameters
        The recipe's parameters by analysis.

    Returns
    -------
    dict
        ``{analysis: params}`` for *name* and the analyses it uses.
    """
    names = (name, *ANALYSES[name].uses)
    return {n: dict(parameters.get(n, ANALYSES[n].parameters)) for n in names}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def limit_problem(value: object, rule: str) -> str | None:
    """Check a parameter value against a rule of :attr:`Analysis.limits`.

    Parameters
    ----------
    value
        The value (a number, a list of numbers, or text).
    rule
        ``">0"``, ``">=0"``, ``">=1"`` (a whole number), ``"0..1"`` or
        ``"one of a|b"``.

    Returns
    -------
    str or None
        What is wrong, or ``None`` when the value is fine.
    """
    if rule.startswith("one of "):
        choices = rule.removeprefix("one of ").split("|")
        return None if value in choices else f"must be one of {', '.join(choices)}"
    values = value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, list):
            problem = limit_problem(item[0] if item else None, rule)
            if problem:
                return problem
            continue
        number = _number(item)
        if number is None:
            return None  # the type check reports it
        if rule == ">0" and not number > 0:
            return "must be more than 0"
        if rule == ">=0" and not number >= 0:
            return "must be 0 or more"
        if rule == ">=1" and not (number >= 1 and float(number).is_integer()):
            return "must be a whole number, 1 or more"
        if rule == "0..1" and not 0 <= number <= 1:
            return "must be between 0 and 1"
    return None
