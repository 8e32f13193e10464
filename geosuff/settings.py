"""Global defaults for geosuff, validated on assignment.

Attributes
----------
crs_metric : str
    The CRS for all metric work: ``"EPSG:27700"`` (British National Grid).
crs_display : str
    The CRS for display only: ``"EPSG:4326"`` (WGS84).
benchmarks_per_1000_75plus : dict of str to float
    Supply benchmarks per 1,000 people aged 75+: ``residential_beds`` 65,
    ``nursing_beds`` 45, ``extra_care_units`` 25. Source: Housing LIN, *More Choice,
    Greater Voice* (2008), as used in council market position statements.
home_care_hourly_rate_gbp : float
    Default hourly rate for costing care-worker travel: 25.95 (a council's adopted
    2023/24 minimum home care rate). A default to change, not a national figure.
mileage_rate_gbp_per_mile : float
    Default mileage rate: 0.45 (HMRC approved mileage allowance, first 10,000 miles).
data_dir : str or None
    Data folder used when neither ``--data`` nor ``GEOSUFF_DATA`` is given.
estimate_profile : str or None
    Speed profile (a TOML file, e.g. written by ``geosuff network calibrate``) whose
    ``[estimate]`` section the travel estimate uses when no profile is passed; else
    the ``GEOSUFF_ESTIMATE_PROFILE`` environment variable, else the packaged profile.

Examples
--------
>>> from geosuff import settings
>>> settings.home_care_hourly_rate_gbp = 27.0
>>> settings.no_such_option = 1
Traceback (most recent call last):
...
geosuff._errors.ValidationError: unknown geosuff setting 'no_such_option'; ...
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from geosuff._errors import ValidationError

crs_metric: str = "EPSG:27700"
crs_display: str = "EPSG:4326"
benchmarks_per_1000_75plus: dict[str, float] = {
    "residential_beds": 65.0,
    "nursing_beds": 45.0,
    "extra_care_units": 25.0,
}
benchmark_source: str = (
    "Housing LIN 'More Choice, Greater Voice' (2008) prevalence rates per 1,000 aged 75+, "
    "as used in council market position statements"
)
home_care_hourly_rate_gbp: float = 25.95
mileage_rate_gbp_per_mile: float = 0.45
data_dir: str | None = None
estimate_profile: str | None = None

_TYPES: dict[str, type | tuple[type, ...]] = {
    "crs_metric": str,
    "crs_display": str,
    "benchmarks_per_1000_75plus": dict,
    "benchmark_source": str,
    "home_care_hourly_rate_gbp": (int, float),
    "mileage_rate_gbp_per_mile": (int, float),
    "data_dir": (str, type(None)),
    "estimate_profile": (str, type(None)),
}


class _SettingsModule(ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
            return
        if name not in _TYPES:
            known = ", ".join(sorted(_TYPES))
            msg = f"unknown geosuff setting {name!r}; known settings: {known}"
            raise ValidationError(msg)
        if not isinstance(value, _TYPES[name]):
            msg = f"geosuff setting {name!r} must be {_TYPES[name]}, got {type(value).__name__}"
            raise ValidationError(msg)
        if name == "benchmarks_per_1000_75plus":
            missing = {"residential_beds", "nursing_beds", "extra_care_units"} - set(value)
            if missing:
                msg = f"benchmarks_per_1000_75plus lacks {sorted(missing)}"
                raise ValidationError(msg)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _SettingsModule
