"""``geosuff supply``: supply ratios against benchmarks, by LSOA, ward, zone or authority."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from geosuff._errors import ValidationError
from geosuff.analysis.joins import assign_groups
from geosuff.analysis.supply import supply_ratios
from geosuff.analysis.supply_years import add_basis_columns, supply_by_year
from geosuff.cli._options import (
    AreaOpt,
    CareHomesOpt,
    DataOpt,
    ExtraCareOpt,
    HomeCareOpt,
    IncludeDormantOpt,
    LsoaOpt,
    MinRatingOpt,
    PopulationOpt,
    PostcodesOpt,
    RejectsOpt,
    StrictOpt,
    check_output,
    layer_files,
    report_rejects,
    shipped_input,
)
from geosuff.cli._year import YearOpt, YearsOpt, echo_basis
from geosuff.io.area_layers import load_area_layers
from geosuff.io.files import write_table
from geosuff.io.trajectory import parse_years
from geosuff.io.wards import load_wards
from geosuff.zones.groups import zone_assignment


class Unit(enum.StrEnum):
    """Units supply can be summarised by."""

    lsoa = "lsoa"
    ward = "ward"
    zone = "zone"
    la = "la"


def supply(
    area: AreaOpt,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Output: .csv, .gpkg, .parquet or .geojson.", dir_okay=False
        ),
    ],
    by: Annotated[Unit, typer.Option("--by", help="Unit of the summary.")] = Unit.la,
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

    Writes one row per unit with counts, ratios, benchmark supply and surplus (+) or
    shortfall (-) against 65 residential beds, 45 nursing beds and 25 extra care units
    per 1,000 people aged 75+. With --year (or --years) the 75+ population, and so the
    benchmarks and gaps, are for that year; supply stays as loaded.
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
    layers = load_area_layers(
        area,
        data_dir=data,
        files=files,
        year=year,
        min_rating=min_rating.value if min_rating else None,
        include_dormant=include_dormant,
    )
    all_rejects = [layers.rejects]
    groups = None
    ward_table = None
    if by is Unit.ward or wards is not None:
        ward_table = load_wards(layers.area, path=wards, data_dir=data)
    if by is Unit.ward:
        groups, problems = assign_groups(layers.population, ward_table, "ward_code", label="ward")
        all_rejects.append(problems)
    elif by is Unit.zone:
        loaded = zone_assignment(zones, layers, data_dir=data, wards=ward_table)
        groups = loaded.data.set_index("lsoa_code")["zone"]
        all_rejects.append(loaded.rejects)
    import pandas as pd

    parts = [r for r in all_rejects if not r.empty]
    report_rejects(
        pd.concat(parts, ignore_index=True) if parts else layers.rejects,
        strict=strict,
        out=rejects,
    )
    if year_list is not None:
        table = supply_by_year(layers, year_list, by=by.value, groups=groups, data_dir=data)
    else:
        table = supply_ratios(
            layers.population,
            layers.care_homes,
            layers.home_care,
            layers.extra_care,
            by=by.value,
            groups=groups,
        )
        table = add_basis_columns(table, layers)
    if by is Unit.ward:
        names = ward_table.set_index("ward_code")["ward_name"]
        table.insert(1, "ward_name", table["unit"].map(names))
    if out.suffix.lower() == ".csv":
        table = table.drop(columns="geometry")
    write_table(table, out)
    typer.echo(f"{len(table)} {by.value} rows written to {out}")
    echo_basis(zip(table["year"].tolist(), table["population_basis"], strict=True))
