"""Seed-town lists (``boundaries/*.toml``) and their resolution to points in the data."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np

from geosuff import settings
from geosuff._errors import InputFileError, ValidationError
from geosuff.io.area_layers import AreaLayers
from geosuff.io.places import resolve_place
from geosuff.io.wards import load_wards

__all__ = ["SeedList", "parse_seeds", "resolve_seeds"]


@dataclass(frozen=True)
class SeedList:
    """Zones and the seed towns of each.

    Attributes
    ----------
    zones
        Zone name -> seed towns (ward names or postcode districts/sectors).
    area
        The area the list is for, when it says.
    title, source
        Description and where the zone list comes from.
    """

    zones: dict[str, list[str]]
    area: str | None = None
    title: str = ""
    source: str = ""
    path: Path | None = field(default=None, compare=False)


def parse_seeds(value: str | os.PathLike[str]) -> SeedList:
    """Read a seed list from a TOML file, or from text like ``"Oakham,Uppingham"``.

    Parameters
    ----------
    value
        A ``.toml`` seed file (see ``boundaries/README.md``), or comma-separated seed
        towns (each its own zone; ``"North=Chippenham+Calne"`` names a zone with two).

    Returns
    -------
    SeedList
        The zones and seeds.

    Raises
    ------
    InputFileError
        For an unreadable or malformed file.
    ValidationError
        For an empty list or a zone without seeds.
    """
    text = str(value)
    if text.lower().endswith(".toml"):
        path = Path(text)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputFileError(path, f"cannot read seed list ({exc})") from exc
        zones = raw.get("zones")
        if not isinstance(zones, dict) or not zones:
            raise InputFileError(path, "needs a [zones] table: zone name = [seed towns]")
        bad = [k for k, v in zones.items() if not isinstance(v, list) or not v]
        if bad:
            raise InputFileError(path, f"zones without a list of seed towns: {bad}")
        return SeedList(
            {str(k): [str(s) for s in v] for k, v in zones.items()},
            raw.get("area"),
            str(raw.get("title", "")),
            str(raw.get("source", "")),
            path,
        )
    zones: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, seeds = part.partition("=")
        towns = [s.strip() for s in (seeds or name).split("+") if s.strip()]
        zones[name.strip()] = towns
    if not zones:
        msg = "no seed towns given"
        raise ValidationError(msg)
    return SeedList(zones)


def resolve_seeds(
    seeds: SeedList, layers: AreaLayers, *, data_dir: str | os.PathLike[str] | None = None
) -> gpd.GeoDataFrame:
    """Find every seed town in the data and place it at its population-weighted centre.

    Parameters
    ----------
    seeds
        The seed list.
    layers
        The area's layers.
    data_dir
        Data folder (wards, postcodes).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per seed: ``zone``, ``seed``, ``matched`` (what matched in the data),
        point geometry (EPSG:27700): the 75+-weighted centre of the demand points of the
        LSOAs inside the matched wards or postcode area (the place's own centre when
        none is inside).

    Raises
    ------
    AreaNotFoundError
        When a seed town matches no ward or postcode (the message names it).
    """
    wards = load_wards(layers.area, data_dir=data_dir)
    pop = layers.population
    demand = gpd.GeoSeries(
        gpd.points_from_xy(pop["demand_e"], pop["demand_n"]), crs=settings.crs_metric
    )
    rows = []
    for zone, towns in seeds.zones.items():
        for town in towns:
            place = resolve_place(town, layers.area, data_dir=data_dir, wards=wards)
            inside = demand.within(place.geometry).to_numpy()
            weights = pop["pop_75plus"].to_numpy(float)[inside]
            if inside.any() and weights.sum() > 0:
                x = float(np.average(pop["demand_e"].to_numpy()[inside], weights=weights))
                y = float(np.average(pop["demand_n"].to_numpy()[inside], weights=weights))
                point = gpd.points_from_xy([x], [y])[0]
            else:
                point = place.geometry.representative_point()
            rows.append({"zone": zone, "seed": town, "matched": place.matched, "geometry": point})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=settings.crs_metric)
