"""Build the interactive sufficiency map of an area and save it as one HTML file.

:func:`build_map` takes the loaded layers and, optionally, access results, gap flags,
zones and isochrones; a layer whose data is absent is left out and listed as "not
available" in the map's title block. :func:`save_map` writes the page atomically.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geosuff import __version__, settings
from geosuff._errors import ValidationError
from geosuff.io.area_layers import AreaLayers
from geosuff.io.files import atomic_path
from geosuff.maps._runtime import RUNTIME_CSS, RUNTIME_JS
from geosuff.maps.focus import Focus
from geosuff.maps.layers import (
    DataBlock,
    LayerSpec,
    RuntimeLayer,
    display_geometry,
    feature_collection,
    fmt_number,
    legend_entry,
    point_rows,
    safe_json,
    vintage_of,
)
from geosuff.maps.offline import RawElement, add_assets
from geosuff.maps.styles import POINT_COLOURS, fixed_classes, quantile_classes

__all__ = [
    "ALL_LAYERS",
    "ATTRIBUTION",
    "SHORT_ATTRIBUTION",
    "MapOptions",
    "build_map",
    "resolve_tiles",
    "save_map",
]

log = logging.getLogger(__name__)

#: Layer keys a recipe can list, in drawing order.
ALL_LAYERS: tuple[str, ...] = (
    "outline",
    "pop75",
    "density75",
    "access",
    "drive_home_care",
    "drive_nursing",
    "isochrones",
    "gaps",
    "zones",
    "focus",
    "extra_care",
    "home_care",
    "care_homes",
)

#: Short form for the map corner; the title block carries :data:`ATTRIBUTION`.
SHORT_ATTRIBUTION = (
    "Contains OS data © Crown copyright 2025; ONS, CQC data: OGL v3.0; © OpenStreetMap contributors"
)

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025; ONS and CQC data: "
    "Open Government Licence v3.0; road data © OpenStreetMap contributors (ODbL)"
)

_OSM_TILES = (
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

_KIND_LABELS = {
    "care_home_nursing": "Care home with nursing",
    "care_home_residential": "Care home (residential)",
    "domiciliary": "Home care agency",
    "extra_care": "Extra care scheme",
}


@dataclass(frozen=True)
class MapOptions:
    """How a map is drawn.

    Attributes
    ----------
    layers
        Layer keys to draw (see :data:`ALL_LAYERS`); absent data leaves a layer out.
    simplify_m
        Polygon simplification tolerance for display, metres.
    decimals
        Decimals of longitude/latitude kept (5 is about 1 m).
    cluster_above
        Cluster a point layer with more markers than this.
    minutes_edges
        Class edges of drive-time choropleths and isochrones, minutes.
    access_edges
        Class edges of E2SFCA beds per 1,000 aged 75+ (default: around the benchmark).
    focus_buffer_km
        Margin around the focus place when framing the map.
    """

    layers: tuple[str, ...] = ALL_LAYERS
    simplify_m: float = 25.0
    decimals: int = 5
    cluster_above: int = 40
    minutes_edges: tuple[float, ...] = (0.0, 10.0, 20.0, 30.0, 45.0, math.inf)
    access_edges: tuple[float, ...] | None = None
    focus_buffer_km: float = 5.0

    def __post_init__(self) -> None:
        """Check the layer keys and numbers."""
        unknown = sorted(set(self.layers) - set(ALL_LAYERS))
        if unknown:
            msg = f"unknown map layer(s) {unknown}; known: {', '.join(ALL_LAYERS)}"
            raise ValidationError(msg)
        if self.simplify_m < 0 or not 0 <= self.decimals <= 8 or self.focus_buffer_km < 0:
            msg = "simplify_m and focus_buffer_km must be >= 0 and decimals 0..8"
            raise ValidationError(msg)


@dataclass
class _Page:
    """Accumulates layers, legend entries and title lines while a map is built."""

    specs: list[LayerSpec] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


class _Script(MacroElement):
    """A fixed script calling the runtime with safe JSON arguments."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "GeosuffScript"
        self.code = code


def resolve_tiles(tiles: str | None, attribution: str | None = None) -> tuple[str, str] | None:
    """Return the tile URL template and attribution, or ``None`` for no base map.

    Parameters
    ----------
    tiles
        ``None``/``"none"``, ``"osm"``, or a URL template with ``{z}/{x}/{y}``.
    attribution
        Attribution of a custom tile URL (plain text).

    Returns
    -------
    tuple of str or None
        URL template and attribution HTML.

    Raises
    ------
    ValidationError
        If a custom URL lacks ``{z}``, ``{x}`` or ``{y}``.
    """
    if tiles is None or tiles.strip().lower() in ("", "none", "off"):
        return None
    if tiles.strip().lower() in ("osm", "openstreetmap"):
        return _OSM_TILES
    if not all(p in tiles for p in ("{z}", "{x}", "{y}")):
        msg = f"tile URL {tiles!r} needs {{z}}, {{x}} and {{y}}; or use 'osm' or 'none'"
        raise ValidationError(msg)
    return tiles, html.escape(attribution or f"Tiles: {tiles.split('/')[2]}")


def _lsoa_table(
    population: gpd.GeoDataFrame, access: pd.DataFrame | None
) -> tuple[gpd.GeoDataFrame, bool]:
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


def _travel_label(table: pd.DataFrame) -> str:
    if "travel_method" not in table.columns or table["travel_method"].dropna().empty:
        return "method not stated"
    methods = set(table["travel_method"].dropna().astype(str))
    if methods == {"network"}:
        return "road network"
    if "network" in methods:
        return "road network where available, else a labelled straight-line estimate"
    if methods == {"estimate_calibrated"} and "travel_calibration" in table.columns:
        cals = table["travel_calibration"].dropna().astype(str)
        names = "; ".join(sorted({c.split(":")[0] for c in cals}))  # where, not the counts
        return f"estimate from straight-line distance, calibrated on real roads ({names})"
    return "labelled fallback estimate (straight-line distance), not a road network"


def _lsoa_layers(
    page: _Page,
    pop: gpd.GeoDataFrame,
    opts: MapOptions,
    *,
    pop_source: str,
    access_source: str | None,
    travel: str,
) -> None:
    geoms = display_geometry(
        pop.geometry, simplify_m=opts.simplify_m, decimals=opts.decimals, coverage=True
    )
    benchmark = sum(
        settings.benchmarks_per_1000_75plus[k] for k in ("residential_beds", "nursing_beds")
    )
    minute_note = f"travel times: {travel}"
    candidates: list[tuple[str, str, str, Any, str, int, str]] = [
        # key, column, layer name, classes, row label, decimals, source
        ("pop75", "pop_75plus", "People aged 75+ (count)", None, "", 0, pop_source),
        ("density75", "density75", "People aged 75+ per km²", None, "", 1, pop_source),
    ]
    cols = {
        "access": ("e2sfca_beds_per_1000_75plus", "Access: care home beds per 1,000 aged 75+"),
        "drive_home_care": ("minutes_to_home_care", "Drive time to nearest home care agency"),
        "drive_nursing": ("minutes_to_nursing", "Drive time to nearest nursing home bed"),
    }
    for key, (col, name) in cols.items():
        if key not in opts.layers:
            continue
        if col not in pop.columns or pop[col].isna().all():
            if access_source is not None:
                page.unavailable.append(f"{name} (no {col} data)")
            continue
        source = f"geosuff access results ({access_source}); {minute_note}"
        candidates.append((key, col, name, None, "", 1 if key == "access" else 0, source))
    props: list[dict[str, Any]] = []
    for _, row in pop.iterrows():
        base = [
            ["LSOA", str(row["lsoa_code"])],
            ["Local authority", str(row.get("la_name", ""))],
            ["People aged 75+", fmt_number(row["pop_75plus"])],
            ["75+ per km²", fmt_number(row["density75"], 1)],
            ["People aged 85+", fmt_number(row.get("pop_85plus"))],
            ["All ages", fmt_number(row.get("pop_total"))],
        ]
        props.append(
            {"t": f"{row['lsoa_name']} ({row['lsoa_code']})", "c": {}, "r": {"base": base}}
        )
    block = DataBlock(None)
    specs: list[LayerSpec] = []
    shown_choropleth = "access" if any(c[0] == "access" for c in candidates) else "pop75"
    for key, col, name, _, _, decimals, source in candidates:
        if key not in opts.layers:
            continue
        values = pd.to_numeric(pop[col], errors="coerce")
        if key == "pop75":
            classes = quantile_classes(values, palette="YlGnBu", unit="People aged 75+")
            note = None
        elif key == "density75":
            classes = quantile_classes(
                values, palette="PuBu", unit="People aged 75+ per km²", decimals=1
            )
            note = None
        elif key == "access":
            edges = opts.access_edges or (0.0, 40.0, 80.0, benchmark, 1.5 * benchmark, math.inf)
            classes = fixed_classes(
                edges,
                palette="RdYlBu",
                unit="Care home beds per 1,000 aged 75+ (E2SFCA)",
                method=f"fixed breaks around the benchmark of {benchmark:g}",
                decimals=0,
            )
            note = "red = below benchmark"
        else:
            classes = fixed_classes(
                opts.minutes_edges,
                palette="YlOrRd",
                unit=f"{name}, minutes",
                method="fixed breaks in minutes",
            )
            note = minute_note
        colours = classes.colour_of(values)
        label = name if "Drive" not in name else f"{name} ({travel.split(' (')[0]})"
        for prop, colour, value in zip(props, colours, values, strict=True):
            prop["c"][key] = colour
            suffix = " min" if key.startswith("drive") else ""
            extra = [[name, fmt_number(value, decimals, suffix=suffix)]]
            if key.startswith("drive") or key == "access":
                extra.append(["Travel times", travel])
            if key not in ("pop75", "density75"):
                prop["r"][key] = extra
        layer = RuntimeLayer(
            label,
            "polygons",
            block,
            {"colour": key, "rows": key, "source": f"Source: {source}", "weight": 0.4},
            show=key == shown_choropleth,
        )
        specs.append(LayerSpec(key, label, [layer], legend_entry(label, classes, note=note)))
    block.payload = safe_json(feature_collection(geoms, props))
    if specs:
        specs[0].elements.insert(0, block)
        for spec in specs:
            spec.count = len(pop)
    page.specs.extend(specs)


def _outline(page: _Page, layers: AreaLayers, opts: MapOptions) -> None:
    outline = gpd.GeoSeries([layers.population.geometry.union_all()], crs=layers.population.crs)
    geoms = display_geometry(outline, simplify_m=max(opts.simplify_m, 50.0), decimals=opts.decimals)
    name = f"{layers.area.name} boundary"
    block = DataBlock(
        feature_collection(geoms, [{"t": f"{layers.area.name} ({layers.area.code})"}])
    )
    layer = RuntimeLayer(
        name,
        "polygons",
        block,
        {"stroke": "#111111", "weight": 2.5, "noPopup": True},
    )
    page.specs.append(LayerSpec("outline", name, [block, layer], None, 1))


def _gaps(page: _Page, pop: gpd.GeoDataFrame, gaps: pd.DataFrame | None, opts: MapOptions) -> None:
    name = "Gap LSOAs (flagged, with reasons)"
    if gaps is None:
        page.unavailable.append("gap LSOAs (no gaps table)")
        return
    if "lsoa_code" not in gaps.columns or "reasons" not in gaps.columns:
        msg = f"the gaps table needs lsoa_code and reasons columns; it has {list(gaps.columns)}"
        raise ValidationError(msg)

    def reason_text(value: object) -> str:
        if isinstance(value, list | tuple | np.ndarray):
            return "; ".join(str(v) for v in value)
        return (
            "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        )

    reasons = gaps.groupby("lsoa_code")["reasons"].agg(
        lambda s: "; ".join(t for t in (reason_text(v) for v in s) if t)
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
    layer = RuntimeLayer(
        name,
        "polygons",
        block,
        {
            "stroke": POINT_COLOURS["gap"],
            "weight": 3,
            "fill": "#000000",
            "fillOpacity": 0.12,
            "rows": "gap",
            "source": "Source: geosuff gap flags",
        },
    )
    legend = {
        "layer": name,
        "title": "Gap LSOAs",
        "method": "flagged by the gaps analysis; reasons in each popup",
        "items": [[POINT_COLOURS["gap"], f"{len(flagged)} flagged LSOAs"]],
        "shape": "line",
    }
    page.specs.append(LayerSpec("gaps", name, [block, layer], legend, len(flagged)))


def _zones(
    page: _Page, pop: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None, opts: MapOptions
) -> None:
    if zones is None:
        page.unavailable.append("zones (none given)")
        return
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
    props = []
    for _, row in zones.iterrows():
        rows = [["Zone", str(row[label_col])]]
        if "pop_75plus" in zones.columns:
            rows.append(["People aged 75+", fmt_number(row["pop_75plus"])])
        props.append({"t": str(row[label_col]), "r": {"base": rows}})
    name = "Zones (outlines and names)"
    block = DataBlock(feature_collection(geoms, props))
    layer = RuntimeLayer(
        name,
        "polygons",
        block,
        {"stroke": POINT_COLOURS["zone"], "weight": 2, "label": True, "noPopup": True},
    )
    legend = {
        "layer": name,
        "title": "Zones",
        "method": None,
        "items": [[POINT_COLOURS["zone"], f"{len(zones)} zones"]],
        "shape": "line",
    }
    page.specs.append(LayerSpec("zones", name, [block, layer], legend, len(zones)))


def _isochrones(
    page: _Page, isochrones: gpd.GeoDataFrame | None, opts: MapOptions, travel: str
) -> None:
    if isochrones is None or isochrones.empty:
        page.unavailable.append("drive-time isochrones (need a road network; none given)")
        return
    if "minutes" not in isochrones.columns:
        msg = f"isochrones need a minutes column; they have {list(isochrones.columns)}"
        raise ValidationError(msg)
    iso = isochrones.sort_values("minutes", ascending=False).reset_index(drop=True)
    classes = fixed_classes(
        opts.minutes_edges,
        palette="YlOrRd",
        unit="Drive time from the focus, minutes",
        method="fixed breaks in minutes",
    )
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
    layer = RuntimeLayer(
        name,
        "polygons",
        block,
        {"colour": "iso", "fillOpacity": 0.3, "weight": 1, "source": f"Travel: {travel}"},
    )
    legend = legend_entry(name, classes, note=f"travel times: {travel}")
    legend["title"] = "Drive-time isochrones, minutes"
    page.specs.append(LayerSpec("isochrones", name, [block, layer], legend, len(iso)))


def _radius(
    values: pd.Series, *, base: float = 4.0, scale: float = 1.0, cap: float = 16.0
) -> list[float]:
    v = pd.to_numeric(values, errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype=float)
    return [round(min(cap, base + scale * math.sqrt(x)), 1) for x in v]


def _provider_popup(row: pd.Series, kind: str) -> list[list[str]]:
    rows = [["Type", _KIND_LABELS.get(kind, kind)]]
    if kind.startswith("care_home"):
        rows.append(["Beds", fmt_number(row.get("beds"))])
    if kind == "extra_care":
        rows.append(["Units", fmt_number(row.get("units"))])
    for col, label in (("older_people", "Older people"), ("dementia", "Dementia")):
        value = row.get(col)
        if value is not None and not pd.isna(value):
            rows.append([label, "yes" if bool(value) else "no"])
    for col, label in (("postcode", "Postcode"), ("provider_id", "ID"), ("note", "Note")):
        value = row.get(col)
        if value is not None and not pd.isna(value) and str(value).strip():
            rows.append([label, str(value)])
    if bool(row.get("uncertain", False)):
        rows.append(["Caution", "marked uncertain in the source list"])
    if str(row.get("coord_source", "")) not in ("", "nan", "lat_lon"):
        rows.append(["Located by", str(row.get("coord_source"))])
    return rows


def _points(
    page: _Page, key: str, gdf: gpd.GeoDataFrame, opts: MapOptions, *, missing: str | None
) -> None:
    names = {
        "care_homes": "Care homes (size = beds)",
        "home_care": "Home care agencies",
        "extra_care": "Extra care schemes",
    }
    name = names[key]
    if missing is not None:
        page.unavailable.append(f"{name.split(' (')[0].lower()} ({missing})")
        return
    if gdf.empty:
        page.unavailable.append(f"{name.split(' (')[0].lower()} (none in the data for this area)")
        return
    gdf = gdf.reset_index(drop=True)
    latlon = point_rows(gdf, opts.decimals)
    if key == "care_homes":
        colours = [POINT_COLOURS.get(k, "#666666") for k in gdf["kind"]]
        radii = _radius(gdf["beds"], base=3.0, scale=1.1)
    elif key == "extra_care":
        colours = [POINT_COLOURS["extra_care"]] * len(gdf)
        radii = _radius(gdf["units"], base=5.0, scale=0.6) if "units" in gdf else [6.0] * len(gdf)
    else:
        colours = [POINT_COLOURS["domiciliary"]] * len(gdf)
        radii = [6.0] * len(gdf)
    rows = []
    for i, row in gdf.iterrows():
        source = str(row.get("source", "source not stated"))
        line = row.get("line")
        where = f", line {int(line)}" if line is not None and not pd.isna(line) else ""
        title = str(row.get("name") or row.get("provider_id") or "unnamed")
        rows.append(
            [
                float(latlon[i, 0]),
                float(latlon[i, 1]),
                colours[i],
                radii[i],
                title,
                _provider_popup(row, str(row.get("kind", ""))),
                f"Source: {source}{where} ({vintage_of(source)})",
            ]
        )
    block = DataBlock(rows)
    layer = RuntimeLayer(name, "points", block, {"cluster": len(rows) > opts.cluster_above})
    if key == "care_homes":
        n_nursing = int((gdf["kind"] == "care_home_nursing").sum())
        beds = pd.to_numeric(gdf["beds"], errors="coerce")
        items = [
            [POINT_COLOURS["care_home_nursing"], f"with nursing ({n_nursing})"],
            [POINT_COLOURS["care_home_residential"], f"residential ({len(gdf) - n_nursing})"],
        ]
        items += [
            ["#ffffff", f"{b} beds", _radius(pd.Series([b]), base=3.0, scale=1.1)[0]]
            for b in (10, 40, 80)
        ]
        legend = {
            "layer": name,
            "title": "Care homes",
            "method": (
                f"{len(gdf)} homes, {fmt_number(beds.sum())} beds; circle size grows with beds"
                + ("; clustered when zoomed out" if len(rows) > opts.cluster_above else "")
            ),
            "items": items,
            "shape": "circle",
        }
    else:
        legend = {
            "layer": name,
            "title": name,
            "method": None,
            "items": [[colours[0], f"{len(gdf)} in the data (partial lists possible)"]],
            "shape": "circle",
        }
    page.specs.append(LayerSpec(key, name, [block, layer], legend, len(rows)))


def _focus_layer(page: _Page, focus: Focus, opts: MapOptions) -> None:
    geom = focus.geometry
    if geom.geom_type == "Point":
        geom = geom.buffer(500)
    series = gpd.GeoSeries([geom], crs=settings.crs_metric)
    geoms = display_geometry(series, simplify_m=opts.simplify_m, decimals=opts.decimals)
    label = f"{focus.name} ({focus.kind})"
    name = f"Focus: {label}"
    block = DataBlock(
        feature_collection(
            geoms,
            [
                {
                    "t": f"Focus: {label}",
                    "r": {"base": [["Asked for", focus.query], ["Code", focus.code]]},
                }
            ],
        )
    )
    layer = RuntimeLayer(
        name, "polygons", block, {"stroke": POINT_COLOURS["focus"], "weight": 3, "dash": "6 4"}
    )
    page.specs.append(LayerSpec("focus", name, [block, layer], None, 1))


def build_map(
    layers: AreaLayers,
    *,
    focus: Focus | None = None,
    access: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    zones: gpd.GeoDataFrame | pd.DataFrame | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    self_contained: bool = True,
    options: MapOptions | None = None,
    sources: dict[str, str] | None = None,
) -> folium.Map:
    """Build the interactive map of an area's older population, care supply and gaps.

    Parameters
    ----------
    layers
        The area's layers (:func:`geosuff.load_area_layers`).
    focus
        Place the map opens on (:func:`geosuff.maps.resolve_focus`); default the area.
    access
        Per-LSOA access results: ``lsoa_code`` and any of
        ``e2sfca_beds_per_1000_75plus``, ``minutes_to_home_care``, ``minutes_to_nursing``,
        ``travel_method`` (``"network"``, ``"estimate_calibrated"`` or
        ``"estimate_crowfly"``).
    gaps
        Flagged LSOAs: ``lsoa_code`` and ``reasons`` (text or list).
    zones
        Zone polygons with a ``zone`` (or ``name``) column, or an ``lsoa_code`` to
        ``zone`` table drawn from the LSOAs.
    isochrones
        Drive-time polygons with ``minutes``.
    title
        Title shown on the map and as the page title.
    tiles
        ``None`` (no base map), ``"osm"`` or a tile URL template.
    tiles_attribution
        Attribution of a custom tile URL.
    self_contained
        Inline Leaflet and plugins (renders with no internet) instead of CDN links.
    options
        Drawing options.
    sources
        Descriptions of each layer's source replacing ``layers.sources``.

    Returns
    -------
    folium.Map
        The map; write it with :func:`save_map`.
    """
    opts = options or MapOptions()
    srcs = {**layers.sources, **(sources or {})}
    page = _Page()
    pop, has_access = _lsoa_table(layers.population, access)
    travel = _travel_label(access) if has_access and access is not None else "not available"
    if not has_access:
        page.unavailable.append("access and drive times (no access table)")
    pop_source = srcs.get("population", "ONS population estimates")
    pop_label = f"ONS population estimates ({vintage_of(pop_source)}) on 2011 LSOAs"
    if "outline" in opts.layers:
        _outline(page, layers, opts)
    _lsoa_layers(
        page,
        pop,
        opts,
        pop_source=pop_label,
        access_source=srcs.get("access", "given table") if has_access else None,
        travel=travel,
    )
    if "isochrones" in opts.layers:
        _isochrones(page, isochrones, opts, travel if has_access else "method not stated")
    if "gaps" in opts.layers:
        _gaps(page, pop, gaps, opts)
    if "zones" in opts.layers:
        _zones(page, pop, zones, opts)
    if focus is not None and "focus" in opts.layers:
        _focus_layer(page, focus, opts)
    for key in ("extra_care", "home_care", "care_homes"):
        if key in opts.layers:
            frame = getattr(layers, key)
            _points(page, key, frame, opts, missing=layers.missing.get(key))
    return _assemble(
        page,
        layers,
        pop,
        focus=focus,
        title=title,
        tiles=tiles,
        tiles_attribution=tiles_attribution,
        self_contained=self_contained,
        opts=opts,
        srcs=srcs,
        travel=travel,
        pop_label=pop_label,
    )


def _title_lines(
    page: _Page,
    layers: AreaLayers,
    pop: gpd.GeoDataFrame,
    srcs: dict[str, str],
    travel: str,
    pop_label: str,
    focus: Focus | None,
) -> list[str]:
    area = layers.area
    lines = [f"Area: {area.name} ({area.code}), {len(pop)} LSOAs"]
    if focus is not None:
        lines.append(f"Opens on: {focus.name} {focus.kind} ({focus.code})")
    lines.append(f"Population: {pop_label}; aged 75+: {fmt_number(pop['pop_75plus'].sum())}")
    for key, label in (
        ("care_homes", "Care homes"),
        ("home_care", "Home care agencies"),
        ("extra_care", "Extra care schemes"),
    ):
        if key in srcs:
            src = Path(srcs[key]).name
            lines.append(f"{label}: {src} ({vintage_of(src)}), {len(getattr(layers, key))} shown")
    lines.append(f"Travel times: {travel}")
    if page.unavailable:
        lines.append("Not available: " + "; ".join(page.unavailable))
    lines.append(ATTRIBUTION)
    lines.append(f"Made with geosuff {__version__} on {dt.date.today().isoformat()}")
    return lines


def _assemble(
    page: _Page,
    layers: AreaLayers,
    pop: gpd.GeoDataFrame,
    *,
    focus: Focus | None,
    title: str | None,
    tiles: str | None,
    tiles_attribution: str | None,
    self_contained: bool,
    opts: MapOptions,
    srcs: dict[str, str],
    travel: str,
    pop_label: str,
) -> folium.Map:
    frame = pop.geometry
    if focus is not None:
        frame = gpd.GeoSeries(
            [focus.geometry.buffer(opts.focus_buffer_km * 1000)], crs=settings.crs_metric
        )
    west, south, east, north = frame.to_crs("EPSG:4326").total_bounds
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        max_zoom=18,
        min_zoom=5,
        **{"maxZoom": 18, "minZoom": 5, "zoomSnap": 0.25},
    )
    fmap.default_js = []
    fmap.default_css = []
    root = fmap.get_root()
    text_title = title or f"Care for people aged 75+: {layers.area.name}"
    root.title = html.escape(text_title)
    add_assets(root, self_contained=self_contained)
    root.header.add_child(RawElement(f"<script>{RUNTIME_JS}</script>"), name="geosuff_runtime")
    root.header.add_child(RawElement(RUNTIME_CSS), name="geosuff_css")
    tile = resolve_tiles(tiles, tiles_attribution)
    if tile is not None:
        folium.TileLayer(tiles=tile[0], attr=tile[1], name="Base map", control=False).add_to(fmap)
    map_var = fmap.get_name()
    for spec in page.specs:
        for element in spec.elements:
            fmap.add_child(element)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    legends = [s.legend for s in page.specs if s.legend is not None]
    info = {
        "title": text_title,
        "subtitle": f"{layers.area.name}" + (f", around {focus.name}" if focus else ""),
        "lines": _title_lines(page, layers, pop, srcs, travel, pop_label, focus),
        "open": False,
    }
    fmap.add_child(
        _Script(
            f"L.control.fullscreen({{position: 'topleft'}}).addTo({map_var});"
            f"{map_var}.attributionControl.addAttribution({safe_json(html.escape(SHORT_ATTRIBUTION))});"
            f"geosuff.legend({map_var}, {safe_json(legends)});"
            f"geosuff.title({map_var}, {safe_json(info)});"
            f"geosuff.map = {map_var};"
        )
    )
    fmap.fit_bounds([[float(south), float(west)], [float(north), float(east)]])
    fmap.geosuff_self_contained = self_contained  # type: ignore[attr-defined]
    fmap.geosuff_counts = {s.key: s.count for s in page.specs}  # type: ignore[attr-defined]
    fmap.geosuff_layer_names = [s.name for s in page.specs]  # type: ignore[attr-defined]
    fmap.geosuff_unavailable = list(page.unavailable)  # type: ignore[attr-defined]
    return fmap


def save_map(fmap: folium.Map, path: str | os.PathLike[str]) -> int:
    """Write the map as one HTML file, atomically, and return its size.

    Parameters
    ----------
    fmap
        A map from :func:`build_map`.
    path
        The ``.html`` file to write.

    Returns
    -------
    int
        File size in bytes.

    Raises
    ------
    ValidationError
        If a self-contained map would still load a script or style from the internet.
    """
    page = fmap.get_root().render()
    if getattr(fmap, "geosuff_self_contained", False) and (
        "<script src=" in page or '<link rel="stylesheet" href="http' in page
    ):
        msg = "a self-contained map still links an external script or style; please report this"
        raise ValidationError(msg)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    size = Path(path).stat().st_size
    log.info("map written to %s (%.2f MB)", path, size / 1e6)
    return size
