"""Scenarios: add or remove providers, and compare access and gaps with the base.

A changes CSV has one row per change::

    action,layer,provider_id,name,kind,beds,units,dementia,easting,northing,postcode
    add,care_homes,new-oakham,New Oakham home,care_home_nursing,60,,yes,486200,308900,
    add,home_care,,New agency,,,,,,,LE15 6AB
    remove,care_homes,1-123456789,,,,,,,,

``action`` is ``add`` or ``remove``; ``layer`` is ``care_homes``, ``home_care`` or
``extra_care``. A removal names the ``provider_id`` (as in the CQC file). An addition
needs a ``name`` and a place: ``easting``/``northing`` (EPSG:27700),
``latitude``/``longitude``, or a ``postcode`` (looked up in the area's postcode file,
Code-Point Open or ONSPD); care homes also need ``kind`` (``care_home_nursing`` or
``care_home_residential``) and ``beds``; extra care schemes may give ``units``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import GeosuffError, InputFileError
from geosuff.batch.analyses import access_table, compute_access, compute_gaps
from geosuff.batch.context import AreaContext

__all__ = ["DIFF_MEASURES", "apply_changes", "diff_tables", "load_changes", "run_scenario"]

log = logging.getLogger(__name__)

_KINDS = {
    "care_homes": ("care_home_nursing", "care_home_residential"),
    "home_care": ("domiciliary",),
    "extra_care": ("extra_care",),
}
_TRUE = {"y", "yes", "true", "1"}

#: Access measures compared between base and scenario.
DIFF_MEASURES = (
    "minutes_to_care_home",
    "minutes_to_nursing",
    "minutes_to_home_care",
    "minutes_to_extra_care",
    "beds_within_30min",
    "e2sfca_beds_per_1000_75plus",
    "e2sfca_nursing_beds_per_1000_75plus",
    "e2sfca_home_care_agencies_per_1000_75plus",
    "e2sfca_extra_care_units_per_1000_75plus",
)


def _num(value: object) -> float:
    try:
        return float(str(value)) if str(value).strip() else float("nan")
    except ValueError:
        return float("nan")


def load_changes(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check a changes CSV; every bad row is reported with its line.

    Parameters
    ----------
    path
        The CSV.

    Returns
    -------
    pandas.DataFrame
        ``action``, ``layer``, ``provider_id``, ``name``, ``kind``, ``beds``, ``units``,
        ``dementia``, ``easting``, ``northing`` (EPSG:27700; NaN when only a postcode
        is given), ``postcode``, ``line``.

    Raises
    ------
    InputFileError
        If the file is missing or any row is not usable.
    """
    from geosuff.io.files import read_table

    p = Path(path)
    raw = read_table(p, dtype=str, keep_default_na=False)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in ("action", "layer") if c not in raw.columns]
    if missing:
        raise InputFileError(p, f"missing column(s) {missing}")
    cols = ["provider_id", "name", "kind", "beds", "units", "dementia"]
    cols += ["easting", "northing", "latitude", "longitude", "postcode"]
    table = raw.reindex(columns=["action", "layer", *cols], fill_value="")
    table = table.apply(lambda s: s.str.strip())
    table["line"] = np.arange(2, len(table) + 2)
    east, north = table["easting"].map(_num), table["northing"].map(_num)
    lat, lon = table["latitude"].map(_num), table["longitude"].map(_num)
    use_ll = east.isna() & lat.notna() & lon.notna()
    if use_ll.any():
        from pyproj import Transformer

        tr = Transformer.from_crs("EPSG:4326", settings.crs_metric, always_xy=True)
        x, y = tr.transform(lon[use_ll].to_numpy(), lat[use_ll].to_numpy())
        east[use_ll], north[use_ll] = x, y
    problems = []
    for i, row in table.iterrows():
        where = f"line {row['line']}"
        action, layer = row["action"].lower(), row["layer"]
        if action not in ("add", "remove"):
            problems.append(f"{where}: action {row['action']!r} is not 'add' or 'remove'")
            continue
        if layer not in _KINDS:
            problems.append(f"{where}: layer {layer!r} is not one of {sorted(_KINDS)}")
            continue
        if action == "remove":
            if not row["provider_id"]:
                problems.append(f"{where}: a removal needs a provider_id")
            continue
        if not row["name"]:
            problems.append(f"{where}: an addition needs a name")
        if (np.isnan(east[i]) or np.isnan(north[i])) and not row["postcode"]:
            problems.append(
                f"{where}: an addition needs easting/northing, latitude/longitude or a postcode"
            )
        kind = row["kind"] or (_KINDS[layer][0] if layer != "care_homes" else "")
        if kind not in _KINDS[layer]:
            problems.append(f"{where}: kind {row['kind']!r} for {layer}; use {_KINDS[layer]}")
        if layer == "care_homes" and np.isnan(_num(row["beds"])):
            problems.append(f"{where}: a new care home needs its number of beds")
    if problems:
        raise InputFileError(p, "; ".join(problems))
    table["action"] = table["action"].str.lower()
    table["easting"], table["northing"] = east, north
    return table.drop(columns=["latitude", "longitude"])


def place_by_postcode(
    changes: pd.DataFrame, postcodes: str | os.PathLike[str] | None, source: Path
) -> pd.DataFrame:
    """Fill the easting/northing of additions given only by postcode.

    Parameters
    ----------
    changes
        Output of :func:`load_changes`.
    postcodes
        Code-Point Open zip or ONSPD-style CSV.
    source
        The changes file, named in errors.

    Returns
    -------
    pandas.DataFrame
        *changes* with every addition placed.

    Raises
    ------
    InputFileError
        If a postcode is not in the postcode file (or there is no postcode file).
    """
    from geosuff.io.postcodes import load_postcodes, normalise_postcodes

    need = (changes["action"] == "add") & changes["easting"].isna()
    if not need.any():
        return changes
    if postcodes is None:
        lines = ", ".join(str(n) for n in changes.loc[need, "line"])
        raise InputFileError(source, f"line(s) {lines}: postcodes need a postcode file")
    wanted = normalise_postcodes(changes.loc[need, "postcode"])
    table = load_postcodes(postcodes, only=wanted.dropna().tolist())
    found = wanted.map(lambda pc: pc if isinstance(pc, str) and pc in table.index else None)
    missing = changes.loc[need][found.isna().to_numpy()]
    if len(missing):
        bad = ", ".join(f"line {r.line}: {r.postcode!r}" for r in missing.itertuples())
        raise InputFileError(source, f"postcode(s) not found in {Path(postcodes).name}: {bad}")
    out = changes.copy()
    out.loc[need, "easting"] = table.loc[found.to_numpy(), "easting"].to_numpy(float)
    out.loc[need, "northing"] = table.loc[found.to_numpy(), "northing"].to_numpy(float)
    return out


def _additions(rows: pd.DataFrame, layer: str, source: Path) -> gpd.GeoDataFrame:
    ids = [
        pid or f"{source.stem}:{line}"
        for pid, line in zip(rows["provider_id"], rows["line"], strict=True)
    ]
    kind = [k or _KINDS[layer][0] for k in rows["kind"]]
    return gpd.GeoDataFrame(
        {
            "provider_id": ids,
            "name": rows["name"].to_numpy(),
            "kind": kind,
            "beds": rows["beds"].map(_num).to_numpy(float),
            "units": rows["units"].map(_num).to_numpy(float),
            "older_people": True,
            "dementia": rows["dementia"].str.lower().isin(_TRUE).to_numpy(),
            "source": f"scenario ({source.name})",
        },
        geometry=gpd.points_from_xy(rows["easting"], rows["northing"]),
        crs=settings.crs_metric,
    )


def apply_changes(layers: Any, surroundings: Any, changes: pd.DataFrame, source: Path) -> tuple:
    """Apply provider changes to an area's layers and surroundings (inputs are not changed).

    Parameters
    ----------
    layers
        :class:`geosuff.AreaLayers`.
    surroundings
        :class:`geosuff.Surroundings` around the area.
    changes
        Output of :func:`load_changes`.
    source
        The changes file (recorded as the new providers' ``source``).

    Returns
    -------
    tuple
        ``(layers, surroundings, applied)``: the changed copies and the number of
        changes that touched this area or its surroundings.
    """
    from geosuff.analysis.joins import assign_to_lsoas

    new_layers = {name: getattr(layers, name) for name in _KINDS}
    new_around = dict(surroundings.providers)
    applied = 0
    for layer in _KINDS:
        mine = changes[changes["layer"] == layer]
        if mine.empty:
            continue
        gone = set(mine.loc[mine["action"] == "remove", "provider_id"])
        if gone:
            ids_here = set(new_around[layer]["provider_id"].astype(str))
            applied += len(gone & ids_here)
            for missing in sorted(gone - ids_here):
                log.info("scenario: provider %s is not in or around %s", missing, layers.area.name)
            keep_a = ~new_layers[layer]["provider_id"].astype(str).isin(gone)
            keep_s = ~new_around[layer]["provider_id"].astype(str).isin(gone)
            new_layers[layer] = new_layers[layer][keep_a].reset_index(drop=True)
            new_around[layer] = new_around[layer][keep_s].reset_index(drop=True)
        adds = mine[mine["action"] == "add"]
        if not adds.empty:
            placed = assign_to_lsoas(_additions(adds, layer, source), layers.population)
            placed["in_area"] = placed["lsoa_code"].notna()
            applied += len(placed)
            inside = placed[placed["in_area"]].drop(columns="in_area")
            new_layers[layer] = _concat(new_layers[layer], inside)
            new_around[layer] = _concat(new_around[layer], placed)
    changed_layers = layers._replace(**new_layers)
    changed_around = surroundings._replace(providers=new_around)
    return changed_layers, changed_around, applied


def _concat(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if b.empty:
        return a
    if a.empty:
        return gpd.GeoDataFrame(b.reset_index(drop=True), crs=settings.crs_metric)
    both = pd.concat([a, b.reindex(columns=a.columns)], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=settings.crs_metric)


def diff_tables(
    base_access: gpd.GeoDataFrame,
    base_gaps: gpd.GeoDataFrame,
    new_access: gpd.GeoDataFrame,
    new_gaps: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Compare access and gap flags per LSOA between base and scenario.

    Parameters
    ----------
    base_access, base_gaps
        Base outputs of :func:`geosuff.access` and :func:`geosuff.find_gaps`.
    new_access, new_gaps
        The same under the scenario.

    Returns
    -------
    geopandas.GeoDataFrame
        Per LSOA: ``lsoa_code``, ``lsoa_name``, ``pop_75plus``; ``base_<m>``,
        ``scenario_<m>`` and ``change_<m>`` for each of :data:`DIFF_MEASURES`;
        ``base_flagged``, ``scenario_flagged``, ``gap_change`` (``closed``, ``opened``
        or empty) and ``scenario_reasons``.
    """
    out = base_access[["lsoa_code", "lsoa_name", "pop_75plus", "geometry"]].copy()
    new = new_access.set_index("lsoa_code").loc[out["lsoa_code"]]
    for m in DIFF_MEASURES:
        if m not in base_access.columns:
            continue
        before = base_access[m].to_numpy(float)
        after = new[m].to_numpy(float)
        out[f"base_{m}"], out[f"scenario_{m}"] = before, after
        out[f"change_{m}"] = after - before
    flags_new = new_gaps.set_index("lsoa_code").loc[out["lsoa_code"]]
    before_f = base_gaps.set_index("lsoa_code").loc[out["lsoa_code"], "flagged"].to_numpy(bool)
    after_f = flags_new["flagged"].to_numpy(bool)
    out["base_flagged"], out["scenario_flagged"] = before_f, after_f
    out["gap_change"] = np.select(
        [before_f & ~after_f, ~before_f & after_f], ["closed", "opened"], ""
    )
    out["scenario_reasons"] = flags_new["reasons"].to_numpy()
    out["travel_method"] = new_access["travel_method"].iloc[0] if len(new_access) else None
    return gpd.GeoDataFrame(out, geometry="geometry", crs=settings.crs_metric)


def run_scenario(
    ctx: AreaContext, params: Mapping[str, Mapping[str, Any]], changes_path: Path
) -> gpd.GeoDataFrame:
    """Access and gaps with a scenario's changes, compared with the base.

    Parameters
    ----------
    ctx
        The area (:class:`geosuff.batch.context.AreaContext`).
    params
        ``{"access", "runs", "gaps"}`` parameters.
    changes_path
        The changes CSV.

    Returns
    -------
    geopandas.GeoDataFrame
        See :func:`diff_tables`; ``attrs["changes_applied"]`` counts the changes that
        touched the area or its surroundings.

    Raises
    ------
    GeosuffError
        If no change touches the area or its surroundings.
    """
    from geosuff.io.layout import find_data_file

    postcodes = ctx.job.files.get("postcodes") or find_data_file(ctx.job.data_dir, "postcodes")
    changes = place_by_postcode(load_changes(changes_path), postcodes, changes_path)
    acc_params = params["access"]
    base_acc = access_table(ctx, acc_params)
    base_gaps = ctx.memo(
        "gaps-base:" + json.dumps(params, sort_keys=True, default=str),
        lambda: compute_gaps(ctx, params, base_acc, ctx.layers),
    )
    around = ctx.surroundings(float(acc_params["buffer_km"]))
    layers, around2, applied = apply_changes(ctx.layers, around, changes, changes_path)
    if applied == 0:
        msg = f"{changes_path.name}: no change is in or within reach of {ctx.layers.area.name}"
        raise GeosuffError(msg)
    new_acc = compute_access(ctx, acc_params, layers, around2)
    new_gaps = compute_gaps(ctx, params, new_acc, layers)
    out = diff_tables(base_acc, base_gaps, new_acc, new_gaps)
    out.attrs["changes_applied"] = applied
    return out
