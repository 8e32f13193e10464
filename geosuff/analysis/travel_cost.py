"""What care-worker travel costs a provider, and what a fee rate must cover for it.

Travel between visits is paid time and mileage: ``minutes / 60 * hourly pay + miles *
mileage rate``, with the care worker's pay (:data:`geosuff.settings.care_worker_hourly_pay_gbp`)
and HMRC's mileage rate (:data:`geosuff.settings.mileage_rate_gbp_per_mile`). The
price of a contact hour (:data:`geosuff.settings.home_care_hourly_rate_gbp`) already
includes travel, so it is what the cost is compared with, never the rate it is
costed at.
"""

from __future__ import annotations

import numpy as np

from geosuff import settings
from geosuff._errors import ValidationError

__all__ = ["KM_PER_MILE", "travel_costs"]

KM_PER_MILE = 1.609344


def travel_costs(
    minutes_per_visit: np.ndarray,
    miles_per_visit: np.ndarray,
    *,
    visit_minutes: float = 30.0,
    hourly_pay_gbp: float | None = None,
    mileage_rate_gbp_per_mile: float | None = None,
    contact_hour_price_gbp: float | None = None,
) -> dict[str, np.ndarray]:
    """Cost of travel per visit and what it means for a worker's day and a fee rate.

    Parameters
    ----------
    minutes_per_visit
        Travel minutes per visit (drive plus the per-visit overhead).
    miles_per_visit
        Miles driven per visit.
    visit_minutes
        Paid contact minutes per visit.
    hourly_pay_gbp
        Care worker's hourly pay; default :data:`geosuff.settings.care_worker_hourly_pay_gbp`.
    mileage_rate_gbp_per_mile
        Mileage; default :data:`geosuff.settings.mileage_rate_gbp_per_mile` (45p).
    contact_hour_price_gbp
        Price of a contact hour; default :data:`geosuff.settings.home_care_hourly_rate_gbp`.

    Returns
    -------
    dict of str to numpy.ndarray
        ``travel_cost_per_visit_gbp`` (pay for the travel minutes plus mileage);
        ``unpaid_travel_share`` (travel / (travel + contact time): the share of a
        worker's working time that a fee paid per contact minute does not pay for);
        ``travel_cost_per_contact_hour_gbp`` (the cost gap a fee rate must cover: travel
        cost per hour of contact time); ``travel_cost_share_of_price`` (that gap as a
        share of the contact-hour price).

    Examples
    --------
    >>> c = travel_costs(np.array([20.0]), np.array([5.0]), visit_minutes=30,
    ...                  hourly_pay_gbp=12.0, mileage_rate_gbp_per_mile=0.45,
    ...                  contact_hour_price_gbp=25.0)
    >>> [round(float(c[k][0]), 4) for k in sorted(c)]
    [12.5, 0.5, 6.25, 0.4]
    """
    if not visit_minutes > 0:
        msg = f"visit_minutes must be positive, got {visit_minutes!r}"
        raise ValidationError(msg)
    pay = settings.care_worker_hourly_pay_gbp if hourly_pay_gbp is None else hourly_pay_gbp
    mileage = (
        settings.mileage_rate_gbp_per_mile
        if mileage_rate_gbp_per_mile is None
        else mileage_rate_gbp_per_mile
    )
    price = (
        settings.home_care_hourly_rate_gbp
        if contact_hour_price_gbp is None
        else contact_hour_price_gbp
    )
    minutes = np.asarray(minutes_per_visit, dtype=float)
    miles = np.asarray(miles_per_visit, dtype=float)
    cost = minutes / 60.0 * pay + miles * mileage
    per_contact_hour = cost * 60.0 / visit_minutes
    return {
        "travel_cost_per_visit_gbp": cost,
        "unpaid_travel_share": minutes / (minutes + visit_minutes),
        "travel_cost_per_contact_hour_gbp": per_contact_hour,
        "travel_cost_share_of_price": per_contact_hour / price,
    }
