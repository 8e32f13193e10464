"""The ``--year`` and ``--years`` options, and the population footer every output prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import pandas as pd
import typer

__all__ = ["YearOpt", "YearsOpt", "echo_basis"]

YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Population year: the estimates' own by default; a later year projects them "
        "with the data folder's ONS subnational population projections (ons/snpp*).",
        min=1900,
        max=2200,
    ),
]
YearsOpt = Annotated[
    str | None,
    typer.Option(
        "--years",
        help="Several years, e.g. 2025,2030,2035,2040 or 2025-2040:5: one row per unit and year.",
    ),
]


def echo_basis(pairs: Iterable[tuple[int | None, str]], *, err: bool = False) -> None:
    """Print which population the figures are for: one line per basis, with its years.

    Parameters
    ----------
    pairs
        ``(year, population_basis)`` pairs, one per output row or year; years whose
        basis differs only by the year are printed on one line.
    err
        Print on stderr (when stdout carries a table or JSON).
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for year, basis in dict.fromkeys(pairs):
        known = year is not None and year is not pd.NA
        text = basis.replace(f" for {year},", " for each year,") if known else basis
        groups.setdefault(text, []).append((str(year) if known else "", basis))
    for text, members in groups.items():
        years = [y for y, _ in members if y]
        shown = members[0][1] if len(members) == 1 else text
        label = f"population {', '.join(years)}" if years else "population"
        typer.echo(f"{label}: {shown}", err=err)
