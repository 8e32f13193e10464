"""The publishers' files as they publish them, served on loopback for the fetch tests.

ONS's estimates workbooks (mid-2020 XLSX, 2021-LSOA XLSX), the 2018-based
projections XLS, MHCLG's IMD CSV, CQC's "using CQC data" page linking to its ODS,
and ArcGIS FeatureServer queries that answer in pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.fetch_fixtures import LSOAS, _box
from tests.spreadsheet_fixtures import write_hsca_ods, write_xls, write_xlsx

AGES = [*range(90), "90+"]


def sape2020_xlsx(tmp: Path) -> bytes:
    """Mid-2020 estimates for the two Wiltshire fixture LSOAs: 10 and 20 per age."""
    header = ["LSOA Code", "LSOA Name", "LA Code (2018 boundaries)", "LA name (2018 boundaries)"]
    header += ["LA Code (2021 boundaries)", "LA name (2021 boundaries)", "All Ages", *AGES]
    rows = [
        ["Mid-2020 Population Estimates for Lower Layer Super Output Areas"],
        ["Persons"],
        ["Rounded to the nearest person"],
        [],
        header,
    ]
    for (code, name, lad, _), per_age in zip(LSOAS["E06000054"], (10, 20), strict=True):
        rows.append([code, name, lad, "Wiltshire", lad, "Wiltshire", per_age * 91, *[per_age] * 91])
    path = write_xlsx(
        tmp / "sape2020.xlsx",
        {"Contents": [["Contents"]], "Mid-2020 Persons": rows, "Mid-2020 Males": rows[:5]},
    )
    return path.read_bytes()


def table2_xls(tmp: Path) -> bytes:
    """2018-based SNPP Table 2: notes, header after six rows, Wiltshire's 75+ bands."""
    years = list(range(2018, 2044))
    header = ["CODE", "AREA", "AGE GROUP", *years]
    notes = [
        ["Table 2: 2018-based subnational population projections"],
        ["Persons"],
        [],
        ["Figures may not sum because of rounding"],
        [],
        [],
    ]
    rows = [
        ["E06000054", "Wiltshire", band, *[base + (y - 2018) * 100.5 for y in years]]
        for band, base in (("75-79", 20000), ("80-84", 14000), ("85-89", 9000), ("90+", 5000))
    ]
    sheets = {name: [*notes, header, *rows] for name in ("Persons", "Males", "Females")}
    return write_xls(tmp / "table2.xls", sheets).read_bytes()


def imd_csv() -> bytes:
    lines = [
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
        "Index of Multiple Deprivation (IMD) Score,Index of Multiple Deprivation (IMD) Rank "
        "(where 1 is most deprived)",
        "E01031950,Wiltshire 054A,E06000054,12.5,20100",
        "E01031951,Wiltshire 054B,E06000054,8.25,25000",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


CQC_ROWS = [
    {
        "Location ID": "1-100",
        "Location Name": "Tisbury Care Home",
        "Care home?": "Y",
        "Care homes beds": "30",
        "Service type - Care home service without nursing": "Y",
        "Service user band - Older People": "Y",
        "Location Latest Overall Rating": "Good",
    },
    {
        "Location ID": "1-101",
        "Location Name": "Nadder Home Care",
        "Care home?": "N",
        "Service type - Domiciliary care service": "Y",
        "Location Latest Overall Rating": "Outstanding",
    },
    {
        "Location ID": "1-102",
        "Location Name": "Nadder Court",
        "Care home?": "N",
        "Service type - Extra Care housing services": "Y",
    },
    {
        "Location ID": "1-103",
        "Location Name": "Sleeping Home",
        "Care home?": "Y",
        "Care homes beds": "12",
        "Service type - Care home service with nursing": "Y",
        "Dormant (Y/N)": "Y",
    },
]


def cqc_ods(tmp: Path) -> bytes:
    rows = []
    for row in CQC_ROWS:
        full = {
            "Location Local Authority": "Wiltshire",
            "Location Postal Code": "SP3 6LD",
            "Location Latitude": "51.06",
            "Location Longitude": "-2.085",
            "Dormant (Y/N)": "N",
            **row,
        }
        rows.append(full)
    path = write_hsca_ods(tmp / "cqc.ods", rows, as_at="01 November 2025")
    return path.read_bytes()


def cqc_page(base: str) -> bytes:
    """CQC's 'using CQC data' page: several editions, relative and absolute links."""
    links = [
        "/sites/default/files/2025-10/01_October_2025_HSCA_Active_Locations.ods",
        f"{base}/system/files/2025-11/01_November_2025_HSCA_Active_Locations_1a2b.ods",
        "/system/files/2025-11/01_November_2025_CQC_directory.csv",
        "/about-us/transparency/freedom-information",
    ]
    items = "\n".join(f'<li><a href="{href}">file</a></li>' for href in links)
    return f"<!DOCTYPE html><html><body><ul>{items}</ul></body></html>".encode()


def paged_query(features: list[dict], max_records: int) -> Callable[[dict[str, list[str]]], bytes]:
    """An ArcGIS query answering at most *max_records* features per request."""

    def answer(query: dict[str, list[str]]) -> bytes:
        offset = int(query.get("resultOffset", ["0"])[0])
        wanted = int(query.get("resultRecordCount", [str(max_records)])[0])
        page = features[offset : offset + min(wanted, max_records)]
        body: dict = {"type": "FeatureCollection", "features": page}
        if offset + len(page) < len(features):
            body["properties"] = {"exceededTransferLimit": True}
        return json.dumps(body).encode()

    return answer


def lsoa_features(code: str) -> list[dict]:
    return [
        {
            "type": "Feature",
            "properties": {"LSOA11CD": cd, "LSOA11NM": nm, "LADCD_ACTIVE": lad, "UTLACD": code},
            "geometry": _box(*bounds),
        }
        for cd, nm, lad, bounds in LSOAS[code]
    ]


def centroid_features() -> list[dict]:
    points = [
        ("E01031950", -2.085, 51.06),
        ("E01031951", -2.055, 51.06),
        ("E01032200", -1.98, 52.11),
    ]
    return [
        {
            "type": "Feature",
            "properties": {"lsoa11cd": code},
            "geometry": {"type": "Point", "coordinates": [x, y]},
        }
        for code, x, y in points
    ]


def published_routes(base: str, tmp: Path) -> dict[str, object]:
    """Every published file the catalogue below points at."""
    return {
        "/ons/population/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx": sape2020_xlsx(tmp),
        "/ons/projections/2018based/table2.xls": table2_xls(tmp),
        "/gov/File_7_-_All_IoD2019_Scores.csv": imd_csv(),
        "/cqc/about-us/transparency/using-cqc-data": cqc_page(base + "/cqc"),
        "/cqc/system/files/2025-11/01_November_2025_HSCA_Active_Locations_1a2b.ods": cqc_ods(tmp),
        "/arcgis/LSOA/FeatureServer/0/query": paged_query(lsoa_features("E06000054"), 1),
        "/arcgis/PWC/FeatureServer/0/query": paged_query(centroid_features(), 2),
    }


PUBLISHED_SOURCES = """
[sources.admin_areas]
url = "{ons}/admin.json"
target = "ons/uk_admin_areas_topo.json"
format = "topojson"
licence = "OGL-UK-3.0"

[sources.lsoa_lookup]
url = "{ons}/lsoa_lookup.csv"
target = "ons/lsoa11_lsoa21_lad22_lookup.csv"
columns = ["lsoa11cd", "lsoa21cd", "lad22cd"]
licence = "OGL-UK-3.0"

[sources.postcodes]
url = "{os}/codepo.zip"
target = "postcodes/codepo_gb_latest.zip"
format = "zip"
licence = "OS OpenData"

[sources.population]
url = "{ons}/population/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx"
target = "ons/population_{vintage}_lsoa11_syoa.xlsx"
format = "xlsx"
sheets = ["Mid-2020 Persons"]
columns = ["LSOA Code", "All Ages", "90+"]
licence = "OGL-UK-3.0"
vintage = "mid2020"

[sources.projections]
url = "{ons}/projections/2018based/table2.xls"
target = "ons/snpp2018_persons_table2.xls"
format = "xls"
sheets = ["Persons"]
columns = ["CODE", "AREA", "AGE GROUP"]
licence = "OGL-UK-3.0"
vintage = "2018-based"

[sources.imd]
url = "{gov}/File_7_-_All_IoD2019_Scores.csv"
target = "ons/imd2019_lsoa11_england.csv"
columns = ["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Score"]
licence = "OGL-UK-3.0"
vintage = "2019"

[sources.lsoa_centroids]
url = "{arcgis}/PWC/FeatureServer/0/query?where=1%3D1&outFields=*&outSR=4326&f=geojson"
target = "ons/lsoa11_pwc.geojson"
format = "geojson"
paging = true
page_size = 2000
licence = "OGL-UK-3.0"
vintage = "2011"

[sources.cqc_locations]
discover = "{cqc}/about-us/transparency/using-cqc-data"
link_pattern = "HSCA_Active_Locations[^/]*\\\\.(ods|xlsx)(\\\\?|$)"
target = "cqc/hsca_active_locations_{vintage}.{ext}"
format = "ods"
sheets = ["HSCA_Active_Locations"]
columns = ["Location ID", "Care home?", "Care homes beds"]
licence = "OGL-UK-3.0"
attribution = "Care Quality Commission"

[sources.ltla_utla_lookup]
needs_url = true
target = "ons/ltla_utla_lookup.csv"
licence = "OGL-UK-3.0"

[sources.lsoa_boundaries]
scope = "area"
url = "{arcgis}/LSOA/FeatureServer/0/query?where={lsoa11_where}&outFields=*&f=geojson"
target = "ons/lsoa11_bgc/{code}.geojson"
format = "geojson"
paging = true
page_size = 2000
licence = "OGL-UK-3.0"
vintage = "2011"
"""

PUBLISHED_HEAD = """
format = 1

[base_urls]
ons = "{base}/ons"
gov = "{base}/gov"
cqc = "{base}/cqc"
arcgis = "{base}/arcgis"
os = "{base}/os"
"""


def write_published_sources(path: Path, base: str) -> Path:
    path.write_text(PUBLISHED_HEAD.format(base=base) + PUBLISHED_SOURCES, encoding="utf-8")
    return path
