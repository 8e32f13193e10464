"""Which area a provider is counted in: its coordinates, and what its source says.

A provider is placed in the LSOA its point falls in. CQC files also name each
location's local authority; when the two disagree, the default is to count the
provider where CQC says (``count_by="cqc"``) and to report it:

* coordinates outside the area, CQC names the area (or one of its districts): the
  provider is counted in the area, at its postcode's position when that falls in
  the named authority (``repaired``), else in the nearest LSOA of that authority
  (``flagged``, with the distance);
* coordinates inside the area, CQC names another authority: the provider is left
  to that authority (``excluded``);
* inside a county, CQC names another of its districts: moved to that district as
  above.

With ``count_by="coordinates"`` coordinates decide and the disagreements are only
reported. A local authority text that names no known authority is ignored.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff._errors import GeosuffError, ValidationError
from geosuff.io.areas import _ALIASES, Area, normalise_name
from geosuff.io.postcodes import load_postcodes, normalise_postcodes
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = ["COUNT_BY", "assign_to_lsoas", "check_count_by", "place_in_area"]

#: What decides the area of a provider whose coordinates and local authority disagree.
COUNT_BY = ("cqc", "coordinates")


def check_count_by(value: str) -> str:
    """Return *value* if it is one of :data:`COUNT_BY`, else raise a one-line error.

    Parameters
    ----------
    value
        ``"cqc"`` or ``"coordinates"``.

    Returns
    -------
    str
        The value.

    Raises
    ------
    ValidationError
        For any other value.
    """
    if value not in COUNT_BY:
        msg = f"count_by must be one of {', '.join(COUNT_BY)}; got {value!r}"
        raise ValidationError(msg)
    return value


def assign_to_lsoas(points: gpd.GeoDataFrame, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add the LSOA and local authority each point falls in (point-in-polygon).

    Parameters
    ----------
    points
        Supply points (any CRS; converted to EPSG:27700).
    population
        The population layer (LSOA polygons, ``lsoa_code``, ``la_code``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of *points* (EPSG:27700) with ``lsoa_code`` and ``la_code``; both are
        missing for points outside every LSOA. A point on a shared boundary goes to
        the LSOA with the smallest code, so it is counted once.
    """
    pts = points.to_crs(settings.crs_metric)
    polys = population[["lsoa_code", "la_code", "geometry"]]
    joined = gpd.sjoin(pts[["geometry"]], polys, how="left", predicate="intersects")
    joined = joined.sort_values("lsoa_code").loc[lambda d: ~d.index.duplicated(keep="first")]
    out = pts.copy()
    out["lsoa_code"] = joined["lsoa_code"].reindex(out.index)
    out["la_code"] = joined["la_code"].reindex(out.index)
    return out


def _key(text: object) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)) or pd.isna(text):
        return ""
    key = normalise_name(str(text))
    return _ALIASES.get(key, key)


def _named_district(
    la_names: pd.Series, area: Area, others: Collection[str]
) -> tuple[pd.Series, pd.Series]:
    """Return the district each row's LA text names ("*": the area), and others."""
    districts = {_key(n): c for n, c in zip(area.district_names, area.district_codes, strict=True)}
    area_key = _key(area.name)
    keys = la_names.map({u: _key(u) for u in la_names.unique()})  # few distinct names
    named = keys.map(districts).astype(object)
    named[keys.eq(area_key) & named.isna()] = "*"
    other_keys = {_key(o) for o in others} - set(districts) - {area_key}
    names_other = keys.isin(other_keys) & named.isna()
    return named, names_other


def _postcode_table(
    postcodes: str | os.PathLike[str] | pd.DataFrame | None, wanted: pd.Series
) -> pd.DataFrame | None:
    if postcodes is None or isinstance(postcodes, pd.DataFrame) or wanted.empty:
        return postcodes if isinstance(postcodes, pd.DataFrame) else None
    try:
        return load_postcodes(Path(postcodes), only=wanted)
    except GeosuffError:
        return None


def _target_lsoas(lsoas: gpd.GeoDataFrame, district: str) -> gpd.GeoDataFrame:
    return lsoas if district == "*" else lsoas[lsoas["la_code"] == district]


def _relocate(
    row: pd.Series,
    targets: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
) -> tuple[object, str, str, float]:
    """Where to count a provider in *targets*: (point, lsoa_code, how, km from it)."""
    point = row.geometry
    pc = row.get("postcode")
    if postcodes is not None and isinstance(pc, str) and pc in postcodes.index:
        e, n = postcodes.at[pc, "easting"], postcodes.at[pc, "northing"]
        from shapely.geometry import Point

        candidate = Point(float(e), float(n))
        hit = targets[targets.intersects(candidate)]
        if not hit.empty:
            code = str(hit.sort_values("lsoa_code")["lsoa_code"].iloc[0])
            return candidate, code, f"placed at its postcode {pc}", point.distance(candidate) / 1000
    dist = targets.distance(point)
    nearest = targets.loc[dist.idxmin()]
    centre = nearest.geometry.representative_point()
    how = f"counted in the nearest LSOA {nearest['lsoa_code']}, placed at a point inside it"
    return centre, str(nearest["lsoa_code"]), how, float(dist.min()) / 1000


def place_in_area(
    providers: gpd.GeoDataFrame,
    lsoas: gpd.GeoDataFrame,
    area: Area,
    *,
    count_by: str = "cqc",
    others: Collection[str] = (),
    postcodes: str | os.PathLike[str] | pd.DataFrame | None = None,
    source: str = "providers",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Keep the providers counted in an area, placed in its LSOAs; list disagreements.

    Parameters
    ----------
    providers
        A provider layer (EPSG:27700 points; ``la_name`` and ``postcode`` when known),
        e.g. every care home in England.
    lsoas
        The area's LSOA polygons (``lsoa_code``, ``la_code``), including any without
        population figures.
    area
        The area.
    count_by
        ``"cqc"`` (the source's local authority decides) or ``"coordinates"``.
    others
        Names of other known authorities (so a text naming one is recognised).
    postcodes
        Postcode file or table (index normalised postcode; ``easting``,
        ``northing``) for moving a provider to its postcode; ``None`` to use the
        nearest LSOA only.
    source
        Source label for the rejects table.

    Returns
    -------
    placed : geopandas.GeoDataFrame
        Providers counted in the area with ``lsoa_code`` and ``la_code``.
    listed : pandas.DataFrame
        Rejects-table rows for every provider whose coordinates and local authority
        disagree: ``repaired``/``flagged`` (moved into the area), ``excluded`` (left
        to another authority or outside), or ``flagged`` (kept where its coordinates
        are, ``count_by="coordinates"``).
    """
    check_count_by(count_by)
    joined = assign_to_lsoas(providers, lsoas)
    la_text = joined["la_name"] if "la_name" in joined else pd.Series(None, index=joined.index)
    named, names_other = _named_district(la_text, area, others)
    inside = joined["lsoa_code"].notna()
    wrong_district = inside & named.notna() & named.ne("*") & named.ne(joined["la_code"])
    outside_named = ~inside & named.notna()
    inside_other = inside & names_other
    listed: list[pd.DataFrame] = []

    def note(mask: pd.Series, reasons: list[str] | str, action: str) -> None:
        rows = joined[mask]
        lines = rows["line"].tolist() if "line" in rows else [None] * len(rows)
        names = rows["name"] if "name" in rows else [None] * len(rows)
        listed.append(
            make_rejects(source, lines, rows["provider_id"], names, reasons, action=action)
        )

    if inside_other.any():
        texts = la_text[inside_other].astype(str).tolist()
        codes = joined.loc[inside_other, "lsoa_code"].tolist()
        if count_by == "cqc":
            reasons = [
                f"local authority is {t}, though its coordinates fall in {area.name} (LSOA "
                f"{c}): counted in {t}, as its source says (count by coordinates to count "
                "it here)"
                for t, c in zip(texts, codes, strict=True)
            ]
            note(inside_other, reasons, "excluded")
        else:
            reasons = [
                f"local authority is {t}, but its coordinates fall in {area.name} (LSOA {c}): "
                "counted here by its coordinates"
                for t, c in zip(texts, codes, strict=True)
            ]
            note(inside_other, reasons, "flagged")
    move = outside_named | wrong_district
    if move.any() and count_by == "coordinates":
        outside_only = outside_named & move
        note(
            outside_only,
            [
                f"local authority is {t}, but its coordinates fall outside {area.name}: not "
                "counted (count by coordinates)"
                for t in la_text[outside_only].astype(str)
            ],
            "excluded",
        )
        note(
            wrong_district,
            [
                f"local authority is {t}, but its coordinates fall in another district "
                f"({c}): counted there by its coordinates"
                for t, c in zip(
                    la_text[wrong_district].astype(str),
                    joined.loc[wrong_district, "la_code"],
                    strict=True,
                )
            ],
            "flagged",
        )
        move[:] = False
    if move.any():
        wanted = joined.loc[move, "postcode"] if "postcode" in joined else pd.Series(dtype=object)
        joined.loc[move, "postcode"] = normalise_postcodes(wanted).to_numpy()
        table = _postcode_table(postcodes, joined.loc[move, "postcode"].dropna())
        for i in joined.index[move]:
            row = joined.loc[i]
            targets = _target_lsoas(lsoas, str(named[i]))
            point, code, how, km = _relocate(row, targets, table)
            where = "outside " + area.name if not inside[i] else f"in district {row['la_code']}"
            reason = (
                f"coordinates fall {where} ({km:.1f} km away), but its local authority is "
                f"{la_text[i]}: {how}, as its source says"
            )
            action = "repaired" if how.startswith("placed at its postcode") else "flagged"
            note(pd.Series(joined.index == i, index=joined.index), reason, action)
            joined.loc[i, "geometry"] = point
            joined.loc[i, "lsoa_code"] = code
            joined.loc[i, "la_code"] = lsoas.set_index("lsoa_code").at[code, "la_code"]
    keep = joined["lsoa_code"].notna()
    if count_by == "cqc":
        keep &= ~inside_other
    parts = [p for p in listed if not p.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    return joined[keep], rejects
