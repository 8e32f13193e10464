"""Home care difficulty from care-worker travel: minutes per visit, per LSOA and per zone.

The model, for the people of each LSOA:

* **clients** where people likely to need home care live: each LSOA expects
  ``pop_75plus x take-up / 1000`` clients (:mod:`geosuff.analysis.clients`), their
  homes spread uniformly over the LSOA's area (moved onto the nearest road when a
  road network is given);
* **rounds** formed among the clients of the commissioned zone, or, without zones,
  of a local patch around the LSOA (:mod:`geosuff.analysis.patches`; never a whole
  authority): every call falls in a time slot and a round drives to the nearest
  client due in the next slot (:mod:`geosuff.analysis.rounds`);
* **drive times** over the road network when one is given, else the labelled
  estimate (:func:`geosuff.network.time_matrix_array`; a ``ruc11`` column on the
  population layer is passed on for each client's own setting);
* **each leg attributed to the visit it leads to**; the first visit of a round is
  reached from the worker's home (commuting) and has no leg.

Travel per visit is the mean leg plus the speed profile's per-visit overhead (parking,
walking to the door); its spread (10th and 90th percentiles) is over the simulated
visits. Days are seeded: the same seed gives the same figures, block by block, and
the zone figure is the mean over the zone's visits, so every command that shows a
zone (``runs``, ``gaps``, ``zones check``, the map) shows the same number.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.analysis.blocks import BlockMatrices, round_blocks, simulate_block
from geosuff.analysis.clients import client_pool, expected_clients, homes_onto_roads
from geosuff.analysis.patches import PATCH_CLIENTS
from geosuff.analysis.travel_cost import KM_PER_MILE
from geosuff.analysis.travel_tables import FIGURES, visit_figures, zone_table
from geosuff.io.area_layers import AreaLayers

__all__ = [
    "KM_PER_MILE",
    "LSOA_COLUMNS",
    "ZONE_COLUMNS",
    "HomeCareTravel",
    "add_home_care_travel",
    "care_runs",
    "home_care_travel",
]

log = logging.getLogger(__name__)

#: Columns of :attr:`HomeCareTravel.lsoas`.
LSOA_COLUMNS = [
    "lsoa_code",
    "zone",
    "home_care_round_area",
    "home_care_clients_expected",
    *FIGURES,
    "home_care_travel_method",
]

#: Columns of :attr:`HomeCareTravel.zones` (before ``geometry``).
ZONE_COLUMNS = [
    "zone",
    "home_care_round_area",
    "n_lsoas",
    "pop_75plus",
    "home_care_clients_expected",
    *FIGURES,
    "home_care_travel_method",
]


class HomeCareTravel(NamedTuple):
    """Result of :func:`home_care_travel`.

    Attributes
    ----------
    lsoas
        One row per LSOA (:data:`LSOA_COLUMNS`): its zone (``None`` without zones),
        the round area its visits were planned in (``zone <name>`` or the local
        patch), expected clients and the figures.
    zones
        One row per zone, or per local authority district when no zones were given
        (then ``home_care_round_area`` is ``local patches``), with the zone's
        polygon (EPSG:27700). Figures are means over the zone's visits.
    visits
        One row per simulated visit that counted: ``lsoa_code``, ``day``,
        ``leg_minutes`` and ``leg_km`` (NaN for a round's first visit or an
        unreachable leg), ``unreachable``.
    parameters
        Every assumption used (take-up, rates, overhead, days, visits per round, patch
        size, seed), for output footers.
    """

    lsoas: pd.DataFrame
    zones: gpd.GeoDataFrame
    visits: pd.DataFrame
    parameters: dict[str, Any]


def home_care_travel(
    layers: AreaLayers,
    *,
    groups: pd.Series | None = None,
    network: object | None = None,
    days: int = 50,
    visits_per_round: int = 7,
    visit_minutes: float = 30.0,
    overhead_minutes: float | None = None,
    clients_per_1000_75plus: float | None = None,
    patch_clients: float = PATCH_CLIENTS,
    homes_per_client: float = 2.0,
    hourly_pay_gbp: float | None = None,
    mileage_rate_gbp_per_mile: float | None = None,
    seed: int = 0,
    area_class: str | None = None,
) -> HomeCareTravel:
    """Care-worker travel per visit for the people of every LSOA, and per zone.

    Parameters
    ----------
    layers
        The area's layers.
    groups
        Zone of each LSOA (indexed by ``lsoa_code``); rounds are formed within each
        zone. LSOAs in no zone, and every LSOA when *groups* is ``None``, use their
        local patch (:mod:`geosuff.analysis.patches`).
    network
        Road network or osmnx graph; ``None`` for the labelled estimate.
    days
        Simulated days per zone or patch (each draws its clients and their call
        times afresh).
    visits_per_round
        Time slots of a round (a round makes at most one visit per slot; default 7).
    visit_minutes
        Paid contact minutes per visit.
    overhead_minutes
        Per-visit overhead (parking, walking to the door); default the speed profile's.
    clients_per_1000_75plus
        Take-up; default :data:`geosuff.settings.home_care_clients_per_1000_75plus`.
    patch_clients
        Clients a local patch expects (without zones).
    homes_per_client
        Candidate homes drawn per expected client.
    hourly_pay_gbp
        Care worker's hourly pay; default :data:`geosuff.settings.care_worker_hourly_pay_gbp`.
    mileage_rate_gbp_per_mile
        Default :data:`geosuff.settings.mileage_rate_gbp_per_mile` (45p).
    seed
        Random seed.
    area_class
        ``None`` (default): without a network each home takes the setting of its LSOA's
        RUC11 class (the calibrated estimate); ``"rural"``/``"urban"`` force the old
        uncalibrated estimate, a RUC11 code that setting everywhere.

    Returns
    -------
    HomeCareTravel
        Per-LSOA and per-zone tables, the visits and the parameters.

    Raises
    ------
    ValidationError
        For fewer than two visits per round or a non-positive number of days.
    """
    from geosuff.network import load_profile

    if visits_per_round < 2:
        msg = f"visits_per_round must be at least 2, got {visits_per_round!r}"
        raise ValidationError(msg)
    if days < 1:
        msg = f"days must be at least 1, got {days!r}"
        raise ValidationError(msg)
    overhead = load_profile().visit_overhead_min if overhead_minutes is None else overhead_minutes
    rate = (
        settings.home_care_clients_per_1000_75plus
        if clients_per_1000_75plus is None
        else clients_per_1000_75plus
    )
    cost_args: dict[str, Any] = {
        "visit_minutes": visit_minutes,
        "hourly_pay_gbp": hourly_pay_gbp,
        "mileage_rate_gbp_per_mile": mileage_rate_gbp_per_mile,
    }
    pop = layers.population.reset_index(drop=True)
    codes = pop["lsoa_code"].astype(str).to_numpy()
    expected = expected_clients(pop["pop_75plus"].to_numpy(float), rate)
    zone = (
        np.full(len(pop), None, dtype=object)
        if groups is None
        else pop["lsoa_code"].map(groups).astype(object).to_numpy()
    )
    zone = np.where(pd.isna(zone), None, zone)
    pool = client_pool(
        pop, expected, homes_per_client=homes_per_client, rng=np.random.default_rng([seed, 0])
    )
    if network is not None:
        pool = homes_onto_roads(pool, network)
    blocks = round_blocks(pop, zone, expected, patch_clients=patch_clients)
    matrices = BlockMatrices(network, pool, pop, blocks, area_class)
    label = np.full(len(pop), "", dtype=object)
    for block in blocks:
        label[block.targets] = block.label
    parts = []
    for block, homes, t, km, xy, pos in matrices:
        part = simulate_block(
            block,
            homes,
            pool,
            (t, km, xy, pos),
            days=days,
            visits_per_round=visits_per_round,
            seed=seed,
        )
        if part is not None:
            parts.append(part)
    columns = {"row": int, "day": int, "leg_minutes": float, "leg_km": float, "unreachable": bool}
    visit_rows = pd.DataFrame(
        {
            c: np.concatenate([p[c] for p in parts]).astype(kind)
            if parts
            else np.array([], dtype=kind)
            for c, kind in columns.items()
        }
    )
    method = matrices.method or ("network" if network is not None else "estimate_crowfly")
    per_lsoa = visit_figures(visit_rows, "row", overhead, cost_args).reindex(range(len(pop)))
    per_lsoa["home_care_legs_sampled"] = per_lsoa["home_care_legs_sampled"].fillna(0).astype(int)
    per_lsoa["home_care_unreachable_legs"] = (
        per_lsoa["home_care_unreachable_legs"].fillna(0).astype(int)
    )
    lsoas = pd.DataFrame(
        {
            "lsoa_code": codes,
            "zone": zone,
            "home_care_round_area": label,
            "home_care_clients_expected": expected,
        }
    )
    lsoas = pd.concat([lsoas, per_lsoa.reset_index(drop=True)], axis=1)
    lsoas["home_care_travel_method"] = method
    # zone table: the commissioned zones, else the local authority districts
    unit = (
        np.where(pd.isna(zone), "(none)", zone).astype(str)
        if groups is not None
        else pop["la_code"].astype(str).to_numpy()
    )
    zones = zone_table(pop, unit, expected, visit_rows, overhead, cost_args)
    zones["home_care_round_area"] = "zone" if groups is not None else "local patches"
    zones.loc[zones["zone"] == "(none)", "home_care_round_area"] = "local patches"
    zones["home_care_travel_method"] = method
    zones = zones[[*ZONE_COLUMNS, "geometry"]]
    visits_out = visit_rows.assign(lsoa_code=codes[visit_rows["row"].to_numpy()])
    parameters = {
        "clients_per_1000_75plus": rate,
        "take_up_source": settings.home_care_take_up_source,
        "hourly_pay_gbp": settings.care_worker_hourly_pay_gbp
        if hourly_pay_gbp is None
        else hourly_pay_gbp,
        "pay_source": settings.care_worker_pay_source,
        "mileage_rate_gbp_per_mile": settings.mileage_rate_gbp_per_mile
        if mileage_rate_gbp_per_mile is None
        else mileage_rate_gbp_per_mile,
        "contact_hour_price_gbp": settings.home_care_hourly_rate_gbp,
        "visit_minutes": visit_minutes,
        "overhead_minutes": overhead,
        "days": days,
        "visits_per_round": visits_per_round,
        "patch_clients": patch_clients if (groups is None or pd.isna(zone).any()) else None,
        "homes_per_client": homes_per_client,
        "seed": seed,
        "travel_method": method,
    }
    return HomeCareTravel(
        lsoas[LSOA_COLUMNS],
        zones,
        visits_out[["lsoa_code", "day", "leg_minutes", "leg_km", "unreachable"]],
        parameters,
    )


def care_runs(
    layers: AreaLayers,
    *,
    groups: pd.Series | None = None,
    network: object | None = None,
    n_runs: int | None = None,
    visits: tuple[int, int] = (6, 8),
    visit_minutes: float = 30.0,
    overhead_minutes: float | None = None,
    hourly_rate_gbp: float | None = None,
    mileage_rate_gbp_per_mile: float | None = None,
    seed: int = 0,
    area_class: str | None = None,
) -> gpd.GeoDataFrame:
    """Per-zone care-worker travel: the zone table of :func:`home_care_travel`.

    Kept for callers of the earlier API; new code calls :func:`home_care_travel`.

    Parameters
    ----------
    layers, groups, network, visit_minutes, overhead_minutes, seed, area_class
        As for :func:`home_care_travel`.
    visits
        Range of visits per round; its rounded middle is ``visits_per_round``.
    n_runs
        Ignored: the number of simulated days is fixed so every command reports the
        same figure for the same zone.
    hourly_rate_gbp
        The care worker's hourly pay (``hourly_pay_gbp`` of :func:`home_care_travel`).
    mileage_rate_gbp_per_mile
        Mileage rate.

    Returns
    -------
    geopandas.GeoDataFrame
        :attr:`HomeCareTravel.zones`.
    """
    del n_runs
    return home_care_travel(
        layers,
        groups=groups,
        network=network,
        visits_per_round=max(2, round(sum(visits) / 2)),
        visit_minutes=visit_minutes,
        overhead_minutes=overhead_minutes,
        hourly_pay_gbp=hourly_rate_gbp,
        mileage_rate_gbp_per_mile=mileage_rate_gbp_per_mile,
        seed=seed,
        area_class=area_class,
    ).zones


def add_home_care_travel(table: pd.DataFrame, travel: HomeCareTravel) -> pd.DataFrame:
    """Return a per-LSOA *table* with its LSOAs' care-worker travel per visit.

    Parameters
    ----------
    table
        One row per LSOA with ``lsoa_code`` (e.g. :func:`geosuff.access` output).
    travel
        Output of :func:`home_care_travel` for the same area.

    Returns
    -------
    pandas.DataFrame
        *table* (same type, rows and order) plus the ``home_care_*`` columns of
        ``travel.lsoas`` (:data:`LSOA_COLUMNS` but ``lsoa_code`` and ``zone``); LSOAs
        without figures get NaN.
    """
    cols = [c for c in LSOA_COLUMNS if c not in ("lsoa_code", "zone")]
    figures = travel.lsoas.set_index("lsoa_code")[cols].reindex(table["lsoa_code"])
    out = table.copy()
    for col in cols:
        out[col] = figures[col].to_numpy()
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in out.columns:
        geom = table.geometry.name
        out = out[[c for c in out.columns if c != geom] + [geom]]
    return out
