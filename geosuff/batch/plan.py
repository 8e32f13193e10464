"""Plan a recipe: every task with the files it reads, their checksums and its fingerprint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geosuff.batch.context import AreaJob, TaskSpec
from geosuff.batch.inputs import AreaSources, checksum, fingerprint, input_record, task_inputs
from geosuff.batch.recipe import AreaEntry, Recipe
from geosuff.batch.registry import ANALYSES, task_parameters

__all__ = ["SCENARIO_ANALYSES", "PlannedTask", "area_jobs", "input_records", "plan"]

#: Analyses a scenario task runs (for its base and changed versions).
SCENARIO_ANALYSES = ("access", "runs", "gaps")


@dataclass(frozen=True)
class PlannedTask:
    """A task of the recipe, with what it depends on.

    Attributes
    ----------
    spec
        What to run.
    area
        Area code.
    area_name
        Area name.
    inputs
        Resolved input path -> content checksum (``missing`` for a file that is not there).
    fingerprint
        Hash of analysis, parameters, output format, inputs and version.
    """

    spec: TaskSpec
    area: str
    area_name: str
    inputs: Mapping[str, str]
    fingerprint: str


def _kinds(names: tuple[str, ...], year: int | None = None) -> list[str]:
    kinds: list[str] = []
    for name in names:
        for n in (name, *ANALYSES[name].uses):
            kinds += [k for k in ANALYSES[n].input_kinds() if k not in kinds]
    if year is not None and "layers" in kinds and "projections" not in kinds:
        kinds.append("projections")  # the population of that year comes from it
    if "layers" in kinds and "bed_use" not in kinds:
        kinds.append("bed_use")  # the layers' beds are split by it (nothing without one)
    return kinds


def _keyed(spec: TaskSpec, area: AreaEntry, fmt: str, kinds: list[str]) -> dict[str, Any]:
    """Return what a task's output depends on besides files.

    Parameters, output format, year, the supply rules of a task that reads the layers
    (those that differ from the defaults; a bed-use file is an input instead) and the
    analysis's area keys (a report's focus).
    """
    keyed: dict[str, Any] = {"parameters": spec.parameters, "format": fmt}
    if area.year is not None:
        keyed["year"] = area.year
    rules = {k: v for k, v in area.rules.changes().items() if k != "bed_use"}
    if rules and "layers" in kinds:
        keyed["rules"] = rules
    definition = spec.definition or ANALYSES.get(spec.analysis)
    for key in definition.area_keys if definition is not None else ():
        value = getattr(area, key)
        if value is not None:
            keyed[key] = value
    return keyed


def plan(recipe: Recipe, known_inputs: Mapping[str, Any] | None = None) -> list[PlannedTask]:
    """Every task of a recipe, with its inputs' checksums and fingerprint.

    Parameters
    ----------
    recipe
        The checked recipe.
    known_inputs
        A previous manifest's ``inputs`` (to avoid rehashing unchanged files).

    Returns
    -------
    list of PlannedTask
        Area by area, analyses in recipe order, then scenarios.
    """
    from geosuff import __version__

    known = known_inputs or {}
    sums: dict[str, str] = {}

    def sums_of(paths: list[Path]) -> dict[str, str]:
        out = {}
        for p in paths:
            key = str(p)
            if key not in sums:
                sums[key] = checksum(p, known.get(key)) if p.exists() else "missing"
            out[key] = sums[key]
        return out

    tasks = []
    for area in recipe.areas:
        src = AreaSources(
            area.code,
            recipe.data_dir,
            area.files,
            area.network,
            area.zones,
            area.year,
            area.rules.bed_use,
        )
        specs: list[tuple[TaskSpec, list[str], list[Path]]] = []
        for name in recipe.analyses:
            params = task_parameters(name, recipe.parameters)
            spec = TaskSpec(f"{area.code}/{name}", name, params, definition=ANALYSES[name])
            specs.append((spec, _kinds((name,), area.year), []))
        for sc in recipe.scenarios:
            if sc.areas and area.code not in sc.areas:
                continue
            params = {n: dict(recipe.parameters[n]) for n in SCENARIO_ANALYSES}
            spec = TaskSpec(f"{area.code}/scenario-{sc.name}", "scenario", params, sc.changes)
            specs.append((spec, _kinds(SCENARIO_ANALYSES, area.year), [sc.changes]))
        for spec, kinds, extra in specs:
            inputs = sums_of(task_inputs(src, kinds, extra=extra))
            # The output format (and the year, the supply rules, a report's focus) is
            # part of what a task produced.
            keyed = _keyed(spec, area, recipe.format, kinds)
            fp = fingerprint(spec.analysis, keyed, inputs, __version__)
            tasks.append(PlannedTask(spec, area.code, area.name, inputs, fp))
    return tasks


def input_records(tasks: list[PlannedTask]) -> dict[str, dict[str, Any]]:
    """Return the manifest's ``inputs``: every file read, with its checksum, size and time.

    Parameters
    ----------
    tasks
        The planned tasks.

    Returns
    -------
    dict
        Resolved path -> record (see :func:`geosuff.batch.inputs.input_record`).
    """
    out: dict[str, dict[str, Any]] = {}
    for task in tasks:
        for path, digest in task.inputs.items():
            if path not in out and digest != "missing" and Path(path).exists():
                out[path] = input_record(Path(path), digest)
    return out


def area_jobs(
    recipe: Recipe, pending: list[PlannedTask], *, single_process_travel: bool
) -> list[AreaJob]:
    """Group the pending tasks into one job per area.

    Parameters
    ----------
    recipe
        The recipe.
    pending
        Tasks to run.
    single_process_travel
        Keep network travel in each job's process (see :class:`AreaJob`).

    Returns
    -------
    list of AreaJob
        In recipe order.
    """
    entries = {a.code: a for a in recipe.areas}
    jobs = []
    for code in dict.fromkeys(t.area for t in pending):
        area = entries[code]
        jobs.append(
            AreaJob(
                area=code,
                data_dir=recipe.data_dir,
                files=dict(area.files),
                network=area.network,
                zones=area.zones,
                network_cache=recipe.network_cache,
                tasks=tuple(t.spec for t in pending if t.area == code),
                single_process_travel=single_process_travel,
                year=area.year,
                focus=area.focus,
                rules=area.rules,
            )
        )
    return jobs
