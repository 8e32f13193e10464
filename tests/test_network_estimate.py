import itertools
import logging
import math
from dataclasses import replace

import numpy as np
import pytest
from _network_helpers import points

from geosuff import settings
from geosuff._errors import ValidationError
from geosuff.network import (
    METHOD_CALIBRATED,
    METHOD_ESTIMATE,
    fallback,
    is_estimate,
    nearest,
    time_matrix_array,
    travel_time_matrix,
)
from geosuff.network.estimate_model import (
    SETTINGS,
    estimate_minutes_km,
    estimate_model,
    estimate_profile,
    setting_index,
)
from geosuff.network.fallback import calibrated_matrix, estimate_matrix
from geosuff.network.speeds import load_profile

D_KM = np.unique(np.concatenate([np.linspace(0.002, 2, 400), np.linspace(2, 80, 400)]))


def _pos(name):
    return np.array(SETTINGS.index(name))


def test_hand_computed_value():
    m = estimate_model()
    # city_town -> village, 5 km crow-fly, by the formula written out independently
    r = m.circuity * 5.0
    lam = m.local_leg_km
    local = lam * (1 - math.exp(-r / (2 * lam)))
    expect_min = (
        m.access_min["city_town"]
        + m.access_min["village"]
        + 60 * (local / m.local_kph["city_town"] + local / m.local_kph["village"])
        + 60 * (r - 2 * local) / m.cruise_kph
    )
    expect_km = m.access_km["city_town"] + m.access_km["village"] + r
    mins, km = estimate_minutes_km(np.array(5.0), _pos("city_town"), _pos("village"), m)
    assert float(mins) == pytest.approx(expect_min, rel=1e-12)
    assert float(km) == pytest.approx(expect_km, rel=1e-12)


@pytest.mark.parametrize("o", SETTINGS)
@pytest.mark.parametrize("d", SETTINGS)
def test_minutes_and_km_rise_with_distance(o, d):
    mins, km = estimate_minutes_km(D_KM, _pos(o), _pos(d), estimate_model())
    assert np.all(np.diff(mins) > 0) and np.all(np.diff(km) > 0)
    # the same place is 0 apart, any other place at least both ends' access
    at0, km0 = estimate_minutes_km(np.array([0.0]), _pos(o), _pos(d), estimate_model())
    assert at0[0] == 0 and km0[0] == 0


def test_urban_drives_slower_than_rural_at_the_same_distance():
    m = estimate_model()
    ranked = ("conurbation", "city_town", "town_fringe", "village")
    # the driving part (minutes beyond the fixed access of both ends) is slower the more
    # urban both ends are, at every distance
    drive = []
    for s in ranked:
        mins, _ = estimate_minutes_km(D_KM, _pos(s), _pos(s), m)
        drive.append(mins - 2 * m.access_min[s])
    for slower, faster in itertools.pairwise(drive):
        assert np.all(slower > faster)
    # with the same access at both ends, total minutes follow the same order
    same = replace(m, access_min=dict.fromkeys(SETTINGS, 0.6))
    totals = [estimate_minutes_km(D_KM, _pos(s), _pos(s), same)[0] for s in ranked]
    for slower, faster in itertools.pairwise(totals):
        assert np.all(slower > faster)


def test_short_trips_slow_long_trips_fast():
    m = estimate_model()
    for s in SETTINGS:
        mins, _ = estimate_minutes_km(D_KM, _pos(s), _pos(s), m)
        crow_kph = D_KM / (mins / 60.0)
        assert np.all(np.diff(crow_kph) > 0)  # average crow-fly speed rises with distance
        # long trips approach the cruise speed over the circuity
        assert crow_kph[-1] == pytest.approx(m.cruise_kph / m.circuity, rel=0.06)
    # the example: a town LSOA 113 m from its nearest home is not 0.19 min away
    city = _pos("city_town")
    assert float(estimate_minutes_km(np.array(0.113), city, city, m)[0]) > 1.0


def test_setting_index_defaults_and_counts():
    m = estimate_model()
    pos, missing = setting_index(["C1", "e2", None, float("nan"), "Z9", "A1"], m)
    names = [SETTINGS[i] for i in pos]
    assert names == [
        "city_town",
        "village",
        m.default_setting,
        m.default_setting,
        m.default_setting,
        "conurbation",
    ]
    assert missing == 3


def test_estimate_matrix_chooses_the_model(caplog):
    a = points({"a": (0, 0), "b": (3000, 4000)}).assign(ruc11=["C1", "E1"])
    xy = np.array([[0.0, 0.0], [3000.0, 4000.0]])
    mins, _km, method, cal = estimate_matrix(a, a, xy, xy)
    assert method == METHOD_CALIBRATED and cal == estimate_model().calibration
    want, _ = estimate_minutes_km(
        np.array(5.0), _pos("city_town"), _pos("village"), estimate_model()
    )
    assert mins[0, 1] == pytest.approx(float(want)) and mins[0, 0] == 0
    # an override: a RUC11 code everywhere, or the old uncalibrated estimate
    mins_e1, _, method, _ = estimate_matrix(a, a, xy, xy, area_class="E1")
    village = _pos("village")
    assert method == METHOD_CALIBRATED
    assert mins_e1[0, 1] == pytest.approx(
        float(estimate_minutes_km(np.array(5.0), village, village, estimate_model())[0])
    )
    mins_u, km_u, method, cal = estimate_matrix(a, a, xy, xy, area_class="urban")
    detour, speed = load_profile().fallback("urban")
    assert method == METHOD_ESTIMATE and cal.startswith("uncalibrated (urban")
    assert km_u[0, 1] == pytest.approx(5 * detour) and mins_u[0, 1] == pytest.approx(
        5 * detour / speed * 60
    )
    with pytest.raises(ValidationError, match="area_class must be one of"):
        estimate_matrix(a, a, xy, xy, area_class="suburban")
    # no ruc11 anywhere: today's rural estimate, with a warning
    plain = a.drop(columns="ruc11")
    fallback._WARNED.clear()
    with caplog.at_level(logging.WARNING, logger="geosuff.network.fallback"):
        _, _, method, _ = estimate_matrix(plain, plain, xy, xy)
        assert method == METHOD_ESTIMATE and "carry no 'ruc11'" in caplog.text
        caplog.clear()
        estimate_matrix(plain, plain, xy, xy)  # said once per process, not on every call
        assert caplog.text == ""
    # one side without: calibrated, the missing points counted and given the default
    with caplog.at_level(logging.WARNING, logger="geosuff.network.fallback"):
        mins_p, _, method, _ = estimate_matrix(a, plain, xy, xy)
    assert method == METHOD_CALIBRATED
    assert "0 of 2 origins and 2 of 2 destinations have no RUC11 class" in caplog.text
    fringe = _pos(estimate_model().default_setting)
    want, _ = estimate_minutes_km(np.array(5.0), _pos("city_town"), fringe, estimate_model())
    assert mins_p[0, 1] == pytest.approx(float(want))


def test_travel_functions_label_and_name_the_calibration():
    p = points({"a": (0, 0), "b": (10_000, 0)}).assign(ruc11=["C1", "D1"])
    arr = time_matrix_array(None, p, p, max_minutes=5)
    assert arr.method == "estimate_calibrated" and is_estimate(arr.method)
    assert arr.calibration == estimate_model().calibration
    assert np.isnan(arr.minutes[0, 1]) and np.isnan(arr.km[0, 1])  # beyond max_minutes
    table = travel_time_matrix(None, p, p)
    assert set(table["method"]) == {"estimate_calibrated"}
    assert table.attrs["calibration"] == arr.calibration
    near = nearest(None, p.iloc[:1], p.iloc[1:])
    assert near["method"].iloc[0] == "estimate_calibrated"
    assert near.attrs["calibration"] == arr.calibration
    assert not is_estimate("network")


def test_calibrated_matrix_shape_and_limit():
    m = estimate_model()
    o = np.array([[0.0, 0.0], [1000.0, 0.0]])
    d = np.array([[0.0, 0.0], [5000.0, 0.0], [60_000.0, 0.0]])
    so, sd = np.array([1, 3]), np.array([1, 2, 3])
    mins, km = calibrated_matrix(o, d, so, sd, model=m, max_minutes=30)
    assert mins.shape == km.shape == (2, 3)
    assert mins[0, 0] == 0 and np.isnan(mins[0, 2]) and np.isnan(km[1, 2])
    want, _ = estimate_minutes_km(np.array(4.0), np.array(3), np.array(2), m)
    assert mins[1, 1] == pytest.approx(float(want))


def test_profile_setting_and_bad_values(tmp_path, monkeypatch):
    over = tmp_path / "est.toml"
    over.write_text('[estimate]\ncruise_kph = 70.0\ncalibration = "mine"\n')
    monkeypatch.setattr(settings, "estimate_profile", str(over))
    assert estimate_model().cruise_kph == 70.0 and estimate_model().calibration == "mine"
    p = points({"a": (0, 0), "b": (10_000, 0)}).assign(ruc11=["C1", "D1"])
    assert time_matrix_array(None, p, p).calibration == "mine"
    monkeypatch.setattr(settings, "estimate_profile", None)
    monkeypatch.setenv("GEOSUFF_ESTIMATE_PROFILE", str(over))
    assert estimate_profile().data["estimate"]["cruise_kph"] == 70.0
    monkeypatch.delenv("GEOSUFF_ESTIMATE_PROFILE")
    assert estimate_model().cruise_kph != 70.0
    bad = tmp_path / "bad.toml"
    bad.write_text('[estimate]\ncircuity = 0.5\n[estimate.ruc11]\nC1 = "suburb"\n')
    with pytest.raises(ValidationError) as err:
        load_profile(bad)
    assert "estimate.circuity=0.5" in str(err.value) and "estimate.ruc11.C1='suburb'" in str(
        err.value
    )
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[estimate.access_min]\nsuburb = 1.0\n")
    with pytest.raises(ValidationError, match=r"unknown speed profile key estimate\.access_min\."):
        load_profile(unknown)
