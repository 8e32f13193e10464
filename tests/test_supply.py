import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geosuff._errors import ValidationError
from geosuff.analysis.joins import assign_to_lsoas, load_zones
from geosuff.analysis.summary import area_summary
from geosuff.analysis.supply import supply_ratios
from geosuff.io.area_layers import load_area_layers

CRS = "EPSG:27700"


@pytest.fixture
def population():
    return gpd.GeoDataFrame(
        {
            "lsoa_code": ["A", "B"],
            "lsoa_name": ["Town A", "Village B"],
            "la_code": ["E1", "E1"],
            "la_name": ["Testshire", "Testshire"],
            "pop_total": [5000.0, 2000.0],
            "pop_65plus": [1500.0, 800.0],
            "pop_75plus": [1000.0, 500.0],
            "pop_85plus": [300.0, 100.0],
            "demand_e": [500.0, 1500.0],
            "demand_n": [500.0, 500.0],
        },
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=CRS,
    )


def _points(rows, **cols):
    return gpd.GeoDataFrame(cols, geometry=[Point(x, y) for x, y in rows], crs=CRS)


@pytest.fixture
def homes():
    return _points(
        [(100, 100), (200, 200), (1500, 500), (5000, 5000)],
        provider_id=["h1", "h2", "h3", "outside"],
        kind=[
            "care_home_nursing",
            "care_home_residential",
            "care_home_residential",
            "care_home_nursing",
        ],
        beds=[30.0, 40.0, 20.0, 99.0],
        older_people=[True, True, False, True],
        dementia=[True, False, False, False],
    )


@pytest.fixture
def agencies():
    return _points([(1200, 100)], provider_id=["a1"], kind=["domiciliary"])


@pytest.fixture
def schemes():
    return _points([(900, 900)], provider_id=["x1"], kind=["extra_care"], units=[25.0])


def test_points_join_to_lsoas_and_outside_is_missing(population, homes):
    joined = assign_to_lsoas(homes, population)
    assert joined["lsoa_code"].tolist()[:3] == ["A", "A", "B"]
    assert pd.isna(joined["lsoa_code"].iloc[3])


def test_point_on_shared_boundary_counted_once(population):
    on_edge = _points([(1000, 500)], provider_id=["edge"])
    assert assign_to_lsoas(on_edge, population)["lsoa_code"].tolist() == ["A"]


def test_area_ratios_hand_computed(population, homes, agencies, schemes):
    row = supply_ratios(population, homes, agencies, schemes, by="area").iloc[0]
    assert row["pop_75plus"] == 1500
    assert row["care_homes"] == 3 and row["beds"] == 90
    assert row["nursing_beds"] == 30 and row["residential_beds"] == 60
    assert row["older_people_beds"] == 70
    assert row["beds_per_1000_75plus"] == pytest.approx(60.0)
    assert row["residential_beds_benchmark"] == pytest.approx(97.5)
    assert row["residential_beds_gap"] == pytest.approx(-37.5)
    assert row["nursing_beds_gap"] == pytest.approx(30 - 67.5)
    assert row["extra_care_units_gap"] == pytest.approx(25 - 37.5)
    assert row["home_care_agencies_per_1000_75plus"] == pytest.approx(1 / 1.5)


def test_lsoa_ratios_and_custom_benchmarks(population, homes):
    table = supply_ratios(
        population,
        homes,
        by="lsoa",
        benchmarks={"residential_beds": 100, "nursing_beds": 0, "extra_care_units": 0},
    )
    table = table.set_index("unit")
    assert table.loc["A", "beds_per_1000_75plus"] == pytest.approx(70.0)
    assert table.loc["B", "beds_per_1000_75plus"] == pytest.approx(40.0)
    assert table.loc["B", "residential_beds_gap"] == pytest.approx(20 - 50)
    assert table.loc["A", "lsoa_name"] == "Town A"
    assert table.crs.to_epsg() == 27700


def test_zero_population_gives_nan_not_inf(population, homes):
    population.loc[1, "pop_75plus"] = 0
    table = supply_ratios(population, homes, by="lsoa").set_index("unit")
    assert pd.isna(table.loc["B", "beds_per_1000_75plus"])


def test_zone_polygons_and_lsoa_in_no_zone(tmp_path, population, homes):
    zones = gpd.GeoDataFrame({"zone": ["West"]}, geometry=[box(0, 0, 1000, 1000)], crs=CRS)
    zones.to_crs(4326).to_file(tmp_path / "z.geojson")
    loaded = load_zones(tmp_path / "z.geojson", population)
    assert loaded.data["zone"].tolist()[0] == "West" and pd.isna(loaded.data["zone"].iloc[1])
    assert loaded.rejects["reason"].tolist() == ["LSOA in no zone"]
    groups = loaded.data.set_index("lsoa_code")["zone"]
    table = supply_ratios(population, homes, by="zone", groups=groups).set_index("unit")
    assert table.loc["West", "beds"] == 70 and table.loc["(none)", "beds"] == 20
    assert table["pop_75plus"].sum() == 1500


def test_zone_table_with_unknown_lsoa(tmp_path, population):
    path = tmp_path / "z.csv"
    path.write_text("lsoa_code,zone\nA,North\nB,South\nZ,South\n")
    loaded = load_zones(path, population)
    assert loaded.data["zone"].tolist() == ["North", "South"]
    assert loaded.rejects["id"].tolist() == ["Z"]
    assert loaded.rejects["line"].tolist() == [4]


def test_unknown_unit_is_validation_error(population):
    with pytest.raises(ValidationError, match="by must be one of"):
        supply_ratios(population, by="county")
    with pytest.raises(ValidationError, match="needs the zone"):
        supply_ratios(population, by="zone")


@pytest.mark.parametrize(
    ("area", "homes", "beds", "repeats", "repeated_beds"),
    [
        ("Wiltshire", 176, 4_814, 1, 63),
        ("Rutland", 12, 419, 0, 0),
        ("Worcestershire", 181, 5_788, 0, 0),
        ("BANES", 59, 1_700, 1, 62),
    ],
)
def test_real_area_join_counts_scope_all(data_dir, area, homes, beds, repeats, repeated_beds):
    """scope="all" gives the totals before scopes existed, less the homes CQC lists twice
    (Gracewell of Salisbury, Gracewell of Bath), which are listed in the rejects."""
    layers = load_area_layers(area, data_dir=data_dir, scope="all")
    table = area_summary(layers)
    total = table.iloc[-1]
    assert total["care_homes"] == homes - repeats and total["beds"] == beds - repeated_beds
    assert len(layers.care_homes) == homes - repeats
    twice = layers.rejects["reason"].str.startswith("same name and position as")
    assert int(twice.sum()) == repeats
    assert layers.scope == "all" and not (layers.rejects["action"] == "excluded").any()


def test_real_worcestershire_districts(data_dir):
    table = area_summary(load_area_layers("Worcestershire", data_dir=data_dir, scope="all"))
    by_name = table.set_index("la_name")["care_homes"].to_dict()
    assert by_name == {
        "Bromsgrove": 41,
        "Malvern Hills": 36,
        "Redditch": 11,
        "Worcester": 17,
        "Wychavon": 38,
        "Wyre Forest": 38,
        "Worcestershire": 181,
    }
    assert table.iloc[-1]["pop_75plus"] == 64_161
    assert table.iloc[:-1]["beds"].sum() == 5_788
