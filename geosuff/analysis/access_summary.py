"""A short summary of an access table: what a commissioner reads first."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff.io.area_layers import AreaLayers
from geosuff.io.surroundings import Surroundings

__all__ = ["access_summary"]


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna()
    if not ok.any() or weights[ok].sum() <= 0:
        return None
    return float(np.average(values[ok], weights=weights[ok]))


def access_summary(
    acc: gpd.GeoDataFrame, layers: AreaLayers, around: Surroundings
) -> dict[str, Any]:
    """Summarise an access table for the area: 75+ weighted means and shares.

    Parameters
    ----------
    acc
        Output of :func:`geosuff.access`.
    layers
        The area's layers (for its name and layer coverage).
    around
        The surroundings the access was computed with.

    Returns
    -------
    dict
        Measure name -> value; travel from layers whose coverage is partial is
        labelled "partial list".
    """
    pop = acc["pop_75plus"]
    out: dict[str, Any] = {
        "area": f"{layers.area.name} ({layers.area.code})",
        "travel_method": acc.attrs.get("travel_method"),
        "lsoas": len(acc),
        "aged_75plus": float(pop.sum()),
        "buffer_km": around.buffer_km,
        "providers_over_the_border": int(
            sum((~p["in_area"]).sum() for p in around.providers.values())
        ),
        "providers_off_network": acc.attrs.get("providers_off_network", 0),
    }
    coverage = layers.coverage
    for target in ("care_home", "nursing", "home_care", "extra_care"):
        layer = "care_homes" if target in ("care_home", "nursing") else target
        cover = coverage.get(layer)
        mark = "; partial list" if cover is not None and cover.status == "partial" else ""
        out[f"minutes_to_{target} (75+ weighted mean{mark})"] = _weighted(
            acc[f"minutes_to_{target}"], pop
        )
    out["share of 75+ over 30 min from a nursing home"] = float(
        pop[acc["minutes_to_nursing"].isna() | (acc["minutes_to_nursing"] > 30)].sum()
        / max(pop.sum(), 1)
    )
    out["e2sfca beds per 1,000 75+ (75+ weighted mean)"] = _weighted(
        acc["e2sfca_beds_per_1000_75plus"], pop
    )
    out["share of E2SFCA beds from over the border"] = _weighted(
        acc["cross_border_share_beds"], pop
    )
    return out
