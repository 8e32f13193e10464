"""The rejects table: every row a loader could not use, with its reason."""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from geosuff._errors import RejectedRowsError

__all__ = ["REJECT_COLUMNS", "Loaded", "check_strict", "empty_rejects", "make_rejects", "summarise"]

#: Columns of every rejects table. ``action`` is ``rejected`` (row not used) or
#: ``repaired`` (row used after a documented fix, e.g. an invalid polygon made valid).
REJECT_COLUMNS = ["source", "line", "id", "name", "reason", "action"]


class Loaded(NamedTuple):
    """A loaded layer and the rows that could not be used.

    Attributes
    ----------
    data
        The canonical layer.
    rejects
        One row per rejected or repaired input row (columns :data:`REJECT_COLUMNS`).
    """

    data: gpd.GeoDataFrame | pd.DataFrame
    rejects: pd.DataFrame


def empty_rejects() -> pd.DataFrame:
    """Return an empty rejects table.

    Returns
    -------
    pandas.DataFrame
        No rows, the :data:`REJECT_COLUMNS` columns.
    """
    return pd.DataFrame({c: pd.Series(dtype="object") for c in REJECT_COLUMNS})


def make_rejects(
    source: object,
    lines: pd.Series | list[int],
    ids: pd.Series | list[object],
    names: pd.Series | list[object],
    reasons: pd.Series | list[str] | str,
    *,
    action: str = "rejected",
) -> pd.DataFrame:
    """Build a rejects table for rows of one source.

    Parameters
    ----------
    source
        The file (or description) the rows came from.
    lines
        Line numbers in the file (header is line 1, the first data row line 2).
    ids, names
        Identifiers and names of the rows, for people to find them.
    reasons
        Why each row was rejected (one per row, or one for all).
    action
        ``"rejected"`` or ``"repaired"``.

    Returns
    -------
    pandas.DataFrame
        The rejects table.
    """
    n = len(lines)
    if n == 0:
        return empty_rejects()
    reason_list = [reasons] * n if isinstance(reasons, str) else list(reasons)
    return pd.DataFrame(
        {
            "source": [str(source)] * n,
            "line": list(lines),
            "id": [None if pd.isna(v) else str(v) for v in ids],
            "name": [None if pd.isna(v) else str(v) for v in names],
            "reason": reason_list,
            "action": [action] * n,
        }
    )


def summarise(rejects: pd.DataFrame) -> list[str]:
    """Return one line per (source, action, reason) with its count, most common first.

    Parameters
    ----------
    rejects
        A rejects table.

    Returns
    -------
    list of str
        Lines such as ``"care homes: 3 rejected: no coordinates and no postcode"``.
    """
    if rejects.empty:
        return []
    counts = rejects.groupby(["source", "action", "reason"], sort=False).size()
    counts = counts.sort_values(ascending=False)
    return [f"{src}: {n} {act}: {reason}" for (src, act, reason), n in counts.items()]


def check_strict(rejects: pd.DataFrame, *, strict: bool) -> None:
    """Raise when *strict* and any row was rejected (repairs are allowed).

    Parameters
    ----------
    rejects
        A rejects table.
    strict
        Whether any rejected row is a failure.

    Raises
    ------
    RejectedRowsError
        If *strict* and at least one row has ``action == "rejected"``.
    """
    if not strict or rejects.empty:
        return
    bad = rejects[rejects["action"] == "rejected"]
    if not bad.empty:
        first = bad.iloc[0]
        msg = (
            f"{len(bad)} row(s) rejected and --strict is set; first: {first['source']} "
            f"line {first['line']}: {first['reason']}"
        )
        raise RejectedRowsError(msg)
