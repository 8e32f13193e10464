"""The supply rules as one value: which providers count, and how their beds are split.

Everywhere geosuff computes supply or access the same rules apply, under the same
names: the keywords of :func:`geosuff.load_area_layers` in the Python API
(``scope=``, ``nursing_share=``, ``bed_use=``, ``coverage=``, ``count_by=``,
``min_rating=``, ``include_dormant=``; :func:`geosuff.report` takes them too), keys of
the same names in map and batch recipes, and ``--scope``, ``--nursing-share``,
``--bed-use``, ``--complete``/``--partial``, ``--count-by``, ``--min-rating`` and
``--include-dormant`` on the command line.

In a recipe (TOML) the rules read::

    scope = "all"                      # or "older-people" (the default)
    nursing_share = 0.6                # or bed_use = "capacity_tracker.csv"
    count_by = "coordinates"           # or "cqc" (the default)
    min_rating = "good"                # needs a CQC file with ratings
    include_dormant = true
    complete = ["home_care"]           # coverage declarations, or a table:
    [coverage]
    extra_care = "partial"

:class:`SupplyRules` holds them, checked; :func:`read_rules` reads them from a
recipe's table, reporting each problem with its key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geosuff._errors import ValidationError
from geosuff.io.coverage import check_declarations
from geosuff.io.placement import COUNT_BY, check_count_by
from geosuff.io.provenance import COVERAGE_STATUSES
from geosuff.io.scope import DEFAULT_SCOPE, SCOPES, check_scope
from geosuff.io.selection import RATINGS

__all__ = ["RULE_KEYS", "SupplyRules", "read_rules"]

#: Keys a recipe table may use for the supply rules (``complete``/``partial`` are
#: lists of layers, an alternative to the ``coverage`` table).
RULE_KEYS = (
    "scope",
    "nursing_share",
    "bed_use",
    "coverage",
    "complete",
    "partial",
    "count_by",
    "min_rating",
    "include_dormant",
)
_LAYERS = ("care_homes", "home_care", "extra_care")


@dataclass(frozen=True)
class SupplyRules:
    """The rules that decide which providers count and how their beds are split.

    Attributes
    ----------
    scope
        ``"older-people"`` (care homes CQC registers for Older People or Dementia) or
        ``"all"``.
    nursing_share
        Share of the beds in nursing-registered homes counted as nursing (0..1);
        ``None`` for the registration rule (all of them).
    bed_use
        Nursing/residential beds per CQC location id (a file), or ``None``.
    coverage
        Declared coverage of provider layers, e.g. ``{"home_care": "complete"}``.
    count_by
        ``"cqc"`` (a provider whose local authority and coordinates disagree counts
        where its source says) or ``"coordinates"``.
    min_rating
        Keep only providers rated at least this (``"good"``), or ``None``.
    include_dormant
        Keep locations CQC marks dormant.

    Raises
    ------
    ValidationError
        If a value is not one the rules accept (one line naming it).
    """

    scope: str = DEFAULT_SCOPE
    nursing_share: float | None = None
    bed_use: Path | None = None
    coverage: Mapping[str, str] = field(default_factory=dict)
    count_by: str = "cqc"
    min_rating: str | None = None
    include_dormant: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "scope", check_scope(self.scope))
        check_count_by(self.count_by)
        set_(self, "coverage", dict(sorted(check_declarations(self.coverage).items())))
        share = self.nursing_share
        if share is not None:
            if isinstance(share, bool) or not isinstance(share, int | float):
                msg = f"nursing_share must be a number from 0 to 1; got {share!r}"
                raise ValidationError(msg)
            if not 0.0 <= float(share) <= 1.0:
                msg = f"nursing_share must be from 0 to 1; got {share:g}"
                raise ValidationError(msg)
            set_(self, "nursing_share", float(share))
        if self.bed_use is not None:
            set_(self, "bed_use", Path(self.bed_use))
        if self.min_rating is not None:
            rating = str(self.min_rating).strip().lower().replace(" ", "-").replace("_", "-")
            if rating not in RATINGS:
                msg = f"min_rating must be one of {', '.join(RATINGS)}; got {self.min_rating!r}"
                raise ValidationError(msg)
            set_(self, "min_rating", rating)
        if not isinstance(self.include_dormant, bool):
            msg = f"include_dormant must be true or false; got {self.include_dormant!r}"
            raise ValidationError(msg)

    def load_kwargs(self) -> dict[str, Any]:
        """Return the rules as :func:`geosuff.load_area_layers` keywords.

        Returns
        -------
        dict
            ``scope``, ``nursing_share``, ``bed_use``, ``coverage``, ``count_by``,
            ``min_rating``, ``include_dormant``.
        """
        return {
            "scope": self.scope,
            "nursing_share": self.nursing_share,
            "bed_use": self.bed_use,
            "coverage": dict(self.coverage),
            "count_by": self.count_by,
            "min_rating": self.min_rating,
            "include_dormant": self.include_dormant,
        }

    def record(self) -> dict[str, Any]:
        """Return the rules as plain values (for manifests and output metadata).

        Returns
        -------
        dict
            The same keys as :meth:`load_kwargs`; ``bed_use`` as text or ``None``.
        """
        out = self.load_kwargs()
        out["bed_use"] = str(self.bed_use) if self.bed_use is not None else None
        return out

    def changes(self) -> dict[str, Any]:
        """Return the rules that differ from geosuff's defaults (plain values).

        Returns
        -------
        dict
            A subset of :meth:`record`; empty for the default rules.
        """
        default = SupplyRules().record()
        return {k: v for k, v in self.record().items() if v != default[k]}

    def notes(self) -> list[str]:
        """Say in words the rules a reader of the figures would not assume.

        The scope and bed split are stated with every bed figure (from the layers);
        these are the others, when they differ from the defaults.

        Returns
        -------
        list of str
            Sentences about provider filters, placement and declared coverage.
        """
        out = []
        if self.min_rating is not None:
            rating = self.min_rating.replace("-", " ")
            out.append(
                f"Only providers CQC rates {rating} or better are counted; the others, and "
                "those not yet rated, are left out and listed."
            )
        if self.include_dormant:
            out.append(
                "Locations CQC marks dormant (registered but not providing care) are counted."
            )
        if self.count_by == "coordinates":
            out.append(
                "Providers whose CQC local authority and coordinates disagree are counted "
                "where their coordinates fall, not where CQC places them."
            )
        if self.coverage:
            declared = "; ".join(
                f"{layer.replace('_', ' ')} {status}" for layer, status in self.coverage.items()
            )
            out.append(f"Coverage declared by the user: {declared}.")
        return out

    def updated(self, **given: Any) -> SupplyRules:
        """Return these rules with the given ones replacing them (``None`` keeps a rule).

        Coverage declarations are merged layer by layer (the given ones win); a
        ``False`` *include_dormant* keeps the current value.

        Parameters
        ----------
        **given
            Rule values, e.g. from command-line options.

        Returns
        -------
        SupplyRules
            The combined rules.
        """
        unknown = sorted(set(given) - set(SupplyRules.__dataclass_fields__))
        if unknown:
            msg = f"unknown supply rule(s) {', '.join(unknown)}"
            raise ValidationError(msg)
        changes = {k: v for k, v in given.items() if v is not None and v is not False}
        if "coverage" in changes:
            changes["coverage"] = {**self.coverage, **changes["coverage"]}
        return replace(self, **changes)


def _layers_list(value: object, key: str) -> tuple[list[str], str | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [], f"{key} must list layers ({', '.join(_LAYERS)})"
    bad = [v for v in value if v not in _LAYERS]
    if bad:
        return [], f"{key} = {bad!r}: layers are {', '.join(_LAYERS)}"
    return list(value), None


def _coverage(table: Mapping[str, Any]) -> tuple[dict[str, str] | None, list[tuple[str, str]]]:
    """Coverage declarations from ``[coverage]`` and/or ``complete``/``partial`` lists."""
    problems: list[tuple[str, str]] = []
    declared: dict[str, str] = {}
    if "coverage" in table:
        given = table["coverage"]
        if not isinstance(given, Mapping):
            problems.append(("coverage", 'coverage must be a table, e.g. home_care = "complete"'))
        else:
            for layer, status in given.items():
                if layer not in _LAYERS:
                    msg = f"coverage: unknown layer {layer!r}; layers are {', '.join(_LAYERS)}"
                elif status not in COVERAGE_STATUSES:
                    statuses = ", ".join(COVERAGE_STATUSES)
                    msg = f"coverage {layer} = {status!r}: use one of {statuses}"
                else:
                    declared[str(layer)] = str(status)
                    continue
                problems.append((f"coverage.{layer}", msg))
    for status in ("complete", "partial"):
        if status not in table:
            continue
        names, problem = _layers_list(table[status], status)
        if problem:
            problems.append((status, problem))
        for name in names:
            if declared.get(name, status) != status:
                problems.append((status, f"{name} is declared both {declared[name]} and {status}"))
            declared[name] = status
    given_any = any(k in table for k in ("coverage", "complete", "partial"))
    return (declared if given_any else None), problems


def read_rules(
    table: Mapping[str, Any], resolve: Callable[[str], Path] | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Read the supply rules a recipe table gives (the keys of :data:`RULE_KEYS`).

    Parameters
    ----------
    table
        A recipe, or one of its area entries.
    resolve
        Turns the ``bed_use`` text into a path (e.g. relative to the recipe's
        folder); default: the text as a path.

    Returns
    -------
    rules : dict
        The rules given, as :class:`SupplyRules` keywords (``coverage`` combines the
        ``[coverage]`` table and the ``complete``/``partial`` lists); only rules
        without problems.
    problems : list of tuple
        ``(key, message)`` for each value that cannot be used (``coverage.<layer>``
        for a declaration in the ``[coverage]`` table).
    """
    out: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    if "scope" in table:
        scope = table["scope"]
        text = scope.strip().lower().replace("_", "-") if isinstance(scope, str) else None
        if text in SCOPES:
            out["scope"] = text
        else:
            problems.append(("scope", f"scope = {scope!r}: use one of {', '.join(SCOPES)}"))
    if "nursing_share" in table:
        share = table["nursing_share"]
        if isinstance(share, bool) or not isinstance(share, int | float):
            problems.append(("nursing_share", f"nursing_share = {share!r} must be a number"))
        elif not 0 <= share <= 1:
            problems.append(("nursing_share", f"nursing_share = {share!r} must be from 0 to 1"))
        else:
            out["nursing_share"] = float(share)
    if "bed_use" in table:
        text = table["bed_use"]
        if not isinstance(text, str) or not text.strip():
            problems.append(("bed_use", "bed_use must name a file (text)"))
        else:
            out["bed_use"] = resolve(text) if resolve is not None else Path(text)
    if "count_by" in table:
        if table["count_by"] in COUNT_BY:
            out["count_by"] = table["count_by"]
        else:
            msg = f"count_by = {table['count_by']!r}: use one of {', '.join(COUNT_BY)}"
            problems.append(("count_by", msg))
    if "min_rating" in table:
        rating = table["min_rating"]
        if isinstance(rating, str) and rating.strip().lower().replace("_", "-") in RATINGS:
            out["min_rating"] = rating.strip().lower().replace("_", "-")
        else:
            msg = f"min_rating = {rating!r}: use one of {', '.join(RATINGS)}"
            problems.append(("min_rating", msg))
    if "include_dormant" in table:
        if isinstance(table["include_dormant"], bool):
            out["include_dormant"] = table["include_dormant"]
        else:
            problems.append(("include_dormant", "include_dormant must be true or false"))
    declared, coverage_problems = _coverage(table)
    problems += coverage_problems
    if declared is not None:
        out["coverage"] = declared
    return out, problems
