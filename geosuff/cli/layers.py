"""``geosuff layers``: inspect the data layers for an area."""

from __future__ import annotations

import enum
import json
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geosuff.analysis.summary import area_summary
from geosuff.analysis.supply_years import add_basis_columns
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
    layer_files,
    report_rejects,
    supply_options,
)
from geosuff.cli._year import YearOpt
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.layerdefs import load_definitions
from geosuff.io.output_meta import provenance_record

app = typer.Typer(no_args_is_help=True, help="Inspect data layers.")


class Format(enum.StrEnum):
    """Output formats of ``layers summary``."""

    table = "table"
    csv = "csv"
    json = "json"


_LABELS = {
    "la_name": "Authority",
    "lsoas": "LSOAs",
    "pop_75plus": "Aged 75+",
    "care_homes": "Care homes",
    "beds": "Beds",
    "nursing_beds": "Nursing beds",
    "residential_beds": "Residential beds",
    "dementia_beds": "Dementia beds",
    "beds_per_1000_75plus": "Beds /1,000 75+",
    "nursing_beds_gap": "Nursing vs benchmark",
    "residential_beds_gap": "Residential vs benchmark",
    "home_care_agencies": "Home care agencies",
    "extra_care_units": "Extra care units",
    "extra_care_units_gap": "Extra care vs benchmark",
}


def _print_table(table: pd.DataFrame, title: str, layers: AreaLayers) -> None:
    out = Table(title=title, title_justify="left")
    for col, label in _LABELS.items():
        out.add_column(label, justify="left" if col == "la_name" else "right")
    for i, row in table.iterrows():
        style = "bold" if i == len(table) - 1 and len(table) > 1 else None
        values = row.to_dict()
        out.add_row(*[cell(values, c, layers.coverage) for c in _LABELS], style=style)
    console = Console(width=260)
    console.print(out)
    for note in footer(layers):
        console.print(note, style="dim", soft_wrap=True)


@app.command("summary")
def summary(
    area: AreaOpt,
    data: DataOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
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
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Count LSOAs, people aged 75+, care homes, beds and benchmark gaps for an area.

    Counties (e.g. Worcestershire) are shown per district, then in total. Gaps compare
    beds with the benchmark (65 residential, 45 nursing per 1,000 aged 75+) and read
    "shortfall N" or "surplus N"; a partial layer gives "insufficient data". With
    --year the 75+ population and benchmarks are for that year (projected after the
    estimates' year); supply stays as loaded.
    """
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
    report_rejects(layers.rejects, strict=strict, out=rejects)
    table = add_basis_columns(area_summary(layers), layers)
    notes = []
    geography = layers.population.attrs.get("geography")
    if geography:
        notes.append(f"LSOA geography: {geography}")
    if min_rating:
        notes.append(f"Providers: only those rated {min_rating.value} or better")
    if fmt is Format.table:
        when = f"population {layers.year}" if layers.year is not None else "population"
        title = f"{layers.area.name} ({layers.area.code}), {when}: care for people aged 75+"
        _print_table(table, title, layers)
        for note in notes:
            typer.echo(note)
        for layer, why in layers.missing.items():
            typer.echo(f"{layer.replace('_', ' ')}: {why}", err=True)
    elif fmt is Format.csv:
        typer.echo(table.to_csv(index=False), nl=False)
    else:
        payload = {
            "area": {"code": layers.area.code, "name": layers.area.name},
            "year": layers.year,
            "population_basis": layers.population_basis,
            "rows": json.loads(table.to_json(orient="records")),
            "sources": layers.sources,
            "missing_layers": layers.missing,
            "rejected_rows": int((layers.rejects["action"] == "rejected").sum()),
            "provenance": provenance_record(layers, command="layers summary"),
            "footer": [*footer(layers), *notes],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@app.command("definitions")
def definitions() -> None:
    """List the layer definitions geosuff uses to read source files (``layers/``)."""
    for d in load_definitions():
        typer.echo(f"{d.name:28} {', '.join(d.provides):34} {d.title}")
