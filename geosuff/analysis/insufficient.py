"""Blank the ratios and gaps that partial data cannot support, saying why.

A layer whose coverage is ``partial`` (a sample list, a source without bed counts)
yields no ratio per 1,000 aged 75+ and no benchmark gap: those cells become NaN and
each gap gets a ``*_gap_note`` reading ``"insufficient data (partial: <reason>)"``.
A population file covering only part of the area does the same for every unit
larger than an LSOA (its people are undercounted). Counts stay: they are what the
list holds, and the ``<layer>_coverage`` columns say how far that goes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geosuff.io.provenance import Coverage

__all__ = ["GAP_COLUMNS", "LAYER_FIGURES", "insufficient_text", "mark_insufficient"]

#: The benchmark gaps and the layer each depends on.
GAP_COLUMNS = {
    "residential_beds_gap": "care_homes",
    "nursing_beds_gap": "care_homes",
    "extra_care_units_gap": "extra_care",
}

#: Supply columns of each layer (their ``*_per_1000_75plus`` ratios follow coverage).
LAYER_FIGURES = {
    "care_homes": (
        "care_homes",
        "nursing_homes",
        "residential_homes",
        "dementia_homes",
        "beds",
        "nursing_beds",
        "residential_beds",
        "dementia_beds",
        "older_people_beds",
    ),
    "home_care": ("home_care_agencies",),
    "extra_care": ("extra_care_schemes", "extra_care_units"),
}


def insufficient_text(cover: Coverage) -> str:
    """Return the cell text for a figure a partial layer cannot give.

    Parameters
    ----------
    cover
        The layer's coverage.

    Returns
    -------
    str
        ``"insufficient data (partial: <reason>)"``.
    """
    return f"insufficient data ({cover.status}: {cover.reason})"


def mark_insufficient(
    sums: pd.DataFrame, coverage: Mapping[str, Coverage] | None, *, lsoa_units: bool
) -> pd.DataFrame:
    """Blank ratios and gaps of partial layers; add gap notes and coverage columns.

    Parameters
    ----------
    sums
        Supply table by unit with ``*_per_1000_75plus`` ratios and ``*_gap`` columns.
    coverage
        Coverage per layer (and ``population``), or ``None`` (nothing blanked; gaps
        that are NaN for missing figures still get a note).
    lsoa_units
        Whether units are single LSOAs (a partial population file blanks only the
        LSOAs it lacks; larger units are blanked whole).

    Returns
    -------
    pandas.DataFrame
        A copy with NaN where the data cannot support a figure, ``*_gap_note`` text
        (empty where the gap stands) and ``<layer>_coverage`` labels.
    """
    out = sums.copy()
    coverage = dict(coverage or {})
    notes = {gap: pd.Series("", index=out.index, dtype=object) for gap in GAP_COLUMNS}
    pop_cover = coverage.get("population")
    if pop_cover is not None and not pop_cover.usable_for_gaps and not lsoa_units:
        ratio_cols = [c for c in out.columns if c.endswith("_per_1000_75plus")]
        out[ratio_cols] = np.nan
        for gap in GAP_COLUMNS:
            out[gap] = np.nan
            notes[gap][:] = insufficient_text(pop_cover)
    for layer, figures in LAYER_FIGURES.items():
        cover = coverage.get(layer)
        if cover is None or cover.usable_for_gaps:
            continue
        out[[f"{f}_per_1000_75plus" for f in figures]] = np.nan
        for gap, gap_layer in GAP_COLUMNS.items():
            if gap_layer == layer:
                out[gap] = np.nan
                notes[gap] = notes[gap].where(notes[gap].ne(""), insufficient_text(cover))
    for gap, note in notes.items():
        missing = out[gap].isna() & note.eq("")
        note[missing & out["pop_75plus"].isna()] = "insufficient data (no population figures)"
        note[missing & out["pop_75plus"].notna()] = "insufficient data (figures missing)"
        out[f"{gap}_note"] = note
    for layer, cover in coverage.items():
        out[f"{layer}_coverage"] = cover.label()
    return out
