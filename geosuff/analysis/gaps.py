"""Rural gap detection: LSOAs and zones that are poorly served, each flag with its reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._thresholds import thresholds_from_mapping

__all__ = ["GapThresholds", "find_gaps"]


@dataclass(frozen=True)
class GapThresholds:
    """Thresholds for gap flags (all configurable; defaults are assumptions to tune).

    Attributes
    ----------
    home_care_minutes
        Flag when the nearest home care agency is farther than this by road ...
    nursing_minutes
        ... or the nearest nursing home is farther than this ...
    min_pop_75plus
        ... while the LSOA has at least this many people aged 75+ (about twice the
        English LSOA median of roughly 130, mid-2020).
    access_quantile
        Flag LSOAs whose E2SFCA beds per 1,000 aged 75+ is in the bottom share of the
        area's LSOAs (0.1 = bottom decile).
    travel_minutes_per_visit
        Flag zones whose mean care-worker travel per visit is above this.
    """

    home_care_minutes: float = 20.0
    nursing_minutes: float = 30.0
    min_pop_75plus: float = 250.0
    access_quantile: float = 0.1
    travel_minutes_per_visit: float = 15.0

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> GapThresholds:
        """Build thresholds from a mapping (e.g. a TOML table), rejecting unknown keys.

        Parameters
        ----------
        values
            Threshold name -> number.

        Returns
        -------
        GapThresholds
            Defaults overridden by *values*.
        """
        return thresholds_from_mapping(cls, values, "gap")


def _fmt(x: float) -> str:
    return "none within search" if np.isnan(x) else f"{x:.0f} min"


def find_gaps(
    access_table: gpd.GeoDataFrame,
    *,
    runs: pd.DataFrame | None = None,
    groups: pd.Series | None = None,
    thresholds: GapThresholds | None = None,
) -> gpd.GeoDataFrame:
    """Flag poorly served LSOAs, and LSOAs in zones where care workers travel far.

    Parameters
    ----------
    access_table
        Output of :func:`geosuff.access`.
    runs
        Output of :func:`geosuff.care_runs` (zone table), optional.
    groups
        Zone of each LSOA (indexed by ``lsoa_code``), as used for *runs*; default the
        LSOA's local authority (the default zones of :func:`geosuff.care_runs`).
    thresholds
        Flag thresholds; default :class:`GapThresholds`.

    Returns
    -------
    geopandas.GeoDataFrame
        The access table plus ``zone``, boolean flags ``gap_home_care``,
        ``gap_nursing``, ``gap_low_access``, ``gap_zone_travel``, ``flagged`` (any) and
        ``reasons`` (one sentence per flag with the figure and the threshold, joined by
        ``"; "``; empty when not flagged). ``attrs["thresholds"]`` records them;
        ``attrs["not_flagged"]`` names the layers whose coverage is partial (from the
        access table's ``attrs["coverage"]``), which yield no flags.
    """
    th = thresholds or GapThresholds()
    out = access_table.copy()
    pop = out["pop_75plus"].to_numpy(float)
    busy = pop >= th.min_pop_75plus
    home = out["minutes_to_home_care"].to_numpy(float)
    nurse = out["minutes_to_nursing"].to_numpy(float)
    far_home = busy & (np.isnan(home) | (home > th.home_care_minutes))
    far_nurse = busy & (np.isnan(nurse) | (nurse > th.nursing_minutes))
    score = out["e2sfca_beds_per_1000_75plus"].to_numpy(float)
    cut = float(np.nanquantile(score, th.access_quantile)) if len(score) else np.nan
    low = score <= cut
    # a partial layer (a sample list, no bed counts) yields no gap flag
    coverage = access_table.attrs.get("coverage", {})
    skipped = {k: v for k, v in coverage.items() if dict(v).get("status") == "partial"}
    if "home_care" in skipped:
        far_home[:] = False
    if "care_homes" in skipped:
        far_nurse[:], low[:] = False, False
    out["zone"] = (
        out["la_code"].astype(str).to_numpy()
        if groups is None
        else out["lsoa_code"].map(groups).astype(object).fillna("(none)").to_numpy()
    )
    zone_far = np.zeros(len(out), dtype=bool)
    zone_reason: dict[str, str] = {}
    if runs is not None and not runs.empty:
        per_visit = runs.set_index("zone")["travel_minutes_per_visit_mean"]
        for zone, value in per_visit.items():
            if value > th.travel_minutes_per_visit:
                zone_reason[str(zone)] = (
                    f"zone {zone}: care-worker travel {value:.1f} min per visit "
                    f"> {th.travel_minutes_per_visit:g} min"
                )
        zone_far = out["zone"].astype(str).isin(zone_reason).to_numpy()
    method = str(out["travel_method"].iloc[0]) if len(out) else ""
    by = "by road" if method == "network" else "estimated (straight line x detour)"
    reasons = []
    for i in range(len(out)):
        parts = []
        if far_home[i]:
            parts.append(
                f"nearest home care agency {_fmt(home[i])} {by} > {th.home_care_minutes:g} "
                f"min with {pop[i]:.0f} aged 75+"
            )
        if far_nurse[i]:
            parts.append(
                f"nearest nursing home {_fmt(nurse[i])} {by} > {th.nursing_minutes:g} min "
                f"with {pop[i]:.0f} aged 75+"
            )
        if low[i]:
            parts.append(
                f"E2SFCA {score[i]:.1f} beds per 1,000 aged 75+ in the bottom "
                f"{th.access_quantile:.0%} (<= {cut:.1f})"
            )
        if zone_far[i]:
            parts.append(zone_reason[str(out["zone"].iloc[i])])
        reasons.append("; ".join(parts))
    out["gap_home_care"] = far_home
    out["gap_nursing"] = far_nurse
    out["gap_low_access"] = low
    out["gap_zone_travel"] = zone_far
    out["flagged"] = far_home | far_nurse | low | zone_far
    out["reasons"] = reasons
    out.attrs["thresholds"] = asdict(th)
    out.attrs["not_flagged"] = {
        k: f"insufficient data (partial: {dict(v).get('reason', '')})" for k, v in skipped.items()
    }
    return out
