"""Named focus places (Tisbury, Tenbury Wells, ...) resolved from the data folder.

A place is found by electoral ward name first, then by postcode sector from the
postcode lookup; ``boundaries/focus_places.toml`` lists the places commissioners name
as hard to serve, with the ward names and postcode sectors to look for. Any other
place can be given by ward name or postcode directly.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely

from geosuff import settings
from geosuff._errors import AreaNotFoundError, InputFileError
from geosuff.io.areas import Area, normalise_name
from geosuff.io.layout import _PACKAGE_ROOT, find_data_file, resolve_data_dir
from geosuff.io.postcodes import load_postcodes, normalise_postcodes
from geosuff.io.wards import load_wards

__all__ = ["FocusPlace", "focus_places", "match_wards", "resolve_place"]


@dataclass(frozen=True)
class FocusPlace:
    """A resolved place.

    Attributes
    ----------
    name
        The name asked for.
    geometry
        Its outline in EPSG:27700 (wards' union, or the postcode sector's hull).
    matched
        What matched, e.g. ``"ward Tenbury"`` or ``"postcode sector WR15 8"``.
    """

    name: str
    geometry: shapely.Geometry
    matched: str


def _boundaries_dir() -> Path:
    env = os.environ.get("GEOSUFF_BOUNDARIES")
    return Path(env) if env else _PACKAGE_ROOT / "boundaries"


def focus_places(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, object]]:
    """Read the named focus places.

    Parameters
    ----------
    path
        TOML file; default ``boundaries/focus_places.toml``.

    Returns
    -------
    dict
        Place name -> ``{"area": ..., "wards": [...], "postcodes": [...]}``.
    """
    p = Path(path) if path else _boundaries_dir() / "focus_places.toml"
    try:
        return dict(tomllib.loads(p.read_text(encoding="utf-8")).get("places", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(p, f"cannot read focus places ({exc})") from exc


def match_wards(wards: gpd.GeoDataFrame, names: list[str]) -> gpd.GeoDataFrame:
    """Find wards named like a place: exactly, else by a whole-word prefix either way.

    ``"Salisbury"`` has no ward of its own but matches ``"Salisbury St Paul's"`` and the
    city's other wards; ``"Tenbury Wells"`` matches the ward ``"Tenbury"``; ``"Pewsey"``
    matches the ward ``"Pewsey"`` only. Comparison ignores case, punctuation and ``&``.

    Parameters
    ----------
    wards
        Ward polygons with ``ward_name``.
    names
        Place names to look for.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching wards (possibly none).
    """
    keys = {normalise_name(n) for n in names}
    ward_keys = wards["ward_name"].astype(str).map(normalise_name)
    exact = wards[ward_keys.isin(keys)]
    if not exact.empty:
        return exact
    partial = ward_keys.map(
        lambda w: bool(w) and any(w.startswith(k + " ") or k.startswith(w + " ") for k in keys)
    )
    return wards[partial.to_numpy(bool)]


def resolve_place(
    name: str,
    area: Area,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> FocusPlace:
    """Find a place in an area by ward name or postcode, never by stored coordinates.

    Parameters
    ----------
    name
        A listed focus place (``"Tenbury Wells"``), a ward name (``"Tisbury"``), or a
        postcode, sector or district (``"SP3 6"``).
    area
        The area to look in.
    data_dir
        Data folder (ward boundaries, postcode lookup).
    wards
        Ward polygons already loaded (default: the area's from the data folder).

    Returns
    -------
    FocusPlace
        The place's outline.

    Raises
    ------
    AreaNotFoundError
        When nothing matches; the message lists close ward names.
    """
    folder = resolve_data_dir(data_dir)
    listed = {normalise_name(k): v for k, v in focus_places().items()}
    entry = listed.get(normalise_name(name), {})
    ward_names = [str(w) for w in entry.get("wards", [])] or [name]  # type: ignore[attr-defined]
    if wards is None:
        wards = load_wards(area, data_dir=folder)
    hit = match_wards(wards, ward_names)
    if not hit.empty:
        label = ", ".join(sorted(hit["ward_name"]))
        return FocusPlace(name, hit.geometry.union_all(), f"ward {label}")
    prefixes = [str(p) for p in entry.get("postcodes", [])] or [name]  # type: ignore[attr-defined]
    codepoint = find_data_file(folder, "postcodes")
    for prefix in prefixes:
        text = prefix.strip().upper()
        if codepoint is None or not text[:1].isalpha() or len(text) > 8:
            continue
        full = normalise_postcodes([text]).iloc[0]
        table = load_postcodes(codepoint, only=[text])
        keys = table.index.to_series()
        if isinstance(full, str):
            mask = keys.eq(full)
        elif " " in text:
            mask = keys.str.startswith(text)
        else:
            mask = keys.str.startswith(text + " ")
        pts = table[mask.to_numpy()]
        if len(pts):
            points = shapely.points(pts["easting"].to_numpy(), pts["northing"].to_numpy())
            hull = shapely.convex_hull(shapely.multipoints(points)).buffer(250.0)
            return FocusPlace(name, hull, f"postcode {text} ({len(pts)} postcodes)")
    key = normalise_name(name)[:4]
    close = sorted(n for n in wards["ward_name"] if key and key in normalise_name(n))
    hint = f"; wards like it: {', '.join(close[:6])}" if close else ""
    msg = f"no ward or postcode called {name!r} in {area.name}{hint}"
    raise AreaNotFoundError(msg)


def place_frame(place: FocusPlace) -> gpd.GeoDataFrame:
    """Return a place as a one-row GeoDataFrame (EPSG:27700).

    Parameters
    ----------
    place
        The resolved place.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``matched``, geometry.
    """
    return gpd.GeoDataFrame(
        {"name": [place.name], "matched": [place.matched]},
        geometry=[place.geometry],
        crs=settings.crs_metric,
    )
