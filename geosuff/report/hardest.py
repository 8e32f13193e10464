"""The hard-to-serve places of the home care section: the longest travel, and the focus."""

from __future__ import annotations

import pandas as pd

from geosuff.analysis.gaps import method_words
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, html_table, number
from geosuff.report.section import note

__all__ = [
    "HARDEST_LSOAS",
    "focus_lsoas",
    "focus_table",
    "hardest_lsoas",
    "hardest_table",
    "short_reasons",
]

#: LSOAs listed in the "hardest to serve" table.
HARDEST_LSOAS = 15
_SCORES = (
    ("gap_low_access", "e2sfca_beds_per_1000_75plus", "beds"),
    ("gap_low_nursing_access", "e2sfca_nursing_beds_per_1000_75plus", "nursing beds"),
    ("gap_low_residential_access", "e2sfca_residential_beds_per_1000_75plus", "residential beds"),
)


def short_reasons(row: pd.Series, thresholds: dict[str, float]) -> list[str]:
    """Say in a few words why an LSOA is flagged, from its flags and figures.

    The gaps table's ``reasons`` say the same at length (with the method of every
    drive time); a table that states the method once uses these.

    Parameters
    ----------
    row
        A row of :func:`geosuff.find_gaps`.
    thresholds
        The gap thresholds used.

    Returns
    -------
    list of str
        One phrase per flag raised.
    """
    out = []
    if row.get("gap_home_care", False):
        out.append(
            f"home care: travel {number(row['home_care_minutes_per_visit'], 1)} min per visit, "
            f"over {thresholds.get('travel_minutes_per_visit', 10):g} min"
        )
    if row.get("gap_nursing", False):
        n = row.get("minutes_to_nursing")
        figure = f"{number(n)} min" if number(n) != "no data" else "none within reach"
        out.append(
            f"nearest nursing home {figure}, over {thresholds.get('nursing_minutes', 30):g} min"
        )
    share = 100 * thresholds.get("access_quantile", 0.1)
    for flag, col, what in _SCORES:
        if row.get(flag, False):
            out.append(
                f"low access to {what}: {number(row.get(col), 1)} per 1,000 aged 75+ "
                f"(bottom {share:g}%)"
            )
    return out


def hardest_lsoas(data: ReportData, n: int = HARDEST_LSOAS) -> pd.DataFrame:
    """Return the LSOAs flagged for home care, longest care-worker travel per visit first.

    Parameters
    ----------
    data
        The report's figures.
    n
        How many.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code``, ``lsoa_name``, ``ward``, ``town``, ``round_area``, ``pop_75plus``,
        ``minutes``, ``p10``, ``p90``, ``cost_gbp``, ``reasons`` and ``why``
        (:func:`short_reasons`).
    """
    gaps = pd.DataFrame(data.gaps)
    gaps = gaps[gaps["gap_home_care"].astype(bool)] if "gap_home_care" in gaps else gaps[:0]
    gaps = gaps.sort_values(["home_care_minutes_per_visit", "pop_75plus"], ascending=False)
    places = data.places.reindex(gaps["lsoa_code"].astype(str))
    out = pd.DataFrame(
        {
            "lsoa_code": gaps["lsoa_code"].to_numpy(),
            "lsoa_name": gaps["lsoa_name"].to_numpy(),
            "ward": places["ward_name"].to_numpy(),
            "town": places["town"].to_numpy(),
            "round_area": gaps["home_care_round_area"].to_numpy(),
            "pop_75plus": gaps["pop_75plus"].to_numpy(),
            "minutes": gaps["home_care_minutes_per_visit"].to_numpy(),
            "p10": gaps["home_care_minutes_per_visit_p10"].to_numpy(),
            "p90": gaps["home_care_minutes_per_visit_p90"].to_numpy(),
            "cost_gbp": gaps["home_care_travel_cost_per_visit_gbp"].to_numpy(),
            "reasons": gaps["reasons"].to_numpy(),
            "why": [short_reasons(r, data.thresholds) for _, r in gaps.iterrows()],
        }
    )
    return out.head(n).reset_index(drop=True)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def hardest_table(data: ReportData) -> str:
    """Table of the LSOAs flagged for home care, longest travel first, with short reasons.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    str
        HTML (a note when no LSOA is flagged for home care).
    """
    hard = hardest_lsoas(data)
    total = int(data.gaps["gap_home_care"].sum()) if "gap_home_care" in data.gaps else 0
    if hard.empty:
        th = data.thresholds.get("travel_minutes_per_visit", 10)
        return note(f"No LSOA's care-worker travel per visit is over {th:g} minutes.")
    rows = [
        [
            f"{r['lsoa_name']} ({r['lsoa_code']})",
            _text(r["ward"]),
            _text(r["town"]) if r["town"] != r["ward"] else "",
            _text(r["round_area"]),
            count(r["pop_75plus"]),
            f"{number(r['minutes'], 1)} ({number(r['p10'], 1)} – {number(r['p90'], 1)})",
            "£" + number(r["cost_gbp"], 2),
            r["why"],
        ]
        for _, r in hard.iterrows()
    ]
    return html_table(
        [
            Column("LSOA"),
            Column("Ward"),
            Column("Town"),
            Column("Rounds planned within"),
            Column("Aged 75+", True),
            Column("Travel per visit, min (p10 – p90)", True),
            Column("Cost per visit", True),
            Column("Why flagged"),
        ],
        rows,
        caption=(
            f"Hardest to serve: the {len(rows)} LSOAs with the longest care-worker travel, "
            f"of {total} flagged for home care ({data.year_label})"
        ),
        note=_reasons_note(data),
        css_class="data reasons",
    )


def _reasons_note(data: ReportData) -> str:
    method = method_words(str(data.travel.parameters.get("travel_method", "")))
    return (
        f"Drive times {method}. Access figures are E2SFCA care home beds per 1,000 aged 75+. "
        "Each flag's full reason (figure, threshold, method, zone or patch) is in the map's "
        "popups and in the output of `geosuff gaps`."
    )


def focus_lsoas(data: ReportData) -> pd.DataFrame | None:
    """Return the gaps rows of the LSOAs mostly inside the focus place, longest travel first.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    pandas.DataFrame or None
        Rows of the gaps table (:func:`geosuff.io.places.lsoas_in_place`: half their
        area, or their population-weighted centre, inside); ``None`` without a focus or
        when no LSOA is inside it.
    """
    if data.focus is None:
        return None
    from geosuff.io.places import lsoas_in_place

    pop = data.layers.population
    inside = pd.Series(lsoas_in_place(pop, data.focus.geometry), index=pop["lsoa_code"].to_numpy())
    rows = data.gaps[data.gaps["lsoa_code"].map(inside).fillna(False).astype(bool)]
    if rows.empty:
        return None
    return pd.DataFrame(rows).sort_values("home_care_minutes_per_visit", ascending=False)


def focus_table(data: ReportData) -> str:
    """Table of the focus place's LSOAs (mostly inside it): travel, flags and reasons.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    str
        HTML, or nothing without a focus (or with no LSOA inside it).
    """
    rows_in = focus_lsoas(data)
    if data.focus is None or rows_in is None:
        return ""
    rows = [
        [
            f"{r['lsoa_name']} ({r['lsoa_code']})",
            _text(data.places["ward_name"].get(r["lsoa_code"])),
            count(r["pop_75plus"]),
            number(r["home_care_minutes_per_visit"], 1),
            "yes" if r["flagged"] else "no",
            short_reasons(r, data.thresholds),
        ]
        for _, r in rows_in.iterrows()
    ]
    place = data.focus.query.strip()
    return html_table(
        [
            Column("LSOA"),
            Column("Ward"),
            Column("Aged 75+", True),
            Column("Travel per visit, min", True),
            Column("Flagged"),
            Column("Why flagged"),
        ],
        rows,
        caption=f"{place}: its {len(rows)} LSOAs ({data.year_label})",
        note=f"LSOAs mostly inside {place} (half their area, or their population-weighted "
        f"centre), as `geosuff gaps --focus` counts them. {_reasons_note(data)}",
        css_class="data reasons",
    )
