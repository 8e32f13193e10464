"""Benchmark: care-worker travel per visit (geosuff.home_care_travel), side by side.

Run: ``.venv/bin/python benchmarks/bench_homecare.py`` (needs the data folder).

1. The round-forming kernel (numba) against the same algorithm in plain Python on
   one day of 150 clients; the two must give identical legs.
2. Wiltshire (285 LSOAs) on the estimate: local patches, the 15 zones and the 3 zones;
   drive-time matrices shared by nearby patches (cells) against one matrix per patch;
   the two must give identical figures.
3. Rutland on its real OpenStreetMap network and on the estimate, side by side.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import geosuff
from geosuff.analysis import blocks
from geosuff.analysis.rounds import round_legs
from geosuff.analysis.runs import home_care_travel
from geosuff.io.places import add_place_names
from geosuff.zones.groups import zone_assignment

ROWS: list[tuple[str, str, float]] = []


def clock(case: str, label: str, fn):
    t = time.perf_counter()
    out = fn()
    ROWS.append((case, label, time.perf_counter() - t))
    return out


def python_round_legs(t, xy, idx, slot, n_slots):
    """The rounds of :func:`geosuff.analysis.rounds.round_legs`, written plainly."""
    free = set(range(len(idx)))
    legs = np.full(len(idx), np.nan)
    while free:
        first = min(slot[j] for j in free)
        centre = np.mean([xy[idx[j]] for j in free], axis=0)
        due = sorted(j for j in free if slot[j] == first)
        here = max(due, key=lambda j: (((xy[idx[j]] - centre) ** 2).sum(), -j))
        free.discard(here)
        for s in range(first + 1, n_slots):
            due = [j for j in sorted(free) if slot[j] == s]
            if not due:
                continue
            nxt = min(due, key=lambda j: (t[idx[here], idx[j]], j))
            legs[nxt] = t[idx[here], idx[nxt]]
            free.discard(nxt)
            here = nxt
    return legs


def kernel() -> None:
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 20_000, (400, 2))
    t = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 1000 * 1.4 / 50 * 60
    idx = rng.choice(400, 150, replace=False)
    slot = rng.integers(0, 7, 150)
    round_legs(t, t, xy, idx, slot, 7)  # compile (or load the cache)
    fast = clock(
        "kernel",
        "numba, one day of 150 clients (x100)",
        lambda: [round_legs(t, t, xy, idx, slot, 7) for _ in range(100)],
    )[0][0]
    slow = clock(
        "kernel",
        "plain Python, the same day (x100)",
        lambda: [python_round_legs(t, xy, idx, slot, 7) for _ in range(100)],
    )[0]
    assert np.allclose(fast, slow, equal_nan=True), "kernel and reference disagree"


def wiltshire() -> None:
    layers = geosuff.load_area_layers("Wiltshire")
    home_care_travel(layers, days=1)  # compile once
    patches = clock("Wiltshire", "local patches, estimate", lambda: home_care_travel(layers))
    saved = blocks.CELL_HOMES
    blocks.CELL_HOMES = 0  # every patch its own matrix
    try:
        alone = clock(
            "Wiltshire", "local patches, one matrix per patch", lambda: home_care_travel(layers)
        )
    finally:
        blocks.CELL_HOMES = saved
    pd.testing.assert_frame_equal(patches.lsoas, alone.lsoas)
    for name in ("15", "3"):
        path = f"geosuff/boundaries/wiltshire_{name}_zones.toml"
        groups = zone_assignment(path, layers).data.set_index("lsoa_code")["zone"]
        r = clock(
            "Wiltshire",
            f"{name} zones, estimate",
            lambda g=groups: home_care_travel(layers, groups=g),
        )
        z = r.zones.sort_values("home_care_minutes_per_visit")
        mean = np.average(z["home_care_minutes_per_visit"], weights=z["home_care_legs_sampled"])
        print(f"\nWiltshire, {name} zones: travel per visit {mean:.2f} min (mean over all visits)")
        print(
            z[
                [
                    "zone",
                    "home_care_minutes_per_visit",
                    "home_care_minutes_per_visit_p10",
                    "home_care_minutes_per_visit_p90",
                    "home_care_miles_per_visit",
                    "home_care_travel_cost_per_contact_hour_gbp",
                ]
            ]
            .round(2)
            .to_string(index=False)
        )
    lsoas = patches.lsoas
    over = int((lsoas["home_care_minutes_per_visit"] > 10).sum())
    print(f"\nWiltshire, local patches: {over} of {len(lsoas)} LSOAs above 10 min per visit")


def rutland() -> None:
    data = geosuff.resolve_data_dir(None)
    layers = geosuff.load_area_layers("Rutland")
    net = clock(
        "Rutland",
        "road network built from the PBF",
        lambda: geosuff.build_network(data / "osm" / "rutland-2022-07-20.osm.pbf"),
    )
    road = clock(
        "Rutland", "local patches, road network", lambda: home_care_travel(layers, network=net)
    )
    est = clock("Rutland", "local patches, estimate", lambda: home_care_travel(layers))
    cols = ["lsoa_code", "home_care_minutes_per_visit", "home_care_miles_per_visit"]
    side = road.lsoas[cols].merge(est.lsoas[cols], on="lsoa_code", suffixes=("_road", "_est"))
    side = add_place_names(side, layers.population, layers.area)
    print("\nRutland, travel per visit by LSOA: road network vs estimate")
    print(side.drop(columns="ward_code").round(2).to_string(index=False))
    for label, r in (("road", road), ("estimate", est)):
        z = r.zones.iloc[0]
        print(
            f"Rutland {label}: {z['home_care_minutes_per_visit']:.2f} min per visit "
            f"(p10 {z['home_care_minutes_per_visit_p10']:.2f}, p90 "
            f"{z['home_care_minutes_per_visit_p90']:.2f}), {z['home_care_miles_per_visit']:.2f} "
            f"miles, unreachable legs {z['home_care_unreachable_legs']}"
        )


def main() -> None:
    kernel()
    wiltshire()
    rutland()
    print("\ncase       step                                            seconds")
    for case, label, secs in ROWS:
        print(f"{case:<10} {label:<48} {secs:8.3f}")
    k = {label: s for case, label, s in ROWS if case == "kernel"}
    w = {label: s for case, label, s in ROWS if case == "Wiltshire"}
    print(
        f"\nkernel: plain Python / numba = "
        f"{k['plain Python, the same day (x100)'] / k['numba, one day of 150 clients (x100)']:.0f}x"
    )
    print(
        f"Wiltshire patches: one matrix per patch / shared cells = "
        f"{w['local patches, one matrix per patch'] / w['local patches, estimate']:.1f}x"
    )


if __name__ == "__main__":
    main()
