"""Gap flags a map or report may show: none resting on a list that cannot support them.

A flag for distance to the nearest home care agency needs a complete list of agencies:
with a sample list, every LSOA looks far from one. Until the layer's coverage is
known to be complete, those flags are left out and counted, on the map and in the
report alike.
"""

from __future__ import annotations

import geopandas as gpd

from geosuff.io.area_layers import AreaLayers

__all__ = ["usable_gaps"]

#: Reason text of the home care distance flag (context only unless the list is complete).
_AGENCY_REASON = "nearest home care agency"


def usable_gaps(gaps: gpd.GeoDataFrame, layers: AreaLayers) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Keep only the gap flags the data can support.

    A flag for distance to the nearest home care agency needs a complete list of
    agencies: with a partial or unassessed list every LSOA looks far from one, so
    those flags (and their reasons) are left out and counted.

    Parameters
    ----------
    gaps
        :func:`geosuff.find_gaps` output.
    layers
        The area's layers (home care coverage).

    Returns
    -------
    tuple
        The gaps table with ``flagged`` and ``reasons`` recomputed, and notes on what
        was left out.
    """
    coverage = layers.coverage.get("home_care")
    if coverage is not None and coverage.status == "complete":
        return gaps, []
    out = gaps.copy()
    dropped = int(out["gap_home_care"].sum()) if "gap_home_care" in out else 0
    if "gap_home_care" in out:
        out["gap_home_care"] = False
    flag_cols = [c for c in out.columns if c.startswith("gap_") and out[c].dtype == bool]
    out["flagged"] = out[flag_cols].any(axis=1) if flag_cols else False
    out["reasons"] = [
        "; ".join(p for p in str(r).split("; ") if p and not p.startswith(_AGENCY_REASON))
        for r in out["reasons"].fillna("")
    ]
    why = "coverage not assessed" if coverage is None else f"{coverage.status}: {coverage.reason}"
    notes = []
    if dropped:
        notes.append(
            f"{dropped} LSOAs flagged only for their distance to the nearest home care agency "
            f"are not counted: the agency list ({_agencies(len(layers.home_care))}; {why}) "
            "cannot show where agencies are missing"
        )
    return out, notes


def _agencies(n: int) -> str:
    return f"{n} agency" if n == 1 else f"{n} agencies"
