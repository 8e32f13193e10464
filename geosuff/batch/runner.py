"""Run a recipe: plan the tasks, skip finished ones, run the rest, record everything.

Work is split by area: an area job loads the area's layers once, with its buffer of
neighbouring LSOAs and providers, and runs the area's pending tasks. Jobs run in this
process, in a process pool or on Dask (see :mod:`geosuff.batch.backends`, which also
decides when parallel pays). Results come back to this process, which writes every
output atomically and updates the manifest after each area.

Before any work, the run removes temporary files that killed runs left in the output
folder, marks a run the manifest still shows as running (but whose process is gone)
as ``killed``, and records itself as ``running``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from geosuff._errors import OutputError, ValidationError
from geosuff.batch.backends import choose_backend, execute
from geosuff.batch.inputs import checksum
from geosuff.batch.manifest import (
    close_stale_runs,
    is_done,
    load_manifest,
    new_manifest,
    now,
    save_manifest,
    start_run,
)
from geosuff.batch.plan import PlannedTask, area_jobs, input_records, plan
from geosuff.batch.recipe import AreaEntry, Recipe, load_recipe, recipe_from_dict
from geosuff.batch.report_task import DOCUMENT_ATTR, SUFFIX_ATTR
from geosuff.batch.tasks import AreaOutcome, clean_for_output
from geosuff.io.files import atomic_path, clean_stale_temp_files, write_table

__all__ = ["PlannedTask", "plan", "run"]

log = logging.getLogger(__name__)

#: Called after each area finishes: ``(tasks_done, tasks_total, area_name)``.
ProgressFn = Callable[[int, int, str], None]


def _as_recipe(
    recipe: Recipe | Mapping[str, Any] | str | os.PathLike[str],
    data_dir: str | os.PathLike[str] | None,
    out: str | os.PathLike[str] | None,
) -> Recipe:
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, Mapping):
        return recipe_from_dict(recipe, data_dir=data_dir, out=out)
    return load_recipe(recipe, data_dir=data_dir, out=out)


def _write_output(table: pd.DataFrame, out_dir: Path, key: str, fmt: str) -> Path:
    page = table.attrs.get(DOCUMENT_ATTR)
    if isinstance(page, str):  # a page (the report), written instead of the table
        path = out_dir / f"{key}{table.attrs.get(SUFFIX_ATTR, '.html')}"
        with atomic_path(path) as tmp:
            tmp.write_text(page, encoding="utf-8")
        return path
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


def _recipe_info(rec: Recipe) -> dict[str, Any]:
    return {
        "path": str(rec.source) if rec.source else None,
        "sha256": checksum(rec.source) if rec.source else None,
        "areas": {a.code: a.name for a in rec.areas},
        "analyses": list(rec.analyses),
        "scenarios": {s.name: str(s.changes) for s in rec.scenarios},
        "parameters": {k: dict(v) for k, v in rec.parameters.items()},
        "data_dir": str(rec.data_dir),
        "format": rec.format,
    }


def _prepare(out_dir: Path) -> tuple[dict[str, Any] | None, list[tuple[Path, int]]]:
    """Create the output folder, read its manifest and clean what killed runs left."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(out_dir, f"cannot create the output folder ({reason})") from exc
    previous = load_manifest(out_dir)
    return previous, clean_stale_temp_files(out_dir)


def _measured_worker_start(manifest: Mapping[str, Any]) -> float | None:
    """Worker start-up measured by the latest parallel run in this folder, if any."""
    for record in reversed(manifest.get("runs", [])):
        if "worker_start_seconds" in record:
            return float(record["worker_start_seconds"])
    return None


def _record(
    task: PlannedTask,
    result: Any,
    outcome: AreaOutcome,
    rejects_file: Path | None,
    out: Path,
    area: AreaEntry | None = None,
) -> dict[str, Any]:
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
        "rejects": _reject_counts(outcome.rejects),
        "rejects_file": str(rejects_file.relative_to(out)) if rejects_file else None,
    }
    if outcome.notes:
        entry["notes"] = list(outcome.notes)
    if area is not None and area.year is not None:
        entry["year"] = area.year
    if area is not None:  # the supply rules the area's layers were loaded with
        entry["rules"] = area.rules.record()
    return entry


def run(
    recipe: Recipe | Mapping[str, Any] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: ProgressFn | None = None,
    dask_processes: bool = True,
    parallel: bool | None = None,
) -> dict[str, Any]:
    """Run a batch recipe and return its manifest.

    Tasks whose output and manifest entry match the current inputs and parameters are
    skipped; a failed task is recorded with its error and the others go on.

    Parameters
    ----------
    recipe
        A recipe file (or a shipped one, ``examples/batch.toml``), a mapping with the
        recipe's keys, or a :class:`Recipe`.
    out
        Output folder, overriding the recipe's ``output``.
    workers
        Processes (or Dask workers with ``scheduler="local"``) to use at most; 1 runs
        in this process.
    scheduler
        ``"local"`` to start a Dask ``LocalCluster``, or the address of a running
        ``dask.distributed`` scheduler (``tcp://host:8786``); ``None`` for no Dask.
    data_dir
        Data folder, overriding the recipe's ``data``.
    progress
        Called after each area as ``progress(done, total, area_name)``.
    dask_processes
        With ``scheduler="local"``: worker processes (``True``) or threads.
    parallel
        With ``workers > 1`` and no scheduler: ``None`` runs in parallel only when the
        estimate says it pays, ``True`` always, ``False`` never.

    Returns
    -------
    dict
        The manifest (also in ``OUT/manifest.json``); ``manifest["runs"][-1]`` lists
        the tasks executed, skipped and failed in this run, the backend and why.

    Raises
    ------
    RecipeError
        If the recipe is not valid (before any work starts).
    ValidationError
        If another run is writing to the same output folder.

    Examples
    --------
    >>> manifest = run("examples/batch.toml", out="batch-out")  # doctest: +SKIP
    >>> manifest["runs"][-1]["failed"]  # doctest: +SKIP
    []
    """
    if workers < 1:
        raise ValidationError(f"workers must be 1 or more, got {workers}")
    rec = _as_recipe(recipe, data_dir, out)
    out_dir = Path(os.path.abspath(out)) if out is not None else rec.output
    t0 = time.perf_counter()
    previous, cleaned = _prepare(out_dir)
    manifest = new_manifest(_recipe_info(rec))
    if previous:
        manifest["tasks"] = dict(previous.get("tasks", {}))
        manifest["runs"] = list(previous.get("runs", []))
    for record in close_stale_runs(manifest, out_dir):
        log.warning("batch: the run started %s was killed; recorded", record.get("started_at"))
    planned = plan(rec, previous.get("inputs") if previous else None)
    manifest["inputs"] = input_records(planned)
    skipped, pending = [], []
    for task in planned:
        if is_done(manifest["tasks"].get(task.spec.key), task.fingerprint, out_dir):
            skipped.append(task.spec.key)
        else:
            pending.append(task)
    jobs = area_jobs(rec, pending, single_process_travel=False)
    backend, reason = choose_backend(
        jobs,
        workers=workers,
        scheduler=scheduler,
        parallel=parallel,
        history=manifest["tasks"],
        worker_start_s=_measured_worker_start(manifest),
    )
    if backend != "serial":  # jobs side by side: each keeps its travel searches to itself
        jobs = area_jobs(rec, pending, single_process_travel=True)
    run_record = start_run(
        manifest,
        backend=backend,
        backend_reason=reason,
        workers=workers,
        scheduler=scheduler,
        tasks=len(planned),
        skipped=skipped,
        temp_files_removed=len(cleaned),
        temp_bytes_removed=sum(size for _, size in cleaned),
    )
    save_manifest(out_dir, manifest)
    total, done = len(planned), len(skipped)
    names = {a.code: a.name for a in rec.areas}
    entries = {a.code: a for a in rec.areas}
    if progress is not None:
        progress(done, total, "skipped finished tasks" if skipped else "starting")
    log.info(
        "batch: %d tasks, %d already done, %d to run in %d areas (%s: %s)",
        total,
        len(skipped),
        len(pending),
        len(jobs),
        backend,
        reason,
    )

    def on_start(code: str) -> None:
        if progress is not None:
            progress(done, total, names.get(code, code))

    def on_pool_start(at: float) -> None:
        run_record["pool_started_at"] = at

    by_key = {t.spec.key: t for t in pending}
    try:
        for outcome in execute(
            jobs,
            backend=backend,
            workers=workers,
            scheduler=scheduler,
            dask_processes=dask_processes,
            on_start=on_start,
            on_pool_start=on_pool_start,
        ):
            if "pool_started_at" in run_record and "worker_start_seconds" not in run_record:
                # the first job to finish started as soon as its worker was up
                wait = outcome.started_at - float(run_record["pool_started_at"])
                run_record["worker_start_seconds"] = round(max(wait, 0.0), 2)
            rejects_file = None
            if not outcome.rejects.empty:
                rejects_file = write_table(outcome.rejects, out_dir / outcome.area / "rejects.csv")
            for result in outcome.tasks:
                task = by_key[result.key]
                area_entry = entries.get(task.area)
                entry = _record(task, result, outcome, rejects_file, out_dir, area_entry)
                if result.error is not None or result.table is None:
                    entry.update(status="failed", error=f"{result.key}: {result.error}")
                    run_record["failed"].append(result.key)
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
                run_record["executed"].append(result.key)
                manifest["tasks"][result.key] = entry
            done += len(outcome.tasks)
            save_manifest(out_dir, manifest)
            area = names.get(outcome.area, outcome.area)
            log.info("batch: %s done (%d/%d tasks)", area, done, total)
            if progress is not None:
                progress(done, total, area)
    except BaseException as exc:
        run_record.update(status="interrupted", error=f"{type(exc).__name__}: {exc}"[:300])
        raise
    else:
        run_record["status"] = "finished"
    finally:
        run_record.update(finished_at=now(), seconds=round(time.perf_counter() - t0, 3))
        save_manifest(out_dir, manifest)
    return manifest
