"""``geosuff layers``: inspect the data layers for an area."""

from __future__ import annotations

import enum
import json
import math
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geosuff.analysis.summary import area_summary
from geosuff.analysis.supply_years import add_basis_columns
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
    layer_files,
    report_rejects,
)
from geosuff.cli._year import YearOpt
from geosuff.io.area_layers import load_area_layers
from geosuff.io.layerdefs import load_definitions

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
    "beds_per_1000_75plus": "Beds /1,000 75+",
    "nursing_beds_gap": "Nursing gap",
    "residential_beds_gap": "Residential gap",
    "home_care_agencies": "Home care agencies",
    "extra_care_units": "Extra care units",
}


def _fmt(value: object, column: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if column.endswith("per_1000_75plus"):
        return f"{float(value):.1f}"
    if isinstance(value, float | int):
        return f"{value:+,.0f}" if column.endswith("_gap") else f"{value:,.0f}"
    return str(value)


def _print_table(table: pd.DataFrame, title: str, notes: list[str]) -> None:
    out = Table(title=title, title_justify="left")
    for col, label in _LABELS.items():
        out.add_column(label, justify="left" if col == "la_name" else "right")
    for i, row in table.iterrows():
        style = "bold" if i == len(table) - 1 and len(table) > 1 else None
        out.add_row(*[_fmt(row[c], c) for c in _LABELS], style=style)
    console = Console(width=200)
    console.print(out)
    for note in notes:
        console.print(note, style="dim")


@app.command("summary")
def summary(
    area: AreaOpt,
    data: DataOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
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

    Counties (e.g. Worcestershire) are shown per district, then in total. Gaps are
    beds minus the benchmark (65 residential, 45 nursing per 1,000 aged 75+):
    negative means a shortfall. With --year the 75+ population and benchmarks are for
    that year (projected after the estimates' year); supply stays as loaded.
    """
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    layers = load_area_layers(
        area,
        data_dir=data,
        files=files,
        year=year,
        min_rating=min_rating.value if min_rating else None,
        include_dormant=include_dormant,
    )
    report_rejects(layers.rejects, strict=strict, out=rejects)
    table = add_basis_columns(area_summary(layers), layers)
    notes = [f"{layer.replace('_', ' ')}: {why}" for layer, why in layers.missing.items()]
    geography = layers.population.attrs.get("geography")
    when = f"population {layers.year}" if layers.year is not None else "population"
    notes.append(
        f"{when}: {layers.population_basis}"
        + (f" (LSOA geography {geography})" if geography else "")
    )
    if min_rating:
        notes.append(f"providers: only those rated {min_rating.value} or better")
    if fmt is Format.table:
        title = f"{layers.area.name} ({layers.area.code}), {when}"
        _print_table(table, title, notes)
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
        }
        typer.echo(json.dumps(payload, indent=2))


@app.command("definitions")
def definitions() -> None:
    """List the layer definitions geosuff uses to read source files (``layers/``)."""
    for d in load_definitions():
        typer.echo(f"{d.name:28} {', '.join(d.provides):34} {d.title}")
