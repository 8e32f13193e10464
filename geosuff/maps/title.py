"""The map's title block: area, focus, year, data vintages and travel method at a glance."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import geopandas as gpd

from geosuff.io.area_layers import AreaLayers
from geosuff.io.scope import describe_scope
from geosuff.maps.focus import Focus
from geosuff.maps.layers import MapPage, fmt_number, vintage_of
from geosuff.maps.points import coverage_note

__all__ = [
    "ATTRIBUTION",
    "SHORT_ATTRIBUTION",
    "default_title",
    "population_year",
    "rules_lines",
    "short_basis",
    "title_info",
    "year_note",
]

#: Short form for the map corner; the title block carries :data:`ATTRIBUTION`.
SHORT_ATTRIBUTION = (
    "Contains OS data © Crown copyright 2025; ONS, CQC data: OGL v3.0; © OpenStreetMap contributors"
)

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025; ONS and CQC data: "
    "Open Government Licence v3.0; road data © OpenStreetMap contributors (ODbL)"
)

_PROVIDERS = (
    ("care_homes", "Care homes"),
    ("home_care", "Home care agencies"),
    ("extra_care", "Extra care schemes"),
)


def population_year(layers: AreaLayers, pop_label: str) -> tuple[str, str]:
    """Return the year the population describes, and how it was obtained.

    Parameters
    ----------
    layers
        The area's layers (``year`` and ``population_basis`` when a projection is used).
    pop_label
        The population source in words (e.g. ``"ONS population estimates (mid-2020)"``).

    Returns
    -------
    tuple of str
        The year (``"2020"``, or ``"year not stated"``) and the basis in words.
    """
    if layers.year is not None:
        return str(layers.year), layers.population_basis or pop_label
    match = re.search(r"\((?:mid-)?((?:19|20)\d{2})\b", pop_label)
    return (match.group(1) if match else "year not stated"), pop_label


def year_note(layers: AreaLayers) -> str | None:
    """Return the population's year in a few words: ``"2020"`` or ``"2030, projected"``.

    Parameters
    ----------
    layers
        The area's layers.

    Returns
    -------
    str or None
        The year, marked ``projected`` when a projection was applied; ``None`` when
        the year is not known.
    """
    if layers.year is None:
        return None
    projected = "projections" in layers.sources or "projection" in layers.population_basis
    return f"{layers.year}, projected" if projected else str(layers.year)


def short_basis(basis: str) -> str:
    """Shorten a population basis for a title line (the full text goes in the notes).

    Parameters
    ----------
    basis
        ``AreaLayers.population_basis`` (or any source text).

    Returns
    -------
    str
        The basis up to how it was apportioned to LSOAs, without the file name and
        the year, e.g. ``"ONS 2018-based subnational population projections,
        apportioned to LSOAs"``.
    """
    head, sep, _ = basis.partition(", apportioned to LSOAs")
    if not sep:
        return basis
    head = re.sub(r"\s*\([^()]*\.(?:csv|xlsx?|ods)\)", "", head)  # the file: in the notes
    head = re.sub(r"\s+for \d{4}$", "", head)  # the year leads the line already
    return f"{head}{sep}"


def default_title(layers: AreaLayers, focus: Focus | None) -> str:
    """Return the default map title, naming the focus place as the user asked for it.

    Parameters
    ----------
    layers
        The area's layers.
    focus
        The focus place, or ``None``.

    Returns
    -------
    str
        E.g. ``"Care for people aged 75+: Tenbury Wells, Worcestershire"``.
    """
    where = layers.area.name if focus is None else f"{focus.query.strip()}, {layers.area.name}"
    return f"Care for people aged 75+: {where}"


def _source_text(
    layers: AreaLayers, srcs: dict[str, str], key: str, label: str
) -> tuple[str, str] | None:
    """Return (short fact, full line) for a provider layer, or ``None`` without a source."""
    info = layers.provenance.get(key)
    coverage = layers.coverage.get(key)
    if info is not None:
        vintage = info.vintage or "date not stated"
        full = f"{label}: {info.label()}"
    elif key in srcs:
        name = Path(srcs[key]).name
        found = vintage_of(name)
        vintage = "date not stated" if found.startswith("date not") else found
        full = f"{label}: {name} ({vintage})"
    elif len(getattr(layers, key)):
        vintage = "source not stated"
        full = f"{label}: source not stated"
    else:
        return None
    short = f"{label.lower()} {vintage}"
    if coverage is not None and coverage.status != "complete":
        short += f" ({coverage.status})"
    elif coverage is None and key != "care_homes":
        short += " (coverage not assessed)"
    return short, f"{full}; {coverage_note(coverage)}"


def rules_lines(layers: AreaLayers) -> list[str]:
    """Say which providers the map counts: scope, bed split, providers left out by filters.

    Parameters
    ----------
    layers
        The area's layers.

    Returns
    -------
    list of str
        ``Care homes counted: ...``, ``Bed split: ...`` and, when providers were left
        out as dormant or below a minimum rating, how many.
    """
    lines = [f"Care homes counted: {describe_scope(layers.scope)}"]
    lines.append(f"Bed split: {layers.bed_split}")
    rejects = layers.rejects
    if rejects.empty or "action" not in rejects.columns:
        return lines
    reasons = rejects.loc[rejects["action"].eq("excluded"), "reason"].astype(str)
    dormant = int(reasons.str.startswith("dormant location").sum())
    rating = reasons[reasons.str.contains(r"\(below |not rated \(minimum", regex=True)]
    left_out = []
    if dormant:
        left_out.append(f"{dormant:,} dormant locations")
    if len(rating):
        wanted = re.search(r"(?:below|minimum) ([a-z-]+)", rating.iloc[0])
        level = wanted.group(1).replace("-", " ") if wanted else "the minimum"
        left_out.append(f"{len(rating):,} rated below {level} or not rated")
    if left_out:
        lines.append("Providers left out: " + "; ".join(left_out))
    return lines


def counted_fact(layers: AreaLayers) -> str:
    """Say in a few words which care homes count and how their beds are split.

    Parameters
    ----------
    layers
        The area's layers.

    Returns
    -------
    str
        One line, e.g. ``older people's homes; nursing by registration`` (the "more"
        lines say what the rule means).
    """
    who = "every care home" if layers.scope == "all" else "older people's homes"
    split = str(layers.bed_split).split(":", 1)[0].strip()
    share = re.fullmatch(r"nursing share ([0-9.]+)", split)
    if split == "registration":
        split = "nursing by registration"
    elif share:
        split = f"nursing share {float(share.group(1)):.0%}"
    elif split:
        split = f"nursing from the {split}"
    return f"{who}; {split}" if split else who


def title_info(
    page: MapPage,
    layers: AreaLayers,
    pop: gpd.GeoDataFrame,
    *,
    title: str,
    srcs: dict[str, str],
    travel: str,
    pop_label: str,
    focus: Focus | None,
) -> dict[str, Any]:
    """Return the title block: title, facts shown without a click, and more lines.

    Parameters
    ----------
    page
        The built page (for layers left out).
    layers
        The area's layers.
    pop
        The LSOA table.
    title
        The map title.
    srcs
        Source of each layer (file paths or descriptions).
    travel
        How travel times were found, in words.
    pop_label
        The population source in words.
    focus
        The focus place, or ``None``.

    Returns
    -------
    dict
        ``title``, ``facts`` (label, text pairs shown at once), ``lines`` (in the
        "more" panel) and ``open``.
    """
    area = layers.area
    year, basis = population_year(layers, pop_label)
    facts = [["Area", f"{area.name} ({area.code}), {len(pop)} LSOAs"]]
    if focus is not None:
        facts.append(["Focus", f"{focus.query.strip()} ({focus.kind} {focus.name})"])
    aged = fmt_number(pop["pop_75plus"].sum())
    facts.append(["Year", f"{year}: {short_basis(basis)}; aged 75+ {aged}"])
    found = [
        text
        for key, label in _PROVIDERS
        if (text := _source_text(layers, srcs, key, label)) is not None
    ]
    facts.append(["Data", "; ".join(f[0] for f in found) if found else "no provider data"])
    facts.append(["Travel", travel])
    facts.append(["Beds", counted_fact(layers)])
    lines = [f[1] for f in found] + rules_lines(layers)
    if short_basis(basis) != basis:
        lines.insert(0, f"Population {year}: {basis}")
    if page.unavailable:
        lines.append("Not available: " + "; ".join(page.unavailable))
    counts = {s.key: s.count for s in page.specs}
    for key, label in _PROVIDERS:
        if key in counts:
            lines.append(f"{label} shown: {counts[key]}")
    lines.append(ATTRIBUTION)
    from geosuff import __version__

    lines.append(f"Made with geosuff {__version__} on {dt.date.today().isoformat()}")
    return {"title": title, "facts": facts, "lines": lines, "open": False}
