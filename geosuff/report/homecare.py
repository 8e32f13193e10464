"""The home care section: care-worker travel per visit by zone and its cost; hard places."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geosuff.analysis.gaps import GAP_FLAGS, method_words
from geosuff.report.charts import travel_cost_bars
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, html_table, number, pct
from geosuff.report.hardest import focus_table, hardest_table
from geosuff.report.section import Section, note

__all__ = ["cost_note", "homecare_section", "model_note", "zone_names"]

_TITLE = "Home care: care-worker travel and hard-to-serve places"


def zone_names(data: ReportData) -> tuple[str, dict[str, str]]:
    """Say what the rows of the travel table are, and give their display names.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    tuple
        ``"zone"`` (commissioned zones) or ``"district"`` (no zones: the table is per
        district, rounds planned in local patches), and code -> name.
    """
    if data.groups is not None:
        return "zone", {}
    la = data.layers.population.drop_duplicates("la_code")
    return "district", dict(zip(la["la_code"].astype(str), la["la_name"].astype(str), strict=True))


def model_note(data: ReportData, travel: str) -> str:
    """Describe the travel model in one paragraph: clients, rounds, drive times, year.

    Parameters
    ----------
    data
        The report's figures.
    travel
        How travel times were found, in words.

    Returns
    -------
    str
        Plain text.
    """
    p = data.travel.parameters
    rounds = (
        "within each commissioned zone"
        if data.groups is not None
        else f"within a local patch of about {p.get('patch_clients') or 100:g} clients around "
        "each LSOA (no zones were given)"
    )
    estimate = (
        ""
        if str(p.get("travel_method")) == "network"
        else " Drive times are ESTIMATES from straight-line distance, not road routes: "
        "compare places with them, not journeys."
    )
    return (
        f"Care-worker travel per visit is the drive from one visit to the next in simulated "
        f"rounds ({p.get('visits_per_round')} time slots a round, {p.get('days')} days, seed "
        f"{p.get('seed')}), plus {p.get('overhead_minutes', 0):g} minutes parking and walking "
        f"to the door. Clients are placed where people aged 75+ live "
        f"({p.get('clients_per_1000_75plus', 0):g} per 1,000 aged 75+: "
        f"{p.get('take_up_source', 'take-up assumption')}; population {data.year_label}); "
        f"rounds are planned {rounds}. Travel times: {travel}.{estimate}"
    )


def cost_note(data: ReportData) -> str:
    """How travel is costed, and why the contact-hour price is not that cost.

    Parameters
    ----------
    data
        The report's figures.

    Returns
    -------
    str
        Plain text.
    """
    p = data.travel.parameters
    return (
        f"Cost of travel = travel minutes at the care worker's pay, "
        f"£{p.get('hourly_pay_gbp', 0):.2f} an hour ({p.get('pay_source', 'assumed')}), plus "
        f"{100 * p.get('mileage_rate_gbp_per_mile', 0):.0f}p a mile (HMRC mileage rate). "
        f"The £{p.get('contact_hour_price_gbp', 0):.2f} price of a contact hour already pays "
        f"for travel: it is shown only to compare with, never used as the cost of travel. "
        f"Travel cost per contact hour is what a fee paid per contact hour must cover for "
        f"travel ({p.get('visit_minutes', 30):g}-minute visits)."
    )


def _zone_rows(data: ReportData, names: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    zones = data.travel.zones.sort_values("home_care_minutes_per_visit", ascending=False)
    zones = zones[zones["home_care_legs_sampled"] > 0]
    labels = [names.get(str(z), str(z)) for z in zones["zone"]]
    return pd.DataFrame(zones.drop(columns="geometry")), labels


def _zone_table(data: ReportData, what: str, names: dict[str, str]) -> str:
    zones, labels = _zone_rows(data, names)
    rows = [
        [
            label,
            count(r["pop_75plus"]),
            number(r["home_care_minutes_per_visit"], 1),
            f"{number(r['home_care_minutes_per_visit_p10'], 1)} – "
            f"{number(r['home_care_minutes_per_visit_p90'], 1)}",
            number(r["home_care_miles_per_visit"], 1),
            "£" + number(r["home_care_travel_cost_per_visit_gbp"], 2),
            "£" + number(r["home_care_travel_cost_per_contact_hour_gbp"], 2),
            pct(r["home_care_travel_cost_share_of_price"]),
            pct(r["home_care_unpaid_travel_share"]),
        ]
        for label, (_, r) in zip(labels, zones.iterrows(), strict=True)
    ]
    where = "zone" if what == "zone" else "district (rounds in local patches)"
    price = data.travel.parameters.get("contact_hour_price_gbp", 0)
    return html_table(
        [
            Column(where.capitalize()),
            Column(f"Aged 75+ ({data.year_label})", True),
            Column("Travel per visit, min", True),
            Column("p10 – p90, min", True),
            Column("Miles per visit", True),
            Column("Travel cost per visit", True),
            Column("Travel cost per contact hour", True),
            Column(f"Share of the £{price:.2f} contact-hour price", True),
            Column("Travel share of working time", True),
        ],
        rows,
        caption=f"Care-worker travel per visit by {what}, longest first ({data.year_label})",
        note=cost_note(data),
    )


def _flag_table(data: ReportData) -> str:
    gaps = data.gaps
    pop = gaps["pop_75plus"].to_numpy(float)
    rows = []
    for flag, meaning in GAP_FLAGS.items():
        mask = gaps[flag].to_numpy(bool) if flag in gaps.columns else np.zeros(len(gaps), bool)
        rows.append([meaning, count(mask.sum()), count(pop[mask].sum())])
    flagged = gaps["flagged"].to_numpy(bool)
    rows.append(["any of these", count(flagged.sum()), count(pop[flagged].sum())])
    th = data.thresholds
    return html_table(
        [Column("Flag"), Column("LSOAs", True), Column(f"Aged 75+ ({data.year_label})", True)],
        rows,
        caption=f"LSOAs flagged by the gap rules, of {len(gaps)} ({data.year_label})",
        note=(
            f"Home care: travel per visit over {th.get('travel_minutes_per_visit', 10):g} min, "
            f"any population; nursing home over {th.get('nursing_minutes', 30):g} min away; "
            f"low access: E2SFCA in the area's bottom {100 * th.get('access_quantile', 0.1):g}%."
        ),
    )


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
    zones = data.travel.zones
    if zones.empty or not (zones["home_care_legs_sampled"] > 0).any():
        return Section("homecare", _TITLE, omitted="no simulated visits (no people aged 75+?)")
    what, names = zone_names(data)
    parts = [note(model_note(data, travel))]
    rows, labels = _zone_rows(data, names)
    if len(rows) > 1:
        chart = travel_cost_bars(
            labels,
            (
                rows["home_care_minutes_per_visit"],
                rows["home_care_minutes_per_visit_p10"],
                rows["home_care_minutes_per_visit_p90"],
            ),
            rows["home_care_travel_cost_per_visit_gbp"],
            threshold=data.thresholds.get("travel_minutes_per_visit"),
            title=f"Care-worker travel per visit by {what}",
        )
        method = method_words(str(data.travel.parameters.get("travel_method", "")))
        parts.append(
            chart.html(
                f"Care-worker travel per visit by {what} (mean, and p10 to p90 of simulated "
                f"visits) and its cost per visit, {data.year_label}; drive times {method}."
            )
        )
    parts.append(_zone_table(data, what, names))
    parts.append(_flag_table(data))
    not_assessed = str(data.gaps["not_assessed"].iloc[0]) if len(data.gaps) else ""
    if not_assessed:
        parts.append(note(f"Not assessed: {not_assessed}.", kind="caveat"))
    parts.append(hardest_table(data))
    parts.append(focus_table(data))
    return Section("homecare", _TITLE, "".join(parts))
