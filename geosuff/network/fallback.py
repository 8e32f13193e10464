"""Travel estimates for when no road network is available.

Two estimates, never mixed in one output:

``estimate_calibrated`` (the default)
    A model of road minutes and km from the crow-fly distance ``D`` (km) and the
    *setting* of each end, taken from the ONS Rural-Urban Classification 2011 (RUC11)
    of the LSOA the point lies in (``conurbation`` A1/B1, ``city_town`` C1/C2,
    ``town_fringe`` D1/D2, ``village`` E1/E2)::

        r       = circuity × D                                   driven km
        ℓ       = λ × (1 − exp(−r / 2λ))                         local km at each end
        km      = access_km[o] + access_km[d] + r
        minutes = access_min[o] + access_min[d]
                  + 60 × (ℓ / local_kph[o] + ℓ / local_kph[d] + (r − 2ℓ) / cruise_kph)

    ``access_min``/``access_km`` are the fixed part of getting onto and off the road
    at each end; the first and last ``ℓ`` km run at the end's local street speed
    (slow in towns), the rest at the cruise speed of through roads, so long trips
    are faster on average than short ones. Minutes and km rise with ``D``
    (``dminutes/dD > 0`` for any positive parameters) and two points at the same place
    are 0 apart. Parameters live in the speed profile's ``[estimate]`` section, each
    marked fitted (with its calibration, ``geosuff network calibrate``) or prior.

``estimate_crowfly`` (``area_class="urban"`` or ``"rural"``, or points without RUC11)
    ``minutes = D × detour / speed × 60`` with one detour factor and speed for a whole
    call (the profile's ``[fallback]`` section): the uncalibrated estimate.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from geosuff._errors import ValidationError
from geosuff.network.estimate_model import (
    SETTINGS,
    EstimateModel,
    estimate_minutes_km,
    estimate_model,
    estimate_profile,
    setting_index,
)
from geosuff.network.speeds import SpeedProfile, load_profile

__all__ = [
    "AUTO",
    "ESTIMATE_METHODS",
    "METHOD_CALIBRATED",
    "METHOD_ESTIMATE",
    "METHOD_NETWORK",
    "SETTINGS",
    "EstimateModel",
    "calibrated_matrix",
    "crowfly_matrix",
    "estimate_matrix",
    "estimate_minutes_km",
    "estimate_model",
    "estimate_profile",
    "is_estimate",
    "setting_index",
]

log = logging.getLogger(__name__)

METHOD_NETWORK = "network"
METHOD_ESTIMATE = "estimate_crowfly"
METHOD_CALIBRATED = "estimate_calibrated"
#: Every label an estimate (not a road network) can carry.
ESTIMATE_METHODS = frozenset({METHOD_ESTIMATE, METHOD_CALIBRATED})

#: ``area_class`` value asking for each point's own setting (from its ``ruc11``).
AUTO = "auto"


def is_estimate(method: str) -> bool:
    """Return whether a ``method``/``travel_method`` label is a straight-line estimate.

    Parameters
    ----------
    method
        The label (``network``, ``estimate_calibrated`` or ``estimate_crowfly``).

    Returns
    -------
    bool
        ``True`` for either estimate.
    """
    return method in ESTIMATE_METHODS


def _crow_km(origins_xy: np.ndarray, dests_xy: np.ndarray) -> np.ndarray:
    dx = origins_xy[:, 0][:, None] - dests_xy[:, 0][None, :]
    dy = origins_xy[:, 1][:, None] - dests_xy[:, 1][None, :]
    return np.hypot(dx, dy) / 1000.0


def _limit(minutes: np.ndarray, km: np.ndarray, max_minutes: float | None) -> None:
    if max_minutes is not None:
        over = minutes > max_minutes
        minutes[over] = np.nan
        km[over] = np.nan


def calibrated_matrix(
    origins_xy: np.ndarray,
    dests_xy: np.ndarray,
    origin_settings: np.ndarray,
    dest_settings: np.ndarray,
    *,
    model: EstimateModel | None = None,
    max_minutes: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimate minutes and km between every origin and destination (calibrated model).

    Parameters
    ----------
    origins_xy, dests_xy
        ``(n, 2)`` and ``(m, 2)`` EPSG:27700 coordinates (metres).
    origin_settings, dest_settings
        Setting positions in :data:`SETTINGS` (see :func:`setting_index`).
    model
        The parameters (default: from :func:`estimate_model`).
    max_minutes
        Pairs estimated beyond this are NaN.

    Returns
    -------
    tuple of numpy.ndarray
        ``(minutes, km)``, each ``(n, m)``.
    """
    mod = model or estimate_model()
    so = np.asarray(origin_settings, dtype=np.int64)[:, None]
    sd = np.asarray(dest_settings, dtype=np.int64)[None, :]
    minutes, km = estimate_minutes_km(_crow_km(origins_xy, dests_xy), so, sd, mod)
    _limit(minutes, km, max_minutes)
    return minutes, km


def crowfly_matrix(
    origins_xy: np.ndarray,
    dests_xy: np.ndarray,
    *,
    area_class: str = "rural",
    profile: SpeedProfile | None = None,
    max_minutes: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimate minutes and km between every origin and destination (uncalibrated).

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
    km = _crow_km(origins_xy, dests_xy) * detour
    minutes = km / speed * 60.0
    _limit(minutes, km, max_minutes)
    return minutes, km


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    """Log *message* as a warning the first time, then at debug level (runs call often)."""
    log.log(logging.DEBUG if message in _WARNED else logging.WARNING, message)
    _WARNED.add(message)


def _codes(points: object) -> np.ndarray | None:
    """Return the ``ruc11`` codes of a points table, or ``None`` when it carries none."""
    col = getattr(points, "columns", ())
    if "ruc11" not in col:
        return None
    codes = points["ruc11"]  # type: ignore[index]
    return None if codes.isna().all() else codes.to_numpy(dtype=object)


def estimate_matrix(
    origins: object,
    destinations: object,
    origins_xy: np.ndarray,
    dests_xy: np.ndarray,
    *,
    area_class: str | None = None,
    profile: str | os.PathLike[str] | SpeedProfile | None = None,
    max_minutes: float | None = None,
) -> tuple[np.ndarray, np.ndarray, str, str]:
    """Estimate between two point sets, choosing the model as documented.

    Parameters
    ----------
    origins, destinations
        The point tables; their ``ruc11`` columns (RUC11 codes), when present, give
        each point's setting.
    origins_xy, dests_xy
        Their EPSG:27700 coordinates, ``(n, 2)`` and ``(m, 2)``.
    area_class
        ``None`` or ``"auto"``: each point's own setting (calibrated model); when
        neither table carries ``ruc11``, the uncalibrated ``rural`` estimate with a
        warning. ``"urban"``/``"rural"``: the uncalibrated estimate for every pair. A
        RUC11 code (``"C1"``, ``"E1"``…): the calibrated model with that setting for
        every point.
    profile
        Speed profile (see :func:`estimate_profile`).
    max_minutes
        Pairs estimated beyond this are NaN.

    Returns
    -------
    tuple
        ``(minutes, km, method, calibration)``: the ``(n, m)`` arrays, the label
        (``estimate_calibrated`` or ``estimate_crowfly``) and the calibration's name.

    Raises
    ------
    ValidationError
        For an unknown *area_class*.
    """
    prof = estimate_profile(profile)
    if area_class in ("urban", "rural"):
        minutes, km = crowfly_matrix(
            origins_xy, dests_xy, area_class=area_class, profile=prof, max_minutes=max_minutes
        )
        return minutes, km, METHOD_ESTIMATE, f"uncalibrated ({area_class} detour and speed)"
    model = estimate_model(prof)
    if area_class not in (None, AUTO) and str(area_class).upper() not in model.ruc11:
        known = ", ".join(["auto", "urban", "rural", *model.ruc11])
        raise ValidationError(f"area_class must be one of {known}; got {area_class!r}")
    n_o, n_d = len(origins_xy), len(dests_xy)
    if area_class not in (None, AUTO):
        o_codes = np.full(n_o, area_class, dtype=object)
        d_codes = np.full(n_d, area_class, dtype=object)
    else:
        o_codes, d_codes = _codes(origins), _codes(destinations)
        if o_codes is None and d_codes is None:
            _warn_once(
                "points carry no 'ruc11' (RUC11 class): using the uncalibrated rural estimate "
                "(method estimate_crowfly); add ruc11 or pass area_class"
            )
            minutes, km = crowfly_matrix(
                origins_xy, dests_xy, area_class="rural", profile=prof, max_minutes=max_minutes
            )
            return minutes, km, METHOD_ESTIMATE, "uncalibrated (rural detour and speed)"
    so, miss_o = setting_index(o_codes if o_codes is not None else np.full(n_o, None), model)
    sd, miss_d = setting_index(d_codes if d_codes is not None else np.full(n_d, None), model)
    if miss_o or miss_d:
        log.warning(
            "%d of %d origins and %d of %d destinations have no RUC11 class: estimated as %s",
            miss_o,
            n_o,
            miss_d,
            n_d,
            model.default_setting,
        )
    minutes, km = calibrated_matrix(
        origins_xy, dests_xy, so, sd, model=model, max_minutes=max_minutes
    )
    return minutes, km, METHOD_CALIBRATED, model.calibration
