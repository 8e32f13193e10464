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
    # the ward's two LSOAs (RUC11 E1 and D1), not its neighbours on the edge
    assert summary["focus LSOAs"] == 2
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


def test_runs_by_lsoa_with_ward_names(data_dir, tmp_path):
    out = tmp_path / "lsoas.csv"
    res = invoke(
        "runs",
        "--area",
        "Rutland",
        "--data",
        data_dir,
        "--by",
        "lsoa",
        "--days",
        "10",
        "--out",
        out,
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["parameters"]["clients_per_1000_75plus"] == 58.0
    assert payload["parameters"]["hourly_pay_gbp"] == 12.21
    assert "ESTIMATES" in payload["note"]
    table = pd.read_csv(out)
    assert len(table) == 23 and table["ward_name"].notna().all()
    assert list(table.columns[:3]) == ["lsoa_code", "ward_name", "ward_code"]
    assert table["home_care_round_area"].str.startswith("local patch (").all()
    assert (table["home_care_minutes_per_visit_p10"] <= table["home_care_minutes_per_visit"]).all()
    assert (table["home_care_minutes_per_visit"] <= table["home_care_minutes_per_visit_p90"]).all()
    # the longest LSOAs are listed first on stdout
    shown = [r["home_care_minutes_per_visit"] for r in payload["lsoas"]]
    assert shown == sorted(shown, reverse=True)


def test_gaps_focus_wilton_counts_lsoas_inside(data_dir, tmp_path):
    out = tmp_path / "gaps.csv"
    res = invoke(
        "gaps",
        "--area",
        "Wiltshire",
        "--data",
        data_dir,
        "--focus",
        "Wilton",
        "--days",
        "10",
        "--out",
        out,
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["focus"] == "Wilton (ward Wilton)"
    assert summary["focus LSOAs"] == 3
    assert summary["lsoas flagged"] < 285
    table = pd.read_csv(out)
    flagged = table[table["flagged"]]
    assert flagged["pop_75plus"].is_monotonic_decreasing
    home = table[table["gap_home_care"]]
    assert len(home) > 0
    assert home["reasons"].str.contains("rounds within local patch (", regex=False).all()
    calibrated = "estimated (straight line, calibrated by setting)"
    assert home["reasons"].str.contains(calibrated, regex=False).all()
