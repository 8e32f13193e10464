"""Timing helpers shared by the benchmarks: best-of-N wall and CPU time, peak memory, rows.

Every timed row goes to :data:`ROWS` (printed as one table at the end, with each
tool's time relative to geosuff's on the same task).
"""

from __future__ import annotations

import gc
import importlib.util
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

ROWS: list[dict] = []
CPU = [np.nan]  # CPU seconds of the last timed() best run


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time per call; sub-50 ms calls are looped (as timeit does).

    The CPU time of the same best run is kept in ``CPU[0]`` (on a shared machine it is
    steadier than wall time for single-threaded work).
    """
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    if first > 2.0 or repeat == 1:
        CPU[0] = first_cpu
        return first
    number = max(1, int(0.25 / max(first, 1e-6))) if first < 0.05 else 1
    best, best_cpu = first, first_cpu
    for _ in range(repeat - 1):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(number):
            fn()
        wall = (time.perf_counter() - t0) / number
        if wall < best:
            best, best_cpu = wall, (time.process_time() - c0) / number
    CPU[0] = best_cpu
    return best


def peak_mb(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def record(graph, task, tool, seconds, mem=None, note=""):
    cpu = CPU[0]
    CPU[0] = np.nan
    row = {"graph": graph, "task": task, "tool": tool, "s": seconds, "cpu": cpu, "mb": mem}
    row["note"] = note
    ROWS.append(row)
    mb = "" if mem is None else f"{mem:8.1f} MB"
    print(
        f"  {graph:<10} {task:<30} {tool:<28} {seconds:9.3f} s (cpu {cpu:8.3f}) {mb} {note}",
        flush=True,
    )
    return seconds


def find(graph, task_prefix, tool):
    for r in ROWS:
        if r["graph"] == graph and r["task"].startswith(task_prefix) and r["tool"] == tool:
            return r
    return None


def print_table() -> None:
    print()
    print(
        f"{'graph':<10} {'task':<30} {'tool':<30} {'seconds':>10} {'x geosuff':>10} "
        f"{'cpu s':>9} {'peak MB':>9}  note"
    )
    for r in ROWS:
        base = next(
            (
                q["s"]
                for q in ROWS
                if q["graph"] == r["graph"]
                and q["task"] == r["task"]
                and q["tool"].startswith("geosuff")
                and "before" not in q["tool"]
            ),
            np.nan,
        )
        mb = "" if r["mb"] is None else f"{r['mb']:.1f}"
        print(
            f"{r['graph']:<10} {r['task']:<30} {r['tool']:<30} {r['s']:>10.3f} "
            f"{r['s'] / base:>9.2f}x {r['cpu']:>9.3f} {mb:>9}  {r['note']}"
        )
