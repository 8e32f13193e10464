"""Print a benchmark's JSON rows (``bench_network.py --json FILE``) as a Markdown table.

Run: ``python benchmarks/to_markdown.py FILE`` (the README's tables come from it).
Ratios are against the first "geosuff" row of the same graph and task (not the
"before" engine), by wall time; CPU seconds are beside them, since on a shared
machine they are the steadier figure for single-threaded rows.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def fmt_s(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if v < 0.01:
        return f"{v * 1000:.2f} ms"
    if v < 1:
        return f"{v * 1000:.0f} ms"
    return f"{v:.2f} s"


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text())
    rows = data["rows"]
    print("| graph | task | tool | wall | CPU | wall ÷ geosuff | peak MB | note |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        base = next(
            (
                q["s"]
                for q in rows
                if q["graph"] == r["graph"]
                and q["task"] == r["task"]
                and q["tool"].startswith("geosuff")
                and "before" not in q["tool"]
            ),
            math.nan,
        )
        ratio = r["s"] / base if base and not math.isnan(base) else math.nan
        mb = "" if r.get("mb") is None else f"{r['mb']:.1f}"
        cpu = r.get("cpu")
        cpu = None if cpu is None or (isinstance(cpu, float) and math.isnan(cpu)) else cpu
        print(
            f"| {r['graph']} | {r['task']} | {r['tool']} | {fmt_s(r['s'])} | {fmt_s(cpu)} | "
            f"{ratio:.2f}× | {mb} | {r['note']} |"
        )
    for what, fig, ok in data.get("checks", []):
        print(f"\n- {'met' if ok else '**missed**'}: {what}: {fig}", end="")
    print()


if __name__ == "__main__":
    main()
