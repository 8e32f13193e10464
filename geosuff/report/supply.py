"""The supply section: care home beds, extra care and home care against the benchmarks."""

from __future__ import annotations

import pandas as pd

from geosuff import settings
from geosuff.io.area_layers import AreaLayers
from geosuff.report.charts import benchmark_bars
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, gap_words, html_table, number
from geosuff.report.section import Section, note

__all__ = ["gap_statable", "scope_text", "supply_section"]

#: Rows of a town table shown before the rest is folded away.
TOP_TOWNS = 15


def scope_text(layers: AreaLayers) -> str:
    """Say which care homes count and how beds are split, for every bed figure.

    Parameters
    ----------
    layers
        The area's layers.

    Returns
    -------
    str
        One sentence.
    """
    scope = {
        "all": "all care homes CQC registers in the area (including homes for younger adults)",
        "older-people": "care homes CQC registers for older people or dementia",
    }.get(layers.scope, layers.scope)
    return f"Beds counted: {scope}. Nursing and residential split: {layers.bed_split}."


def gap_statable(layers: AreaLayers, key: str) -> tuple[bool, str]:
    """Whether a benchmark gap may be stated for a provider layer, and its coverage in words.

    Care homes come from the regulator's register; extra care and home care lists need
    a coverage verdict before a shortfall is stated from them.

    Parameters
    ----------
    layers
        The area's layers.
    key
        ``"care_homes"``, ``"extra_care"`` or ``"home_care"``.

    Returns
    -------
    tuple
        (whether a gap may be stated, the coverage in words).
    """
    coverage = layers.coverage.get(key)
    if coverage is not None:
        return coverage.usable_for_gaps, coverage.label()
    if key == "care_homes":
        return True, "CQC register of care homes (coverage not assessed separately)"
    return False, "coverage not assessed: the list may be incomplete"


def _bed_rows(table: pd.DataFrame, label_col: str) -> list[list[str]]:
    rows = []
    for _, r in table.iterrows():
        rows.append(
            [
                str(r[label_col]),
                count(r["pop_75plus"]),
                count(r["residential_beds"]),
                number(r["residential_beds_per_1000_75plus"], 1),
                gap_words(r["residential_beds_gap"]),
                count(r["nursing_beds"]),
                number(r["nursing_beds_per_1000_75plus"], 1),
                gap_words(r["nursing_beds_gap"]),
            ]
        )
    return rows


def _bed_columns(first: str) -> list[Column]:
    marks = settings.benchmarks_per_1000_75plus
    return [
        Column(first),
        Column("Aged 75+", True),
        Column("Residential beds", True),
        Column("per 1,000 aged 75+", True),
        Column(f"vs benchmark {marks['residential_beds']:g}", True),
        Column("Nursing beds", True),
        Column("per 1,000 aged 75+", True),
        Column(f"vs benchmark {marks['nursing_beds']:g}", True),
    ]


def _chart(table: pd.DataFrame, what: str, year: str) -> str:
    marks = settings.benchmarks_per_1000_75plus
    chart = benchmark_bars(
        table["unit"].astype(str).tolist(),
        [
            (
                "Residential beds",
                table["residential_beds_per_1000_75plus"],
                marks["residential_beds"],
            ),
            ("Nursing beds", table["nursing_beds_per_1000_75plus"], marks["nursing_beds"]),
        ],
        unit="beds per 1,000 aged 75+",
    )
    return chart.html(
        f"Care home beds per 1,000 people aged 75+ by {what}, {year}, against the "
        "benchmarks (dashed); red: below the benchmark"
    )


def _other_supply(data: ReportData, year: str) -> str:
    layers = data.layers
    row = data.summary.iloc[-1]
    ok_extra, extra_cov = gap_statable(layers, "extra_care")
    ok_home, home_cov = gap_statable(layers, "home_care")
    mark = settings.benchmarks_per_1000_75plus["extra_care_units"]
    extra_gap = gap_words(row["extra_care_units_gap"], unit=" units") if ok_extra else "not stated"
    rows = [
        [
            "Extra care housing",
            f"{count(row['extra_care_schemes'])} schemes, {count(row['extra_care_units'])} units",
            f"{count(mark * row['pop_75plus'] / 1000)} units ({mark:g} per 1,000 aged 75+)",
            extra_gap,
            extra_cov,
        ],
        [
            "Home care agencies",
            count(row["home_care_agencies"]),
            "no benchmark",
            "not applicable" if ok_home else "not stated",
            home_cov,
        ],
    ]
    columns = [
        Column("Service"),
        Column(f"In the data, {year}", True),
        Column("Benchmark", True),
        Column("Shortfall or surplus"),
        Column("Coverage"),
    ]
    return html_table(
        columns,
        rows,
        caption=f"Extra care housing and home care in {layers.area.name}, {year}",
        note=(
            "A shortfall is stated only from a list known to be complete; a sample list "
            "would show every area as short."
        ),
    )


def supply_section(data: ReportData, year: str) -> Section:
    """Build the supply section: tables by district and town (or zone), and a chart.

    Parameters
    ----------
    data
        The report's figures.
    year
        The year the figures describe, in words (``"2020"``).

    Returns
    -------
    Section
        The section.
    """
    layers = data.layers
    parts = [note(scope_text(layers))]
    districts = data.summary.rename(columns={"la_name": "unit"})
    parts.append(
        html_table(
            _bed_columns("District" if len(districts) > 1 else "Area"),
            _bed_rows(districts, "unit"),
            caption=f"Care home beds against the benchmarks by district, {year}",
            note=f"Benchmarks: {settings.benchmark_source}.",
        )
    )
    if data.zones is not None:
        parts.append(_chart(data.zones, "zone", year))
        parts.append(
            html_table(
                _bed_columns("Zone"),
                _bed_rows(data.zones, "unit"),
                caption=f"Care home beds by zone, {year}",
            )
        )
    elif len(districts) > 2:
        parts.append(_chart(districts.iloc[:-1], "district", year))
    if data.towns is not None:
        towns = data.towns.sort_values("residential_beds_gap")
        caption = f"Care home beds by town (or ward), largest residential shortfall first, {year}"
        parts.append(
            html_table(
                _bed_columns("Town or ward"),
                _bed_rows(towns.head(TOP_TOWNS), "unit"),
                caption=caption,
                note=(
                    "Towns are wards grouped by their shared name (e.g. Trowbridge Grove, "
                    "Trowbridge Park); a care home serves people from beyond its town, so "
                    "these figures show where beds are, not who uses them."
                ),
            )
        )
        if len(towns) > TOP_TOWNS:
            rest = html_table(
                _bed_columns("Town or ward"),
                _bed_rows(towns.iloc[TOP_TOWNS:], "unit"),
                caption=f"The other {len(towns) - TOP_TOWNS} towns and wards, {year}",
            )
            parts.append(
                f'<details class="more"><summary>The other {len(towns) - TOP_TOWNS} towns '
                f"and wards</summary>{rest}</details>"
            )
    parts.append(_other_supply(data, year))
    if data.future is None:
        parts.append(
            note(
                f"All figures are for {year}. Figures for a future year need population "
                "projections, which are not loaded in this version."
            )
        )
    return Section(
        "supply", "Care home beds, extra care and home care against benchmarks", "".join(parts)
    )
