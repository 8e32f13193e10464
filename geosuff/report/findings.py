"""Key findings: plain sentences generated from the report's own figures.

Each sentence carries its number and its year, and says when a figure rests on an
estimate, a projection or a list whose coverage is unknown. No finding is made from a
layer that cannot support it (a shortfall of extra care from a sample list, for
instance).
"""

from __future__ import annotations

from geosuff import settings
from geosuff.analysis.gaps import method_words
from geosuff.report.data import ReportData, SupplyAt
from geosuff.report.fmt import count, esc, number, pct
from geosuff.report.hardest import focus_lsoas, hardest_lsoas
from geosuff.report.homecare import zone_names
from geosuff.report.population import area_trajectory
from geosuff.report.section import Section
from geosuff.report.supply import gap_statable

__all__ = ["findings_section", "key_findings"]


_SCOPES = {
    "all": "all care homes CQC registers, including homes for younger adults",
    "older-people": "care homes CQC registers for older people or dementia",
}


def _short(gap: float) -> str:
    x = round(gap)
    return f"a shortfall of {abs(x):,}" if x < 0 else f"a surplus of {x:,}"


def _population(data: ReportData) -> list[str]:
    now = data.now
    row = now.districts.iloc[-1]
    pop = data.base.population
    out = [
        f"In {now.label}, {count(row['pop_75plus'])} people aged 75+ lived in "
        f"{data.base.area.name} ({pct(row['pop_75plus'] / row['pop_total'], 1)} of residents), "
        f"{count(pop['pop_85plus'].sum())} of them aged 85+ ({now.basis})."
    ]
    rows = area_trajectory(data)
    if rows is None or rows.empty:
        return out
    first = rows.iloc[0]
    later = [y for y in dict.fromkeys([data.year, 2040]) if y is not None and y > first["year"]]
    said = []
    for year in later:
        hit = rows[rows["year"] == year]
        if hit.empty:
            continue
        value = float(hit["pop_75plus"].iloc[0])
        growth = value / float(first["pop_75plus"]) - 1
        said.append(f"{count(value)} by {year} ({'+' if growth >= 0 else ''}{pct(growth)})")
    if said:
        out.append(
            f"ONS projections put the 75+ population at {' and '.join(said)}, against "
            f"{count(first['pop_75plus'])} in {int(first['year'])}."
        )
    return out


def _beds_at(at: SupplyAt) -> list[str]:
    row = at.districts.iloc[-1]
    marks = settings.benchmarks_per_1000_75plus
    return [
        f"{kind.capitalize()} care home beds: {count(row[f'{kind}_beds'])} in {at.label}, "
        f"{number(row[f'{kind}_beds_per_1000_75plus'], 1)} per 1,000 aged 75+ against a "
        f"benchmark of {marks[f'{kind}_beds']:g}: {_short(row[f'{kind}_beds_gap'])} beds."
        for kind in ("residential", "nursing")
    ]


def _beds(data: ReportData) -> list[str]:
    out = _beds_at(data.now)
    split = data.layers.bed_split.split(":")[0]
    out[0] += (
        f" Bed counts cover {_SCOPES.get(data.layers.scope, data.layers.scope)}; nursing and "
        f"residential beds are split by the rule '{split}'."
    )
    then = data.then
    if then is not None:
        row = then.districts.iloc[-1]
        out.append(
            f"With today's beds and the {count(row['pop_75plus'])} people aged 75+ projected "
            f"for {then.year}, the area would have {_short(row['residential_beds_gap'])} "
            f"residential beds ({number(row['residential_beds_per_1000_75plus'], 1)} per "
            f"1,000) and {_short(row['nursing_beds_gap'])} nursing beds "
            f"({number(row['nursing_beds_per_1000_75plus'], 1)} per 1,000) in {then.year}."
        )
    at = data.current
    units = at.zones if at.zones is not None else at.towns
    what = "zone" if at.zones is not None else "town or ward"
    if units is not None and not units.empty:
        for kind in ("residential", "nursing"):
            worst = units.sort_values(f"{kind}_beds_gap").iloc[0]
            if worst[f"{kind}_beds_gap"] < 0:
                out.append(
                    f"The largest {kind} shortfall by {what} is in {worst['unit']}: "
                    f"{count(-worst[f'{kind}_beds_gap'])} beds against the benchmark for its "
                    f"{count(worst['pop_75plus'])} people aged 75+ in {at.words}."
                )
    return out


def _extra_care(data: ReportData) -> list[str]:
    row = data.current.districts.iloc[-1]
    marks = settings.benchmarks_per_1000_75plus
    ok, coverage = gap_statable(data.layers, "extra_care")
    if ok:
        return [
            f"Extra care housing: {count(row['extra_care_units'])} units, "
            f"{_short(row['extra_care_units_gap'])} units against {marks['extra_care_units']:g} "
            f"per 1,000 aged 75+ in {data.current.words}."
        ]
    schemes = int(row["extra_care_schemes"])
    held = "no scheme" if schemes == 0 else f"{schemes:,} scheme{'s' if schemes > 1 else ''}"
    return [
        f"Extra care housing: the data hold {held} in {data.layers.area.name}; no shortfall "
        f"is stated, because the list is not known to be complete ({coverage})."
    ]


def _travel(data: ReportData) -> list[str]:
    zones = data.travel.zones
    zones = zones[zones["home_care_legs_sampled"] > 0]
    if len(zones) < 2:
        return []
    what, names = zone_names(data)
    ordered = zones.sort_values("home_care_minutes_per_visit", ascending=False)
    top, low = ordered.iloc[0], ordered.iloc[-1]

    def name(z: object) -> str:
        return names.get(str(z), str(z))

    method = method_words(str(data.travel.parameters.get("travel_method", "")))
    per = "zone" if what == "zone" else "district (rounds in local patches, no zones given)"
    return [
        f"Care workers' travel per visit is longest in {name(top['zone'])} "
        f"({number(top['home_care_minutes_per_visit'], 1)} min, p10–p90 "
        f"{number(top['home_care_minutes_per_visit_p10'], 1)}–"
        f"{number(top['home_care_minutes_per_visit_p90'], 1)}; "
        f"£{number(top['home_care_travel_cost_per_visit_gbp'], 2)} of pay and mileage per "
        f"visit) and shortest in {name(low['zone'])} "
        f"({number(low['home_care_minutes_per_visit'], 1)} min; "
        f"£{number(low['home_care_travel_cost_per_visit_gbp'], 2)}), by {per}, in "
        f"{data.current.words}; drive times {method}."
    ]


def _gaps(data: ReportData) -> list[str]:
    gaps = data.gaps
    flagged = gaps[gaps["flagged"].astype(bool)]
    if flagged.empty:
        return [f"No LSOA is flagged by the gap rules in {data.current.words}."]
    low = gaps["gap_low_access"] | gaps["gap_low_nursing_access"]
    low = low | gaps["gap_low_residential_access"]
    counts = {
        "long care-worker travel per visit": int(gaps["gap_home_care"].sum()),
        "nursing home too far": int(gaps["gap_nursing"].sum()),
        "low access to beds, nursing or residential beds (E2SFCA)": int(low.sum()),
    }
    reasons = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    out = [
        f"{len(flagged)} of {len(gaps)} LSOAs, home to {count(flagged['pop_75plus'].sum())} "
        f"people aged 75+, are flagged as hard to serve in {data.current.words} ({reasons})."
    ]
    hard = hardest_lsoas(data, 1)
    if not hard.empty:
        r = hard.iloc[0]
        where = ", ".join(
            dict.fromkeys(str(v) for v in (r["ward"], r["town"]) if isinstance(v, str) and v)
        )
        out.append(
            f"The longest care-worker travel of a flagged LSOA is in {r['lsoa_name']}"
            f"{f' ({where})' if where else ''}: {number(r['minutes'], 1)} min per visit."
        )
    return out


def _focus(data: ReportData) -> list[str]:
    rows = focus_lsoas(data)
    if rows is None or data.focus is None:
        return []
    minutes = rows["home_care_minutes_per_visit"].astype(float)
    flagged = rows["flagged"].astype(bool)
    home = rows["gap_home_care"].astype(bool) if "gap_home_care" in rows else flagged & False
    place = data.focus.query.strip()
    span = (
        f"{number(minutes.min(), 1)} to {number(minutes.max(), 1)} min"
        if len(rows) > 1
        else f"{number(minutes.iloc[0], 1)} min"
    )
    return [
        f"{place}: {len(rows)} LSOA{'s' if len(rows) != 1 else ''} with "
        f"{count(rows['pop_75plus'].sum())} people aged 75+; care-worker travel {span} per "
        f"visit; {int(flagged.sum())} flagged, {int(home.sum())} of them for home care, in "
        f"{data.current.words}."
    ]


def key_findings(data: ReportData) -> list[str]:
    """Return the key findings as plain sentences.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    list of str
        The sentences, most general first.
    """
    return [
        *_population(data),
        *_beds(data),
        *_extra_care(data),
        *_travel(data),
        *_gaps(data),
        *_focus(data),
    ]


def findings_section(data: ReportData) -> Section:
    """Build the key findings section.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    Section
        The section.
    """
    items = "".join(f"<li>{esc(s)}</li>" for s in key_findings(data))
    return Section("findings", "Key findings", f'<ul class="findings">{items}</ul>')
