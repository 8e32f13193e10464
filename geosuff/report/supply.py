"""The supply section: care home beds, extra care and home care against the benchmarks."""

from __future__ import annotations

import pandas as pd

from geosuff import settings
from geosuff.io.area_layers import AreaLayers
from geosuff.maps.title import short_basis
from geosuff.report.charts import benchmark_bars
from geosuff.report.data import ReportData, SupplyAt
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


def _bed_rows(table: pd.DataFrame) -> list[list[str]]:
    return [
        [
            str(r["unit"]),
            count(r["pop_75plus"]),
            count(r["residential_beds"]),
            number(r["residential_beds_per_1000_75plus"], 1),
            gap_words(r["residential_beds_gap"]),
            count(r["nursing_beds"]),
            number(r["nursing_beds_per_1000_75plus"], 1),
            gap_words(r["nursing_beds_gap"]),
        ]
        for _, r in table.iterrows()
    ]


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


def _two_year_rows(now: pd.DataFrame, then: pd.DataFrame) -> list[list[str]]:
    later = then.set_index(then["unit"].astype(str))
    rows = []
    for _, r in now.iterrows():
        t = later.loc[str(r["unit"])]
        rows.append(
            [
                str(r["unit"]),
                count(r["pop_75plus"]),
                count(t["pop_75plus"]),
                count(r["residential_beds"]),
                gap_words(r["residential_beds_gap"]),
                gap_words(t["residential_beds_gap"]),
                count(r["nursing_beds"]),
                gap_words(r["nursing_beds_gap"]),
                gap_words(t["nursing_beds_gap"]),
            ]
        )
    return rows


def _two_year_columns(first: str, now: str, then: str) -> list[Column]:
    marks = settings.benchmarks_per_1000_75plus
    res, nur = marks["residential_beds"], marks["nursing_beds"]
    return [
        Column(first),
        Column(f"Aged 75+ {now}", True),
        Column(f"Aged 75+ {then}", True),
        Column("Residential beds", True),
        Column(f"vs benchmark {res:g}, {now}", True),
        Column(f"vs benchmark {res:g}, {then}", True),
        Column("Nursing beds", True),
        Column(f"vs benchmark {nur:g}, {now}", True),
        Column(f"vs benchmark {nur:g}, {then}", True),
    ]


def bed_table(
    first: str,
    now: pd.DataFrame,
    then: pd.DataFrame | None,
    years: tuple[str, str | None],
    *,
    caption: str,
    note_text: str | None = None,
) -> str:
    """Beds against the benchmarks per unit: one year, or now and a later year side by side.

    Parameters
    ----------
    first
        Heading of the unit column (``"District"``, ``"Zone"``, ``"Town or ward"``).
    now
        Supply table (``unit`` and the supply columns) with the estimates' population.
    then
        The same with the later year's population, or ``None``.
    years
        The two years' labels (the second ``None`` without *then*).
    caption
        Table caption.
    note_text
        A note under the table.

    Returns
    -------
    str
        The HTML table.
    """
    if then is None or years[1] is None:
        return html_table(_bed_columns(first), _bed_rows(now), caption=caption, note=note_text)
    return html_table(
        _two_year_columns(first, years[0], years[1]),
        _two_year_rows(now, then),
        caption=caption,
        note=note_text,
    )


def _chart(now: pd.DataFrame, then: pd.DataFrame | None, what: str, data: ReportData) -> str:
    marks = settings.benchmarks_per_1000_75plus
    shown = then if then is not None else now
    if then is not None:
        shown = then.set_index(then["unit"].astype(str)).loc[now["unit"].astype(str)]
    cols = ("residential_beds_per_1000_75plus", "nursing_beds_per_1000_75plus")
    chart = benchmark_bars(
        now["unit"].astype(str).tolist(),
        [
            ("Residential beds", shown[cols[0]], marks["residential_beds"]),
            ("Nursing beds", shown[cols[1]], marks["nursing_beds"]),
        ],
        unit="beds per 1,000 aged 75+",
        before=[now[cols[0]], now[cols[1]]] if then is not None else None,
        years=(data.now.label, data.then.label) if data.then is not None else None,
    )
    when = data.now.label
    if data.then is not None:
        when = f"{data.now.label} (pale) and {data.then.label} (with today's beds)"
    return chart.html(
        f"Care home beds per 1,000 people aged 75+ by {what}, {when}, against the "
        "benchmarks (dashed); red: below the benchmark"
    )


def _districts(at: SupplyAt | None) -> pd.DataFrame | None:
    return None if at is None else at.districts.rename(columns={"la_name": "unit"})


def _town_parts(data: ReportData, years: tuple[str, str | None], span: str) -> list[str]:
    now, then = data.now, data.then
    if now.towns is None or data.current.towns is None:
        return []
    order = data.current.towns.sort_values("residential_beds_gap")["unit"].astype(str)
    towns = now.towns.set_index(now.towns["unit"].astype(str)).loc[order].reset_index(drop=True)
    towns_then = then.towns if then is not None else None
    parts = [
        bed_table(
            "Town or ward",
            towns.head(TOP_TOWNS),
            towns_then,
            years,
            caption=f"Care home beds by town (or ward), largest residential shortfall"
            f"{f' in {then.label}' if then is not None else ''} first, {span}",
            note_text=(
                "Towns are wards grouped by their shared name (e.g. Trowbridge Grove, "
                "Trowbridge Park); a care home serves people from beyond its town, so "
                "these figures show where beds are, not who uses them."
            ),
        )
    ]
    if len(towns) > TOP_TOWNS:
        rest = bed_table(
            "Town or ward",
            towns.iloc[TOP_TOWNS:],
            towns_then,
            years,
            caption=f"The other {len(towns) - TOP_TOWNS} towns and wards, {span}",
        )
        parts.append(
            f'<details class="more"><summary>The other {len(towns) - TOP_TOWNS} towns '
            f"and wards</summary>{rest}</details>"
        )
    return parts


def _plural(value: object, word: str) -> str:
    n = count(value)
    return f"{n} {word}" if n == "1" else f"{n} {word}s"


def _other_supply(data: ReportData) -> str:
    layers = data.layers
    ok_extra, extra_cov = gap_statable(layers, "extra_care")
    ok_home, home_cov = gap_statable(layers, "home_care")
    mark = settings.benchmarks_per_1000_75plus["extra_care_units"]
    rows = []
    for at in (data.now, data.then):
        if at is None:
            continue
        row = at.districts.iloc[-1]
        extra_gap = (
            gap_words(row["extra_care_units_gap"], unit=" units") if ok_extra else "not stated"
        )
        rows.append(
            [
                f"Extra care housing, {at.label}",
                f"{_plural(row['extra_care_schemes'], 'scheme')}, "
                f"{_plural(row['extra_care_units'], 'unit')}",
                f"{count(mark * row['pop_75plus'] / 1000)} units ({mark:g} per 1,000 aged 75+)",
                extra_gap,
                extra_cov,
            ]
        )
    row = data.now.districts.iloc[-1]
    rows.append(
        [
            "Home care agencies",
            count(row["home_care_agencies"]),
            "no benchmark",
            "not applicable" if ok_home else "not stated",
            home_cov,
        ]
    )
    columns = [
        Column("Service"),
        Column("In the data", True),
        Column("Benchmark", True),
        Column("Shortfall or surplus"),
        Column("Coverage"),
    ]
    years = data.now.label + (f" and {data.then.label}" if data.then is not None else "")
    return html_table(
        columns,
        rows,
        caption=f"Extra care housing and home care in {layers.area.name}, {years}",
        note=(
            "A shortfall is stated only from a list known to be complete; a sample list "
            "would show every area as short."
        ),
    )


def supply_section(data: ReportData) -> Section:
    """Build the supply section: tables by district, zone and town (now and the chosen year).

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    Section
        The section.
    """
    now, then = data.now, data.then
    years = (now.label, then.label if then is not None else None)
    span = now.label if then is None else f"{now.label} and {then.label}"
    parts = [note(scope_text(data.layers))]
    if then is not None:
        parts.append(
            note(
                f"{then.label}: the same care homes and places as today, against "
                f"{then.year}'s projected population ({short_basis(then.basis)}). The "
                "shortfall shown is what today's supply would leave if nothing changed.",
                kind="caveat",
            )
        )
    districts, districts_then = _districts(now), _districts(then)
    assert districts is not None  # the estimates' supply is always there
    multi = len(districts) > 1
    parts.append(
        bed_table(
            "District" if multi else "Area",
            districts,
            districts_then,
            years,
            caption=f"Care home beds against the benchmarks by district, {span}",
            note_text=f"Benchmarks: {settings.benchmark_source}.",
        )
    )
    if now.zones is not None:
        zones_then = then.zones if then is not None else None
        parts.append(_chart(now.zones, zones_then, "zone", data))
        caption = f"Care home beds by zone, {span}"
        parts.append(bed_table("Zone", now.zones, zones_then, years, caption=caption))
    elif multi:
        later = districts_then.iloc[:-1] if districts_then is not None else None
        parts.append(_chart(districts.iloc[:-1], later, "district", data))
    parts.extend(_town_parts(data, years, span))
    parts.append(_other_supply(data))
    return Section(
        "supply", "Care home beds, extra care and home care against benchmarks", "".join(parts)
    )
