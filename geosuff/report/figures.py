"""The figures of a report: supply against the benchmarks by year, and everything else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geosuff.analysis.runs import HomeCareTravel
from geosuff.io.area_layers import AreaLayers
from geosuff.io.supply_rules import SupplyRules
from geosuff.maps.focus import Focus

__all__ = ["ReportData", "SupplyAt"]


@dataclass(frozen=True)
class SupplyAt:
    """Supply against the benchmarks for one population year (supply as loaded).

    Attributes
    ----------
    year
        The population's year (``None`` when not known).
    basis
        How the population was obtained, in words.
    label
        The year in a few words: ``"2020"`` or ``"2030, projected"``.
    projected
        Whether the population is a projection.
    districts
        :func:`geosuff.area_summary`: one row per district, then the area.
    towns
        Supply by town (``unit`` = the town, or the ward when it is in no town).
    zones
        Supply by zone, or ``None`` without zones.
    """

    year: int | None
    basis: str
    label: str
    projected: bool
    districts: pd.DataFrame
    towns: pd.DataFrame | None
    zones: pd.DataFrame | None

    @property
    def words(self) -> str:
        """The year in a sentence: ``"2020"`` or ``"2030 (projected population)"``."""
        if self.projected and self.year is not None:
            return f"{self.year} (projected population)"
        return self.label


@dataclass
class ReportData:
    """The figures of one report.

    Attributes
    ----------
    layers
        The area's layers for the report's year (the chosen one, else the estimates').
    base
        The area's layers with the estimates' population (*layers* itself without a
        chosen year).
    wards
        The area's wards (may be empty).
    focus
        The focus place, or ``None``.
    places
        Ward and town of each LSOA (:func:`geosuff.maps.labels.lsoa_towns`, indexed
        by ``lsoa_code``).
    now
        Supply against the benchmarks with the estimates' population.
    then
        The same for the chosen year, or ``None`` when it is the estimates' year.
    access
        :func:`geosuff.access` per LSOA, for the report's year.
    travel
        :func:`geosuff.home_care_travel`, for the report's year.
    gaps
        :func:`geosuff.find_gaps` for every LSOA (flagged first), for the report's year.
    groups
        Zone of each LSOA, or ``None`` without zones (rounds then use local patches).
    zone_polygons
        Zone outlines, or ``None``.
    isochrones
        Drive-time bands around the focus (with a road network), or ``None``.
    trajectory
        :func:`geosuff.population_trajectory` (per district and the area), or ``None``.
    trajectory_note
        Why there is no trajectory, when there is none.
    network
        The road network file's name, or ``None`` for the labelled estimate.
    pop_source
        The population estimates file (its name carries the vintage).
    thresholds
        Gap thresholds used.
    year
        The year asked for, or ``None`` for the estimates' year.
    warnings
        Warnings raised while the figures were computed (what they leave out).
    rules
        The supply rules the layers were loaded with (scope, bed split, coverage
        declarations, where providers count, rating and dormancy filters).
    """

    layers: AreaLayers
    base: AreaLayers
    wards: gpd.GeoDataFrame
    focus: Focus | None
    places: pd.DataFrame
    now: SupplyAt
    then: SupplyAt | None
    access: gpd.GeoDataFrame
    travel: HomeCareTravel
    gaps: gpd.GeoDataFrame
    groups: pd.Series | None = None
    zone_polygons: gpd.GeoDataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    trajectory: pd.DataFrame | None = None
    trajectory_note: str = ""
    network: str | None = None
    pop_source: str = "ONS population estimates"
    thresholds: dict[str, Any] = field(default_factory=dict)
    year: int | None = None
    warnings: list[str] = field(default_factory=list)
    rules: SupplyRules = field(default_factory=SupplyRules)

    @property
    def current(self) -> SupplyAt:
        """Supply for the report's year: the chosen year's, else the estimates'."""
        return self.then if self.then is not None else self.now

    @property
    def year_label(self) -> str:
        """The report's year in a few words (``"2030, projected"``)."""
        return self.current.label
