import time

import networkx as nx
import pytest
from _network_helpers import RUTLAND_PBF, rutland

from geosuff._errors import InputFileError, NetworkError
from geosuff.network import build_network, graph_from_osm_file

# nodes along a line of latitude ~52.6 N; 0.001 deg longitude is about 68 m
OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="52.6" lon="-0.700" version="1"/>
  <node id="2" lat="52.6" lon="-0.699" version="1"/>
  <node id="3" lat="52.6" lon="-0.698" version="1"/>
  <node id="4" lat="52.601" lon="-0.698" version="1"/>
  <node id="5" lat="52.601" lon="-0.700" version="1"/>
  <node id="6" lat="52.602" lon="-0.700" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="maxspeed" v="30 mph"/></way>
  <way id="11" version="1"><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="tertiary"/><tag k="oneway" v="yes"/></way>
  <way id="12" version="1"><nd ref="5"/><nd ref="4"/>
    <tag k="highway" v="unclassified"/><tag k="oneway" v="-1"/></way>
  <way id="13" version="1"><nd ref="5"/><nd ref="1"/>
    <tag k="highway" v="unclassified"/></way>
  <way id="14" version="1"><nd ref="5"/><nd ref="6"/><nd ref="999"/>
    <tag k="highway" v="residential"/></way>
  <way id="15" version="1"><nd ref="1"/><nd ref="6"/>
    <tag k="highway" v="footway"/></way>
  <way id="16" version="1"><nd ref="2"/><nd ref="6"/>
    <tag k="highway" v="service"/><tag k="service" v="driveway"/></way>
</osm>
"""


@pytest.fixture
def osm_file(tmp_path):
    p = tmp_path / "tiny.osm"
    p.write_text(OSM_XML)
    return p


def test_raw_graph_oneways_clipped_ways_and_filters(osm_file):
    g = graph_from_osm_file(osm_file)
    assert g.graph["crs"] == "EPSG:4326"
    # footway and driveway left out; node 999 is missing from the file (clipped way)
    assert set(g.nodes) == {1, 2, 3, 4, 5, 6}
    assert g.graph["clipped_node_refs"] == 1
    assert g.has_edge(3, 4) and not g.has_edge(4, 3)  # oneway=yes
    assert g.has_edge(4, 5) and not g.has_edge(5, 4)  # oneway=-1 reverses the way
    assert g.has_edge(1, 2) and g.has_edge(2, 1)
    assert g.has_edge(5, 6) and g.has_edge(6, 5)
    assert not g.has_edge(1, 6) and not g.has_edge(2, 6)
    assert g.edges[1, 2, 0]["length"] == pytest.approx(67.8, abs=0.5)


def test_build_keeps_largest_strong_component_and_reports_drops(osm_file):
    net = build_network(osm_file)
    # 6 hangs off 5 by a two-way street: still strongly connected. All 6 kept.
    assert net.meta["scc_nodes_dropped"] == 0
    g = net.graph
    assert isinstance(g, nx.MultiDiGraph)
    for _, _, d in g.edges(data=True):
        assert d["travel_time"] > 0 and d["speed_kph"] > 0
    # residential at 30 mph capped: min(class, 0.85 * 48.3)
    assert net.meta["nodes"] == len(g)


def test_build_drops_nodes_only_reachable_one_way(tmp_path):
    xml = OSM_XML.replace(
        '<tag k="highway" v="residential"/></way>\n  <way id="15"',
        '<tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>\n  <way id="15"',
    )
    p = tmp_path / "oneway.osm"
    p.write_text(xml)
    net = build_network(p)
    assert net.meta["scc_nodes_dropped"] == 1
    assert 6 not in net.graph


def test_not_osm_file(tmp_path):
    p = tmp_path / "fake.osm.pbf"
    p.write_text("this is not OpenStreetMap data")
    with pytest.raises(InputFileError, match="not a readable OSM file") as exc:
        build_network(p)
    assert "\n" not in str(exc.value)


def test_empty_and_non_drivable_files(tmp_path):
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty file"):
        build_network(empty)
    foot = tmp_path / "foot.osm"
    foot.write_text(
        "<?xml version='1.0'?><osm version='0.6'>"
        "<node id='1' lat='52.6' lon='-0.7'/><node id='2' lat='52.6' lon='-0.69'/>"
        "<way id='1'><nd ref='1'/><nd ref='2'/><tag k='highway' v='footway'/></way></osm>"
    )
    with pytest.raises(InputFileError, match="no drivable roads"):
        build_network(foot)
    with pytest.raises(InputFileError, match="not found"):
        build_network(tmp_path / "missing.osm.pbf")


def test_offline_download_fails_fast_in_one_line():
    t0 = time.perf_counter()
    with pytest.raises(NetworkError, match="cannot download") as exc:
        build_network("Rutland, England", download_timeout_s=3)
    assert time.perf_counter() - t0 < 30  # no 60 s Overpass rate-limit wait
    assert "\n" not in str(exc.value)
    assert ".osm.pbf" in str(exc.value)


def test_rutland_real_network(data_dir):
    assert RUTLAND_PBF.is_file()
    net, cached, build_s, load_s = rutland()
    m = net.meta
    print(
        f"\nRutland: raw {m['raw_nodes']} nodes/{m['raw_edges']} edges; routed "
        f"{m['nodes']} nodes/{m['edges']} edges; SCC dropped {m['scc_nodes_dropped']}; "
        f"build {build_s:.2f} s, cached load {load_s:.3f} s"
    )
    assert 1500 < m["nodes"] < 20000
    assert m["edges"] > m["nodes"]
    assert 0 < m["scc_nodes_dropped"] < 0.2 * m["raw_nodes"]
    assert nx.is_strongly_connected(net.graph)
    assert cached.meta["cache"] == "hit"
    assert load_s < build_s


def test_build_from_users_graph_keeps_its_times_and_drops_one_way_only_nodes():
    from _network_helpers import tiny_graph

    net = build_network(tiny_graph())
    assert net.meta["scc_nodes_dropped"] == 1  # node 5 has an exit but no way in
    assert 5 not in net.graph
    assert sorted(net.time_s.tolist()) == [30.0, 60.0, 60.0, 100.0, 120.0]
