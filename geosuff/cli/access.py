"""``geosuff access``, ``geosuff runs`` and ``geosuff gaps``: distance-aware analyses."""

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

from geosuff.analysis.access import access as access_fn
from geosuff.analysis.gaps import GapThresholds, find_gaps
from geosuff.analysis.runs import care_runs
from geosuff.cli._options import (
    AreaOpt,
    BufferOpt,
    CareHomesOpt,
    DataOpt,
    ExtraCareOpt,
    HomeCareOpt,
    LsoaOpt,
    MaxMinutesOpt,
    PopulationOpt,
    PostcodesOpt,
    RejectsOpt,
    StrictOpt,
    check_output,
    data_file_option,
    layer_files,
    more_than_zero,
    report_rejects,
    shipped_input,
)
from geosuff.datasets import coverage_note
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.files import write_table
from geosuff.io.layout import resolve_data_dir
from geosuff.io.surroundings import Surroundings, load_surroundings
from geosuff.zones.groups import zone_assignment

__all__ = ["access", "gaps", "load_network_option", "runs"]


class Format(enum.StrEnum):
    """Summary formats printed on stdout."""

    table = "table"
    json = "json"


NetworkOpt = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="Road network: .osm.pbf/.osm (built once, then cached), a saved network "
        "folder or GraphML. Without it, travel times are a labelled straight-line estimate.",
        dir_okay=True,
    ),
]
ZonesOpt = Annotated[
    Path | None,
    typer.Option("--zones", help="Zone polygons, a CSV of LSOAs/wards to zones, or a seed list."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the full table: .csv, .gpkg, .parquet, .geojson."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Summary on stdout.")]


def load_network_option(path: Path | None, data: Path | None = None) -> object | None:
    """Load the ``--network`` option: build (cached) from OSM files, or load a saved one.

    Parameters
    ----------
    path
        The option value: a file here, or one in the data folder
        (``osm/rutland-2022-07-20.osm.pbf``).
    data
        The ``--data`` option.

    Returns
    -------
    object or None
        A road network, or ``None`` for the straight-line estimate.
    """
    path = data_file_option(path, data)
    if path is None:
        return None
    from geosuff.cli.network import _load_network
    from geosuff.network import build_network
    from geosuff.network.cache import default_cache_dir

    if path.suffix.lower() in (".pbf", ".osm") or path.name.endswith(".osm.pbf"):
        return build_network(path, cache_dir=default_cache_dir())
    return _load_network(path, None)


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
) -> _Inputs:
    layers = load_area_layers(area, data_dir=data, files=files)
    around = load_surroundings(layers, buffer_km=buffer_km, data_dir=data)
    note = coverage_note(resolve_data_dir(data), buffer_km=buffer_km) if buffer_km > 0 else None
    if note:
        typer.echo(f"note: {note}", err=True)
    net = load_network_option(network, data)
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


def _write(table: gpd.GeoDataFrame | pd.DataFrame, out: Path | None) -> None:
    if out is None:
        return
    frame = table
    if out.suffix.lower() == ".csv" and "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    write_table(frame, out)
    typer.echo(f"{len(frame)} rows written to {out}", err=True)


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna()
    if not ok.any() or weights[ok].sum() <= 0:
        return None
    return float(np.average(values[ok], weights=weights[ok]))


def _print(summary: dict[str, Any], fmt: Format, title: str) -> None:
    if fmt is Format.json:
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
    Console(width=160).print(table)


def _access_summary(acc: gpd.GeoDataFrame, inputs: _Inputs) -> dict[str, Any]:
    pop = acc["pop_75plus"]
    out: dict[str, Any] = {
        "area": f"{inputs.layers.area.name} ({inputs.layers.area.code})",
        "travel_method": acc.attrs.get("travel_method"),
        "lsoas": len(acc),
        "aged_75plus": float(pop.sum()),
        "buffer_km": inputs.around.buffer_km,
        "providers_over_the_border": int(
            sum((~p["in_area"]).sum() for p in inputs.around.providers.values())
        ),
        "providers_off_network": acc.attrs.get("providers_off_network", 0),
    }
    for target in ("care_home", "nursing", "home_care", "extra_care"):
        out[f"minutes_to_{target} (75+ weighted mean)"] = _weighted(
            acc[f"minutes_to_{target}"], pop
        )
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
    return out


def access(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    buffer_km: BufferOpt = 20.0,
    max_minutes: MaxMinutesOpt = 60.0,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
) -> None:
    """Drive time to the nearest care, beds within reach and E2SFCA access per LSOA."""
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    inputs = _inputs(area, data, files, network, zones, buffer_km)
    report_rejects(inputs.rejects, strict=strict, out=rejects)
    acc = _run_access(inputs, max_minutes=max_minutes)
    _write(acc, out)
    _print(_access_summary(acc, inputs), fmt, "Access")


def runs(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    n_runs: Annotated[int, typer.Option("--runs", min=1, help="Runs simulated per zone.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Random seed (same seed, same runs).")] = 0,
    visit_minutes: Annotated[
        float, typer.Option(callback=more_than_zero, help="Paid contact minutes per visit.")
    ] = 30.0,
    hourly_rate: Annotated[
        float | None, typer.Option(min=0.0, help="GBP per hour of travel (default 25.95).")
    ] = None,
    mileage_rate: Annotated[
        float | None, typer.Option(min=0.0, help="GBP per mile (default 0.45).")
    ] = None,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
) -> None:
    """Simulate home care runs per zone: travel minutes and miles per visit, and cost."""
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    inputs = _inputs(area, data, files, network, zones, 0.0)
    report_rejects(inputs.rejects, strict=strict, out=rejects)
    table = care_runs(
        inputs.layers,
        groups=inputs.groups,
        network=inputs.network,
        n_runs=n_runs,
        seed=seed,
        visit_minutes=visit_minutes,
        hourly_rate_gbp=hourly_rate,
        mileage_rate_gbp_per_mile=mileage_rate,
    )
    _write(table, out)
    cols = [
        "zone",
        "start",
        "travel_minutes_per_visit_mean",
        "travel_minutes_per_visit_p10",
        "travel_minutes_per_visit_p90",
        "miles_per_visit",
        "travel_share_of_paid_time",
        "travel_cost_per_visit_gbp",
        "travel_method",
    ]
    frame = pd.DataFrame(table[cols])
    if fmt is Format.json:
        typer.echo(
            json.dumps(
                {"rates": table.attrs, "zones": json.loads(frame.to_json(orient="records"))},
                indent=2,
            )
        )
    else:
        out_table = Table(title="Care-worker travel per visit", title_justify="left")
        for c in cols:
            out_table.add_column(c.replace("travel_", "").replace("_", " "), justify="right")
        for _, row in frame.iterrows():
            out_table.add_row(
                *[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row.tolist()]
            )
        console = Console(width=200)
        console.print(out_table)
        console.print(
            f"rates: {table.attrs['hourly_rate_gbp']:.2f} GBP/hour, "
            f"{table.attrs['mileage_rate_gbp_per_mile']:.2f} GBP/mile (defaults to change); "
            f"{table.attrs['overhead_minutes']:g} min overhead per visit",
            style="dim",
        )


def gaps(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    focus: Annotated[
        str | None, typer.Option(help="Report on a place: Tisbury, Tenbury Wells, a ward, SP3 6.")
    ] = None,
    buffer_km: BufferOpt = 20.0,
    thresholds: Annotated[
        Path | None, typer.Option(help="TOML file of gap thresholds ([gaps] table).")
    ] = None,
    with_runs: Annotated[
        bool, typer.Option("--runs/--no-runs", help="Flag zones by care-worker travel.")
    ] = True,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
) -> None:
    """Flag poorly served LSOAs and zones, each with its reason."""
    th = GapThresholds()
    if thresholds is not None:
        import tomllib

        from geosuff._errors import InputFileError

        try:
            raw = tomllib.loads(thresholds.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputFileError(thresholds, f"cannot read thresholds ({exc})") from exc
        th = GapThresholds.from_mapping(raw.get("gaps", raw))
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    inputs = _inputs(area, data, files, network, zones, buffer_km)
    report_rejects(inputs.rejects, strict=strict, out=rejects)
    acc = _run_access(inputs)
    zone_runs = (
        care_runs(inputs.layers, groups=inputs.groups, network=inputs.network)
        if with_runs
        else None
    )
    flagged = find_gaps(acc, runs=zone_runs, groups=inputs.groups, thresholds=th)
    summary: dict[str, Any] = {
        "area": f"{inputs.layers.area.name} ({inputs.layers.area.code})",
        "travel_method": acc.attrs.get("travel_method"),
        "lsoas flagged": int(flagged["flagged"].sum()),
        "aged 75+ in flagged LSOAs": float(flagged.loc[flagged["flagged"], "pop_75plus"].sum()),
        "home care too far": int(flagged["gap_home_care"].sum()),
        "nursing too far": int(flagged["gap_nursing"].sum()),
        "low E2SFCA access": int(flagged["gap_low_access"].sum()),
        "zone travel too long": int(flagged["gap_zone_travel"].sum()),
        "home care agencies in the data": len(inputs.layers.home_care),
        "thresholds": flagged.attrs["thresholds"],
    }
    if focus is not None:
        from geosuff.io.places import resolve_place

        place = resolve_place(focus, inputs.layers.area, data_dir=data)
        near = flagged[flagged.intersects(place.geometry)]
        summary["focus"] = f"{focus} ({place.matched})"
        summary["focus LSOAs"] = len(near)
        summary["focus LSOAs flagged"] = int(near["flagged"].sum())
        summary["focus reasons"] = [r for r in near["reasons"] if r]
    _write(flagged, out)
    _print(summary, fmt, "Gaps")
