"""Floating catchment area scores (2SFCA, enhanced 2SFCA) on travel-time matrices.

Travel runs from demand (rows) to supply (columns). Step 1 gives every supply point a
supply-to-demand ratio over the weighted demand that can reach it; step 2 sums, for
every demand point, the weighted ratios of the supply it can reach. With a weight of
1 everywhere (a catchment covering the whole area) every demand point gets the simple
ratio total supply / total demand, which the tests check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from geosuff._errors import ValidationError

__all__ = [
    "DEFAULT_BANDS",
    "Decay",
    "FcaResult",
    "floating_catchment",
    "gaussian_decay",
    "step_decay",
]

#: Enhanced 2SFCA bands: upper bound (minutes) -> weight (Luo & Qi 2009 style).
DEFAULT_BANDS: dict[float, float] = {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}

Decay = Callable[[np.ndarray], np.ndarray]


def step_decay(bands: Mapping[float, float]) -> Decay:
    """Banded weights: ``{10: 1.0, 20: 0.68, 30: 0.22}`` weighs 0-10 min 1.0, etc.

    Parameters
    ----------
    bands
        Upper bound of each band in minutes -> weight. Beyond the last band the weight
        is 0. ``{30: 1.0}`` is the classic 2SFCA with a 30-minute catchment.

    Returns
    -------
    Callable
        Maps an array of minutes (NaN = unreachable) to weights.

    Raises
    ------
    ValidationError
        For empty bands, non-positive bounds or weights outside 0..1.
    """
    if not bands:
        msg = "bands must not be empty"
        raise ValidationError(msg)
    edges = np.array(sorted(bands), dtype=float)
    weights = np.array([bands[e] for e in sorted(bands)], dtype=float)
    if (edges <= 0).any() or (weights < 0).any() or (weights > 1).any():
        msg = f"bands need positive minutes and weights in 0..1, got {dict(bands)}"
        raise ValidationError(msg)

    def decay(minutes: np.ndarray) -> np.ndarray:
        m = np.asarray(minutes, dtype=float)
        idx = np.searchsorted(edges, np.where(np.isnan(m), np.inf, m), side="left")
        padded = np.append(weights, 0.0)
        return padded[idx]

    return decay


def gaussian_decay(catchment_minutes: float) -> Decay:
    """Continuous Gaussian decay, 1 at 0 minutes and 0 at the catchment edge (Dai 2010).

    ``w = (exp(-½(t/t0)²) − exp(-½)) / (1 − exp(-½))`` for ``t ≤ t0``, else 0.

    Parameters
    ----------
    catchment_minutes
        The catchment size ``t0``.

    Returns
    -------
    Callable
        Maps an array of minutes (NaN = unreachable) to weights.
    """
    if not catchment_minutes > 0:
        msg = f"catchment_minutes must be positive, got {catchment_minutes!r}"
        raise ValidationError(msg)
    t0 = float(catchment_minutes)
    floor = np.exp(-0.5)

    def decay(minutes: np.ndarray) -> np.ndarray:
        m = np.asarray(minutes, dtype=float)
        w = (np.exp(-0.5 * (m / t0) ** 2) - floor) / (1.0 - floor)
        return np.where(np.isnan(m) | (m > t0), 0.0, w)

    return decay


class FcaResult(NamedTuple):
    """Scores from :func:`floating_catchment`.

    Attributes
    ----------
    score_per_1000
        Accessible supply per 1,000 demand, per demand point.
    from_outside_per_1000
        The part of the score that comes from supply flagged ``outside``.
    supply_ratio
        Step-1 ratio of each supply point (supply / weighted demand reaching it);
        NaN where no demand reaches it.
    """

    score_per_1000: np.ndarray
    from_outside_per_1000: np.ndarray
    supply_ratio: np.ndarray


def floating_catchment(
    demand: np.ndarray,
    supply: np.ndarray,
    minutes: np.ndarray,
    decay: Decay,
    *,
    outside: np.ndarray | None = None,
) -> FcaResult:
    """Two-step floating catchment area scores with any distance decay.

    Parameters
    ----------
    demand
        ``(n_demand,)`` population (e.g. aged 75+) at each demand point.
    supply
        ``(n_supply,)`` capacity (beds, units, agencies) at each supply point.
    minutes
        ``(n_demand, n_supply)`` travel minutes from demand to supply; NaN = unreachable.
    decay
        Weight function (:func:`step_decay`, :func:`gaussian_decay`, or any callable).
    outside
        ``(n_supply,)`` booleans marking supply outside the study area, to report how
        much of each score crosses the border.

    Returns
    -------
    FcaResult
        Scores per 1,000 demand.
    """
    d = np.asarray(demand, dtype=float)
    s = np.asarray(supply, dtype=float)
    t = np.asarray(minutes, dtype=float)
    if t.shape != (d.size, s.size):
        msg = f"minutes has shape {t.shape}, expected ({d.size}, {s.size})"
        raise ValidationError(msg)
    w = decay(t)
    reach = w.T @ d
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reach > 0, s / reach, np.nan)
    r = np.nan_to_num(ratio, nan=0.0)
    score = w @ r * 1000.0
    if outside is None:
        out_score = np.zeros_like(score)
    else:
        out_score = w @ np.where(np.asarray(outside, dtype=bool), r, 0.0) * 1000.0
    return FcaResult(score, out_score, ratio)
