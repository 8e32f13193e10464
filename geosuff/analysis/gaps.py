"""Gap rules: the LSOAs that are poorly served, each flag with its reason.

* **Home care** is hard to arrange where care workers drive far between visits: an
  LSOA is flagged when its care-worker travel per visit
  (:func:`geosuff.analysis.runs.home_care_travel`) exceeds the threshold, whatever
  its population; the people affected are reported and the table is ordered by
  them. The drive to the nearest agency office is context only, and only from a
  home care layer whose coverage is ``complete``.
* **Care homes**: the drive to the nearest nursing home, and low E2SFCA access (the
  area's bottom share) to all beds, nursing beds and residential beds. Not raised
  from a care home layer known to be partial.

Every reason names the figure, the threshold, the travel method (road network or
estimate) and, for home care, the zone or local patch the rounds were planned in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._thresholds import thresholds_from_mapping
from geosuff.analysis.runs import HomeCareTravel
from geosuff.io.provenance import Coverage

__all__ = ["GAP_FLAGS", "GapThresholds", "find_gaps", "method_words"]

#: Flag columns of :func:`find_gaps`, with what each means.
GAP_FLAGS: dict[str, str] = {
    "gap_home_care": "care-worker travel per visit above the threshold",
    "gap_nursing": "nearest nursing home beyond the threshold drive",
    "gap_low_access": "E2SFCA beds per 1,000 aged 75+ in the area's bottom share",
    "gap_low_nursing_access": "E2SFCA nursing beds per 1,000 aged 75+ in the bottom share",
    "gap_low_residential_access": "E2SFCA residential beds per 1,000 aged 75+ in the bottom share",
}

_SCORES = {
    "gap_low_access": ("e2sfca_beds_per_1000_75plus", "beds"),
    "gap_low_nursing_access": ("e2sfca_nursing_beds_per_1000_75plus", "nursing beds"),
    "gap_low_residential_access": ("e2sfca_residential_beds_per_1000_75plus", "residential beds"),
}

_TRAVEL_COLUMNS = [
    "home_care_round_area",
    "home_care_clients_expected",
    "home_care_minutes_per_visit",
    "home_care_minutes_per_visit_p10",
    "home_care_minutes_per_visit_p90",
    "home_care_travel_cost_per_visit_gbp",
    "home_care_unpaid_travel_share",
    "home_care_travel_cost_per_contact_hour_gbp",
    "home_care_legs_sampled",
    "home_care_travel_method",
]


@dataclass(frozen=True)
class GapThresholds:
    """Thresholds for gap flags (all configurable; defaults are assumptions to tune).

    Attributes
    ----------
    travel_minutes_per_visit
        Flag home care where care-worker travel per visit (drive plus parking and
        walking to the door) is above this: at 10 minutes a quarter of a worker's time
        on 30-minute visits is travel that a fee paid per contact minute does not pay.
    home_care_minutes
        Context only: a home care reason mentions an agency office farther than this,
        when the agency list's coverage is complete.
    nursing_minutes
        Flag when the nearest nursing home is farther than this ...
    min_pop_75plus
        ... and the LSOA has at least this many people aged 75+ (default 0: no gate).
    access_quantile
        Flag LSOAs whose E2SFCA score (beds, nursing beds, residential beds per 1,000
        aged 75+) is in the bottom share of the area's LSOAs (0.1 = bottom decile).
    """

    travel_minutes_per_visit: float = 10.0
    home_care_minutes: float = 20.0
    nursing_minutes: float = 30.0
    min_pop_75plus: float = 0.0
    access_quantile: float = 0.1

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


def method_words(method: str) -> str:
    """Say how drive times were obtained, for reasons and notes.

    Parameters
    ----------
    method
        A ``travel_method`` value: ``network``, ``estimate_crowfly``,
        ``estimate_calibrated``.

    Returns
    -------
    str
        E.g. ``"by road (network)"`` or ``"estimated (straight line x detour)"``.
    """
    if method == "network":
        return "by road (network)"
    if method == "estimate_calibrated":
        return "estimated (straight line, calibrated by setting)"
    if method == "estimate_crowfly":
        return "estimated (straight line x detour)"
    return f"by {method}" if method else "by an unknown method"


def _travel_table(
    out: pd.DataFrame,
    travel: HomeCareTravel | pd.DataFrame | None,
    runs: pd.DataFrame | None,
    groups: pd.Series | None,
) -> pd.DataFrame | None:
    """Per-LSOA travel figures aligned with *out*, or ``None`` when none are given."""
    if travel is None and runs is None:
        if "home_care_minutes_per_visit" in out.columns:
            return out
        return None
    if travel is not None:
        table = travel.lsoas if isinstance(travel, HomeCareTravel) else travel
        table = table.set_index("lsoa_code").reindex(out["lsoa_code"])
        return table.reset_index()
    # an earlier caller's zone table: every LSOA takes its zone's figure
    zone = (
        out["la_code"].astype(str)
        if groups is None
        else out["lsoa_code"].map(groups).astype(object).fillna("(none)")
    )
    by_zone = runs.set_index(runs["zone"].astype(str))
    table = pd.DataFrame({"lsoa_code": out["lsoa_code"].to_numpy()})
    for col in _TRAVEL_COLUMNS:
        if col in by_zone.columns and col != "home_care_round_area":
            table[col] = zone.map(by_zone[col]).to_numpy()
    table["home_care_round_area"] = ("zone " + zone.astype(str)).to_numpy()
    return table


def _coverage_ok(coverage: Mapping[str, Coverage] | None, layer: str, strict: bool) -> bool:
    """Whether a layer may be used: ``complete`` only (*strict*), else not ``partial``."""
    cov = (coverage or {}).get(layer)
    if strict:
        return cov is not None and cov.status == "complete"
    return cov is None or cov.usable_for_gaps


def find_gaps(
    access_table: gpd.GeoDataFrame,
    *,
    travel: HomeCareTravel | pd.DataFrame | None = None,
    coverage: Mapping[str, Coverage] | None = None,
    thresholds: GapThresholds | None = None,
    runs: pd.DataFrame | None = None,
    groups: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """Flag poorly served LSOAs, each flag with its reason.

    Parameters
    ----------
    access_table
        Output of :func:`geosuff.access`.
    travel
        Output of :func:`geosuff.home_care_travel` (or its ``lsoas`` table); without
        it, ``home_care_*`` columns already on *access_table* are used, else home
        care is not assessed.
    coverage
        Coverage of each provider layer (``AreaLayers.coverage``). The agency-office
        context needs ``home_care`` to be ``complete``; care home flags are not raised
        from a ``partial`` care home layer.
    thresholds
        Flag thresholds; default :class:`GapThresholds`.
    runs, groups
        Earlier API: a zone table of :func:`geosuff.care_runs` and the zone of each
        LSOA; every LSOA then takes its zone's travel figure. Use *travel* instead.

    Returns
    -------
    geopandas.GeoDataFrame
        The access table plus the ``home_care_*`` travel columns, boolean flags
        (:data:`GAP_FLAGS`), ``flagged`` (any), ``reasons`` (one sentence per flag,
        joined by ``"; "``; empty when not flagged) and ``not_assessed`` (what could
        not be judged, and why). Rows are ordered flagged first, then by people aged
        75+ (the people affected), largest first. ``attrs["thresholds"]`` records the
        thresholds.
    """
    th = thresholds or GapThresholds()
    out = access_table.copy()
    n = len(out)
    pop = out["pop_75plus"].to_numpy(float)
    method = str(out["travel_method"].iloc[0]) if n else ""
    how = method_words(method)
    reasons: list[list[str]] = [[] for _ in range(n)]
    not_assessed: list[str] = []

    travel_rows = _travel_table(out, travel, runs, groups)
    home_flag = np.zeros(n, dtype=bool)
    if travel_rows is None:
        not_assessed.append("home care travel (no travel figures given)")
    else:
        for col in _TRAVEL_COLUMNS:
            if col in travel_rows.columns and travel_rows is not out:
                out[col] = travel_rows[col].to_numpy()
        minutes = out["home_care_minutes_per_visit"].to_numpy(float)
        home_flag = np.nan_to_num(minutes, nan=-np.inf) > th.travel_minutes_per_visit
        agency_ok = _coverage_ok(coverage, "home_care", strict=True)
        agency = out["minutes_to_home_care"].to_numpy(float) if agency_ok else np.full(n, np.nan)
        t_method = (
            out["home_care_travel_method"].astype(str).to_numpy()
            if "home_care_travel_method" in out.columns
            else np.full(n, method)
        )
        for i in np.flatnonzero(home_flag):
            text = (
                f"home care: care-worker travel {minutes[i]:.1f} min per visit"
                + _spread(out, i)
                + f" > {th.travel_minutes_per_visit:g} min, drive times "
                + method_words(str(t_method[i]))
                + f", rounds within {out['home_care_round_area'].iloc[i]}"
                + f"; {pop[i]:.0f} aged 75+"
                + _clients(out, i)
            )
            if agency_ok and np.isfinite(agency[i]) and agency[i] > th.home_care_minutes:
                text += f" (context: nearest agency office {agency[i]:.0f} min {how})"
            reasons[i].append(text)
        if not agency_ok:
            cov = (coverage or {}).get("home_care")
            why = cov.label() if cov is not None else "coverage not assessed"
            not_assessed.append(f"distance to agency offices ({why})")

    homes_ok = _coverage_ok(coverage, "care_homes", strict=False)
    flags: dict[str, np.ndarray] = {"gap_home_care": home_flag}
    if homes_ok:
        nurse = out["minutes_to_nursing"].to_numpy(float)
        far = (pop >= th.min_pop_75plus) & (np.isnan(nurse) | (nurse > th.nursing_minutes))
        for i in np.flatnonzero(far):
            figure = "none within search" if np.isnan(nurse[i]) else f"{nurse[i]:.0f} min"
            reasons[i].append(
                f"nursing home: nearest {figure} {how} > {th.nursing_minutes:g} min; "
                f"{pop[i]:.0f} aged 75+"
            )
        flags["gap_nursing"] = far
        for flag, (col, what) in _SCORES.items():
            score = out[col].to_numpy(float) if col in out.columns else np.full(n, np.nan)
            if not np.isfinite(score).any():
                flags[flag] = np.zeros(n, dtype=bool)
                not_assessed.append(f"{what} access (no {col})")
                continue
            cut = float(np.nanquantile(score, th.access_quantile))
            low = score <= cut
            for i in np.flatnonzero(low):
                reasons[i].append(
                    f"low access to {what}: E2SFCA {score[i]:.1f} per 1,000 aged 75+ in the "
                    f"area's bottom {th.access_quantile:.0%} (<= {cut:.1f}), drive times {how}"
                )
            flags[flag] = low
    else:
        cov = (coverage or {}).get("care_homes")
        not_assessed.append(f"care home gaps ({cov.label() if cov else 'partial'})")
        for flag in list(GAP_FLAGS)[1:]:
            flags[flag] = np.zeros(n, dtype=bool)
    for flag in GAP_FLAGS:
        out[flag] = flags[flag]
    out["flagged"] = np.logical_or.reduce([flags[f] for f in GAP_FLAGS])
    out["reasons"] = ["; ".join(r) for r in reasons]
    out["not_assessed"] = "; ".join(not_assessed)
    out = out.assign(_f=~out["flagged"], _p=-pop).sort_values(["_f", "_p"], kind="stable")
    out = out.drop(columns=["_f", "_p"]).reset_index(drop=True)
    out.attrs["thresholds"] = asdict(th)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=access_table.crs)


def _spread(out: pd.DataFrame, i: int) -> str:
    if "home_care_minutes_per_visit_p10" not in out.columns:
        return ""
    lo = out["home_care_minutes_per_visit_p10"].iloc[i]
    hi = out["home_care_minutes_per_visit_p90"].iloc[i]
    return f" (p10-p90 {lo:.1f}-{hi:.1f})" if np.isfinite(lo) and np.isfinite(hi) else ""


def _clients(out: pd.DataFrame, i: int) -> str:
    if "home_care_clients_expected" not in out.columns:
        return ""
    value = float(out["home_care_clients_expected"].iloc[i])
    return f", ~{value:.0f} home care clients" if np.isfinite(value) else ""
