"""Building the same OSM file gives identical arrays whatever PYTHONHASHSEED is."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _network_helpers import RUTLAND_PBF

from geosuff.network import build_network
from geosuff.network.speeds import load_profile

REPO = Path(__file__).resolve().parents[1]

# One street, 1-2-3 residential (about 136 m) then 3-4-5 unclassified (about 272 m):
# simplification merges it into one edge listing both classes.
CHAIN_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="52.6" lon="-0.700" version="1"/>
  <node id="2" lat="52.6" lon="-0.699" version="1"/>
  <node id="3" lat="52.6" lon="-0.698" version="1"/>
  <node id="4" lat="52.6" lon="-0.696" version="1"/>
  <node id="5" lat="52.6" lon="-0.694" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="Main Street"/></way>
  <way id="11" version="1"><nd ref="3"/><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="unclassified"/><tag k="name" v="Oakham Road"/></way>
</osm>
"""

# Prints a digest of every routing array and of the merged edges' attributes.
DIGEST = """
import hashlib, json, sys
import numpy as np
from geosuff.network import build_network
net = build_network(sys.argv[1])
h = hashlib.sha256()
for name in ("node_ids", "x", "y", "indptr", "indices", "time_s", "length_m",
             "seg_a", "seg_b", "seg_t_ab", "seg_t_ba", "seg_len_m"):
    h.update(np.ascontiguousarray(getattr(net, name)).tobytes())
edges = sorted(
    (str(u), str(v), json.dumps({k: d[k] for k in sorted(d) if k != "geometry"}, default=str))
    for u, v, d in net.graph.edges(data=True)
)
h.update(json.dumps(edges).encode())
print(h.hexdigest())
"""


def _run(code, seed, *args):
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _seeds_with_different_set_order():
    """Two seeds under which Python lists {'residential', 'unclassified'} differently."""
    code = "print(list({'residential', 'unclassified'}))"
    first = _run(code, 0)
    for seed in range(1, 50):
        if _run(code, seed) != first:
            return 0, seed
    pytest.skip("no two hash seeds order the set differently")  # pragma: no cover


@pytest.fixture
def chain(tmp_path):
    p = tmp_path / "chain.osm"
    p.write_text(CHAIN_XML)
    return p


def test_merged_edge_takes_the_class_covering_most_of_it(chain):
    net = build_network(chain)
    edges = list(net.graph.edges(data=True))
    assert len(edges) == 2  # one street, both directions
    rural = load_profile().speeds_kph("rural")
    for _, _, d in edges:
        assert d["highway"] == ["residential", "unclassified"]  # sorted, not in set order
        assert d["name"] == ["Main Street", "Oakham Road"]
        assert d["osmid"] == [10, 11]
        assert d["highway_main"] == "unclassified"  # 272 m of the 408 m
        assert d["speed_kph"] == rural["unclassified"]


def test_two_hash_seeds_build_identical_networks(chain):
    a, b = _seeds_with_different_set_order()
    assert _run(DIGEST, a, chain) == _run(DIGEST, b, chain)


def test_rutland_builds_identically_under_two_hash_seeds(data_dir):
    # before geosuff fixed the merge order, 12 Rutland edges changed speed between these
    # two seeds (24 between seeds 1 and 1234)
    assert RUTLAND_PBF.is_file()
    assert _run(DIGEST, 0, RUTLAND_PBF) == _run(DIGEST, 1, RUTLAND_PBF)
