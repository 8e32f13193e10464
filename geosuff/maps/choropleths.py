"""The LSOA shading layers: people aged 75+, their density, access and drive times.

They share one copy of the LSOA polygons and are offered as base choices: one is
shown at a time, the others a click away, so a fill colour always means what the one
visible legend says.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff._palettes import (
    Classification,
    access_classes,
    density75_classes,
    minutes_classes,
    pop75_classes,
)
from geosuff.maps.layers import (
    DataBlock,
    LayerSpec,
    MapPage,
    RuntimeLayer,
    display_geometry,
    feature_collection,
    fmt_number,
    legend_entry,
    safe_json,
)
from geosuff.maps.options import MapOptions

__all__ = ["lsoa_layers", "lsoa_table", "travel_label"]

#: Access-table columns drawn as shading: key -> (column, layer name).
_ACCESS_COLUMNS = {
    "access": ("e2sfca_beds_per_1000_75plus", "Access: care home beds per 1,000 aged 75+"),
    "drive_home_care": ("minutes_to_home_care", "Drive time to nearest home care agency"),
    "drive_nursing": ("minutes_to_nursing", "Drive time to nearest nursing home bed"),
}


def lsoa_table(
    population: gpd.GeoDataFrame, access: pd.DataFrame | None
) -> tuple[gpd.GeoDataFrame, bool]:
    """Join per-LSOA access results to the population layer, adding 75+ density.

    Parameters
    ----------
    population
        The area's population layer.
    access
        Per-LSOA access results with ``lsoa_code``, or ``None``.

    Returns
    -------
    tuple
        The joined table (EPSG:27700) and whether access results were given.

    Raises
    ------
    ValidationError
        If the access table has no ``lsoa_code`` column.
    """
    pop = population.to_crs(settings.crs_metric).reset_index(drop=True)
    area_km2 = pop.geometry.area / 1e6
    pop["density75"] = np.where(area_km2 > 0, pop["pop_75plus"] / area_km2, np.nan)
    if access is None:
        return pop, False
    if "lsoa_code" not in access.columns:
        msg = f"the access table needs an lsoa_code column; it has {list(access.columns)[:10]}"
        raise ValidationError(msg)
    table = pd.DataFrame(access).drop(columns=["geometry"], errors="ignore")
    table = table.drop_duplicates("lsoa_code")
    keep = [c for c in table.columns if c not in pop.columns or c == "lsoa_code"]
    return pop.merge(table[keep], on="lsoa_code", how="left"), True


def travel_label(table: pd.DataFrame | None) -> str:
    """Say how travel times were found (road network or labelled estimate).

    Parameters
    ----------
    table
        A table with ``travel_method``, or ``None``.

    Returns
    -------
    str
        The method in words.
    """
    if table is None or "travel_method" not in table.columns:
        return "not available"
    methods = set(table["travel_method"].dropna().astype(str))
    if not methods:
        return "method not stated"
    if methods == {"network"}:
        return "road network"
    if "network" in methods:
        return "road network where available, else a labelled straight-line estimate"
    if methods == {"estimate_calibrated"} and "travel_calibration" in table.columns:
        cals = table["travel_calibration"].dropna().astype(str)
        names = "; ".join(sorted({c.split(":")[0] for c in cals}))  # where, not the counts
        return f"estimate from straight-line distance, calibrated on real roads ({names})"
    return "labelled fallback estimate (straight-line distance), not a road network"


def _classes(key: str, values: pd.Series, name: str, opts: MapOptions) -> Classification:
    if key == "pop75":
        return pop75_classes(values)
    if key == "density75":
        return density75_classes(values)
    if key == "access":
        return access_classes(opts.access_edges)
    return minutes_classes(f"{name}, minutes", opts.minutes_edges)


def _popup_base(pop: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    props: list[dict[str, Any]] = []
    for row in pop.itertuples(index=False):
        get = row._asdict().get
        base = [
            ["LSOA", str(get("lsoa_code"))],
            ["Local authority", str(get("la_name", "") or "")],
            ["People aged 75+", fmt_number(get("pop_75plus"))],
            ["75+ per km²", fmt_number(get("density75"), 1)],
            ["People aged 85+", fmt_number(get("pop_85plus"))],
            ["All ages", fmt_number(get("pop_total"))],
        ]
        props.append(
            {"t": f"{get('lsoa_name')} ({get('lsoa_code')})", "c": {}, "r": {"base": base}}
        )
    return props


def lsoa_layers(
    page: MapPage,
    pop: gpd.GeoDataFrame,
    opts: MapOptions,
    *,
    pop_source: str,
    access_source: str | None,
    travel: str,
) -> str | None:
    """Add the LSOA shading layers to *page* (one shared data block).

    Parameters
    ----------
    page
        The page being built.
    pop
        :func:`lsoa_table` output.
    opts
        Drawing options.
    pop_source
        The population source in words (popups).
    access_source
        The access results' source, or ``None`` when there are none.
    travel
        :func:`travel_label` of the access results.

    Returns
    -------
    str or None
        The key of the shading shown when the map opens, or ``None``.
    """
    geoms = display_geometry(
        pop.geometry, simplify_m=opts.simplify_m, decimals=opts.decimals, coverage=True
    )
    minute_note = f"travel times: {travel}"
    # key, column, layer name, decimals, source
    candidates: list[tuple[str, str, str, int, str]] = [
        ("pop75", "pop_75plus", "People aged 75+ (count)", 0, pop_source),
        ("density75", "density75", "People aged 75+ per km²", 1, pop_source),
    ]
    for key, (col, name) in _ACCESS_COLUMNS.items():
        if key not in opts.layers:
            continue
        if col not in pop.columns or pop[col].isna().all():
            if access_source is not None:
                page.unavailable.append(f"{name} (no {col} data)")
            continue
        source = f"geosuff access results ({access_source}); {minute_note}"
        candidates.append((key, col, name, 1 if key == "access" else 0, source))
    candidates = [c for c in candidates if c[0] in opts.layers]
    keys = [c[0] for c in candidates]
    shown = opts.shading or ("access" if "access" in keys else "pop75")
    shown_key = shown if shown in keys else (keys[0] if keys and shown != "none" else None)
    props = _popup_base(pop)
    block = DataBlock(None)
    specs: list[LayerSpec] = []
    short_travel = {
        "road network": "road network",
        "not available": "not available",
    }.get(travel, "road network + estimate" if travel.startswith("road network") else "estimate")
    for key, col, name, decimals, source in candidates:
        values = pd.to_numeric(pop[col], errors="coerce")
        classes = _classes(key, values, name, opts)
        note = None
        if key == "access":
            note = "red = below benchmark"
        elif key.startswith("drive"):
            note = minute_note
        label = f"{name} ({short_travel})" if key.startswith("drive") else name
        suffix = " min" if key.startswith("drive") else ""
        for prop, colour, value in zip(props, classes.colour_of(values), values, strict=True):
            prop["c"][key] = colour
            if key in ("pop75", "density75"):
                continue
            extra = [[name, fmt_number(value, decimals, suffix=suffix)], ["Travel times", travel]]
            prop["r"][key] = extra
        layer = RuntimeLayer(
            label,
            "polygons",
            block,
            {"colour": key, "rows": key, "source": f"Source: {source}", "weight": 0.4},
            show=key == shown_key,
            base=True,
        )
        specs.append(
            LayerSpec(key, label, [layer], legend_entry(label, classes, note=note), len(pop))
        )
    block.payload = safe_json(feature_collection(geoms, props))
    if specs:
        specs[0].elements.insert(0, block)
    page.specs.extend(specs)
    return shown_key
