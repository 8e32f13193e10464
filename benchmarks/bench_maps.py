"""Benchmark map building: time to build and save, file size, and browser render time.

Run from the project root: ``python benchmarks/bench_maps.py [--data DIR]``. Maps go to
``output/bench/``. Browser time (headless Chromium, page load to the map's layers being
built) is measured when ``/usr/bin/chromium`` exists.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosuff.maps.recipe import MapRecipe
from geosuff.maps.render import render_recipe

CASES = [
    ("wiltshire-county", MapRecipe(area="Wiltshire", tiles="none", name="wiltshire")),
    ("tisbury", MapRecipe(area="Wiltshire", focus="Tisbury", tiles="none", name="tisbury")),
    (
        "tenbury",
        MapRecipe(area="Worcestershire", focus="Tenbury Wells", tiles="none", name="tenbury"),
    ),
    ("rutland", MapRecipe(area="Rutland", tiles="none", name="rutland")),
]


def browser_seconds(path: Path) -> float | None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        return None
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                "--window-size=1200,850",
                "--dump-dom",
                path.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        return time.perf_counter() - start


def all_layers_case(data: str | None, out: Path) -> tuple[float, int, float | None]:
    """Wiltshire with every optional layer, fed SYNTHETIC access/gap/zone tables (size test)."""
    import numpy as np
    import pandas as pd

    from geosuff.io.area_layers import load_area_layers
    from geosuff.maps import build_map, save_map

    layers = load_area_layers("Wiltshire", data_dir=data)
    pop = layers.population
    rng = np.random.default_rng(0)
    access = pd.DataFrame(
        {
            "lsoa_code": pop["lsoa_code"],
            "e2sfca_beds_per_1000_75plus": rng.uniform(0, 200, len(pop)),
            "minutes_to_home_care": rng.uniform(2, 50, len(pop)),
            "minutes_to_nursing": rng.uniform(2, 60, len(pop)),
            "travel_method": "estimate_crowfly",
        }
    )
    gaps = access[access["minutes_to_nursing"] > 40][["lsoa_code"]].assign(
        reasons="synthetic: nursing bed over 40 min"
    )
    zones = pop[["lsoa_code"]].assign(zone=[f"Zone {i % 12}" for i in range(len(pop))])
    start = time.perf_counter()
    fmap = build_map(layers, access=access, gaps=gaps, zones=zones, tiles=None)
    path = out / "wiltshire-all-layers.html"
    size = save_map(fmap, path)
    return time.perf_counter() - start, size, browser_seconds(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None, help="data folder")
    parser.add_argument("--out", default="output/bench", help="output folder")
    args = parser.parse_args()
    out = Path(args.out)
    print(f"{'map':<18} {'total s':>8} {'build s':>8} {'size MB':>8} {'browser s':>9}  layers")
    for name, recipe in CASES:
        result = render_recipe(recipe, data_dir=args.data, out=out / f"{name}.html")
        shown = browser_seconds(result.path)
        browser = f"{shown:9.2f}" if shown is not None else f"{'n/a':>9}"
        counts = ", ".join(f"{k}={v}" for k, v in result.counts.items())
        print(
            f"{name:<18} {result.seconds:8.2f} {result.build_seconds:8.2f} "
            f"{result.size_bytes / 1e6:8.2f} {browser}  {counts}"
        )
    seconds, size, shown = all_layers_case(args.data, out)
    browser = f"{shown:9.2f}" if shown is not None else f"{'n/a':>9}"
    print(
        f"{'wiltshire-all*':<18} {'':>8} {seconds:8.2f} {size / 1e6:8.2f} {browser}  "
        "*every layer, synthetic access/gaps/zones"
    )


if __name__ == "__main__":
    main()
