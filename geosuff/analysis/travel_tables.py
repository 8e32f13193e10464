"""Per-LSOA and per-zone figures from simulated visits: travel per visit, spread, cost."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff.analysis.travel_cost import KM_PER_MILE, travel_costs

__all__ = ["FIGURES", "visit_figures", "zone_table"]

#: Figure columns shared by the LSOA and the zone tables.
FIGURES = [
    "home_care_minutes_per_visit",
    "home_care_minutes_per_visit_p10",
    "home_care_minutes_per_visit_p90",
    "home_care_drive_minutes_per_visit",
    "home_care_miles_per_visit",
    "home_care_travel_cost_per_visit_gbp",
    "home_care_unpaid_travel_share",
    "home_care_travel_cost_per_contact_hour_gbp",
    "home_care_travel_cost_share_of_price",
    "home_care_legs_sampled",
    "home_care_unreachable_legs",
]


def visit_figures(
    visits: pd.DataFrame, by: str, overhead: float, cost_args: dict[str, Any]
) -> pd.DataFrame:
    """Aggregate simulated visits into the figure columns, one row per value of *by*.

    Parameters
    ----------
    visits
        ``row``/``zone``, ``leg_minutes``, ``leg_km``, ``unreachable``.
    by
        The column to group by.
    overhead
        Per-visit overhead minutes added to the drive.
    cost_args
        Keyword arguments of :func:`geosuff.analysis.travel_cost.travel_costs`.

    Returns
    -------
    pandas.DataFrame
        :data:`FIGURES`, indexed by *by*.
    """
    legs = visits[visits["leg_minutes"].notna()]
    g = legs.groupby(by)
    minutes = g["leg_minutes"]
    out = pd.DataFrame(
        {
            "home_care_drive_minutes_per_visit": minutes.mean(),
            "home_care_minutes_per_visit_p10": minutes.quantile(0.1) + overhead,
            "home_care_minutes_per_visit_p90": minutes.quantile(0.9) + overhead,
            "home_care_miles_per_visit": g["leg_km"].mean() / KM_PER_MILE,
            "home_care_legs_sampled": g.size(),
        }
    )
    out = out.reindex(pd.Index(sorted(visits[by].unique()), name=by))
    out["home_care_legs_sampled"] = out["home_care_legs_sampled"].fillna(0).astype(int)
    out["home_care_unreachable_legs"] = (
        visits.groupby(by)["unreachable"].sum().reindex(out.index).fillna(0).astype(int)
    )
    out["home_care_minutes_per_visit"] = out["home_care_drive_minutes_per_visit"] + overhead
    costs = travel_costs(
        out["home_care_minutes_per_visit"].to_numpy(),
        out["home_care_miles_per_visit"].to_numpy(),
        **cost_args,
    )
    for key, values in costs.items():
        out[f"home_care_{key}"] = values
    return out[FIGURES]


def zone_table(
    pop: gpd.GeoDataFrame,
    unit: np.ndarray,
    expected: np.ndarray,
    visit_rows: pd.DataFrame,
    overhead: float,
    cost_args: dict[str, Any],
) -> gpd.GeoDataFrame:
    """Dissolve LSOAs into zones and aggregate their visits.

    Parameters
    ----------
    pop
        LSOAs (rows as in ``visit_rows["row"]``).
    unit
        Zone of each LSOA row.
    expected
        Expected clients per LSOA row.
    visit_rows
        Simulated visits.
    overhead, cost_args
        As for :func:`visit_figures`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone``, ``n_lsoas``, ``pop_75plus``, ``home_care_clients_expected``, the
        figures and the zone polygon.
    """
    visits = visit_rows.assign(zone=unit[visit_rows["row"].to_numpy()])
    figures = visit_figures(visits, "zone", overhead, cost_args)
    shapes = gpd.GeoDataFrame(
        {
            "zone": unit,
            "n_lsoas": 1,
            "pop_75plus": pop["pop_75plus"].to_numpy(float),
            "home_care_clients_expected": expected,
        },
        geometry=pop.geometry.to_numpy(),
        crs=pop.crs,
    )
    table = shapes.dissolve(
        "zone",
        aggfunc={"n_lsoas": "sum", "pop_75plus": "sum", "home_care_clients_expected": "sum"},
    )
    table = table.join(figures)
    table["home_care_legs_sampled"] = table["home_care_legs_sampled"].fillna(0).astype(int)
    table["home_care_unreachable_legs"] = table["home_care_unreachable_legs"].fillna(0).astype(int)
    return gpd.GeoDataFrame(table.reset_index(), geometry="geometry", crs=pop.crs)
