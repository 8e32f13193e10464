"""``geosuff zones``: propose, check and compare home care zones."""

from __future__ import annotations

import enum
import json
import tomllib
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geosuff._errors import InputFileError, ValidationError
from geosuff.analysis.runs import home_care_travel
from geosuff.cli._network_option import NetworkOpt, load_network_option
from geosuff.cli._options import AreaOpt, DataOpt, seeds_value, shipped_input
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
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.files import atomic_path, write_table
from geosuff.zones.check import ZoneCheck, ZoneThresholds, check_zones
from geosuff.zones.compare import compare_checks
from geosuff.zones.groups import zone_assignment
from geosuff.zones.propose import propose_zones, zone_polygons
from geosuff.zones.report import render_report
from geosuff.zones.seeds import parse_seeds, resolve_seeds

app = typer.Typer(no_args_is_help=True, help="Propose, check and compare home care zones.")

EXIT_PROBLEMS = 1


class Format(enum.StrEnum):
    """Summary formats printed on stdout."""

    table = "table"
    json = "json"


OutsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--out",
        "-o",
        help="Write results; repeatable. .html report, .json (all), .csv (zone table; "
        "problems beside it as *_problems.csv).",
    ),
]
ThresholdsOpt = Annotated[
    Path | None, typer.Option("--thresholds", help="TOML file with a [zones] table of thresholds.")
]
DaysOpt = Annotated[
    int,
    typer.Option(
        "--days",
        "--runs",
        min=1,
        help="Simulated days of care rounds (keep the default to match runs and gaps).",
    ),
]


def _thresholds(path: Path | None) -> ZoneThresholds:
    if path is None:
        return ZoneThresholds()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"cannot read thresholds ({exc})") from exc
    return ZoneThresholds.from_mapping(raw.get("zones", raw))


def _area_of(area: str | None, seeds_area: str | None) -> str:
    chosen = area or seeds_area
    if not chosen:
        msg = "give --area (the seed list does not name one)"
        raise ValidationError(msg)
    return chosen


def _write_check(check: ZoneCheck, outs: list[Path], title: str, comparison: Any = None) -> None:
    for out in outs:
        suffix = out.suffix.lower()
        if suffix in (".html", ".htm"):
            page = render_report(
                title, check.overall, check.zones, check.problems, comparison=comparison
            )
            with atomic_path(out) as tmp:
                tmp.write_text(page, encoding="utf-8")
        elif suffix == ".json":
            payload = {
                "overall": check.overall,
                "zones": json.loads(check.zones.drop(columns="geometry").to_json(orient="records")),
                "problems": json.loads(check.problems.to_json(orient="records")),
            }
            if comparison is not None:
                payload["comparison"] = json.loads(comparison.to_json(orient="records"))
            with atomic_path(out) as tmp:
                tmp.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
        elif suffix == ".csv":
            frame = comparison if comparison is not None else check.zones.drop(columns="geometry")
            write_table(pd.DataFrame(frame), out)
            write_table(check.problems, out.with_name(f"{out.stem}_problems.csv"))
        else:
            write_table(check.zones, out)
        typer.echo(f"written {out}", err=True)


def _print_check(check: ZoneCheck, fmt: Format, title: str) -> None:
    if fmt is Format.json:
        typer.echo(
            json.dumps(
                {
                    "overall": check.overall,
                    "problems": json.loads(check.problems.to_json(orient="records")),
                },
                indent=2,
                default=str,
            )
        )
        return
    console = Console(width=200)
    cols = [
        "zone",
        "n_lsoas",
        "pop_75plus",
        "home_care_agencies",
        "beds",
        "parts_adjacency",
        "centre_minutes_p90",
        "pair_minutes_median",
        "home_care_minutes_per_visit",
        "home_care_minutes_per_visit_p90",
        "lsoas_nearer_other",
    ]
    table = Table(title=title, title_justify="left")
    for c in cols:
        label = c.replace("home_care_", "").replace("_", " ")
        table.add_column(label, justify="left" if c == "zone" else "right")
    for row in check.zones[cols].itertuples(index=False):
        table.add_row(*[f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)
    o = check.overall
    console.print(
        f"{o['zones']} zones, {o['lsoas']} LSOAs ({o['lsoas_in_no_zone']} in no zone, "
        f"{o['lsoas_in_several_zones']} in several); travel per visit "
        f"{o['home_care_minutes_per_visit']:.1f} min (mean over all visits); drive times: "
        f"{o['travel_method']}"
    )
    if check.problems.empty:
        console.print("No problems found.")
    for p in check.problems.itertuples(index=False):
        console.print(
            f"PROBLEM {p.zone}: {p.rule} = {p.figure} (threshold {p.threshold}) - {p.detail}",
            markup=False,
        )


@app.command("propose")
def propose(
    seeds: Annotated[
        str,
        typer.Option(
            "--seeds",
            help="Seed list: a TOML file, a shipped list's name (wiltshire_15_zones) or "
            "towns 'Oakham,Uppingham'.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help=".geojson/.gpkg/.parquet polygons or .csv of LSOAs.")
    ],
    area: Annotated[
        str | None, typer.Option("--area", "-a", help="Area (default: the seed list's).")
    ] = None,
    data: DataOpt = None,
    network: NetworkOpt = None,
    balance: Annotated[
        bool, typer.Option(help="Even out 75+ population, keeping zones whole.")
    ] = False,
    tolerance: Annotated[
        float, typer.Option(min=0.0, help="Allowed excess over the mean when balancing.")
    ] = 0.25,
    days: DaysOpt = 50,
    scope: ScopeOpt = Scope.older_people,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: CountByOpt = CountBy.cqc,
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Build zones: every LSOA to its nearest seed town by drive time."""
    rules = rule_options(
        scope, nursing_share, bed_use, complete, partial, count_by, min_rating, include_dormant
    )
    seed_list = parse_seeds(seeds_value(seeds))
    layers = load_area_layers(_area_of(area, seed_list.area), data_dir=data, **rules)
    points = resolve_seeds(seed_list, layers, data_dir=data)
    net = load_network_option(network, data)
    assignment = propose_zones(layers, points, network=net, balance=balance, tolerance=tolerance)
    travel = home_care_travel(
        layers, groups=assignment.set_index("lsoa_code")["zone"], network=net, days=days
    ).zones.set_index("zone")
    if out.suffix.lower() == ".csv":
        write_table(assignment, out)
    else:
        polys = zone_polygons(layers.population, assignment)
        for col in ("home_care_minutes_per_visit", "home_care_minutes_per_visit_p90"):
            polys[col] = polys["zone"].map(travel[col]).to_numpy()
        polys["method"] = assignment["method"].iloc[0]
        polys["note"] = "proposed from seed towns; not an official boundary"
        write_table(polys, out)
    counts = assignment["zone"].value_counts()
    typer.echo(
        f"{len(counts)} zones for {len(assignment)} LSOAs written to {out} "
        f"(drive times: {assignment['method'].iloc[0]}; balancing moves: "
        f"{assignment.attrs.get('moves', 0)})"
    )
    for seed in points.itertuples(index=False):
        typer.echo(f"  seed {seed.seed!r} -> {seed.matched} ({seed.zone})", err=True)
    for zone, row in travel.iterrows():
        typer.echo(
            f"  {zone}: care-worker travel {row['home_care_minutes_per_visit']:.1f} min per "
            f"visit (p90 {row['home_care_minutes_per_visit_p90']:.1f}), as `zones check` reports"
        )


def _check(
    layers: AreaLayers,
    zones: Path,
    data: Path | None,
    net: object | None,
    th: ZoneThresholds,
    days: int,
    access_table: Any = None,
) -> ZoneCheck:
    # A seed list is checked as the zones proposed from it.
    target = (
        zone_assignment(zones, layers, network=net, data_dir=data).data
        if zones.suffix.lower() == ".toml"
        else zones
    )
    return check_zones(
        layers,
        target,
        network=net,
        data_dir=data,
        thresholds=th,
        days=days,
        access_table=access_table,
    )


@app.command("check")
def check(
    zones: Annotated[
        Path, typer.Argument(help="Zone polygons, LSOA/ward CSV, or a seed list TOML.")
    ],
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    outs: OutsOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    thresholds: ThresholdsOpt = None,
    days: DaysOpt = 50,
    fail_on_problems: Annotated[
        bool, typer.Option("--fail-on-problems", help="Exit 1 when any problem is found.")
    ] = False,
    scope: ScopeOpt = Scope.older_people,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: CountByOpt = CountBy.cqc,
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Check a zoning: coverage, contiguity, balance, travel; list every problem.

    Beds per zone follow the supply rules (--scope etc.).
    """
    rules = rule_options(
        scope, nursing_share, bed_use, complete, partial, count_by, min_rating, include_dormant
    )
    zones = shipped_input(zones, "boundaries")  # type: ignore[assignment]
    layers = load_area_layers(area, data_dir=data, **rules)
    net = load_network_option(network, data)
    result = _check(layers, zones, data, net, _thresholds(thresholds), days)
    title = f"Zone check: {zones.name} for {layers.area.name}"
    _write_check(result, outs or [], title)
    _print_check(result, fmt, title)
    if fail_on_problems and not result.problems.empty:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command("compare")
def compare(
    zones_a: Annotated[Path, typer.Argument(help="First zoning (file or seed list).")],
    zones_b: Annotated[Path, typer.Argument(help="Second zoning (file or seed list).")],
    area: AreaOpt,
    data: DataOpt = None,
    network: NetworkOpt = None,
    outs: OutsOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    thresholds: ThresholdsOpt = None,
    days: DaysOpt = 50,
    scope: ScopeOpt = Scope.older_people,
    nursing_share: NursingShareOpt = None,
    bed_use: BedUseOpt = None,
    complete: CompleteOpt = None,
    partial: PartialOpt = None,
    count_by: CountByOpt = CountBy.cqc,
    min_rating: MinRatingOpt = None,
    include_dormant: IncludeDormantOpt = False,
) -> None:
    """Compare two zonings of one area side by side (travel, balance, gaps).

    Beds and access follow the supply rules (--scope etc.).
    """
    from geosuff.analysis.access import access
    from geosuff.io.surroundings import load_surroundings

    zones_a = shipped_input(zones_a, "boundaries")  # type: ignore[assignment]
    zones_b = shipped_input(zones_b, "boundaries")  # type: ignore[assignment]
    rules = rule_options(
        scope, nursing_share, bed_use, complete, partial, count_by, min_rating, include_dormant
    )
    layers = load_area_layers(area, data_dir=data, **rules)
    net = load_network_option(network, data)
    th = _thresholds(thresholds)
    acc = access(layers, network=net, surroundings=load_surroundings(layers, data_dir=data))
    a = _check(layers, zones_a, data, net, th, days, acc)
    b = _check(layers, zones_b, data, net, th, days, acc)
    names = (zones_a.stem, zones_b.stem)
    if names[0] == names[1]:
        names = (f"A: {zones_a}", f"B: {zones_b}")
    table = compare_checks(a, b, names=names)
    title = f"Zones compared for {layers.area.name}: {names[0]} vs {names[1]}"
    _write_check(b, outs or [], title, comparison=table)
    if fmt is Format.json:
        typer.echo(table.to_json(orient="records", indent=2))
        return
    out = Table(title=title, title_justify="left")
    for c in table.columns:
        out.add_column(str(c), justify="left" if c in ("measure", "note") else "right")
    for row in table.itertuples(index=False):
        out.add_row(
            *[f"{v:,.2f}" if isinstance(v, float) else ("" if v is None else str(v)) for v in row]
        )
    Console(width=200).print(out)
