"""Build the Rutland sample shipped in ``geosuff/datasets/rutland`` from a data folder.

The sample is real public data, cut from the full files of a geosuff data folder and
laid out the same way, so every loader reads it unchanged (``--data sample``). It
holds Rutland (E06000017) and, so that Rutland's cross-border access is the same as
with the full data, the rows around it that :func:`geosuff.load_surroundings` reads
with its default 20 km buffer: care homes within 20 km and LSOAs (population,
weighted centroids, lookup and rural-urban class) within 40 km. The selection is
made with geosuff's own loaders, so it follows their rules exactly.

    python scripts/build_sample.py                      # from ../shared/data
    python scripts/build_sample.py --data DIR --out geosuff/datasets/rutland

Files are copied whole (LSOA and ward boundaries of Rutland, the OpenStreetMap
extract) or row by row (CSV lines kept byte for byte, with their header), the
Code-Point Open zip keeps its published layout (``Data/CSV/<area>.csv`` without
headers, ``Doc/`` with the licence), and the admin-areas TopoJSON keeps every
authority's name and code but only Rutland's outline. ``SAMPLE.toml`` and
``README.md`` record what each file holds, its source, licence and attribution.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AREA = "E06000017"
AREA_NAME = "Rutland"
PROVIDER_BUFFER_KM = 20.0  # geosuff's default --buffer-km
DEMAND_BUFFER_KM = 2 * PROVIDER_BUFFER_KM  # load_surroundings: competing demand at twice
OSM_FILE = "osm/rutland-2022-07-20.osm.pbf"
#: Small files of the Code-Point Open zip's Doc/ folder kept in the sample.
CODEPOINT_DOCS = (
    "Doc/licence.txt",
    "Doc/readme.txt",
    "Doc/metadata.txt",
    "Doc/Code-Point_Open_Column_Headers.csv",
)
SNPP_CODES = (AREA, "E92000001")  # Rutland and England

OGL = "Open Government Licence v3.0"
ONS = "Office for National Statistics"
CROWN = "Contains OS data © Crown copyright and database right"
SOURCES = {
    "ons": (
        ONS,
        OGL,
        f"Source: {ONS}, licensed under the {OGL}",
    ),
    "ons_boundaries": (
        f"{ONS} (Open Geography Portal)",
        OGL,
        f"Source: {ONS}, licensed under the {OGL}. {CROWN} 2025",
    ),
    "cqc": (
        "Care Quality Commission",
        OGL,
        f"Contains public sector information from the Care Quality Commission, "
        f"licensed under the {OGL}",
    ),
    "codepoint": (
        "Ordnance Survey, Code-Point Open",
        "OS OpenData licence (Open Government Licence v3.0); see Doc/licence.txt in the zip",
        f"{CROWN} 2025. Contains Royal Mail data © Royal Mail copyright and database "
        "right 2025. Contains National Statistics data © Crown copyright and database right 2025",
    ),
    "osm": (
        "OpenStreetMap contributors, via Geofabrik",
        "Open Database Licence 1.0 (ODbL)",
        "© OpenStreetMap contributors, available under the Open Database Licence",
    ),
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _filter_csv(src: Path, dest: Path, column: str, keep: set[str]) -> int:
    """Copy the header and the lines whose *column* is in *keep*, byte for byte."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    kept = 0
    with src.open("rb") as fin, dest.open("wb") as fout:
        header = fin.readline()
        fields = next(csv.reader([header.decode("utf-8-sig")]))
        index = fields.index(column)
        fout.write(header)
        for raw in fin:
            row = next(csv.reader([raw.decode("utf-8")]))
            if len(row) > index and row[index] in keep:
                fout.write(raw)
                kept += 1
    return kept


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def _prune_topology(src: Path, dest: Path, keep_codes: set[str]) -> int:
    """Keep every authority's properties, and the outline only of *keep_codes*."""
    topo = json.loads(src.read_text(encoding="utf-8"))
    used: dict[int, int] = {}

    def remap(arcs: object) -> object:
        if isinstance(arcs, list):
            return [remap(a) for a in arcs]
        index = int(arcs)  # type: ignore[call-overload]
        original = index if index >= 0 else ~index
        new = used.setdefault(original, len(used))
        return new if index >= 0 else ~new

    outlines = 0
    for obj in topo["objects"].values():
        for geom in obj["geometries"]:
            if geom["properties"].get("areacd") in keep_codes and "arcs" in geom:
                geom["arcs"] = remap(geom["arcs"])
                outlines += 1
            else:
                geom.pop("arcs", None)
                geom["type"] = None
    topo["arcs"] = [topo["arcs"][i] for i in sorted(used, key=used.__getitem__)]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(topo, separators=(",", ":")), encoding="utf-8")
    return outlines


def _codepoint(src: Path, dest: Path, postcodes: set[str]) -> int:
    """Code-Point Open rows of Rutland and of the sample's care homes, zipped as published."""
    from geosuff.io.postcodes import normalise_postcodes

    dest.parent.mkdir(parents=True, exist_ok=True)
    kept = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in ("Data/", "Data/CSV/", "Doc/"):
            zout.writestr(zipfile.ZipInfo(name), b"")
        for name in CODEPOINT_DOCS:
            zout.writestr(name, zin.read(name))
        members = [n for n in zin.namelist() if re.search(r"Data/CSV/[a-z]+\.csv$", n)]
        for name in members:
            lines = zin.read(name).decode("utf-8").splitlines(keepends=True)
            rows = list(csv.reader(io.StringIO("".join(lines))))
            codes = normalise_postcodes([r[0] for r in rows])
            out = [
                line
                for line, row, code in zip(lines, rows, codes, strict=True)
                if row[8] == AREA or (isinstance(code, str) and code in postcodes)
            ]
            if out:
                zout.writestr(name, "".join(out))
                kept += len(out)
    return kept


def build(data: Path, out: Path) -> dict[str, dict[str, object]]:
    """Write the sample into *out* and return what each file holds."""
    import geosuff
    from geosuff.io.layout import find_data_file
    from geosuff.io.postcodes import normalise_postcodes
    from geosuff.io.surroundings import load_surroundings

    layers = geosuff.load_area_layers(AREA, data_dir=data)
    around = load_surroundings(layers, buffer_km=PROVIDER_BUFFER_KM, data_dir=data)
    area_lsoas = set(layers.population["lsoa_code"])
    lsoas = set(around.demand["lsoa_code"])
    homes = set(around.providers["care_homes"]["provider_id"].astype(str))
    for name in ("home_care", "extra_care"):
        if len(around.providers[name]):
            msg = f"{name} rows near {AREA_NAME}: add them to the sample"
            raise SystemExit(msg)
    if out.exists():
        shutil.rmtree(out)
    files: dict[str, dict[str, object]] = {}

    def record(rel: str, source: str, what: str, rows: int | None = None) -> None:
        org, licence, attribution = SOURCES[source]
        entry: dict[str, object] = {"holds": what, "source": org, "licence": licence}
        entry["attribution"] = attribution
        if rows is not None:
            entry["rows"] = rows
        entry["bytes"] = (out / rel).stat().st_size
        entry["sha256"] = _sha256(out / rel)
        files[rel] = entry

    src = find_data_file(data, "lsoa_boundaries", code=AREA)
    rel = f"ons/lsoa11_bgc/{AREA}.geojson"
    _copy(src, out / rel)
    record(rel, "ons_boundaries", f"{AREA_NAME}'s 2011 LSOA boundaries (generalised, clipped)", 23)
    src = find_data_file(data, "wards", code=AREA)
    rel = f"ons/wards_2025_bgc/{AREA}.geojson"
    _copy(src, out / rel)
    record(rel, "ons_boundaries", f"{AREA_NAME}'s 2025 electoral wards")
    near = f"{AREA_NAME}'s LSOAs and those within {DEMAND_BUFFER_KM:g} km of it"
    for key, column, what in (
        ("population", "lsoa11_code", "mid-2020 population by single year of age"),
        ("lsoa_centroids", "lsoa11cd", "population-weighted centroids"),
        ("lsoa_lookup", "LSOA11CD", "LSOA 2011 -> 2021 -> local authority 2022 lookup"),
    ):
        src = find_data_file(data, key)
        rel = src.relative_to(data).as_posix()
        n = _filter_csv(src, out / rel, column, lsoas)
        record(rel, "ons", f"{what}: {near}", n)
    src = data / "ons" / "ruc11_lsoa11_england_wales.csv"
    rel = "ons/ruc11_lsoa11_england_wales.csv"
    n = _filter_csv(src, out / rel, "LSOA11CD", lsoas)
    record(rel, "ons", f"Rural-Urban Classification 2011: {near}", n)
    src = data / "ons" / "snpp2018_persons_table2.csv"
    rel = "ons/snpp2018_persons_table2.csv"
    n = _filter_csv(src, out / rel, "CODE", set(SNPP_CODES))
    record(rel, "ons", f"2018-based projections (persons, by age) of {AREA_NAME} and England", n)
    src = find_data_file(data, "admin_areas")
    rel = src.relative_to(data).as_posix()
    _prune_topology(src, out / rel, {AREA})
    record(rel, "ons_boundaries", f"every authority's name and code; {AREA_NAME}'s outline only")
    src = find_data_file(data, "care_homes")
    rel = src.relative_to(data).as_posix()
    cqc_rows = _filter_csv(src, out / rel, "Location ID", homes)
    # Rows naming Rutland that geosuff rejects (no place) are reported for Rutland too.
    with (out / rel).open("ab") as fout, src.open("rb") as fin:
        header = next(csv.reader([fin.readline().decode("utf-8-sig")]))
        la, loc = header.index("Location Local Authority"), header.index("Location ID")
        for raw in fin:
            row = next(csv.reader([raw.decode("utf-8")]))
            if row[la] == AREA_NAME and row[loc] not in homes:
                fout.write(raw)
                cqc_rows += 1
    record(
        rel,
        "cqc",
        f"care homes in {AREA_NAME} and within {PROVIDER_BUFFER_KM:g} km of it",
        cqc_rows,
    )
    import pandas as pd

    kept_homes = pd.read_csv(out / rel, dtype=str, encoding="utf-8-sig")
    postcodes = set(normalise_postcodes(kept_homes["Location Postal Code"]).dropna())
    src = find_data_file(data, "postcodes")
    rel = src.relative_to(data).as_posix()
    n = _codepoint(src, out / rel, postcodes)
    record(rel, "codepoint", f"postcodes of {AREA_NAME} and of the sample's care homes", n)
    _copy(data / OSM_FILE, out / OSM_FILE)
    record(OSM_FILE, "osm", f"OpenStreetMap extract of {AREA_NAME} (Geofabrik, 2022-07-20)")
    _write_info(out, files, area_lsoas=len(area_lsoas), lsoas=len(lsoas), homes=len(homes))
    return files


def _toml_text(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write_info(out: Path, files: dict[str, dict[str, object]], **counts: int) -> None:
    lines = [
        "# Written by scripts/build_sample.py; see README.md.",
        'name = "rutland"',
        'title = "Rutland sample"',
        f'area = "{AREA}"',
        f'area_name = "{AREA_NAME}"',
        f"provider_buffer_km = {PROVIDER_BUFFER_KM}",
        f"demand_buffer_km = {DEMAND_BUFFER_KM}",
        f"area_lsoas = {counts['area_lsoas']}",
        f"lsoas = {counts['lsoas']}",
        f"care_homes_within_buffer = {counts['homes']}",
        "",
    ]
    for rel, entry in files.items():
        lines.append(f'[files."{rel}"]')
        lines.extend(f"{k} = {_toml_text(v)}" for k, v in entry.items())
        lines.append("")
    (out / "SAMPLE.toml").write_text("\n".join(lines), encoding="utf-8")
    total = sum(int(e["bytes"]) for e in files.values())  # type: ignore[call-overload]
    rows = [
        "| file | holds | rows | source | licence |",
        "|---|---|---:|---|---|",
        *(
            f"| `{rel}` | {e['holds']} | {e.get('rows', '')} | {e['source']} | {e['licence']} |"
            for rel, e in files.items()
        ),
    ]
    attributions = dict.fromkeys(str(e["attribution"]) for e in files.values())
    text = f"""# The Rutland sample

Real public data for Rutland (E06000017), a small rural English unitary authority
(23 LSOAs, 4,964 people aged 75+ in mid-2020, 12 care homes with 419 beds), laid out
like a geosuff data folder so that every command reads it with `--data sample` and
every loader with `data_dir=geosuff.datasets.sample_dir()`. It is built by
`scripts/build_sample.py` from the full files of a data folder; nothing in it is
edited, only selected ({total / 1e6:.1f} MB in all).

## What it holds, and what it does not

* Rutland itself: its LSOA and ward boundaries, population, centroids, lookup and
  rural-urban rows, its care homes from the CQC file, its postcodes from Code-Point
  Open, its projections (and England's), and its OpenStreetMap road network.
* Around Rutland, the rows geosuff's access measures read with the default 20 km
  border buffer: CQC care homes within {PROVIDER_BUFFER_KM:g} km of Rutland and LSOAs
  (population, centroids, lookup, rural-urban class) within {DEMAND_BUFFER_KM:g} km.
  So Rutland's access, gaps and maps come out the same as with the full data folder.
  With a wider `--buffer-km`, geosuff says the cross-border figures are incomplete.
* No other authority's boundaries, wards or network: any other area says it is not in
  the sample. No home care agency or extra care scheme lists (the data folder's
  partial lists have no rows near Rutland), so those layers show as not available.
* The Code-Point Open zip keeps the published layout and the small files of `Doc/`
  (licence, readme, metadata, column headers); the two code-list spreadsheets are left
  out. The admin-areas TopoJSON keeps every authority's name and code but only
  Rutland's outline.

## Files, sources and licences

{chr(10).join(rows)}

Each file's SHA-256 is in `SAMPLE.toml`.

## Attribution

Maps and reports made from this sample must carry:

{chr(10).join(f"* {a}" for a in attributions)}
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def main() -> int:
    """Build the sample from ``--data`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "geosuff" / "datasets" / "rutland")
    args = parser.parse_args()
    files = build(args.data, args.out)
    for rel, entry in files.items():
        rows = f"{entry['rows']:>6} rows" if "rows" in entry else " " * 11
        print(f"{rel:48} {rows} {int(entry['bytes']) / 1e3:8.1f} kB")  # type: ignore[call-overload]
    total = sum(int(e["bytes"]) for e in files.values())  # type: ignore[call-overload]
    print(f"{len(files)} files, {total / 1e6:.2f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
