"""Which rejected rows of a national provider file belong to an area."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geosuff.io.areas import Area, normalise_name
from geosuff.io.files import read_table
from geosuff.io.sheet_tables import data_lines

__all__ = ["rejects_for_area"]


def rejects_for_area(rejects: pd.DataFrame, path: Path, area: Area) -> pd.DataFrame:
    """Keep rejects whose source row names one of the area's authorities.

    A national file's unplaceable rows cannot be clipped spatially, so they are
    attributed to an area by the local authority text in the row.

    Parameters
    ----------
    rejects
        Rejects of a national provider file.
    path
        The file (its rows are read again for their local authority).
    area
        The area.

    Returns
    -------
    pandas.DataFrame
        The rejects of rows naming one of the area's authorities.
    """
    raw = read_table(path, dtype=str, keep_default_na=False, na_values=[""])
    la_col = next(
        (
            c
            for c in raw.columns
            if c.lower() in ("location local authority", "local authority", "local_authority")
        ),
        None,
    )
    if la_col is None:
        return rejects
    names = {normalise_name(n) for n in (area.name, *area.district_names)}
    row_la = raw[la_col].fillna("").map(normalise_name)
    matches = row_la.map(lambda v: any(v.startswith(n) or n in v for n in names if n))
    lines = {line for line, hit in zip(data_lines(raw), matches, strict=True) if hit}
    return rejects[rejects["line"].isin(lines)].reset_index(drop=True)
