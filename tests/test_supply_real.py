"""The supply rules on the real data folder (skipped where it is absent)."""

import functools

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from geosuff.analysis.summary import area_summary, layer_supply
from geosuff.cli.main import app
from geosuff.io.area_layers import load_area_layers
from geosuff.io.areas import resolve_area
from tests.fixtures import write_csv

runner = CliRunner()
AREAS = ["Wiltshire", "Worcestershire", "Rutland", "BANES"]


@functools.cache
def _layers(data_dir, area, scope="older-people", nursing_share=None):
    """Load once per module (the tests only read the layers)."""
    return load_area_layers(area, data_dir=data_dir, scope=scope, nursing_share=nursing_share)


def _independent_count(data_dir, area_name):
    """Count older-people homes and beds straight from the CQC CSV with plain pandas."""
    area = resolve_area(area_name, data_dir)
    cqc = pd.read_csv(data_dir / "cqc" / "hsca_care_homes_2021-04_england.csv", dtype=str)
    mine = cqc[cqc["Location Local Authority"].isin(area.district_names)].copy()
    mine["beds"] = pd.to_numeric(mine["Care homes beds"])
    older = mine["Service user band - Older People"].eq("Y") | mine[
        "Service user band - Dementia"
    ].eq("Y")
    mine = mine[older & mine["beds"].between(1, 400)]
    key = [mine["Location Name"].str.lower().str.strip(), "Location Latitude", "Location Longitude"]
    mine = mine.loc[~mine.set_index(key).index.duplicated(keep="first")]
    nursing = mine["Service type - Care home service with nursing"].eq("Y")
    return len(mine), mine["beds"].sum(), mine.loc[nursing, "beds"].sum()


@pytest.mark.parametrize(
    ("area", "homes", "beds"),
    [
        ("Wiltshire", 133, 4_483),
        ("Worcestershire", 134, 5_435),
        ("Rutland", 12, 419),
        ("BANES", 40, 1_512),
    ],
)
def test_older_people_totals_equal_an_independent_count(data_dir, area, homes, beds):
    layers = _layers(data_dir, area)
    total = area_summary(layers).iloc[-1]
    n, n_beds, n_nursing = _independent_count(data_dir, area)
    assert (total["care_homes"], total["beds"]) == (n, n_beds) == (homes, beds)
    assert total["nursing_beds"] == n_nursing
    assert total["nursing_beds"] + total["residential_beds"] == total["beds"]
    # every home of the area is in the layer or listed as excluded/rejected
    every = _layers(data_dir, area, "all")
    excluded = layers.rejects["action"].eq("excluded").sum()
    assert len(layers.care_homes) + excluded == len(every.care_homes)


def test_younger_adults_beds_left_out(data_dir):
    """About 300 Wiltshire beds and 130 B&NES beds are in homes older people cannot use."""
    for area, beds in (("Wiltshire", 268), ("BANES", 126)):
        older = area_summary(_layers(data_dir, area)).iloc[-1]["beds"]
        every = area_summary(_layers(data_dir, area, "all"))
        assert every.iloc[-1]["beds"] - older == beds


def test_wiltshire_samples_are_partial_and_give_no_gap(data_dir):
    layers = _layers(data_dir, "Wiltshire")
    home_care, extra_care = layers.coverage["home_care"], layers.coverage["extra_care"]
    assert home_care.status == "partial" and extra_care.status == "partial"
    assert "README marks this file as partial" in home_care.reason
    assert "1 agency = 0.02 per 1,000 aged 75+ (England 2.37)" in home_care.reason
    assert layers.coverage["care_homes"].status == "complete"
    row = area_summary(layers).iloc[-1]
    assert np.isnan(row["extra_care_units_gap"])
    assert row["extra_care_units_gap_note"].startswith("insufficient data (partial: the data")
    assert not np.isnan(row["residential_beds_gap"]) and row["residential_beds_gap_note"] == ""
    wards = layer_supply(layers, by="lsoa")
    assert wards["extra_care_units_gap"].isna().all()
    assert wards["home_care_agencies_per_1000_75plus"].isna().all()
    assert (wards["home_care_coverage"].str.startswith("partial: ")).all()


def test_vintages_from_the_data_readme(data_dir):
    layers = _layers(data_dir, "Rutland")
    vintages = {k: v.vintage for k, v in layers.provenance.items()}
    assert vintages["care_homes"] == "CQC, about April 2021"
    assert vintages["population"] == "ONS mid-2020"
    assert vintages["home_care"] == "mixed, 2013–2024"


def test_nursing_share_on_real_homes(data_dir):
    reg = _layers(data_dir, "Wiltshire")
    share = _layers(data_dir, "Wiltshire", nursing_share=0.6)
    a, b = area_summary(reg).iloc[-1], area_summary(share).iloc[-1]
    assert b["beds"] == a["beds"] == 4_483
    assert b["nursing_beds"] == pytest.approx(0.6 * a["nursing_beds"])
    assert b["residential_beds"] == pytest.approx(a["residential_beds"] + 0.4 * a["nursing_beds"])
    # the registration rule's nursing shortfall of 9 becomes a larger one, residential shrinks
    assert round(a["nursing_beds_gap"]) == -9
    assert b["nursing_beds_gap"] < a["nursing_beds_gap"]
    assert b["residential_beds_gap"] > a["residential_beds_gap"]


def test_bed_use_file_on_real_rutland(data_dir, tmp_path):
    homes = _layers(data_dir, "Rutland").care_homes
    nursing = homes[homes["kind"] == "care_home_nursing"].iloc[0]
    path = write_csv(
        tmp_path / "capacity_tracker.csv",
        ["Location ID", "Nursing beds", "Residential beds"],
        [[nursing["provider_id"], 10, int(nursing["beds"]) - 10]],
    )
    layers = load_area_layers("Rutland", data_dir=data_dir, bed_use=path)
    row = layers.care_homes.set_index("provider_id").loc[nursing["provider_id"]]
    assert row["nursing_beds"] == 10 and row["bed_use_basis"] == "bed-use file"
    assert layers.bed_split.startswith("bed-use file capacity_tracker.csv for 1 of 12 homes")


@pytest.mark.parametrize("area", AREAS)
def test_supply_table_states_scope_split_coverage_and_vintages(data_dir, area):
    res = runner.invoke(app, ["--quiet", "supply", "--area", area, "--data", str(data_dir)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "Scope: older-people: care homes registered by CQC" in text
    assert "Bed split: registration: every bed in a home registered with nursing" in text
    assert "Coverage, care homes: complete" in text
    assert "Coverage, home care: partial: the data folder's README" in text
    assert "Coverage, extra care: partial" in text
    assert "(CQC, about April 2021)" in text and "(ONS mid-2020)" in text
    assert "shortfall" in text or "surplus" in text
    assert "insufficient data (partial)" in text


def test_supply_by_town_wiltshire(data_dir, tmp_path):
    out = tmp_path / "towns.csv"
    args = ["supply", "--area", "Wiltshire", "--by", "town", "--data", str(data_dir)]
    res = runner.invoke(app, ["--quiet", *args, "--out", str(out), "-f", "none"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out).set_index("unit")
    assert table["pop_75plus"].sum() == 51_991 and table["care_homes"].sum() == 133
    assert {"Trowbridge", "Warminster", "Salisbury", "Tisbury"} <= set(table.index)
    assert table.loc["Trowbridge", "n_lsoas"] > table.loc["Tisbury", "n_lsoas"]
    record = pd.read_json(tmp_path / "towns.sources.json", typ="series")
    assert record["unit"] == "town" and record["scope"] == "older-people"


def test_supply_scope_all_reproduces_the_totals(data_dir, tmp_path):
    out = tmp_path / "la.parquet"
    args = ["supply", "--area", "Rutland", "--data", str(data_dir), "--scope", "all"]
    res = runner.invoke(app, ["--quiet", *args, "--out", str(out), "-f", "json"])
    assert res.exit_code == 0, res.output
    import geopandas as gpd

    table = gpd.read_parquet(out)
    assert table["care_homes"].sum() == 12 and table["beds"].sum() == 419
    from geosuff.io.output_meta import read_provenance

    assert read_provenance(out)["scope"] == "all"
