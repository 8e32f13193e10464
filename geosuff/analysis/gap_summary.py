"""Summaries of gap flags and care-worker travel, for the command line and reports."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geosuff.analysis.gaps import GAP_FLAGS, method_words

__all__ = ["focus_summary", "gaps_summary", "travel_note"]


def travel_note(parameters: dict[str, Any]) -> str:
    """One paragraph stating the travel model's assumptions and sources.

    Parameters
    ----------
    parameters
        :attr:`geosuff.analysis.runs.HomeCareTravel.parameters`.

    Returns
    -------
    str
        The note.
    """
    p = parameters
    method = str(p.get("travel_method", ""))
    est = "" if method == "network" else " Drive times are ESTIMATES, not road routes."
    return (
        f"Travel per visit: drive between consecutive visits {method_words(method)} plus "
        f"{p['overhead_minutes']:g} min parking and walking; clients "
        f"{p['clients_per_1000_75plus']:g} per 1,000 aged 75+ ({p['take_up_source']}); "
        f"{p['visits_per_round']} time slots per round, {p['days']} simulated days, seed "
        f"{p['seed']}. Cost: GBP {p['hourly_pay_gbp']:.2f}/hour ({p['pay_source']}) plus "
        f"GBP {p['mileage_rate_gbp_per_mile']:.2f}/mile (HMRC); contact hour priced at GBP "
        f"{p['contact_hour_price_gbp']:.2f}, {p['visit_minutes']:g}-minute visits.{est}"
    )


def gaps_summary(flagged: pd.DataFrame) -> dict[str, Any]:
    """Count flagged LSOAs and the people in them, flag by flag.

    Parameters
    ----------
    flagged
        Output of :func:`geosuff.find_gaps`.

    Returns
    -------
    dict
        ``lsoas flagged``, ``aged 75+ in flagged LSOAs`` and, for each flag, the LSOAs
        and people aged 75+ it covers; ``not assessed``.
    """
    pop = flagged["pop_75plus"].to_numpy(float)
    out: dict[str, Any] = {
        "lsoas": len(flagged),
        "lsoas flagged": int(flagged["flagged"].sum()),
        "aged 75+ in flagged LSOAs": float(pop[flagged["flagged"].to_numpy(bool)].sum()),
    }
    for flag, meaning in GAP_FLAGS.items():
        mask = flagged[flag].to_numpy(bool)
        out[f"{meaning}: LSOAs (aged 75+)"] = f"{int(mask.sum())} ({pop[mask].sum():,.0f})"
    not_assessed = flagged["not_assessed"].iloc[0] if len(flagged) else ""
    out["not assessed"] = not_assessed or "nothing"
    return out


def focus_summary(flagged: pd.DataFrame, inside: np.ndarray) -> dict[str, Any]:
    """Summarise a focus place: its LSOAs, flags and reasons, most people first.

    Parameters
    ----------
    flagged
        Output of :func:`geosuff.find_gaps` (with ``ward_name`` when names were added).
    inside
        Boolean per row of *flagged*: the LSOA is in the place
        (:func:`geosuff.io.places.lsoas_in_place`).

    Returns
    -------
    dict
        ``focus LSOAs``, ``focus LSOAs flagged``, ``focus aged 75+``,
        ``focus travel per visit`` (mean over the place's LSOAs, weighted by their
        expected clients) and ``focus reasons`` (one line per flagged LSOA).
    """
    near = flagged[np.asarray(inside, dtype=bool)]
    near = near.sort_values("pop_75plus", ascending=False)
    out: dict[str, Any] = {
        "focus LSOAs": len(near),
        "focus LSOAs flagged": int(near["flagged"].sum()),
        "focus aged 75+": float(near["pop_75plus"].sum()),
    }
    if "home_care_minutes_per_visit" in near.columns and len(near):
        minutes = near["home_care_minutes_per_visit"].to_numpy(float)
        weights = near["home_care_clients_expected"].to_numpy(float)
        ok = np.isfinite(minutes) & (weights > 0)
        out["focus travel per visit (min)"] = (
            float(np.average(minutes[ok], weights=weights[ok])) if ok.any() else None
        )
    lines = []
    for _, row in near[near["flagged"]].iterrows():
        where = row.get("lsoa_name", row["lsoa_code"])
        if isinstance(row.get("ward_name"), str):
            where = f"{where} ({row['ward_name']})"
        lines.append(f"{where}: {row['reasons']}")
    out["focus reasons"] = lines
    return out
