"""Options shared by every command that reads layers, and how results are reported."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from geosuff.io.area_layers import LayerFiles
from geosuff.io.files import write_table
from geosuff.io.rejects import check_strict, summarise

__all__ = [
    "AreaOpt",
    "CareHomesOpt",
    "DataOpt",
    "ExtraCareOpt",
    "HomeCareOpt",
    "IncludeDormantOpt",
    "LsoaOpt",
    "MinRatingOpt",
    "PopulationOpt",
    "PostcodesOpt",
    "RejectsOpt",
    "StrictOpt",
    "check_output",
    "layer_files",
    "report_rejects",
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


class Rating(enum.StrEnum):
    """CQC overall ratings, best first (``--min-rating``)."""

    outstanding = "outstanding"
    good = "good"
    requires_improvement = "requires-improvement"
    inadequate = "inadequate"


MinRatingOpt = Annotated[
    Rating | None,
    typer.Option(
        "--min-rating",
        help="Keep only providers whose latest CQC overall rating is at least this (good: "
        "Good or Outstanding); the others and those not yet rated are listed as excluded. "
        "Needs a CQC file with ratings (HSCA active locations).",
        rich_help_panel="Provider filters",
    ),
]
IncludeDormantOpt = Annotated[
    bool,
    typer.Option(
        "--include-dormant",
        help="Keep locations CQC marks dormant (registered but not providing care); by "
        "default they are left out and listed.",
        rich_help_panel="Provider filters",
    ),
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
    lines = summarise(rejects)
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
