"""Report a calibration: error tables, nearest-provider check, and the profile file.

Errors are *estimate minus road* (minutes or km) on out-of-fold predictions
(:func:`geosuff.network.calibrate.cross_validate`), next to today's uncalibrated
straight-line estimate on the same pairs: the median absolute error (half the pairs
are closer than this) and the bias (the mean error; negative means the estimate is
too fast or too short).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from geosuff.network.calibrate import DISTANCE_BANDS_KM, Calibration
from geosuff.network.estimate_model import SETTINGS

__all__ = ["error_table", "nearest_check", "profile_toml"]


def _band_labels() -> list[str]:
    edges = DISTANCE_BANDS_KM
    labels = [f"{lo:g}-{hi:g} km" for lo, hi in itertools.pairwise(edges[:-1])]
    return [*labels, f"{edges[-2]:g}+ km"]


#: Trips shorter than this (crow-fly km) get their own row: towns, nearest providers.
SHORT_KM = 5.0


def _stats(frame: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {"pairs": len(frame), "road_minutes": frame["minutes"].median()}
    for label, col, truth in (
        ("crowfly", "crowfly_minutes", "minutes"),
        ("calibrated", "cv_minutes", "minutes"),
        ("crowfly_km", "crowfly_km", "km"),
        ("calibrated_km", "cv_km", "km"),
    ):
        err = frame[col] - frame[truth]
        out[f"{label}_mae"] = float(err.abs().median())
        out[f"{label}_bias"] = float(err.mean())
        if truth == "minutes":  # relative to the road time: what a threshold feels
            rel = err / frame[truth].where(frame[truth] > 0)
            out[f"{label}_pct"] = float(rel.abs().median() * 100)
            out[f"{label}_pct_bias"] = float(rel.median() * 100)
    return out


def error_table(cal: Calibration) -> pd.DataFrame:
    """Cross-validated errors by distance band and by the settings of the two ends.

    Parameters
    ----------
    cal
        A calibration.

    Returns
    -------
    pandas.DataFrame
        Rows ``(group, value)``: ``("all", "all pairs")``, one per crow-fly distance
        band and one per pair of RUC11 classes (``"C1-E1"``). Columns ``pairs``,
        ``road_minutes`` (median), then ``*_mae`` and ``*_bias`` for ``crowfly``
        (today's estimate, minutes), ``calibrated`` (minutes), ``crowfly_km`` and
        ``calibrated_km``, and for the two minute estimates ``*_pct`` (median
        absolute error as a percentage of the road minutes) and ``*_pct_bias`` (the
        median signed percentage). A row ``("all", "under 5 km")`` covers the short
        trips of towns and of nearest providers.
    """
    p = cal.pairs
    band = pd.cut(p["crow_km"], DISTANCE_BANDS_KM, labels=_band_labels(), right=False)
    ends = np.sort(p[["origin_ruc11", "dest_ruc11"]].to_numpy(str), axis=1)
    setting = pd.Series([f"{a}-{b}" for a, b in ends], index=p.index)
    rows = [{"group": "all", "value": "all pairs", **_stats(p)}]
    short = p[p["crow_km"] < SHORT_KM]
    if len(short):
        rows.append({"group": "all", "value": f"under {SHORT_KM:g} km", **_stats(short)})
    for label, part in p.groupby(band, observed=True):
        rows.append({"group": "distance", "value": str(label), **_stats(part)})
    for label, part in p.groupby(setting):
        rows.append({"group": "setting", "value": str(label), **_stats(part)})
    return pd.DataFrame(rows)


def nearest_check(cal: Calibration) -> dict[str, float]:
    """Minutes from each LSOA's nearest provider: by road and by each estimate.

    Access reports the drive from the nearest provider to each LSOA's demand point;
    this compares that figure (the estimate picks its own nearest provider).

    Parameters
    ----------
    cal
        A calibration whose pairs include provider-to-LSOA pairs.

    Returns
    -------
    dict
        ``lsoas``; ``road``, ``crowfly`` and ``calibrated`` means weighted by
        ``weight`` (e.g. the 75+ population; plain means without weights); and the
        median absolute error and bias of each estimate. Empty without providers.
    """
    p = cal.pairs
    part = p[(p["origin_kind"] == "provider") & (p["dest_kind"] == "lsoa")]
    if part.empty:
        return {}
    g = part.groupby("dest_id")
    near = pd.DataFrame(
        {
            "road": g["minutes"].min(),
            "crowfly": g["crowfly_minutes"].min(),
            "calibrated": g["cv_minutes"].min(),
            "weight": g["dest_weight"].first(),
        }
    )
    w = near["weight"].to_numpy(float)
    if not w.sum() > 0:
        w = np.ones(len(near))
    out: dict[str, float] = {"lsoas": float(len(near))}
    for col in ("road", "crowfly", "calibrated"):
        out[f"{col}_weighted_mean"] = float(np.average(near[col], weights=w))
    for col in ("crowfly", "calibrated"):
        err = near[col] - near["road"]
        out[f"{col}_mae"] = float(err.abs().median())
        out[f"{col}_bias"] = float(err.mean())
    return out


def _comment_table(table: pd.DataFrame) -> list[str]:
    head = (
        f"{'':18}{'pairs':>6}{'road':>7} | {'minutes: today':>15}{'calibrated':>12}"
        f" | {'% of road: today':>17}{'calibrated':>11} | {'km: today':>11}{'calibrated':>12}"
    )
    lines = [
        head,
        f"{'':18}{'':6}{'min':>7} | {'MAE  bias':>15}{'MAE  bias':>12} |"
        f" {'MAE  bias':>17}{'MAE  bias':>11} |",
    ]
    for r in table.itertuples(index=False):
        lines.append(
            f"{r.value:18}{int(r.pairs):>6}{r.road_minutes:>7.1f} | "
            f"{r.crowfly_mae:>6.2f}{r.crowfly_bias:>+6.2f}   {r.calibrated_mae:>6.2f}"
            f"{r.calibrated_bias:>+6.2f} | {r.crowfly_pct:>9.0f}{r.crowfly_pct_bias:>+6.0f}"
            f"   {r.calibrated_pct:>5.0f}{r.calibrated_pct_bias:>+6.0f}"
            f" | {r.crowfly_km_mae:>5.2f}{r.crowfly_km_bias:>+6.2f}"
            f"{r.calibrated_km_mae:>6.2f}{r.calibrated_km_bias:>+6.2f}"
        )
    return lines


def _fmt(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"


def profile_toml(cal: Calibration) -> str:
    """Write a calibration as a speed-profile override file (TOML), with its report.

    The file holds the whole ``[estimate]`` section, each value marked fitted or
    prior, and, as comments, the cross-validated error table, the nearest-provider
    check and the spread of each parameter over the folds. Pass it as ``--profile``
    (or :data:`geosuff.settings.estimate_profile`) to use it.

    Parameters
    ----------
    cal
        A calibration.

    Returns
    -------
    str
        TOML text.
    """
    m = cal.model
    fitted = set(m.extra.get("fitted_settings", ()))
    table = error_table(cal)
    near = nearest_check(cal)
    spread = cal.fold_params.drop(columns=["fold", "train_pairs"]).agg(["min", "max"])
    lines = [
        "# geosuff speed profile override: the calibrated travel estimate",
        f"# Calibration: {m.calibration}",
        "# Written by `geosuff network calibrate`. Use it with --profile FILE, or set",
        "# geosuff.settings.estimate_profile / GEOSUFF_ESTIMATE_PROFILE to this file.",
        "#",
        f"# Cross-validation: {cal.folds} folds of LSOAs (seed {cal.seed}); each pair is",
        "# predicted by a model fitted without any pair touching its origin's fold.",
        "# Errors are estimate minus road; MAE = median absolute error, bias = mean error",
        "# (negative: estimate too fast/short); '% of road' = median absolute and median",
        "# signed error as a share of the road minutes. 'today' = the uncalibrated estimate",
        "# (rural: crow-fly x detour factor at one speed).",
        "#",
        *(f"#   {line}" for line in _comment_table(table)),
    ]
    if near:
        lines += [
            "#",
            f"# Minutes from the nearest provider to each LSOA ({int(near['lsoas'])} LSOAs,"
            " weighted mean):",
            f"#   road {near['road_weighted_mean']:.2f}; today {near['crowfly_weighted_mean']:.2f}"
            f" (MAE {near['crowfly_mae']:.2f}, bias {near['crowfly_bias']:+.2f});"
            f" calibrated {near['calibrated_weighted_mean']:.2f}"
            f" (MAE {near['calibrated_mae']:.2f}, bias {near['calibrated_bias']:+.2f})",
        ]
    lines += ["#", "# Range of each fitted value over the folds:"]
    for name in spread.columns:
        lo, hi = spread.loc["min", name], spread.loc["max", name]
        if lo != hi:
            lines.append(f"#   {name}: {_fmt(lo)} .. {_fmt(hi)}")

    def note(setting: str) -> str:
        if setting in fitted:
            return "fitted"
        if setting == "conurbation" and "city_town" in fitted:
            return "no data: follows city_town (assumption)"
        return "no data: prior kept"

    calibration = m.calibration.replace("\\", "/").replace('"', "'")
    lines += [
        "",
        "[estimate]",
        f'calibration = "{calibration}"',
        f"circuity = {_fmt(m.circuity)}          # fitted: road km per crow-fly km",
        f"cruise_kph = {_fmt(m.cruise_kph)}        # fitted: speed on through roads",
        f"local_leg_km = {_fmt(m.local_leg_km)}       # fitted: local streets at each end",
        "",
        "[estimate.access_min]   # fixed minutes per trip end",
        *(f"{s} = {_fmt(m.access_min[s])}   # {note(s)}" for s in SETTINGS),
        "",
        "[estimate.access_km]    # fixed km per trip end",
        *(f"{s} = {_fmt(m.access_km[s])}   # {note(s)}" for s in SETTINGS),
        "",
        "[estimate.local_kph]    # level fitted; ratios between settings from the prior",
        *(f"{s} = {_fmt(m.local_kph[s])}" for s in SETTINGS),
        "",
    ]
    return "\n".join(lines)
