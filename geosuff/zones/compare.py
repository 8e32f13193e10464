"""Compare two zonings of the same area side by side."""

from __future__ import annotations

import pandas as pd

from geosuff.zones.check import ZoneCheck

__all__ = ["COMPARED", "compare_checks"]

#: Overall figures compared, with a note on which direction is better.
COMPARED: dict[str, str] = {
    "zones": "",
    "home_care_minutes_per_visit": "care-worker travel per visit, mean over all visits "
    "(lower is better)",
    "centre_minutes_p90": "lower is better",
    "lsoas_nearer_other": "lower is better",
    "pop_75plus_max_over_min": "lower is more balanced",
    "pop_75plus_cv": "lower is more balanced",
    "split_zones": "lower is better",
    "lsoas_in_no_zone": "lower is better",
    "lsoas_in_several_zones": "lower is better",
    "gap_lsoas": "LSOAs flagged as gaps (lower is better)",
    "problems": "lower is better",
}


def compare_checks(
    a: ZoneCheck, b: ZoneCheck, *, names: tuple[str, str] = ("A", "B")
) -> pd.DataFrame:
    """Put the overall figures of two zone checks side by side.

    Parameters
    ----------
    a, b
        Checks of two zonings of the same area (:func:`geosuff.zones.check.check_zones`).
    names
        Column labels for the two zonings.

    Returns
    -------
    pandas.DataFrame
        One row per measure: the two values, ``change`` (B minus A) and a ``note``.
    """
    rows = []
    for key, note in COMPARED.items():
        va, vb = a.overall.get(key), b.overall.get(key)
        change = vb - va if isinstance(va, int | float) and isinstance(vb, int | float) else None
        rows.append({"measure": key, names[0]: va, names[1]: vb, "change": change, "note": note})
    return pd.DataFrame(rows)
