"""Maps on the new analyses: the care-worker travel shading, places in popups, the year."""

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from geosuff._errors import InputFileError
from geosuff._palettes import DEFAULT_TRAVEL_EDGES, PALETTES, travel_per_visit_classes
from geosuff.cli.main import app
from geosuff.maps import build_map
from geosuff.maps.labels import lsoa_towns
from geosuff.maps.layers import RuntimeLayer
from geosuff.maps.recipe import load_recipe
from geosuff.maps.title import short_basis, year_note
from tests import maps_fixtures as fx
from tests.report_helpers import BASIS_2030, fixture_layers, projected

TRAVEL = "Care-worker travel per visit (min, estimate)"


def _layers(fmap) -> dict[str, RuntimeLayer]:
    return {e.plain_name: e for e in fmap._children.values() if isinstance(e, RuntimeLayer)}


def _features(fmap) -> list[dict]:
    from geosuff.maps.layers import DataBlock

    for e in fmap._children.values():
        if isinstance(e, DataBlock) and '"features"' in e.payload and '"c":' in e.payload:
            return json.loads(e.payload)["features"]
    raise AssertionError("no LSOA data block")


def test_travel_classes_put_the_gap_threshold_on_an_edge():
    classes = travel_per_visit_classes()
    assert 10.0 in classes.edges and classes.edges == DEFAULT_TRAVEL_EDGES
    # 5 min: first class; 9: the class below 10; 10.5 and 15: the two flagged classes.
    assert classes.class_of([5.0, 9.0, 10.5, 15.0]).tolist() == [0, 2, 3, 4]
    assert classes.colours == PALETTES["YlOrRd"]


def test_travel_is_a_shading_choice_with_its_figures_in_the_popup():
    gaps = pd.DataFrame({"lsoa_code": ["E01000003"], "reasons": ["home care: long travel"]})
    gaps.attrs["thresholds"] = {"travel_minutes_per_visit": 10.0}
    fmap = build_map(
        fx.area_layers(),
        access=fx.access(),
        travel=fx.travel(),
        gaps=gaps,
        self_contained=False,
    )
    layers = _layers(fmap)
    layer = layers[TRAVEL]
    assert layer.overlay is False and layer.show is False  # a radio choice; access opens
    assert fmap.geosuff_counts["travel"] == 3
    features = _features(fmap)
    colours = [f["properties"]["c"]["travel"] for f in features]
    # 5.0 (0-6), 9.0 (8-10), 15.0 (13+): the classes' own colours
    yl = PALETTES["YlOrRd"]
    assert colours == [yl[0], yl[2], yl[4]]
    rows = dict(features[2]["properties"]["r"]["travel"])
    assert rows["Care-worker travel per visit"] == "15.0 min (p10–p90 8.0–24.5)"
    assert rows["Travel cost per visit"] == "£4.85 (pay + mileage)"
    assert rows["Miles per visit"] == "4.0"
    assert rows["Rounds planned within"] == f"zone {fx.EVIL}"  # escaped by the runtime
    assert rows["Drive times"] == "estimated (straight line, calibrated by setting)"
    legend = fmap.geosuff_legends["travel"]
    assert legend["title"] == "Care-worker travel per visit, minutes"
    assert legend["method"] == (
        "Classes: fixed breaks in minutes; drive between visits, estimated (straight line, "
        "calibrated by setting), plus parking and walking; over 10 min flagged as a gap"
    )


def test_travel_columns_on_a_gaps_table_given_as_access_are_drawn():
    access = fx.access().merge(fx.travel(), on="lsoa_code")
    fmap = build_map(fx.area_layers(), access=access, self_contained=False)
    assert TRAVEL in _layers(fmap)


def test_bad_travel_table_is_a_one_line_error():
    from geosuff._errors import ValidationError

    with pytest.raises(ValidationError, match="home_care_minutes_per_visit"):
        build_map(fx.area_layers(), travel=fx.travel().drop(columns="home_care_minutes_per_visit"))


def _trowbridge_wards() -> gpd.GeoDataFrame:
    x0, y0 = fx.X0, fx.Y0
    return gpd.GeoDataFrame(
        {
            "ward_code": ["W1", "W2", "W3"],
            "ward_name": ["Trowbridge Grove", "Trowbridge Park", "Hilperton"],
        },
        geometry=[
            box(x0, y0, x0 + 2000, y0 + 2000),
            box(x0 + 2000, y0, x0 + 4000, y0 + 2000),
            box(x0 + 4000, y0, x0 + 6000, y0 + 2000),
        ],
        crs="EPSG:27700",
    )


def test_lsoa_towns_is_the_one_lsoa_to_town_mapping():
    pop = fx.population()  # demand points 1, 3 and 5 km along: one in each ward
    towns = lsoa_towns(pop, _trowbridge_wards())
    assert towns["ward_name"].tolist() == ["Trowbridge Grove", "Trowbridge Park", "Hilperton"]
    assert towns["town"].tolist() == ["Trowbridge", "Trowbridge", "Hilperton"]
    empty = lsoa_towns(pop, _trowbridge_wards().iloc[:0])
    assert empty["town"].isna().all() and len(empty) == 3


def test_lsoa_popups_name_ward_and_town():
    fmap = build_map(fx.area_layers(), wards=_trowbridge_wards(), self_contained=False)
    features = _features(fmap)
    first = dict(features[0]["properties"]["r"]["base"])
    assert first["Ward"] == "Trowbridge Grove" and first["Town"] == "Trowbridge"
    third = dict(features[2]["properties"]["r"]["base"])
    assert third["Ward"] == "Hilperton" and "Town" not in third  # its own place


def test_a_projected_year_is_stated_on_the_map():
    layers = projected(fixture_layers())
    assert year_note(layers) == "2030, projected"
    assert year_note(fixture_layers()) == "2020"
    fmap = build_map(layers, self_contained=False)
    facts = dict(fmap.geosuff_info["facts"])
    # the file and the method in full under "more"; the title line stays short
    assert facts["Year"] == (
        "2030: ONS 2018-based subnational population projections, "
        "apportioned to LSOAs; aged 75+ 640"
    )
    assert f"Population 2030: {BASIS_2030}" in fmap.geosuff_info["lines"]
    base = dict(_features(fmap)[0]["properties"]["r"]["base"])
    assert base["People aged 75+ (2030, projected)"] == "267"  # 200 x 4/3
    legend = fmap.geosuff_legends["pop75"]
    assert legend["title"] == "People aged 75+, 2030, projected"
    assert short_basis("ONS mid-2020 LSOA population estimates") == (
        "ONS mid-2020 LSOA population estimates"
    )


def test_recipe_year_and_travel_thresholds(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        'area = "Rutland"\nyear = 2030\nshading = "travel"\n'
        "[thresholds]\ntravel_minutes = [0, 5, 10, 20]\n"
        '[inputs]\ntravel = "runs.csv"\n',
        encoding="utf-8",
    )
    recipe = load_recipe(path)
    assert recipe.year == 2030 and recipe.options.shading == "travel"
    assert recipe.options.travel_edges == (0.0, 5.0, 10.0, 20.0, float("inf"))
    assert recipe.inputs["travel"].name == "runs.csv"
    for bad, match in (('"2030"', "whole number"), ("2030.5", "whole number"), ("30", "1900")):
        path.write_text(f'area = "Rutland"\nyear = {bad}\n', encoding="utf-8")
        with pytest.raises(InputFileError, match=match):
            load_recipe(path)


def test_map_command_takes_year_and_travel():
    out = CliRunner().invoke(app, ["map", "--help"]).output
    assert "--year" in out and "--travel" in out


def test_map_year_outside_the_projection_is_a_one_line_error(data_dir, tmp_path):
    result = CliRunner().invoke(
        app,
        ["-q", "map", "--area", "Rutland", "--year", "2050", "--out", str(tmp_path / "m.html")],
        env={"GEOSUFF_DATA": str(data_dir)},
    )
    assert result.exit_code == 2, result.output
    assert "2043" in result.output and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        "geosuff: error: year 2050 is outside the projection's range 2018-2043 "
        "(snpp2018_persons_table2.csv)"
    ]


def test_agency_drive_times_only_from_a_complete_list():
    """A sample list of agencies makes everywhere look far from one: no such shading."""
    sample = build_map(fx.area_layers(), access=fx.access(), self_contained=False)
    assert "drive_home_care" not in sample.geosuff_counts
    assert any(
        "Drive time to nearest home care agency (the agency list is not known to be complete" in u
        for u in sample.geosuff_unavailable
    )
    complete = build_map(
        fx.complete_agencies(fx.area_layers()), access=fx.access(), self_contained=False
    )
    assert complete.geosuff_counts["drive_home_care"] == 3
