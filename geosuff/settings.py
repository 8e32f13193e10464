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
    The price of a contact hour of home care: 25.95 (a council's adopted 2023/24
    minimum home care rate). It already pays for travel, so it is never used to cost
    travel; it is what travel costs are compared with. A default to change.
care_worker_hourly_pay_gbp : float
    A care worker's hourly pay, used to cost travel time between visits: 12.21, the
    National Living Wage for workers aged 21 and over from 1 April 2025 (GOV.UK, "National
    Living Wage increases to £12.21", Low Pay Commission 2025 uprating). Most
    independent-sector care workers are paid at or just above it (Skills for Care,
    *The state of the adult social care sector and workforce in England*). Pay only:
    employer on-costs (National Insurance, holiday pay, pension) are not included.
    Source text in ``care_worker_pay_source``.
mileage_rate_gbp_per_mile : float
    Default mileage rate: 0.45 (HMRC approved mileage allowance, first 10,000 miles).
home_care_clients_per_1000_75plus : float
    Home care clients per 1,000 people aged 75+, used to place the clients whose
    visits care workers drive between: 58. About 257,000 older people in England had
    home care paid for by their council in 2015 (Wittenberg and Hu 2015, cited in The
    King's Fund, *Home care in England*, 2018), against about 4.4 million people aged
    75+ (ONS mid-2015): 257,000 / 4.4 million = 58 per 1,000. Council-funded clients
    only, because commissioned rounds serve them (self-funders, another ~100,000 in
    2015, mostly use other agencies' rounds). An assumption to change with local
    figures; source text in ``home_care_take_up_source``.
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
care_worker_hourly_pay_gbp: float = 12.21
care_worker_pay_source: str = (
    "National Living Wage (21 and over) from 1 April 2025, GOV.UK / Low Pay Commission; "
    "pay only, without employer on-costs"
)
mileage_rate_gbp_per_mile: float = 0.45
home_care_clients_per_1000_75plus: float = 58.0
home_care_take_up_source: str = (
    "about 257,000 council-funded older home care users in England in 2015 (Wittenberg and Hu "
    "2015, in The King's Fund 'Home care in England', 2018) per about 4.4 million aged 75+ "
    "(ONS mid-2015)"
)
data_dir: str | None = None
estimate_profile: str | None = None

_TYPES: dict[str, type | tuple[type, ...]] = {
    "crs_metric": str,
    "crs_display": str,
    "benchmarks_per_1000_75plus": dict,
    "benchmark_source": str,
    "home_care_hourly_rate_gbp": (int, float),
    "care_worker_hourly_pay_gbp": (int, float),
    "care_worker_pay_source": str,
    "mileage_rate_gbp_per_mile": (int, float),
    "home_care_clients_per_1000_75plus": (int, float),
    "home_care_take_up_source": str,
    "data_dir": (str, type(None)),
    "estimate_profile": (str, type(None)),
}

_POSITIVE = {
    "home_care_hourly_rate_gbp",
    "care_worker_hourly_pay_gbp",
    "home_care_clients_per_1000_75plus",
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
        if name in _POSITIVE and not value > 0:
            msg = f"geosuff setting {name!r} must be positive, got {value!r}"
            raise ValidationError(msg)
        if name == "benchmarks_per_1000_75plus":
            missing = {"residential_beds", "nursing_beds", "extra_care_units"} - set(value)
            if missing:
                msg = f"benchmarks_per_1000_75plus lacks {sorted(missing)}"
                raise ValidationError(msg)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _SettingsModule
