"""Options for which providers count and how.

CQC rating and dormancy filters, and the supply rules (older-people scope,
nursing/residential bed split, declared coverage, where a provider counts).
Re-exported by :mod:`geosuff.cli._options`.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "BedUseOpt",
    "CompleteOpt",
    "CountBy",
    "CountByOpt",
    "IncludeDormantOpt",
    "Layer",
    "MinRatingOpt",
    "NursingShareOpt",
    "PartialOpt",
    "Rating",
    "RecipeCountByOpt",
    "RecipeScopeOpt",
    "Scope",
    "ScopeOpt",
    "rule_options",
    "supply_options",
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


#: ``--scope`` for commands that read a recipe: not given keeps the recipe's scope.
RecipeScopeOpt = Annotated[
    Scope | None,
    typer.Option(
        "--scope",
        help="older-people: care homes CQC registers for Older People or Dementia; all: "
        "every care home (default: the recipe's scope, else older-people).",
        **_SUPPLY,
    ),
]
#: ``--count-by`` for commands that read a recipe: not given keeps the recipe's.
RecipeCountByOpt = Annotated[
    CountBy | None,
    typer.Option(
        "--count-by",
        help="When a provider's CQC local authority and coordinates disagree: count it "
        "where CQC says (cqc) or where its coordinates fall (default: the recipe's, else cqc).",
        **_SUPPLY,
    ),
]


def supply_options(
    scope: Scope | None,
    nursing_share: float | None,
    bed_use: Path | None,
    complete: list[Layer] | None,
    partial: list[Layer] | None,
    count_by: CountBy | None,
) -> dict[str, Any]:
    """Bundle the supply-rule options as :func:`geosuff.load_area_layers` keywords.

    Parameters
    ----------
    scope, nursing_share, bed_use, complete, partial, count_by
        The option values (``None`` for a scope or count rule not given, with the
        recipe options).

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
        "scope": scope.value if scope is not None else None,
        "nursing_share": nursing_share,
        "bed_use": bed_use,
        "coverage": declared,
        "count_by": count_by.value if count_by is not None else None,
    }


def rule_options(
    scope: Scope | None,
    nursing_share: float | None,
    bed_use: Path | None,
    complete: list[Layer] | None,
    partial: list[Layer] | None,
    count_by: CountBy | None,
    min_rating: Rating | None,
    include_dormant: bool,
) -> dict[str, Any]:
    """Bundle every supply-rule option, provider filters included, as keywords.

    Parameters
    ----------
    scope, nursing_share, bed_use, complete, partial, count_by
        The supply-rule options (see :func:`supply_options`).
    min_rating, include_dormant
        The provider filters.

    Returns
    -------
    dict
        The keywords of :func:`supply_options`, and ``min_rating`` (text or
        ``None``) and ``include_dormant``.
    """
    out = supply_options(scope, nursing_share, bed_use, complete, partial, count_by)
    out["min_rating"] = min_rating.value if min_rating is not None else None
    out["include_dormant"] = include_dormant
    return out
