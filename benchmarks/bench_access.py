"""Benchmark: access + care runs + gaps for a county, and E2SFCA against a long-table version.

Run: ``.venv/bin/python benchmarks/bench_access.py`` (needs the data folder).

1. Wiltshire (285 LSOAs, ~400 care homes within 20 km) on
   a. the straight-line estimate, and
   b. a synthetic road-like grid the size of the county plus its 20 km buffer
      (~250,000 nodes at 250 m spacing; there is no offline Wiltshire network here),
   timing each step; the target is well under a minute for access plus gaps.
2. Rutland on its real OpenStreetMap network.
3. The E2SFCA step on the Wiltshire matrix: geosuff's dense-matrix version against the
   long-table pandas version an analyst would write (one row per origin-destination pair,
   merges and group-bys, as in PySAL access's ``fca`` module); the two must agree.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _grids import grid_graph

import geosuff
from geosuff.analysis.access import access, provider_table
from geosuff.analysis.fca import floating_catchment, step_decay
from geosuff.analysis.gaps import find_gaps
from geosuff.analysis.runs import care_runs

ROWS: list[tuple[str, str, float, str]] = []


def clock(label: str, case: str, fn, note: str = ""):
    t = time.perf_counter()
    out = fn()
    ROWS.append((case, label, time.perf_counter() - t, note))
    return out


def county_grid(bounds: tuple[float, float, float, float], spacing_m: float) -> nx.MultiDiGraph:
    """The synthetic road-like grid of _grids.py, stretched over *bounds*."""
    minx, miny, maxx, maxy = bounds
    side = int(max(maxx - minx, maxy - miny) / spacing_m) + 1
    g = grid_graph(side)
    scale = spacing_m / 100.0
    for _, data in g.nodes(data=True):
        data["x"] = minx + (data["x"] - 450_000) * scale
        data["y"] = miny + (data["y"] - 250_000) * scale
    for _, _, data in g.edges(data=True):
        data["length"] *= scale
        data["travel_time"] *= scale
    return g


def long_table_e2sfca(demand: np.ndarray, supply: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """E2SFCA with a long (origin, dest, cost) table and pandas merges."""
    n_o, n_d = minutes.shape
    cost = pd.DataFrame(
        {
            "origin": np.repeat(np.arange(n_o), n_d),
            "dest": np.tile(np.arange(n_d), n_o),
            "cost": minutes.ravel(),
        }
    ).dropna()
    cost["w"] = np.select(
        [cost["cost"] <= 10, cost["cost"] <= 20, cost["cost"] <= 30], [1.0, 0.68, 0.22], 0.0
    )
    cost = cost[cost["w"] > 0]
    cost = cost.merge(pd.DataFrame({"origin": np.arange(n_o), "pop": demand}), on="origin")
    cost["wpop"] = cost["pop"] * cost["w"]
    reach = cost.groupby("dest")["wpop"].sum()
    ratio = pd.Series(supply, index=np.arange(n_d)) / reach
    cost["r"] = cost["dest"].map(ratio).fillna(0) * cost["w"]
    return cost.groupby("origin")["r"].sum().reindex(np.arange(n_o), fill_value=0).to_numpy() * 1000


def main() -> None:
    data = geosuff.resolve_data_dir()
    wilts = clock("load layers", "Wiltshire", lambda: geosuff.load_area_layers("Wiltshire"))
    around = clock("load 20 km surroundings", "Wiltshire", lambda: geosuff.load_surroundings(wilts))
    n_sup = len(provider_table(around))
    n_dem = len(around.demand)
    acc = clock("access (estimate)", "Wiltshire", lambda: access(wilts, surroundings=around))
    runs = clock("care runs (estimate, 100/zone)", "Wiltshire", lambda: care_runs(wilts))
    clock("gaps", "Wiltshire", lambda: find_gaps(acc, runs=runs))

    pad = np.array([-20e3, -20e3, 20e3, 20e3])
    bounds = tuple(np.asarray(wilts.population.total_bounds) + pad)
    graph = clock("make synthetic county grid", "Wiltshire grid", lambda: county_grid(bounds, 250))
    net = clock(
        "convert to engine arrays",
        "Wiltshire grid",
        lambda: geosuff.network.as_network(graph),
        f"{graph.number_of_nodes():,} nodes",
    )
    acc_n = clock(
        "access (network)",
        "Wiltshire grid",
        lambda: access(wilts, network=net, surroundings=around),
        f"{n_dem} demand x {n_sup} providers",
    )
    runs_n = clock(
        "care runs (network, 50/zone)",
        "Wiltshire grid",
        lambda: care_runs(wilts, network=net, n_runs=50),
    )
    clock("gaps", "Wiltshire grid", lambda: find_gaps(acc_n, runs=runs_n))

    pbf = data / "osm" / "rutland-2022-07-20.osm.pbf"
    rut = geosuff.load_area_layers("Rutland")
    rnet = clock(
        "build network (cold, no cache)", "Rutland OSM", lambda: geosuff.build_network(pbf)
    )
    r_around = geosuff.load_surroundings(rut)
    r_acc = clock(
        "access (network)", "Rutland OSM", lambda: access(rut, network=rnet, surroundings=r_around)
    )
    r_runs = clock("care runs (network)", "Rutland OSM", lambda: care_runs(rut, network=rnet))
    clock("gaps", "Rutland OSM", lambda: find_gaps(r_acc, runs=r_runs))

    arr = geosuff.time_matrix_array(
        None, around.demand, provider_table(around), max_minutes=60, max_snap_m=None
    )
    table = provider_table(around)
    homes = (table["layer"] == "care_homes").to_numpy()
    beds = table["beds"].fillna(0).to_numpy(float)[homes]
    pop = around.demand["pop_75plus"].to_numpy(float)
    minutes = arr.minutes[:, homes]
    reps = 5
    ours = clock(
        f"geosuff floating_catchment x{reps}",
        "E2SFCA",
        lambda: [
            floating_catchment(pop, beds, minutes, step_decay({10: 1, 20: 0.68, 30: 0.22}))
            for _ in range(reps)
        ][-1],
        f"{minutes.shape[0]} x {minutes.shape[1]}",
    )
    theirs = clock(
        f"long-table pandas x{reps}",
        "E2SFCA",
        lambda: [long_table_e2sfca(pop, beds, minutes) for _ in range(reps)][-1],
    )
    assert np.allclose(ours.score_per_1000, theirs), "E2SFCA versions disagree"

    print(f"{'case':16} {'step':38} {'seconds':>9}  note")
    for case, label, secs, note in ROWS:
        print(f"{case:16} {label:38} {secs:9.2f}  {note}")
    by = {(c, lab): s for c, lab, s, _ in ROWS}
    for case in ("Wiltshire", "Wiltshire grid", "Rutland OSM"):
        total = sum(
            s for (c, lab), s in by.items() if c == case and lab.startswith(("access", "gaps"))
        )
        print(f"{case}: access + gaps {total:.2f} s")
    ratio = (
        by[("E2SFCA", f"long-table pandas x{reps}")]
        / by[("E2SFCA", f"geosuff floating_catchment x{reps}")]
    )
    print(f"E2SFCA: geosuff is {ratio:.1f}x faster than the long-table version (same answers)")


if __name__ == "__main__":
    main()
