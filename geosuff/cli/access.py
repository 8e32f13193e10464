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
from geosuff.analysis.gap_summary import focus_summary, gaps_summary, travel_note
from geosuff.analysis.gaps import GapThresholds, find_gaps
from geosuff.analysis.runs import HomeCareTravel, home_care_travel
from geosuff.cli._options import (
    AreaOpt,
    CareHomesOpt,
    DataOpt,
    ExtraCareOpt,
    HomeCareOpt,
    LsoaOpt,
    PopulationOpt,
    PostcodesOpt,
    RejectsOpt,
    StrictOpt,
    check_output,
    layer_files,
    report_rejects,
)
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.files import write_table
from geosuff.io.places import add_place_names, lsoas_in_place, resolve_place
from geosuff.io.surroundings import Surroundings, load_surroundings
from geosuff.zones.groups import zone_assignment

__all__ = ["access", "gaps", "load_network_option", "runs"]


class Format(enum.StrEnum):
    """Summary formats printed on stdout."""

    table = "table"
    json = "json"


class By(enum.StrEnum):
    """Rows of the ``runs`` table."""

    zone = "zone"
    lsoa = "lsoa"


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
BufferOpt = Annotated[
    float,
    typer.Option("--buffer-km", help="Count demand and supply this far over the border (0: none)."),
]


def load_network_option(path: Path | None) -> object | None:
    """Load the ``--network`` option: build (cached) from OSM files, or load a saved one.

    Parameters
    ----------
    path
        The option value.

    Returns
    -------
    object or None
        A road network, or ``None`` for the straight-line estimate.
    """
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
    net = load_network_option(network)
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
    max_minutes: Annotated[float, typer.Option(help="Longest drive searched.")] = 60.0,
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
    acc = _run_access(inputs, max_minutes=max_minutes)
    _write(acc, out)
    _print(_access_summary(acc, inputs), fmt, "Access")
    report_rejects(inputs.rejects, strict=strict, out=rejects)


TravelDaysOpt = Annotated[
    int,
    typer.Option(
        "--days",
        "--runs",
        help="Simulated days of rounds per zone or patch (keep the default to match "
        "gaps and zones check).",
    ),
]
SeedOpt = Annotated[int, typer.Option(help="Random seed (same seed, same figures).")]
TakeUpOpt = Annotated[
    float | None,
    typer.Option(
        "--take-up",
        help="Home care clients per 1,000 aged 75+ (default 58: council-funded users, "
        "see geosuff.settings).",
    ),
]
PatchOpt = Annotated[
    float,
    typer.Option(help="Without --zones: clients a local patch around each LSOA expects."),
]


def _travel(inputs: _Inputs, **kwargs: Any) -> HomeCareTravel:
    return home_care_travel(inputs.layers, groups=inputs.groups, network=inputs.network, **kwargs)


def runs(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    by: Annotated[By, typer.Option("--by", help="One row per zone, or per LSOA.")] = By.zone,
    days: TravelDaysOpt = 50,
    seed: SeedOpt = 0,
    visit_minutes: Annotated[float, typer.Option(help="Paid contact minutes per visit.")] = 30.0,
    visits_per_round: Annotated[int, typer.Option(help="Time slots (visits) per round.")] = 7,
    take_up: TakeUpOpt = None,
    patch_clients: PatchOpt = 100.0,
    hourly_pay: Annotated[
        float | None,
        typer.Option(
            "--hourly-pay",
            "--hourly-rate",
            help="Care worker's pay, GBP per hour (default 12.21, National Living Wage 2025).",
        ),
    ] = None,
    mileage_rate: Annotated[float | None, typer.Option(help="GBP per mile (default 0.45).")] = None,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
) -> None:
    """Care-worker travel per visit, its cost and spread, per zone or per LSOA."""
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    inputs = _inputs(area, data, files, network, zones, 0.0)
    travel = _travel(
        inputs,
        days=days,
        seed=seed,
        visit_minutes=visit_minutes,
        visits_per_round=visits_per_round,
        clients_per_1000_75plus=take_up,
        patch_clients=patch_clients,
        hourly_pay_gbp=hourly_pay,
        mileage_rate_gbp_per_mile=mileage_rate,
    )
    if by is By.lsoa:
        pop = inputs.layers.population
        base = pop[["lsoa_code", "lsoa_name", "la_code", "pop_75plus", "geometry"]]
        table = base.merge(travel.lsoas, on="lsoa_code")
        table = add_place_names(table, pop, inputs.layers.area, data_dir=data)
        table = gpd.GeoDataFrame(table, geometry="geometry", crs=pop.crs)
        key = ["lsoa_name", "ward_name"] if "ward_name" in table.columns else ["lsoa_name"]
        shown = table.sort_values("home_care_minutes_per_visit", ascending=False).head(20)
        title = f"Care-worker travel per visit: the {len(shown)} longest of {len(table)} LSOAs"
    else:
        table = travel.zones
        key = ["zone", "home_care_round_area"]
        shown = table
        title = "Care-worker travel per visit"
    _write(table, out)
    cols = [
        *key,
        "home_care_minutes_per_visit",
        "home_care_minutes_per_visit_p10",
        "home_care_minutes_per_visit_p90",
        "home_care_miles_per_visit",
        "home_care_travel_cost_per_visit_gbp",
        "home_care_unpaid_travel_share",
        "home_care_travel_cost_per_contact_hour_gbp",
    ]
    frame = pd.DataFrame(shown[cols])
    note = travel_note(travel.parameters)
    if fmt is Format.json:
        payload = {
            "parameters": travel.parameters,
            "note": note,
            f"{by.value}s": json.loads(frame.to_json(orient="records")),
        }
        typer.echo(json.dumps(payload, indent=2, default=str))
    else:
        out_table = Table(title=title, title_justify="left")
        for c in cols:
            label = c.replace("home_care_", "").replace("_", " ")
            out_table.add_column(label, justify="left" if c in key else "right")
        for row in frame.itertuples(index=False):
            out_table.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
        console = Console(width=200)
        console.print(out_table)
        console.print(note, style="dim")
    report_rejects(inputs.rejects, strict=strict, out=rejects)


def _read_gap_thresholds(path: Path | None) -> GapThresholds:
    if path is None:
        return GapThresholds()
    import tomllib

    from geosuff._errors import InputFileError

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"cannot read thresholds ({exc})") from exc
    return GapThresholds.from_mapping(raw.get("gaps", raw))


def gaps(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    focus: Annotated[
        str | None,
        typer.Option(
            help="Report on a place: Tisbury, Tenbury Wells, a ward, SP3 6 (the LSOAs "
            "mostly inside it)."
        ),
    ] = None,
    buffer_km: BufferOpt = 20.0,
    thresholds: Annotated[
        Path | None, typer.Option(help="TOML file of gap thresholds ([gaps] table).")
    ] = None,
    with_travel: Annotated[
        bool,
        typer.Option("--runs/--no-runs", help="Assess home care by care-worker travel."),
    ] = True,
    days: TravelDaysOpt = 50,
    take_up: TakeUpOpt = None,
    patch_clients: PatchOpt = 100.0,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
) -> None:
    """Flag poorly served LSOAs, each with its reason, most people first."""
    th = _read_gap_thresholds(thresholds)
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    inputs = _inputs(area, data, files, network, zones, buffer_km)
    acc = _run_access(inputs)
    travel = (
        _travel(inputs, days=days, clients_per_1000_75plus=take_up, patch_clients=patch_clients)
        if with_travel
        else None
    )
    flagged = find_gaps(acc, travel=travel, coverage=inputs.layers.coverage, thresholds=th)
    pop = inputs.layers.population
    flagged = add_place_names(flagged, pop, inputs.layers.area, data_dir=data)
    summary: dict[str, Any] = {
        "area": f"{inputs.layers.area.name} ({inputs.layers.area.code})",
        "travel_method": acc.attrs.get("travel_method"),
        "rounds planned within": "zones" if inputs.groups is not None else "local patches",
        **gaps_summary(flagged),
        "thresholds": th.__dict__,
    }
    if travel is not None:
        summary["travel model"] = travel_note(travel.parameters)
    if focus is not None:
        place = resolve_place(focus, inputs.layers.area, data_dir=data)
        mask = pd.Series(lsoas_in_place(pop, place.geometry), index=pop["lsoa_code"].to_numpy())
        summary["focus"] = f"{focus} ({place.matched})"
        summary.update(focus_summary(flagged, flagged["lsoa_code"].map(mask).to_numpy(bool)))
    _write(gpd.GeoDataFrame(flagged, geometry="geometry", crs=pop.crs), out)
    _print(summary, fmt, "Gaps")
    report_rejects(inputs.rejects, strict=strict, out=rejects)
