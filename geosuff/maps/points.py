"""Provider layers: care homes (sized by beds), home care agencies and extra care schemes."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from geosuff._palettes import POINT_COLOURS
from geosuff.io.provenance import Coverage
from geosuff.maps.layers import (
    DataBlock,
    LayerSpec,
    MapPage,
    RuntimeLayer,
    fmt_number,
    point_rows,
    vintage_of,
)
from geosuff.maps.options import MapOptions

__all__ = ["KIND_LABELS", "add_points", "coverage_note"]

#: Provider kinds in words.
KIND_LABELS = {
    "care_home_nursing": "Care home with nursing",
    "care_home_residential": "Care home (residential)",
    "domiciliary": "Home care agency",
    "extra_care": "Extra care scheme",
}


def _radius(
    values: pd.Series, *, base: float = 4.0, scale: float = 1.0, cap: float = 16.0
) -> list[float]:
    v = pd.to_numeric(values, errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype=float)
    return [round(min(cap, base + scale * math.sqrt(x)), 1) for x in v]


def _provider_popup(row: pd.Series, kind: str) -> list[list[str]]:
    rows = [["Type", KIND_LABELS.get(kind, kind)]]
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


def coverage_note(coverage: Coverage | None) -> str:
    """Say how complete a provider layer is, for legends and popups.

    Parameters
    ----------
    coverage
        The layer's coverage verdict, or ``None`` when it was not assessed.

    Returns
    -------
    str
        ``"partial: <reason>"`` style text, or a note that coverage was not assessed.
    """
    if coverage is None:
        return "coverage not assessed: the list may be incomplete"
    return coverage.label()


def add_points(
    page: MapPage,
    key: str,
    gdf: gpd.GeoDataFrame,
    opts: MapOptions,
    *,
    missing: str | None,
    coverage: Coverage | None = None,
) -> None:
    """Add one provider layer (care homes, home care agencies or extra care schemes).

    Parameters
    ----------
    page
        The page being built.
    key
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    gdf
        The providers (points).
    opts
        Drawing options.
    missing
        Why the layer has no data, or ``None``.
    coverage
        The layer's coverage verdict (stated in its legend).
    """
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
                + (f"; {coverage_note(coverage)}" if coverage is not None else "")
            ),
            "items": items,
            "shape": "circle",
        }
    else:
        legend = {
            "layer": name,
            "title": name,
            "method": coverage_note(coverage),
            "items": [[colours[0], f"{len(gdf)} in the data"]],
            "shape": "circle",
        }
    page.specs.append(LayerSpec(key, name, [block, layer], legend, len(rows)))
