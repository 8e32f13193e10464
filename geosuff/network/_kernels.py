"""Compiled shortest-path kernels (numba, GIL-free): Dijkstra over CSR road graphs.

One search is a Dijkstra from one or more *seeds* (a node, a starting time in seconds
and a starting length in metres), the way a snapped point enters the network at the
two ends of its road piece. The search stops at *limit* seconds (nodes beyond it are
never settled) and, when given a target set, as soon as every target is settled.
Route length is carried along with time on every improvement, so the length of the
fastest route costs one addition per relaxed edge instead of a walk back over a
predecessor tree. The source label of the seed that reached a node can be carried
too (nearest-of-many).

State lives in a :class:`~geosuff.network._workspace.Workspace` (one per thread):
tentative times start at infinity and each search puts back only the nodes it
touched, when the next search starts, so the answers of the last search stay
readable in between. The heap is a 4-ary heap with lazy deletion (an improved node
is pushed again and stale entries are skipped), which keeps every heap operation on
contiguous memory. A settled node's time is never improved (its time is at most the
current key), so relaxing needs no settled test.

Every kernel is compiled with ``nogil=True`` so Python threads run searches on all
cores, and ``cache=True`` so the machine code is kept on disk after the first call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from geosuff.network._workspace import Workspace

__all__ = [
    "Workspace",
    "dense_rows",
    "matrix_rows",
    "search",
]


@njit(nogil=True, cache=True, inline="always")
def _push(hnode: np.ndarray, hkey: np.ndarray, size: int, v: int, key: float) -> int:
    i = size
    while i > 0:
        p = (i - 1) >> 2
        if hkey[p] <= key:
            break
        hnode[i] = hnode[p]
        hkey[i] = hkey[p]
        i = p
    hnode[i] = v
    hkey[i] = key
    return size + 1


@njit(nogil=True, cache=True, inline="always")
def _sift_down(hnode: np.ndarray, hkey: np.ndarray, size: int, i: int, v: int, key: float) -> None:
    while True:
        c = 4 * i + 1
        if c >= size:
            break
        best = c
        bk = hkey[c]
        last = min(c + 4, size)
        for j in range(c + 1, last):
            if hkey[j] < bk:
                best = j
                bk = hkey[j]
        if bk >= key:
            break
        hnode[i] = hnode[best]
        hkey[i] = bk
        i = best
    hnode[i] = v
    hkey[i] = key


@njit(nogil=True, cache=True, inline="always")
def _pop(hnode: np.ndarray, hkey: np.ndarray, size: int) -> int:
    """Remove the top entry (read it first); return the new size."""
    size -= 1
    if size > 0:
        _sift_down(hnode, hkey, size, 0, hnode[size], hkey[size])
    return size


@njit(nogil=True, cache=True)
def _compact(hnode: np.ndarray, hkey: np.ndarray, size: int, dist: np.ndarray) -> int:
    """Drop stale entries (at most one live entry per node remains) and re-heapify."""
    j = 0
    for i in range(size):
        if hkey[i] <= dist[hnode[i]]:
            hnode[j] = hnode[i]
            hkey[j] = hkey[i]
            j += 1
    for i in range((j - 2) // 4, -1, -1):
        _sift_down(hnode, hkey, j, i, hnode[i], hkey[i])
    return j


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
    done: np.ndarray,
    order: np.ndarray,
    hnode: np.ndarray,
    hkey: np.ndarray,
    state: np.ndarray,
    track_len: bool,
    track_label: bool,
) -> int:
    """One search from seeds ``k0:k1``; returns how many nodes it settled (in *order*)."""
    # put back what the previous search touched
    for i in range(state[0]):
        v = order[i]
        dist[v] = np.inf
        done[v] = False
    for i in range(state[1]):
        dist[hnode[i]] = np.inf
    size = 0
    cap = hnode.shape[0]
    for k in range(k0, k1):
        t = s_t[k]
        if not t <= limit:  # also drops NaN (a direction that is not allowed)
            continue
        v = s_node[k]
        if t < dist[v]:
            dist[v] = t
            if track_len:
                lens[v] = s_l[k]
            if track_label:
                label[v] = s_lab[k]
            if size == cap:
                size = _compact(hnode, hkey, size, dist)
            size = _push(hnode, hkey, size, v, t)
    remaining = n_tgt
    count = 0
    while size > 0:
        v = hnode[0]
        key = hkey[0]
        size = _pop(hnode, hkey, size)
        if key > dist[v]:
            continue  # stale entry
        done[v] = True
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
            if nd < dist[u]:
                dist[u] = nd
                if track_len:
                    lens[u] = lens[v] + wl[e]
                if track_label:
                    label[u] = label[v]
                if size == cap:
                    size = _compact(hnode, hkey, size, dist)
                size = _push(hnode, hkey, size, u, nd)
    state[0] = count
    state[1] = size
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
    done: np.ndarray,
    order: np.ndarray,
    hnode: np.ndarray,
    hkey: np.ndarray,
    state: np.ndarray,
) -> None:
    """Search from rows ``r0:r1`` and finish the point-to-point times and lengths.

    Row ``r``'s seeds are ``seed_ptr[r]:seed_ptr[r + 1]``. Point ``j`` on the other side
    is reached through node ``p_a[j]`` (plus ``leg_t[j, 0]`` s, ``leg_l[j, 0]`` m) or
    ``p_b[j]``; the faster wins (``a`` on ties). ``out_t``/``out_l`` rows are written
    (seconds, metres); pairs not reached keep the caller's fill values.
    """
    for r in range(r0, r1):
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
            done,
            order,
            hnode,
            hkey,
            state,
            track_len,
            False,
        )
        for j in range(p_a.shape[0]):
            a = p_a[j]
            b = p_b[j]
            ta = np.inf
            tb = np.inf
            if done[a]:
                ta = dist[a] + leg_t[j, 0]
            if done[b]:
                tb = dist[b] + leg_t[j, 1]
            if tb < ta:
                out_t[r, j] = tb
                if track_len:
                    out_l[r, j] = lens[b] + leg_l[j, 1]
            elif ta < np.inf:
                out_t[r, j] = ta
                if track_len:
                    out_l[r, j] = lens[a] + leg_l[j, 0]


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
    done: np.ndarray,
    order: np.ndarray,
    hnode: np.ndarray,
    hkey: np.ndarray,
    state: np.ndarray,
) -> None:
    """Search from rows ``r0:r1`` and write minutes to every settled node into ``out``."""
    no_tgt = np.zeros(1, dtype=np.bool_)
    for r in range(r0, r1):
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
            done,
            order,
            hnode,
            hkey,
            state,
            False,
            False,
        )
        for i in range(count):
            v = order[i]
            out[r, v] = dist[v] / 60.0


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
    done: np.ndarray,
    order: np.ndarray,
    hnode: np.ndarray,
    hkey: np.ndarray,
    state: np.ndarray,
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
        done,
        order,
        hnode,
        hkey,
        state,
        track_len,
        track_label,
    )
