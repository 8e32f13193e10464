"""Benchmark: whole commands, this checkout against another (before/after), one run.

Run: ``nice python benchmarks/bench_startup.py [--before /work/main] [--repeat 3]``
(needs the data folder).

Each command runs as ``python -m geosuff ...`` in a fresh process, alternately from
the *before* checkout (default: the project's main checkout beside this worktree, if
any) and from this one, ``--repeat`` times each; the best and median wall times and
the best CPU time (user + system of the child) are printed with their ratios. This
checkout runs once more first with an empty table cache (``GEOSUFF_TABLE_CACHE``
pointed at a new folder) to show the cold cost; the timed runs then use that warm
cache, as a user's second command would. Also printed: whether osmnx, networkx and
numba were imported at all (``-X importtime``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
COMMANDS = {
    "--help": ["--help"],
    "layers summary --area Rutland": ["-q", "layers", "summary", "--area", "Rutland"],
    "access --area Wiltshire": ["-q", "access", "--area", "Wiltshire"],
}
HEAVY = ("osmnx", "networkx", "numba")
CPU: list[float] = []


def run(cwd: Path, args: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one command; its CPU seconds are appended to CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "geosuff", *args],
        cwd=cwd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def heavy_imports(cwd: Path, args: list[str], env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "geosuff", *args],
        cwd=cwd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ).stderr
    names = {line.rsplit("|", 1)[-1].strip() for line in out.splitlines() if "|" in line}
    return [m for m in HEAVY if m in names]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = HERE.parent / "main"
    ap.add_argument("--before", type=Path, default=default if default.is_dir() else None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", help="run only the commands whose label contains this")
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="geosuff-tables-")
    env = {**os.environ, "GEOSUFF_TABLE_CACHE": cache}
    sides = {"after": HERE}
    if args.before is not None and args.before.resolve() != HERE:
        sides = {"before": args.before, "after": HERE}
    print(f"before: {args.before}  after: {HERE}  repeats: {args.repeat}")
    for label, cmd in COMMANDS.items():
        if args.only and args.only not in label:
            continue
        if label.startswith("access"):
            print(f"{label}: after, cold table cache {run(HERE, cmd, env):.2f} s", flush=True)
        times: dict[str, list[float]] = {side: [] for side in sides}
        cpu: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.repeat):
            for side, cwd in sides.items():
                times[side].append(run(cwd, cmd, env))
                cpu[side].append(CPU[-1])
        line = [f"{label}:"]
        for side, ts in times.items():
            heavy = heavy_imports(sides[side], cmd, env)
            line.append(
                f"{side} best {min(ts):.2f} s, median {statistics.median(ts):.2f} s, "
                f"CPU best {min(cpu[side]):.2f} s "
                f"(imports {', '.join(heavy) or 'none of ' + '/'.join(HEAVY)})"
            )
        if "before" in times:
            best = min(times["after"]) / min(times["before"])
            med = statistics.median(times["after"]) / statistics.median(times["before"])
            c = min(cpu["after"]) / min(cpu["before"])
            line.append(f"after/before: wall best {best:.2f}, median {med:.2f}; CPU best {c:.2f}")
        print("  ".join(line), flush=True)


if __name__ == "__main__":
    main()
