"""The population and home care sections of the report."""

from __future__ import annotations

import pandas as pd

from geosuff.report.charts import line_chart, range_bars
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, html_table, number, pct
from geosuff.report.section import Section, note

__all__ = ["HARDEST_LSOAS", "hardest_lsoas", "homecare_section", "population_section"]

#: LSOAs listed in the "hardest to serve" table.
HARDEST_LSOAS = 15


def population_section(data: ReportData, year: str, basis: str) -> Section:
    """People aged 65+, 75+ and 85+ by district, and their trajectory when projected.

    Parameters
    ----------
    data
        The report's figures.
    year
        The population's year (``"2020"``).
    basis
        How the population was obtained, in words.

    Returns
    -------
    Section
        The section.
    """
    pop = data.layers.population
    districts = (
        pop.groupby(["la_code", "la_name"], sort=True)[
            ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]
        ]
        .sum()
        .reset_index()
    )
    if len(districts) > 1:
        total = {
            **districts.sum(numeric_only=True).to_dict(),
            "la_code": data.layers.area.code,
            "la_name": data.layers.area.name,
        }
        districts = pd.concat([districts, pd.DataFrame([total])], ignore_index=True)
    rows = [
        [
            str(r["la_name"]),
            count(r["pop_total"]),
            count(r["pop_65plus"]),
            count(r["pop_75plus"]),
            pct(r["pop_75plus"] / r["pop_total"], 1),
            count(r["pop_85plus"]),
        ]
        for _, r in districts.iterrows()
    ]
    table = html_table(
        [
            Column("District" if len(districts) > 1 else "Area"),
            Column("All ages", True),
            Column("Aged 65+", True),
            Column("Aged 75+", True),
            Column("75+ share", True),
            Column("Aged 85+", True),
        ],
        rows,
        caption=f"People by age, {year} ({basis})",
    )
    parts = [table]
    if data.trajectory is not None and not data.trajectory.empty:
        traj = data.trajectory.sort_values("year")
        series = [
            (label, traj[col].tolist())
            for label, col in (
                ("Aged 65+", "pop_65plus"),
                ("Aged 75+", "pop_75plus"),
                ("Aged 85+", "pop_85plus"),
            )
            if col in traj.columns
        ]
        chart = line_chart(
            traj["year"].astype(int).tolist(),
            series,
            unit="people",
            title=f"Older people in {data.layers.area.name}",
            mark_x=data.year,
        )
        parts.append(chart.html(f"People aged 65+, 75+ and 85+ by year ({basis})"))
        parts.append(
            html_table(
                [Column("Year"), *[Column(s[0], True) for s in series]],
                [
                    [str(int(r["year"])), *[count(r[c]) for c in traj.columns if c != "year"]]
                    for _, r in traj.iterrows()
                ],
                caption="People aged 65+, 75+ and 85+ by year",
            )
        )
    else:
        parts.append(
            note(
                "Projected population: not included. This version loads the population "
                f"estimates for {year} only; no projection is shown rather than a guess."
            )
        )
    return Section("population", "Older people now and to come", "".join(parts))


def hardest_lsoas(data: ReportData, n: int = HARDEST_LSOAS) -> pd.DataFrame:
    """Return the flagged LSOAs, the hardest first.

    Ordered by care-worker travel per visit in the LSOA (when the gaps table has
    ``home_care_minutes_per_visit``), else by the travel per visit of its zone, then by
    people aged 75+.

    Parameters
    ----------
    data
        The report's figures.
    n
        How many.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code``, ``lsoa_name``, ``ward``, ``town``, ``zone``, ``pop_75plus``,
        ``minutes_per_visit`` and ``reasons``.
    """
    gaps = pd.DataFrame(data.gaps[data.gaps["flagged"]]).copy()
    per_zone = data.runs.set_index("zone")["travel_minutes_per_visit_mean"]
    if "home_care_minutes_per_visit" in gaps.columns:
        gaps["minutes_per_visit"] = gaps["home_care_minutes_per_visit"]
    else:
        gaps["minutes_per_visit"] = gaps["zone"].astype(str).map(per_zone)
    gaps = gaps.join(data.lsoa_places, on="lsoa_code")
    gaps = gaps.sort_values(["minutes_per_visit", "pop_75plus"], ascending=False)
    cols = ["lsoa_code", "lsoa_name", "ward", "town", "zone", "pop_75plus"]
    return gaps[[*cols, "minutes_per_visit", "reasons"]].head(n).reset_index(drop=True)


def homecare_section(data: ReportData, travel: str) -> Section:
    """Care-worker travel per visit by zone and its cost; the hardest LSOAs and why.

    Parameters
    ----------
    data
        The report's figures.
    travel
        How travel times were found, in words.

    Returns
    -------
    Section
        The section.
    """
    runs = data.runs
    if runs.empty:
        return Section(
            "homecare",
            "Home care: travel and hard-to-serve places",
            omitted="no zone has people aged 75+",
        )
    what = "zone" if data.groups is not None else "district"
    names: dict[str, str] = {}
    if what == "district":
        la = data.layers.population.drop_duplicates("la_code")
        names = dict(zip(la["la_code"].astype(str), la["la_name"].astype(str), strict=True))
    labels = [names.get(str(z), str(z)) for z in runs["zone"]]
    st = data.runs_settings
    parts = [
        note(
            f"Simulated daily runs of 6 to 8 visits per {what} ({st.get('runs_per_zone')} runs, "
            f"seed {st.get('seed')}): clients placed where people aged 75+ live; travel per "
            f"visit includes {st.get('overhead_minutes', 0):g} minutes of parking and walking. "
            f"Travel times: {travel}."
        )
    ]
    if len(runs) > 1:
        chart = range_bars(
            labels,
            runs["travel_minutes_per_visit_mean"],
            runs["travel_minutes_per_visit_p10"],
            runs["travel_minutes_per_visit_p90"],
            unit="minutes of travel per visit",
            title=f"Care-worker travel per visit by {what}",
        )
        parts.append(
            chart.html(
                f"Travel per visit by {what}: mean and p10 to p90 of simulated runs ({travel})"
            )
        )
    rows = [
        [
            label,
            count(r["pop_75plus"]),
            number(r["travel_minutes_per_visit_mean"], 1),
            f"{number(r['travel_minutes_per_visit_p10'], 1)} – "
            f"{number(r['travel_minutes_per_visit_p90'], 1)}",
            number(r["miles_per_visit"], 1),
            pct(r["travel_share_of_paid_time"]),
            "£" + number(r["travel_cost_per_visit_gbp"], 2),
        ]
        for label, (_, r) in zip(labels, runs.iterrows(), strict=True)
    ]
    order = sorted(
        range(len(rows)), key=lambda i: -float(runs["travel_minutes_per_visit_mean"].iloc[i])
    )
    parts.append(
        html_table(
            [
                Column(what.capitalize()),
                Column("Aged 75+", True),
                Column("Travel per visit, min", True),
                Column("p10 – p90, min", True),
                Column("Miles per visit", True),
                Column("Travel share of paid time", True),
                Column("Travel cost per visit", True),
            ],
            [rows[i] for i in order],
            caption=f"Care-worker travel per visit by {what}, longest first",
            note=(
                f"Cost: travel minutes at £{st.get('hourly_rate_gbp', 0):.2f} an hour plus "
                f"{100 * st.get('mileage_rate_gbp_per_mile', 0):.0f}p a mile (defaults to change)."
            ),
        )
    )
    hard = hardest_lsoas(data)
    if hard.empty:
        parts.append(note("No LSOA is flagged by the gap rules."))
    else:
        rows = [
            [
                f"{r['lsoa_name']} ({r['lsoa_code']})",
                str(r["ward"] or ""),
                str(r["town"] or ""),
                names.get(str(r["zone"]), str(r["zone"])),
                count(r["pop_75plus"]),
                number(r["minutes_per_visit"], 1),
                str(r["reasons"]),
            ]
            for _, r in hard.iterrows()
        ]
        total = int(data.gaps["flagged"].sum())
        parts.append(
            html_table(
                [
                    Column("LSOA"),
                    Column("Ward"),
                    Column("Town"),
                    Column(what.capitalize()),
                    Column("Aged 75+", True),
                    Column(f"Travel per visit in the {what}, min", True),
                    Column("Why flagged"),
                ],
                rows,
                caption=f"Hard-to-serve LSOAs: {len(rows)} of {total} flagged",
                css_class="data reasons",
            )
        )
    for text in data.gaps_dropped:
        parts.append(note(text, kind="caveat"))
    return Section("homecare", "Home care: travel and hard-to-serve places", "".join(parts))
