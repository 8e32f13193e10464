"""Check a zoning: coverage, contiguity, balance and travel, with a list of problems.

Every problem carries the zone, the rule, the figure and the threshold, so a zone
file can be checked in a pipeline (``geosuff zones check --fail-on-problems``).
Care-worker travel per visit comes from :func:`geosuff.home_care_travel` with the
same defaults as ``geosuff runs`` and ``geosuff gaps``, so a zone shows the same
figure in all of them. Reading the zoning is :mod:`geosuff.zones.zoning`, the rules
:mod:`geosuff.zones.rules`, the drive-time figures :mod:`geosuff.zones.figures`.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.analysis.gaps import find_gaps
from geosuff.analysis.runs import home_care_travel
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers
from geosuff.zones.adjacency import lsoa_adjacency, parts_by_adjacency, parts_by_road
from geosuff.zones.figures import centre_times, pair_minutes, weighted_quantile
from geosuff.zones.rules import PROBLEM_COLUMNS, ZoneThresholds, problem, rule_problems
from geosuff.zones.zoning import Zoning, read_zoning

__all__ = [
    "PROBLEM_COLUMNS",
    "ZoneCheck",
    "ZoneThresholds",
    "Zoning",
    "check_zones",
    "read_zoning",
]

#: Travel columns copied from the zone table of :func:`geosuff.home_care_travel`.
TRAVEL_COLUMNS = [
    "home_care_clients_expected",
    "home_care_minutes_per_visit",
    "home_care_minutes_per_visit_p10",
    "home_care_minutes_per_visit_p90",
    "home_care_miles_per_visit",
    "home_care_travel_cost_per_visit_gbp",
    "home_care_unpaid_travel_share",
    "home_care_travel_cost_per_contact_hour_gbp",
]


class ZoneCheck(NamedTuple):
    """Result of :func:`check_zones`.

    Attributes
    ----------
    zones
        One row per zone with every figure, zone polygons (EPSG:27700).
    overall
        Figures for the zoning as a whole.
    problems
        The verdict list (:data:`PROBLEM_COLUMNS`).
    assignment
        LSOA -> zone, with the drive to its own and to the nearest other zone centre.
    """

    zones: gpd.GeoDataFrame
    overall: dict[str, Any]
    problems: pd.DataFrame
    assignment: pd.DataFrame


def _coverage_problems(assign: pd.DataFrame) -> list[dict]:
    out = []
    for _, row in assign[assign["zone"].isna()].iterrows():
        detail = f"{row['pop_75plus']:.0f} aged 75+ in no zone"
        out.append(problem("(none)", "lsoa_in_no_zone", row["lsoa_code"], "", detail))
    for _, row in assign[assign["n_zones"] > 1].iterrows():
        detail = f"claimed by {row['n_zones']} zones"
        out.append(problem(row["zone"], "lsoa_in_several_zones", row["lsoa_code"], 1, detail))
    return out


def check_zones(
    layers: AreaLayers,
    zones: str | os.PathLike[str] | gpd.GeoDataFrame | pd.DataFrame,
    *,
    network: object | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    thresholds: ZoneThresholds | None = None,
    access_table: gpd.GeoDataFrame | None = None,
    days: int = 50,
    n_pairs: int = 100,
    seed: int = 0,
    n_runs: int | None = None,
) -> ZoneCheck:
    """Check a zoning of an area and list its problems.

    Parameters
    ----------
    layers
        The area's layers.
    zones
        The zoning (see :func:`read_zoning`).
    network
        Road network for drive times; ``None`` for the labelled straight-line estimate.
    data_dir
        Data folder.
    thresholds
        Rules' thresholds (:class:`ZoneThresholds`).
    access_table
        Output of :func:`geosuff.access` to count gap LSOAs per zone (optional).
    days
        Simulated days of rounds (:func:`geosuff.home_care_travel`; keep the default
        to match ``runs`` and ``gaps``).
    n_pairs
        Random client pairs per zone for the client-to-client drive times.
    seed
        Random seed.
    n_runs
        Earlier name of *days*.

    Returns
    -------
    ZoneCheck
        Per-zone figures, overall figures, the problem list and the LSOA assignment.
        Zone figures: ``n_lsoas``, ``pop_75plus``, ``home_care_clients_expected``,
        ``home_care_agencies``, ``beds``, ``nursing_beds``, ``extra_care_units``,
        ``pop_vs_mean``, ``parts_adjacency``, ``parts_road`` (NaN without a network),
        ``centre_minutes_median``/``_p90`` (75+-weighted), ``pair_minutes_median``/
        ``_p90``, ``home_care_minutes_per_visit`` (with ``_p10``/``_p90``, miles,
        costs), ``lsoas_nearer_other``, ``share_nearer_other``, ``gap_lsoas``,
        ``travel_method``.
    """
    th = thresholds or ZoneThresholds()
    days = n_runs if n_runs is not None else days
    zoning: Zoning = read_zoning(zones, layers, data_dir=data_dir, thresholds=th)
    pop = layers.population.reset_index(drop=True)
    assign = pop[["lsoa_code", "pop_75plus"]].merge(zoning.assignment, on="lsoa_code", how="left")
    problems = list(zoning.problems.to_dict("records")) + _coverage_problems(assign)
    groups = assign.set_index("lsoa_code")["zone"]
    names = sorted(assign["zone"].dropna().unique())
    if not names:
        msg = f"{zoning.source}: no LSOA of {layers.area.name} falls in any zone"
        raise ValidationError(msg)
    supply = supply_ratios(
        pop, layers.care_homes, layers.home_care, layers.extra_care, by="zone", groups=groups
    ).set_index("unit")
    adjacency = lsoa_adjacency(pop)
    xy = pop[["demand_e", "demand_n"]].to_numpy(float)
    w = assign["pop_75plus"].to_numpy(float)
    centre = centre_times(pop, assign["zone"], names, network)
    assign["minutes_to_own_centre"] = centre.own_minutes
    assign["minutes_to_other_centre"] = centre.other_minutes
    assign["nearer_other_zone"] = centre.nearer_other
    nearer = pd.notna(centre.nearer_other)
    travel = home_care_travel(layers, groups=groups, network=network, days=days, seed=seed)
    by_zone = travel.zones.set_index("zone")
    gap_counts: pd.Series | None = None
    if access_table is not None:
        flagged = find_gaps(access_table, travel=travel, coverage=layers.coverage)
        gap_counts = (
            flagged.assign(zone=flagged["lsoa_code"].map(groups)).groupby("zone")["flagged"].sum()
        )
    rng = np.random.default_rng(seed)
    polygons = zoning.polygons.set_index("zone").geometry
    rows = []
    zone_of = assign["zone"].to_numpy()
    mean_pop = float(np.mean([w[zone_of == z].sum() for z in names]))
    for z in names:
        members = np.flatnonzero(zone_of == z)
        zpop = float(w[members].sum())
        polygon = polygons.get(z)
        parts_road = (
            float(parts_by_road(network, polygon, xy[members]))
            if network is not None and polygon is not None
            else np.nan
        )
        pair_med, pair_p90 = pair_minutes(pop.iloc[members], network, n_pairs, rng)
        n_near = int(nearer[members].sum())
        row: dict[str, Any] = {
            "zone": z,
            "n_lsoas": len(members),
            "pop_75plus": zpop,
            "home_care_agencies": float(supply.loc[z, "home_care_agencies"]),
            "beds": float(supply.loc[z, "beds"]),
            "nursing_beds": float(supply.loc[z, "nursing_beds"]),
            "extra_care_units": float(supply.loc[z, "extra_care_units"]),
            "pop_vs_mean": zpop / mean_pop if mean_pop else np.nan,
            "parts_adjacency": parts_by_adjacency(adjacency, members),
            "parts_road": parts_road,
            "centre_minutes_median": weighted_quantile(
                centre.own_minutes[members], w[members], 0.5
            ),
            "centre_minutes_p90": weighted_quantile(centre.own_minutes[members], w[members], 0.9),
            "pair_minutes_median": pair_med,
            "pair_minutes_p90": pair_p90,
        }
        for col in TRAVEL_COLUMNS:
            row[col] = float(by_zone[col].get(z, np.nan))
        row.update(
            {
                "lsoas_nearer_other": n_near,
                "share_nearer_other": n_near / len(members) if len(members) else np.nan,
                "gap_lsoas": float(gap_counts.get(z, 0)) if gap_counts is not None else np.nan,
                "travel_method": centre.method,
            }
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    problems += rule_problems(table, th, centre.method)
    zones_gdf = gpd.GeoDataFrame(
        table, geometry=polygons.reindex(names).to_numpy(), crs=settings.crs_metric
    )
    problem_df = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    overall = _overall(layers, zoning, assign, table, centre.own_minutes)
    overall["home_care_minutes_per_visit"] = _visit_mean(travel.zones, names)
    overall["split_zones"] = int((table["parts_adjacency"] > th.max_parts).sum())
    overall["lsoas_nearer_other"] = int(nearer.sum())
    overall["gap_lsoas"] = float(table["gap_lsoas"].sum()) if access_table is not None else None
    overall["travel_method"] = centre.method
    overall["problems"] = len(problem_df)
    overall["travel_parameters"] = travel.parameters
    overall["thresholds"] = asdict(th)
    cols = ["lsoa_code", "zone", "n_zones", "pop_75plus"]
    cols += ["minutes_to_own_centre", "minutes_to_other_centre", "nearer_other_zone"]
    return ZoneCheck(zones_gdf, overall, problem_df, assign[cols])


def _visit_mean(zone_table: pd.DataFrame, names: list[str]) -> float:
    """Mean travel per visit over every visit of the named zones."""
    t = zone_table.set_index("zone").reindex(names)
    ok = t["home_care_minutes_per_visit"].notna() & (t["home_care_legs_sampled"] > 0)
    if not ok.any():
        return float("nan")
    return float(
        np.average(
            t.loc[ok, "home_care_minutes_per_visit"], weights=t.loc[ok, "home_care_legs_sampled"]
        )
    )


def _overall(
    layers: AreaLayers,
    zoning: Zoning,
    assign: pd.DataFrame,
    table: pd.DataFrame,
    own_minutes: np.ndarray,
) -> dict[str, Any]:
    none = assign["zone"].isna().to_numpy()
    w = assign["pop_75plus"].to_numpy(float)
    zpop = table["pop_75plus"]
    return {
        "area": f"{layers.area.name} ({layers.area.code})",
        "source": zoning.source,
        "zones": len(table),
        "lsoas": len(assign),
        "lsoas_in_no_zone": int(none.sum()),
        "pop_75plus_in_no_zone": float(w[none].sum()),
        "lsoas_in_several_zones": int((assign["n_zones"] > 1).sum()),
        "pop_75plus_max_over_min": float(zpop.max() / zpop.min()) if zpop.min() > 0 else np.inf,
        "pop_75plus_cv": float(zpop.std(ddof=0) / zpop.mean()),
        "centre_minutes_p90": weighted_quantile(own_minutes, w, 0.9),
    }
