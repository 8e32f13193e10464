"""``geosuff data``: fetch public data into the data folder, and list what is there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from geosuff.io.layout import resolve_data_dir

app = typer.Typer(no_args_is_help=True, help="Download and list the data geosuff reads.")

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data folder (default: GEOSUFF_DATA, then ../shared/data); 'sample' for the "
        "Rutland sample shipped with geosuff (list only).",
    ),
]


@app.command("fetch")
def fetch(
    area: Annotated[str, typer.Option("--area", help="Local authority name or ONS code.")],
    data: DataOption = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch again files already present and current.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Fetch only this catalogue entry (repeatable)."),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Sources file (default: GEOSUFF_SOURCES, then the shipped sources.toml).",
        ),
    ] = None,
    timeout_s: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds before a stalled download fails.")
    ] = 60.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries per file, with back-off.")
    ] = 4,
) -> None:
    """Download an area's data (OSM, ONS, CQC, postcodes) into the data folder."""
    from geosuff.datasets import sample_name
    from geosuff.fetch import FetchOutcome, fetch_data

    if sample_name(data) is not None:
        msg = f"--data {data}: the sample shipped with geosuff is read-only; give a folder"
        raise typer.BadParameter(msg, param_hint="--data")
    if data is None and sample_name(os.environ.get("GEOSUFF_DATA")) is not None:
        msg = "GEOSUFF_DATA names the sample shipped with geosuff, which is read-only; "
        raise typer.BadParameter(msg + "give --data DIR", param_hint="--data")

    def show(outcome: FetchOutcome) -> None:
        typer.echo(f"{outcome.status:8} {outcome.entry:18} {outcome.path}  {outcome.detail}")

    outcomes = fetch_data(
        area,
        data_dir=data,
        sources_file=sources,
        only=only,
        refresh=refresh,
        timeout_s=timeout_s,
        retries=retries,
        report=show,
    )
    fetched = sum(o.status == "fetched" for o in outcomes)
    typer.echo(f"{fetched} fetched, {len(outcomes) - fetched} already present")
    credits = list(dict.fromkeys(o.attribution for o in outcomes if o.attribution))
    if credits:
        typer.echo("Maps and reports made from these files must credit: " + " | ".join(credits))


@app.command("list")
def list_(data: DataOption = None) -> None:
    """List the data files present, with vintage and age."""
    from geosuff.fetch import list_data

    folder = resolve_data_dir(data)
    table = list_data(folder)
    if table.empty:
        typer.echo(f"no data files in {folder}; run `geosuff data fetch --area AREA`")
        return
    typer.echo(f"data folder: {folder}")
    for row in table.itertuples(index=False):
        vintage = row.vintage or "-"
        origin = f"fetched {row.fetched[:10]}" if row.recorded else "not fetched by geosuff"
        typer.echo(
            f"{row.key:24} {row.path:48} {row.size_bytes / 1e6:9.1f} MB  "
            f"vintage {vintage:12} {row.age_days:7.1f} days old  ({origin})"
        )
