"""Fit the calibrated travel estimate to a real road network, and cross-validate it.

The estimate (:mod:`geosuff.network.fallback`) is fitted to geosuff's own network
answers between real points (LSOA demand points and providers): first the km model
(``access_km`` per setting and ``circuity``), then the minutes model (``access_min``
per setting, ``cruise_kph``, ``local_leg_km`` and the level of ``local_kph``, whose
ratios between settings stay the prior's), each by robust least squares
(:func:`scipy.optimize.least_squares`, ``soft_l1`` loss, so a few odd routes do not
steer the fit). A setting with fewer than ``min_points`` points in the data keeps its
prior value from the profile, and the profile file says so.

Cross-validation folds are groups of points (each LSOA with the providers inside it):
a fold's pairs are predicted by a model fitted without any pair that touches the
fold, so no route near the tested one helps its own prediction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from geosuff._errors import ValidationError
from geosuff.network.calibration_pairs import network_pairs
from geosuff.network.estimate_model import (
    SETTINGS,
    EstimateModel,
    estimate_minutes_km,
    evaluate_arrays,
    setting_index,
)

__all__ = [
    "DISTANCE_BANDS_KM",
    "Calibration",
    "calibrate",
    "cross_validate",
    "fit_estimate",
    "flat_parameters",
    "network_pairs",
    "predict",
]

log = logging.getLogger(__name__)

#: Crow-fly distance bands (km) of the error report.
DISTANCE_BANDS_KM = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, np.inf)

_BOUNDS = {
    "access_min": (0.0, 10.0),
    "access_km": (0.0, 3.0),
    "local_kph": (5.0, 120.0),
    "circuity": (1.0, 3.0),
    "cruise_kph": (15.0, 130.0),
    "local_leg_km": (0.05, 10.0),
}
_KM_SCALE = 0.5  # soft_l1 scale of km residuals: beyond this, residuals count linearly
_MIN_SCALE = 1.0  # the same for minutes


def _settings_in(pairs: pd.DataFrame, model: EstimateModel, min_points: int) -> tuple[str, ...]:
    ends = pd.concat(
        [
            pairs[["origin_id", "origin_ruc11"]].set_axis(["id", "ruc11"], axis=1),
            pairs[["dest_id", "dest_ruc11"]].set_axis(["id", "ruc11"], axis=1),
        ]
    ).drop_duplicates("id")
    idx, _ = setting_index(ends["ruc11"].to_numpy(), model)
    counts = np.bincount(idx, minlength=len(SETTINGS))
    return tuple(s for s, n in zip(SETTINGS, counts, strict=True) if n >= min_points)


def _robust(
    fun: Any, x0: list[float], bounds: list[tuple[float, float]], scale: float
) -> np.ndarray:
    lo, hi = zip(*bounds, strict=True)
    start = np.clip(np.asarray(x0, float), np.add(lo, 1e-6), np.subtract(hi, 1e-6))
    res = least_squares(fun, start, bounds=(lo, hi), loss="soft_l1", f_scale=scale)
    return np.asarray(res.x)


def _fit(pairs: pd.DataFrame, prior: EstimateModel, fitted: tuple[str, ...]) -> EstimateModel:
    so, _ = setting_index(pairs["origin_ruc11"].to_numpy(), prior)
    sd, _ = setting_index(pairs["dest_ruc11"].to_numpy(), prior)
    crow = pairs["crow_km"].to_numpy(float)
    pos = [SETTINGS.index(s) for s in fitted]
    n = len(pos)
    a0, k0, inv_u0 = prior.arrays()
    ref = SETTINGS.index("city_town")
    ratio = inv_u0[ref] / inv_u0  # local speed of each setting relative to city_town

    # 1. km: access_km per fitted setting, and circuity
    def km_of(p: np.ndarray) -> np.ndarray:
        k = k0.copy()
        k[pos] = p[:n]
        return k[so] + k[sd] + p[-1] * crow

    x0 = [*k0[pos], prior.circuity]
    bounds = [_BOUNDS["access_km"]] * n + [_BOUNDS["circuity"]]
    pk = _robust(lambda p: km_of(p) - pairs["km"].to_numpy(float), x0, bounds, _KM_SCALE)
    k_fit = k0.copy()
    k_fit[pos] = pk[:n]
    circuity = float(pk[-1])

    # 2. minutes: access_min per fitted setting, the local speed level (the ratios
    # between settings stay the prior's), the local leg length and the cruise speed
    def unpack(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        a = a0.copy()
        a[pos] = p[:n]
        return a, 1.0 / (p[n] * ratio), float(p[n + 1]), float(p[n + 2])

    def minutes_of(p: np.ndarray) -> np.ndarray:
        a, inv_u, lam, cruise = unpack(p)
        return evaluate_arrays(crow, so, sd, a, k_fit, inv_u, circuity, cruise, lam)[0]

    x0 = [*a0[pos], 1.0 / inv_u0[ref], prior.local_leg_km, prior.cruise_kph]
    bounds = [_BOUNDS["access_min"]] * n
    bounds += [_BOUNDS["local_kph"], _BOUNDS["local_leg_km"], _BOUNDS["cruise_kph"]]
    target = pairs["minutes"].to_numpy(float)
    pm = _robust(lambda p: minutes_of(p) - target, x0, bounds, _MIN_SCALE)
    a, inv_u, lam, cruise = unpack(pm)
    if "conurbation" not in fitted and "city_town" in fitted:
        # no conurbation points: its access follows city_town (an assumption)
        con, city = SETTINGS.index("conurbation"), SETTINGS.index("city_town")
        a[con], k_fit[con] = a[city], k_fit[city]
    return replace(
        prior,
        access_min={s: round(float(a[i]), 3) for i, s in enumerate(SETTINGS)},
        access_km={s: round(float(k_fit[i]), 3) for i, s in enumerate(SETTINGS)},
        local_kph={s: round(float(1.0 / inv_u[i]), 2) for i, s in enumerate(SETTINGS)},
        circuity=round(circuity, 4),
        cruise_kph=round(cruise, 2),
        local_leg_km=round(lam, 3),
    )


def fit_estimate(
    pairs: pd.DataFrame,
    *,
    prior: EstimateModel,
    min_points: int = 3,
    calibration: str = "",
) -> EstimateModel:
    """Fit the estimate's parameters to network pairs.

    Fitted: ``access_km`` and ``access_min`` of every setting with at least
    *min_points* points, ``circuity``, ``cruise_kph``, ``local_leg_km`` and the level
    of the local street speeds; the *ratios* between the settings' local speeds are
    the prior's (one network rarely holds enough short trips in each setting to tell
    them apart). Settings with too few points keep the prior's access values, except
    ``conurbation``, which then follows ``city_town``.

    Parameters
    ----------
    pairs
        From :func:`network_pairs`.
    prior
        Starting values, and the values kept for parameters not fitted.
    min_points
        A setting is fitted only with at least this many distinct points.
    calibration
        Text naming the calibration, stored in the model.

    Returns
    -------
    EstimateModel
        The fitted model (``extra["fitted_settings"]`` lists the settings fitted).

    Raises
    ------
    ValidationError
        If no setting has enough points.
    """
    fitted = _settings_in(pairs, prior, min_points)
    if not fitted:
        raise ValidationError(f"no setting has {min_points} or more calibration points")
    model = _fit(pairs, prior, fitted)
    extra = {**prior.extra, "fitted_settings": fitted}
    return replace(model, calibration=calibration or prior.calibration, extra=extra)


def _folds(pairs: pd.DataFrame, folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    groups = np.unique(np.concatenate([pairs["origin_group"], pairs["dest_group"]]))
    if len(groups) < folds:
        raise ValidationError(
            f"{folds} folds need at least {folds} point groups, got {len(groups)}"
        )
    order = np.random.default_rng(seed).permutation(len(groups))
    fold_of = dict(zip(groups[order], np.arange(len(groups)) % folds, strict=True))
    return (
        pairs["origin_group"].map(fold_of).to_numpy(),
        pairs["dest_group"].map(fold_of).to_numpy(),
    )


def cross_validate(
    pairs: pd.DataFrame,
    *,
    prior: EstimateModel,
    folds: int = 5,
    seed: int = 0,
    min_points: int = 3,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Predict every pair from a model fitted without its origin's fold.

    Point groups (an LSOA and the providers in it) are dealt into *folds* at random
    (*seed*). For fold ``k``, the model is fitted on the pairs touching no group of
    fold ``k`` and predicts the pairs whose origin is in fold ``k``.

    Parameters
    ----------
    pairs
        From :func:`network_pairs`.
    prior
        As for :func:`fit_estimate`.
    folds, seed
        Number of folds and the random seed dealing groups into them.
    min_points
        As for :func:`fit_estimate`.

    Returns
    -------
    tuple
        ``(minutes, km, fold_params)``: out-of-fold predictions per pair, and one
        row of fitted parameters per fold (to see how stable they are).
    """
    fo, fd = _folds(pairs, folds, seed)
    minutes = np.full(len(pairs), np.nan)
    km = np.full(len(pairs), np.nan)
    rows = []
    for k in range(folds):
        train = (fo != k) & (fd != k)
        test = fo == k
        model = fit_estimate(pairs[train], prior=prior, min_points=min_points)
        m, d = predict(pairs[test], model)
        minutes[test], km[test] = m, d
        rows.append({"fold": k, "train_pairs": int(train.sum()), **flat_parameters(model)})
    return minutes, km, pd.DataFrame(rows)


def predict(pairs: pd.DataFrame, model: EstimateModel) -> tuple[np.ndarray, np.ndarray]:
    """Return the estimate's minutes and km for each pair.

    Parameters
    ----------
    pairs
        With ``crow_km``, ``origin_ruc11``, ``dest_ruc11``.
    model
        The parameters.

    Returns
    -------
    tuple of numpy.ndarray
        ``(minutes, km)`` per pair.
    """
    so, _ = setting_index(pairs["origin_ruc11"].to_numpy(), model)
    sd, _ = setting_index(pairs["dest_ruc11"].to_numpy(), model)
    return estimate_minutes_km(pairs["crow_km"].to_numpy(float), so, sd, model)


def flat_parameters(model: EstimateModel) -> dict[str, float]:
    """Every parameter of *model* as ``name[.setting] -> value``.

    Parameters
    ----------
    model
        The parameters.

    Returns
    -------
    dict
        E.g. ``{"access_min.city_town": 0.9, ..., "cruise_kph": 53.1}``.
    """
    out: dict[str, float] = {}
    for table in ("access_min", "access_km", "local_kph"):
        for s in SETTINGS:
            out[f"{table}.{s}"] = float(getattr(model, table)[s])
    for key in ("circuity", "cruise_kph", "local_leg_km"):
        out[key] = float(getattr(model, key))
    return out


@dataclass(frozen=True)
class Calibration:
    """A fitted estimate with its cross-validated errors.

    Attributes
    ----------
    model
        Fitted on every pair.
    prior
        The starting model (values kept where nothing was fitted).
    pairs
        The pairs, with out-of-fold predictions ``cv_minutes``, ``cv_km`` and today's
        uncalibrated estimate ``crowfly_minutes``, ``crowfly_km``.
    fold_params
        Parameters fitted in each fold.
    folds, seed
        The cross-validation design.
    source
        What the network was (file, date), for the report.
    """

    model: EstimateModel
    prior: EstimateModel
    pairs: pd.DataFrame
    fold_params: pd.DataFrame
    folds: int
    seed: int
    source: str


def calibrate(
    pairs: pd.DataFrame,
    *,
    prior: EstimateModel,
    crowfly: tuple[float, float],
    folds: int = 5,
    seed: int = 0,
    min_points: int = 3,
    source: str = "",
) -> Calibration:
    """Fit the estimate on every pair and measure it by cross-validation.

    Parameters
    ----------
    pairs
        From :func:`network_pairs`.
    prior
        Starting values (the packaged profile's estimate).
    crowfly
        ``(detour_factor, speed_kph)`` of today's uncalibrated estimate, measured on
        the same pairs for comparison.
    folds, seed, min_points
        As for :func:`cross_validate`.
    source
        The network's name, recorded in the calibration text.

    Returns
    -------
    Calibration
        The model, the pairs with predictions, and the per-fold parameters.
    """
    ids = pd.concat(
        [
            pairs[["origin_id", "origin_kind"]].set_axis(["id", "kind"], axis=1),
            pairs[["dest_id", "dest_kind"]].set_axis(["id", "kind"], axis=1),
        ]
    ).drop_duplicates("id")
    n_lsoa = int((ids["kind"] == "lsoa").sum())
    n_prov = int((ids["kind"] == "provider").sum())
    text = f"{source}: {len(pairs):,} road pairs between {n_lsoa} LSOAs and {n_prov} providers"
    model = fit_estimate(pairs, prior=prior, min_points=min_points, calibration=text)
    cv_m, cv_k, fold_params = cross_validate(
        pairs, prior=prior, folds=folds, seed=seed, min_points=min_points
    )
    detour, speed = crowfly
    out = pairs.assign(
        cv_minutes=cv_m,
        cv_km=cv_k,
        crowfly_minutes=pairs["crow_km"] * detour / speed * 60.0,
        crowfly_km=pairs["crow_km"] * detour,
    )
    return Calibration(model, prior, out, fold_params, folds, seed, source)
