"""The travel engine's targets (issue 17), checked from the rows of one benchmark run."""

from __future__ import annotations

import numpy as np
from _timing import ROWS, find


def checks(big: str, huge: str) -> list[tuple[str, str, bool]]:
    out = []

    def s(graph, task, tool, key="s"):
        r = find(graph, task, tool)
        return np.nan if r is None else r[key]

    for g in ("rutland", big):
        km, mins = (
            s(g, "points 50x300", f"geosuff {w}, 1 thread", "cpu")
            for w in ("minutes+km", "minutes")
        )
        out.append(
            (
                f"{g}: matrix with km / minutes-only (cpu)",
                f"{km / mins:.2f} (<= 1.3)",
                km / mins <= 1.3,
            )
        )
    sp = s(big, "points 400x800", "geosuff, 1 thread") / s(
        big, "points 400x800", "geosuff, 2 threads"
    )
    out.append((f"{big}: 400 origins, 1 thread / 2 threads", f"{sp:.2f} (>= 1.7)", sp >= 1.7))
    r = find(big, "points 5000x300", "geosuff 5000x300") or find(
        big, "points 1000x60", "geosuff 1000x60"
    )
    if r is not None:
        q = next(
            x
            for x in ROWS
            if x["task"] == r["task"] and x["tool"] != r["tool"] and "before" not in x["tool"]
        )
        ratio = r["s"] / q["s"]
        out.append(
            (f"{big}: {r['tool']} / {q['tool']}", f"{ratio:.2f} (about 1)", 0.67 <= ratio <= 1.5)
        )
    task = next(
        (x["task"] for x in ROWS if x["graph"] == big and x["task"].startswith("points 1000x1000")),
        None,
    )
    if task:
        geo, pan = s(big, task, "geosuff minutes+km"), s(big, task, "pandana end to end")
        out.append(
            (
                f"{big}: {task} geosuff (with km) vs pandana end to end",
                f"{geo:.1f} s vs {pan:.1f} s",
                geo < pan,
            )
        )
    dense, sparse = (
        find(huge, "50 origins, 10 min", "geosuff node_times (dense)"),
        find(huge, "50 origins, 10 min", "geosuff reach (sparse)"),
    )
    if dense and sparse:
        out.append(
            (
                f"{huge}: limited search memory, reach vs dense",
                f"{sparse['mb']:.0f} MB vs {dense['mb']:.0f} MB",
                sparse["mb"] < dense["mb"] / 5,
            )
        )
    return out
