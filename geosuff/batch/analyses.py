"""The analyses shipped with geosuff, as batch tasks: summary, access, runs, gaps, ...

Each is ``fn(context, params) -> table`` over an :class:`~geosuff.batch.context.AreaContext`;
they share the area's access table through the context's memo. Importing this module
registers them (:data:`geosuff.batch.registry.ANALYSES`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import GeosuffError
from geosuff.batch.context import AreaContext
from geosuff.batch.registry import Analysis, register_analysis

__all__ = ["access_table", "compute_access", "compute_gaps", "compute_runs"]


def _area_class(params: Mapping[str, Any]) -> str | None:
    """Return the recipe's ``area_class``, ``None`` for ``"auto"`` (each point's RUC11 setting)."""
    value = str(params["area_class"])
    return None if value == "auto" else value


def _summary(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    from geosuff.analysis.summary import area_summary

    return area_summary(ctx.layers)


def access_table(ctx: AreaContext, params: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """Access per LSOA for an area with the ``[access]`` parameters (computed once).

    Parameters
    ----------
    ctx
        The area.
    params
        The ``[access]`` parameters.

    Returns
    -------
    geopandas.GeoDataFrame
        Output of :func:`geosuff.access`.
    """
    key = "access:" + json.dumps(params, sort_keys=True, default=str)
    return ctx.memo(key, lambda: compute_access(ctx, params, ctx.layers, None))


def compute_access(
    ctx: AreaContext, params: Mapping[str, Any], layers: Any, surroundings: Any
) -> gpd.GeoDataFrame:
    """Run :func:`geosuff.access` with recipe parameters.

    Parameters
    ----------
    ctx
        The area.
    params
        The ``[access]`` parameters.
    layers
        The area's layers (possibly changed by a scenario).
    surroundings
        Surroundings to use, or ``None`` for the area's own with ``buffer_km``.

    Returns
    -------
    geopandas.GeoDataFrame
        The access table.
    """
    from geosuff.analysis.access import access

    around = surroundings if surroundings is not None else ctx.surroundings(params["buffer_km"])
    bands = {float(m): float(w) for m, w in params["bands"]}
    return access(
        layers,
        network=ctx.network(),
        surroundings=around,
        max_minutes=float(params["max_minutes"]),
        bands=bands,
        catchment_minutes=float(params["catchment_minutes"]),
        within_minutes=tuple(float(m) for m in params["within_minutes"]),
        area_class=_area_class(params),
    )


def _access(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    return access_table(ctx, params)


def compute_runs(ctx: AreaContext, params: Mapping[str, Any], layers: Any) -> Any:
    """Run :func:`geosuff.home_care_travel` with recipe parameters (computed once).

    Parameters
    ----------
    ctx
        The area.
    params
        The ``[runs]`` parameters.
    layers
        The area's layers (possibly changed by a scenario).

    Returns
    -------
    geosuff.HomeCareTravel
        Per-LSOA and per-zone travel per visit.
    """
    from geosuff.analysis.runs import home_care_travel

    def make() -> Any:
        return home_care_travel(
            layers,
            groups=ctx.groups(),
            network=ctx.network(),
            days=int(params["days"]),
            seed=int(params["seed"]),
            visits_per_round=int(params["visits_per_round"]),
            visit_minutes=float(params["visit_minutes"]),
            clients_per_1000_75plus=params["clients_per_1000_75plus"],
            patch_clients=float(params["patch_clients"]),
            hourly_pay_gbp=params["hourly_pay_gbp"],
            mileage_rate_gbp_per_mile=params["mileage_rate_gbp_per_mile"],
            area_class=_area_class(params),
        )

    if layers is not ctx.layers:  # a scenario's layers: not shared
        return make()
    return ctx.memo("runs:" + json.dumps(params, sort_keys=True, default=str), make)


def _runs(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute_runs(ctx, params, ctx.layers).zones


def compute_gaps(
    ctx: AreaContext,
    params: Mapping[str, Mapping[str, Any]],
    acc: gpd.GeoDataFrame,
    layers: Any,
) -> gpd.GeoDataFrame:
    """Run :func:`geosuff.find_gaps` on an access table with recipe parameters.

    Parameters
    ----------
    ctx
        The area.
    params
        ``{"gaps": ..., "runs": ...}`` parameters.
    acc
        The access table.
    layers
        The area's layers (possibly changed by a scenario), for care runs.

    Returns
    -------
    geopandas.GeoDataFrame
        Gap flags per LSOA with reasons.
    """
    from geosuff.analysis.gaps import GapThresholds, find_gaps
    from geosuff.io.places import add_place_names

    gap = dict(params["gaps"])
    with_runs = bool(gap.pop("with_runs"))
    thresholds = GapThresholds.from_mapping(gap)
    travel = compute_runs(ctx, params["runs"], layers) if with_runs else None
    out = find_gaps(acc, travel=travel, coverage=layers.coverage, thresholds=thresholds)
    out = add_place_names(out, layers.population, layers.area, data_dir=ctx.job.data_dir)
    # Thresholds are recorded in the manifest; a dict in attrs does not survive Parquet.
    out.attrs.pop("thresholds", None)
    return out


def _gaps(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute_gaps(ctx, params, access_table(ctx, params["access"]), ctx.layers)


def _travel_matrix(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    from geosuff.io.population import demand_points
    from geosuff.network import travel_time_matrix

    around = ctx.surroundings(float(params["buffer_km"]))
    layer = str(params["to"])
    if layer not in around.providers:
        msg = f"[travel_matrix] to = {layer!r}: use one of {sorted(around.providers)}"
        raise GeosuffError(msg)
    dests = around.providers[layer]
    origins = demand_points(ctx.layers.population)
    return travel_time_matrix(
        ctx.network(),
        origins.assign(id=origins["lsoa_code"].to_numpy()),
        dests.assign(id=dests["provider_id"].astype(str).to_numpy()),
        max_minutes=float(params["max_minutes"]),
        dropna=bool(params["dropna"]),
        max_snap_m=None,
        area_class=_area_class(params),
    )


def _zones_check(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    from geosuff.zones.check import ZoneThresholds, check_zones

    zones = ctx.job.zones
    if zones is None:
        msg = "zones_check needs a 'zones' file (polygons, LSOA/ward CSV or seed list) for the area"
        raise GeosuffError(msg)
    target: Any = zones
    if zones.suffix.lower() == ".toml":
        groups = ctx.groups()
        target = pd.DataFrame({"lsoa_code": groups.index, "zone": groups.to_numpy()})  # type: ignore[union-attr]
    limits = {k: v for k, v in params.items() if k not in ("days", "seed")}
    result = check_zones(
        ctx.layers,
        target,
        network=ctx.network(),
        data_dir=ctx.job.data_dir,
        thresholds=ZoneThresholds.from_mapping(limits),
        days=int(params["days"]),
        seed=int(params["seed"]),
    )
    problems = result.problems.groupby("zone")["rule"].agg(lambda r: "; ".join(map(str, r)))
    table = result.zones.copy()
    table["problems"] = [problems.get(z, "") for z in table["zone"]]
    return table


def _zones_check_defaults() -> dict[str, Any]:
    from dataclasses import asdict

    from geosuff.zones.check import ZoneThresholds

    return {"days": 50, "seed": 0, **asdict(ZoneThresholds())}


_ACCESS_DEFAULTS: dict[str, Any] = {
    "buffer_km": 20.0,
    "max_minutes": 60.0,
    "catchment_minutes": 30.0,
    "within_minutes": [15.0, 30.0, 45.0],
    "area_class": "auto",
    "bands": [[10.0, 1.0], [20.0, 0.68], [30.0, 0.22]],
}
_RUNS_DEFAULTS: dict[str, Any] = {
    "days": 50,
    "seed": 0,
    "visits_per_round": 7,
    "visit_minutes": 30.0,
    "clients_per_1000_75plus": None,
    "patch_clients": 100.0,
    "hourly_pay_gbp": None,
    "mileage_rate_gbp_per_mile": None,
    "area_class": "auto",
}


def _gaps_defaults() -> dict[str, Any]:
    from dataclasses import asdict

    from geosuff.analysis.gaps import GapThresholds

    return {"with_runs": True, **asdict(GapThresholds())}


_CLASS = "one of auto|rural|urban"
_ACCESS_LIMITS = {
    "buffer_km": ">=0",
    "max_minutes": ">0",
    "catchment_minutes": ">0",
    "within_minutes": ">0",
    "area_class": _CLASS,
    "bands": ">0",
}
_RUNS_LIMITS = {
    "days": ">=1",
    "seed": ">=0",
    "visits_per_round": ">=2",
    "visit_minutes": ">0",
    "clients_per_1000_75plus": ">0",
    "patch_clients": ">0",
    "hourly_pay_gbp": ">=0",
    "mileage_rate_gbp_per_mile": ">=0",
    "area_class": _CLASS,
}
_GAPS_LIMITS = {
    "travel_minutes_per_visit": ">0",
    "home_care_minutes": ">0",
    "nursing_minutes": ">0",
    "min_pop_75plus": ">=0",
    "access_quantile": "0..1",
}
_MATRIX_DEFAULTS: dict[str, Any] = {
    "to": "care_homes",
    "buffer_km": 20.0,
    "max_minutes": 60.0,
    "dropna": True,
    "area_class": "auto",
}
_MATRIX_LIMITS = {
    "to": "one of care_homes|home_care|extra_care",
    "buffer_km": ">=0",
    "max_minutes": ">0",
    "area_class": _CLASS,
}
_ZONED = ("layers", "travel", "zones")

register_analysis(Analysis("summary", _summary, {}, network=False, reads=("layers",)))
register_analysis(Analysis("access", _access, _ACCESS_DEFAULTS, limits=_ACCESS_LIMITS))
register_analysis(Analysis("runs", _runs, _RUNS_DEFAULTS, reads=_ZONED, limits=_RUNS_LIMITS))
register_analysis(
    Analysis(
        "gaps",
        _gaps,
        _gaps_defaults(),
        uses=("access", "runs"),
        reads=_ZONED,
        limits=_GAPS_LIMITS,
    )
)
register_analysis(
    Analysis("travel_matrix", _travel_matrix, _MATRIX_DEFAULTS, limits=_MATRIX_LIMITS)
)
register_analysis(
    Analysis(
        "zones_check",
        _zones_check,
        _zones_check_defaults(),
        reads=_ZONED,
        limits={"days": ">=1", "seed": ">=0"},
    )
)
