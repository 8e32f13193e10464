"""Provenance carried by output files: which sources, vintages and rules made a table.

:func:`provenance_record` builds a JSON-ready record from an area's layers; the
writers put it where each format keeps metadata:

* GeoPackage: GDAL layer and dataset metadata (stored in ``gpkg_metadata``, shown
  by QGIS under the layer's metadata), key :data:`PROVENANCE_KEY`;
* GeoParquet / Parquet: file-level key/value metadata, key :data:`PROVENANCE_KEY`;
* CSV, JSON and GeoJSON: a ``<name>.sources.json`` file beside the output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosuff import settings

if TYPE_CHECKING:
    from geosuff.io.area_layers import AreaLayers

__all__ = [
    "PROVENANCE_KEY",
    "provenance_record",
    "read_provenance",
    "sidecar_path",
    "write_parquet_metadata",
]

#: Metadata key (GPKG, Parquet) holding the provenance record as JSON.
PROVENANCE_KEY = "geosuff_provenance"


def provenance_record(layers: AreaLayers, **extra: object) -> dict[str, Any]:
    """Describe what an output was made from: area, rules, coverage and sources.

    Parameters
    ----------
    layers
        The area's layers.
    **extra
        More fields (e.g. ``unit="ward"``, ``command="supply"``).

    Returns
    -------
    dict
        ``geosuff_version``, ``area``, ``scope``, ``bed_split``, ``year``,
        ``population_basis``, ``benchmarks``, ``coverage`` (layer -> status and
        reason), ``sources`` (one record per layer: path, title, vintage, licence),
        then *extra*.
    """
    from geosuff import __version__
    from geosuff.io.scope import describe_scope

    record: dict[str, Any] = {
        "geosuff_version": __version__,
        "area": {"code": layers.area.code, "name": layers.area.name},
        "scope": layers.scope,
        "scope_rule": describe_scope(layers.scope),
        "bed_split": layers.bed_split,
        "year": layers.year,
        "population_basis": layers.population_basis,
        "benchmarks_per_1000_75plus": dict(settings.benchmarks_per_1000_75plus),
        "benchmark_source": settings.benchmark_source,
        "coverage": {k: v.as_dict() for k, v in layers.coverage.items()},
        "sources": [v.as_dict() for v in layers.provenance.values()],
    }
    record.update({k: v for k, v in extra.items() if v is not None})
    return record


def to_json(record: Mapping[str, Any]) -> str:
    """Serialise a provenance record (UTF-8 text, stable key order).

    Parameters
    ----------
    record
        The record.

    Returns
    -------
    str
        JSON text.
    """
    return json.dumps(record, indent=2, ensure_ascii=False, default=str)


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Return the ``<name>.sources.json`` path beside an output file.

    Parameters
    ----------
    path
        The output (``wards.csv``).

    Returns
    -------
    pathlib.Path
        ``wards.sources.json`` in the same folder.
    """
    p = Path(path)
    return p.with_name(f"{p.stem}.sources.json")


def write_parquet_metadata(path: Path, record: Mapping[str, Any]) -> None:
    """Add the record to a Parquet file's key/value metadata (other keys kept).

    Parameters
    ----------
    path
        A Parquet file just written (rewritten in place).
    record
        The provenance record.
    """
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = dict(table.schema.metadata or {})
    meta[PROVENANCE_KEY.encode()] = to_json(record).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), path)


def read_provenance(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Read the provenance record of an output written by geosuff.

    Parameters
    ----------
    path
        A ``.gpkg``, ``.parquet``, ``.csv``, ``.json`` or ``.geojson`` output.

    Returns
    -------
    dict or None
        The record, or ``None`` when the file carries none.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    text: str | bytes | None = None
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        text = (pq.read_schema(p).metadata or {}).get(PROVENANCE_KEY.encode())
    elif suffix == ".gpkg":
        import pyogrio

        text = (pyogrio.read_info(p).get("layer_metadata") or {}).get(PROVENANCE_KEY)
    elif sidecar_path(p).is_file():
        text = sidecar_path(p).read_text(encoding="utf-8")
    return None if text is None else json.loads(text)
