"""Run a recipe: plan the tasks, skip finished ones, run the rest serially, in processes or on Dask.

Work is split by area: an area job loads the area's layers once, with its buffer of
neighbouring LSOAs and providers, and runs the area's pending tasks. Jobs go to this
process (``workers=1``), to a process pool (``workers=N``) or to a Dask cluster
(``scheduler="local"`` or a scheduler address). Results come back to this process,
which writes every output atomically and updates the manifest after each area.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geosuff._errors import ValidationError
from geosuff.batch.manifest import (
    area_inputs,
    checksum,
    fingerprint,
    is_done,
    load_manifest,
    new_manifest,
    now,
    save_manifest,
)
from geosuff.batch.recipe import Recipe, load_recipe, recipe_from_dict
from geosuff.batch.tasks import (
    ANALYSES,
    AreaJob,
    AreaOutcome,
    TaskSpec,
    clean_for_output,
    run_area_job,
    task_parameters,
)
from geosuff.io.files import write_table

__all__ = ["PlannedTask", "plan", "run"]

log = logging.getLogger(__name__)

#: Called after each area finishes: ``(tasks_done, tasks_total, area_name)``.
ProgressFn = Callable[[int, int, str], None]


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
        Input path -> checksum.
    fingerprint
        Hash of analysis, parameters, inputs and version.
    """

    spec: TaskSpec
    area: str
    area_name: str
    inputs: Mapping[str, str]
    fingerprint: str


def _as_recipe(
    recipe: Recipe | Mapping[str, Any] | str | os.PathLike[str],
    data_dir: str | os.PathLike[str] | None,
) -> Recipe:
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, Mapping):
        return recipe_from_dict(recipe, data_dir=data_dir)
    return load_recipe(recipe, data_dir=data_dir)


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
        base = area_inputs(area.code, recipe.data_dir, area.files, zones=area.zones)
        with_net = [*base, area.network] if area.network is not None else base
        specs: list[tuple[TaskSpec, list[Path]]] = []
        for name in recipe.analyses:
            params = task_parameters(name, recipe.parameters)
            paths = with_net if ANALYSES[name].network else base
            specs.append((TaskSpec(f"{area.code}/{name}", name, params), paths))
        for sc in recipe.scenarios:
            if sc.areas and area.code not in sc.areas:
                continue
            params = {n: dict(recipe.parameters[n]) for n in ("access", "runs", "gaps")}
            spec = TaskSpec(f"{area.code}/scenario-{sc.name}", "scenario", params, sc.changes)
            specs.append((spec, [*with_net, sc.changes]))
        for spec, paths in specs:
            inputs = sums_of(paths)
            # The output format is part of what a task produced.
            keyed = {"parameters": spec.parameters, "format": recipe.format}
            fp = fingerprint(spec.analysis, keyed, inputs, __version__)
            tasks.append(PlannedTask(spec, area.code, area.name, inputs, fp))
    return tasks


def _write_output(table: pd.DataFrame, out_dir: Path, key: str, fmt: str) -> Path:
    is_geo = "geometry" in table.columns
    suffix = {"parquet": ".parquet", "csv": ".csv", "gpkg": ".gpkg"}[fmt]
    if fmt == "gpkg" and not is_geo:
        suffix = ".csv"
    frame = clean_for_output(table)
    if suffix == ".csv" and is_geo:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    return write_table(frame, out_dir / f"{key}{suffix}")


def _reject_counts(rejects: pd.DataFrame) -> dict[str, int]:
    if rejects.empty or "action" not in rejects.columns:
        return {}
    return {str(k): int(v) for k, v in rejects["action"].value_counts().sort_index().items()}


def _backend_name(workers: int, scheduler: str | None) -> str:
    if scheduler is not None:
        return "dask-local" if scheduler == "local" else "dask"
    return "processes" if workers > 1 else "serial"


def _execute(
    jobs: list[AreaJob],
    *,
    workers: int,
    scheduler: str | None,
    dask_processes: bool,
    on_start: Callable[[str], None],
) -> Iterator[AreaOutcome]:
    if not jobs:
        return
    if scheduler is not None:
        yield from _execute_dask(
            jobs, workers=workers, scheduler=scheduler, processes=dask_processes
        )
        return
    if workers <= 1:
        for job in jobs:
            on_start(job.area)
            yield run_area_job(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # "spawn": workers start clean (no copied threads or open files from this process).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = [pool.submit(run_area_job, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _execute_dask(
    jobs: list[AreaJob], *, workers: int, scheduler: str, processes: bool
) -> Iterator[AreaOutcome]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        msg = "--scheduler needs dask.distributed: pip install 'dask[distributed]'"
        raise ValidationError(msg) from exc
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [client.submit(run_area_job, job, pure=False) for job in jobs]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run(
    recipe: Recipe | Mapping[str, Any] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: ProgressFn | None = None,
    dask_processes: bool = True,
) -> dict[str, Any]:
    """Run a batch recipe and return its manifest.

    Tasks whose output and manifest entry match the current inputs and parameters are
    skipped; a failed task is recorded with its error and the others go on.

    Parameters
    ----------
    recipe
        A recipe file, a mapping with the recipe's keys, or a :class:`Recipe`.
    out
        Output folder, overriding the recipe's ``output``.
    workers
        Processes (or Dask workers with ``scheduler="local"``); 1 runs in this process.
    scheduler
        ``"local"`` to start a Dask ``LocalCluster``, or the address of a running
        ``dask.distributed`` scheduler (``tcp://host:8786``); ``None`` for no Dask.
    data_dir
        Data folder, overriding the recipe's ``data``.
    progress
        Called after each area as ``progress(done, total, area_name)``.
    dask_processes
        With ``scheduler="local"``: worker processes (``True``) or threads.

    Returns
    -------
    dict
        The manifest (also in ``OUT/manifest.json``); ``manifest["runs"][-1]`` lists
        the tasks executed, skipped and failed in this run.

    Raises
    ------
    RecipeError
        If the recipe is not valid (before any work starts).

    Examples
    --------
    >>> manifest = run("examples/batch.toml", out="batch-out")  # doctest: +SKIP
    >>> manifest["runs"][-1]["failed"]  # doctest: +SKIP
    []
    """
    rec = _as_recipe(recipe, data_dir)
    if workers < 1:
        raise ValidationError(f"workers must be 1 or more, got {workers}")
    out_dir = Path(out) if out is not None else rec.output
    out_dir.mkdir(parents=True, exist_ok=True)
    started_at, t0 = now(), time.perf_counter()
    previous = load_manifest(out_dir)
    recipe_info = {
        "path": str(rec.source) if rec.source else None,
        "sha256": checksum(rec.source) if rec.source else None,
        "areas": {a.code: a.name for a in rec.areas},
        "analyses": list(rec.analyses),
        "scenarios": {s.name: str(s.changes) for s in rec.scenarios},
        "parameters": {k: dict(v) for k, v in rec.parameters.items()},
        "data_dir": str(rec.data_dir),
        "format": rec.format,
    }
    manifest = new_manifest(recipe_info)
    if previous:
        manifest["tasks"] = dict(previous.get("tasks", {}))
        manifest["runs"] = list(previous.get("runs", []))
    planned = plan(rec, previous.get("inputs") if previous else None)
    for task in planned:
        for path, digest in task.inputs.items():
            p = Path(path)
            if p.exists() and digest != "missing":
                st = p.stat()
                manifest["inputs"][path] = {
                    "sha256": digest,
                    "bytes": st.st_size,
                    "mtime_ns": st.st_mtime_ns,
                }
    skipped, pending = [], []
    for task in planned:
        if is_done(manifest["tasks"].get(task.spec.key), task.fingerprint, out_dir):
            skipped.append(task.spec.key)
        else:
            pending.append(task)
    by_key = {t.spec.key: t for t in pending}
    entries = {a.code: a for a in rec.areas}
    jobs = []
    for code in dict.fromkeys(t.area for t in pending):
        area = entries[code]
        jobs.append(
            AreaJob(
                area=code,
                data_dir=rec.data_dir,
                files=dict(area.files),
                network=area.network,
                zones=area.zones,
                network_cache=rec.network_cache,
                tasks=tuple(t.spec for t in pending if t.area == code),
                single_process_travel=workers > 1 or scheduler is not None,
            )
        )
    total, done = len(planned), len(skipped)
    names = {a.code: a.name for a in rec.areas}
    if progress is not None:
        progress(done, total, "skipped finished tasks" if skipped else "starting")
    log.info(
        "batch: %d tasks, %d already done, %d to run in %d areas",
        total,
        len(skipped),
        len(pending),
        len(jobs),
    )
    executed, failed = [], []

    def on_start(code: str) -> None:
        if progress is not None:
            progress(done, total, names.get(code, code))

    outcomes = _execute(
        jobs,
        workers=workers,
        scheduler=scheduler,
        dask_processes=dask_processes,
        on_start=on_start,
    )
    for outcome in outcomes:
        rejects_file = None
        if not outcome.rejects.empty:
            rejects_file = write_table(outcome.rejects, out_dir / outcome.area / "rejects.csv")
        counts = _reject_counts(outcome.rejects)
        for result in outcome.tasks:
            task = by_key[result.key]
            entry: dict[str, Any] = {
                "area": task.area,
                "area_name": task.area_name,
                "analysis": task.spec.analysis,
                "parameters": task.spec.parameters,
                "inputs": dict(task.inputs),
                "fingerprint": task.fingerprint,
                "finished_at": now(),
                "seconds": round(result.seconds, 3),
                "area_load_seconds": round(outcome.load_seconds, 3),
                "rejects": counts,
                "rejects_file": (str(rejects_file.relative_to(out_dir)) if rejects_file else None),
            }
            if result.error is not None or result.table is None:
                entry.update(status="failed", error=f"{result.key}: {result.error}")
                failed.append(result.key)
                log.warning("task %s failed: %s", result.key, result.error)
            else:
                path = _write_output(result.table, out_dir, result.key, rec.format)
                entry.update(
                    status="done",
                    output=str(path.relative_to(out_dir)),
                    output_sha256=checksum(path),
                    rows=len(result.table),
                    travel_method=result.travel_method,
                )
                if "changes_applied" in result.table.attrs:
                    entry["changes_applied"] = int(result.table.attrs["changes_applied"])
            executed.append(result.key)
            manifest["tasks"][result.key] = entry
        done += len(outcome.tasks)
        save_manifest(out_dir, manifest)
        log.info("batch: %s done (%d/%d tasks)", names.get(outcome.area, outcome.area), done, total)
        if progress is not None:
            progress(done, total, names.get(outcome.area, outcome.area))
    manifest["runs"].append(
        {
            "started_at": started_at,
            "finished_at": now(),
            "seconds": round(time.perf_counter() - t0, 3),
            "backend": _backend_name(workers, scheduler),
            "workers": workers,
            "scheduler": scheduler,
            "tasks": total,
            "executed": executed,
            "skipped": skipped,
            "failed": failed,
        }
    )
    save_manifest(out_dir, manifest)
    return manifest
