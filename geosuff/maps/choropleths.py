"""The LSOA shading layers: people aged 75+, their density, access, travel and drive times.

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
    travel_per_visit_classes,
)
from geosuff.analysis.gaps import method_words
from geosuff.io.provenance import Coverage
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

__all__ = ["TRAVEL_LAYER", "join_travel", "lsoa_layers", "lsoa_table", "travel_label"]

#: Name of the care-worker travel shading (its radio label adds how times were found).
TRAVEL_LAYER = "Care-worker travel per visit (min)"

#: Per-LSOA columns drawn as shading: key -> (column, layer name).
_ACCESS_COLUMNS = {
    "access": ("e2sfca_beds_per_1000_75plus", "Access: care home beds per 1,000 aged 75+"),
    "travel": ("home_care_minutes_per_visit", TRAVEL_LAYER),
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


def join_travel(pop: gpd.GeoDataFrame, travel: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Add per-LSOA care-worker travel (``home_care_*`` columns) to the LSOA table.

    Parameters
    ----------
    pop
        :func:`lsoa_table` output.
    travel
        ``HomeCareTravel.lsoas`` (or any table with ``lsoa_code`` and
        ``home_care_minutes_per_visit``), or ``None`` to keep the table as it is.

    Returns
    -------
    geopandas.GeoDataFrame
        The table, its ``home_care_*`` columns replaced by *travel*'s.

    Raises
    ------
    ValidationError
        If *travel* lacks ``lsoa_code`` or ``home_care_minutes_per_visit``.
    """
    if travel is None:
        return pop
    need = {"lsoa_code", "home_care_minutes_per_visit"}
    if not need <= set(travel.columns):
        msg = f"the travel table needs {sorted(need)}; it has {list(travel.columns)[:10]}"
        raise ValidationError(msg)
    cols = [c for c in travel.columns if c.startswith("home_care_")]
    table = pd.DataFrame(travel)[["lsoa_code", *cols]].drop_duplicates("lsoa_code")
    out = pop.drop(columns=[c for c in cols if c in pop.columns])
    return out.merge(table, on="lsoa_code", how="left")


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
    if key == "travel":
        return travel_per_visit_classes(opts.travel_edges)
    return minutes_classes(f"{name}, minutes", opts.minutes_edges)


def _short(travel: str) -> str:
    """How travel times were found, in one or two words (for layer names)."""
    if travel in ("road network", "not available"):
        return travel
    return "road network + estimate" if travel.startswith("road network") else "estimate"


def _popup_base(pop: gpd.GeoDataFrame, year_note: str | None) -> list[dict[str, Any]]:
    when = f" ({year_note})" if year_note else ""
    props: list[dict[str, Any]] = []
    for row in pop.itertuples(index=False):
        get = row._asdict().get
        base = [["LSOA", str(get("lsoa_code"))]]
        for label, col in (("Ward", "ward_name"), ("Town", "town")):
            value = get(col)
            if isinstance(value, str) and value:
                base.append([label, value])
        base += [
            ["Local authority", str(get("la_name", "") or "")],
            [f"People aged 75+{when}", fmt_number(get("pop_75plus"))],
            ["75+ per km²", fmt_number(get("density75"), 1)],
            ["People aged 85+", fmt_number(get("pop_85plus"))],
            ["All ages", fmt_number(get("pop_total"))],
        ]
        props.append(
            {"t": f"{get('lsoa_name')} ({get('lsoa_code')})", "c": {}, "r": {"base": base}}
        )
    return props


def _travel_rows(pop: gpd.GeoDataFrame, index: int) -> list[list[str]]:
    """Popup rows of an LSOA's care-worker travel: figure, spread, cost, where, how."""

    def get(col: str) -> Any:
        return pop[col].iloc[index] if col in pop.columns else None

    minutes = fmt_number(get("home_care_minutes_per_visit"), 1, suffix=" min")
    lo, hi = get("home_care_minutes_per_visit_p10"), get("home_care_minutes_per_visit_p90")
    if fmt_number(lo) != "no data" and fmt_number(hi) != "no data":
        minutes += f" (p10–p90 {fmt_number(lo, 1)}–{fmt_number(hi, 1)})"
    rows = [["Care-worker travel per visit", minutes]]
    if get("home_care_miles_per_visit") is not None:
        rows.append(["Miles per visit", fmt_number(get("home_care_miles_per_visit"), 1)])
    cost = get("home_care_travel_cost_per_visit_gbp")
    if cost is not None and fmt_number(cost) != "no data":
        rows.append(["Travel cost per visit", f"£{fmt_number(cost, 2)} (pay + mileage)"])
    area = get("home_care_round_area")
    if isinstance(area, str) and area:
        rows.append(["Rounds planned within", area])
    method = get("home_care_travel_method")
    if isinstance(method, str) and method:
        rows.append(["Drive times", method_words(method)])
    return rows


def lsoa_layers(
    page: MapPage,
    pop: gpd.GeoDataFrame,
    opts: MapOptions,
    *,
    pop_source: str,
    access_source: str | None,
    travel: str,
    year_note: str | None = None,
    travel_threshold: float | None = None,
    agency_coverage: Coverage | None = None,
) -> str | None:
    """Add the LSOA shading layers to *page* (one shared data block).

    Parameters
    ----------
    page
        The page being built.
    pop
        :func:`lsoa_table` output (with :func:`join_travel`'s columns when there is
        care-worker travel).
    opts
        Drawing options.
    pop_source
        The population source in words (popups).
    access_source
        The access results' source, or ``None`` when there are none.
    travel
        :func:`travel_label` of the access results.
    year_note
        The population's year in words (``"2030, projected"``), shown with 75+ counts.
    travel_threshold
        Gap threshold of travel per visit, minutes (named in its legend).
    agency_coverage
        Coverage of the home care agency list: the drive time to the nearest agency is
        drawn only from a list known to be complete (a sample list makes every place
        look far from an agency).

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
        if key == "drive_home_care" and (
            agency_coverage is None or agency_coverage.status != "complete"
        ):
            if col in pop.columns and pop[col].notna().any():
                why = agency_coverage.label() if agency_coverage else "coverage not assessed"
                page.unavailable.append(
                    f"{name} (the agency list is not known to be complete: {why})"
                )
            continue
        if col not in pop.columns or pop[col].isna().all():
            if access_source is not None or key == "travel":
                page.unavailable.append(f"{name} (no {col} data)")
            continue
        if key == "travel":
            source = f"geosuff care-worker travel model (simulated rounds); {minute_note}"
        else:
            source = f"geosuff access results ({access_source}); {minute_note}"
        candidates.append((key, col, name, 1 if key in ("access", "travel") else 0, source))
    candidates = [c for c in candidates if c[0] in opts.layers]
    keys = [c[0] for c in candidates]
    shown = opts.shading or ("access" if "access" in keys else "pop75")
    shown_key = shown if shown in keys else (keys[0] if keys and shown != "none" else None)
    props = _popup_base(pop, year_note)
    block = DataBlock(None)
    specs: list[LayerSpec] = []
    for key, col, name, decimals, source in candidates:
        values = pd.to_numeric(pop[col], errors="coerce")
        classes = _classes(key, values, name, opts)
        note = None
        if key == "access":
            note = "red = below benchmark"
        elif key == "travel":
            methods = pop.get("home_care_travel_method", pd.Series(dtype=object)).dropna()
            how = method_words(str(methods.iloc[0])) if len(methods) else travel
            limit = f"; over {travel_threshold:g} min flagged as a gap" if travel_threshold else ""
            note = f"drive between visits, {how}, plus parking and walking{limit}"
        elif key.startswith("drive"):
            note = minute_note
        label = name
        if key.startswith("drive"):
            label = f"{name} ({_short(travel)})"
        elif key == "travel":
            label = f"{name[:-1]}, {_short(travel)})"
        suffix = " min" if key.startswith("drive") else ""
        for i, (prop, colour, value) in enumerate(
            zip(props, classes.colour_of(values), values, strict=True)
        ):
            prop["c"][key] = colour
            if key in ("pop75", "density75"):
                continue
            if key == "travel":
                prop["r"][key] = _travel_rows(pop, i)
                continue
            extra = [[name, fmt_number(value, decimals, suffix=suffix)], ["Travel times", travel]]
            prop["r"][key] = extra
        legend = legend_entry(label, classes, note=note)
        if year_note and key in ("pop75", "density75"):
            legend["title"] = f"{legend['title']}, {year_note}"
        layer = RuntimeLayer(
            label,
            "polygons",
            block,
            {"colour": key, "rows": key, "source": f"Source: {source}", "weight": 0.4},
            show=key == shown_key,
            base=True,
        )
        specs.append(LayerSpec(key, label, [layer], legend, len(pop)))
    block.payload = safe_json(feature_collection(geoms, props))
    if specs:
        specs[0].elements.insert(0, block)
    page.specs.extend(specs)
    return shown_key
