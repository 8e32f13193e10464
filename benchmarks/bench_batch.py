"""Benchmark batch backends: one process against a pool of worker processes.

Run: ``python benchmarks/bench_batch.py [--workers 2] [--repeat 2]``

The same recipes, run from scratch (empty output folder, networks already cached) in
one process and in a pool of ``--workers`` processes (``parallel=True``), side by side
in one run; prints wall times, the ratio, and what the runner would choose on its own
(``parallel=None``, from its estimate and from the first run's measured timings).

Recipes: the shipped example (Rutland on its road network, B&NES on the estimate,
summary/access/gaps) with the data folder, and the shipped Rutland recipe on the
shipped sample (one area: nothing to share between workers).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import geosuff.batch
from geosuff.batch.backends import choose_backend
from geosuff.batch.plan import area_jobs, plan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def timed_run(recipe: str, data: str, out: Path, **kwargs: object) -> tuple[float, dict]:
    start = time.perf_counter()
    manifest = geosuff.batch.run(recipe, out=out, data_dir=data, **kwargs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    last = manifest["runs"][-1]
    assert not last["failed"], last["failed"]
    return seconds, manifest


def choice(
    recipe: str, data: str, workers: int, history: dict, start_s: float | None
) -> tuple[str, str]:
    rec = geosuff.batch.load_recipe(recipe, data_dir=data, out="unused")
    jobs = area_jobs(rec, plan(rec), single_process_travel=True)
    return choose_backend(
        jobs,
        workers=workers,
        scheduler=None,
        parallel=None,
        history=history,
        worker_start_s=start_s,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    logging.getLogger("geosuff").setLevel(logging.WARNING)
    cases = [("examples/rutland.toml", "sample")]
    if DATA.is_dir():
        cases.insert(0, ("examples/batch.toml", str(DATA)))
    else:
        print(f"no data folder at {DATA}: the sample recipe only")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for recipe, data in cases:
            # warm the network cache and the file cache once
            timed_run(recipe, data, base / "warm")
            serial, pool = [], []
            history: dict = {}
            starts: list[float] = []
            for i in range(args.repeat):
                s, manifest = timed_run(recipe, data, base / f"s{i}", parallel=False)
                p, pooled = timed_run(
                    recipe, data, base / f"p{i}", workers=args.workers, parallel=True
                )
                serial.append(s)
                pool.append(p)
                history = manifest["tasks"]
                starts.append(pooled["runs"][-1].get("worker_start_seconds", float("nan")))
            best_s, best_p = min(serial), min(pool)
            print(f"\n{recipe} on {'the sample' if data == 'sample' else 'the data folder'}")
            runs_s = ", ".join(f"{x:.1f}" for x in serial)
            runs_p = ", ".join(f"{x:.1f}" for x in pool)
            print(f"  one process        {best_s:7.1f} s   (runs: {runs_s})")
            print(f"  {args.workers} processes        {best_p:7.1f} s   (runs: {runs_p})")
            print(f"  pool / serial      {best_p / best_s:7.2f}x")
            print(f"  worker start-up    {', '.join(f'{x:.1f}' for x in starts)} s (measured)")
            for label, hist, start in (
                ("typical figures", {}, None),
                ("measured timings", history, min(starts)),
            ):
                backend, reason = choice(recipe, data, args.workers, hist, start)
                print(f"  runner's choice ({label}): {backend} - {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
