"""Resolve a focus place ("Tisbury", "Tenbury Wells", "SP3 6LS") from the data.

Ward names are tried first (case-insensitive; a ward whose whole name starts the
place name also matches, so "Tenbury Wells" finds ward "Tenbury"), then postcodes
through the postcode lookup. Coordinates are never hard-coded.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geosuff._errors import AreaNotFoundError
from geosuff.io.areas import normalise_name
from geosuff.io.places import match_wards
from geosuff.io.postcodes import load_postcodes, normalise_postcodes

__all__ = ["Focus", "resolve_focus"]


@dataclass(frozen=True)
class Focus:
    """A place the map opens on.

    Attributes
    ----------
    name
        The place as found in the data (ward name or postcode).
    kind
        ``"ward"`` or ``"postcode"``.
    code
        Ward code, or the postcode.
    geometry
        The ward polygon or the postcode point, EPSG:27700.
    query
        What the user asked for.
    """

    name: str
    kind: str
    code: str
    geometry: BaseGeometry
    query: str


def resolve_focus(
    query: str,
    wards: gpd.GeoDataFrame,
    *,
    postcodes: str | os.PathLike[str] | None = None,
) -> Focus:
    """Find a place by ward name, else by postcode.

    Parameters
    ----------
    query
        A ward/town name (``"Tisbury"``, ``"Tenbury Wells"``) or a postcode.
    wards
        The area's wards (``ward_code``, ``ward_name``, geometry), e.g. from
        :func:`geosuff.load_wards`.
    postcodes
        Code-Point Open zip or ONSPD-style CSV, used when no ward matches.

    Returns
    -------
    Focus
        The matched place (all matching wards merged when a name is shared).

    Raises
    ------
    AreaNotFoundError
        If nothing matches; the message lists close ward names.
    """
    text = query.strip()
    hits = match_wards(wards, [text]) if len(wards) else wards
    if len(hits):
        hits = hits.to_crs("EPSG:27700")
        name = " / ".join(dict.fromkeys(hits["ward_name"].astype(str)))
        code = " / ".join(dict.fromkeys(hits["ward_code"].astype(str)))
        return Focus(name, "ward", code, hits.geometry.union_all(), text)
    postcode = normalise_postcodes([text]).iloc[0]
    if postcodes is not None and not pd.isna(postcode):
        table = load_postcodes(postcodes, only=[postcode])
        if postcode in table.index:
            row = table.loc[postcode]
            point = Point(float(row["easting"]), float(row["northing"]))
            return Focus(str(postcode), "postcode", str(postcode), point, text)
        msg = f"postcode {postcode} is not in {postcodes}"
        raise AreaNotFoundError(msg)
    names = sorted(set(wards["ward_name"].astype(str))) if len(wards) else []
    close = difflib.get_close_matches(text.title(), names, n=5, cutoff=0.5)
    if not close:
        first = normalise_name(text)[:3]
        close = [n for n in names if normalise_name(n).startswith(first)][:5]
    hint = f"; close ward names: {', '.join(close)}" if close else ""
    msg = f"no ward or postcode called {text!r} in this area ({len(names)} wards){hint}"
    raise AreaNotFoundError(msg)
