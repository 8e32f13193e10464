"""Build the market position evidence report of an area as one self-contained HTML page."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geosuff.analysis.gaps import GapThresholds
from geosuff.io.area_layers import LayerFiles
from geosuff.io.files import atomic_path
from geosuff.io.scope import DEFAULT_SCOPE
from geosuff.maps.choropleths import travel_label
from geosuff.maps.layers import vintage_of
from geosuff.maps.page import check_html_path
from geosuff.maps.title import short_basis
from geosuff.report.caveats import caveats_section
from geosuff.report.data import ReportData, collect_report_data
from geosuff.report.findings import findings_section
from geosuff.report.homecare import homecare_section
from geosuff.report.mapsection import map_parts, map_section, report_map
from geosuff.report.page import assemble_page
from geosuff.report.population import population_section
from geosuff.report.section import Section
from geosuff.report.supply import supply_section

__all__ = ["ReportResult", "build_report", "report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`report` wrote.

    Attributes
    ----------
    path
        The HTML report.
    size_bytes
        Its size.
    seconds
        Time taken (loading, analyses, writing).
    sections
        Keys of the sections included.
    omitted
        Sections left out, with the reason.
    pdf
        The PDF, when one was printed.
    population
        ``(year, population_basis)`` of each population the report uses (the
        estimates', then the chosen year's).
    """

    path: Path
    size_bytes: int
    seconds: float
    sections: list[str] = field(default_factory=list)
    omitted: dict[str, str] = field(default_factory=dict)
    pdf: Path | None = None
    population: list[tuple[int | None, str]] = field(default_factory=list)


def build_report(data: ReportData, *, tiles: str | None = None) -> tuple[str, list[Section]]:
    """Turn the report's figures into its HTML page.

    Parameters
    ----------
    data
        The figures (:func:`geosuff.report.collect_report_data`).
    tiles
        Base map of the embedded map: ``None`` (offline), ``"osm"`` or a URL template.

    Returns
    -------
    tuple
        The page and its sections.
    """
    layers = data.layers
    pop_label = f"ONS population estimates ({vintage_of(data.pop_source)}) on 2011 LSOAs"
    travel = travel_label(data.access)
    parts = map_parts(report_map(data, tiles=tiles))
    sections = [
        findings_section(data),
        population_section(data, data.now.label),
        supply_section(data),
        homecare_section(data, travel),
        map_section(parts, data),
        caveats_section(data, pop_label=pop_label, travel=travel),
    ]
    facts = [list(f) for f in parts.info.get("facts", [])]  # type: ignore[union-attr]
    if data.then is not None:
        facts = [
            [
                "Year",
                f"{data.now.year}: {data.now.basis}; {data.then.year}: "
                f"{short_basis(data.then.basis)} (access, travel and gaps for "
                f"{data.then.year})",
            ]
            if f[0] == "Year"
            else f
            for f in facts
        ]
    where = layers.area.name
    if data.focus is not None:
        where = f"{layers.area.name}, around {data.focus.query.strip()}"
    year = data.now.label if data.then is None else f"{data.now.label} and {data.then.year}"
    page = assemble_page(
        title=f"Care for people aged 75+ in {where}: the evidence, {year}",
        kicker="Market position statement: evidence section",
        facts=facts,
        sections=sections,
        map_parts=parts,
    )
    return page, sections


def report(
    area: str,
    *,
    out: str | os.PathLike[str],
    year: int | None = None,
    zones: str | os.PathLike[str] | None = None,
    network: str | os.PathLike[str] | None = None,
    focus: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    files: LayerFiles | None = None,
    tiles: str | None = None,
    pdf: str | os.PathLike[str] | None = None,
    seed: int = 0,
    thresholds: GapThresholds | None = None,
    scope: str = DEFAULT_SCOPE,
    nursing_share: float | None = None,
    bed_use: str | os.PathLike[str] | None = None,
    coverage: Mapping[str, str] | None = None,
    count_by: str = "cqc",
    min_rating: str | None = None,
    include_dormant: bool = False,
) -> ReportResult:
    """Write the market position evidence report of an area (one offline HTML page).

    Parameters
    ----------
    area
        Local authority code or name (``"Wiltshire"``).
    out
        The ``.html`` file to write.
    year
        The year of the analyses and of the future supply tables (``2030``): ``None``
        for the estimates' year; a later year projects the population with the data
        folder's ONS projections. The report then shows supply now and in that year.
    zones
        Zone polygons, an LSOA/ward-to-zone table or a seed list (``boundaries/*.toml``).
    network
        Road network (``.osm.pbf`` here or in the data folder); ``None`` uses the
        labelled straight-line estimate.
    focus
        A place the map opens on (ward name or postcode).
    data_dir
        Data folder.
    files
        Layer file overrides.
    tiles
        Base map of the embedded map (default none: the report works offline).
    pdf
        Also print the report to this PDF with headless Chromium.
    seed
        Seed of the simulated care-worker rounds.
    thresholds
        Gap thresholds.
    scope, nursing_share, bed_use, coverage, count_by, min_rating, include_dormant
        The supply rules, as in :func:`geosuff.load_area_layers`: which care homes
        count (``"older-people"``, the default, or ``"all"``), how beds split into
        nursing and residential, declared coverage of the provider lists
        (``{"home_care": "complete"}``), where a provider whose local authority and
        coordinates disagree counts, and the CQC rating and dormancy filters. The
        report states them with its figures.

    Returns
    -------
    ReportResult
        The file written, its size and sections.

    Examples
    --------
    >>> import geosuff
    >>> geosuff.report("Rutland", out="output/rutland.html", year=2030)  # doctest: +SKIP
    >>> geosuff.report("Wiltshire", out="w.html", scope="all", nursing_share=0.6)  # doctest: +SKIP
    """
    start = time.perf_counter()
    path = check_html_path(out)
    data = collect_report_data(
        area,
        year=year,
        zones=zones,
        network=network,
        focus=focus,
        data_dir=data_dir,
        files=files,
        seed=seed,
        thresholds=thresholds,
        scope=scope,
        nursing_share=nursing_share,
        bed_use=bed_use,
        coverage=coverage,
        count_by=count_by,
        min_rating=min_rating,
        include_dormant=include_dormant,
    )
    page, sections = build_report(data, tiles=tiles)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    printed = None
    if pdf is not None:
        from geosuff.report.pdf import print_pdf

        printed = print_pdf(path, pdf)
    size = path.stat().st_size
    log.info("report written to %s (%.2f MB)", path, size / 1e6)
    return ReportResult(
        path,
        size,
        time.perf_counter() - start,
        [s.key for s in sections if s.omitted is None],
        {s.key: s.omitted for s in sections if s.omitted is not None},
        printed,
        [(at.year, at.basis) for at in (data.now, data.then) if at is not None],
    )
