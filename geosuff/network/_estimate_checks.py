"""Checks of a speed profile's ``[estimate]`` section (the calibrated travel estimate)."""

from __future__ import annotations

from typing import Any

__all__ = ["ESTIMATE_SETTINGS", "estimate_problems"]

#: Settings of the calibrated estimate (``[estimate]`` section), by RUC11 class group.
ESTIMATE_SETTINGS = ("conurbation", "city_town", "town_fringe", "village")
_ESTIMATE_RANGES = {
    "access_min": (0.0, 15.0),
    "access_km": (0.0, 5.0),
    "local_kph": (3.0, 130.0),
}
_ESTIMATE_GLOBALS = {
    "circuity": (1.0, 3.0),
    "cruise_kph": (10.0, 140.0),
    "local_leg_km": (0.01, 20.0),
}


def estimate_problems(est: dict[str, Any]) -> list[str]:
    """Return every problem in an ``[estimate]`` section, as text (empty when valid)."""
    problems: list[str] = []
    known = ", ".join(ESTIMATE_SETTINGS)
    for code, setting in est["ruc11"].items():
        if setting not in ESTIMATE_SETTINGS:
            problems.append(f"estimate.ruc11.{code}={setting!r} (need one of {known})")
    if est["default_setting"] not in ESTIMATE_SETTINGS:
        problems.append(
            f"estimate.default_setting={est['default_setting']!r} (need one of {known})"
        )
    for table, (lo, hi) in _ESTIMATE_RANGES.items():
        for setting in ESTIMATE_SETTINGS:
            v = est[table].get(setting)
            if not isinstance(v, int | float) or not lo <= v <= hi:
                problems.append(f"estimate.{table}.{setting}={v!r} (need {lo}..{hi})")
    for key, (lo, hi) in _ESTIMATE_GLOBALS.items():
        v = est[key]
        if not isinstance(v, int | float) or not lo <= v <= hi:
            problems.append(f"estimate.{key}={v!r} (need {lo}..{hi})")
    if not isinstance(est["calibration"], str):
        problems.append("estimate.calibration must be text")
    return problems
