"""``--year`` and ``--years`` on the command line, on the real data."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from geosuff.cli.main import app
from geosuff.io.projections import read_projection

runner = CliRunner()
BASIS_2034 = (
    "ONS 2018-based subnational population projections (snpp2018_persons_table2.csv) for 2034, "
    "apportioned to LSOAs by their share of their authority's population in each age group "
    "(0-64, 65-69, 70-74, 75-79, 80-84, 85-89, 90+) in the ONS mid-2020 LSOA population estimates"
)


def invoke(*args):
    return runner.invoke(app, ["--quiet", *map(str, args)])


@pytest.fixture(scope="module")
def projection(data_dir):
    return read_projection(data_dir / "ons" / "snpp2018_persons_table2.csv")


def _aged_75plus(projection, codes, year):
    return projection.band_totals(list(codes), year, [0, 75])[75]


@pytest.mark.parametrize(
    ("area", "total_75plus"),
    [
        ("Bath and North East Somerset", 23_853.4),
        ("Worcestershire", 91_090.6),  # the county row; its districts add up to 91,090.3
        ("Wiltshire", 75_063.5),
    ],
)
def test_supply_year_equals_the_projection(data_dir, tmp_path, projection, area, total_75plus):
    out = tmp_path / "supply.csv"
    res = invoke("supply", "--area", area, "--year", 2034, "--data", data_dir, "--out", out)
    assert res.exit_code == 0, res.output
    assert f"population 2034: {BASIS_2034}" in res.stdout
    table = pd.read_csv(out)
    assert set(table["year"]) == {2034}
    assert set(table["population_basis"]) == {BASIS_2034}
    expected = _aged_75plus(projection, table["unit"], 2034)
    assert table["pop_75plus"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)
    assert table["pop_75plus"].sum() == pytest.approx(total_75plus, abs=0.5)
    # Benchmarks and gaps are for 2034's 75+; supply is as loaded.
    assert table["nursing_beds_benchmark"].to_numpy() == pytest.approx(
        table["pop_75plus"].to_numpy() * 45 / 1000
    )
    assert table["residential_beds_gap"].to_numpy() == pytest.approx(
        (table["residential_beds"] - table["pop_75plus"] * 65 / 1000).to_numpy()
    )


def test_supply_years_one_row_per_unit_and_year(data_dir, tmp_path, projection):
    out = tmp_path / "trajectory.csv"
    res = invoke(
        "supply", "--area", "Rutland", "--years", "2020,2025-2040:5", "--data", data_dir,
        "--out", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert table["year"].tolist() == [2020, 2025, 2030, 2035, 2040]
    assert table["unit"].unique().tolist() == ["E06000017"]
    assert table.loc[0, "pop_75plus"] == 4_964
    assert table.loc[0, "population_basis"] == "ONS mid-2020 LSOA population estimates"
    for year, value in zip(table["year"][1:], table["pop_75plus"][1:], strict=True):
        assert value == pytest.approx(_aged_75plus(projection, ["E06000017"], year).item())
    assert table["beds"].nunique() == 1 and table["beds"].iloc[0] == 419
    assert "population 2020: ONS mid-2020 LSOA population estimates" in res.stdout
    assert "population 2025, 2030, 2035, 2040: ONS 2018-based" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--year", "2050"],
            "geosuff: error: year 2050 is outside the projection's range 2018-2043 "
            "(snpp2018_persons_table2.csv)",
        ),
        (
            ["--years", "2030,2044"],
            "geosuff: error: year 2044 is outside the projection's range 2018-2043 "
            "(snpp2018_persons_table2.csv)",
        ),
        (["--year", "2030", "--years", "2030"], "geosuff: error: give --year or --years, not both"),
        (
            ["--years", "soon"],
            "geosuff: error: years: 'soon' is not a year or a range like 2025-2040:5",
        ),
    ],
)
def test_bad_years_are_one_line_errors(data_dir, tmp_path, args, message):
    out = tmp_path / "x.csv"
    res = invoke("supply", "--area", "Rutland", "--data", data_dir, "--out", out, *args)
    assert res.exit_code == 2
    assert res.stderr.strip() == message
    assert not out.exists()


def test_layers_summary_year(data_dir):
    res = invoke(
        "layers", "summary", "--area", "Bath and North East Somerset", "--year", 2030,
        "--data", data_dir, "-f", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["year"] == 2030
    assert payload["population_basis"].startswith("ONS 2018-based subnational population")
    row = payload["rows"][-1]
    assert row["pop_75plus"] == pytest.approx(22_631.1, abs=1e-6)
    assert row["year"] == 2030
    table = invoke("layers", "summary", "--area", "Rutland", "--year", 2034, "--data", data_dir)
    assert table.exit_code == 0
    assert "Rutland (E06000017), population 2034" in table.stdout
    assert "7,184" in table.stdout


def test_access_and_gaps_year(data_dir, tmp_path):
    out = tmp_path / "acc.csv"
    res = invoke(
        "access", "--area", "Rutland", "--year", 2034, "--data", data_dir, "-f", "json",
        "--out", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["year"] == 2034
    assert summary["aged_75plus"] == pytest.approx(7_184.4, abs=1e-6)
    assert summary["population_basis"] == BASIS_2034
    table = pd.read_csv(out)
    assert set(table["year"]) == {2034} and set(table["population_basis"]) == {BASIS_2034}
    gaps_out = tmp_path / "gaps.csv"
    res = invoke(
        "gaps", "--area", "Rutland", "--year", 2030, "--no-runs", "--data", data_dir,
        "-f", "json", "--out", gaps_out,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["year"] == 2030
    assert set(pd.read_csv(gaps_out)["year"]) == {2030}
