"""Where area jobs run: in this process, in a process pool, or on Dask; and which pays.

Worker processes start clean (``spawn``) and import geosuff, geopandas and the rest
(seconds each, more on a busy machine) before loading their area, so parallel runs
pay only when the areas take long enough. :func:`choose_backend` estimates each job's
time from the manifest's previous timings (or typical ones) and the workers' start-up
as measured by the last parallel run (or a typical one), counts only the processors
this process may use, and runs serially when parallel would not be clearly faster.

Pool workers never outlive the run: on Linux each asks the kernel to kill it when its
parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a watchdog thread exits the
worker once its parent is gone, so ``kill -9`` of ``geosuff batch`` leaves no orphans.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from geosuff._errors import ValidationError
from geosuff.batch.context import AreaJob
from geosuff.batch.tasks import AreaOutcome, run_area_job

__all__ = [
    "WORKER_START_SECONDS",
    "choose_backend",
    "estimate_job_seconds",
    "execute",
    "worker_init",
]

log = logging.getLogger(__name__)

#: Typical start-up of a worker process (interpreter, geosuff and its libraries),
#: until a parallel run has measured it (5-15 s on a busy 2-core machine).
WORKER_START_SECONDS = 10.0
#: Parallel must save at least this share of the serial time to be chosen.
MIN_SAVING = 0.25
#: Typical seconds per task when the manifest has no timing (estimate; network x3).
TYPICAL_TASK_SECONDS = {
    "summary": 0.2,
    "access": 1.0,
    "runs": 2.0,
    "gaps": 3.0,
    "travel_matrix": 1.0,
    "zones_check": 4.0,
    "scenario": 4.0,
}
TYPICAL_LOAD_SECONDS = 2.0
_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 1.0


def estimate_job_seconds(job: AreaJob, history: Mapping[str, Any]) -> float:
    """Estimate how long an area job takes in one process.

    Parameters
    ----------
    job
        The job.
    history
        A previous manifest's ``tasks`` (their ``seconds`` and ``area_load_seconds``).

    Returns
    -------
    float
        Seconds: the area's loading plus each task's time, as last measured when
        known, else typical figures (three times longer on a road network).
    """
    load, total = None, 0.0
    for spec in job.tasks:
        entry = history.get(spec.key) or {}
        if "seconds" in entry:
            total += float(entry["seconds"])
            load = max(load or 0.0, float(entry.get("area_load_seconds", 0.0)))
        else:
            typical = TYPICAL_TASK_SECONDS.get(spec.analysis, 2.0)
            total += typical * (3.0 if job.network is not None else 1.0)
    return total + (TYPICAL_LOAD_SECONDS if load is None else load)


def usable_cpus() -> int:
    """Return how many processors this process may run on.

    Returns
    -------
    int
        From the scheduler's affinity mask where there is one, else the CPU count.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _makespan(seconds: list[float], workers: int) -> float:
    """Time for *workers* processes to finish jobs of *seconds*, longest first."""
    loads = [0.0] * max(1, workers)
    for s in sorted(seconds, reverse=True):
        loads[loads.index(min(loads))] += s
    return max(loads)


def choose_backend(
    jobs: list[AreaJob],
    *,
    workers: int,
    scheduler: str | None,
    parallel: bool | None,
    history: Mapping[str, Any],
    worker_start_s: float | None = None,
) -> tuple[str, str]:
    """Decide where the jobs run, and say why.

    Parameters
    ----------
    jobs
        The area jobs to run.
    workers
        Processes (or Dask workers) allowed.
    scheduler
        Dask scheduler (``"local"`` or an address): always used when given.
    parallel
        ``True`` to use a process pool of *workers* whatever the estimate, ``False``
        to run serially, ``None`` to decide from the estimate.
    history
        A previous manifest's ``tasks``.
    worker_start_s
        Worker start-up measured by an earlier parallel run (default
        :data:`WORKER_START_SECONDS`).

    Returns
    -------
    tuple of str
        ``(backend, reason)``; backend is ``serial``, ``processes``, ``dask-local`` or
        ``dask``.
    """
    if not jobs:
        return "serial", "nothing to run"
    if scheduler is not None:
        return ("dask-local" if scheduler == "local" else "dask"), "Dask scheduler given"
    if workers <= 1 or parallel is False:
        return "serial", "one worker" if workers <= 1 else "serial asked for"
    if parallel:
        return "processes", "parallel asked for"
    if len(jobs) < 2:
        return "serial", "one area to run: nothing to share between workers"
    usable = min(workers, len(jobs), usable_cpus())
    if usable < 2:
        return "serial", "one processor available"
    start_s = WORKER_START_SECONDS if worker_start_s is None else worker_start_s
    seconds = [estimate_job_seconds(j, history) for j in jobs]
    serial_s = sum(seconds)
    parallel_s = start_s + _makespan(seconds, usable)
    verdict = (
        f"about {serial_s:.0f} s of work in {len(jobs)} areas: {parallel_s:.0f} s on "
        f"{usable} workers (with {start_s:.0f} s to start them) "
        f"against {serial_s:.0f} s in one process"
    )
    if parallel_s < (1.0 - MIN_SAVING) * serial_s:
        return "processes", verdict
    return "serial", verdict + "; parallel would not pay"


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(1)


def worker_init(parent_pid: int) -> None:
    """Make a pool worker exit when the process that started it dies.

    Parameters
    ----------
    parent_pid
        The process id of ``geosuff batch`` (the pool's owner).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog does
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above ran
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def execute(
    jobs: list[AreaJob],
    *,
    backend: str,
    workers: int,
    scheduler: str | None,
    dask_processes: bool,
    on_start: Callable[[str], None],
    on_pool_start: Callable[[float], None] | None = None,
) -> Iterator[AreaOutcome]:
    """Run the jobs where :func:`choose_backend` said, yielding each area's outcome.

    Parameters
    ----------
    jobs
        The area jobs.
    backend
        ``serial``, ``processes``, ``dask-local`` or ``dask``.
    workers
        Processes or Dask workers.
    scheduler
        The Dask scheduler (for the Dask backends).
    dask_processes
        With ``dask-local``: worker processes (``True``) or threads.
    on_start
        Called with the area code before a serial job starts.
    on_pool_start
        Called with the time (seconds since the epoch) a process pool was started.

    Yields
    ------
    AreaOutcome
        As each area finishes.
    """
    if not jobs:
        return
    if backend.startswith("dask"):
        yield from _execute_dask(
            jobs,
            workers=workers,
            scheduler=scheduler or "local",
            processes=dask_processes,
        )
        return
    if backend == "serial":
        for job in jobs:
            on_start(job.area)
            yield run_area_job(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # "spawn": workers start clean (no copied threads or open files from this process).
    context = multiprocessing.get_context("spawn")
    if on_pool_start is not None:
        on_pool_start(time.time())
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=worker_init,
        initargs=(os.getpid(),),
    ) as pool:
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
