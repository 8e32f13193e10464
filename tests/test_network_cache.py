import numpy as np
import pytest
from _network_helpers import points, rutland, tiny_graph

from geosuff._errors import NetworkError
from geosuff.network import RoadNetwork, load_network, save_network, time_matrix_array
from geosuff.network.cache import cache_key
from geosuff.network.speeds import load_profile


def test_save_load_round_trip(tmp_path):
    net = RoadNetwork.from_graph(tiny_graph(), meta={"source": "tiny"})
    out = save_network(net, tmp_path / "tiny")
    back = load_network(out)
    for name in ("x", "y", "indptr", "indices", "time_s", "length_m", "seg_t_ab", "seg_t_ba"):
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name))
    assert back.meta["source"] == "tiny"
    p = points({"a": (0, 0), "b": (1500, -100)})
    np.testing.assert_array_equal(
        time_matrix_array(back, p, p).minutes, time_matrix_array(net, p, p).minutes
    )
    assert back.graph.number_of_edges() == net.graph.number_of_edges()  # lazily from GraphML


def test_load_rejects_other_folders(tmp_path):
    with pytest.raises(NetworkError, match="not a saved geosuff network"):
        load_network(tmp_path)


def test_cache_key_changes_with_file_and_profile(tmp_path):
    f = tmp_path / "a.osm"
    f.write_text("x")
    k1 = cache_key(f, load_profile())
    prof = tmp_path / "p.toml"
    prof.write_text("[offnetwork]\nspeed_kph = 5.0\n")
    assert cache_key(f, load_profile(prof)) != k1
    f.write_text("xy")
    assert cache_key(f, load_profile()) != k1


def test_rutland_cache_hit_is_fast_and_identical(data_dir):
    net, cached, build_s, load_s = rutland()
    assert cached.meta["cache"] == "hit"
    assert load_s < 0.5 * build_s
    np.testing.assert_array_equal(cached.time_s, net.time_s)
    np.testing.assert_array_equal(cached.node_ids, net.node_ids)
