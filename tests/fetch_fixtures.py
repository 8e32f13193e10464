"""A loopback HTTP server and tiny fixture files in the publishers' real formats.

Used by the ``test_fetch_*`` modules; nothing here touches the internet.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import threading
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way

LAST_MODIFIED = "Wed, 01 Oct 2025 08:00:00 GMT"


@dataclass
class Server:
    """Routes: path -> bytes, or a function of the query string returning bytes.

    Paths under /stall/ hang; under /drop/ cut out once; under /flaky/ answer
    HTTP 503 the first time.
    """

    routes: dict[str, bytes | Callable[[dict[str, list[str]]], bytes]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    dropped: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p.split("?")[0] == path)


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers)))
            path = self.path.split("?")[0]
            if path.startswith("/stall/"):
                server.release.wait(10)
                return
            body = server.routes.get(path)
            if callable(body):
                body = body(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
            if path.startswith("/flaky/") and path not in server.failed:
                server.failed.add(path)
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            start = 0
            rng = self.headers.get("Range")
            if_range = self.headers.get("If-Range")
            if rng and rng.startswith("bytes=") and (if_range in (None, etag, LAST_MODIFIED)):
                start = int(rng[6:].split("-")[0])
            if start >= len(body) and start:
                self.send_response(416)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if path.startswith("/drop/") and path not in server.dropped:
                server.dropped.add(path)
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body[start:])

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout test) is not an error here


@contextlib.contextmanager
def serve(routes: dict[str, bytes] | None = None) -> Iterator[Server]:
    """Run a loopback HTTP server for the duration of the block."""
    state = Server(routes=dict(routes or {}))
    httpd = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- fixture files


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


# Two Wiltshire LSOAs near Tisbury, and two Worcestershire LSOAs (Wychavon, Malvern Hills).
LSOAS = {
    "E06000054": [
        ("E01031950", "Wiltshire 054A", "E06000054", (-2.10, 51.05, -2.07, 51.07)),
        ("E01031951", "Wiltshire 054B", "E06000054", (-2.07, 51.05, -2.04, 51.07)),
    ],
    "E10000034": [
        ("E01032200", "Wychavon 001A", "E07000238", (-2.00, 52.10, -1.97, 52.12)),
        ("E01032100", "Malvern Hills 001A", "E07000235", (-2.35, 52.10, -2.32, 52.12)),
    ],
}


def lsoa_geojson(code: str) -> bytes:
    """LSOA boundaries as the ONS query service returns them (GeoJSON, WGS84)."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "LSOA11CD": cd,
                "LSOA11NM": nm,
                "LADCD_ACTIVE": lad,
                "UTLACD": code,
                "BNG_E": 0,
                "BNG_N": 0,
            },
            "geometry": _box(*bounds),
        }
        for cd, nm, lad, bounds in LSOAS[code]
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def wards_geojson(code: str) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"WD25CD": "E05013500", "WD25NM": "Tisbury", "LAD25CD": code},
            "geometry": _box(-2.10, 51.05, -2.04, 51.07),
        }
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def admin_topojson() -> bytes:
    def geoms(rows: list[tuple[str, str]]) -> list[dict]:
        return [{"type": None, "properties": {"areacd": c, "areanm": n}} for c, n in rows]

    utla = [("E06000054", "Wiltshire"), ("E10000034", "Worcestershire")]
    ltla = [("E06000054", "Wiltshire"), ("E07000238", "Wychavon"), ("E07000235", "Malvern Hills")]
    topo = {
        "type": "Topology",
        "arcs": [],
        "objects": {
            "utla": {"type": "GeometryCollection", "geometries": geoms(utla)},
            "ltla": {"type": "GeometryCollection", "geometries": geoms(ltla)},
        },
    }
    return json.dumps(topo).encode()


def ltla_utla_csv() -> bytes:
    rows = [
        "ObjectId,LTLA23CD,LTLA23NM,UTLA23CD,UTLA23NM",
        "1,E06000054,Wiltshire,E06000054,Wiltshire",
        "2,E07000238,Wychavon,E10000034,Worcestershire",
        "3,E07000235,Malvern Hills,E10000034,Worcestershire",
    ]
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode()


def lsoa_lookup_csv() -> bytes:
    rows = ["ObjectId,LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW"]
    for i, (cd, nm, lad, _) in enumerate(LSOAS["E06000054"] + LSOAS["E10000034"], start=1):
        lad_nm = {"E06000054": "Wiltshire", "E07000238": "Wychavon"}.get(lad, "Malvern Hills")
        rows.append(f"{i},{cd},{nm},{cd},{nm},{lad},{lad_nm},")
    return ("\ufeff" + "\n".join(rows) + "\n").encode()


def centroids_csv() -> bytes:
    return b"lsoa11cd,longitude,latitude\nE01031950,-2.085,51.06\nE01031951,-2.055,51.06\n"


def population_csv() -> bytes:
    ages = [str(a) for a in range(90)] + ["90+"]
    head = "lsoa11_name,lsoa11_code,total_population," + ",".join(ages)
    lines = [head]
    for name, code, per_age in (
        ("Wiltshire 054A", "E01031950", 10),
        ("Wiltshire 054B", "E01031951", 20),
    ):
        lines.append(f"{name},{code},{per_age * 91}," + ",".join([str(per_age)] * 91))
    return ("\n".join(lines) + "\n").encode()


CQC_COLUMNS = (
    "Name,Also known as,Address,Postcode,Phone number,Service's website (if available),"
    "Service types,Date of latest check,Specialisms/services,Provider name,Local authority,"
    "Region,Location URL,CQC Location ID (for office use only),"
    "CQC Provider ID (for office use only)"
)


def cqc_directory_csv() -> bytes:
    rows = [
        CQC_COLUMNS,
        '"Tisbury Care Home",,"1 High Street, Tisbury",SP3 6LD,01747 000000,,'
        '"Residential homes",01/10/2025,"Caring for adults over 65 yrs|Dementia",'
        '"Example Care Ltd",Wiltshire,South West,https://www.cqc.org.uk/location/1-000000001,'
        "1-000000001,1-000000002",
        '"Nadder Home Care",,"2 Church Street, Tisbury",SP3 6NH,01747 000001,,'
        '"Homecare agencies",02/10/2025,"Caring for adults over 65 yrs",'
        '"Nadder Ltd",Wiltshire,South West,https://www.cqc.org.uk/location/1-000000003,'
        "1-000000003,1-000000004",
    ]
    return ("\n".join(rows) + "\n").encode()


def codepoint_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "Data/CSV/sp.csv",
            '"SP3 6LD",10,394140,128966,"E92000001","E19000002","E18000010",""'
            ',"E06000054","E05013500"\r\n'
            '"SP3 6NH",10,396242,128964,"E92000001","E19000002","E18000010",""'
            ',"E06000054","E05013500"\r\n',
        )
        zf.writestr(
            "Doc/Code-Point_Open_Column_Headers.csv",
            "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\r\n"
            "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,"
            "NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,"
            "Admin_ward_code\r\n",
        )
        zf.writestr("Doc/licence.txt", "Contains OS data (c) Crown copyright.\n")
    return buffer.getvalue()


def osm_pbf(tmp: Path, *, name: str = "roads") -> bytes:
    """A tiny OSM PBF: three nodes near Tisbury and a residential road."""
    path = tmp / f"{name}.osm.pbf"
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        writer.add_node(Node(id=1, location=(-2.080, 51.060), tags={}))
        writer.add_node(Node(id=2, location=(-2.070, 51.062), tags={}))
        writer.add_node(Node(id=3, location=(-2.060, 51.064), tags={}))
        writer.add_way(Way(id=10, nodes=[1, 2, 3], tags={"highway": "residential", "name": name}))
    finally:
        writer.close()
    return path.read_bytes()


def geofabrik_index(base: str) -> bytes:
    """A Geofabrik index-v1.json: England, Wiltshire, Worcestershire and two small halves."""

    def feature(fid: str, name: str, parent: str | None, bounds: tuple) -> dict:
        props = {
            "id": fid,
            "name": name,
            "urls": {
                "pbf": f"{base}/europe/great-britain/england/{fid}-latest.osm.pbf",
                "taginfo": f"https://taginfo.geofabrik.de/{fid}/",
            },
        }
        if parent:
            props["parent"] = parent
        geometry = _box(*bounds)
        geometry = {"type": "MultiPolygon", "coordinates": [geometry["coordinates"]]}
        return {"type": "Feature", "properties": props, "geometry": geometry}

    features = [
        feature("england", "England", "great-britain", (-6.5, 49.8, 2.1, 55.9)),
        feature("wiltshire", "Wiltshire", "england", (-2.5, 50.9, -1.4, 51.8)),
        feature("worcestershire", "Worcestershire", "england", (-2.7, 51.9, -1.7, 52.5)),
        feature("tisbury-west", "Tisbury west", "wiltshire", (-2.3, 50.95, -2.07, 51.15)),
        feature("tisbury-east", "Tisbury east", "wiltshire", (-2.075, 50.95, -1.85, 51.15)),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def routes(base: str, tmp: Path) -> dict[str, bytes]:
    """Every file the test sources file points at."""
    pbf = osm_pbf(tmp)
    return {
        "/ons/admin.json": admin_topojson(),
        "/ons/ltla_utla.csv": ltla_utla_csv(),
        "/ons/lsoa_lookup.csv": lsoa_lookup_csv(),
        "/ons/pwc.csv": centroids_csv(),
        "/ons/population.csv": population_csv(),
        "/cqc/directory.csv": cqc_directory_csv(),
        "/os/codepo.zip": codepoint_zip(),
        "/ons/lsoa/query": lsoa_geojson("E06000054"),
        "/ons/wards/query": wards_geojson("E06000054"),
        "/geofabrik/index-v1.json": geofabrik_index(base + "/geofabrik"),
        "/geofabrik/europe/great-britain/england/wiltshire-latest.osm.pbf": pbf,
        "/geofabrik/europe/great-britain/england/worcestershire-latest.osm.pbf": pbf,
        "/geofabrik/europe/great-britain/england/tisbury-west-latest.osm.pbf": pbf,
        "/geofabrik/europe/great-britain/england/tisbury-east-latest.osm.pbf": pbf,
    }


SOURCES_TOML = """
format = 1

[base_urls]
ons = "{base}/ons"
cqc = "{base}/cqc"
os = "{base}/os"
geofabrik = "{base}/geofabrik"

[sources.admin_areas]
url = "{{ons}}/admin.json"
target = "ons/uk_admin_areas_topo.json"
format = "topojson"
licence = "OGL-UK-3.0"
attribution = "Source: Office for National Statistics"
vintage = "2025"

[sources.ltla_utla_lookup]
url = "{{ons}}/ltla_utla.csv"
target = "ons/ltla_utla_lookup.csv"
columns = ["LTLA23CD", "UTLA23CD"]
licence = "OGL-UK-3.0"
vintage = "April 2023"

[sources.lsoa_lookup]
url = "{{ons}}/lsoa_lookup.csv"
target = "ons/lsoa11_lsoa21_lad22_lookup.csv"
columns = ["LSOA11CD", "LSOA11NM", "LAD22CD"]
licence = "OGL-UK-3.0"
vintage = "2022"

[sources.lsoa_centroids]
url = "{{ons}}/pwc.csv"
target = "ons/lsoa11_pwc.csv"
columns = ["lsoa11cd", "longitude", "latitude"]
licence = "OGL-UK-3.0"
vintage = "2011"

[sources.population]
url = "{{ons}}/population.csv"
target = "ons/population_{{vintage}}_lsoa11_syoa.csv"
columns = ["lsoa11_code", "total_population", "0", "90+"]
licence = "OGL-UK-3.0"
attribution = "Source: Office for National Statistics"
vintage = "mid2020"
{population_sha}

[sources.care_directory]
url = "{{cqc}}/directory.csv"
target = "cqc/care_directory_{{vintage}}.csv"
columns = ["Name", "Postcode", "Service types", "Specialisms/services"]
licence = "OGL-UK-3.0"
attribution = "Care Quality Commission"
vintage = "2025-10"

[sources.postcodes]
url = "{{os}}/codepo.zip"
target = "postcodes/codepo_gb_latest.zip"
format = "zip"
members = ["Data/CSV/*.csv", "Doc/*Column_Headers.csv"]
licence = "OS OpenData"
attribution = "Contains OS data © Crown copyright and database right"

[sources.lsoa_boundaries]
scope = "area"
url = "{{ons}}/lsoa/query?where={{lsoa11_where}}&outSR=4326&f=geojson"
target = "ons/lsoa11_bgc/{{code}}.geojson"
format = "geojson"
licence = "OGL-UK-3.0"
vintage = "2011"

[sources.wards]
scope = "area"
url = "{{ons}}/wards/query?where=LAD25CD%20IN%20({{district_codes_sql}})&f=geojson"
target = "ons/wards_2025_bgc/{{code}}.geojson"
format = "geojson"
licence = "OGL-UK-3.0"
vintage = "May 2025"

[sources.osm]
scope = "geofabrik"
url = "{{geofabrik}}/index-v1.json"
target = "osm/{{extract}}-latest.osm.pbf"
buffer_m = 5000
max_extracts = {max_extracts}
licence = "ODbL-1.0"
attribution = "© OpenStreetMap contributors"
"""


def write_sources(
    path: Path, base: str, *, population_sha: str = "", max_extracts: int = 1
) -> Path:
    sha = f'sha256 = "{population_sha}"' if population_sha else ""
    path.write_text(
        SOURCES_TOML.format(base=base, population_sha=sha, max_extracts=max_extracts),
        encoding="utf-8",
    )
    return path
