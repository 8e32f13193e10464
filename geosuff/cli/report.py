"""``geosuff report``: the market position evidence report of an area, as one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    CountBy,
    CountByOpt,
    IncludeDormantOpt,
    MinRatingOpt,
    NursingShareOpt,
    PartialOpt,
    Scope,
    ScopeOpt,
    rule_options,
)
from geosuff.cli._year import YearOpt, echo_basis
from geosuff.maps.page import check_html_path
from geosuff.report import report


def report_command(
    area: Annotated[str, typer.Option("--area", "-a", help="Local authority code or name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .html file.", dir_okay=False)],
    zones: Annotated[
        Path | None,
        typer.Option(
            "--zones",
            help="Zone polygons, a CSV of LSOAs/wards to zones, or a seed list (a file, or "
            "a shipped one by name: wiltshire_15_zones).",
            dir_okay=False,
        ),
    ] = None,
    network: Annotated[
        Path | None,
        typer.Option(
            "--network",
            help="Road network (.osm.pbf, here or in the data folder); without it, travel "
            "times are a labelled straight-line estimate.",
        ),
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option("--focus", help="Place the map opens on: ward name or postcode."),
    ] = None,
    year: YearOpt = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf", help="Also print an A4 PDF here (needs headless Chromium).", dir_okay=False
        ),
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option("--tiles", help="Base map of the report's map: none (default), osm."),
    ] = None,
    data: DataOpt = None,
    lsoa: LsoaOpt = None,
    population: PopulationOpt = None,
    care_homes: CareHomesOpt = None,
    home_care: HomeCareOpt = None,
    extra_care: ExtraCareOpt = None,
    postcodes: PostcodesOpt = None,
    scope: ScopeOpt = Scope.older_people,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: CountByOpt = CountBy.cqc,
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Write the evidence section of a market position statement as one HTML page.

    Key findings, older population now and projected, beds, extra care and home care
    against the benchmarks by district, zone and town (now and in --year), care-worker
    travel per visit and its cost, hard-to-serve places, an interactive map, caveats and
    sources. Opens offline and prints to A4. Every figure follows the supply rules
    (--scope, --nursing-share, --bed-use, --complete/--partial, --count-by,
    --min-rating, --include-dormant), which the report states.
    """
    check_html_path(out)
    rules = rule_options(
        scope, nursing_share, bed_use, complete, partial, count_by, min_rating, include_dormant
    )
    files = layer_files(lsoa, population, care_homes, home_care, extra_care, postcodes)
    result = report(
        area,
        out=out,
        year=year,
        zones=shipped_input(zones, "boundaries"),
        network=network,
        focus=focus,
        data_dir=data,
        files=files,
        tiles=tiles,
        pdf=pdf,
        **rules,
    )
    typer.echo(f"{result.path} ({result.size_bytes / 1e6:.2f} MB, {result.seconds:.1f} s)")
    if result.pdf is not None:
        typer.echo(f"{result.pdf}")
    for key, why in result.omitted.items():
        typer.echo(f"  not included: {key}: {why}", err=True)
    echo_basis(result.population, err=True)
