"""Match today's local authorities to the areas of a population projection.

A projection is published on the boundaries of its base year: the 2018-based SNPP
knows Mendip, Sedgemoor, South Somerset, Taunton Deane and West Somerset, not the
Somerset unitary of 2023. An authority missing from the projection is matched to
the projection's areas it was made from, found in the data folder's ONS admin-areas
file (``ons/uk_admin_areas_topo.json``, district, unitary and county outlines from
2014 on): an area counts as a predecessor when at least 90% of it lies inside the
authority, and the predecessors must cover 97% of the authority and none may be split
with another authority. Anything else is reported, never guessed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.io.layout import find_data_file
from geosuff.io.projections import Projection

__all__ = ["ProjectionUnit", "match_authorities", "match_authority"]

log = logging.getLogger(__name__)

#: A predecessor lies at least this share inside the authority.
INSIDE_SHARE = 0.9
#: Predecessors must cover at least this share of the authority.
COVER_SHARE = 0.97
#: An area overlapping the authority by more than this, but less than INSIDE_SHARE,
#: was split between authorities: the projection cannot be apportioned.
SPLIT_SHARE = 0.1


class ProjectionUnit(NamedTuple):
    """The projection areas whose sum is one authority's projection.

    Attributes
    ----------
    codes
        Area codes in the projection file, summed.
    note
        How the match was made; empty when the authority is in the file itself.
    """

    codes: tuple[str, ...]
    note: str = ""


def _admin_shapes(path: Path) -> gpd.GeoDataFrame:
    """Every district, unitary and county outline of the admin-areas file, EPSG:27700."""
    stat = path.stat()
    return _read_admin_shapes(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=2)
def _read_admin_shapes(path_text: str, _mtime_ns: int, _size: int) -> gpd.GeoDataFrame:
    import pyogrio

    path = Path(path_text)

    frames = []
    for layer in ("ltla", "utla", "cty"):
        try:
            g = pyogrio.read_dataframe(path, layer=layer)
        except Exception as exc:  # pyogrio raises many types; a missing layer is skipped
            log.debug("%s: no layer %s (%s)", path.name, layer, exc)
            continue
        if g.crs is None:
            g = g.set_crs("EPSG:4326")
        frames.append(g[["areacd", "areanm", "geometry"]].assign(layer=layer))
    if not frames:
        return gpd.GeoDataFrame(
            {"areacd": [], "areanm": [], "layer": []}, geometry=[], crs=settings.crs_metric
        )
    shapes = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    shapes = shapes.drop_duplicates("areacd").to_crs(settings.crs_metric)
    shapes["geometry"] = shapes.geometry.make_valid()
    return shapes.set_index("areacd")


def _lower_tier(code: str) -> bool:
    return code[:3] in ("E06", "E07", "E08", "E09", "W06")


def _predecessors(
    code: str, projection: Projection, shapes: gpd.GeoDataFrame
) -> tuple[tuple[str, ...], str]:
    """Return the projection areas making up *code*, or ``()`` and why not."""
    if code not in shapes.index:
        return (), "it is not in the admin-areas file either"
    target = shapes.geometry.loc[code]
    candidates = shapes[shapes.index.isin(projection.codes) & (shapes.index != code)]
    candidates = candidates[candidates.intersects(target)]
    if candidates.empty:
        return (), "no area of the projection lies inside it"
    overlap = candidates.geometry.intersection(target).area
    inside = overlap / candidates.geometry.area
    reasons = []
    for tier in (True, False):
        same_tier = candidates.index.map(_lower_tier) == tier
        chosen = candidates.index[same_tier & (inside >= INSIDE_SHARE)]
        split = candidates.index[same_tier & (inside > SPLIT_SHARE) & (inside < INSIDE_SHARE)]
        cover = float(overlap[chosen].sum() / target.area) if len(chosen) else 0.0
        if len(split):
            names = ", ".join(f"{projection.names.get(c, c)} ({c})" for c in split)
            reasons.append(f"{names} was split between authorities")
        elif len(chosen) and cover >= COVER_SHARE:
            return tuple(sorted(chosen)), ""
        elif len(chosen):
            reasons.append(f"the areas inside it cover only {cover:.0%} of it")
    return (), "; ".join(reasons) or "no area of the projection lies inside it"


def match_authorities(
    codes: Sequence[str],
    projection: Projection,
    *,
    data_dir: Path | None,
    names: Mapping[str, str] | None = None,
) -> tuple[dict[str, ProjectionUnit], dict[str, str]]:
    """Find each authority's projection: its own row, or the sum of its predecessors.

    Parameters
    ----------
    codes
        Authority codes as the population layer has them (``la_code``).
    projection
        The projection read by :func:`geosuff.io.projections.read_projection`.
    data_dir
        Data folder holding ``ons/uk_admin_areas_topo.json`` (for changed codes).
    names
        Authority names for notes and messages.

    Returns
    -------
    matched : dict of str to ProjectionUnit
        Authority code -> the projection areas summed for it.
    unmatched : dict of str to str
        Authority code -> why it could not be matched.
    """
    names = dict(names or {})
    matched: dict[str, ProjectionUnit] = {}
    unmatched: dict[str, str] = {}
    admin = find_data_file(data_dir, "admin_areas") if data_dir is not None else None
    for code in dict.fromkeys(codes):
        if code in projection.codes:
            matched[code] = ProjectionUnit((code,))
            continue
        if admin is None:
            unmatched[code] = "no admin-areas file to find the areas it was made from"
            continue
        shapes = _admin_shapes(admin)
        found, why = _predecessors(code, projection, shapes)
        if not found:
            unmatched[code] = why
            continue
        if code in shapes.index:
            names.setdefault(code, str(shapes.loc[code, "areanm"]))
        parts = " + ".join(f"{projection.names.get(c, c)} ({c})" for c in found)
        note = f"{names.get(code, code)} ({code}) is the sum of {parts} in the projection"
        matched[code] = ProjectionUnit(found, note)
    return matched, unmatched


def match_authority(
    codes: Sequence[str],
    projection: Projection,
    *,
    data_dir: Path | None,
    names: Mapping[str, str] | None = None,
) -> dict[str, ProjectionUnit]:
    """Like :func:`match_authorities`, but an unmatched authority is an error.

    Parameters
    ----------
    codes
        Authority codes.
    projection
        The projection.
    data_dir
        Data folder.
    names
        Authority names for the message.

    Returns
    -------
    dict of str to ProjectionUnit
        Every authority matched.

    Raises
    ------
    ValidationError
        Naming the first authority missing from the projection and why it could not
        be matched through the admin-areas file.
    """
    matched, unmatched = match_authorities(codes, projection, data_dir=data_dir, names=names)
    if unmatched:
        code, why = next(iter(unmatched.items()))
        label = f"{(names or {}).get(code, code)} ({code})"
        more = f" (and {len(unmatched) - 1} more)" if len(unmatched) > 1 else ""
        msg = (
            f"{label} is not in the projection file {projection.path.name}{more}: {why}; "
            "use a projection published on current boundaries"
        )
        raise ValidationError(msg)
    return matched
