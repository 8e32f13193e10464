"""Coverage verdicts, source records (vintages) and provenance inside output files."""

import json
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geosuff._errors import ValidationError
from geosuff.io.coverage import ENGLAND, ENGLAND_POP_75PLUS, assess_coverage, check_declarations
from geosuff.io.files import write_table
from geosuff.io.output_meta import PROVENANCE_KEY, read_provenance, sidecar_path
from geosuff.io.source_info import data_readme_entry, source_info

README = """# data
| path | what | vintage | notes |
|---|---|---|---|
| `ons/lsoa11_bgc/<code>.geojson` | 2011 LSOA boundaries, generalised | ONS | fine |
| `care_lists/home_care.csv` | Domiciliary care agencies, sources | mixed, 2013-2024 | **Partial** |
| `cqc/hsca_2021.csv` | CQC "HSCA active locations": care homes | CQC, about April 2021 | all |
"""


def _agencies(n):
    return pd.DataFrame({"provider_id": [f"a{i}" for i in range(n)]})


def test_england_references_per_1000():
    assert ENGLAND_POP_75PLUS == 4_865_591
    assert ENGLAND["care_homes"].per_1000_75plus == pytest.approx(94.33, abs=0.01)
    assert ENGLAND["home_care"].per_1000_75plus == pytest.approx(2.37, abs=0.01)
    assert ENGLAND["extra_care"].per_1000_75plus == pytest.approx(8.77, abs=0.01)


def test_far_below_england_is_partial_and_plausible_is_unknown():
    sample = assess_coverage("home_care", _agencies(1), pop_75plus=51_991)
    assert sample.status == "partial"
    assert sample.reason == (
        "1 agency = 0.02 per 1,000 aged 75+ (England 2.37): under a quarter of England's "
        "rate, so the list cannot be complete"
    )
    full = assess_coverage("home_care", _agencies(120), pop_75plus=51_991)
    assert full.status == "unknown" and full.usable_for_gaps


def test_declarations_in_order():
    facts = {"declared_coverage": "complete", "definition": "cqc_hsca_active_locations"}
    homes = pd.DataFrame({"beds": [40.0] * 100})
    assert assess_coverage("care_homes", homes, pop_75plus=50_000, facts=facts).status == (
        "complete"
    )
    user = assess_coverage("care_homes", homes, pop_75plus=50_000, facts=facts, declared="partial")
    assert user.label() == "partial: declared partial by the user"
    readme = {"notes": "**Partial**: 3 agencies."}
    marked = assess_coverage("home_care", _agencies(500), pop_75plus=50_000, readme=readme)
    assert marked.status == "partial"
    assert marked.reason.startswith("the data folder's README marks this file as partial")
    catalogue = assess_coverage(
        "home_care", _agencies(1), pop_75plus=50_000, catalogue={"coverage": "complete"}
    )
    assert catalogue.status == "complete"


def test_sources_without_measures_are_partial():
    bedless = assess_coverage(
        "care_homes", pd.DataFrame({"beds": [None] * 5}), pop_75plus=1000, facts={"has_beds": False}
    )
    assert bedless.reason == "no bed counts in the source: homes counted, beds unknown"
    schemes = pd.DataFrame({"units": [40.0, None, 60.0]})
    part = assess_coverage("extra_care", schemes, pop_75plus=1000)
    assert part.status == "partial" and part.reason.startswith("units not stated for 1 of 3")
    assert assess_coverage("extra_care", None, pop_75plus=1000).status == "partial"


def test_declaration_checks():
    assert check_declarations({"home_care": "complete"}) == {"home_care": "complete"}
    with pytest.raises(ValidationError, match="coverage can be declared for"):
        check_declarations({"population": "complete"})
    with pytest.raises(ValidationError, match="coverage must be one of"):
        check_declarations({"home_care": "full"})


def test_readme_and_catalogue_give_vintages(tmp_path):
    (tmp_path / "README.md").write_text(README)
    (tmp_path / "care_lists").mkdir()
    agencies = tmp_path / "care_lists" / "home_care.csv"
    agencies.write_text("name\n")
    entry = data_readme_entry(tmp_path, agencies)
    assert entry["vintage"] == "mixed, 2013-2024" and entry["notes"] == "**Partial**"
    info = source_info("home_care", agencies, tmp_path, {"definition": "generic_providers"})
    assert (info.title, info.vintage) == ("Domiciliary care agencies", "mixed, 2013-2024")
    lsoa = tmp_path / "ons" / "lsoa11_bgc" / "E06000054.geojson"
    assert source_info("lsoa", lsoa, tmp_path).vintage == "ONS; 2011 LSOAs"
    homes = tmp_path / "cqc" / "hsca_2021.csv"
    facts = {"title": "CQC HSCA active locations", "latest_date": "latest X 2021-03-31"}
    assert source_info("care_homes", homes, tmp_path, facts).vintage == "CQC, about April 2021"
    (tmp_path / "catalogue.json").write_text(
        json.dumps({"format": 1, "files": {"cqc/hsca_2021.csv": {"vintage": "2021-04"}}})
    )
    assert source_info("care_homes", homes, tmp_path, facts).vintage == "2021-04"


def test_vintage_from_the_file_itself_never_its_mtime(tmp_path):
    own = tmp_path / "mine.csv"
    own.write_text("x\n")
    facts = {"latest_date": "latest Location HSCA start date 2021-03-31"}
    assert source_info("care_homes", own, None, facts).vintage == facts["latest_date"]
    assert source_info("care_homes", own, None).vintage == ""
    pop = tmp_path / "population_mid2019_lsoa11_syoa.csv"
    assert source_info("population", pop, None).vintage == "mid-2019"


RECORD = {"scope": "older-people", "sources": [{"layer": "care_homes", "vintage": "2021"}]}


def _table():
    return gpd.GeoDataFrame({"unit": ["a"], "beds": [1.0]}, geometry=[Point(0, 0)], crs=27700)


@pytest.mark.parametrize("ext", ["gpkg", "parquet", "csv", "json", "geojson"])
def test_provenance_round_trip(tmp_path, ext):
    out = tmp_path / f"t.{ext}"
    write_table(_table(), out, provenance=RECORD)
    assert read_provenance(out) == RECORD
    sidecar = sidecar_path(out)
    assert sidecar.is_file() == (ext in ("csv", "json", "geojson"))
    if ext == "gpkg":
        with sqlite3.connect(out) as con:
            text = " ".join(r[0] for r in con.execute("select metadata from gpkg_metadata"))
        assert PROVENANCE_KEY in text and "older-people" in text
        assert len(gpd.read_file(out)) == 1
    if ext == "parquet":
        back = gpd.read_parquet(out)  # still valid GeoParquet
        assert back.crs.to_epsg() == 27700
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_no_provenance_no_sidecar(tmp_path):
    out = tmp_path / "plain.csv"
    write_table(_table(), out)
    assert read_provenance(out) is None
    assert [p.name for p in tmp_path.iterdir()] == ["plain.csv"]
