"""Which care homes count toward the benchmarks for people aged 75+ (the scope).

The benchmarks (residential and nursing beds per 1,000 aged 75+) describe care for
older people. By default (``older-people``) only homes that CQC registers for the
service user band *Older People* or *Dementia* count; homes registered only for
younger adults (learning disabilities, mental health, physical disability, ...) are
left out and listed, each with the bands it is registered for. ``all`` counts every
home, as geosuff did before scopes existed.

A source that states no bands (a hand-made list) cannot be checked: its homes are
counted and flagged.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._errors import ValidationError
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = ["DEFAULT_SCOPE", "SCOPES", "apply_scope", "check_scope", "describe_scope"]

#: The scopes a command accepts.
SCOPES = ("older-people", "all")
#: The scope used when none is given.
DEFAULT_SCOPE = "older-people"


def check_scope(scope: str) -> str:
    """Return *scope* normalised, or raise a one-line error.

    Parameters
    ----------
    scope
        ``"older-people"`` (``"older_people"`` also accepted) or ``"all"``.

    Returns
    -------
    str
        The scope as in :data:`SCOPES`.

    Raises
    ------
    ValidationError
        For any other value.
    """
    text = str(scope).strip().lower().replace("_", "-")
    if text not in SCOPES:
        msg = f"scope must be one of {', '.join(SCOPES)}; got {scope!r}"
        raise ValidationError(msg)
    return text


def describe_scope(scope: str) -> str:
    """Say in words which care homes a scope counts.

    Parameters
    ----------
    scope
        One of :data:`SCOPES`.

    Returns
    -------
    str
        One sentence for footers and provenance records.
    """
    if check_scope(scope) == "all":
        return "all: every care home counts, whatever service user bands it is registered for"
    return (
        "older-people: care homes registered by CQC for the service user band Older People "
        "or Dementia; homes registered only for younger adults are left out and listed"
    )


def _bands_text(bands: object) -> str:
    if bands is None or (isinstance(bands, float) and np.isnan(bands)) or pd.isna(bands):
        return "no service user bands stated"
    text = re.sub(r"\s+", " ", str(bands)).strip()
    return f"registered for {text}" if text else "registered for no service user band"


def apply_scope(
    homes: gpd.GeoDataFrame, scope: str, *, source: str = "care homes"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Keep the care homes a scope counts; list the others.

    Parameters
    ----------
    homes
        A care homes layer (``older_people`` and ``dementia`` flags, nullable;
        ``service_user_bands`` text when the source has it).
    scope
        One of :data:`SCOPES`.
    source
        Source label for the rejects table.

    Returns
    -------
    kept : geopandas.GeoDataFrame
        The homes in scope (every home for ``all``).
    listed : pandas.DataFrame
        Rejects-table rows: ``excluded`` for homes out of scope (the reason names
        their bands), ``flagged`` for homes whose source states no bands.
    """
    scope = check_scope(scope)
    if scope == "all" or homes.empty:
        return homes, empty_rejects()
    older = homes["older_people"] if "older_people" in homes else pd.Series(pd.NA, homes.index)
    dementia = homes["dementia"] if "dementia" in homes else pd.Series(pd.NA, homes.index)
    older, dementia = older.astype("boolean"), dementia.astype("boolean")
    unknown = older.isna() & dementia.isna()
    in_scope = (older.fillna(False) | dementia.fillna(False)).astype(bool) | unknown
    bands = homes.get("service_user_bands", None)
    out = homes[~in_scope]
    reasons = [
        f"outside scope older-people: {_bands_text(bands.loc[i] if bands is not None else None)}"
        for i in out.index
    ]
    listed = [
        make_rejects(
            source,
            _column(homes, "line", out.index),
            out["provider_id"],
            out["name"] if "name" in out else [None] * len(out),
            reasons,
            action="excluded",
        ),
        make_rejects(
            source,
            _column(homes, "line", homes.index[unknown]),
            homes.loc[unknown, "provider_id"],
            homes.loc[unknown, "name"] if "name" in homes else [None] * int(unknown.sum()),
            "service user bands not in this source: counted, scope older-people not checked",
            action="flagged",
        ),
    ]
    parts = [p for p in listed if not p.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    return homes[in_scope], rejects


def _column(frame: pd.DataFrame, name: str, index: pd.Index) -> list[object]:
    if name in frame:
        return frame.loc[index, name].tolist()
    return [None] * len(index)
