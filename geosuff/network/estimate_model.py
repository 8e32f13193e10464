"""The calibrated travel estimate's parameters and formula.

See :mod:`geosuff.network.fallback` for the model; this module reads its parameters
from a speed profile (:func:`estimate_model`), maps RUC11 codes to settings
(:func:`setting_index`) and evaluates the formula (:func:`estimate_minutes_km`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geosuff import settings
from geosuff.network.speeds import ESTIMATE_SETTINGS, SpeedProfile, load_profile

__all__ = [
    "SAME_PLACE_M",
    "SETTINGS",
    "EstimateModel",
    "estimate_minutes_km",
    "estimate_model",
    "estimate_profile",
    "evaluate_arrays",
    "setting_index",
]

#: Model settings, in the order of the arrays used internally.
SETTINGS = ESTIMATE_SETTINGS

#: Points closer than this are the same place (0 minutes, 0 km).
SAME_PLACE_M = 1.0


@dataclass(frozen=True)
class EstimateModel:
    """Parameters of the calibrated estimate (see the module docstring).

    Attributes
    ----------
    ruc11
        RUC11 code -> setting name.
    access_min, access_km
        Fixed minutes and km per trip end, by setting.
    local_kph
        Local street speed at each end, by setting.
    circuity
        Road km per crow-fly km (beyond the access km).
    cruise_kph
        Speed of the through-road part of a trip.
    local_leg_km
        ``λ``: how far from each end the local street speed applies.
    default_setting
        Setting of points whose RUC11 code is missing or unknown.
    calibration
        Where the fitted values come from (shown in outputs).
    """

    ruc11: Mapping[str, str]
    access_min: Mapping[str, float]
    access_km: Mapping[str, float]
    local_kph: Mapping[str, float]
    circuity: float
    cruise_kph: float
    local_leg_km: float
    default_setting: str = "town_fringe"
    calibration: str = ""
    extra: Mapping[str, object] = field(default_factory=dict, repr=False)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``access_min``, ``access_km`` and ``1 / local_kph`` in :data:`SETTINGS` order."""
        a = np.array([float(self.access_min[s]) for s in SETTINGS])
        k = np.array([float(self.access_km[s]) for s in SETTINGS])
        inv_u = 1.0 / np.array([float(self.local_kph[s]) for s in SETTINGS])
        return a, k, inv_u


def estimate_profile(profile: str | os.PathLike[str] | SpeedProfile | None = None) -> SpeedProfile:
    """Return the speed profile the estimate uses.

    Parameters
    ----------
    profile
        An explicit profile (or TOML override file). Otherwise
        :data:`geosuff.settings.estimate_profile`, then the ``GEOSUFF_ESTIMATE_PROFILE``
        environment variable, then the packaged ``uk_care_worker`` profile.

    Returns
    -------
    SpeedProfile
        The validated profile (files are read once per modification).
    """
    if isinstance(profile, SpeedProfile):
        return profile
    chosen = profile or settings.estimate_profile or os.environ.get("GEOSUFF_ESTIMATE_PROFILE")
    if not chosen:
        return _cached_profile(None, 0)
    path = Path(chosen)
    mtime = path.stat().st_mtime_ns if path.is_file() else 0
    return _cached_profile(str(path), mtime)


@functools.lru_cache(maxsize=8)
def _cached_profile(path: str | None, mtime_ns: int) -> SpeedProfile:
    del mtime_ns  # part of the cache key only
    return load_profile(path)


def estimate_model(profile: str | os.PathLike[str] | SpeedProfile | None = None) -> EstimateModel:
    """Read the calibrated estimate's parameters from a speed profile.

    Parameters
    ----------
    profile
        As for :func:`estimate_profile`.

    Returns
    -------
    EstimateModel
        The parameters.
    """
    prof = estimate_profile(profile)
    est = prof.data["estimate"]
    return EstimateModel(
        ruc11={str(k): str(v) for k, v in est["ruc11"].items()},
        access_min=dict(est["access_min"]),
        access_km=dict(est["access_km"]),
        local_kph=dict(est["local_kph"]),
        circuity=float(est["circuity"]),
        cruise_kph=float(est["cruise_kph"]),
        local_leg_km=float(est["local_leg_km"]),
        default_setting=str(est["default_setting"]),
        calibration=str(est["calibration"]),
        extra={"profile_source": prof.source},
    )


def setting_index(codes: object, model: EstimateModel) -> tuple[np.ndarray, int]:
    """Map RUC11 codes to setting positions in :data:`SETTINGS`.

    Parameters
    ----------
    codes
        RUC11 codes (``"C1"``…), one per point; ``None``/NaN where unknown.
    model
        Gives the code -> setting map and the default setting.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        Setting positions, and how many points took the default setting because
        their code was missing or not a RUC11 code.
    """
    raw = pd.Series(np.asarray(codes, dtype=object).reshape(-1))
    text = raw.where(raw.notna(), "").astype(str).str.strip().str.upper()
    names = text.map(model.ruc11)
    defaulted = int(names.isna().sum())
    names = names.fillna(model.default_setting)
    pos = {s: i for i, s in enumerate(SETTINGS)}
    return names.map(pos).to_numpy(dtype=np.int64), defaulted


def estimate_minutes_km(
    crow_km: np.ndarray,
    so: np.ndarray,
    sd: np.ndarray,
    model: EstimateModel,
) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the calibrated estimate for crow-fly distances and end settings.

    Parameters
    ----------
    crow_km
        Crow-fly distances (km), any shape.
    so, sd
        Setting positions of the origin and destination ends, broadcastable to
        *crow_km* (e.g. ``(n, 1)`` and ``(1, m)`` for a matrix).
    model
        The parameters.

    Returns
    -------
    tuple of numpy.ndarray
        ``(minutes, km)`` with the broadcast shape; 0 where the ends are the same place.

    Examples
    --------
    >>> m = estimate_model()
    >>> i = SETTINGS.index("city_town")
    >>> mins, km = estimate_minutes_km(np.array([0.0, 2.0]), np.array(i), np.array(i), m)
    >>> float(mins[0]), bool(mins[1] > 0)
    (0.0, True)
    """
    a, k, inv_u = model.arrays()
    return evaluate_arrays(
        np.asarray(crow_km, dtype=float),
        so,
        sd,
        a,
        k,
        inv_u,
        model.circuity,
        model.cruise_kph,
        model.local_leg_km,
    )


def evaluate_arrays(
    crow_km: np.ndarray,
    so: np.ndarray,
    sd: np.ndarray,
    a: np.ndarray,
    k: np.ndarray,
    inv_u: np.ndarray,
    circuity: float,
    cruise_kph: float,
    lam: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the model formula on arrays of per-setting parameters (shared with the fit).

    Parameters
    ----------
    crow_km
        Crow-fly distances (km).
    so, sd
        Setting positions of the two ends, broadcastable to *crow_km*.
    a, k, inv_u
        ``access_min``, ``access_km`` and ``1 / local_kph`` by setting position.
    circuity, cruise_kph, lam
        The global parameters (``lam`` is ``local_leg_km``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(minutes, km)``.
    """
    # minutes = a[o] + a[d] + 60 r / cruise + 60 l (1/u[o] + 1/u[d] - 2/cruise), computed
    # in place (matrices of millions of pairs)
    shape = np.broadcast_shapes(np.shape(crow_km), np.shape(so), np.shape(sd))
    r = np.multiply(crow_km, circuity, out=np.empty(shape))
    minutes = np.multiply(r, -0.5 / lam, out=np.empty(shape))
    np.expm1(minutes, out=minutes)
    minutes *= -lam * 60.0  # 60 l
    minutes *= inv_u[so] + inv_u[sd] - 2.0 / cruise_kph
    minutes += r * (60.0 / cruise_kph)
    minutes += a[so]
    minutes += a[sd]
    km = r
    km += k[so]
    km += k[sd]
    same = np.broadcast_to(np.asarray(crow_km) * 1000.0 < SAME_PLACE_M, shape)
    if same.any():
        minutes[same] = 0.0
        km[same] = 0.0
    return minutes, km
