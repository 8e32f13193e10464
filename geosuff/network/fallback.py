"""Straight-line travel estimates for when no road network is available.

``minutes = crow-fly km × detour factor / speed × 60`` and ``km = crow-fly km × detour
factor``, with the detour factor and speed of the profile's ``fallback`` section for
an area class (``"urban"`` or ``"rural"``; defaults 1.3 / 25 km/h urban and
1.4 / 50 km/h rural, all assumptions documented in the profile). Every result is
labelled ``method = "estimate_crowfly"``; network results are labelled ``"network"``
and the two are never mixed in one output.
"""

from __future__ import annotations

import numpy as np

from geosuff._errors import ValidationError
from geosuff.network.speeds import SpeedProfile, load_profile

__all__ = ["METHOD_ESTIMATE", "METHOD_NETWORK", "crowfly_matrix"]

METHOD_NETWORK = "network"
METHOD_ESTIMATE = "estimate_crowfly"


def crowfly_matrix(
    origins_xy: np.ndarray,
    dests_xy: np.ndarray,
    *,
    area_class: str = "rural",
    profile: SpeedProfile | None = None,
    max_minutes: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimate minutes and km between every origin and destination.

    Parameters
    ----------
    origins_xy, dests_xy
        ``(n, 2)`` EPSG:27700 coordinates (metres).
    area_class
        ``"urban"`` or ``"rural"``: which detour factor and speed to use.
    profile
        The speed profile (default ``uk_care_worker``).
    max_minutes
        Pairs estimated beyond this are NaN.

    Returns
    -------
    tuple of numpy.ndarray
        ``(minutes, km)``, each ``(n_origins, n_destinations)``.

    Raises
    ------
    ValidationError
        If *area_class* is not ``"urban"`` or ``"rural"``.

    Examples
    --------
    >>> import numpy as np
    >>> m, km = crowfly_matrix(np.array([[0.0, 0.0]]), np.array([[10_000.0, 0.0]]))
    >>> float(km[0, 0]), float(m[0, 0])
    (14.0, 16.8)
    """
    if area_class not in ("urban", "rural"):
        msg = f"area_class must be 'urban' or 'rural', got {area_class!r}"
        raise ValidationError(msg)
    detour, speed = (profile or load_profile()).fallback(area_class)
    dx = origins_xy[:, 0][:, None] - dests_xy[:, 0][None, :]
    dy = origins_xy[:, 1][:, None] - dests_xy[:, 1][None, :]
    km = np.hypot(dx, dy) / 1000.0 * detour
    minutes = km / speed * 60.0
    if max_minutes is not None:
        over = minutes > max_minutes
        minutes[over] = np.nan
        km[over] = np.nan
    return minutes, km
