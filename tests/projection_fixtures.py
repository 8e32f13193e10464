"""Hand-made population projection files in the three published layouts (for tests)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.fixtures import write_csv

#: ONS Table 2 age groups, in order.
TABLE2_GROUPS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]


def table2_rows(
    areas: Mapping[tuple[str, str], Mapping[str, Sequence[float]]], n_years: int
) -> list[list[object]]:
    """Rows of a Table 2 file: every group of every area (zeros where not given) + All ages."""
    rows: list[list[object]] = []
    for (code, name), groups in areas.items():
        totals = [0.0] * n_years
        for group in TABLE2_GROUPS:
            values = list(groups.get(group, [0.0] * n_years))
            totals = [t + v for t, v in zip(totals, values, strict=True)]
            rows.append([code, name, group, *values])
        rows.append([code, name, "All ages", *totals])
    return rows


def write_table2(
    path: Path,
    years: Sequence[int],
    areas: Mapping[tuple[str, str], Mapping[str, Sequence[float]]],
    *,
    title_rows: int = 0,
) -> Path:
    """Write a Table 2 CSV (CODE, AREA, AGE GROUP, one column per year)."""
    header = ["CODE", "AREA", "AGE GROUP", *map(str, years)]
    rows = table2_rows(areas, len(years))
    write_csv(path, header, rows)
    if title_rows:
        lines = path.read_text(encoding="utf-8")
        titles = "".join(f"Table 2 title line {i + 1}\n" for i in range(title_rows))
        path.write_text(titles + lines, encoding="utf-8")
    return path


def write_topojson(path: Path, layers: Mapping[str, list[tuple[str, str, list[float]]]]) -> Path:
    """Write a TopoJSON of axis-aligned boxes (lon/lat): layer -> (code, name, box)."""
    arcs: list[list[list[float]]] = []
    objects: dict[str, object] = {}
    for layer, areas in layers.items():
        geometries = []
        for code, name, (x0, y0, x1, y1) in areas:
            arcs.append([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
            geometries.append(
                {
                    "type": "Polygon",
                    "arcs": [[len(arcs) - 1]],
                    "properties": {"areacd": code, "areanm": name},
                }
            )
        objects[layer] = {"type": "GeometryCollection", "geometries": geometries}
    path.write_text(json.dumps({"type": "Topology", "objects": objects, "arcs": arcs}))
    return path
