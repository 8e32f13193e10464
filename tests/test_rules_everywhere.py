"""The supply rules (scope, bed split, coverage, ...) reach maps, reports, zones and batch."""

import textwrap

import pandas as pd
import pytest

import geosuff.batch
from geosuff.analysis.summary import area_summary
from geosuff.batch import RecipeError, load_recipe
from geosuff.io.area_layers import load_area_layers
from geosuff.io.qgis_styles import styles_for_table
from geosuff.io.supply_rules import SupplyRules, read_rules
from geosuff.maps.recipe import load_recipe as load_map_recipe


def write(tmp_path, text, name="recipe.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_read_rules_combines_coverage_and_reports_each_bad_key():
    rules, problems = read_rules(
        {
            "scope": "all",
            "nursing_share": 0.6,
            "complete": ["home_care"],
            "coverage": {"extra_care": "partial"},
        }
    )
    assert problems == []
    assert rules["scope"] == "all" and rules["nursing_share"] == 0.6
    assert rules["coverage"] == {"home_care": "complete", "extra_care": "partial"}
    rules, problems = read_rules({"scope": "young", "nursing_share": 1.5, "complete": ["beds"]})
    keys = [key for key, _ in problems]
    assert keys == ["scope", "nursing_share", "complete"]
    assert not rules.get("scope") and not rules.get("coverage")


def test_map_recipe_reads_rules_and_rejects_bad_ones(tmp_path):
    good = write(tmp_path, 'area = "BANES"\nscope = "all"\nnursing_share = 0.6\n', "m.toml")
    recipe = load_map_recipe(good)
    assert recipe.rules == SupplyRules(scope="all", nursing_share=0.6)
    bad = write(tmp_path, 'area = "BANES"\nscope = "children"\n', "bad.toml")
    with pytest.raises(Exception, match="scope"):
        load_map_recipe(bad)


def test_batch_rules_top_level_and_per_area(data_dir, tmp_path):
    path = write(
        tmp_path,
        """
        output = "out"
        analyses = ["summary"]
        scope = "all"
        areas = ["Rutland", {name = "BANES", nursing_share = 0.6, scope = "older-people"}]
        """,
    )
    recipe = load_recipe(path, data_dir=data_dir)
    rutland, banes = recipe.areas
    assert rutland.rules.scope == "all" and rutland.rules.nursing_share is None
    assert banes.rules.scope == "older-people" and banes.rules.nursing_share == 0.6


def test_batch_rule_problem_names_its_line(data_dir, tmp_path):
    path = write(
        tmp_path, 'output = "out"\nanalyses = ["summary"]\nareas = ["Rutland"]\nnursing_share = 2\n'
    )
    with pytest.raises(RecipeError, match=r"recipe.toml:4: nursing_share = 2 must be from 0 to 1"):
        load_recipe(path, data_dir=data_dir)


def test_batch_supply_follows_the_rules_as_the_api_does(data_dir, tmp_path):
    path = write(
        tmp_path,
        """
        output = "out"
        analyses = ["summary"]
        scope = "all"
        areas = [{name = "BANES", nursing_share = 0.6}]
        """,
    )
    geosuff.batch.run(path, data_dir=data_dir)
    got = pd.read_parquet(tmp_path / "out" / "E06000022" / "summary.parquet").iloc[-1]
    layers = load_area_layers("BANES", data_dir=data_dir, scope="all", nursing_share=0.6)
    want = area_summary(layers).iloc[-1]
    # B&NES, every home (scope all): 58 homes, 1,638 beds (1,512 for older people)
    assert got["beds"] == want["beds"] == 1638
    assert got["nursing_beds"] == pytest.approx(want["nursing_beds"])
    default = area_summary(load_area_layers("BANES", data_dir=data_dir)).iloc[-1]
    assert default["beds"] == 1512 and got["nursing_beds"] != default["nursing_beds"]


def test_report_data_follows_scope(data_dir):
    from geosuff.report.data import collect_report_data

    every = collect_report_data("BANES", data_dir=data_dir, scope="all")
    older = collect_report_data("BANES", data_dir=data_dir)
    assert every.layers.care_homes["beds"].sum() == 1638
    assert older.layers.care_homes["beds"].sum() == 1512


def test_travel_per_visit_gets_a_qgis_style():
    df = pd.DataFrame({"home_care_minutes_per_visit": [4.0, 9.5, 15.0]})
    names = [s.name for s in styles_for_table(df)]
    assert "geosuff travel per visit" in names
    assert "geosuff travel per visit" not in [
        s.name for s in styles_for_table(pd.DataFrame({"x": [1]}))
    ]


def test_map_title_states_the_rules_without_a_click(data_dir, tmp_path):
    from geosuff.maps.title import counted_fact

    every = load_area_layers("BANES", data_dir=data_dir, scope="all", nursing_share=0.6)
    assert counted_fact(every) == "every care home; nursing share 60%"
    default = load_area_layers("Rutland", data_dir=data_dir)
    assert counted_fact(default) == "older people's homes; nursing by registration"


def test_changed_bed_use_file_reruns_the_tasks_that_read_it(data_dir, tmp_path):
    homes = load_area_layers("Rutland", data_dir=data_dir).care_homes
    home = homes.sort_values("beds").iloc[-1]
    beds = int(home["beds"])
    capacity = tmp_path / "capacity.csv"
    capacity.write_text(
        f"location_id,nursing_beds,residential_beds\n{home['provider_id']},0,{beds}\n"
    )
    path = write(
        tmp_path,
        """
        output = "out"
        analyses = ["summary"]
        areas = [{name = "Rutland", bed_use = "capacity.csv"}]
        """,
    )
    first = geosuff.batch.run(path, data_dir=data_dir)
    assert first["runs"][-1]["executed"] == ["E06000017/summary"]
    summary = tmp_path / "out" / "E06000017" / "summary.parquet"
    before = pd.read_parquet(summary)["nursing_beds"].iloc[-1]
    again = geosuff.batch.run(path, data_dir=data_dir)
    assert again["runs"][-1]["executed"] == []
    capacity.write_text(
        f"location_id,nursing_beds,residential_beds\n{home['provider_id']},{beds},0\n"
    )
    third = geosuff.batch.run(path, data_dir=data_dir)
    assert third["runs"][-1]["executed"] == ["E06000017/summary"]
    after = pd.read_parquet(summary)["nursing_beds"].iloc[-1]
    assert after - before == beds  # the home's beds moved from residential to nursing
