"""Electoral wards: names that locate towns (Tisbury, Tenbury) and a unit for summaries."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from geosuff import settings
from geosuff._errors import InputFileError
from geosuff.io.areas import Area
from geosuff.io.files import read_vector
from geosuff.io.layout import LAYOUT, data_file, find_data_file, resolve_data_dir

__all__ = ["load_wards"]

_CODE = ("WD25CD", "WD24CD", "WD23CD", "WD22CD", "ward_code")
_NAME = ("WD25NM", "WD24NM", "WD23NM", "WD22NM", "ward_name")
_LA = ("LADCD_ACTIVE", "LAD25CD", "LAD24CD", "la_code")


def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def load_wards(
    area: Area | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame:
    """Load electoral ward polygons for an area.

    Parameters
    ----------
    area
        The area; its wards are those whose district is one of the area's districts.
    path
        Ward boundaries file (ONS ``WD..CD``/``WD..NM`` columns, or ``ward_code`` and
        ``ward_name``); default the data folder's file for the area (or its county).
    data_dir
        Data folder.

    Returns
    -------
    geopandas.GeoDataFrame
        ``ward_code``, ``ward_name``, ``la_code``, geometry in EPSG:27700.
    """
    if path is None:
        if area is None:
            msg = "give an area or a ward boundaries file"
            raise InputFileError(Path("wards"), msg)
        folder = resolve_data_dir(data_dir)
        path = find_data_file(folder, "wards", code=area.code)
        if path is None:
            for candidate in sorted(folder.glob(LAYOUT["wards"].format(code="*"))):
                head = read_vector(candidate, columns=["LADCD_ACTIVE"])
                if head["LADCD_ACTIVE"].isin(area.district_codes).any():
                    path = candidate
                    break
        if path is None:
            path = data_file(folder, "wards", code=area.code, area=area.name)
    raw = read_vector(path)
    cols = list(raw.columns)
    code, name, la = _pick(cols, _CODE), _pick(cols, _NAME), _pick(cols, _LA)
    if code is None or name is None:
        raise InputFileError(path, "needs ward code and name columns (WD25CD/WD25NM)")
    wards = gpd.GeoDataFrame(
        {
            "ward_code": raw[code].astype(str),
            "ward_name": raw[name].astype(str),
            "la_code": raw[la] if la else None,
        },
        geometry=raw.geometry.to_crs(settings.crs_metric).make_valid(),
        crs=settings.crs_metric,
    )
    if area is not None and la is not None:
        wards = wards[wards["la_code"].isin(area.district_codes)].reset_index(drop=True)
    return wards
