"""Everything a market position report shows, computed with geosuff's own analyses.

:func:`collect_report_data` loads the area (for the chosen year, and for the estimates'
year), runs access, care-worker travel and gap flags as the ``access``, ``runs`` and
``gaps`` commands do (:func:`geosuff.maps.map_results`, the map's own function), and
adds supply against the benchmarks by district, town and zone, now and in the chosen
year, and the older population's trajectory. :func:`assemble_report_data` does the
last part for callers that ran the analyses themselves (batch runs).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geosuff._errors import GeosuffError
from geosuff.analysis.gaps import GapThresholds
from geosuff.analysis.summary import area_summary
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import AreaLayers, LayerFiles, load_area_layers
from geosuff.io.layout import find_data_file, resolve_data_dir
from geosuff.io.population_year import layers_for_years
from geosuff.io.scope import DEFAULT_SCOPE
from geosuff.io.supply_rules import SupplyRules
from geosuff.io.trajectory import population_trajectory
from geosuff.maps.focus import Focus, resolve_focus
from geosuff.maps.labels import lsoa_towns
from geosuff.maps.render import area_wards
from geosuff.maps.results import MapResults, load_network_file, load_zones_input, map_results
from geosuff.maps.title import year_note
from geosuff.report.figures import ReportData, SupplyAt

__all__ = [
    "ReportData",
    "SupplyAt",
    "assemble_report_data",
    "collect_report_data",
    "collect_warnings",
    "trajectory_years",
]

log = logging.getLogger(__name__)

#: The trajectory runs to at least this year (and to the chosen year when later).
TRAJECTORY_UNTIL = 2040
#: Years between the trajectory's points.
TRAJECTORY_STEP = 5


class _Warnings(logging.Handler):
    """Keep the warnings of the thread that created it (jobs may share a process)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().splitlines()[0]
        if record.thread == self.thread and text not in self.messages:
            self.messages.append(text)


@contextlib.contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect geosuff's warnings (this thread's) while the block runs, for caveats.

    A warning says what the figures leave out (providers far from the road network,
    cross-border demand kept at its estimates in a projected year...); the report
    states them where it states its caveats.

    Yields
    ------
    list of str
        The warnings' first lines, in order, without repeats (filled as they come).
    """
    handler = _Warnings()
    logger = logging.getLogger("geosuff")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def trajectory_years(
    base_year: int,
    year: int | None = None,
    *,
    until: int = TRAJECTORY_UNTIL,
    step: int = TRAJECTORY_STEP,
) -> list[int]:
    """Years of the population trajectory: the base year, every *step* years, the chosen year.

    Parameters
    ----------
    base_year
        The estimates' year.
    year
        The chosen year (the trajectory reaches it when it is later than *until*).
    until
        The trajectory runs at least to this year.
    step
        Years between points (on multiples of *step*).

    Returns
    -------
    list of int
        Increasing years.

    Examples
    --------
    >>> trajectory_years(2020, 2032)
    [2020, 2025, 2030, 2032, 2035, 2040]
    """
    last = max(until, year or base_year)
    first = (base_year // step + 1) * step
    years = {base_year, *range(first, last + 1, step)}
    if year is not None and year >= base_year:
        years.add(year)
    return sorted(years)


def _supply(layers: AreaLayers, by: str, groups: pd.Series) -> pd.DataFrame:
    table = supply_ratios(
        layers.population,
        layers.care_homes,
        layers.home_care,
        layers.extra_care,
        by=by,
        groups=groups,
        coverage=layers.coverage,
    )
    return pd.DataFrame(table.drop(columns="geometry"))


def _supply_at(layers: AreaLayers, places: pd.DataFrame, groups: pd.Series | None) -> SupplyAt:
    town = places["town"].dropna()
    return SupplyAt(
        year=layers.year,
        basis=layers.population_basis,
        label=year_note(layers) or "year not stated",
        projected=(year_note(layers) or "").endswith("projected"),
        districts=area_summary(layers),
        towns=_supply(layers, "ward", town) if len(town) else None,
        zones=_supply(layers, "zone", groups) if groups is not None else None,
    )


def _trajectory(
    base: AreaLayers, year: int | None, folder: Path, files: LayerFiles | None
) -> tuple[pd.DataFrame | None, str]:
    if base.year is None:
        return None, "the estimates' year is not known, so no projection can follow it"
    years = trajectory_years(base.year, year)
    given = files or LayerFiles()
    try:
        table = population_trajectory(
            base.area,
            years,
            folder,
            population=given.population,
            lsoa=given.lsoa,
            projection=given.projections,
        )
    except GeosuffError as exc:
        log.warning("no population trajectory: %s", exc)
        return None, str(exc).splitlines()[0]
    return table, ""


def assemble_report_data(
    base: AreaLayers,
    layers: AreaLayers,
    results: MapResults,
    *,
    folder: str | os.PathLike[str],
    wards: gpd.GeoDataFrame,
    focus: Focus | None = None,
    groups: pd.Series | None = None,
    zone_polygons: gpd.GeoDataFrame | None = None,
    network: str | None = None,
    files: LayerFiles | None = None,
    year: int | None = None,
    warnings: list[str] | None = None,
    rules: SupplyRules | None = None,
) -> ReportData:
    """Add supply (now and in the chosen year), places and the trajectory to analyses' results.

    Parameters
    ----------
    base
        The area's layers with the estimates' population.
    layers
        The layers for the chosen year (*base* itself when there is none).
    results
        Access, travel and gaps for *layers* (:func:`geosuff.maps.map_results`).
    folder
        The data folder.
    wards
        The area's wards (may be empty).
    focus
        The focus place.
    groups
        Zone of each LSOA, or ``None``.
    zone_polygons
        Zone outlines, or ``None``.
    network
        The road network's file name, or ``None`` for the estimate.
    files
        Layer file overrides (population, projections).
    year
        The year asked for.
    warnings
        Warnings raised while the analyses ran (:func:`collect_warnings`).
    rules
        The supply rules *base* was loaded with (stated in the caveats); ``None``
        for the defaults.

    Returns
    -------
    ReportData
        The report's figures.
    """
    data_dir = resolve_data_dir(folder)
    places = lsoa_towns(base.population, wards, base.area).set_index("lsoa_code")
    now = _supply_at(base, places, groups)
    then = _supply_at(layers, places, groups) if layers.year != base.year else None
    with collect_warnings() as warned:
        trajectory, why = _trajectory(base, year, data_dir, files)
    if results.access is None or results.travel is None or results.gaps is None:
        msg = "a report needs access, care-worker travel and gaps results"
        raise GeosuffError(msg)
    pop_file = (files.population if files else None) or find_data_file(data_dir, "population")
    return ReportData(
        layers=layers,
        base=base,
        wards=wards,
        focus=focus,
        places=places,
        now=now,
        then=then,
        access=results.access,
        travel=results.travel,
        gaps=results.gaps,
        groups=groups,
        zone_polygons=zone_polygons,
        isochrones=results.isochrones,
        trajectory=trajectory,
        trajectory_note=why,
        network=network,
        pop_source=str(pop_file or "ONS population estimates"),
        thresholds=dict(results.gaps.attrs.get("thresholds", {})),
        year=year,
        warnings=list(dict.fromkeys([*(warnings or []), *warned])),
        rules=rules if rules is not None else SupplyRules(),
    )


def collect_report_data(
    area: str,
    *,
    year: int | None = None,
    zones: str | os.PathLike[str] | None = None,
    network: str | os.PathLike[str] | None = None,
    focus: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    files: LayerFiles | None = None,
    seed: int = 0,
    thresholds: GapThresholds | None = None,
    scope: str = DEFAULT_SCOPE,
    nursing_share: float | None = None,
    bed_use: str | os.PathLike[str] | None = None,
    coverage: Mapping[str, str] | None = None,
    count_by: str = "cqc",
    min_rating: str | None = None,
    include_dormant: bool = False,
) -> ReportData:
    """Load an area and compute every figure of its report.

    The supply rules (*scope* to *include_dormant*) are those of
    :func:`geosuff.load_area_layers`; every figure of the report follows them.

    Parameters
    ----------
    area
        Local authority code or name.
    year
        The year of the analyses and of the future supply tables: ``None`` for the
        estimates' year; a later year projects the population (ONS projections in the
        data folder, apportioned to LSOAs).
    zones
        Zone polygons, an LSOA/ward-to-zone table or a seed list (``boundaries/*.toml``).
    network
        Road network (``.osm.pbf`` here or in the data folder, or a saved network);
        ``None`` uses the labelled estimate.
    focus
        A place to centre the map on (ward name or postcode).
    data_dir
        Data folder.
    files
        Layer file overrides.
    seed
        Seed of the simulated care-worker rounds (the commands' default 0).
    thresholds
        Gap thresholds (default :class:`geosuff.GapThresholds`).
    scope
        ``"older-people"`` (default: care homes registered for Older People or
        Dementia) or ``"all"``.
    nursing_share
        Share of the beds in nursing-registered homes counted as nursing (0..1);
        default the registration rule (all of them).
    bed_use
        A bed-use file (nursing/residential beds per CQC location id).
    coverage
        Coverage declarations, e.g. ``{"home_care": "complete"}``.
    count_by
        ``"cqc"`` (default) or ``"coordinates"``: where a provider whose local
        authority and coordinates disagree is counted.
    min_rating
        Keep only providers rated at least this (``"good"``).
    include_dormant
        Keep locations CQC marks dormant.

    Returns
    -------
    ReportData
        The figures.

    Raises
    ------
    ValidationError
        If *year* is outside the projection's range, or a supply rule is not valid.
    """
    rules = SupplyRules(
        scope=scope,
        nursing_share=nursing_share,
        bed_use=Path(bed_use) if bed_use is not None else None,
        coverage=dict(coverage or {}),
        count_by=count_by,
        min_rating=min_rating,
        include_dormant=include_dormant,
    )
    folder = resolve_data_dir(data_dir)
    base = load_area_layers(area, data_dir=folder, files=files, **rules.load_kwargs())
    layers = base
    if year is not None and year != base.year:
        projection = files.projections if files else None
        layers = layers_for_years(base, [year], data_dir=folder, projection=projection)[0]
    wards = area_wards(base, folder)
    place = None
    if focus:
        postcodes = (files.postcodes if files else None) or find_data_file(folder, "postcodes")
        place = resolve_focus(focus, wards, postcodes=postcodes)
    with collect_warnings() as warned:
        net, net_name = load_network_file(network, folder)
        groups = polygons = None
        if zones is not None:
            zoned = load_zones_input(zones, layers, network=net, folder=folder)
            groups, polygons = zoned.groups, zoned.polygons
        results = map_results(
            layers,
            folder=folder,
            network=net,
            groups=groups,
            focus=place,
            wards=wards,
            thresholds=thresholds,
            seed=seed,
        )
    return assemble_report_data(
        base,
        layers,
        results,
        folder=folder,
        wards=wards,
        focus=place,
        groups=groups,
        zone_polygons=polygons,
        network=net_name,
        files=files,
        year=year,
        warnings=warned,
        rules=rules,
    )
