"""Reading CQC's HSCA active locations ODS: geosuff's reader vs pandas' engines.

Builds, in a temporary folder, an ODS in the published layout (README sheet,
``HSCA_Active_Locations`` with 120 columns and a padded header,
``Dual_Registration_Locations``) of about the published size (~25 MB), from the
care-home rows of ``../shared/data/cqc`` cycled with realistic provider fields
(synthetic rows when the data folder is absent). Each reader runs in its own
process, so its peak resident memory (RSS) is its own (every process imports
pandas and geosuff first, about 250 MB, and imports are not timed):

* ``geosuff``: :func:`geosuff.io.files.read_table` (python-calamine, sheet and
  header found by content), every cell as text, as the provider loader reads it;
* ``pandas-calamine``: ``pandas.read_excel(engine="calamine")`` on the sheet;
* ``pandas-odf``: ``pandas.read_excel(engine="odf")`` (odfpy), on a slice of the
  file only (it needs minutes and gigabytes for the whole of it); its time is
  extrapolated per row and printed as such.

Usage: ``python benchmarks/bench_spreadsheets.py [--rows N] [--odf-rows N]``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.spreadsheet_fixtures import write_hsca_ods  # noqa: E402

CQC = ROOT.parent / "shared" / "data" / "cqc" / "hsca_care_homes_2021-04_england.csv"

_CHILD = """
import json, resource, sys, time
engine, path, nrows = sys.argv[1], sys.argv[2], int(sys.argv[3])
import pandas as pd
from geosuff.io.files import read_table
start = time.perf_counter()  # imports are not timed
if engine == "geosuff":
    df = read_table(path, sheets=["HSCA_Active_Locations"], dtype=str,
                    keep_default_na=False, na_values=[""])
else:
    df = pd.read_excel(path, sheet_name="HSCA_Active_Locations", engine=engine, dtype=str,
                       nrows=nrows or None)
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": len(df), "columns": df.shape[1], "seconds": elapsed, "rss_mb": rss}))
"""


def _source_rows() -> list[dict[str, str]]:
    if CQC.is_file():
        with CQC.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    return [
        {
            "Location ID": f"1-{i:09d}",
            "Location Name": f"Example Care Home {i}",
            "Care home?": "Y",
            "Location Local Authority": "Wiltshire",
            "Location Postal Code": "SP3 6LD",
            "Location Latitude": "51.06",
            "Location Longitude": "-2.08",
            "Care homes beds": str(10 + i % 60),
        }
        for i in range(2000)
    ]


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length)).capitalize()


def _rows(count: int) -> list[dict[str, object]]:
    source = _source_rows()
    rng = random.Random(2025)
    rows = []
    for i, base in enumerate(itertools.islice(itertools.cycle(source), count)):
        row: dict[str, object] = dict(base)
        # varied text, as in the published file (names, addresses, people)
        row["Location Name"] = f"{_word(rng, 7)} {_word(rng, 6)} {base.get('Location Name', '')}"
        row["Location Also Known As"] = f"{_word(rng, 8)} {_word(rng, 5)}"
        row["Location Address Line 2"] = f"{_word(rng, 9)} {_word(rng, 4)}"
        row["Location ODS Code"] = f"V{rng.randrange(10**5):05d}"
        row["Location Paf ID"] = str(rng.randrange(10**8))
        row["Provider Address Line 2"] = f"{_word(rng, 8)} Business Park"
        row["Provider UPRN ID"] = str(rng.randrange(10**11))
        row["Brand Name"] = f"BRAND {_word(rng, 6)}" if i % 4 == 0 else ""
        for band in ("Older People", "Dementia", "Physical Disability", "Sensory Impairment"):
            if rng.random() < 0.4:
                row[f"Service user band - {band}"] = "Y"
        row["Location ID"] = f"1-{100000000 + i}"
        row["Location Telephone Number"] = f"0{rng.randrange(10**9, 10**10)}"
        row["Location Web Address"] = f"www.{_word(rng, 10).lower()}-care.co.uk"
        row["Location Type/Sector"] = "Social Care Org"
        row["Location Inspection Directorate"] = "Adult social care"
        row["Location Primary Inspection Category"] = "Residential social care"
        row["Location Latest Overall Rating"] = ("Good", "Outstanding", "Requires improvement")[
            i % 3
        ]
        row["Publication Date"] = "2024-05-01"
        row["Location Region"] = "South West"
        row["Location NHS Region"] = "South West"
        row["Location ONSPD CCG Code"] = "E38000231"
        row["Location ONSPD CCG"] = "NHS Bath and North East Somerset, Swindon and Wiltshire ICB"
        row["Location Street Address"] = f"{rng.randrange(1, 300)} {_word(rng, 8)} Road"
        row["Location City"] = "Salisbury"
        row["Location County"] = "Wiltshire"
        row["Location UPRN ID"] = str(100120000000 + i)
        row["Location Specialisms"] = "Caring for adults over 65 yrs|Dementia"
        row["Dormant (Y/N)"] = "N"
        row[
            "Regulated activity - Accommodation for persons who require nursing or personal care"
        ] = "Y"
        row["Provider ID"] = f"1-{200000000 + i // 3}"
        row["Provider Name"] = f"{_word(rng, 9)} {_word(rng, 5)} Care Limited"
        row["Provider Telephone Number"] = f"0{rng.randrange(10**9, 10**10)}"
        row["Provider Web Address"] = f"www.{_word(rng, 11).lower()}.org.uk"
        row["Location Commissioning CCG Name"] = f"NHS {_word(rng, 8)} ICB"
        row["Provider HSCA start date"] = "2010-10-01"
        row["Provider Companies House Number"] = f"{i:08d}"
        row["Provider Type/Sector"] = "Independent Healthcare Org"
        row["Provider Ownership Type"] = "Organisation"
        row["Provider Street Address"] = f"{i % 97} Station Road"
        row["Provider City"] = "Bristol"
        row["Provider Postal Code"] = "BS1 4DJ"
        row["Provider Local Authority"] = "Bristol, City of"
        row["Provider Region"] = "South West"
        row["Provider Nominated Individual Name"] = f"{_word(rng, 5)} {_word(rng, 8)}"
        rows.append(row)
    return rows


def _run(engine: str, path: Path, nrows: int = 0) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, engine, str(path), str(nrows)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=85_000, help="data rows in the big ODS")
    parser.add_argument("--odf-rows", type=int, default=3_000, help="rows read with odfpy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "01_November_2025_HSCA_Active_Locations.ods"
        start = time.perf_counter()
        write_hsca_ods(big, _rows(args.rows))
        print(
            f"wrote {big.name}: {args.rows:,} rows x 120 columns, "
            f"{big.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        small = Path(tmp) / "slice.ods"
        write_hsca_ods(small, _rows(args.odf_rows))
        results = {
            "geosuff (calamine, whole file)": _run("geosuff", big),
            "pandas calamine (whole file)": _run("calamine", big),
            f"geosuff (calamine, {args.odf_rows:,}-row slice)": _run("geosuff", small),
            f"pandas odf ({args.odf_rows:,}-row slice)": _run("odf", small),
        }
    print(f"\n{'reader':44} {'rows':>8} {'seconds':>9} {'peak RSS MB':>12}")
    for name, r in results.items():
        print(f"{name:44} {r['rows']:>8,} {r['seconds']:>9.2f} {r['rss_mb']:>12,.0f}")
    geo = results["geosuff (calamine, whole file)"]
    pdc = results["pandas calamine (whole file)"]
    geo_slice = results[f"geosuff (calamine, {args.odf_rows:,}-row slice)"]
    odf = results[f"pandas odf ({args.odf_rows:,}-row slice)"]
    print(
        f"\nwhole file: pandas-calamine / geosuff  time {pdc['seconds'] / geo['seconds']:.2f}x, "
        f"peak RSS {pdc['rss_mb'] / geo['rss_mb']:.2f}x"
    )
    print(
        f"slice: odf / geosuff  time {odf['seconds'] / geo_slice['seconds']:.1f}x, "
        f"peak RSS {odf['rss_mb'] / geo_slice['rss_mb']:.1f}x"
    )
    per_row = odf["seconds"] / max(odf["rows"], 1)
    print(
        f"odf extrapolated to {args.rows:,} rows (linear, a lower bound): "
        f"{per_row * args.rows:,.0f} s vs geosuff {geo['seconds']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
