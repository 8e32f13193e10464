"""The population section: people aged 65+, 75+ and 85+ now, and their projected trajectory."""

from __future__ import annotations

import pandas as pd

from geosuff.report.charts import line_chart
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, html_table, pct
from geosuff.report.section import Section, note

__all__ = ["area_trajectory", "population_section", "trajectory_sources"]

_AGES = (("Aged 65+", "pop_65plus"), ("Aged 75+", "pop_75plus"), ("Aged 85+", "pop_85plus"))


def area_trajectory(data: ReportData) -> pd.DataFrame | None:
    """Return the whole area's rows of the trajectory by year (``None`` without one).

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    pandas.DataFrame or None
        ``year``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``, ``basis``,
        ``population_basis``, one row per year.
    """
    traj = data.trajectory
    if traj is None or traj.empty:
        return None
    code = data.base.area.code
    rows = traj[traj["la_code"] == code] if "la_code" in traj.columns else traj
    if rows.empty:  # a single authority whose code differs from the area's
        rows = traj.drop_duplicates("year", keep="last")
    return rows.sort_values("year").reset_index(drop=True)


def trajectory_sources(rows: pd.DataFrame) -> str:
    """Say which years are estimates and which projections, and from which files.

    Parameters
    ----------
    rows
        :func:`area_trajectory` output.

    Returns
    -------
    str
        E.g. ``"2020: ONS mid-2020 LSOA population estimates; 2025 to 2040: ONS
        2018-based subnational population projections (snpp...csv)"``.
    """
    parts = []
    basis = rows.get("basis", pd.Series(["estimate"] * len(rows)))
    for kind in ("estimate", "projection"):
        years = rows.loc[basis.to_numpy() == kind, "year"].astype(int).tolist()
        if not years:
            continue
        text = str(rows.loc[basis.to_numpy() == kind, "population_basis"].iloc[0])
        if kind == "projection":
            text = text.split(" for ")[0] + ", apportioned to LSOAs and summed"
        span = str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
        parts.append(f"{span}: {text}")
    return "; ".join(parts)


def _district_table(data: ReportData, year: str) -> str:
    pop = data.base.population
    cols = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]
    districts = pop.groupby(["la_code", "la_name"], sort=True)[cols].sum().reset_index()
    if len(districts) > 1:
        total = {
            **districts.sum(numeric_only=True).to_dict(),
            "la_code": data.base.area.code,
            "la_name": data.base.area.name,
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
    return html_table(
        [
            Column("District" if len(districts) > 1 else "Area"),
            Column("All ages", True),
            Column("Aged 65+", True),
            Column("Aged 75+", True),
            Column("75+ share", True),
            Column("Aged 85+", True),
        ],
        rows,
        caption=f"People by age, {year} ({data.base.population_basis or data.pop_source})",
    )


def _trajectory_parts(data: ReportData, rows: pd.DataFrame) -> list[str]:
    years = rows["year"].astype(int).tolist()
    sources = trajectory_sources(rows)
    chart = line_chart(
        years,
        [(label, rows[col].tolist()) for label, col in _AGES],
        unit="people",
        title=f"Older people in {data.base.area.name}, {years[0]} to {years[-1]}",
        mark_x=data.year,
    )
    parts = [chart.html(f"People aged 65+, 75+ and 85+ by year. {sources}.")]
    parts.append(
        html_table(
            [Column("Year"), *[Column(label, True) for label, _ in _AGES], Column("Basis")],
            [
                [
                    str(int(r["year"])),
                    *[count(r[col]) for _, col in _AGES],
                    "estimate" if r.get("basis") == "estimate" else "projection",
                ]
                for _, r in rows.iterrows()
            ],
            caption=f"People aged 65+, 75+ and 85+ by year, {data.base.area.name}",
            note=sources,
        )
    )
    traj = data.trajectory
    districts = traj[traj["la_code"] != data.base.area.code] if traj is not None else None
    if districts is not None and districts["la_code"].nunique() > 1:
        wide = districts.pivot_table(
            index="la_name", columns="year", values="pop_75plus", aggfunc="sum", sort=True
        )
        parts.append(
            html_table(
                [Column("District"), *[Column(str(int(y)), True) for y in wide.columns]],
                [[str(name), *[count(v) for v in r]] for name, r in wide.iterrows()],
                caption="People aged 75+ by district and year",
            )
        )
    parts.append(
        note(
            "Projected years follow ONS's projection for each authority; LSOA figures are "
            "the projection shared among LSOAs by their share in the base-year estimates, so "
            "they show where today's older people live, not where new homes will be built. "
            "The 2018-based projections predate the 2021 Census."
        )
    )
    return parts


def population_section(data: ReportData, year: str) -> Section:
    """People aged 65+, 75+ and 85+ by district now, and their trajectory when projected.

    Parameters
    ----------
    data
        The report's figures.
    year
        The estimates' year (``"2020"``).

    Returns
    -------
    Section
        The section.
    """
    parts = [_district_table(data, year)]
    rows = area_trajectory(data)
    if rows is not None:
        parts.extend(_trajectory_parts(data, rows))
    else:
        why = f" ({data.trajectory_note})" if data.trajectory_note else ""
        parts.append(
            note(
                f"Projected population: not included{why}. Add ONS subnational population "
                "projections to the data folder (ons/snpp*) to chart it; no projection is "
                "shown rather than a guess."
            )
        )
    return Section("population", "Older people now and to come", "".join(parts))
