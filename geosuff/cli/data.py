"""``geosuff data``: fetch public data into the data folder, list it, check the sources."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from geosuff.io.layout import resolve_data_dir

app = typer.Typer(no_args_is_help=True, help="Download, list and check the data geosuff reads.")


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """Parse repeated ``ENTRY=VALUE`` options."""
    from geosuff._errors import ValidationError

    out: dict[str, str] = {}
    for value in values or []:
        entry, sep, rest = value.partition("=")
        if not sep or not entry.strip() or not rest.strip():
            msg = f"{option} {value!r}: expected ENTRY=VALUE, e.g. {option} cqc_locations=..."
            raise ValidationError(msg)
        out[entry.strip()] = rest.strip()
    return out


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
    url: Annotated[
        list[str] | None,
        typer.Option(
            "--url",
            help="ENTRY=URL: download this entry from URL instead (repeatable), e.g. "
            "cqc_locations=https://.../01_November_2025_HSCA_Active_Locations.ods",
        ),
    ] = None,
    file: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            help="ENTRY=PATH: a file you downloaded, copied in as that entry (repeatable), "
            "e.g. cqc_locations=~/Downloads/01_November_2025_HSCA_Active_Locations.ods",
        ),
    ] = None,
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
        urls=_pairs(url, "--url"),
        files=_pairs(file, "--file"),
        timeout_s=timeout_s,
        retries=retries,
        report=show,
    )
    fetched = sum(o.status in ("fetched", "placed") for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    line = f"{fetched} fetched, {len(outcomes) - fetched - skipped} already present"
    typer.echo(line + (f", {skipped} skipped (need a URL)" if skipped else ""))
    credits = list(dict.fromkeys(o.attribution for o in outcomes if o.attribution))
    if credits:
        typer.echo("Maps and reports made from these files must credit: " + " | ".join(credits))


@app.command("list")
def list_(data: DataOption = None) -> None:
    """List the data files present, with vintage (from the catalogue, README or file)."""
    from geosuff.fetch import list_data

    folder = resolve_data_dir(data)
    table = list_data(folder)
    if table.empty:
        typer.echo(f"no data files in {folder}; run `geosuff data fetch --area AREA`")
        return
    typer.echo(f"data folder: {folder}")
    for row in table.itertuples(index=False):
        vintage = f"{row.vintage} ({row.vintage_from})" if row.vintage else "unknown"
        if row.recorded:
            origin = f"fetched {row.fetched[:10]}, {row.age_days:.1f} days ago"
        else:
            origin = "not fetched by geosuff"
        typer.echo(
            f"{row.key:24} {row.path:48} {row.size_bytes / 1e6:9.1f} MB  "
            f"vintage {vintage:32} {origin}"
        )


@app.command("check-sources")
def check_sources_(
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Sources file (default: GEOSUFF_SOURCES, then the shipped sources.toml).",
        ),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Check only this entry (repeatable).")
    ] = None,
    timeout_s: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds before a request fails.")
    ] = 30.0,
) -> None:
    """Check, entry by entry, that each source answers and serves the expected format.

    Needs internet. Exits 1 when any entry fails.
    """
    from geosuff.fetch.check import check_sources

    results = check_sources(sources, only=only, timeout_s=timeout_s)
    for r in results:
        typer.echo(f"{r.status:8} {r.entry:20} {r.detail}" + (f"  <{r.url}>" if r.url else ""))
    failed = sum(r.status == "failed" for r in results)
    ok = sum(r.status == "ok" for r in results)
    typer.echo(f"{ok} ok, {failed} failed, {len(results) - ok - failed} skipped")
    if failed:
        raise typer.Exit(1)
