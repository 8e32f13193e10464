"""Options shared by every command that reads layers, and how results are reported."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from geosuff.io.area_layers import LayerFiles
from geosuff.io.files import write_table
from geosuff.io.rejects import check_strict, summarise

__all__ = [
    "AreaOpt",
    "BedUseOpt",
    "CareHomesOpt",
    "CompleteOpt",
    "CountByOpt",
    "DataOpt",
    "ExtraCareOpt",
    "HomeCareOpt",
    "LsoaOpt",
    "NursingShareOpt",
    "PartialOpt",
    "PopulationOpt",
    "PostcodesOpt",
    "RejectsOpt",
    "ScopeOpt",
    "StrictOpt",
    "check_output",
    "layer_files",
    "report_rejects",
    "supply_options",
]

_FILE = {"exists": False, "dir_okay": False, "rich_help_panel": "Layer files"}

AreaOpt = Annotated[
    str,
    typer.Option(
        "--area", "-a", help="Local authority code or name, e.g. Wiltshire, E06000054, BANES."
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data folder (default: $GEOSUFF_DATA, else ../shared/data).",
        file_okay=False,
    ),
]
LsoaOpt = Annotated[Path | None, typer.Option("--lsoa", help="LSOA boundaries file.", **_FILE)]
PopulationOpt = Annotated[
    Path | None,
    typer.Option("--population", help="Population estimates (single year of age).", **_FILE),
]
CareHomesOpt = Annotated[
    Path | None,
    typer.Option("--care-homes", help="Care homes file (CQC HSCA or directory, or CSV).", **_FILE),
]
HomeCareOpt = Annotated[
    Path | None, typer.Option("--home-care", help="Home care agencies file.", **_FILE)
]
ExtraCareOpt = Annotated[
    Path | None, typer.Option("--extra-care", help="Extra care schemes file.", **_FILE)
]
PostcodesOpt = Annotated[
    Path | None,
    typer.Option("--postcodes", help="Code-Point Open zip or ONSPD CSV.", **_FILE),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Fail (exit 2) if any input row is rejected.")
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(
        "--rejects", help="Write every rejected/repaired row to this CSV.", dir_okay=False
    ),
]


_SUPPLY = {"rich_help_panel": "Supply rules"}


class Scope(enum.StrEnum):
    """Which care homes count toward the 75+ benchmarks."""

    older_people = "older-people"
    all = "all"


class CountBy(enum.StrEnum):
    """What decides where a provider is counted when its coordinates and LA disagree."""

    cqc = "cqc"
    coordinates = "coordinates"


class Layer(enum.StrEnum):
    """Provider layers whose coverage can be declared."""

    care_homes = "care_homes"
    home_care = "home_care"
    extra_care = "extra_care"


ScopeOpt = Annotated[
    Scope,
    typer.Option(
        "--scope",
        help="older-people: care homes CQC registers for Older People or Dementia (default); "
        "all: every care home.",
        **_SUPPLY,
    ),
]
NursingShareOpt = Annotated[
    float | None,
    typer.Option(
        "--nursing-share",
        min=0.0,
        max=1.0,
        metavar="S",
        help="Count this share of the beds in nursing-registered homes as nursing, the rest "
        "residential (default: all of them, the registration rule).",
        **_SUPPLY,
    ),
]
BedUseOpt = Annotated[
    Path | None,
    typer.Option(
        "--bed-use",
        dir_okay=False,
        metavar="FILE",
        help="Nursing/residential beds per CQC location id (location_id, nursing_beds, "
        "residential_beds); homes not in it follow the rule above.",
        **_SUPPLY,
    ),
]
CompleteOpt = Annotated[
    list[Layer] | None,
    typer.Option(
        "--complete",
        metavar="LAYER",
        help="Declare a layer's list complete (care_homes, home_care, extra_care); repeatable.",
        **_SUPPLY,
    ),
]
PartialOpt = Annotated[
    list[Layer] | None,
    typer.Option(
        "--partial",
        metavar="LAYER",
        help="Declare a layer's list partial: no benchmark gaps from it; repeatable.",
        **_SUPPLY,
    ),
]
CountByOpt = Annotated[
    CountBy,
    typer.Option(
        "--count-by",
        help="When a provider's CQC local authority and coordinates disagree: count it "
        "where CQC says (cqc, default) or where its coordinates fall.",
        **_SUPPLY,
    ),
]


def supply_options(
    scope: Scope,
    nursing_share: float | None,
    bed_use: Path | None,
    complete: list[Layer] | None,
    partial: list[Layer] | None,
    count_by: CountBy,
) -> dict[str, Any]:
    """Bundle the supply-rule options as :func:`geosuff.load_area_layers` keywords.

    Parameters
    ----------
    scope, nursing_share, bed_use, complete, partial, count_by
        The option values.

    Returns
    -------
    dict
        ``scope``, ``nursing_share``, ``bed_use``, ``coverage``, ``count_by``.

    Raises
    ------
    ValidationError
        If a layer is declared both complete and partial.
    """
    from geosuff._errors import ValidationError

    declared = {layer.value: "complete" for layer in complete or []}
    both = sorted(layer.value for layer in partial or [] if layer.value in declared)
    if both:
        msg = f"--complete and --partial both given for {', '.join(both)}"
        raise ValidationError(msg)
    declared.update({layer.value: "partial" for layer in partial or []})
    return {
        "scope": scope.value,
        "nursing_share": nursing_share,
        "bed_use": bed_use,
        "coverage": declared,
        "count_by": count_by.value,
    }


def layer_files(
    lsoa: Path | None,
    population: Path | None,
    care_homes: Path | None,
    home_care: Path | None,
    extra_care: Path | None,
    postcodes: Path | None,
) -> LayerFiles:
    """Bundle the layer file options.

    Parameters
    ----------
    lsoa, population, care_homes, home_care, extra_care, postcodes
        The option values.

    Returns
    -------
    LayerFiles
        The overrides.
    """
    return LayerFiles(lsoa, population, care_homes, home_care, extra_care, postcodes)


def check_output(path: Path | None, allowed: tuple[str, ...] | None = None) -> None:
    """Fail before any work when an output path has a type geosuff cannot write.

    Parameters
    ----------
    path
        The ``--out`` value (``None`` is fine).
    allowed
        Allowed suffixes; default every table format of :func:`write_table`.
    """
    from geosuff._errors import ValidationError
    from geosuff.io.files import TABLE_SUFFIXES

    if path is None:
        return
    ok = allowed or TABLE_SUFFIXES
    if path.suffix.lower() not in ok:
        msg = f"{path}: cannot write {path.suffix or 'files without a suffix'}; use {', '.join(ok)}"
        raise ValidationError(msg)


def report_rejects(rejects: pd.DataFrame, *, strict: bool, out: Path | None) -> None:
    """Print the reject counts and reasons on stderr, write them, and enforce ``--strict``.

    Parameters
    ----------
    rejects
        The rejects table.
    strict
        Whether a rejected row is a failure.
    out
        CSV path for the full table, or ``None``.
    """
    lines = summarise(_collapse_excluded(rejects))
    n_rejected = int((rejects["action"] == "rejected").sum()) if not rejects.empty else 0
    if lines:
        typer.echo(f"{n_rejected} input rows rejected; by reason:", err=True)
        for line in lines:
            typer.echo(f"  {line}", err=True)
    if out is not None:
        write_table(rejects, out)
        typer.echo(f"rejects written to {out}", err=True)
    elif lines:
        typer.echo("  (use --rejects FILE for the full list)", err=True)
    check_strict(rejects, strict=strict)


def _collapse_excluded(rejects: pd.DataFrame) -> pd.DataFrame:
    """Count scope exclusions under one reason when printing (``--rejects`` has each)."""
    if rejects.empty:
        return rejects
    out = rejects.copy()
    scope = out["action"].eq("excluded") & out["reason"].astype(str).str.startswith("outside scope")
    out.loc[scope, "reason"] = (
        out.loc[scope, "reason"].astype(str).str.split(":").str[0]
        + ": not registered for Older People or Dementia"
    )
    return out
