"""``geosuff runs`` and ``geosuff gaps``: care-worker travel per visit, and gap flags."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geosuff.analysis.gap_summary import focus_summary, gaps_summary, travel_note
from geosuff.analysis.gaps import GapThresholds, find_gaps
from geosuff.analysis.runs import HomeCareTravel, home_care_travel
from geosuff.analysis.supply_years import add_basis_columns
from geosuff.cli._network_option import NetworkOpt, ProfileOpt
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
    more_than_zero,
    report_rejects,
    supply_options,
)
from geosuff.cli._year import YearOpt
from geosuff.cli.access import (
    Format,
    FormatOpt,
    OutOpt,
    ZonesOpt,
    _Inputs,
    _inputs,
    _population_entries,
    _print,
    _run_access,
    _write,
)
from geosuff.io.places import add_place_names, lsoas_in_place, resolve_place

__all__ = ["gaps", "runs"]


class By(enum.StrEnum):
    """Rows of the ``runs`` table."""

    zone = "zone"
    lsoa = "lsoa"


TravelDaysOpt = Annotated[
    int,
    typer.Option(
        "--days",
        "--runs",
        min=1,
        help="Simulated days of rounds per zone or patch (keep the default to match "
        "gaps and zones check).",
    ),
]
SeedOpt = Annotated[int, typer.Option(min=0, help="Random seed (same seed, same figures).")]
TakeUpOpt = Annotated[
    float | None,
    typer.Option(
        "--take-up",
        callback=more_than_zero,
        help="Home care clients per 1,000 aged 75+ (default 58: council-funded users, "
        "see geosuff.settings).",
    ),
]
PatchOpt = Annotated[
    float,
    typer.Option(
        callback=more_than_zero,
        help="Without --zones: clients a local patch around each LSOA expects.",
    ),
]


def _travel(inputs: _Inputs, **kwargs: Any) -> HomeCareTravel:
    return home_care_travel(inputs.layers, groups=inputs.groups, network=inputs.network, **kwargs)


def runs(
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    profile: ProfileOpt = None,
    zones: ZonesOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    by: Annotated[By, typer.Option("--by", help="One row per zone, or per LSOA.")] = By.zone,
    days: TravelDaysOpt = 50,
    seed: SeedOpt = 0,
    visit_minutes: Annotated[
        float, typer.Option(callback=more_than_zero, help="Paid contact minutes per visit.")
    ] = 30.0,
    visits_per_round: Annotated[
        int, typer.Option(min=2, help="Time slots (visits) per round.")
    ] = 7,
    take_up: TakeUpOpt = None,
    patch_clients: PatchOpt = 100.0,
    hourly_pay: Annotated[
        float | None,
        typer.Option(
            "--hourly-pay",
            "--hourly-rate",
            min=0.0,
            help="Care worker's pay, GBP per hour (default 12.21, National Living Wage 2025).",
        ),
    ] = None,
    mileage_rate: Annotated[
        float | None, typer.Option(min=0.0, help="GBP per mile (default 0.45).")
    ] = None,
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
) -> None:
    """Care-worker travel per visit, its cost and spread, per zone or per LSOA.

    With --year the clients follow that year's 75+ population.
    """
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    rules = supply_options(scope, nursing_share, bed_use, complete, partial, count_by)
    inputs = _inputs(area, data, files, network, zones, 0.0, year, profile, rules)
    report_rejects(inputs.rejects, strict=strict, out=rejects)
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
    _write(add_basis_columns(table, inputs.layers), out, inputs.layers)
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
            **_population_entries(inputs),
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
        for key_, value in _population_entries(inputs).items():
            console.print(f"{key_}: {value}", style="dim")


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
    profile: ProfileOpt = None,
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
) -> None:
    """Flag poorly served LSOAs, each with its reason, most people first.

    With --year the 75+ demand, and so access, travel and the flags, are for that year.
    """
    th = _read_gap_thresholds(thresholds)
    check_output(out)
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    rules = supply_options(scope, nursing_share, bed_use, complete, partial, count_by)
    inputs = _inputs(area, data, files, network, zones, buffer_km, year, profile, rules)
    report_rejects(inputs.rejects, strict=strict, out=rejects)
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
        "travel_calibration": acc.attrs.get("travel_calibration") or None,
        "rounds planned within": "zones" if inputs.groups is not None else "local patches",
        **gaps_summary(flagged),
        "thresholds": th.__dict__,
        **_population_entries(inputs),
    }
    if travel is not None:
        summary["travel model"] = travel_note(travel.parameters)
    if focus is not None:
        place = resolve_place(focus, inputs.layers.area, data_dir=data)
        mask = pd.Series(lsoas_in_place(pop, place.geometry), index=pop["lsoa_code"].to_numpy())
        summary["focus"] = f"{focus} ({place.matched})"
        summary.update(focus_summary(flagged, flagged["lsoa_code"].map(mask).to_numpy(bool)))
    flagged = add_basis_columns(flagged, inputs.layers)
    _write(gpd.GeoDataFrame(flagged, geometry="geometry", crs=pop.crs), out, inputs.layers)
    _print(summary, fmt, "Gaps", inputs.layers)
