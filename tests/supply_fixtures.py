"""A tiny hand-made area on disk for the supply rules: 4 LSOAs, a care home list.

Testshire (E06000099) is four 2 km squares near Tisbury in EPSG:27700; Otherton is
its neighbour. Files are written into a tmp folder by each test, never committed.
"""

from __future__ import annotations

from pathlib import Path

from geosuff.io.area_layers import LayerFiles
from geosuff.io.areas import Area
from tests.fixtures import square, write_csv, write_lsoas, write_population, write_postcodes

X0, Y0 = 390_000.0, 130_000.0
AREA = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))
LSOAS = {f"E0100000{i}": square(X0 + i * 2000, Y0, 2000) for i in range(4)}
#: People aged 75+ per LSOA (everyone in the fixture is 80).
POP_75 = {"E01000000": 100, "E01000001": 200, "E01000002": 300, "E01000003": 400}

GENERIC_HEADER = [
    "provider_id",
    "name",
    "la_name",
    "postcode",
    "easting",
    "northing",
    "nursing",
    "residential",
    "older_people",
    "dementia",
    "beds",
]


def home(
    pid: str,
    name: str,
    x: float,
    *,
    la: str = "Testshire",
    nursing: bool = False,
    older: str = "y",
    dementia: str = "",
    beds: object = 20,
    postcode: str = "",
    y: float = 1000.0,
) -> list[object]:
    """One generic care-home row at (X0 + x, Y0 + y)."""
    return [
        pid,
        name,
        la,
        postcode,
        X0 + x,
        Y0 + y,
        "y" if nursing else "n",
        "n" if nursing else "y",
        older,
        dementia,
        beds,
    ]


def write_area(
    folder: Path,
    homes: list[list[object]],
    *,
    pop_lsoas: list[str] | None = None,
    postcodes: list[tuple[str, float, float]] | None = None,
) -> LayerFiles:
    """Write the area's LSOAs, population (optionally for some LSOAs only) and homes."""
    folder.mkdir(parents=True, exist_ok=True)
    lsoa = write_lsoas(folder / "lsoas.geojson", LSOAS, AREA.code)
    chosen = pop_lsoas if pop_lsoas is not None else list(LSOAS)
    pop = write_population(folder / "pop.csv", {c: {80: POP_75[c]} for c in chosen})
    care = write_csv(folder / "homes.csv", GENERIC_HEADER, homes)
    pcs = write_postcodes(folder / "pc.csv", postcodes or [("SP3 6AA", X0 + 500, Y0 + 500)])
    return LayerFiles(lsoa=lsoa, population=pop, care_homes=care, postcodes=pcs)
