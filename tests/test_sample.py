"""The Rutland sample shipped with geosuff: real figures, its own README, every command.

These tests need no data folder (they run in a fresh clone); those comparing the
sample with the full data folder skip without it.
"""

import hashlib
import json
import tomllib
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

import geosuff
import geosuff.batch
from geosuff import datasets
from geosuff.cli.main import app
from geosuff.io.surroundings import load_surroundings

SAMPLE = datasets.sample_dir()
INFO = tomllib.loads((SAMPLE / "SAMPLE.toml").read_text(encoding="utf-8"))
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["--quiet", *map(str, args)])


@pytest.fixture(scope="module")
def rutland():
    return geosuff.load_area_layers("Rutland", data_dir=SAMPLE)


def test_sample_holds_rutlands_real_figures(rutland):
    row = geosuff.area_summary(rutland).iloc[-1]
    assert (row["lsoas"], row["pop_75plus"], row["care_homes"], row["beds"]) == (23, 4964, 12, 419)
    assert rutland.rejects.empty
    assert set(rutland.missing) == {"home_care", "extra_care"}


def test_every_file_is_listed_with_its_checksum_source_and_licence():
    listed = INFO["files"]
    on_disk = {
        p.relative_to(SAMPLE).as_posix()
        for p in SAMPLE.rglob("*")
        if p.is_file() and p.name not in ("README.md", "SAMPLE.toml")
    }
    assert set(listed) == on_disk
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for rel, entry in listed.items():
        data = (SAMPLE / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], rel
        assert entry["licence"] and entry["source"] and entry["attribution"], rel
        assert f"`{rel}`" in readme
    for credit in ("Open Government Licence", "© OpenStreetMap contributors", "Royal Mail"):
        assert credit in readme
    total = sum(e["bytes"] for e in listed.values())
    assert 2_000_000 < total < 3_500_000


def test_codepoint_zip_keeps_the_published_layout():
    with zipfile.ZipFile(SAMPLE / "postcodes" / "codepo_gb_2025-05.zip") as zf:
        names = zf.namelist()
        assert "Doc/licence.txt" in names and "Data/CSV/le.csv" in names
    table = geosuff.load_postcodes(SAMPLE / "postcodes" / "codepo_gb_2025-05.zip")
    rutland = table[table["la_code"] == "E06000017"]
    assert len(rutland) == 1273
    assert rutland.index.str.match(r"^(LE|PE)").all()


def test_only_rutlands_outline_but_every_authority_name():
    table = geosuff.io.areas.list_areas(SAMPLE)
    assert {"Rutland", "Wiltshire", "Worcestershire"} <= set(table["name"])
    with pytest.raises(geosuff._errors.DataMissingError, match="holds Rutland only"):
        geosuff.load_area_layers("Wiltshire", data_dir=SAMPLE)


def test_cross_border_rows_cover_the_default_buffer(rutland):
    around = load_surroundings(rutland, buffer_km=20, data_dir=SAMPLE)
    assert len(around.demand) == INFO["lsoas"] == 1790
    # the sample holds every CQC row within the buffer (261); the area's layers count
    # homes for older people (the default scope), each home once, and neighbours follow
    assert INFO["care_homes_within_buffer"] == 261
    assert len(around.providers["care_homes"]) == 187
    every = geosuff.load_area_layers("Rutland", data_dir=SAMPLE, scope="all")
    around_all = load_surroundings(every, buffer_km=20, data_dir=SAMPLE)
    assert len(around_all.providers["care_homes"]) == 261 - 1  # one home CQC lists twice
    assert datasets.coverage_note(SAMPLE, buffer_km=20) is None
    assert "incomplete" in datasets.coverage_note(SAMPLE, buffer_km=30)
    assert datasets.coverage_note(SAMPLE.parent.parent, buffer_km=30) is None


def test_wider_buffer_says_cross_border_figures_are_incomplete():
    res = invoke(
        "access", "--area", "Rutland", "--data", "sample", "--buffer-km", "30", "-f", "json"
    )
    assert res.exit_code == 0, res.output
    assert "cross-border figures are incomplete" in res.stderr
    assert json.loads(res.stdout)["lsoas"] == 23


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("networks")


def test_commands_on_the_sample(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("GEOSUFF_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    pbf = "osm/rutland-2022-07-20.osm.pbf"  # found in the data folder
    res = invoke("layers", "summary", "--area", "Rutland", "--data", "sample", "-f", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["rows"][-1]["beds"] == 419
    res = invoke(
        "supply", "--area", "Rutland", "--by", "ward", "--data", "sample", "--out", "w.csv"
    )
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "w.csv")["pop_75plus"].sum() == 4964
    res = invoke("access", "--area", "Rutland", "--data", "sample", "--network", pbf, "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["travel_method"] == "network"
    res = invoke("gaps", "--area", "Rutland", "--data", "sample", "--focus", "Oakham", "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["focus LSOAs"] > 0
    res = invoke(
        "zones", "propose", "--seeds", "rutland_3_zones", "--data", "sample", "--out", "z.geojson"
    )
    assert res.exit_code == 0, res.output
    assert sorted(gpd.read_file(tmp_path / "z.geojson")["zone"]) == [
        "Ketton",
        "Oakham",
        "Uppingham",
    ]
    res = invoke("data", "list", "--data", "sample")
    assert res.exit_code == 0 and "osm" in res.stdout
    res = invoke("data", "fetch", "--area", "Rutland", "--data", "sample")
    assert res.exit_code == 2 and "read-only" in res.output


def test_map_recipe_from_any_folder_on_the_sample(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("GEOSUFF_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    res = invoke(
        "map", "maps/rutland.toml", "--data", "sample", "--tiles", "none", "--out", "r.html"
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "network" in html.lower() and "Leaflet" in html


def test_batch_recipe_from_any_folder_on_the_sample(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("GEOSUFF_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    res = invoke("batch", "examples/rutland.toml", "--data", "sample", "--out", "b", "--quiet")
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["runs"][-1]["failed"] == []
    assert manifest["tasks"]["E06000017/access"]["travel_method"] == "network"
    assert manifest["tasks"]["E06000017/zones_check"]["rows"] == 3
    assert manifest["tasks"]["E06000017/report"]["output"] == "E06000017/report.html"
    page = (tmp_path / "b" / "E06000017" / "report.html").read_text(encoding="utf-8")
    assert "Oakham" in page and "Care-worker travel per visit by zone" in page


# --- the sample against the full data folder -------------------------------------------------


def test_sample_rows_are_rows_of_the_data_folder(data_dir):
    for rel, entry in INFO["files"].items():
        if not rel.endswith(".csv"):
            continue
        full = (data_dir / rel).read_bytes().splitlines()
        mine = (SAMPLE / rel).read_bytes().splitlines()
        assert mine[0] == full[0], rel
        assert set(mine[1:]) <= set(full[1:]), rel
        assert len(mine) - 1 == entry["rows"], rel
    for rel in ("ons/lsoa11_bgc/E06000017.geojson", "osm/rutland-2022-07-20.osm.pbf"):
        assert (SAMPLE / rel).read_bytes() == (data_dir / rel).read_bytes()


def test_sample_gives_the_same_access_as_the_data_folder(data_dir, rutland):
    full = geosuff.load_area_layers("Rutland", data_dir=data_dir)
    ours = geosuff.access(rutland, surroundings=load_surroundings(rutland, data_dir=SAMPLE))
    theirs = geosuff.access(full, surroundings=load_surroundings(full, data_dir=data_dir))
    # the coverage notes name each folder's own provider lists; the figures must agree
    cols = [c for c in theirs.columns if c != "geometry" and not c.endswith("_coverage")]
    pd.testing.assert_frame_equal(pd.DataFrame(ours[cols]), pd.DataFrame(theirs[cols]))
    assert ours["e2sfca_beds_per_1000_75plus"].notna().all()
    assert ours["home_care_coverage"].str.startswith("partial: no home care file").all()


def test_batch_on_the_sample_notes_a_wider_buffer(tmp_path):
    raw = {
        "output": str(tmp_path / "out"),
        "analyses": ["summary", "access"],
        "areas": ["Rutland"],
        "access": {"buffer_km": 30},
    }
    manifest = geosuff.batch.run(raw, data_dir="sample")
    access = manifest["tasks"]["E06000017/access"]
    assert access["status"] == "done"
    assert any("cross-border figures are incomplete" in n for n in access["notes"])
    raw["access"] = {"buffer_km": 20}
    manifest = geosuff.batch.run(raw, data_dir="sample")
    assert "notes" not in manifest["tasks"]["E06000017/access"]
