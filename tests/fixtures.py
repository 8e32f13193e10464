"""Small hand-made input files for tests (written into tmp folders, never committed data)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

HSCA_HEADER = [
    "Location ID",
    "Care home?",
    "Location Name",
    "Location Local Authority",
    "Location Postal Code",
    "Location Latitude",
    "Location Longitude",
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
    "Service user band - Dementia",
    "Service user band - Older People",
    "Care homes beds",
]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """Write a CSV with a header row."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def square(x0: float, y0: float, size: float) -> list[list[list[float]]]:
    """A square polygon ring in EPSG:27700 coordinates."""
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def write_lsoas(path: Path, polygons: dict[str, list[list[list[float]]]], la: str) -> Path:
    """Write LSOA polygons (EPSG:27700 GeoJSON) with ONS column names."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "LSOA11CD": code,
                "LSOA11NM": f"Test {code}",
                "LADCD_ACTIVE": la,
                "UTLACD": la,
            },
            "geometry": {"type": "Polygon", "coordinates": ring},
        }
        for code, ring in polygons.items()
    ]
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def write_population(path: Path, counts: dict[str, dict[int, int]]) -> Path:
    """Write an ONS-style single-year-of-age CSV; ages not given are zero."""
    header = ["lsoa11_name", "lsoa11_code", "total_population"]
    header += [str(a) for a in range(90)] + ["90+"]
    rows = []
    for code, by_age in counts.items():
        ages = [by_age.get(a, 0) for a in range(91)]
        rows.append([f"Test {code}", code, sum(ages), *ages])
    return write_csv(path, header, rows)


def write_postcodes(path: Path, rows: list[tuple[str, float, float]]) -> Path:
    """Write an ONSPD-style postcode CSV."""
    return write_csv(
        path, ["pcds", "oseast1m", "osnrth1m", "oslaua"], [[p, e, n, "E99"] for p, e, n in rows]
    )
