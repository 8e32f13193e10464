"""Searches over a network's CSR arrays: seeds, threads over sources, and outputs.

The compiled kernels (:mod:`geosuff.network._kernels`) release the GIL, so plain
Python threads run searches on every core, in any process (a Dask worker included:
no child processes are started). Rows (sources) are cut into blocks; each thread
keeps one :class:`~geosuff.network._workspace.Workspace` and takes blocks until none
are left. Progress is reported from the calling thread.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import NamedTuple

import numpy as np

__all__ = [
    "Reached",
    "Seeds",
    "multi_source",
    "point_matrix",
    "reach_rows",
    "run_rows",
    "seeds_of",
    "thread_count",
]

Progress = Callable[[int], None]
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

# below this many node-visits (sources x nodes) a second thread costs more than it saves
_MIN_THREADED_WORK = 200_000
_MAX_BLOCK = 64


class Seeds(NamedTuple):
    """Where each search starts: row ``r`` has seeds ``ptr[r]:ptr[r + 1]``.

    Attributes
    ----------
    ptr
        Row offsets into the seed arrays.
    node, t_s, len_m
        Seed node (CSR position), starting seconds (NaN: not allowed) and metres.
    """

    ptr: np.ndarray
    node: np.ndarray
    t_s: np.ndarray
    len_m: np.ndarray


class Reached(NamedTuple):
    """Nodes settled by limited searches, one entry per (source, node) reached.

    Attributes
    ----------
    source
        Row of the source (position in the ``sources`` given).
    node
        Node position (CSR row) reached.
    minutes
        Travel minutes from the source to the node (within the limit).
    """

    source: np.ndarray
    node: np.ndarray
    minutes: np.ndarray


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def thread_count(workers: int | None, n_sources: int, n_nodes: int) -> int:
    """Threads to search with.

    Parameters
    ----------
    workers
        Asked-for threads (``None``: decide). ``GEOSUFF_THREADS`` caps the default,
        e.g. ``1`` inside a cluster that already runs one job per core.
    n_sources, n_nodes
        Searches to run and the graph's size.

    Returns
    -------
    int
        At least 1.
    """
    if workers is not None:
        return max(1, int(workers))
    cores = usable_cores()
    env = os.environ.get("GEOSUFF_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        cores = min(cores, int(env))
    if n_sources < 2 or n_sources * n_nodes < _MIN_THREADED_WORK:
        return 1
    return max(1, min(cores, n_sources))


def run_rows(
    n_rows: int,
    threads: int,
    make_workspace: Callable[[], object],
    block: Callable[[object, int, int], None],
    progress: Progress | None = None,
) -> None:
    """Run ``block(workspace, r0, r1)`` over rows ``0:n_rows`` on *threads* threads.

    Parameters
    ----------
    n_rows
        Number of rows (searches).
    threads
        Threads to use (1: all in this thread).
    make_workspace
        Builds one workspace (at most one per thread is built).
    block
        Runs rows ``r0:r1`` with a workspace; writes its own outputs.
    progress
        Called here with the number of rows finished after each block.
    """
    if n_rows == 0:
        return
    threads = max(1, min(threads, n_rows))
    size = max(1, min(_MAX_BLOCK, -(-n_rows // (threads * 8))))
    bounds = [(r, min(r + size, n_rows)) for r in range(0, n_rows, size)]
    if threads == 1:
        ws = make_workspace()
        for r0, r1 in bounds:
            block(ws, r0, r1)
            if progress is not None:
                progress(r1 - r0)
        return
    spare: queue.SimpleQueue[object] = queue.SimpleQueue()

    def job(r0: int, r1: int) -> int:
        try:
            ws = spare.get_nowait()
        except queue.Empty:
            ws = make_workspace()
        try:
            block(ws, r0, r1)
        finally:
            spare.put(ws)
        return r1 - r0

    with ThreadPoolExecutor(threads, thread_name_prefix="geosuff-search") as pool:
        futures = [pool.submit(job, r0, r1) for r0, r1 in bounds]
        try:
            for fut in as_completed(futures):
                done = fut.result()
                if progress is not None:
                    progress(done)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def seeds_of(a: np.ndarray, b: np.ndarray, t_s: np.ndarray, len_m: np.ndarray) -> Seeds:
    """Two seeds per row: node *a* and node *b* with ``(k, 2)`` seconds and metres."""
    k = len(a)
    return Seeds(
        ptr=np.arange(0, 2 * k + 1, 2, dtype=np.int64),
        node=np.column_stack([a, b]).ravel().astype(np.int32),
        t_s=np.ascontiguousarray(t_s, dtype=float).ravel(),
        len_m=np.ascontiguousarray(len_m, dtype=float).ravel(),
    )


def _target_mask(n: int, p_a: np.ndarray, p_b: np.ndarray, leg_t: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=np.bool_)
    mask[p_a[np.isfinite(leg_t[:, 0])]] = True
    mask[p_b[np.isfinite(leg_t[:, 1])]] = True
    return mask


def point_matrix(
    arrays: Arrays,
    seeds: Seeds,
    other: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    limit_s: float,
    with_len: bool,
    threads: int,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and metres from each seeded row to each point on the other side.

    Parameters
    ----------
    arrays
        ``(indptr, indices, time_s, length_m)`` of the graph to search.
    seeds
        One row per search.
    other
        ``(a, b, leg_t, leg_l)``: each point's two entry nodes and the ``(k, 2)``
        seconds and metres from those nodes to the point (NaN: not allowed).
    limit_s
        Search limit in seconds (``inf``: none).
    with_len
        Also carry route lengths.
    threads
        Threads to search with.
    progress
        Called with rows finished.

    Returns
    -------
    tuple of numpy.ndarray
        ``(rows, points)`` seconds (``inf`` where not reached) and metres (NaN where
        not reached or *with_len* is false).
    """
    from geosuff.network import _kernels as k

    ip, ix, wt, wl = arrays
    n = len(ip) - 1
    n_rows = len(seeds.ptr) - 1
    p_a, p_b, leg_t, leg_l = other
    p_a = p_a.astype(np.int32)
    p_b = p_b.astype(np.int32)
    leg_t = np.where(np.isfinite(leg_t), leg_t, np.inf)
    leg_l = np.ascontiguousarray(leg_l, dtype=float)
    is_tgt = _target_mask(n, p_a, p_b, leg_t)
    n_tgt = int(is_tgt.sum())
    out_t = np.full((n_rows, len(p_a)), np.inf)
    out_l = np.full((n_rows, len(p_a)) if with_len else (1, 1), np.nan)

    def block(ws: k.Workspace, r0: int, r1: int) -> None:
        k.matrix_rows(
            ip, ix, wt, wl, seeds.ptr, seeds.node, seeds.t_s, seeds.len_m, r0, r1,
            float(limit_s), is_tgt, n_tgt, p_a, p_b, leg_t, leg_l, with_len, out_t, out_l,
            *ws.arrays(),
        )  # fmt: skip

    seeds_max = int(np.diff(seeds.ptr).max()) if n_rows else 1
    run_rows(
        n_rows,
        threads,
        lambda: k.Workspace(n, len(ix), seeds_max, with_len=with_len),
        block,
        progress,
    )
    if not with_len:
        out_l = np.full(out_t.shape, np.nan)
    return out_t, out_l


def reach_rows(
    arrays: Arrays,
    seeds: Seeds,
    *,
    limit_s: float,
    threads: int,
    dense: bool,
) -> np.ndarray | Reached:
    """Minutes to every node settled within *limit_s* from each seeded row.

    Parameters
    ----------
    arrays
        ``(indptr, indices, time_s, length_m)`` of the graph to search.
    seeds
        One row per search.
    limit_s
        Search limit in seconds (``inf``: none).
    threads
        Threads to search with.
    dense
        Return a ``(rows, nodes)`` array (NaN where not reached) instead of a
        :class:`Reached` list, whose memory is proportional to what was reached.

    Returns
    -------
    numpy.ndarray or Reached
        Minutes.
    """
    from geosuff.network import _kernels as k

    ip, ix, wt, _ = arrays
    n = len(ip) - 1
    n_rows = len(seeds.ptr) - 1
    seeds_max = int(np.diff(seeds.ptr).max()) if n_rows else 1
    if dense:
        out = np.full((n_rows, n), np.nan)

        def block(ws: k.Workspace, r0: int, r1: int) -> None:
            k.dense_rows(
                ip, ix, wt, seeds.ptr, seeds.node, seeds.t_s, r0, r1, float(limit_s), out,
                *ws.arrays(),
            )  # fmt: skip

        run_rows(n_rows, threads, lambda: k.Workspace(n, len(ix), seeds_max), block)
        return out
    parts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    none = np.zeros(1, dtype=np.bool_)

    def block_sparse(ws: k.Workspace, r0: int, r1: int) -> None:
        for r in range(r0, r1):
            one = slice(seeds.ptr[r], seeds.ptr[r + 1])
            count = k.search(
                ip, ix, wt, wt, seeds.node[one], seeds.t_s[one], seeds.t_s[one],
                seeds.node[one], float(limit_s), none, 0, *ws.arrays(), False, False,
            )  # fmt: skip
            nodes = ws.order[:count].copy()
            parts[r] = (nodes, ws.dist[nodes] / 60.0)

    run_rows(n_rows, threads, lambda: k.Workspace(n, len(ix), seeds_max), block_sparse)
    rows = range(n_rows)
    counts = [len(parts[r][0]) for r in rows]
    return Reached(
        source=np.repeat(np.arange(n_rows, dtype=np.int32), counts),
        node=np.concatenate([parts[r][0] for r in rows] or [np.zeros(0, np.int32)]),
        minutes=np.concatenate([parts[r][1] for r in rows] or [np.zeros(0)]),
    )


def multi_source(
    arrays: Arrays,
    seeds: Seeds,
    label: np.ndarray | None,
    targets: np.ndarray | None,
    *,
    limit_s: float,
    with_len: bool = False,
) -> tuple[object, int]:
    """One search from every seed at once (the nearest source wins at each node).

    Parameters
    ----------
    arrays
        ``(indptr, indices, time_s, length_m)`` of the graph to search.
    seeds
        All seeds (``ptr`` is ignored).
    label
        Per-seed source label carried to the nodes each seed reaches first, or ``None``.
    targets
        Nodes whose answers are needed (the search stops once all are settled), or
        ``None`` to search everything within the limit.
    limit_s
        Search limit in seconds.
    with_len
        Also carry route lengths.

    Returns
    -------
    tuple
        The :class:`~geosuff.network._workspace.Workspace` holding the answers (read with
        ``settled``, ``dist``, ``lens``, ``label``) and the number of nodes settled
        (``order[:count]``).
    """
    from geosuff.network import _kernels as k

    ip, ix, wt, wl = arrays
    n = len(ip) - 1
    ws = k.Workspace(n, len(ix), len(seeds.node), with_len=with_len, with_label=label is not None)
    is_tgt = np.zeros(n if targets is not None else 1, dtype=np.bool_)
    if targets is not None:
        is_tgt[targets] = True
    labels = np.zeros(len(seeds.node), np.int32) if label is None else label.astype(np.int32)
    count = k.search(
        ip, ix, wt, wl, seeds.node, seeds.t_s, seeds.len_m, labels, float(limit_s), is_tgt,
        int(is_tgt.sum()) if targets is not None else 0, *ws.arrays(), with_len,
        label is not None,
    )  # fmt: skip
    return ws, int(count)
