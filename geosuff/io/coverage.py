"""Coverage verdicts: whether a layer lists all the supply of its kind in the area.

Each provider layer gets a :class:`~geosuff.io.provenance.Coverage` verdict,
``complete``, ``partial`` or ``unknown``, with its reason, decided in this order:

1. declared by the user (``--complete home_care``, ``--partial extra_care``);
2. declared for the file by the data folder (``catalogue.json`` coverage, or its
   README's notes marking the file **Partial**);
3. measures the source cannot give: a care homes file without bed counts, an extra
   care list without (or with only some) unit counts, no file at all: ``partial``;
4. declared by the layer definition that read it (``coverage = "complete"`` for a
   full register such as CQC's HSCA active locations);
5. plausibility: supply per 1,000 people aged 75+ under a quarter of England's
   (:data:`ENGLAND`) is ``partial``; otherwise ``unknown``.

A ``partial`` layer never yields a benchmark gap (see :mod:`geosuff.analysis.supply`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geosuff._errors import ValidationError
from geosuff.io.provenance import COVERAGE_STATUSES, Coverage

__all__ = [
    "ENGLAND",
    "ENGLAND_POP_75PLUS",
    "FAR_BELOW",
    "Reference",
    "assess_coverage",
    "check_declarations",
]

#: People aged 75+ in England, ONS mid-2020 small-area estimates (sum of the 32,844
#: English 2011 LSOAs in the data folder's population file).
ENGLAND_POP_75PLUS = 4_865_591

#: "Far below England" means under this share of England's rate per 1,000 aged 75+.
FAR_BELOW = 0.25


@dataclass(frozen=True)
class Reference:
    """England's supply of one kind, for plausibility checks.

    Attributes
    ----------
    measure
        What is counted (``"beds"``, ``"agencies"``, ``"units"``).
    england
        England's total.
    source
        Where the figure comes from.
    """

    measure: str
    england: float
    source: str

    @property
    def per_1000_75plus(self) -> float:
        """England's rate per 1,000 people aged 75+ (mid-2020 population)."""
        return self.england / ENGLAND_POP_75PLUS * 1000.0


#: England reference figures per layer (used only to recognise lists far too short to
#: be complete; the years differ from the population's, so they are approximate).
ENGLAND: dict[str, Reference] = {
    "care_homes": Reference(
        "beds",
        458_947,
        "CQC HSCA active locations, April 2021: 15,403 care homes, 458,947 beds",
    ),
    "home_care": Reference(
        "agencies",
        11_544,
        "CQC-registered domiciliary care services in England, January 2023 (Nuffield "
        "Trust, 'What does the provider market look like across the four countries?', "
        "March 2023)",
    ),
    "extra_care": Reference(
        "units",
        42_696,
        "extra care dwellings in England (Elderly Accommodation Counsel, August 2014, "
        "via Housing LIN 'Extra care statistics')",
    ),
}

_LABEL = {"care_homes": "care homes", "home_care": "home care", "extra_care": "extra care"}


def check_declarations(declared: Mapping[str, str] | None) -> dict[str, str]:
    """Validate user coverage declarations (layer -> status).

    Parameters
    ----------
    declared
        E.g. ``{"home_care": "complete", "extra_care": "partial"}``.

    Returns
    -------
    dict
        The declarations.

    Raises
    ------
    ValidationError
        For an unknown layer or status, or a layer declared twice differently.
    """
    out: dict[str, str] = {}
    for layer, status in (declared or {}).items():
        if layer not in ENGLAND:
            msg = f"coverage can be declared for {', '.join(ENGLAND)}; got {layer!r}"
            raise ValidationError(msg)
        if status not in COVERAGE_STATUSES:
            msg = f"coverage must be one of {', '.join(COVERAGE_STATUSES)}; got {status!r}"
            raise ValidationError(msg)
        out[layer] = status
    return out


def _amount(layer: str, data: pd.DataFrame) -> float:
    if data.empty:
        return 0.0
    if layer == "care_homes":
        return float(pd.to_numeric(data["beds"], errors="coerce").fillna(0).sum())
    if layer == "extra_care":
        return float(pd.to_numeric(data["units"], errors="coerce").fillna(0).sum())
    return float(len(data))


def _readme_partial(readme: Mapping[str, str] | None) -> str | None:
    notes = (readme or {}).get("notes", "")
    if "partial" not in notes.lower():
        return None
    text = " ".join(notes.replace("**", "").split())
    return f"the data folder's README marks this file as partial ({text})"


def assess_coverage(
    layer: str,
    data: pd.DataFrame | None,
    *,
    pop_75plus: float,
    facts: Mapping[str, Any] | None = None,
    declared: str | None = None,
    readme: Mapping[str, str] | None = None,
    catalogue: Mapping[str, Any] | None = None,
) -> Coverage:
    """Decide a provider layer's coverage verdict for an area.

    Parameters
    ----------
    layer
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    data
        The layer's providers in the area, or ``None`` when there is no file.
    pop_75plus
        People aged 75+ in the area.
    facts
        What the loader learnt from the file (``path``, ``has_beds``, ``has_units``,
        ``declared_coverage``, ``definition``; see
        :func:`geosuff.io.provider_checks.source_facts`).
    declared
        The user's declaration, if any.
    readme
        The data README's row for the file (:func:`geosuff.io.source_info.data_readme_entry`).
    catalogue
        The file's ``catalogue.json`` record.

    Returns
    -------
    Coverage
        The verdict and its reason.
    """
    facts = facts or {}
    ref = ENGLAND[layer]
    label = _LABEL[layer]
    if data is None:
        return Coverage("partial", f"no {label} file: nothing listed")
    amount = _amount(layer, data)
    rate = amount / pop_75plus * 1000.0 if pop_75plus > 0 else float("nan")
    measure = (
        ref.measure
        if round(amount) != 1
        else ref.measure.removesuffix("s").replace("agencie", "agency")
    )
    density = (
        f"{amount:,.0f} {measure} = {rate:.2f} per 1,000 aged 75+ "
        f"(England {ref.per_1000_75plus:.2f})"
    )
    far_below = rate < FAR_BELOW * ref.per_1000_75plus
    if declared is not None:
        reason = f"declared {declared} by the user"
        if declared == "complete" and far_below:
            reason += f"; note {density}"
        return Coverage(declared, reason)  # type: ignore[arg-type]
    status = (catalogue or {}).get("coverage")
    if status in COVERAGE_STATUSES:
        return Coverage(status, f"declared {status} in the data folder's catalogue")
    partial_note = _readme_partial(readme)
    if partial_note:
        return Coverage("partial", f"{partial_note}; {density}")
    if layer == "care_homes" and not facts.get("has_beds", True):
        return Coverage("partial", "no bed counts in the source: homes counted, beds unknown")
    if layer == "extra_care":
        if not facts.get("has_units", True):
            return Coverage(
                "partial", "no unit counts in the source: schemes counted, units unknown"
            )
        missing = int(pd.to_numeric(data["units"], errors="coerce").isna().sum())
        if missing:
            return Coverage(
                "partial", f"units not stated for {missing} of {len(data)} schemes; {density}"
            )
    by_definition = facts.get("declared_coverage")
    if by_definition in COVERAGE_STATUSES:
        said = facts.get("declared_reason")
        which = f"{facts.get('definition')}: {said}" if said else facts.get("definition")
        return Coverage(
            by_definition, f"declared {by_definition} by its layer definition ({which}); {density}"
        )
    if far_below:
        return Coverage(
            "partial",
            f"{density}: under a quarter of England's rate, so the list cannot be complete",
        )
    return Coverage("unknown", f"not declared complete; {density}")
