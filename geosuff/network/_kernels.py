"""Compiled shortest-path kernels (numba, GIL-free): Dijkstra over CSR road graphs.

One search is a Dijkstra from one or more *seeds* (a node, a starting time in seconds
and a starting length in metres), the way a snapped point enters the network at the
two ends of its road piece. The search stops at *limit* seconds (nodes beyond it are
never settled) and, when given a target set, as soon as every target is settled.
Route length is carried along with time on every improvement, so the length of the
fastest route costs one addition per relaxed edge instead of a walk back over a
predecessor tree. The source label of the seed that reached a node can be carried
too (nearest-of-many).

State lives in a :class:`Workspace` (one per thread). A node's label is valid for the
current search only when ``stamp[node] == run``, so nothing is cleared between
searches; ``pos[node] == -2`` marks it settled. The heap is an indexed binary heap
with decrease-key, so it never holds more than one entry per node.

Every kernel is compiled with ``nogil=True`` so Python threads run searches on all
cores, and ``cache=True`` so the machine code is kept on disk after the first call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "Workspace",
    "dense_rows",
    "matrix_rows",
    "search",
]

_SETTLED = -2
_RUN_MAX = 2**31 - 2


class Workspace:
    """Per-thread search state for a graph of *n* nodes.

    Parameters
    ----------
    n
        Number of nodes.
    with_len, with_label
        Whether route lengths and source labels are tracked (else 1-element stubs).
    """

    def __init__(self, n: int, *, with_len: bool = False, with_label: bool = False) -> None:
        self.dist = np.empty(n)
        self.lens = np.empty(n if with_len else 1)
        self.label = np.empty(n if with_label else 1, dtype=np.int32)
        self.stamp = np.zeros(n, dtype=np.int32)
        self.pos = np.empty(n, dtype=np.int32)
        self.heap = np.empty(n, dtype=np.int32)
        self.hkey = np.empty(n)
        self.order = np.empty(n, dtype=np.int32)
        self.run = 0

    def reserve(self, searches: int) -> int:
        """Return the run id before the next *searches* searches (reset on overflow)."""
        if self.run + searches > _RUN_MAX:
            self.stamp[:] = 0
            self.run = 0
        first = self.run
        self.run += searches
        return first

    def settled(self, nodes: np.ndarray) -> np.ndarray:
        """Whether each of *nodes* was settled by the last search."""
        return (self.stamp[nodes] == self.run) & (self.pos[nodes] == _SETTLED)


@njit(nogil=True, cache=True)
def _sift_up(
    heap: np.ndarray, hkey: np.ndarray, pos: np.ndarray, i: int, v: int, key: float
) -> None:
    while i > 0:
        p = (i - 1) >> 1
        if hkey[p] <= key:
            break
        u = heap[p]
        heap[i] = u
        hkey[i] = hkey[p]
        pos[u] = i
        i = p
    heap[i] = v
    hkey[i] = key
    pos[v] = i


@njit(nogil=True, cache=True)
def _pop(heap: np.ndarray, hkey: np.ndarray, pos: np.ndarray, size: int) -> int:
    size -= 1
    if size > 0:
        v = heap[size]
        key = hkey[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and hkey[c + 1] < hkey[c]:
                c += 1
            if hkey[c] >= key:
                break
            u = heap[c]
            heap[i] = u
            hkey[i] = hkey[c]
            pos[u] = i
            i = c
        heap[i] = v
        hkey[i] = key
        pos[v] = i
    return size


@njit(nogil=True, cache=True)
def _dijkstra(
    indptr: np.ndarray,
    indices: np.ndarray,
    wt: np.ndarray,
    wl: np.ndarray,
    s_node: np.ndarray,
    s_t: np.ndarray,
    s_l: np.ndarray,
    s_lab: np.ndarray,
    k0: int,
    k1: int,
    limit: float,
    is_tgt: np.ndarray,
    n_tgt: int,
    dist: np.ndarray,
    lens: np.ndarray,
    label: np.ndarray,
    stamp: np.ndarray,
    pos: np.ndarray,
    heap: np.ndarray,
    hkey: np.ndarray,
    order: np.ndarray,
    run: int,
    track_len: bool,
    track_label: bool,
) -> int:
    """One search from seeds ``k0:k1``; returns how many nodes it settled (in *order*)."""
    size = 0
    for k in range(k0, k1):
        t = s_t[k]
        if not t <= limit:  # also drops NaN (a direction that is not allowed)
            continue
        v = s_node[k]
        if stamp[v] != run:
            stamp[v] = run
            pos[v] = -1
            dist[v] = np.inf
        if t < dist[v]:
            dist[v] = t
            if track_len:
                lens[v] = s_l[k]
            if track_label:
                label[v] = s_lab[k]
            i = pos[v]
            if i < 0:
                i = size
                size += 1
            _sift_up(heap, hkey, pos, i, v, t)
    remaining = n_tgt
    count = 0
    while size > 0:
        v = heap[0]
        key = hkey[0]
        size = _pop(heap, hkey, pos, size)
        pos[v] = _SETTLED
        order[count] = v
        count += 1
        if n_tgt > 0 and is_tgt[v]:
            remaining -= 1
            if remaining == 0:
                break
        for e in range(indptr[v], indptr[v + 1]):
            nd = key + wt[e]
            if nd > limit:
                continue
            u = indices[e]
            if stamp[u] != run:
                stamp[u] = run
                pos[u] = -1
                dist[u] = np.inf
            elif pos[u] == _SETTLED:
                continue
            if nd < dist[u]:
                dist[u] = nd
                if track_len:
                    lens[u] = lens[v] + wl[e]
                if track_label:
                    label[u] = label[v]
                i = pos[u]
                if i < 0:
                    i = size
                    size += 1
                _sift_up(heap, hkey, pos, i, u, nd)
    return count


@njit(nogil=True, cache=True)
def matrix_rows(
    indptr: np.ndarray,
    indices: np.ndarray,
    wt: np.ndarray,
    wl: np.ndarray,
    seed_ptr: np.ndarray,
    s_node: np.ndarray,
    s_t: np.ndarray,
    s_l: np.ndarray,
    r0: int,
    r1: int,
    limit: float,
    is_tgt: np.ndarray,
    n_tgt: int,
    p_a: np.ndarray,
    p_b: np.ndarray,
    leg_t: np.ndarray,
    leg_l: np.ndarray,
    track_len: bool,
    out_t: np.ndarray,
    out_l: np.ndarray,
    dist: np.ndarray,
    lens: np.ndarray,
    label: np.ndarray,
    stamp: np.ndarray,
    pos: np.ndarray,
    heap: np.ndarray,
    hkey: np.ndarray,
    order: np.ndarray,
    run0: int,
) -> int:
    """Search from rows ``r0:r1`` and finish the point-to-point times and lengths.

    Row ``r``'s seeds are ``seed_ptr[r]:seed_ptr[r + 1]``. Point ``j`` on the other side
    is reached through node ``p_a[j]`` (plus ``leg_t[j, 0]`` s, ``leg_l[j, 0]`` m) or
    ``p_b[j]``; the faster wins (``a`` on ties). ``out_t``/``out_l`` rows are written
    (seconds, metres); pairs not reached keep the caller's fill values.
    """
    for r in range(r0, r1):
        run = run0 + (r - r0) + 1
        _dijkstra(
            indptr,
            indices,
            wt,
            wl,
            s_node,
            s_t,
            s_l,
            s_node,
            seed_ptr[r],
            seed_ptr[r + 1],
            limit,
            is_tgt,
            n_tgt,
            dist,
            lens,
            label,
            stamp,
            pos,
            heap,
            hkey,
            order,
            run,
            track_len,
            False,
        )
        for j in range(p_a.shape[0]):
            a = p_a[j]
            b = p_b[j]
            ta = np.inf
            tb = np.inf
            if stamp[a] == run and pos[a] == _SETTLED:
                ta = dist[a] + leg_t[j, 0]
            if stamp[b] == run and pos[b] == _SETTLED:
                tb = dist[b] + leg_t[j, 1]
            if tb < ta:
                out_t[r, j] = tb
                if track_len:
                    out_l[r, j] = lens[b] + leg_l[j, 1]
            elif ta < np.inf:
                out_t[r, j] = ta
                if track_len:
                    out_l[r, j] = lens[a] + leg_l[j, 0]
    return run0 + (r1 - r0)


@njit(nogil=True, cache=True)
def dense_rows(
    indptr: np.ndarray,
    indices: np.ndarray,
    wt: np.ndarray,
    seed_ptr: np.ndarray,
    s_node: np.ndarray,
    s_t: np.ndarray,
    r0: int,
    r1: int,
    limit: float,
    out: np.ndarray,
    dist: np.ndarray,
    lens: np.ndarray,
    label: np.ndarray,
    stamp: np.ndarray,
    pos: np.ndarray,
    heap: np.ndarray,
    hkey: np.ndarray,
    order: np.ndarray,
    run0: int,
) -> int:
    """Search from rows ``r0:r1`` and write minutes to every settled node into ``out``."""
    no_tgt = np.zeros(1, dtype=np.bool_)
    for r in range(r0, r1):
        run = run0 + (r - r0) + 1
        count = _dijkstra(
            indptr,
            indices,
            wt,
            wt,
            s_node,
            s_t,
            s_t,
            s_node,
            seed_ptr[r],
            seed_ptr[r + 1],
            limit,
            no_tgt,
            0,
            dist,
            lens,
            label,
            stamp,
            pos,
            heap,
            hkey,
            order,
            run,
            False,
            False,
        )
        for i in range(count):
            v = order[i]
            out[r, v] = dist[v] / 60.0
    return run0 + (r1 - r0)


@njit(nogil=True, cache=True)
def search(
    indptr: np.ndarray,
    indices: np.ndarray,
    wt: np.ndarray,
    wl: np.ndarray,
    s_node: np.ndarray,
    s_t: np.ndarray,
    s_l: np.ndarray,
    s_lab: np.ndarray,
    limit: float,
    is_tgt: np.ndarray,
    n_tgt: int,
    dist: np.ndarray,
    lens: np.ndarray,
    label: np.ndarray,
    stamp: np.ndarray,
    pos: np.ndarray,
    heap: np.ndarray,
    hkey: np.ndarray,
    order: np.ndarray,
    run: int,
    track_len: bool,
    track_label: bool,
) -> int:
    """One search from all the seeds at once (multi-source); returns the settled count."""
    return _dijkstra(
        indptr,
        indices,
        wt,
        wl,
        s_node,
        s_t,
        s_l,
        s_lab,
        0,
        s_node.shape[0],
        limit,
        is_tgt,
        n_tgt,
        dist,
        lens,
        label,
        stamp,
        pos,
        heap,
        hkey,
        order,
        run,
        track_len,
        track_label,
    )
