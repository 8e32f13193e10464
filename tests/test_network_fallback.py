import numpy as np
import pytest
from _network_helpers import points

from geosuff._errors import ValidationError
from geosuff.network import crowfly_matrix, nearest, travel_time_matrix
from geosuff.network.speeds import load_profile


def test_crowfly_values_follow_profile():
    o = np.array([[0.0, 0.0]])
    d = np.array([[3000.0, 4000.0], [0.0, 0.0]])
    m, km = crowfly_matrix(o, d, area_class="urban")
    f, v = load_profile().fallback("urban")
    assert km[0, 0] == pytest.approx(5 * f)
    assert m[0, 0] == pytest.approx(5 * f / v * 60)
    assert m[0, 1] == 0
    m, _ = crowfly_matrix(o, d, max_minutes=1)
    assert np.isnan(m[0, 0])
    with pytest.raises(ValidationError, match="area_class"):
        crowfly_matrix(o, d, area_class="suburban")


def test_no_network_is_labelled_estimate_everywhere():
    p = points({"a": (0, 0), "b": (10_000, 0)})
    t = travel_time_matrix(None, p, p)
    assert set(t.method) == {"estimate_crowfly"}
    assert t.origin_snap_dist_m.isna().all()
    row = t[(t.origin_id == "a") & (t.dest_id == "b")].iloc[0]
    assert row.km == pytest.approx(14.0)
    assert row.minutes == pytest.approx(14.0 / 50 * 60)
    near = nearest(None, p.iloc[:1], p.iloc[1:])
    assert near.method.iloc[0] == "estimate_crowfly"
    assert near.facility_id.iloc[0] == "b"


def test_network_results_are_labelled_network():
    from _network_helpers import tiny_graph

    p = points({"a": (0, 0), "b": (1000, 0)})
    t = travel_time_matrix(tiny_graph(), p, p)
    assert set(t.method) == {"network"}
