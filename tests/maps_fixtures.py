"""A tiny hand-made area for map tests: three LSOAs, a few providers, one malicious name."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from geosuff.io.area_layers import AreaLayers
from geosuff.io.areas import Area
from geosuff.io.provenance import Coverage

CRS = "EPSG:27700"
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
X0, Y0 = 390000.0, 130000.0


def population() -> gpd.GeoDataFrame:
    cells = [box(X0 + i * 2000, Y0, X0 + (i + 1) * 2000, Y0 + 2000) for i in range(3)]
    return gpd.GeoDataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003"],
            "lsoa_name": ["Test 001A", "Test 001B", f"Test {EVIL}"],
            "la_code": ["E06999999"] * 3,
            "la_name": ["Testshire"] * 3,
            "pop_total": [1500.0, 1800.0, 1200.0],
            "pop_65plus": [400.0, 300.0, 350.0],
            "pop_75plus": [200.0, 120.0, 160.0],
            "pop_85plus": [60.0, 30.0, 50.0],
            "demand_e": [X0 + 1000, X0 + 3000, X0 + 5000],
            "demand_n": [Y0 + 1000] * 3,
            "demand_source": ["pop_weighted_centroid"] * 3,
        },
        geometry=cells,
        crs=CRS,
    )


def _points(rows: list[dict], xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    for col, default in (("beds", float("nan")), ("units", float("nan")), ("note", None)):
        if col not in frame:
            frame[col] = default
    frame["source"] = "test_list_2024-03.csv"
    frame["line"] = range(2, len(frame) + 2)
    frame["coord_source"] = "lat_lon"
    frame["uncertain"] = False
    return gpd.GeoDataFrame(frame, geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=CRS)


def area_layers() -> AreaLayers:
    homes = _points(
        [
            {"provider_id": "h1", "name": "Oak House", "kind": "care_home_nursing", "beds": 40.0},
            {"provider_id": "h2", "name": EVIL, "kind": "care_home_residential", "beds": 12.0},
            {
                "provider_id": "h3",
                "name": "Ash Lodge",
                "kind": "care_home_residential",
                "beds": 25.0,
            },
        ],
        [(500, 500), (2500, 1500), (4500, 800)],
    )
    agencies = _points(
        [
            {
                "provider_id": "d1",
                "name": "Valley Care at Home",
                "kind": "domiciliary",
                "postcode": "SP3 6AA",
            }
        ],
        [(1500, 1500)],
    )
    schemes = _points(
        [{"provider_id": "x1", "name": "Mill Court", "kind": "extra_care", "units": 40.0}],
        [(3500, 600)],
    )
    area = Area("E06999999", "Testshire", "utla", ("E06999999",), ("Testshire",))
    return AreaLayers(
        area,
        population(),
        homes,
        agencies,
        schemes,
        pd.DataFrame(),
        {"population": "population_mid2020_test.csv", "care_homes": "test_list_2024-03.csv"},
        {},
    )


def wards() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "ward_code": ["E05000001", "E05000002"],
            "ward_name": ["Tenbury", f"Hill {EVIL}"],
            "la_code": ["E06999999"] * 2,
        },
        geometry=[box(X0, Y0, X0 + 3000, Y0 + 2000), box(X0 + 3000, Y0, X0 + 6000, Y0 + 2000)],
        crs=CRS,
    )


def access() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003"],
            "e2sfca_beds_per_1000_75plus": [150.0, 60.0, float("nan")],
            "minutes_to_home_care": [5.0, 18.0, 52.0],
            "minutes_to_nursing": [4.0, 25.0, 33.0],
            "travel_method": ["estimate_crowfly"] * 3,
        }
    )


def gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {"lsoa_code": ["E01000003"], "reasons": [["no nursing bed within 30 min", EVIL]]}
    )


def zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone": ["West", "East"]},
        geometry=[box(X0, Y0, X0 + 3000, Y0 + 2000), box(X0 + 3000, Y0, X0 + 6000, Y0 + 2000)],
        crs=CRS,
    )


def isochrones() -> gpd.GeoDataFrame:
    centre = Point(X0 + 1500, Y0 + 1000)
    return gpd.GeoDataFrame(
        {"minutes": [10, 20]}, geometry=[centre.buffer(1500), centre.buffer(3000)], crs=CRS
    )


def travel() -> pd.DataFrame:
    """Per-LSOA care-worker travel as ``HomeCareTravel.lsoas`` has it (hand-made figures)."""
    return pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003"],
            "zone": ["West", "West", "East"],
            "home_care_round_area": ["zone West", "zone West", f"zone {EVIL}"],
            "home_care_minutes_per_visit": [5.0, 9.0, 15.0],
            "home_care_minutes_per_visit_p10": [3.0, 5.5, 8.0],
            "home_care_minutes_per_visit_p90": [8.0, 14.0, 24.5],
            "home_care_miles_per_visit": [0.8, 2.0, 4.0],
            "home_care_travel_cost_per_visit_gbp": [1.38, 2.73, 4.85],
            "home_care_travel_method": ["estimate_calibrated"] * 3,
        }
    )


def complete_agencies(layers: AreaLayers) -> AreaLayers:
    """The layers with their home care agency list declared complete (as a council's own)."""
    return layers._replace(coverage={"home_care": Coverage("complete", "the council's list")})
