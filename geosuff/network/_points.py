"""Network travel between snapped points: matrices and nearest-of-many.

A matrix searches from whichever side has fewer points: from the origins over the
roads as they are, or from the destinations over reversed roads (each search then
gives the times *to* one destination). Either way times run origin → destination and
one-way streets are respected; the two agree to floating-point rounding.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from geosuff.network._search import (
    Progress,
    multi_source,
    point_matrix,
    seeds_of,
)
from geosuff.network.snap import NODE_TOLERANCE_M, Snapped

if TYPE_CHECKING:
    from geosuff.network.engine import RoadNetwork

__all__ = ["nearest_times", "network_matrix"]

log = logging.getLogger(__name__)


def _scaled(progress: Progress | None, total: int, rows: int) -> Progress | None:
    """Report *rows* finished searches as a share of *total* (the caller's unit)."""
    if progress is None or total == rows:
        return progress
    state = {"rows": 0, "told": 0}

    def tell(k: int) -> None:
        state["rows"] += k
        now = round(state["rows"] * total / max(rows, 1))
        if now > state["told"]:
            progress(now - state["told"])
            state["told"] = now

    return tell


def _pairs_on_same_piece(so: Snapped, sd: Snapped) -> tuple[np.ndarray, np.ndarray]:
    """Origin and destination indices of every pair snapped onto the same road piece."""
    order = np.argsort(sd.seg, kind="stable")
    seg_sorted = sd.seg[order]
    lo = np.searchsorted(seg_sorted, so.seg, "left")
    hi = np.searchsorted(seg_sorted, so.seg, "right")
    cnt = hi - lo
    oi = np.repeat(np.arange(len(so)), cnt)
    start = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    dj = order[np.arange(int(cnt.sum())) + start]
    return oi, dj


def _same_piece(
    t_s: np.ndarray, len_m: np.ndarray | None, so: Snapped, sd: Snapped, net: RoadNetwork
) -> None:
    """Use the direct stretch where origin and destination share a road piece (in place)."""
    oi, dj = _pairs_on_same_piece(so, sd)
    if not len(oi):
        return
    off_mps = net.offnetwork_speed_kph / 3.6
    s = sd.seg[dj]
    fo, fd = so.frac[oi], sd.frac[dj]
    offs_t = (so.dist_m[oi] + sd.dist_m[dj]) / off_mps
    fwd = np.where(fd >= fo, (fd - fo) * net.seg_t_ab[s], np.inf)
    bwd = np.where(fd <= fo, (fo - fd) * net.seg_t_ba[s], np.inf)
    direct = np.fmin(np.nan_to_num(fwd, nan=np.inf), np.nan_to_num(bwd, nan=np.inf))
    direct = direct + offs_t
    # a point and itself (same place, within the node tolerance) are 0 apart
    same = np.hypot(*(so.xy[oi] - sd.xy[dj]).T) < NODE_TOLERANCE_M
    direct = np.where(same, 0.0, direct)
    better = direct < t_s[oi, dj]
    t_s[oi[better], dj[better]] = direct[better]
    if len_m is not None:
        direct_m = np.abs(fd - fo) * net.seg_len_m[s] + so.dist_m[oi] + sd.dist_m[dj]
        len_m[oi[better], dj[better]] = np.where(same, 0.0, direct_m)[better]


def network_matrix(
    net: RoadNetwork,
    so: Snapped,
    sd: Snapped,
    *,
    limit_s: float,
    with_km: bool,
    threads: int,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Minutes and km from every snapped origin to every snapped destination.

    Parameters
    ----------
    net
        The network.
    so, sd
        Snapped origins and destinations.
    limit_s
        Search limit (seconds); pairs beyond it are NaN.
    with_km
        Also measure route lengths (else ``km`` is all NaN).
    threads
        Threads to search with.
    progress
        Called with the number of origins' worth of work finished (in the reversed
        direction, destinations are converted to the same unit).

    Returns
    -------
    tuple of numpy.ndarray
        ``(n_origins, n_destinations)`` minutes and km (NaN where not reached).
    """
    n_o, n_d = len(so), len(sd)
    reverse = n_d < n_o
    if reverse:  # search from each destination over reversed roads
        seeds = seeds_of(sd.a, sd.b, sd.in_t, sd.in_l)
        other = (so.a, so.b, so.out_t, so.out_l)
        report = _scaled(progress, n_o, n_d)
    else:
        seeds = seeds_of(so.a, so.b, so.out_t, so.out_l)
        other = (sd.a, sd.b, sd.in_t, sd.in_l)
        report = progress
    t_s, len_m = point_matrix(
        net._arrays(reverse=reverse),
        seeds,
        other,
        limit_s=limit_s,
        with_len=with_km,
        threads=threads,
        progress=report,
    )
    if reverse:
        t_s, len_m = np.ascontiguousarray(t_s.T), np.ascontiguousarray(len_m.T)
    _same_piece(t_s, len_m if with_km else None, so, sd, net)
    ok = np.isfinite(t_s) & (t_s <= limit_s)
    minutes = np.where(ok, t_s / 60.0, np.nan)
    km = np.where(ok, len_m / 1000.0, np.nan) if with_km else np.full(t_s.shape, np.nan)
    return minutes, km


def nearest_times(
    net: RoadNetwork, so: Snapped, sf: Snapped, *, reverse: bool, limit_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds, metres and facility row of the nearest facility for each origin.

    One search from all the facilities at once (over reversed roads when *reverse*,
    i.e. origins travel to the facilities), stopping once every origin's road is
    settled; then origins sharing a road piece with a facility may go there directly.

    Parameters
    ----------
    net
        The network.
    so, sf
        Snapped origins and facilities.
    reverse
        ``True`` when origins travel to the facility.
    limit_s
        Search limit (seconds).

    Returns
    -------
    tuple of numpy.ndarray
        Seconds (``inf`` if none reached), metres and facility row per origin.
    """
    f_t, f_l = (sf.in_t, sf.in_l) if reverse else (sf.out_t, sf.out_l)
    seeds = seeds_of(sf.a, sf.b, f_t, f_l)
    label = np.repeat(np.arange(len(sf), dtype=np.int32), 2)
    o_t, o_l = (so.out_t, so.out_l) if reverse else (so.in_t, so.in_l)
    o_t = np.where(np.isfinite(o_t), o_t, np.inf)
    wanted = np.concatenate([so.a[np.isfinite(o_t[:, 0])], so.b[np.isfinite(o_t[:, 1])]])
    ws, _ = multi_source(
        net._arrays(reverse=reverse),
        seeds,
        label,
        np.unique(wanted),
        limit_s=limit_s,
        with_len=True,
    )
    at_a, at_b = ws.settled(so.a), ws.settled(so.b)  # type: ignore[attr-defined]
    dist_a = np.where(at_a, ws.dist[so.a], np.inf)  # type: ignore[attr-defined]
    dist_b = np.where(at_b, ws.dist[so.b], np.inf)  # type: ignore[attr-defined]
    ta, tb = o_t[:, 0] + dist_a, o_t[:, 1] + dist_b
    via_b = tb < ta
    t_s = np.where(via_b, tb, ta)
    len_m = np.where(
        via_b,
        o_l[:, 1] + np.where(at_b, ws.lens[so.b], 0.0),  # type: ignore[attr-defined]
        o_l[:, 0] + np.where(at_a, ws.lens[so.a], 0.0),  # type: ignore[attr-defined]
    )
    lab_a = np.where(at_a, ws.label[so.a], 0)  # type: ignore[attr-defined]
    lab_b = np.where(at_b, ws.label[so.b], 0)  # type: ignore[attr-defined]
    fac_row = np.where(via_b, lab_b, lab_a)
    # an origin on the same road piece as a facility may reach it directly
    seg_fac: dict[int, list[int]] = {}
    for j, s in enumerate(sf.seg.tolist()):
        seg_fac.setdefault(s, []).append(j)
    off_mps = net.offnetwork_speed_kph / 3.6
    for i in np.flatnonzero(np.isin(so.seg, sf.seg)):
        s = int(so.seg[i])
        for j in seg_fac[s]:
            fo, ff = (so.frac[i], sf.frac[j]) if reverse else (sf.frac[j], so.frac[i])
            t_dir = net.seg_t_ab[s] if ff >= fo else net.seg_t_ba[s]
            if np.isnan(t_dir):
                continue
            direct = abs(ff - fo) * t_dir + (so.dist_m[i] + sf.dist_m[j]) / off_mps
            direct_m = abs(ff - fo) * net.seg_len_m[s] + so.dist_m[i] + sf.dist_m[j]
            if np.hypot(*(so.xy[i] - sf.xy[j])) < NODE_TOLERANCE_M:
                direct, direct_m = 0.0, 0.0
            if direct < t_s[i]:
                t_s[i] = direct
                len_m[i] = direct_m
                fac_row[i] = j
    return t_s, len_m, fac_row
