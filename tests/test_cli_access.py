import json

import geopandas as gpd
import pandas as pd
from typer.testing import CliRunner

from geosuff.cli.main import app

runner = CliRunner()


def invoke(*args, env=None):
    return runner.invoke(app, ["--quiet", *map(str, args)], env=env)


def test_access_json_and_output(data_dir, tmp_path):
    out = tmp_path / "acc.parquet"
    res = invoke("access", "--area", "Rutland", "--data", data_dir, "-f", "json", "--out", out)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    # every LSOA and home carries its RUC11 class: the calibrated estimate, named
    assert summary["travel_method"] == "estimate_calibrated"
    assert summary["travel_calibration"].startswith("Rutland (E06000017), road network")
    assert summary["lsoas"] == 23 and summary["aged_75plus"] == 4964
    table = gpd.read_parquet(out)
    assert len(table) == 23 and table.crs.to_epsg() == 27700
    assert set(table["travel_method"]) == {"estimate_calibrated"}
    assert set(table["travel_calibration"]) == {summary["travel_calibration"]}


def test_access_with_network(data_dir, tmp_path):
    pbf = data_dir / "osm" / "rutland-2022-07-20.osm.pbf"
    res = invoke(
        "access",
        "--area",
        "Rutland",
        "--data",
        data_dir,
        "--network",
        pbf,
        "-f",
        "json",
        env={"GEOSUFF_CACHE": str(tmp_path)},
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["travel_method"] == "network"


def test_runs_by_zone_table(data_dir, tmp_path):
    zones = tmp_path / "zones.csv"
    zones.write_text(
        "ward_name,zone\nOakham North East,Oakham\nOakham North West,Oakham\n"
        "Oakham South,Oakham\nUppingham,South\nLyddington,South\n"
    )
    out = tmp_path / "runs.csv"
    res = invoke(
        "runs",
        "--area",
        "Rutland",
        "--data",
        data_dir,
        "--zones",
        zones,
        "--runs",
        "20",
        "--out",
        out,
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    zones_out = {z["zone"] for z in json.loads(res.stdout)["zones"]}
    assert zones_out == {"Oakham", "South", "(none)"}
    assert "LSOA in no zone" in res.stderr
    assert len(pd.read_csv(out)) == 3


def test_gaps_focus_tenbury(data_dir):
    res = invoke(
        "gaps",
        "--area",
        "Worcestershire",
        "--data",
        data_dir,
        "--focus",
        "Tenbury Wells",
        "--no-runs",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["focus"] == "Tenbury Wells (ward Tenbury)"
    assert summary["focus LSOAs"] >= 3
    assert summary["focus LSOAs flagged"] >= 1


def test_bad_thresholds_file(data_dir, tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text("[gaps]\nnursing_mins = 3\n")
    res = invoke("gaps", "--area", "Rutland", "--data", data_dir, "--thresholds", bad)
    assert res.exit_code == 2 and "unknown gap thresholds" in res.stderr


def test_travel_matrix_from_layer_names(data_dir, tmp_path):
    out = tmp_path / "tt.parquet"
    res = invoke(
        "travel",
        "matrix",
        "--from",
        "lsoa",
        "--to",
        "care-homes",
        "--area",
        "Rutland",
        "--data",
        data_dir,
        "--out",
        out,
    )
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(out)
    assert len(table) == 23 * 12
    assert table["origin_id"].str.startswith("E01").all()
    assert set(table["method"]) == {"estimate_calibrated"}
    res = invoke("travel", "matrix", "--from", "lsoa", "--to", "care-homes", "--out", out)
    assert res.exit_code == 2 and "needs --area" in res.stderr
