"""``geosuff access``: distance-aware access, and the options shared with ``runs``/``gaps``."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geosuff import settings
from geosuff.analysis.access import access as access_fn
from geosuff.analysis.runs import add_home_care_travel, home_care_travel
from geosuff.analysis.supply_years import add_basis_columns
from geosuff.cli._display import footer
from geosuff.cli._network_option import NetworkOpt, ProfileOpt, load_network_option
from geosuff.cli._options import (
    AreaOpt,
    BedUseOpt,
    BufferOpt,
    CareHomesOpt,
    CompleteOpt,
    CountBy,
    CountByOpt,
    DataOpt,
    ExtraCareOpt,
    HomeCareOpt,
    LsoaOpt,
    MaxMinutesOpt,
    NursingShareOpt,
    PartialOpt,
    PopulationOpt,
    PostcodesOpt,
    RejectsOpt,
    Scope,
    ScopeOpt,
    StrictOpt,
    check_output,
    layer_files,
    report_rejects,
    shipped_input,
    supply_options,
)
from geosuff.cli._year import YearOpt
from geosuff.datasets import coverage_note
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.files import write_table
from geosuff.io.layout import resolve_data_dir
from geosuff.io.output_meta import provenance_record
from geosuff.io.places import add_place_names
from geosuff.io.surroundings import Surroundings, load_surroundings
from geosuff.zones.groups import zone_assignment

__all__ = ["access"]


class Format(enum.StrEnum):
    """Summary formats printed on stdout."""

    table = "table"
    json = "json"


ZonesOpt = Annotated[
    Path | None,
    typer.Option("--zones", help="Zone polygons, a CSV of LSOAs/wards to zones, or a seed list."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the full table: .csv, .gpkg, .parquet, .geojson."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Summary on stdout.")]


class _Inputs(NamedTuple):
    layers: AreaLayers
    around: Surroundings
    network: object | None
    groups: pd.Series | None
    rejects: pd.DataFrame


def _inputs(
    area: str,
    data: Path | None,
    files: Any,
    network: Path | None,
    zones: Path | None,
    buffer_km: float,
    year: int | None = None,
    profile: Path | None = None,
    rules: dict[str, Any] | None = None,
) -> _Inputs:
    if profile is not None:  # the estimate (access, runs, zones) reads it from settings
        settings.estimate_profile = str(profile)
    layers = load_area_layers(area, data_dir=data, files=files, year=year, **(rules or {}))
    around = load_surroundings(layers, buffer_km=buffer_km, data_dir=data)
    note = coverage_note(resolve_data_dir(data), buffer_km=buffer_km) if buffer_km > 0 else None
    if note:
        typer.echo(f"note: {note}", err=True)
    net = load_network_option(network, data, profile)
    zones = shipped_input(zones, "boundaries")
    groups, parts = None, [layers.rejects]
    if zones is not None:
        loaded = zone_assignment(zones, layers, network=net, data_dir=data)
        groups = loaded.data.set_index("lsoa_code")["zone"]
        parts.append(loaded.rejects)
    parts = [p for p in parts if not p.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else layers.rejects
    return _Inputs(layers, around, net, groups, rejects)


def _run_access(inputs: _Inputs, **kwargs: Any) -> gpd.GeoDataFrame:
    """Run access with a progress bar on stderr (shown for network runs)."""
    from geosuff.cli._progress import progress_bar

    with progress_bar(disable=inputs.network is None) as bar:
        n_providers = sum(len(p) for p in inputs.around.providers.values())
        task = bar.add_task("routing from providers", total=n_providers)
        return access_fn(
            inputs.layers,
            network=inputs.network,
            surroundings=inputs.around,
            progress=lambda k: bar.advance(task, k),
            **kwargs,
        )


def _write(
    table: gpd.GeoDataFrame | pd.DataFrame, out: Path | None, layers: AreaLayers | None = None
) -> None:
    if out is None:
        return
    frame = table
    if out.suffix.lower() == ".csv" and "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    record = None if layers is None else provenance_record(layers)
    write_table(frame, out, provenance=record)
    typer.echo(f"{len(frame)} rows written to {out}", err=True)


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna()
    if not ok.any() or weights[ok].sum() <= 0:
        return None
    return float(np.average(values[ok], weights=weights[ok]))


def _print(
    summary: dict[str, Any], fmt: Format, title: str, layers: AreaLayers | None = None
) -> None:
    if fmt is Format.json:
        if layers is not None:
            summary = {**summary, "provenance": provenance_record(layers)}
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if isinstance(value, float):
            value = f"{value:,.2f}"
        elif isinstance(value, dict | list):
            value = json.dumps(value, default=str)
        table.add_row(key, str(value))
    console = Console(width=160)
    console.print(table)
    for line in footer(layers) if layers is not None else []:
        console.print(line, style="dim", soft_wrap=True)


def _population_entries(inputs: _Inputs) -> dict[str, Any]:
    """Return the population's year and basis (and any cross-border note) for summaries."""
    out: dict[str, Any] = {
        "year": inputs.layers.year,
        "population_basis": inputs.layers.population_basis,
    }
    if inputs.around.demand_note:
        out["cross-border demand"] = inputs.around.demand_note
    return out


def _access_summary(acc: gpd.GeoDataFrame, inputs: _Inputs) -> dict[str, Any]:
    pop = acc["pop_75plus"]
    out: dict[str, Any] = {
        "area": f"{inputs.layers.area.name} ({inputs.layers.area.code})",
        "travel_method": acc.attrs.get("travel_method"),
        "travel_calibration": acc.attrs.get("travel_calibration") or None,
        "lsoas": len(acc),
        "aged_75plus": float(pop.sum()),
        "buffer_km": inputs.around.buffer_km,
        "providers_over_the_border": int(
            sum((~p["in_area"]).sum() for p in inputs.around.providers.values())
        ),
        "providers_off_network": acc.attrs.get("providers_off_network", 0),
    }
    out.update(_population_entries(inputs))
    for target in ("care_home", "nursing", "home_care", "extra_care"):
        layer = "care_homes" if target in ("care_home", "nursing") else target
        cover = inputs.layers.coverage.get(layer)
        key = f"minutes_to_{target} (75+ weighted mean)"
        if cover is not None and cover.status == "partial":
            # a sample list would make every LSOA look far from the nearest provider
            n = len(getattr(inputs.layers, layer))
            out[key] = f"insufficient data (partial list: {n} in the area's data)"
        else:
            out[key] = _weighted(acc[f"minutes_to_{target}"], pop)
    out["share of 75+ over 30 min from a nursing home"] = float(
        pop[acc["minutes_to_nursing"].isna() | (acc["minutes_to_nursing"] > 30)].sum()
        / max(pop.sum(), 1)
    )
    out["e2sfca beds per 1,000 75+ (75+ weighted mean)"] = _weighted(
        acc["e2sfca_beds_per_1000_75plus"], pop
    )
    out["share of E2SFCA beds from over the border"] = _weighted(
        acc["cross_border_share_beds"], pop
    )
    if "home_care_minutes_per_visit" in acc.columns:
        out["care-worker travel minutes per visit (75+ weighted mean)"] = _weighted(
            acc["home_care_minutes_per_visit"], pop
        )
    return out


def access(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    profile: ProfileOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    buffer_km: BufferOpt = 20.0,
    max_minutes: MaxMinutesOpt = 60.0,
    scope: ScopeOpt = Scope.older_people,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: CountByOpt = CountBy.cqc,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
    year: YearOpt = None,
    with_travel: Annotated[
        bool,
        typer.Option(
            "--home-care-travel/--no-home-care-travel",
            help="Add care-worker travel per visit per LSOA (as `geosuff runs --by lsoa`).",
        ),
    ] = True,
) -> None:
    """Drive time to the nearest care, beds within reach and E2SFCA access per LSOA.

    Each LSOA also gets its care-worker travel per visit (rounds within --zones, else
    local patches) and its ward's name. With --year the 75+ demand (the area's and,
    over the border, its neighbours') is for that year; supply stays as loaded.
    """
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    rules = supply_options(scope, nursing_share, bed_use, complete, partial, count_by)
    inputs = _inputs(area, data, files, network, zones, buffer_km, year, profile, rules)
    report_rejects(inputs.rejects, strict=strict, out=rejects)
    acc = _run_access(inputs, max_minutes=max_minutes)
    if with_travel:
        travel = home_care_travel(inputs.layers, groups=inputs.groups, network=inputs.network)
        acc = add_home_care_travel(acc, travel)
    pop = inputs.layers.population
    acc = add_place_names(acc, pop, inputs.layers.area, data_dir=data)
    _write(add_basis_columns(acc, inputs.layers), out, inputs.layers)
    _print(_access_summary(acc, inputs), fmt, "Access", inputs.layers)
