"""Key findings: plain sentences generated from the report's own figures.

Each sentence carries its number and its year, and says when a figure rests on an
estimate or on a list whose coverage is unknown. No finding is made from a layer that
cannot support it (a shortfall of extra care from a sample list, for instance).
"""

from __future__ import annotations

from geosuff import settings
from geosuff.report.data import ReportData
from geosuff.report.fmt import count, esc, number, pct
from geosuff.report.section import Section
from geosuff.report.sections import hardest_lsoas
from geosuff.report.supply import gap_statable

__all__ = ["findings_section", "key_findings"]


_SCOPES = {
    "all": "all care homes CQC registers, including homes for younger adults",
    "older-people": "care homes CQC registers for older people or dementia",
}


def _short(gap: float) -> str:
    x = round(gap)
    return f"a shortfall of {abs(x):,}" if x < 0 else f"a surplus of {x:,}"


def _population(data: ReportData, year: str, basis: str) -> list[str]:
    row = data.summary.iloc[-1]
    pop = data.layers.population
    out = [
        f"In {year}, {count(row['pop_75plus'])} people aged 75+ lived in "
        f"{data.layers.area.name} ({pct(row['pop_75plus'] / row['pop_total'], 1)} of residents), "
        f"{count(pop['pop_85plus'].sum())} of them aged 85+ ({basis})."
    ]
    traj = data.trajectory
    if traj is not None and not traj.empty and data.year is not None:
        now = traj.sort_values("year").iloc[0]
        then = traj[traj["year"] == data.year]
        if not then.empty:
            later = float(then["pop_75plus"].iloc[0])
            growth = later / float(now["pop_75plus"]) - 1
            out.append(
                f"The 75+ population is projected to reach {count(later)} by {data.year} "
                f"({'+' if growth >= 0 else ''}{pct(growth)} on {int(now['year'])})."
            )
    return out


def _beds(data: ReportData, year: str) -> list[str]:
    row = data.summary.iloc[-1]
    marks = settings.benchmarks_per_1000_75plus
    out = []
    for kind in ("residential", "nursing"):
        out.append(
            f"{kind.capitalize()} care home beds: {count(row[f'{kind}_beds'])} in {year}, "
            f"{number(row[f'{kind}_beds_per_1000_75plus'], 1)} per 1,000 aged 75+ against a "
            f"benchmark of {marks[f'{kind}_beds']:g}: {_short(row[f'{kind}_beds_gap'])} beds."
        )
    split = data.layers.bed_split.split(":")[0]
    out[0] += (
        f" Bed counts cover {_SCOPES.get(data.layers.scope, data.layers.scope)}; nursing and "
        f"residential beds are split by the rule '{split}'."
    )
    units = data.zones if data.zones is not None else data.towns
    what = "zone" if data.zones is not None else "town or ward"
    if units is not None and not units.empty:
        worst = units.sort_values("residential_beds_gap").iloc[0]
        if worst["residential_beds_gap"] < 0:
            out.append(
                f"The largest residential shortfall by {what} is in {worst['unit']}: "
                f"{count(-worst['residential_beds_gap'])} beds against the benchmark for its "
                f"{count(worst['pop_75plus'])} people aged 75+ ({year})."
            )
        worst = units.sort_values("nursing_beds_gap").iloc[0]
        if worst["nursing_beds_gap"] < 0:
            out.append(
                f"The largest nursing shortfall by {what} is in {worst['unit']}: "
                f"{count(-worst['nursing_beds_gap'])} beds ({year})."
            )
    ok, coverage = gap_statable(data.layers, "extra_care")
    if ok:
        out.append(
            f"Extra care housing: {count(row['extra_care_units'])} units in {year}, "
            f"{_short(row['extra_care_units_gap'])} units against {marks['extra_care_units']:g} "
            "per 1,000 aged 75+."
        )
    else:
        out.append(
            f"Extra care housing: no shortfall is stated, because the list of schemes "
            f"({count(row['extra_care_schemes'])} in the area) is not known to be complete "
            f"({coverage})."
        )
    return out


def _travel(data: ReportData, travel: str) -> list[str]:
    runs = data.runs
    if len(runs) < 2:
        return []
    what = "zone" if data.groups is not None else "district"
    names: dict[str, str] = {}
    if what == "district":
        la = data.layers.population.drop_duplicates("la_code")
        names = dict(zip(la["la_code"].astype(str), la["la_name"].astype(str), strict=True))
    ordered = runs.sort_values("travel_minutes_per_visit_mean", ascending=False)
    top, low = ordered.iloc[0], ordered.iloc[-1]

    def name(z: object) -> str:
        return names.get(str(z), str(z))

    return [
        f"Care workers' travel per visit is longest in {name(top['zone'])} "
        f"({number(top['travel_minutes_per_visit_mean'], 1)} min, p10–p90 "
        f"{number(top['travel_minutes_per_visit_p10'], 1)}–"
        f"{number(top['travel_minutes_per_visit_p90'], 1)}) and shortest in "
        f"{name(low['zone'])} ({number(low['travel_minutes_per_visit_mean'], 1)} min); "
        f"travel times: {travel}"
        + ("." if what == "zone" else "; simulated per district, as no zones were given.")
    ]


def _gaps(data: ReportData) -> list[str]:
    gaps = data.gaps
    flagged = gaps[gaps["flagged"]]
    if flagged.empty:
        return ["No LSOA is flagged by the gap rules."]
    counts = {
        "low care home access (E2SFCA)": int(flagged.get("gap_low_access", False).sum()),
        "nursing home too far": int(flagged.get("gap_nursing", False).sum()),
        "long care-worker travel in its zone or district": int(
            flagged.get("gap_zone_travel", False).sum()
        ),
    }
    reasons = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    hard = hardest_lsoas(data, 1)
    first = ""
    if not hard.empty:
        r = hard.iloc[0]
        where = r["town"] or r["ward"] or r["lsoa_name"]
        first = f" First in the list: {r['lsoa_name']} ({where})."
    return [
        f"{len(flagged)} of {len(gaps)} LSOAs, home to {count(flagged['pop_75plus'].sum())} "
        f"people aged 75+, are flagged as hard to serve ({reasons}).{first}"
    ]


def key_findings(data: ReportData, *, year: str, basis: str, travel: str) -> list[str]:
    """Return the key findings as plain sentences.

    Parameters
    ----------
    data
        The report's figures.
    year
        The figures' year in words.
    basis
        How the population was obtained.
    travel
        How travel times were found.

    Returns
    -------
    list of str
        The sentences, most general first.
    """
    return [
        *_population(data, year, basis),
        *_beds(data, year),
        *_travel(data, travel),
        *_gaps(data),
    ]


def findings_section(data: ReportData, *, year: str, basis: str, travel: str) -> Section:
    """Build the key findings section.

    Parameters
    ----------
    data
        The report's figures.
    year
        The figures' year in words.
    basis
        How the population was obtained.
    travel
        How travel times were found.

    Returns
    -------
    Section
        The section.
    """
    items = "".join(
        f"<li>{esc(s)}</li>" for s in key_findings(data, year=year, basis=basis, travel=travel)
    )
    return Section("findings", "Key findings", f'<ul class="findings">{items}</ul>')
