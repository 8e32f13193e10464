"""Options shared by the commands, their checks, and how results are reported.

Numeric options are checked when the command line is parsed (a bad value is a usage
error, exit code 2, before any work); ``--strict`` is enforced before any output is
written; files shipped with geosuff (seed lists, recipes) are found by name from any
folder, and ``--data sample`` names the Rutland sample shipped with geosuff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from geosuff.cli._supply_options import (
    BedUseOpt,
    CompleteOpt,
    CountBy,
    CountByOpt,
    IncludeDormantOpt,
    Layer,
    MinRatingOpt,
    NursingShareOpt,
    PartialOpt,
    Rating,
    Scope,
    ScopeOpt,
    supply_options,
)
from geosuff.io.area_layers import LayerFiles
from geosuff.io.files import write_table
from geosuff.io.layout import find_input, in_data_folder, resolve_data_dir
from geosuff.io.rejects import check_strict, summarise

__all__ = [
    "AreaOpt",
    "BedUseOpt",
    "BufferOpt",
    "CareHomesOpt",
    "CompleteOpt",
    "CountBy",
    "CountByOpt",
    "DataOpt",
    "ExtraCareOpt",
    "HomeCareOpt",
    "IncludeDormantOpt",
    "Layer",
    "LsoaOpt",
    "MaxMinutesOpt",
    "MinRatingOpt",
    "NursingShareOpt",
    "PartialOpt",
    "PopulationOpt",
    "PostcodesOpt",
    "Rating",
    "RejectsOpt",
    "Scope",
    "ScopeOpt",
    "StrictOpt",
    "check_output",
    "check_writable_folder",
    "data_file_option",
    "layer_files",
    "more_than_zero",
    "report_rejects",
    "seeds_value",
    "shipped_input",
    "supply_options",
]


def more_than_zero(value: float | None) -> float | None:
    """Check a number option is more than zero (a usage error otherwise).

    Parameters
    ----------
    value
        The option's value (``None`` when not given).

    Returns
    -------
    float or None
        The value.

    Raises
    ------
    typer.BadParameter
        If the value is zero or less (or not a number).
    """
    if value is not None and not value > 0:
        msg = f"must be more than 0, got {value:g}"
        raise typer.BadParameter(msg)
    return value


def shipped_input(path: Path | None, *kinds: str) -> Path | None:
    """Find a file option: the user's file when it exists, else the shipped file it names.

    Parameters
    ----------
    path
        The option's value.
    *kinds
        Kinds of shipped files (see :data:`geosuff.io.layout.SHIPPED`), e.g.
        ``"boundaries"`` for seed lists, ``"maps"`` for map recipes.

    Returns
    -------
    pathlib.Path or None
        The file to read.
    """
    return None if path is None else find_input(path, kinds)


def seeds_value(text: str) -> str:
    """Read ``--seeds``: a seed-list file (the user's or a shipped one), or towns.

    Parameters
    ----------
    text
        A file path, a shipped list's name (``wiltshire_15_zones``) or towns
        (``"Oakham,Uppingham"``).

    Returns
    -------
    str
        A path to a ``.toml`` file, or *text* unchanged.
    """
    found = find_input(text, ("boundaries",))
    return str(found) if found.is_file() and found.suffix.lower() == ".toml" else text


def data_file_option(path: Path | None, data: Path | None) -> Path | None:
    """Find a file option that may be relative to the data folder (e.g. ``--network``).

    Parameters
    ----------
    path
        The option's value.
    data
        The ``--data`` option.

    Returns
    -------
    pathlib.Path or None
        *path* when it exists, else the data folder's file of that name when there is one.
    """
    if path is None or path.exists():
        return path
    from geosuff._errors import DataMissingError

    try:
        folder = resolve_data_dir(data)
    except DataMissingError:
        return path
    return in_data_folder(path, folder)


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
        help="Data folder (default: $GEOSUFF_DATA, else ../shared/data); 'sample' for the "
        "Rutland sample shipped with geosuff.",
        file_okay=False,
    ),
]
BufferOpt = Annotated[
    float,
    typer.Option(
        "--buffer-km", min=0.0, help="Count demand and supply this far over the border (0: none)."
    ),
]
MaxMinutesOpt = Annotated[
    float,
    typer.Option("--max-minutes", callback=more_than_zero, help="Longest drive searched."),
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

    Raises
    ------
    ValidationError
        If the suffix is not one geosuff writes.
    OutputError
        If the folder cannot be created or written.
    """
    from geosuff._errors import ValidationError
    from geosuff.io.files import TABLE_SUFFIXES

    if path is None:
        return
    ok = allowed or TABLE_SUFFIXES
    if path.suffix.lower() not in ok:
        msg = f"{path}: cannot write {path.suffix or 'files without a suffix'}; use {', '.join(ok)}"
        raise ValidationError(msg)
    check_writable_folder(path.parent)


def check_writable_folder(folder: Path) -> None:
    """Fail before any work when an output folder cannot be created or written.

    Parameters
    ----------
    folder
        The folder an output goes to (it may not exist yet).

    Raises
    ------
    OutputError
        Naming the folder (or the file in the way of it).
    """
    import os

    from geosuff._errors import OutputError

    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        msg = "cannot create the output folder: a file has that name"
        raise OutputError(existing, msg)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(existing, "cannot write in this folder (permission denied)")


def report_rejects(rejects: pd.DataFrame, *, strict: bool, out: Path | None) -> None:
    """Print the reject counts and reasons on stderr, write them, and enforce ``--strict``.

    Commands call it before writing any output, so ``--strict`` fails with no output
    written (the rejects file, when asked for, is written first).

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
