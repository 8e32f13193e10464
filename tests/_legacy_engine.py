"""geosuff's travel engine as it was before the compiled kernels (SciPy Dijkstra).

Kept verbatim (single process) as the reference the new engine must agree with, and
as the "before" column of benchmarks/bench_network.py. Snapping is shared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geosuff.network import RoadNetwork, as_network
from geosuff.network.snap import NODE_TOLERANCE_M, Snapped, snap_points

_CHUNK_BYTES = 48 * 2**20


def _keys(net, *, reverse=False):
    key = "legacy_keys_rev" if reverse else "legacy_keys"
    if key not in net._lazy:
        ip, ix, _, _ = net._arrays(reverse=reverse)
        rows = np.repeat(np.arange(net.n_nodes, dtype=np.int64), np.diff(ip))
        net._lazy[key] = (rows << 32) | ix.astype(np.int64)
    return net._lazy[key]


def chunk_size(n_nodes, *, with_km):
    per = n_nodes * (8 + (4 if with_km else 0))
    return int(max(1, min(256, _CHUNK_BYTES // max(per, 1))))


def _augmented(
    net: RoadNetwork,
    cols: np.ndarray,
    w_t: np.ndarray,
    w_l: np.ndarray,
    *,
    reverse: bool = False,
) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Append one virtual row per source; *cols*, *w_t*, *w_l* are ``(k, 2)`` (NaN = none)."""
    ip, ix, t, ln = net._arrays(reverse=reverse)
    n = net.n_nodes
    k = cols.shape[0]
    swap = cols[:, 0] > cols[:, 1]
    c = np.where(swap[:, None], cols[:, ::-1], cols)
    wt = np.where(swap[:, None], w_t[:, ::-1], w_t)
    wl = np.where(swap[:, None], w_l[:, ::-1], w_l)
    ok = np.isfinite(wt)
    cnt = ok.sum(axis=1)
    new_ip = np.concatenate([ip, ip[-1] + np.cumsum(cnt)]).astype(np.int64)
    new_ix = np.concatenate([ix, c[ok].astype(np.int32)])
    new_t = np.concatenate([t, wt[ok]])  # explicit zeros are edges for csgraph
    new_l = np.concatenate([ln, wl[ok]])
    rows = np.repeat(np.arange(n, n + k, dtype=np.int64), cnt)
    keys = np.concatenate([_keys(net, reverse=reverse), (rows << 32) | c[ok].astype(np.int64)])
    g = csr_matrix((new_t, new_ix, new_ip), shape=(n + k, n + k))
    return g, keys, new_l


def _path_lengths(
    pred: np.ndarray, targets: np.ndarray, keys: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Length (m) of the search-tree path to each target node, for each search row.

    Walks the predecessor arrays back from the targets only (all rows and targets
    at once), looking edge lengths up by ``row << 32 | col`` keys, so memory stays
    proportional to ``rows x targets`` rather than ``rows x nodes``.
    """
    c = pred.shape[0]
    cur = np.tile(targets.astype(np.int64), c)
    row = np.repeat(np.arange(c), len(targets))
    acc = np.zeros(cur.size)
    live = np.arange(cur.size)
    while live.size:
        p = pred[row[live], cur[live]].astype(np.int64)
        ok = p >= 0
        live, p = live[ok], p[ok]
        if not live.size:
            break
        acc[live] += lengths[np.searchsorted(keys, (p << 32) | cur[live])]
        cur[live] = p
    return acc.reshape(c, len(targets))


def _finish(
    dist: np.ndarray,
    so: Snapped,
    sd: Snapped,
    rows: np.ndarray,
    lens: tuple[np.ndarray, np.ndarray] | None,
    seg_t: tuple[np.ndarray, np.ndarray, np.ndarray],
    off_mps: float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Destination times (s) and lengths (m) from node times *dist* of origins *rows*."""
    in_t = np.where(np.isfinite(sd.in_t), sd.in_t, np.inf)
    ta = dist[:, sd.a] + in_t[:, 0]
    tb = dist[:, sd.b] + in_t[:, 1]
    via_b = tb < ta
    t_s = np.where(via_b, tb, ta)
    len_m = None
    if lens is not None:
        len_m = np.where(via_b, lens[1] + sd.in_l[:, 1], lens[0] + sd.in_l[:, 0])
        len_m = np.where(np.isfinite(t_s), len_m, np.nan)
    # origin and destination on the same road piece: the direct stretch may be shorter
    oi, dj = np.nonzero(so.seg[rows][:, None] == sd.seg[None, :])
    if len(oi):
        t_ab, t_ba, seg_len = seg_t
        s = sd.seg[dj]
        fo, fd = so.frac[rows[oi]], sd.frac[dj]
        offs_t = (so.dist_m[rows[oi]] + sd.dist_m[dj]) / off_mps
        fwd = np.where(fd >= fo, (fd - fo) * t_ab[s], np.inf)
        bwd = np.where(fd <= fo, (fo - fd) * t_ba[s], np.inf)
        direct = np.fmin(np.nan_to_num(fwd, nan=np.inf), np.nan_to_num(bwd, nan=np.inf))
        direct = direct + offs_t
        # a point and itself (same place, within the node tolerance) are 0 apart
        same = np.hypot(*(so.xy[rows[oi]] - sd.xy[dj]).T) < NODE_TOLERANCE_M
        direct = np.where(same, 0.0, direct)
        better = direct < t_s[oi, dj]
        t_s[oi[better], dj[better]] = direct[better]
        if len_m is not None:
            direct_m = np.abs(fd - fo) * seg_len[s] + so.dist_m[rows[oi]] + sd.dist_m[dj]
            len_m[oi[better], dj[better]] = np.where(same, 0.0, direct_m)[better]
    return t_s, len_m


def _chunk_job(
    bounds: tuple[int, int], state: dict[str, Any] | None = None
) -> tuple[int, np.ndarray, np.ndarray | None]:
    st = state
    rows = np.arange(bounds[0], bounds[1])
    n = st["n"]
    res = dijkstra(
        st["g"],
        directed=True,
        indices=n + rows,
        limit=st["limit"],
        return_predecessors=st["with_km"],
    )
    if st["with_km"]:
        dist, pred = res
        targets, inv = st["targets"]
        at = _path_lengths(pred, targets, st["keys"], st["lens"])
        lens = (at[:, inv[: len(st["sd"])]], at[:, inv[len(st["sd"]) :]])
    else:
        dist, lens = res, None
    t_s, len_m = _finish(dist, st["so"], st["sd"], rows, lens, st["seg_t"], st["off_mps"])
    return bounds[0], t_s, len_m


def time_matrix_array(net, origins, destinations, *, max_minutes=None, with_km=True):
    """Minutes and km matrices, exactly as the old single-process engine computed them."""
    net = as_network(net)
    so = snap_points(net, origins, what="origins", max_snap_m=None)
    sd = snap_points(net, destinations, what="destinations", max_snap_m=None)
    limit_s = np.inf if max_minutes is None else float(max_minutes) * 60.0
    g, keys, lens = _augmented(net, np.column_stack([so.a, so.b]), so.out_t, so.out_l)
    n_o, n_d = len(so), len(sd)
    minutes = np.full((n_o, n_d), np.nan)
    km = np.full((n_o, n_d), np.nan)
    size = chunk_size(net.n_nodes + n_o, with_km=with_km)
    targets = np.unique(np.concatenate([sd.a, sd.b]), return_inverse=True)
    state = dict(
        targets=targets, g=g, keys=keys, lens=lens, n=net.n_nodes, limit=limit_s,
        with_km=with_km, so=so, sd=sd, seg_t=(net.seg_t_ab, net.seg_t_ba, net.seg_len_m),
        off_mps=net.offnetwork_speed_kph / 3.6,
    )  # fmt: skip
    for i in range(0, n_o, size):
        start, t_s, len_m = _chunk_job((i, min(i + size, n_o)), state)
        t_s = np.where(np.isfinite(t_s) & (t_s <= limit_s), t_s, np.nan)
        stop = start + t_s.shape[0]
        minutes[start:stop] = t_s / 60.0
        if len_m is not None:
            km[start:stop] = np.where(np.isnan(t_s), np.nan, len_m / 1000.0)
    return minutes, km


def nearest(net, origins, facilities, *, max_minutes=None, direction="to_facility"):
    """Nearest facility (row), minutes and km per origin, as the old engine found them."""
    net = as_network(net)
    so = snap_points(net, origins, what="origins", max_snap_m=None)
    sf = snap_points(net, facilities, what="facilities", max_snap_m=None)
    reverse = direction == "to_facility"
    f_t, f_l = (sf.in_t, sf.in_l) if reverse else (sf.out_t, sf.out_l)
    g, keys, lens = _augmented(net, np.column_stack([sf.a, sf.b]), f_t, f_l, reverse=reverse)
    n = net.n_nodes
    limit_s = np.inf if max_minutes is None else float(max_minutes) * 60.0
    dist, pred, src = dijkstra(
        g, directed=True, indices=np.arange(n, n + len(sf)), limit=limit_s, min_only=True,
        return_predecessors=True,
    )  # fmt: skip
    targets, inv = np.unique(np.concatenate([so.a, so.b]), return_inverse=True)
    at = _path_lengths(pred[None, :], targets, keys, lens)[0]
    tree_len_a, tree_len_b = at[inv[: len(so)]], at[inv[len(so) :]]
    o_t, o_l = (so.out_t, so.out_l) if reverse else (so.in_t, so.in_l)
    o_t = np.where(np.isfinite(o_t), o_t, np.inf)
    ta, tb = o_t[:, 0] + dist[so.a], o_t[:, 1] + dist[so.b]
    via_b = tb < ta
    t_s = np.where(via_b, tb, ta)
    len_m = np.where(via_b, o_l[:, 1] + tree_len_b, o_l[:, 0] + tree_len_a)
    fac_row = np.where(via_b, src[so.b], src[so.a]) - n
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
    ok = np.isfinite(t_s) & (limit_s >= t_s)
    return pd.DataFrame(
        {
            "facility_row": np.where(ok, fac_row, -1),
            "minutes": np.where(ok, t_s / 60.0, np.nan),
            "km": np.where(ok, len_m / 1000.0, np.nan),
        }
    )


def node_times(net, sources, *, max_minutes=None, reverse=False, min_only=False):
    """SciPy Dijkstra from node positions (the old node_times)."""
    limit = np.inf if max_minutes is None else float(max_minutes) * 60.0
    d = dijkstra(
        net.csr(reverse=reverse), directed=True, indices=np.asarray(sources, dtype=np.int32),
        limit=limit, min_only=min_only,
    )  # fmt: skip
    d /= 60.0
    d[np.isinf(d)] = np.nan
    return d
