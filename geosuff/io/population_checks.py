"""Plausibility of LSOA population counts: figures no LSOA could hold are rejected.

LSOAs were drawn for 1,000 to 3,000 residents; the largest English or Welsh 2011
LSOA held 17,274 people in mid-2020 (ONS). A count above :data:`MAX_LSOA_PEOPLE`, or
age bands that do not nest (more people aged 75+ than 65+, or than in total), is a
broken row, not a place.
"""

from __future__ import annotations

import itertools

import pandas as pd

__all__ = ["MAX_LSOA_PEOPLE", "implausible_population"]

#: Most people a 2011 LSOA can plausibly hold (about three times the largest, 17,274).
MAX_LSOA_PEOPLE = 50_000

_NESTED = ("pop_total", "pop_65plus", "pop_75plus", "pop_85plus")


def implausible_population(numbers: pd.DataFrame) -> pd.Series:
    """Return why each row's counts are implausible (missing where they are fine).

    Parameters
    ----------
    numbers
        Parsed counts with ``pop_total``, ``pop_65plus``, ``pop_75plus``,
        ``pop_85plus`` (rows with missing or negative counts are judged elsewhere).

    Returns
    -------
    pandas.Series
        Reason per row, e.g. ``"counts no LSOA could hold: pop_85plus 1,000,000,000
        (largest plausible 50,000)"``; missing for plausible rows.
    """
    reasons = pd.Series(None, index=numbers.index, dtype="object")
    cols = [c for c in _NESTED if c in numbers.columns]
    numbers = numbers[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    too_big = numbers.gt(MAX_LSOA_PEOPLE)
    for i in numbers.index[too_big.any(axis=1)]:
        worst = numbers.loc[i].idxmax()
        reasons[i] = (
            f"counts no LSOA could hold: {worst} {numbers.at[i, worst]:,.0f} "
            f"(largest plausible {MAX_LSOA_PEOPLE:,})"
        )
    for wider, narrower in itertools.pairwise(cols):
        bad = reasons.isna() & numbers[narrower].gt(numbers[wider])
        reasons[bad] = [
            f"age bands do not nest: {narrower} {n:,.0f} > {wider} {w:,.0f}"
            for n, w in zip(numbers.loc[bad, narrower], numbers.loc[bad, wider], strict=True)
        ]
    return reasons
