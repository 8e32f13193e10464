"""Read each input table once: a per-process memo and a checksum-keyed Parquet cache.

:func:`cached_table` returns what :func:`geosuff.io.files.read_table` would, but

* within one process, a file read before (same path, size and modification time,
  same read options) is not parsed again (a command that loads an area and then its
  border surroundings reads the national population table once);
* across processes, the parsed table is kept as Parquet in the cache folder under a
  SHA-256 checksum of the file's bytes and the read options, so the next command
  reads a few MB of Parquet instead of parsing the CSV. Editing the file changes its
  checksum; a stale or unreadable cache entry is ignored and rewritten.

The cache folder is ``$GEOSUFF_TABLE_CACHE`` when set, else ``tables`` inside
``$GEOSUFF_CACHE``, else ``~/.cache/geosuff/tables``. ``GEOSUFF_TABLE_CACHE=off``
turns the Parquet cache off (the per-process memo stays).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from geosuff.io.files import read_table

__all__ = ["cached_table", "clear_memo", "table_cache_dir"]

log = logging.getLogger(__name__)

CACHE_VERSION = 1
_OFF = {"0", "off", "no", "false", "none"}
_MEMO: dict[tuple[Any, ...], pd.DataFrame] = {}
_MEMO_MAX = 8


def table_cache_dir() -> Path | None:
    """Return the folder of the Parquet table cache, or ``None`` when it is turned off.

    Returns
    -------
    pathlib.Path or None
        ``$GEOSUFF_TABLE_CACHE``, else ``$GEOSUFF_CACHE/tables``, else
        ``~/.cache/geosuff/tables``.
    """
    own = os.environ.get("GEOSUFF_TABLE_CACHE")
    if own is not None:
        return None if own.strip().lower() in _OFF else Path(own)
    base = os.environ.get("GEOSUFF_CACHE")
    return Path(base) / "tables" if base else Path.home() / ".cache" / "geosuff" / "tables"


def clear_memo() -> None:
    """Forget the tables memoised in this process."""
    _MEMO.clear()


def _checksum(path: Path, options: str) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(f"|{options}|{CACHE_VERSION}|pandas {pd.__version__}".encode())
    return h.hexdigest()[:24]


def _from_disk(entry: Path) -> pd.DataFrame | None:
    if not entry.is_file():
        return None
    try:
        return pd.read_parquet(entry)
    except Exception as exc:  # any unreadable entry is simply rebuilt
        log.debug("ignoring unreadable table cache %s (%s)", entry, exc)
        return None


def _to_disk(table: pd.DataFrame, entry: Path) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.", dir=entry.parent)
        os.close(fd)
        try:
            table.to_parquet(tmp, index=True)
            os.replace(tmp, entry)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    except Exception as exc:  # a read-only or full cache folder must not stop a command
        log.debug("could not write table cache %s (%s)", entry, exc)


def cached_table(path: str | os.PathLike[str], **kwargs: Any) -> pd.DataFrame:
    """Read a table like :func:`~geosuff.io.files.read_table`, at most once.

    Parameters
    ----------
    path
        The CSV, spreadsheet or Parquet file.
    **kwargs
        Read options, passed to :func:`~geosuff.io.files.read_table` (and part of
        the cache key). They must be JSON-serialisable (e.g. ``dtype=str``).

    Returns
    -------
    pandas.DataFrame
        The table; a shallow copy, so callers may add columns freely.

    Raises
    ------
    InputFileError
        If the file is missing or unreadable (from ``read_table``).
    """
    p = Path(path)
    if not p.is_file():
        return read_table(p, **kwargs)  # raises the usual one-line error
    options = json.dumps(kwargs, sort_keys=True, default=lambda v: getattr(v, "__name__", str(v)))
    st = p.stat()
    memo_key = (str(p.resolve()), st.st_size, st.st_mtime_ns, options)
    if memo_key in _MEMO:
        return _MEMO[memo_key].copy(deep=False)
    folder = table_cache_dir() if p.suffix.lower() != ".parquet" else None
    table = None
    entry = None
    if folder is not None:
        entry = folder / f"{p.name.split('.')[0]}-{_checksum(p, options)}.parquet"
        table = _from_disk(entry)
    if table is None:
        table = read_table(p, **kwargs)
        if entry is not None:
            _to_disk(table, entry)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[memo_key] = table
    return table.copy(deep=False)
