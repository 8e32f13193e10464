"""Outline layers drawn over the shading: area boundary, gap LSOAs, zones, focus, isochrones.

Each outline has its own colour, dash and weight (:data:`geosuff._palettes.OUTLINES`)
and its legend swatch is drawn with the same style. Gap LSOAs are outlined, never
filled, so the shading under them keeps its legend colours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff._palettes import OUTLINES, isochrone_classes
from geosuff.io.area_layers import AreaLayers
from geosuff.maps.focus import Focus
from geosuff.maps.layers import (
    DataBlock,
    LayerSpec,
    MapPage,
    RuntimeLayer,
    display_geometry,
    feature_collection,
    fmt_number,
    legend_entry,
    line_legend,
)
from geosuff.maps.options import MapOptions

__all__ = ["add_focus", "add_gaps", "add_isochrones", "add_outline", "add_zones"]


def add_outline(page: MapPage, layers: AreaLayers, opts: MapOptions) -> None:
    """Add the area's boundary (the union of its LSOAs).

    Parameters
    ----------
    page
        The page being built.
    layers
        The area's layers.
    opts
        Drawing options.
    """
    outline = gpd.GeoSeries([layers.population.geometry.union_all()], crs=layers.population.crs)
    geoms = display_geometry(outline, simplify_m=max(opts.simplify_m, 50.0), decimals=opts.decimals)
    name = f"{layers.area.name} boundary"
    block = DataBlock(
        feature_collection(geoms, [{"t": f"{layers.area.name} ({layers.area.code})"}])
    )
    style = OUTLINES["boundary"]
    options = {**style.as_dict(), "noPopup": True, "pane": "gsOutlines"}
    layer = RuntimeLayer(name, "polygons", block, options)
    legend = line_legend(name, "Area boundary", style, layers.area.name)
    page.specs.append(LayerSpec("outline", name, [block, layer], legend, 1))


def _reason_text(value: object) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(v) for v in value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def add_gaps(
    page: MapPage, pop: gpd.GeoDataFrame, gaps: pd.DataFrame | None, opts: MapOptions
) -> None:
    """Add the flagged LSOAs as outlines (no fill), each popup listing its reasons.

    Parameters
    ----------
    page
        The page being built.
    pop
        The LSOA table.
    gaps
        Flagged LSOAs (``lsoa_code``, ``reasons``), or ``None``. A full gaps table
        (with a ``flagged`` column) is reduced to its flagged rows.
    opts
        Drawing options.

    Raises
    ------
    ValidationError
        If the table lacks ``lsoa_code`` or ``reasons``.
    """
    name = "Gap LSOAs (flagged, with reasons)"
    if gaps is None:
        page.unavailable.append("gap LSOAs (no gaps table)")
        return
    if "lsoa_code" not in gaps.columns or "reasons" not in gaps.columns:
        msg = f"the gaps table needs lsoa_code and reasons columns; it has {list(gaps.columns)}"
        raise ValidationError(msg)
    if "flagged" in gaps.columns:
        gaps = gaps[gaps["flagged"].fillna(False).astype(bool)]
    reasons = gaps.groupby("lsoa_code")["reasons"].agg(
        lambda s: "; ".join(t for t in (_reason_text(v) for v in s) if t)
    )
    flagged = pop[pop["lsoa_code"].isin(reasons.index)]
    geoms = display_geometry(
        flagged.geometry, simplify_m=opts.simplify_m, decimals=opts.decimals, coverage=False
    )
    props = [
        {
            "t": f"Gap: {row['lsoa_name']} ({row['lsoa_code']})",
            "r": {
                "base": [
                    ["Reasons", reasons[row["lsoa_code"]] or "not stated"],
                    ["People aged 75+", fmt_number(row["pop_75plus"])],
                ]
            },
        }
        for _, row in flagged.iterrows()
    ]
    block = DataBlock(feature_collection(geoms, props))
    style = OUTLINES["gap"]
    options = {
        **style.as_dict(),
        "rows": "gap",
        "source": "Source: geosuff gap flags",
        "pane": "gsOutlines",
    }
    layer = RuntimeLayer(name, "polygons", block, options)
    legend = line_legend(
        name,
        "Gap LSOAs",
        style,
        f"{len(flagged)} flagged LSOAs (outline only)",
        method="flagged by the gaps analysis; reasons in each popup",
    )
    page.specs.append(LayerSpec("gaps", name, [block, layer], legend, len(flagged)))


def add_zones(
    page: MapPage,
    pop: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame | pd.DataFrame | None,
    opts: MapOptions,
    focus_names: Sequence[str] = (),
) -> list[str]:
    """Add zone outlines with their names; return the names.

    A zone named like the focus place shows its name on hover only (the focus label
    names it once).

    Parameters
    ----------
    page
        The page being built.
    pop
        The LSOA table (to draw zones given as an LSOA-to-zone table).
    zones
        Zone polygons with ``zone`` (or ``zone_name``/``name``), or an ``lsoa_code``
        to ``zone`` table, or ``None``.
    opts
        Drawing options.
    focus_names
        The focus place's names (as asked and as found).

    Returns
    -------
    list of str
        The zone names (empty without zones).

    Raises
    ------
    ValidationError
        If there is no zone name column, or a table without geometry lacks ``lsoa_code``.
    """
    if zones is None:
        page.unavailable.append("zones (none given)")
        return []
    label_col = next((c for c in ("zone", "zone_name", "name") if c in zones.columns), None)
    if label_col is None:
        msg = f"zones need a zone (or name) column; they have {list(zones.columns)}"
        raise ValidationError(msg)
    if not isinstance(zones, gpd.GeoDataFrame) or zones.geometry.name not in zones.columns:
        if "lsoa_code" not in zones.columns:
            msg = "zones without geometry need an lsoa_code column to draw them from LSOAs"
            raise ValidationError(msg)
        joined = pop.merge(pd.DataFrame(zones)[["lsoa_code", label_col]], on="lsoa_code")
        zones = joined.dissolve(by=label_col, as_index=False)[[label_col, "pop_75plus", "geometry"]]
    geoms = display_geometry(
        zones.geometry, simplify_m=opts.simplify_m, decimals=opts.decimals, coverage=True
    )
    focus_lower = {n.strip().lower() for n in focus_names if n}
    props = []
    for _, row in zones.iterrows():
        rows = [["Zone", str(row[label_col])]]
        if "pop_75plus" in zones.columns:
            rows.append(["People aged 75+", fmt_number(row["pop_75plus"])])
        prop: dict[str, object] = {"t": str(row[label_col]), "r": {"base": rows}}
        if str(row[label_col]).strip().lower() in focus_lower:
            prop["nl"] = True
        props.append(prop)
    name = "Zones (outlines and names)"
    block = DataBlock(feature_collection(geoms, props))
    style = OUTLINES["zone"]
    layer = RuntimeLayer(
        name,
        "polygons",
        block,
        {**style.as_dict(), "label": True, "noPopup": True, "pane": "gsOutlines"},
    )
    legend = line_legend(name, "Zones", style, f"{len(zones)} zones, names at their centres")
    page.specs.append(LayerSpec("zones", name, [block, layer], legend, len(zones)))
    return [str(v) for v in zones[label_col]]


def add_isochrones(
    page: MapPage,
    isochrones: gpd.GeoDataFrame | None,
    opts: MapOptions,
    travel: str,
    *,
    show: bool,
) -> None:
    """Add drive-time bands around the focus, in a palette no shading layer uses.

    Parameters
    ----------
    page
        The page being built.
    isochrones
        Drive-time polygons with ``minutes``, or ``None``.
    opts
        Drawing options.
    travel
        How travel times were found, in words.
    show
        Whether the bands are on when the map opens (off while a shading is on).

    Raises
    ------
    ValidationError
        If there is no ``minutes`` column.
    """
    if isochrones is None or isochrones.empty:
        page.unavailable.append("drive-time isochrones (need a road network; none given)")
        return
    if "minutes" not in isochrones.columns:
        msg = f"isochrones need a minutes column; they have {list(isochrones.columns)}"
        raise ValidationError(msg)
    iso = isochrones.sort_values("minutes", ascending=False).reset_index(drop=True)
    classes = isochrone_classes(opts.minutes_edges)
    geoms = display_geometry(iso.geometry, simplify_m=opts.simplify_m, decimals=opts.decimals)
    props = [
        {
            "t": f"Within {fmt_number(m)} minutes",
            "c": {"iso": colour},
            "r": {"base": [["Drive time", f"up to {fmt_number(m)} min"], ["Method", travel]]},
        }
        for m, colour in zip(iso["minutes"], classes.colour_of(iso["minutes"]), strict=True)
    ]
    name = "Drive-time isochrones"
    block = DataBlock(feature_collection(geoms, props))
    options = {
        "colour": "iso",
        "fillOpacity": 0.35,
        "weight": 1,
        "stroke": "#54278f",
        "source": f"Travel: {travel}",
    }
    layer = RuntimeLayer(name, "polygons", block, options, show=show)
    legend = legend_entry(name, classes, note=f"travel times: {travel}")
    legend["title"] = "Drive-time isochrones, minutes"
    legend["items"] = legend["items"][:-1]  # every band has a value
    page.specs.append(LayerSpec("isochrones", name, [block, layer], legend, len(iso)))


def add_focus(page: MapPage, focus: Focus, opts: MapOptions) -> None:
    """Add the focus place's outline.

    Parameters
    ----------
    page
        The page being built.
    focus
        The focus place (a ward polygon, or a postcode shown as a 500 m circle).
    opts
        Drawing options.
    """
    geom = focus.geometry
    if geom.geom_type == "Point":
        geom = geom.buffer(500)
    series = gpd.GeoSeries([geom], crs=settings.crs_metric)
    geoms = display_geometry(series, simplify_m=opts.simplify_m, decimals=opts.decimals)
    label = f"{focus.name} ({focus.kind})"
    name = f"Focus: {label}"
    title = f"Focus: {focus.query}" if focus.query.lower() != focus.name.lower() else name
    block = DataBlock(
        feature_collection(
            geoms,
            [{"t": title, "r": {"base": [["Asked for", focus.query], ["Code", focus.code]]}}],
        )
    )
    style = OUTLINES["focus"]
    layer = RuntimeLayer(name, "polygons", block, {**style.as_dict(), "pane": "gsOutlines"})
    legend = line_legend(name, "Focus", style, f"{focus.query} ({focus.kind} {focus.name})")
    page.specs.append(LayerSpec("focus", name, [block, layer], legend, 1))
