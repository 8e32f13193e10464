import numpy as np
import pytest

from geosuff._errors import ValidationError
from geosuff.analysis.fca import floating_catchment, gaussian_decay, step_decay


def test_step_decay_bands():
    w = step_decay({10: 1.0, 20: 0.68, 30: 0.22})
    got = w(np.array([0.0, 10.0, 10.1, 20.0, 29.9, 30.0, 30.1, np.nan]))
    assert got.tolist() == [1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0, 0.0]


def test_gaussian_decay_ends():
    w = gaussian_decay(30)
    got = w(np.array([0.0, 30.0, 31.0, np.nan]))
    assert got[0] == pytest.approx(1.0) and got[1] == pytest.approx(0.0)
    assert got[2] == 0 and got[3] == 0


def test_bad_bands():
    with pytest.raises(ValidationError):
        step_decay({10: 1.5})


def test_hand_computed_2sfca():
    # Two demand points (100, 200 people) and two homes (10, 30 beds).
    # d1 reaches h1 (5 min) and h2 (25 min); d2 reaches only h2 (8 min); 30-min catchment.
    minutes = np.array([[5.0, 25.0], [np.nan, 8.0]])
    res = floating_catchment(
        np.array([100.0, 200.0]), np.array([10.0, 30.0]), minutes, step_decay({30: 1.0})
    )
    # step 1: R1 = 10/100 = 0.1, R2 = 30/300 = 0.1; step 2: A1 = 0.2, A2 = 0.1
    assert res.supply_ratio.tolist() == pytest.approx([0.1, 0.1])
    assert res.score_per_1000.tolist() == pytest.approx([200.0, 100.0])


def test_hand_computed_e2sfca_with_border_share():
    minutes = np.array([[5.0, 15.0], [25.0, 5.0]])
    w = step_decay({10: 1.0, 20: 0.68, 30: 0.22})
    res = floating_catchment(
        np.array([100.0, 100.0]),
        np.array([10.0, 20.0]),
        minutes,
        w,
        outside=np.array([False, True]),
    )
    r1 = 10 / (100 * 1.0 + 100 * 0.22)
    r2 = 20 / (100 * 0.68 + 100 * 1.0)
    assert res.score_per_1000[0] == pytest.approx((r1 + 0.68 * r2) * 1000)
    assert res.score_per_1000[1] == pytest.approx((0.22 * r1 + r2) * 1000)
    assert res.from_outside_per_1000[0] == pytest.approx(0.68 * r2 * 1000)


def test_whole_area_catchment_is_the_simple_ratio():
    rng = np.random.default_rng(1)
    demand = rng.integers(50, 500, 40).astype(float)
    supply = rng.integers(10, 80, 7).astype(float)
    minutes = rng.uniform(0, 90, (40, 7))
    res = floating_catchment(demand, supply, minutes, lambda m: np.ones_like(m))
    assert res.score_per_1000 == pytest.approx(supply.sum() / demand.sum() * 1000)


def test_unreached_supply_has_nan_ratio_and_no_score():
    res = floating_catchment(
        np.array([100.0]), np.array([10.0, 5.0]), np.array([[5.0, np.nan]]), step_decay({30: 1})
    )
    assert np.isnan(res.supply_ratio[1]) and res.score_per_1000[0] == pytest.approx(100.0)
