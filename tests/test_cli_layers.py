import json

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from geosuff.cli.main import app
from geosuff.io.files import write_table
from tests.fixtures import HSCA_HEADER, write_csv

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["--quiet", *map(str, args)])


def test_summary_json_wiltshire(data_dir):
    res = invoke("layers", "summary", "--area", "Wiltshire", "--data", data_dir, "-f", "json")
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    row = payload["rows"][-1]
    # older-people scope (default): 134 homes registered for Older People or Dementia,
    # less Gracewell of Salisbury's second registration
    assert (row["lsoas"], row["pop_75plus"], row["care_homes"], row["beds"]) == (
        285,
        51_991,
        133,
        4_483,
    )
    assert payload["area"]["code"] == "E06000054"
    assert payload["provenance"]["scope"] == "older-people"
    all_homes = invoke(
        "layers",
        "summary",
        "--area",
        "Wiltshire",
        "--data",
        data_dir,
        "-f",
        "json",
        "--scope",
        "all",
    )
    row = json.loads(all_homes.stdout)["rows"][-1]
    assert (row["care_homes"], row["beds"]) == (176 - 1, 4_814 - 63)


def test_summary_table_rutland(data_dir):
    res = invoke("layers", "summary", "--area", "Rutland", "--data", data_dir)
    assert res.exit_code == 0
    assert "Rutland (E06000017)" in res.stdout
    assert "4,964" in res.stdout and "419" in res.stdout


def test_summary_csv_counties(data_dir):
    res = invoke("layers", "summary", "--area", "Worcestershire", "--data", data_dir, "-f", "csv")
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 8 and lines[-1].startswith("E10000034,Worcestershire,364,")


def test_unknown_area_is_one_line_error(data_dir):
    res = invoke("layers", "summary", "--area", "Atlantis", "--data", data_dir)
    assert res.exit_code == 2
    assert res.stderr.startswith("geosuff: error: no local authority called 'Atlantis'")
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_own_care_homes_file_rejects_and_strict(tmp_path, data_dir):
    homes = write_csv(
        tmp_path / "mine.csv",
        HSCA_HEADER,
        [
            ["1-1", "Y", "Ok", "Rutland", "", 52.67, -0.73, "Y", "", "", "Y", 40],
            ["1-2", "Y", "Bad", "Rutland", "", 52.67, -0.73, "", "Y", "", "Y", "lots"],
        ],
    )
    args = [
        "layers",
        "summary",
        "--area",
        "Rutland",
        "--data",
        data_dir,
        "--care-homes",
        homes,
        "-f",
        "json",
    ]
    res = invoke(*args, "--rejects", tmp_path / "rej.csv")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["rows"][-1]["beds"] == 40
    assert "1 input rows rejected" in res.stderr
    assert "beds not a non-negative number: 'lots'" in res.stderr
    assert pd.read_csv(tmp_path / "rej.csv")["name"].tolist() == ["Bad"]
    strict = invoke(*args, "--strict")
    assert strict.exit_code == 2 and "geosuff: error:" in strict.stderr


def test_unreadable_file_names_it(tmp_path, data_dir):
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    res = invoke("layers", "summary", "--area", "Rutland", "--data", data_dir, "--care-homes", bad)
    assert res.exit_code == 2
    assert "broken.csv" in res.stderr and "Traceback" not in res.output


@pytest.mark.parametrize("ext", ["csv", "gpkg", "parquet"])
def test_supply_outputs(tmp_path, data_dir, ext):
    out = tmp_path / f"wards.{ext}"
    res = invoke("supply", "--area", "Wiltshire", "--by", "ward", "--data", data_dir, "--out", out)
    assert res.exit_code == 0, res.output
    table = (
        pd.read_csv(out)
        if ext == "csv"
        else gpd.read_file(out, layer="wards")
        if ext == "gpkg"
        else gpd.read_parquet(out)
    )
    assert len(table) == 98 and table["pop_75plus"].sum() == 51_991
    assert table["care_homes"].sum() == 133
    tisbury = table[table["ward_name"] == "Tisbury"].iloc[0]
    assert tisbury["residential_beds_gap"] < 0
    if ext != "csv":
        assert table.crs.to_epsg() == 27700
    if ext == "gpkg":  # QGIS styles travel with the file, default: beds per 1,000 aged 75+
        from geosuff.io.qgis_styles import read_layer_styles

        styles = read_layer_styles(out)
        assert set(styles["f_table_name"]) == {"wards"}
        assert styles.loc[styles["useAsDefault"] == 1, "styleName"].tolist() == [
            "geosuff beds per 1,000 75+"
        ]


def test_supply_by_zone_needs_zones(data_dir, tmp_path):
    res = invoke(
        "supply",
        "--area",
        "Rutland",
        "--by",
        "zone",
        "--data",
        data_dir,
        "--out",
        tmp_path / "x.csv",
    )
    assert res.exit_code == 2 and "--zones" in res.stderr


def test_failed_write_leaves_no_file(tmp_path):
    out = tmp_path / "t.parquet"
    bad = pd.DataFrame({"a": [object()]})
    with pytest.raises(Exception):  # noqa: B017 - any serialisation error
        write_table(bad, out)
    assert list(tmp_path.iterdir()) == []
