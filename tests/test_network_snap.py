import numpy as np
import pytest
from _network_helpers import points, tiny_graph

from geosuff._errors import ValidationError
from geosuff.network import RoadNetwork, snap_points


@pytest.fixture(scope="module")
def tiny():
    return RoadNetwork.from_graph(tiny_graph())


def test_snaps_to_nearest_edge_not_node(tiny):
    # (1400, -300) is 300 m from road 2-3 but 500 m from node 2 and 670 m from node 3
    s = snap_points(tiny, points({"p": (1400, -300)}))
    assert s.dist_m[0] == pytest.approx(300)
    assert {int(s.a[0]), int(s.b[0])} == {1, 2}  # CSR positions of nodes 2 and 3
    assert s.frac[0] == pytest.approx(0.4)
    off = 300 / (15 / 3.6)
    # one-way 2->3: leaving towards 3 only; arriving from 2 only
    assert s.out_t[0, 1] == pytest.approx(off + 0.6 * 120)
    assert np.isnan(s.out_t[0, 0])
    assert s.in_t[0, 0] == pytest.approx(off + 0.4 * 120)
    assert np.isnan(s.in_t[0, 1])


def test_far_points_report_distance_or_fail(tiny):
    far = points({"a": (1500, -3000), "b": (0, 0)})
    s = snap_points(tiny, far)
    assert s.dist_m[0] == pytest.approx(3000)
    with pytest.raises(ValidationError, match="1 of 2 points lie more than 1,000 m") as exc:
        snap_points(tiny, far, max_snap_m=1000)
    assert "e.g. a" in str(exc.value)


def test_snapping_near_node_is_at_node(tiny):
    s = snap_points(tiny, points({"n2": (1000.2, 0.1)}))
    assert s.frac[0] in (0.0, 1.0)
