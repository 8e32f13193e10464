"""The analyses a batch can run, one function each, and the job that runs an area's tasks.

An *area job* loads an area's layers once (and, lazily, its surroundings, road network
and zones), then runs each of its tasks in turn; a failing task is recorded with its
error and the others go on. Jobs are plain data in, plain data out, so they can run in
this process, in a process pool or on Dask workers.

To add an analysis, write ``fn(context, params) -> DataFrame`` and call
:func:`register_analysis`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff._errors import GeosuffError

__all__ = [
    "ANALYSES",
    "AREA_FILE_KEYS",
    "Analysis",
    "AreaContext",
    "AreaJob",
    "AreaOutcome",
    "TaskOutcome",
    "TaskSpec",
    "register_analysis",
    "run_area_job",
    "task_parameters",
    "unavailable_reason",
]

log = logging.getLogger(__name__)

#: Layer files an area entry may replace (as in :class:`geosuff.LayerFiles`).
AREA_FILE_KEYS = ("lsoa", "population", "care_homes", "home_care", "extra_care", "postcodes")

AnalysisFn = Callable[["AreaContext", Mapping[str, Any]], pd.DataFrame]


@dataclass(frozen=True)
class Analysis:
    """An analysis a recipe can name.

    Attributes
    ----------
    name
        Name in recipes and output files.
    run
        ``run(context, params)`` returning one table.
    parameters
        Parameter name -> default; a recipe's ``[name]`` table overrides them.
    uses
        Other analyses whose parameters this one also depends on (e.g. gaps uses
        access and runs).
    network
        Whether the road network (or the estimate) is used.
    available
        ``None`` when usable, else why not (reported at recipe validation).
    """

    name: str
    run: AnalysisFn
    parameters: Mapping[str, Any]
    uses: tuple[str, ...] = ()
    network: bool = True
    available: Callable[[], str | None] = field(default=lambda: None)


ANALYSES: dict[str, Analysis] = {}


def register_analysis(analysis: Analysis) -> None:
    """Add (or replace) an analysis in the registry.

    Parameters
    ----------
    analysis
        The analysis.
    """
    ANALYSES[analysis.name] = analysis


def unavailable_reason(name: str) -> str | None:
    """Why analysis *name* cannot run in this version, or ``None`` when it can.

    Parameters
    ----------
    name
        A registered analysis.

    Returns
    -------
    str or None
        The reason.
    """
    return ANALYSES[name].available()


def task_parameters(name: str, parameters: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """All parameters a task of analysis *name* depends on, by analysis.

    Parameters
    ----------
    name
        The analysis.
    parameters
        The recipe's parameters by analysis.

    Returns
    -------
    dict
        ``{analysis: params}`` for *name* and the analyses it uses.
    """
    names = (name, *ANALYSES[name].uses)
    return {n: dict(parameters.get(n, ANALYSES[n].parameters)) for n in names}


@dataclass(frozen=True)
class TaskSpec:
    """One task of an area job.

    Attributes
    ----------
    key
        ``<area code>/<analysis>`` (scenarios: ``<area code>/scenario-<name>``).
    analysis
        Analysis name (``scenario`` for scenarios).
    parameters
        ``{analysis: params}`` (see :func:`task_parameters`).
    changes
        Scenario changes CSV (scenarios only).
    """

    key: str
    analysis: str
    parameters: Mapping[str, Mapping[str, Any]]
    changes: Path | None = None


@dataclass(frozen=True)
class AreaJob:
    """Everything needed to run an area's tasks anywhere.

    Attributes
    ----------
    area
        Area code.
    data_dir
        Data folder (must be readable where the job runs).
    files
        Layer file overrides.
    network
        Road network file, or ``None`` for the straight-line estimate.
    zones
        Zone file, or ``None``.
    network_cache
        Folder for built networks.
    tasks
        The tasks to run.
    single_process_travel
        Keep network travel times in the job's own process (set when jobs already run
        in parallel, and always in daemonic processes such as Dask workers, which
        cannot start the travel engine's process pool).
    """

    area: str
    data_dir: Path
    files: Mapping[str, Path]
    network: Path | None
    zones: Path | None
    network_cache: Path | None
    tasks: tuple[TaskSpec, ...]
    single_process_travel: bool = False


@dataclass
class TaskOutcome:
    """What one task produced.

    Attributes
    ----------
    key
        The task key.
    table
        The result (``None`` when it failed).
    seconds
        Wall time of the task itself (layers loading is in the job's time).
    error
        One-line error when it failed.
    travel_method
        ``network`` or ``estimate_crowfly`` where travel times were used.
    """

    key: str
    table: pd.DataFrame | None
    seconds: float
    error: str | None = None
    travel_method: str | None = None


@dataclass
class AreaOutcome:
    """What an area job produced.

    Attributes
    ----------
    area
        Area code.
    tasks
        One outcome per task.
    rejects
        The area's rejected/repaired input rows (columns of the rejects table).
    load_seconds
        Time spent loading the area's layers.
    """

    area: str
    tasks: list[TaskOutcome]
    rejects: pd.DataFrame
    load_seconds: float


def error_text(exc: BaseException) -> str:
    """One line describing *exc* (geosuff errors as they are, others with their type).

    Parameters
    ----------
    exc
        The exception.

    Returns
    -------
    str
        The message's first line.
    """
    text = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, GeosuffError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class AreaContext:
    """An area's inputs, loaded on first use and shared by its tasks.

    Parameters
    ----------
    job
        The area job.
    """

    def __init__(self, job: AreaJob) -> None:
        from geosuff.io.area_layers import LayerFiles, load_area_layers

        self.job = job
        files = LayerFiles(**{k: job.files[k] for k in AREA_FILE_KEYS if k in job.files})
        self.layers = load_area_layers(job.area, data_dir=job.data_dir, files=files)
        self._surroundings: dict[float, Any] = {}
        self._network: Any = None
        self._network_loaded = False
        self._groups: pd.Series | None = None
        self._groups_loaded = False
        self._memo: dict[str, Any] = {}
        self.extra_rejects: list[pd.DataFrame] = []

    def surroundings(self, buffer_km: float) -> Any:
        """Demand and providers within *buffer_km* of the area (cached).

        Parameters
        ----------
        buffer_km
            The buffer.

        Returns
        -------
        geosuff.Surroundings
            Demand and providers in and around the area.
        """
        from geosuff.io.surroundings import load_surroundings

        key = float(buffer_km)
        if key not in self._surroundings:
            self._surroundings[key] = load_surroundings(
                self.layers, buffer_km=key, data_dir=self.job.data_dir
            )
        return self._surroundings[key]

    def network(self) -> Any:
        """Load the area's road network (once), or ``None`` for the labelled estimate.

        Returns
        -------
        geosuff.RoadNetwork or None
            The network.
        """
        if not self._network_loaded:
            self._network_loaded = True
            path = self.job.network
            if path is not None:
                from geosuff.network import build_network, load_network

                if path.is_dir():
                    self._network = load_network(path)
                else:
                    self._network = build_network(path, cache_dir=network_cache(self.job))
        return self._network

    def groups(self) -> pd.Series | None:
        """Zone of each LSOA (indexed by ``lsoa_code``), or ``None`` without a zone file.

        Returns
        -------
        pandas.Series or None
            The zones.
        """
        if not self._groups_loaded:
            self._groups_loaded = True
            zones = self.job.zones
            if zones is not None:
                from geosuff.zones.groups import zone_assignment

                loaded = zone_assignment(
                    zones, self.layers, network=self.network(), data_dir=self.job.data_dir
                )
                self.extra_rejects.append(loaded.rejects)
                self._groups = loaded.data.set_index("lsoa_code")["zone"]
        return self._groups

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """Compute ``make()`` once per *key* for this area (e.g. a shared access table).

        Parameters
        ----------
        key
            Cache key.
        make
            Builds the value.

        Returns
        -------
        object
            The cached value.
        """
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


def network_cache(job: AreaJob) -> Path:
    """Folder where built road networks are cached for *job*.

    Parameters
    ----------
    job
        The job.

    Returns
    -------
    pathlib.Path
        The recipe's ``network_cache``, else ``$GEOSUFF_CACHE``, else
        ``~/.cache/geosuff/networks`` (as the ``--network`` option of the CLI).
    """
    from geosuff.network.cache import default_cache_dir

    return job.network_cache if job.network_cache is not None else default_cache_dir()


# --- the analyses -------------------------------------------------------------------------


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
        area_class=str(params["area_class"]),
    )


def _access(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    return access_table(ctx, params)


def compute_runs(ctx: AreaContext, params: Mapping[str, Any], layers: Any) -> gpd.GeoDataFrame:
    """Run :func:`geosuff.care_runs` with recipe parameters.

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
    geopandas.GeoDataFrame
        One row per zone.
    """
    from geosuff.analysis.runs import care_runs

    lo, hi = (int(v) for v in params["visits"])
    table = care_runs(
        layers,
        groups=ctx.groups(),
        network=ctx.network(),
        n_runs=int(params["n_runs"]),
        seed=int(params["seed"]),
        visits=(lo, hi),
        visit_minutes=float(params["visit_minutes"]),
        hourly_rate_gbp=params["hourly_rate_gbp"],
        mileage_rate_gbp_per_mile=params["mileage_rate_gbp_per_mile"],
        area_class=str(params["area_class"]),
    )
    if isinstance(table, tuple):  # pragma: no cover - with_runs is never asked for
        table = table[0]
    return table


def _runs(ctx: AreaContext, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute_runs(ctx, params, ctx.layers)


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

    gap = dict(params["gaps"])
    with_runs = bool(gap.pop("with_runs"))
    thresholds = GapThresholds.from_mapping(gap)
    runs = compute_runs(ctx, params["runs"], layers) if with_runs else None
    out = find_gaps(acc, runs=runs, groups=ctx.groups(), thresholds=thresholds)
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
        area_class=str(params["area_class"]),
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
    limits = {k: v for k, v in params.items() if k not in ("n_runs", "seed")}
    result = check_zones(
        ctx.layers,
        target,
        network=ctx.network(),
        data_dir=ctx.job.data_dir,
        thresholds=ZoneThresholds.from_mapping(limits),
        n_runs=int(params["n_runs"]),
        seed=int(params["seed"]),
    )
    problems = result.problems.groupby("zone")["rule"].agg(lambda r: "; ".join(map(str, r)))
    table = result.zones.copy()
    table["problems"] = [problems.get(z, "") for z in table["zone"]]
    return table


def _zones_check_defaults() -> dict[str, Any]:
    from dataclasses import asdict

    from geosuff.zones.check import ZoneThresholds

    return {"n_runs": 50, "seed": 0, **asdict(ZoneThresholds())}


_ACCESS_DEFAULTS: dict[str, Any] = {
    "buffer_km": 20.0,
    "max_minutes": 60.0,
    "catchment_minutes": 30.0,
    "within_minutes": [15.0, 30.0, 45.0],
    "area_class": "auto",
    "bands": [[10.0, 1.0], [20.0, 0.68], [30.0, 0.22]],
}
_RUNS_DEFAULTS: dict[str, Any] = {
    "n_runs": 100,
    "seed": 0,
    "visits": [6, 8],
    "visit_minutes": 30.0,
    "hourly_rate_gbp": None,
    "mileage_rate_gbp_per_mile": None,
    "area_class": "auto",
}
_GAPS_DEFAULTS: dict[str, Any] = {
    "with_runs": True,
    "home_care_minutes": 20.0,
    "nursing_minutes": 30.0,
    "min_pop_75plus": 250.0,
    "access_quantile": 0.1,
    "travel_minutes_per_visit": 15.0,
}

register_analysis(Analysis("summary", _summary, {}, network=False))
register_analysis(Analysis("access", _access, _ACCESS_DEFAULTS))
register_analysis(Analysis("runs", _runs, _RUNS_DEFAULTS))
register_analysis(Analysis("gaps", _gaps, _GAPS_DEFAULTS, uses=("access", "runs")))
register_analysis(
    Analysis(
        "travel_matrix",
        _travel_matrix,
        {
            "to": "care_homes",
            "buffer_km": 20.0,
            "max_minutes": 60.0,
            "dropna": True,
            "area_class": "auto",
        },
    )
)
register_analysis(Analysis("zones_check", _zones_check, _zones_check_defaults()))


def _run_task(ctx: AreaContext, spec: TaskSpec) -> pd.DataFrame:
    if spec.analysis == "scenario":
        from geosuff.batch.scenario import run_scenario

        if spec.changes is None:  # pragma: no cover - planned with a file
            raise GeosuffError(f"{spec.key}: no changes file")
        return run_scenario(ctx, spec.parameters, spec.changes)
    analysis = ANALYSES[spec.analysis]
    return analysis.run(ctx, spec.parameters if analysis.uses else spec.parameters[spec.analysis])


@contextlib.contextmanager
def single_process_travel(active: bool = True) -> Iterator[None]:
    """Make network travel-time searches run in this process while the block runs.

    The travel engine starts a two-process pool for many origins on large graphs; a
    daemonic process (a Dask worker) may not have children, and parallel batch jobs
    would oversubscribe the cores. ``geosuff.access`` and ``geosuff.care_runs`` do not
    take a ``workers`` argument, so the engine's default is replaced for the duration.

    Parameters
    ----------
    active
        Whether to do it (``False`` leaves the engine's default).

    Yields
    ------
    None
        Inside the block, searches use one process.
    """
    import multiprocessing

    from geosuff.network import travel

    if not (active or multiprocessing.current_process().daemon):
        yield
        return
    original = travel._pool_workers

    def one(workers: int | None, n_sources: int, n_nodes: int) -> int:
        return 1

    travel._pool_workers = one
    try:
        yield
    finally:
        travel._pool_workers = original


def run_area_job(job: AreaJob) -> AreaOutcome:
    """Run an area's tasks; each failure is recorded and the others go on.

    Parameters
    ----------
    job
        The area and its tasks.

    Returns
    -------
    AreaOutcome
        One outcome per task, and the area's rejects.
    """
    from geosuff.io.rejects import empty_rejects

    started = time.perf_counter()
    try:
        ctx = AreaContext(job)
    except Exception as exc:
        message = f"loading {job.area}: {error_text(exc)}"
        outcomes = [TaskOutcome(t.key, None, 0.0, message) for t in job.tasks]
        return AreaOutcome(job.area, outcomes, empty_rejects(), time.perf_counter() - started)
    load_seconds = time.perf_counter() - started
    outcomes = []
    for spec in job.tasks:
        t0 = time.perf_counter()
        try:
            with single_process_travel(job.single_process_travel):
                table = _run_task(ctx, spec)
        except Exception as exc:
            log.warning("%s failed: %s", spec.key, error_text(exc))
            outcomes.append(TaskOutcome(spec.key, None, time.perf_counter() - t0, error_text(exc)))
            continue
        method = None
        if "travel_method" in table.columns and len(table):
            method = str(table["travel_method"].iloc[0])
        elif "method" in table.columns and len(table):
            method = str(table["method"].iloc[0])
        outcomes.append(TaskOutcome(spec.key, table, time.perf_counter() - t0, None, method))
    parts = [r for r in (ctx.layers.rejects, *ctx.extra_rejects) if not r.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    return AreaOutcome(job.area, outcomes, rejects, load_seconds)


def clean_for_output(table: pd.DataFrame) -> pd.DataFrame:
    """Make a result table writable: plain attrs, object columns of text.

    Parameters
    ----------
    table
        A result table.

    Returns
    -------
    pandas.DataFrame
        The same table, with ``attrs`` reduced to scalars.
    """
    out = table.copy()
    out.attrs = {k: v for k, v in table.attrs.items() if isinstance(v, str | int | float | bool)}
    for col in out.columns:
        if out[col].dtype == object and col != getattr(out, "_geometry_column_name", None):
            sample = out[col].dropna()
            if len(sample) and not isinstance(sample.iloc[0], str):
                out[col] = out[col].map(
                    lambda v: v if v is None or isinstance(v, str) else json.dumps(v, default=str)
                )
    return out
