"""Zone rules: thresholds and the problems a zoning's figures break."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geosuff._thresholds import thresholds_from_mapping
from geosuff.analysis.gaps import method_words

__all__ = ["PROBLEM_COLUMNS", "ZoneThresholds", "problem", "rule_problems"]

PROBLEM_COLUMNS = ["zone", "rule", "figure", "threshold", "detail"]


@dataclass(frozen=True)
class ZoneThresholds:
    """Thresholds of the zone checks (defaults are assumptions to tune per council).

    Attributes
    ----------
    max_gap_km2, max_overlap_km2
        Polygon gaps / overlaps inside the area larger than this are problems
        (generalised boundaries leave slivers smaller than this).
    max_parts
        Pieces a zone may have (by polygon adjacency and by road).
    max_pop_vs_mean, min_pop_vs_mean
        A zone's 75+ population above / below this multiple of the mean zone.
    centre_p90_minutes
        90th-percentile drive from the zone centre to its people.
    travel_minutes_per_visit
        Care-worker travel per visit in the zone (the mean over its visits, from
        :func:`geosuff.home_care_travel`; the same threshold as the home care gap flag).
    max_share_nearer_other
        Share of a zone's LSOAs that are nearer (by drive time) another zone's centre.
    """

    max_gap_km2: float = 0.05
    max_overlap_km2: float = 0.05
    max_parts: float = 1
    max_pop_vs_mean: float = 2.0
    min_pop_vs_mean: float = 0.25
    centre_p90_minutes: float = 30.0
    travel_minutes_per_visit: float = 10.0
    max_share_nearer_other: float = 0.10

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> ZoneThresholds:
        """Build thresholds from a mapping, rejecting unknown names.

        Parameters
        ----------
        values
            Name -> number.

        Returns
        -------
        ZoneThresholds
            Defaults overridden by *values*.
        """
        return thresholds_from_mapping(cls, values, "zone")


def problem(zone: object, rule: str, figure: object, threshold: object, detail: str) -> dict:
    """One problem row: the zone, the rule, the figure, the threshold and a detail.

    Parameters
    ----------
    zone, rule, figure, threshold, detail
        The problem's columns.

    Returns
    -------
    dict
        A row of :data:`PROBLEM_COLUMNS`.
    """
    return {"zone": zone, "rule": rule, "figure": figure, "threshold": threshold, "detail": detail}


def rule_problems(table: pd.DataFrame, th: ZoneThresholds, method: str) -> list[dict]:
    """Apply the zone rules to the per-zone figures.

    Parameters
    ----------
    table
        Per-zone figures (the zone table of :func:`geosuff.zones.check.check_zones`).
    th
        Thresholds.
    method
        The travel method, named in travel problems.

    Returns
    -------
    list of dict
        One problem (:data:`PROBLEM_COLUMNS`) per broken rule.
    """
    out: list[dict] = []
    for _, r in table.iterrows():
        z = r["zone"]
        if r["parts_adjacency"] > th.max_parts:
            out.append(
                problem(
                    z,
                    "split_zone_adjacency",
                    int(r["parts_adjacency"]),
                    th.max_parts,
                    "zone is in several separate pieces",
                )
            )
        if not np.isnan(r["parts_road"]) and r["parts_road"] > th.max_parts:
            out.append(
                problem(
                    z,
                    "split_zone_road",
                    int(r["parts_road"]),
                    th.max_parts,
                    "parts of the zone cannot be reached by road inside it",
                )
            )
        if r["pop_vs_mean"] > th.max_pop_vs_mean:
            out.append(
                problem(
                    z,
                    "too_many_people",
                    round(r["pop_vs_mean"], 2),
                    th.max_pop_vs_mean,
                    "75+ population vs the mean zone",
                )
            )
        if r["pop_vs_mean"] < th.min_pop_vs_mean:
            out.append(
                problem(
                    z,
                    "too_few_people",
                    round(r["pop_vs_mean"], 2),
                    th.min_pop_vs_mean,
                    "75+ population vs the mean zone",
                )
            )
        if r["centre_minutes_p90"] > th.centre_p90_minutes:
            out.append(
                problem(
                    z,
                    "far_from_centre",
                    round(r["centre_minutes_p90"], 1),
                    th.centre_p90_minutes,
                    "90th-percentile drive (min) from the zone centre",
                )
            )
        if r["home_care_minutes_per_visit"] > th.travel_minutes_per_visit:
            out.append(
                problem(
                    z,
                    "long_travel_per_visit",
                    round(r["home_care_minutes_per_visit"], 1),
                    th.travel_minutes_per_visit,
                    f"care-worker travel (min) per visit, drive times {method_words(method)}",
                )
            )
        if r["share_nearer_other"] > th.max_share_nearer_other:
            out.append(
                problem(
                    z,
                    "lsoas_nearer_another_centre",
                    round(r["share_nearer_other"], 2),
                    th.max_share_nearer_other,
                    f"{r['lsoas_nearer_other']} LSOAs are nearer another zone's "
                    "centre by drive time",
                )
            )
    return out
