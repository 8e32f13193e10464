"""The caveats section: coverage of each layer, estimates, vintages, assumptions, sources."""

from __future__ import annotations

from pathlib import Path

from geosuff import settings
from geosuff.analysis.fca import DEFAULT_BANDS
from geosuff.maps.layers import vintage_of
from geosuff.maps.title import ATTRIBUTION
from geosuff.report.data import ReportData
from geosuff.report.fmt import Column, count, esc, html_table
from geosuff.report.section import Section, note
from geosuff.report.supply import gap_statable, scope_text

__all__ = ["caveats_section", "source_rows"]

_LAYERS = (
    ("population", "Population"),
    ("care_homes", "Care homes"),
    ("home_care", "Home care agencies"),
    ("extra_care", "Extra care schemes"),
)


def source_rows(data: ReportData, pop_label: str) -> list[list[str]]:
    """Return one row per layer: what it is, its file, its vintage and its coverage.

    Parameters
    ----------
    data
        The report's figures.
    pop_label
        The population source in words.

    Returns
    -------
    list of list of str
        ``[layer, source, vintage, rows used, coverage]``.
    """
    layers = data.layers
    rows = []
    for key, label in _LAYERS:
        info = layers.provenance.get(key)
        frame = layers.population if key == "population" else getattr(layers, key)
        if info is not None:
            source, vintage = info.title or Path(info.path).name, info.vintage or "not stated"
        elif key == "population":
            source = f"{pop_label}: {Path(data.pop_source).name}"
            found = vintage_of(data.pop_source)
            vintage = "not stated" if found.startswith("date not") else found
        elif key in layers.sources:
            source = Path(layers.sources[key]).name
            found = vintage_of(source)
            vintage = "not stated" if found.startswith("date not") else found
        else:
            source, vintage = layers.missing.get(key, "no file"), "-"
        if key == "population":
            coverage = "every LSOA of the area"
        else:
            coverage = gap_statable(layers, key)[1]
        rows.append([label, source, vintage, count(len(frame)), coverage])
    projection = _projection_source(data)
    if projection:
        found = vintage_of(projection)
        vintage = "not stated" if found.startswith("date not") else f"{found}-based"
        rows.append(["Population projection", projection, vintage, "-", "every authority"])
    return rows


def _projection_source(data: ReportData) -> str | None:
    """Return the projection file used (chosen year or trajectory), or ``None``."""
    given = data.layers.sources.get("projections")
    if given:
        return Path(given).name
    traj = data.trajectory
    if traj is not None and "basis" in traj.columns and (traj["basis"] == "projection").any():
        text = str(traj.loc[traj["basis"] == "projection", "population_basis"].iloc[0])
        return text.split(" for ")[0]
    return None


def _items(data: ReportData, travel: str) -> list[str]:
    layers = data.layers
    items = []
    if data.network is None:
        items.append(
            "Travel times are a labelled estimate (straight-line distance with a detour "
            "factor and speeds by rural-urban setting), not drive times over a road network: "
            "use them to compare places, not as journey times."
        )
    else:
        items.append(f"Travel times: {travel}, over the OpenStreetMap extract {data.network}.")
    items.append(scope_text(layers))
    items += data.rules.notes()
    for key, label in (("extra_care", "Extra care"), ("home_care", "Home care agencies")):
        ok, coverage = gap_statable(layers, key)
        if not ok:
            items.append(f"{label}: {coverage}; no shortfall or gap flag is stated from it.")
    not_assessed = str(data.gaps["not_assessed"].iloc[0]) if len(data.gaps) else ""
    if not_assessed:
        items.append(f"Gap rules not assessed: {not_assessed}.")
    if len(layers.rejects):
        items.append(
            f"{len(layers.rejects)} rows of the input files were not used or were repaired; "
            "`geosuff layers summary` lists them with their reasons."
        )
    if data.groups is None:
        items.append(
            "No zones were given: care-worker rounds are planned in a local patch around "
            "each LSOA, and travel is summarised per district."
        )
    if data.then is not None:
        items.append(
            f"Figures for {data.then.year} use the projected population with today's supply: "
            f"{data.then.basis}. Access, care-worker travel and gap flags are for "
            f"{data.then.year}; the columns marked {data.now.label} use the estimates."
        )
    return items


def _assumptions(data: ReportData) -> list[list[str]]:
    marks = settings.benchmarks_per_1000_75plus
    th = data.thresholds
    p = data.travel.parameters
    bands = ", ".join(f"{w:g} up to {m:g} min" for m, w in sorted(DEFAULT_BANDS.items()))
    rows = [
        ["Residential bed benchmark", f"{marks['residential_beds']:g} per 1,000 aged 75+"],
        ["Nursing bed benchmark", f"{marks['nursing_beds']:g} per 1,000 aged 75+"],
        ["Extra care benchmark", f"{marks['extra_care_units']:g} units per 1,000 aged 75+"],
        ["Benchmark source", settings.benchmark_source],
        ["Access score", f"enhanced two-step floating catchment (E2SFCA), weights {bands}"],
        [
            "Gap: home care",
            f"care-worker travel over {th.get('travel_minutes_per_visit', 0):g} min per visit",
        ],
        ["Gap: nursing home too far", f"over {th.get('nursing_minutes', 0):g} min"],
        ["Gap: low access", f"bottom {100 * th.get('access_quantile', 0):g}% of LSOAs"],
        ["Gap: minimum 75+ population", f"{th.get('min_pop_75plus', 0):g}"],
        [
            "Home care take-up",
            f"{p.get('clients_per_1000_75plus', 0):g} clients per 1,000 aged 75+ "
            f"({p.get('take_up_source', '')})",
        ],
        [
            "Simulated rounds",
            f"{p.get('visits_per_round')} time slots a round, {p.get('days')} days, seed "
            f"{p.get('seed')}; {p.get('visit_minutes', 0):g}-minute visits; "
            f"{p.get('overhead_minutes', 0):g} min parking and walking per visit",
        ],
        [
            "Care worker's pay",
            f"£{p.get('hourly_pay_gbp', 0):.2f} an hour ({p.get('pay_source', '')})",
        ],
        ["Mileage", f"£{p.get('mileage_rate_gbp_per_mile', 0):.2f} a mile (HMRC)"],
        [
            "Price of a contact hour",
            f"£{p.get('contact_hour_price_gbp', 0):.2f} (for comparison only: it already "
            "includes travel)",
        ],
    ]
    if p.get("patch_clients"):
        rows.append(["Local patch (no zone)", f"about {p['patch_clients']:g} clients"])
    return rows


def caveats_section(data: ReportData, *, pop_label: str, travel: str) -> Section:
    """Build the caveats, assumptions and sources section.

    Parameters
    ----------
    data
        The report's figures.
    pop_label
        The population source in words.
    travel
        How travel times were found.

    Returns
    -------
    Section
        The section.
    """
    parts = [
        html_table(
            [
                Column("Layer"),
                Column("Source"),
                Column("Vintage"),
                Column("Rows used", True),
                Column("Coverage"),
            ],
            source_rows(data, pop_label),
            caption="Data used, its vintage and coverage",
        )
    ]
    items = _items(data, travel)
    parts.append("<ul class=caveats>" + "".join(f"<li>{esc(t)}</li>" for t in items) + "</ul>")
    if data.warnings:
        listed = "".join(f"<li>{esc(t)}</li>" for t in data.warnings)
        parts.append(
            '<p class="caveat">Warnings raised while these figures were computed (what they '
            f'leave out or estimate):</p><ul class="caveats warnings">{listed}</ul>'
        )
    parts.append(
        html_table(
            [Column("Assumption"), Column("Value")],
            _assumptions(data),
            caption="Assumptions and their values (all can be changed)",
        )
    )
    parts.append(note(ATTRIBUTION))
    return Section("caveats", "Caveats, assumptions and sources", "".join(parts))
