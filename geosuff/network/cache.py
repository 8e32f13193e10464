"""On-disk cache of built networks, keyed by source file and speed profile.

A cached network is a folder ``<cache_dir>/<file stem>-<key>/`` holding the routing
arrays (``arrays.npz``), metadata (``meta.json``) and the osmnx graph as GraphML
(``graph.graphml``, readable with :func:`osmnx.load_graphml`). The key hashes the
source file's resolved path, size and modification time, the profile's content hash
and the cache format version, so editing the file or the profile rebuilds. Loading
reads only the arrays; the GraphML graph is read on first use of ``network.graph``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from geosuff._errors import NetworkError
from geosuff.network.engine import RoadNetwork
from geosuff.network.speeds import SpeedProfile

__all__ = [
    "cache_key",
    "default_cache_dir",
    "load_cached",
    "load_network",
    "save_cached",
    "save_network",
]

log = logging.getLogger(__name__)

CACHE_VERSION = 1
_ARRAYS = (
    "node_ids",
    "x",
    "y",
    "indptr",
    "indices",
    "time_s",
    "length_m",
    "seg_a",
    "seg_b",
    "seg_t_ab",
    "seg_t_ba",
    "seg_len_m",
)


def cache_key(source: Path, profile: SpeedProfile) -> str:
    """Return the cache key of *source* built with *profile*.

    Parameters
    ----------
    source
        The OSM file.
    profile
        The speed profile.

    Returns
    -------
    str
        16 hex characters.
    """
    st = source.stat()
    raw = f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}|{profile.digest}|{CACHE_VERSION}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def save_network(net: RoadNetwork, folder: str | os.PathLike[str]) -> Path:
    """Write a network to *folder* (created; replaced atomically if it exists).

    Parameters
    ----------
    net
        The network.
    folder
        Destination folder.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    final = Path(folder)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        wkb = [b if b is not None else b"" for b in net.seg_wkb.tolist()]
        offsets = np.zeros(len(wkb) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in wkb], out=offsets[1:])
        arrays = {name: getattr(net, name) for name in _ARRAYS}
        if arrays["node_ids"].dtype == object:
            arrays["node_ids"] = arrays["node_ids"].astype(str)
        np.savez(
            tmp / "arrays.npz",
            **arrays,
            seg_wkb_bytes=np.frombuffer(b"".join(wkb), dtype=np.uint8),
            seg_wkb_offsets=offsets,
        )
        meta = {**net.meta, "offnetwork_speed_kph": net.offnetwork_speed_kph}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
        if net._graph is not None or net._graph_loader is not None:
            import osmnx as ox

            ox.save_graphml(net.graph, tmp / "graph.graphml")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return final


def load_network(folder: str | os.PathLike[str]) -> RoadNetwork:
    """Load a network written by :func:`save_network`.

    Parameters
    ----------
    folder
        The folder.

    Returns
    -------
    RoadNetwork
        The network; its graph loads from GraphML on first use.

    Raises
    ------
    NetworkError
        If the folder is not a saved geosuff network.
    """
    f = Path(folder)
    if not (f / "arrays.npz").is_file() or not (f / "meta.json").is_file():
        msg = f"{f}: not a saved geosuff network (expected arrays.npz and meta.json)"
        raise NetworkError(msg)
    with np.load(f / "arrays.npz", allow_pickle=False) as z:
        arrays = {name: z[name] for name in _ARRAYS}
        raw = z["seg_wkb_bytes"].tobytes()
        off = z["seg_wkb_offsets"]
    wkb = np.empty(len(off) - 1, dtype=object)
    wkb[:] = [raw[a:b] or None for a, b in itertools.pairwise(off)]
    meta = json.loads((f / "meta.json").read_text(encoding="utf-8"))
    speed = float(meta.pop("offnetwork_speed_kph", 15.0))
    graphml = f / "graph.graphml"
    loader = (lambda: _load_graphml(graphml)) if graphml.is_file() else None
    return RoadNetwork(
        **arrays,
        seg_wkb=wkb,
        meta=meta,
        offnetwork_speed_kph=speed,
        _graph_loader=loader,
    )


def _load_graphml(path: Path) -> object:
    import osmnx as ox

    return ox.load_graphml(path)


def _folder(source: Path, profile: SpeedProfile, cache_dir: str | os.PathLike[str]) -> Path:
    stem = source.name.split(".")[0]
    return Path(cache_dir) / f"{stem}-{cache_key(source, profile)}"


def load_cached(
    source: Path, profile: SpeedProfile, cache_dir: str | os.PathLike[str]
) -> RoadNetwork | None:
    """Return the cached network for *source* and *profile*, or ``None``.

    Parameters
    ----------
    source
        The OSM file.
    profile
        The speed profile.
    cache_dir
        The cache folder.

    Returns
    -------
    RoadNetwork or None
        The network (``meta["cache"] == "hit"``, ``meta["load_s"]`` set) or ``None``.
    """
    if not source.is_file():
        return None
    folder = _folder(source, profile, cache_dir)
    if not folder.is_dir():
        return None
    t0 = time.perf_counter()
    try:
        net = load_network(folder)
    except (NetworkError, OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable network cache %s (%s)", folder, exc)
        return None
    net.meta["cache"] = "hit"
    net.meta["load_s"] = round(time.perf_counter() - t0, 3)
    log.info(
        "network %s loaded from cache in %.2f s (built in %.1f s)",
        source.name,
        net.meta["load_s"],
        float(net.meta.get("build_s", float("nan"))),
    )
    return net


def save_cached(
    net: RoadNetwork, source: Path, profile: SpeedProfile, cache_dir: str | os.PathLike[str]
) -> Path:
    """Store *net* in the cache for *source* and *profile*.

    Parameters
    ----------
    net
        The network.
    source
        The OSM file it was built from.
    profile
        The speed profile it was built with.
    cache_dir
        The cache folder.

    Returns
    -------
    pathlib.Path
        The cache entry's folder.
    """
    net.meta["cache"] = "miss"
    return save_network(net, _folder(source, profile, cache_dir))


def default_cache_dir() -> Path:
    """Return the folder where built networks are cached by default.

    Returns
    -------
    pathlib.Path
        ``$GEOSUFF_CACHE`` when set, else ``~/.cache/geosuff/networks``.
    """
    env = os.environ.get("GEOSUFF_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "geosuff" / "networks"
