"""``geosuff supply``: supply against benchmarks by LSOA, ward, town, zone or authority."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geosuff._errors import ValidationError
from geosuff.analysis.joins import assign_groups
from geosuff.analysis.summary import layer_supply
from geosuff.analysis.supply_years import add_basis_columns, supply_by_year
from geosuff.analysis.towns import lsoa_towns
from geosuff.cli._display import cell, footer
from geosuff.cli._options import (
    AreaOpt,
    BedUseOpt,
    CareHomesOpt,
    CompleteOpt,
    CountBy,
    CountByOpt,
    DataOpt,
    ExtraCareOpt,
    HomeCareOpt,
    IncludeDormantOpt,
    LsoaOpt,
    MinRatingOpt,
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
from geosuff.cli._year import YearOpt, YearsOpt, echo_basis
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.files import write_table
from geosuff.io.output_meta import provenance_record
from geosuff.io.trajectory import parse_years
from geosuff.io.wards import load_wards
from geosuff.zones.groups import zone_assignment


class Unit(enum.StrEnum):
    """Units supply can be summarised by."""

    lsoa = "lsoa"
    ward = "ward"
    town = "town"
    zone = "zone"
    la = "la"


class Format(enum.StrEnum):
    """What is printed on stdout."""

    table = "table"
    csv = "csv"
    json = "json"
    none = "none"


_COLUMNS = {
    "pop_75plus": "Aged 75+",
    "care_homes": "Care homes",
    "beds": "Beds",
    "nursing_beds": "Nursing beds",
    "residential_beds": "Residential beds",
    "beds_per_1000_75plus": "Beds /1,000 75+",
    "nursing_beds_gap": "Nursing vs benchmark",
    "residential_beds_gap": "Residential vs benchmark",
    "home_care_agencies": "Home care agencies",
    "extra_care_units_gap": "Extra care vs benchmark",
}


def _print_table(table: pd.DataFrame, by: Unit, layers: AreaLayers) -> None:
    name_col = {"ward": "ward_name", "la": "la_name", "lsoa": "lsoa_name"}.get(by.value, "unit")
    title = (
        f"{layers.area.name} ({layers.area.code}) by {by.value}: care for people aged 75+ "
        f"against the benchmarks"
    )
    several_years = "year" in table and table["year"].nunique() > 1
    out = Table(title=title, title_justify="left")
    out.add_column(by.value.capitalize() if by is not Unit.la else "Authority")
    for label in _COLUMNS.values():
        out.add_column(label, justify="right")
    for _, row in table.iterrows():
        values = row.to_dict()
        first = values.get(name_col) if isinstance(values.get(name_col), str) else row["unit"]
        if several_years:
            first = f"{first} ({values['year']})"
        out.add_row(str(first), *[cell(values, c, layers.coverage) for c in _COLUMNS])
    console = Console(width=260)
    console.print(out)
    for line in footer(layers):
        console.print(line, style="dim", soft_wrap=True)


def supply(
    area: AreaOpt,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the table: .csv, .gpkg, .parquet or .geojson.",
            dir_okay=False,
        ),
    ] = None,
    by: Annotated[Unit, typer.Option("--by", help="Unit of the summary.")] = Unit.la,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = Format.table,
    zones: Annotated[
        Path | None,
        typer.Option(
            "--zones",
            help="Zone polygons, a CSV of LSOAs/wards to zones, or a seed list.",
            dir_okay=False,
        ),
    ] = None,
    wards: Annotated[
        Path | None, typer.Option("--wards", help="Ward boundaries file.", dir_okay=False)
    ] = None,
    towns: Annotated[
        Path | None,
        typer.Option(
            "--towns",
            help="Towns as groups of wards (TOML; default the shipped file for the area, "
            "else wards grouped by name prefix).",
            dir_okay=False,
        ),
    ] = None,
    scope: ScopeOpt = Scope.older_people,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: CountByOpt = CountBy.cqc,
    data: DataOpt = None,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
    year: YearOpt = None,
    years: YearsOpt = None,
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Beds, home care agencies and extra care units per 1,000 aged 75+, with gaps.

    Prints (and with --out writes) one row per unit: counts, ratios, and the surplus
    or shortfall against 65 residential beds, 45 nursing beds and 25 extra care units
    per 1,000 people aged 75+. Layers known to be partial give "insufficient data".
    The footer (and the output's metadata) names the scope, the bed split, each
    layer's coverage and every source with its vintage. With --year (or --years) the
    75+ population, and so the benchmarks and gaps, are for that year; supply stays
    as loaded.
    """
    if by is Unit.zone and zones is None:
        msg = "--by zone needs --zones FILE"
        raise ValidationError(msg)
    if year is not None and years is not None:
        msg = "give --year or --years, not both"
        raise ValidationError(msg)
    year_list = parse_years(years) if years is not None else None
    check_output(out)
    zones = shipped_input(zones, "boundaries")
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    rules = supply_options(scope, nursing_share, bed_use, complete, partial, count_by)
    layers = load_area_layers(
        area,
        data_dir=data,
        files=files,
        year=year,
        min_rating=min_rating.value if min_rating else None,
        include_dormant=include_dormant,
        **rules,
    )
    all_rejects = [layers.rejects]
    groups = None
    ward_table = None
    if by in (Unit.ward, Unit.town) or wards is not None:
        ward_table = load_wards(layers.area, path=wards, data_dir=data)
    if by is Unit.ward:
        groups, problems = assign_groups(layers.population, ward_table, "ward_code", label="ward")
        all_rejects.append(problems)
    elif by is Unit.town:
        loaded = lsoa_towns(layers.area, layers.population, ward_table, path=towns)
        groups = loaded.data.set_index("lsoa_code")["town"]
        all_rejects.append(loaded.rejects)
    elif by is Unit.zone:
        loaded = zone_assignment(zones, layers, data_dir=data, wards=ward_table)
        groups = loaded.data.set_index("lsoa_code")["zone"]
        all_rejects.append(loaded.rejects)
    parts = [r for r in all_rejects if not r.empty]
    report_rejects(
        pd.concat(parts, ignore_index=True) if parts else layers.rejects,
        strict=strict,
        out=rejects,
    )
    if year_list is not None:
        table = supply_by_year(layers, year_list, by=by.value, groups=groups, data_dir=data)
    else:
        table = add_basis_columns(layer_supply(layers, by=by.value, groups=groups), layers)
    if by is Unit.ward:
        names = ward_table.set_index("ward_code")["ward_name"]
        table.insert(1, "ward_name", table["unit"].map(names))
    if out is not None:
        frame = table.drop(columns="geometry") if out.suffix.lower() == ".csv" else table
        record = provenance_record(layers, command="supply", unit=by.value, years=year_list)
        write_table(frame, out, provenance=record)
        typer.echo(f"{len(table)} {by.value} rows written to {out}", err=True)
    machine = fmt in (Format.csv, Format.json)  # keep stdout parseable
    echo_basis(zip(table["year"].tolist(), table["population_basis"], strict=True), err=machine)
    if fmt is Format.table:
        _print_table(table, by, layers)
    elif fmt is Format.csv:
        typer.echo(pd.DataFrame(table.drop(columns="geometry")).to_csv(index=False), nl=False)
    elif fmt is Format.json:
        rows = pd.DataFrame(table.drop(columns="geometry")).to_json(orient="records")
        payload = {
            "rows": json.loads(rows),
            "provenance": provenance_record(layers, command="supply", unit=by.value),
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
