"""Run an area job: load the area once, run each of its tasks, record what each produced.

A failing task is recorded with its error and the others go on. Jobs are plain data
in, plain data out (:class:`~geosuff.batch.context.AreaJob` ->
:class:`AreaOutcome`), so they can run in this process, in a process pool or on Dask
workers. The analyses themselves are in :mod:`geosuff.batch.analyses` (registered in
:mod:`geosuff.batch.registry`), scenarios in :mod:`geosuff.batch.scenario`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

import geosuff.batch.analyses
import geosuff.batch.report_task  # noqa: F401  (registers the report)
from geosuff._errors import GeosuffError
from geosuff.batch.context import AreaContext, AreaJob, TaskSpec, error_text
from geosuff.batch.registry import ANALYSES, AREA_FILE_KEYS, Analysis, register_analysis
from geosuff.batch.scenario import run_scenario

__all__ = [
    "ANALYSES",
    "AREA_FILE_KEYS",
    "Analysis",
    "AreaContext",
    "AreaJob",
    "AreaOutcome",
    "TaskOutcome",
    "TaskSpec",
    "clean_for_output",
    "error_text",
    "register_analysis",
    "run_area_job",
    "single_process_travel",
]

log = logging.getLogger(__name__)


@dataclass
class TaskOutcome:
    """What one task produced.

    Attributes
    ----------
    key
        The task key.
    table
        The result (``None`` when it failed).
    seconds
        Wall time of the task itself (layers loading is in the job's time).
    error
        One-line error when it failed.
    travel_method
        ``network`` or ``estimate_crowfly`` where travel times were used.
    """

    key: str
    table: pd.DataFrame | None
    seconds: float
    error: str | None = None
    travel_method: str | None = None


@dataclass
class AreaOutcome:
    """What an area job produced.

    Attributes
    ----------
    area
        Area code.
    tasks
        One outcome per task.
    rejects
        The area's rejected/repaired input rows (columns of the rejects table).
    load_seconds
        Time spent loading the area's layers.
    notes
        What the figures leave out (e.g. a sample without the wider border buffer).
    started_at
        When the job started (seconds since the epoch), to measure worker start-up.
    """

    area: str
    tasks: list[TaskOutcome]
    rejects: pd.DataFrame
    load_seconds: float
    notes: list[str] = field(default_factory=list)
    started_at: float = 0.0


def _run_task(ctx: AreaContext, spec: TaskSpec) -> pd.DataFrame:
    if spec.analysis == "scenario":
        if spec.changes is None:  # pragma: no cover - planned with a file
            raise GeosuffError(f"{spec.key}: no changes file")
        return run_scenario(ctx, spec.parameters, spec.changes)
    analysis = spec.definition or ANALYSES[spec.analysis]
    return analysis.run(ctx, spec.parameters if analysis.uses else spec.parameters[spec.analysis])


@contextlib.contextmanager
def single_process_travel(active: bool = True) -> Iterator[None]:
    """Make network travel-time searches run in this process while the block runs.

    The travel engine starts a two-process pool for many origins on large graphs; a
    daemonic process (a Dask worker) may not have children, and parallel batch jobs
    would oversubscribe the cores. ``geosuff.access`` and ``geosuff.care_runs`` do not
    take a ``workers`` argument, so the engine's default is replaced for the duration.

    Parameters
    ----------
    active
        Whether to do it (``False`` leaves the engine's default).

    Yields
    ------
    None
        Inside the block, searches use one process.
    """
    import multiprocessing

    from geosuff.network import travel

    if not (active or multiprocessing.current_process().daemon):
        yield
        return
    original = travel._pool_workers

    def one(workers: int | None, n_sources: int, n_nodes: int) -> int:
        return 1

    travel._pool_workers = one
    try:
        yield
    finally:
        travel._pool_workers = original


def _with_year(table: pd.DataFrame, ctx: AreaContext) -> pd.DataFrame:
    """Say on every row which population a table is for (``year``, ``population_basis``)."""
    from geosuff.analysis.supply_years import add_basis_columns

    out = add_basis_columns(table, ctx.layers)
    out.attrs = dict(table.attrs)
    return out


def run_area_job(job: AreaJob) -> AreaOutcome:
    """Run an area's tasks; each failure is recorded and the others go on.

    Parameters
    ----------
    job
        The area and its tasks.

    Returns
    -------
    AreaOutcome
        One outcome per task, and the area's rejects.
    """
    from geosuff.io.rejects import empty_rejects

    started, started_at = time.perf_counter(), time.time()
    try:
        ctx = AreaContext(job)
    except Exception as exc:
        message = f"loading {job.area}: {error_text(exc)}"
        outcomes = [TaskOutcome(t.key, None, 0.0, message) for t in job.tasks]
        seconds = time.perf_counter() - started
        return AreaOutcome(job.area, outcomes, empty_rejects(), seconds, started_at=started_at)
    load_seconds = time.perf_counter() - started
    from geosuff.report.data import collect_warnings

    with collect_warnings() as warned:
        ctx.warnings = warned  # filled as the tasks run: the report states them
        outcomes = [_outcome(ctx, spec) for spec in job.tasks]
    parts = [r for r in (ctx.layers.rejects, *ctx.extra_rejects) if not r.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    return AreaOutcome(job.area, outcomes, rejects, load_seconds, list(ctx.notes), started_at)


def _outcome(ctx: AreaContext, spec: TaskSpec) -> TaskOutcome:
    """Run one task of an area; a failure is recorded with its error."""
    job = ctx.job
    t0 = time.perf_counter()
    try:
        with single_process_travel(job.single_process_travel):
            table = _run_task(ctx, spec)
    except Exception as exc:
        log.warning("%s failed: %s", spec.key, error_text(exc))
        return TaskOutcome(spec.key, None, time.perf_counter() - t0, error_text(exc))
    if job.year is not None and not isinstance(table.attrs.get("document"), str):
        table = _with_year(table, ctx)
    method = None
    if "travel_method" in table.columns and len(table):
        method = str(table["travel_method"].iloc[0])
    elif "method" in table.columns and len(table):
        method = str(table["method"].iloc[0])
    return TaskOutcome(spec.key, table, time.perf_counter() - t0, None, method)


def clean_for_output(table: pd.DataFrame) -> pd.DataFrame:
    """Make a result table writable: plain attrs, object columns of text.

    Parameters
    ----------
    table
        A result table.

    Returns
    -------
    pandas.DataFrame
        The same table, with ``attrs`` reduced to scalars.
    """
    out = table.copy()
    out.attrs = {k: v for k, v in table.attrs.items() if isinstance(v, str | int | float | bool)}
    for col in out.columns:
        if out[col].dtype == object and col != getattr(out, "_geometry_column_name", None):
            sample = out[col].dropna()
            if len(sample) and not isinstance(sample.iloc[0], str):
                out[col] = out[col].map(
                    lambda v: v if v is None or isinstance(v, str) else json.dumps(v, default=str)
                )
    return out
