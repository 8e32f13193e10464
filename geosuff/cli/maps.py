"""``geosuff map``: the interactive map of an area (or a recipe) as one HTML file."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from geosuff._errors import InputFileError, ValidationError
from geosuff.cli._options import (
    CareHomesOpt,
    DataOpt,
    ExtraCareOpt,
    HomeCareOpt,
    LsoaOpt,
    PopulationOpt,
    PostcodesOpt,
    layer_files,
    shipped_input,
)
from geosuff.cli._supply_options import (
    BedUseOpt,
    CompleteOpt,
    IncludeDormantOpt,
    MinRatingOpt,
    NursingShareOpt,
    PartialOpt,
    RecipeCountByOpt,
    RecipeScopeOpt,
    rule_options,
)
from geosuff.cli._year import YearOpt, echo_basis
from geosuff.io.layout import shipped_names
from geosuff.maps.page import check_html_path
from geosuff.maps.recipe import MapRecipe, load_recipe
from geosuff.maps.render import render_recipe

_INPUT = {"dir_okay": False, "rich_help_panel": "Results to draw"}


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "map"


def map_command(
    recipe: Annotated[
        Path | None,
        typer.Argument(
            help="Map recipe (TOML): a file, or a shipped one by name, e.g. maps/tisbury.toml.",
            dir_okay=False,
        ),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", "-a", help="Local authority code or name.")
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option("--focus", help="Place to open on: ward name (Tisbury) or postcode."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output .html file.", dir_okay=False)
    ] = None,
    self_contained: Annotated[
        bool | None,
        typer.Option(
            "--self-contained/--cdn",
            help="Inline Leaflet (works offline; default) or link it from a CDN.",
        ),
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option("--tiles", help="Base map: none, osm, or a URL template {z}/{x}/{y}."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Map title.")] = None,
    network: Annotated[
        Path | None,
        typer.Option(
            "--network",
            help="Road network (.osm.pbf, here or in the data folder) for drive times and "
            "isochrones; without it, travel times are a labelled straight-line estimate.",
            dir_okay=False,
        ),
    ] = None,
    year: YearOpt = None,
    access: Annotated[
        Path | None, typer.Option("--access", help="Per-LSOA access results.", **_INPUT)
    ] = None,
    gaps: Annotated[
        Path | None, typer.Option("--gaps", help="Gap LSOAs with reasons.", **_INPUT)
    ] = None,
    travel: Annotated[
        Path | None,
        typer.Option(
            "--travel", help="Per-LSOA care-worker travel (geosuff runs --by lsoa).", **_INPUT
        ),
    ] = None,
    zones: Annotated[
        Path | None, typer.Option("--zones", help="Zone polygons or LSOA->zone table.", **_INPUT)
    ] = None,
    isochrones: Annotated[
        Path | None, typer.Option("--isochrones", help="Drive-time polygons.", **_INPUT)
    ] = None,
    data: DataOpt = None,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    scope: RecipeScopeOpt = None,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: RecipeCountByOpt = None,
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Draw where older people live, where care is, and where the gaps are.

    Give a recipe (maps/*.toml) or --area; options override the recipe. Prints the
    file written and its size. With --year the population (and so access, travel and
    gaps) is that year's: the estimates, or the data folder's projection. The supply
    rules (--scope, --nursing-share, --bed-use, --complete/--partial, --count-by,
    --min-rating, --include-dormant) decide which providers are drawn and counted;
    the map's title block states them.
    """
    if out is not None:
        check_html_path(out)
    if recipe is not None:
        found = shipped_input(recipe, "maps")
        if found is not None and not found.exists():
            shipped = ", ".join(f"maps/{n}.toml" for n in shipped_names("maps"))
            raise InputFileError(recipe, f"map recipe not found (shipped recipes: {shipped})")
        spec = load_recipe(found)  # type: ignore[arg-type]
    elif area is not None:
        name = _slug(f"{area}-{focus}" if focus else area)
        spec = MapRecipe(area=area, name=name)
    else:
        msg = "give a map recipe (e.g. maps/tisbury.toml) or --area CODE"
        raise ValidationError(msg)
    changes: dict[str, object] = {}
    for key, value in (
        ("area", area),
        ("focus", focus),
        ("tiles", tiles),
        ("title", title),
        ("self_contained", self_contained),
        ("network", network),
        ("year", year),
    ):
        if value is not None:
            changes[key] = value
    inputs = dict(spec.inputs)
    if "zones" in inputs:
        inputs["zones"] = shipped_input(inputs["zones"], "boundaries")  # type: ignore[assignment]
    for key, value in (
        ("access", access),
        ("gaps", gaps),
        ("travel", travel),
        ("zones", shipped_input(zones, "boundaries")),
        ("isochrones", isochrones),
    ):
        if value is not None:
            inputs[key] = value
    rules = rule_options(
        scope, nursing_share, bed_use, complete, partial, count_by, min_rating, include_dormant
    )
    changes["rules"] = spec.rules.updated(**rules)
    spec = dataclasses.replace(spec, inputs=inputs, **changes)  # type: ignore[arg-type]
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    result = render_recipe(spec, data_dir=data, files=files, out=out)
    mode = "self-contained" if spec.self_contained else "CDN links"
    typer.echo(f"{result.path} ({result.size_bytes / 1e6:.2f} MB, {mode}, {result.seconds:.1f} s)")
    for line in result.unavailable:
        typer.echo(f"  not available: {line}", err=True)
    if result.population_basis:
        echo_basis([(result.year, result.population_basis)], err=True)
