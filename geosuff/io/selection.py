"""Which rows of a provider file belong to a layer: service type, dormancy, rating.

A multi-service file (CQC's HSCA active locations, its care directory) holds care
homes, home care agencies, extra care services and much else; the layer's flag
picks its rows. Locations CQC marks dormant are left out unless asked for, and
``min_rating`` keeps only locations rated at least that well; everything left out
is listed (``action="excluded"``) so nothing leaves a count unseen.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geosuff._errors import ValidationError
from geosuff.io.layerdefs import LayerDefinition
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = ["RATINGS", "leave_out", "rating_rank", "select_rows"]


def select_rows(canon: pd.DataFrame, layer: str, definition: LayerDefinition) -> pd.Series:
    """Return a boolean mask of the rows that belong to *layer*.

    Parameters
    ----------
    canon
        The canonical table (:func:`geosuff.io.layerdefs.apply_definition`).
    layer
        ``"care_homes"``, ``"home_care"`` or ``"extra_care"``.
    definition
        The definition the table was read with.

    Returns
    -------
    pandas.Series
        True for the rows of *layer*.

    Notes
    -----
    A definition whose file has the layer's flag column (``domiciliary`` for home
    care, ``extra_care`` for extra care, ``care_home``/``nursing``/``residential``
    for care homes) selects by it; otherwise every row is taken.
    """
    if layer == "care_homes":
        known = [
            f
            for f in ("care_home", "nursing", "residential")
            if f in definition.flags and canon[f].notna().any()
        ]
        if not known:
            return pd.Series(True, index=canon.index)
        mask = pd.Series(False, index=canon.index)
        for flag in known:
            mask |= canon[flag].fillna(False).astype(bool)
        return mask
    flag = "domiciliary" if layer == "home_care" else "extra_care"
    if flag in definition.flags and canon[flag].notna().any():
        return canon[flag].fillna(False).astype(bool)
    # The file cannot say (no such column): every row is taken to be of this layer.
    return pd.Series(True, index=canon.index)


#: CQC overall ratings, best first, as ``--min-rating`` spells them.
RATINGS = ("outstanding", "good", "requires-improvement", "inadequate")


def rating_rank(text: pd.Series) -> pd.Series:
    """Rank CQC rating texts: 0 outstanding .. 3 inadequate; NA when not rated.

    Parameters
    ----------
    text
        Ratings as CQC writes them ("Good", "Requires improvement", ...).

    Returns
    -------
    pandas.Series
        Float ranks, NA for blanks and "Not yet rated".
    """
    key = text.astype("string").str.strip().str.lower().str.replace(" ", "-", regex=False)
    return key.map({r: i for i, r in enumerate(RATINGS)}).astype("Float64")


def leave_out(
    canon: pd.DataFrame,
    *,
    include_dormant: bool,
    min_rating: str | None,
    has_rating: bool,
    source: str,
    path: Path,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop dormant locations and those rated below *min_rating*, listing each one.

    Parameters
    ----------
    canon
        The layer's rows (canonical columns plus ``line``).
    include_dormant
        Keep rows flagged ``dormant``.
    min_rating
        One of :data:`RATINGS`, or ``None`` for no rating filter.
    has_rating
        Whether the source has a rating column.
    source, path
        For the rejects table and messages.

    Returns
    -------
    kept : pandas.DataFrame
        The rows left.
    excluded : pandas.DataFrame
        A rejects table (``action="excluded"``) of the rows left out, with reasons.

    Raises
    ------
    ValidationError
        If *min_rating* is unknown or the source has no ratings.
    """
    out: list[pd.DataFrame] = []
    keep = pd.Series(True, index=canon.index)
    if not include_dormant:
        dormant = canon["dormant"].fillna(False).astype(bool)
        if dormant.any():
            out.append(
                make_rejects(
                    source,
                    canon.loc[dormant, "line"],
                    canon.loc[dormant, "provider_id"],
                    canon.loc[dormant, "name"],
                    "dormant location (registered but not providing care): left out",
                    action="excluded",
                )
            )
            keep &= ~dormant
    if min_rating is not None:
        wanted = min_rating.strip().lower().replace(" ", "-")
        if wanted not in RATINGS:
            msg = f"min_rating {min_rating!r} is not one of {', '.join(RATINGS)}"
            raise ValidationError(msg)
        if not has_rating:
            msg = (
                f"{path}: --min-rating {wanted} needs a rating column, and this file has none "
                "(give CQC's HSCA active locations file for this layer, or drop --min-rating)"
            )
            raise ValidationError(msg)
        rank = rating_rank(canon["rating"])
        below = keep & (rank.isna() | rank.gt(RATINGS.index(wanted))).fillna(True).astype(bool)
        reasons = [
            f"rated {r} (below {wanted}): left out"
            if isinstance(r, str) and r.strip()
            else f"not rated (minimum {wanted} asked): left out"
            for r in canon.loc[below, "rating"]
        ]
        out.append(
            make_rejects(
                source,
                canon.loc[below, "line"],
                canon.loc[below, "provider_id"],
                canon.loc[below, "name"],
                reasons,
                action="excluded",
            )
        )
        keep &= ~below
    excluded = [r for r in out if not r.empty]
    return canon[keep], pd.concat(excluded, ignore_index=True) if excluded else empty_rejects()
