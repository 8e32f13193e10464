"""Care workers' rounds: each client's call falls in a time slot; rounds go slot by slot.

A day's clients of one zone (or local patch) are shared out into rounds the way a
rota coordinator builds them. Visit times are set by people's needs (getting up,
meals, medication, bed), not by geography, so every client's call falls in one of
the round's ``visits_per_round`` time slots, at random. A round makes at most one
visit per slot, in time order:

1. the next round starts at the unassigned client, among those due in the earliest
   slot that still has any, farthest from the centre of all unassigned clients
   (outlying clients are planned first, so they are not left over at the end);
2. for each later slot it drives to the nearest unassigned client due then (drive
   time from where it is; a slot with nobody left is skipped).

Each leg is attributed to the visit it leads to. The first visit of a round has no
leg: the drive from a worker's home to the first call is commuting, not travel
between visits. Unreachable pairs (NaN) are taken last and reported.

The time slots are why a round cannot simply take the nearest clients: the next
visit is chosen among the clients due next, about one in ``visits_per_round`` of
them, so legs are longer than between nearest neighbours, as on real rotas. Halving
the density of clients lengthens every leg by about sqrt(2).

The kernels are compiled with numba.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["round_legs", "simulate_days"]

#: Cost used for unreachable pairs while choosing (minutes).
_UNREACHABLE = 1e9


@numba.njit(cache=True)
def _cost(t: np.ndarray, a: int, b: int) -> float:
    v = t[a, b]
    return _UNREACHABLE if np.isnan(v) else v


@numba.njit(cache=True)
def round_legs(
    t: np.ndarray,
    km: np.ndarray,
    xy: np.ndarray,
    idx: np.ndarray,
    slot: np.ndarray,
    n_slots: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share one day's clients into rounds and return the leg leading to each visit.

    Parameters
    ----------
    t, km
        ``(m, m)`` drive minutes and km between homes (NaN: unreachable).
    xy
        ``(m, 2)`` the homes (for the centre of the unassigned clients).
    idx
        ``(n,)`` the homes of the day's clients (positions in *t*).
    slot
        ``(n,)`` time slot of each client's call, ``0 .. n_slots - 1``.
    n_slots
        Time slots per round (visits per round at most).

    Returns
    -------
    leg_minutes, leg_km : numpy.ndarray
        ``(n,)`` the leg leading to each visit; NaN for a round's first visit and for
        unreachable legs.
    unreachable : numpy.ndarray
        ``(n,)`` True where the leg leading to the visit could not be driven.
    """
    n = len(idx)
    leg_t = np.full(n, np.nan)
    leg_k = np.full(n, np.nan)
    unreachable = np.zeros(n, dtype=np.bool_)
    free = np.ones(n, dtype=np.bool_)
    # clients listed slot by slot, so each search looks only at the clients due then
    by_slot = np.argsort(slot, kind="mergesort")
    begin = np.zeros(n_slots + 1, dtype=np.int64)
    for j in range(n):
        begin[slot[j] + 1] += 1
    for s in range(n_slots):
        begin[s + 1] += begin[s]
    per_slot = begin[1:] - begin[:-1]
    sx, sy = 0.0, 0.0
    for j in range(n):
        sx += xy[idx[j], 0]
        sy += xy[idx[j], 1]
    left = n
    while left > 0:
        first = 0
        while per_slot[first] == 0:
            first += 1
        cx, cy = sx / left, sy / left
        here, far = -1, -1.0
        for q in range(begin[first], begin[first + 1]):
            j = by_slot[q]
            if free[j]:
                d = (xy[idx[j], 0] - cx) ** 2 + (xy[idx[j], 1] - cy) ** 2
                if d > far:
                    here, far = j, d
        free[here] = False
        per_slot[first] -= 1
        left -= 1
        sx -= xy[idx[here], 0]
        sy -= xy[idx[here], 1]
        for s in range(first + 1, n_slots):
            if per_slot[s] == 0:
                continue
            best, best_c = -1, np.inf
            for q in range(begin[s], begin[s + 1]):
                j = by_slot[q]
                if free[j]:
                    c = _cost(t, idx[here], idx[j])
                    if c < best_c:
                        best, best_c = j, c
            free[best] = False
            per_slot[s] -= 1
            left -= 1
            sx -= xy[idx[best], 0]
            sy -= xy[idx[best], 1]
            a, b = idx[here], idx[best]
            if np.isnan(t[a, b]):
                unreachable[best] = True
            else:
                leg_t[best] = t[a, b]
                leg_k[best] = km[a, b]
            here = best
    return leg_t, leg_k, unreachable


@numba.njit(cache=True)
def simulate_days(
    t: np.ndarray,
    km: np.ndarray,
    xy: np.ndarray,
    chosen: np.ndarray,
    n_chosen: np.ndarray,
    slots: np.ndarray,
    n_slots: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run :func:`round_legs` for many simulated days drawn from one pool of homes.

    Parameters
    ----------
    t, km, xy
        Drive minutes, km and coordinates of the pool of homes.
    chosen
        ``(days, n_max)`` pool positions of each day's clients (first ``n_chosen``).
    n_chosen
        Clients on each day.
    slots
        ``(days, n_max)`` time slot of each chosen client's call.
    n_slots
        Time slots per round.

    Returns
    -------
    leg_minutes, leg_km, unreachable : numpy.ndarray
        ``(days, n_max)``, aligned with *chosen*.
    """
    days, n_max = chosen.shape
    out_t = np.full((days, n_max), np.nan)
    out_k = np.full((days, n_max), np.nan)
    out_u = np.zeros((days, n_max), dtype=np.bool_)
    for d in range(days):
        n = n_chosen[d]
        if n == 0:
            continue
        lt, lk, lu = round_legs(t, km, xy, chosen[d, :n], slots[d, :n], n_slots)
        out_t[d, :n] = lt
        out_k[d, :n] = lk
        out_u[d, :n] = lu
    return out_t, out_k, out_u
