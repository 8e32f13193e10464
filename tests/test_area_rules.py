"""Area-level rules on a hand-made area: placement by local authority, partial
population, scope and split at load, coverage and provenance."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geosuff.analysis.summary import area_summary, layer_supply
from geosuff.analysis.supply import NO_POPULATION_UNIT
from geosuff.io.area_layers import load_area_layers
from geosuff.io.placement import place_in_area
from tests.supply_fixtures import AREA, LSOAS, X0, Y0, home, write_area

CRS = "EPSG:27700"
AT_SEA = (-40_000.0, -80_000.0)  # the English Channel: inside Great Britain's box


def _lsoas():
    from shapely.geometry import Polygon

    return gpd.GeoDataFrame(
        {"lsoa_code": list(LSOAS), "la_code": AREA.code},
        geometry=[Polygon(ring[0]) for ring in LSOAS.values()],
        crs=CRS,
    )


def _points(rows):
    return gpd.GeoDataFrame(
        {
            "provider_id": [r[0] for r in rows],
            "name": [r[0] for r in rows],
            "la_name": [r[1] for r in rows],
            "postcode": [r[2] for r in rows],
            "line": range(2, len(rows) + 2),
        },
        geometry=[Point(X0 + r[3], Y0 + r[4]) for r in rows],
        crs=CRS,
    )


def test_home_at_sea_counted_where_cqc_says_via_its_postcode():
    postcodes = pd.DataFrame(
        {"easting": [X0 + 2500.0], "northing": [Y0 + 500.0]}, index=pd.Index(["SP3 6AA"])
    )
    pts = _points([("sea", "Testshire", "sp3 6aa", *AT_SEA), ("in", "Testshire", "", 500, 500)])
    placed, listed = place_in_area(pts, _lsoas(), AREA, postcodes=postcodes, source="homes")
    assert placed.set_index("provider_id")["lsoa_code"].to_dict() == {
        "sea": "E01000001",
        "in": "E01000000",
    }
    assert placed.set_index("provider_id").loc["sea", "geometry"].x == X0 + 2500
    assert listed["action"].tolist() == ["repaired"]
    assert "placed at its postcode SP3 6AA, as its source says" in listed["reason"].iloc[0]
    assert "outside Testshire" in listed["reason"].iloc[0]


def test_home_at_sea_without_postcode_goes_to_nearest_lsoa_and_is_flagged():
    pts = _points([("sea", "Testshire", None, 7900, -3000)])
    placed, listed = place_in_area(pts, _lsoas(), AREA)
    assert placed["lsoa_code"].tolist() == ["E01000003"]
    assert listed["action"].tolist() == ["flagged"]
    assert "(3.0 km away)" in listed["reason"].iloc[0]
    assert "counted in the nearest LSOA E01000003" in listed["reason"].iloc[0]


def test_count_by_coordinates_reports_instead():
    pts = _points([("sea", "Testshire", None, *AT_SEA), ("in", "Otherton", None, 500, 500)])
    placed, listed = place_in_area(pts, _lsoas(), AREA, count_by="coordinates", others=["Otherton"])
    assert placed["provider_id"].tolist() == ["in"]
    assert dict(zip(listed["id"], listed["action"], strict=True)) == {
        "in": "flagged",
        "sea": "excluded",
    }


def test_home_inside_that_cqc_places_elsewhere_is_left_to_it():
    pts = _points([("mine", "Testshire", None, 500, 500), ("theirs", "Otherton", None, 700, 500)])
    placed, listed = place_in_area(pts, _lsoas(), AREA, others=["Otherton", "Testshire"])
    assert placed["provider_id"].tolist() == ["mine"]
    assert listed["action"].tolist() == ["excluded"]
    assert (
        listed["reason"]
        .iloc[0]
        .startswith(
            "local authority is Otherton, though its coordinates fall in Testshire (LSOA E01000000)"
        )
    )


def test_unknown_local_authority_text_is_ignored():
    pts = _points([("odd", "Wilts & Somewhere", None, 500, 500), ("far", "Nowhere", None, *AT_SEA)])
    placed, listed = place_in_area(pts, _lsoas(), AREA, others=["Otherton"])
    assert placed["provider_id"].tolist() == ["odd"] and listed.empty


def test_county_district_named_by_cqc_wins():
    from geosuff.io.areas import Area

    county = Area("E10000099", "Shire", "utla", ("E07000001", "E07000002"), ("West", "East"))
    lsoas = _lsoas().assign(la_code=["E07000001", "E07000001", "E07000002", "E07000002"])
    pts = _points([("h", "East", None, 500, 500)])
    placed, listed = place_in_area(pts, lsoas, county)
    assert placed[["lsoa_code", "la_code"]].values.tolist() == [["E01000002", "E07000002"]]
    assert listed["action"].tolist() == ["flagged"]


def test_load_area_layers_counts_a_home_at_sea_and_lists_it(tmp_path):
    homes = [
        home("h1", "Oak House", 500, nursing=True, beds=40),
        home("h2", "Sea View", AT_SEA[0], y=AT_SEA[1], beds=30, postcode="SP3 6AA"),
    ]
    files = write_area(tmp_path, homes)
    layers = load_area_layers(AREA, data_dir=tmp_path, files=files)
    assert sorted(layers.care_homes["provider_id"]) == ["h1", "h2"]
    assert layers.care_homes["beds"].sum() == 70
    moved = layers.rejects[layers.rejects["id"] == "h2"]
    assert moved["action"].tolist() == ["repaired"]
    coords = load_area_layers(AREA, data_dir=tmp_path, files=files, count_by="coordinates")
    assert coords.care_homes["provider_id"].tolist() == ["h1"]
    assert coords.rejects.loc[coords.rejects["id"] == "h2", "action"].tolist() == ["excluded"]


def test_partial_population_file_does_not_halve_the_homes(tmp_path):
    homes = [home(f"h{i}", f"Home {i}", 500 + 2000 * i, beds=10 * (i + 1)) for i in range(4)]
    files = write_area(tmp_path, homes, pop_lsoas=["E01000000", "E01000001"])
    layers = load_area_layers(AREA, data_dir=tmp_path, files=files)
    # every home is counted, though two LSOAs have no population figures
    assert len(layers.care_homes) == 4 and layers.care_homes["beds"].sum() == 100
    cover = layers.coverage["population"]
    assert cover.status == "partial"
    assert "has figures for 2 of the 4 LSOAs of Testshire" in cover.reason
    missing = layers.rejects["reason"].str.startswith("no population estimate")
    assert sorted(layers.rejects.loc[missing, "id"]) == ["E01000002", "E01000003"]
    total = area_summary(layers).iloc[-1]
    assert total["care_homes"] == 4 and total["beds"] == 100
    assert np.isnan(total["pop_75plus"]) and np.isnan(total["residential_beds_gap"])
    assert total["residential_beds_gap_note"].startswith("insufficient data (partial: pop.csv")
    by_lsoa = layer_supply(layers, by="lsoa").set_index("unit")
    assert by_lsoa.loc["E01000000", "residential_beds_gap"] == pytest.approx(10 - 6.5)
    assert np.isnan(by_lsoa.loc["E01000003", "residential_beds_gap"])
    assert by_lsoa.loc["E01000003", "care_homes"] == 1
    assert by_lsoa.loc["E01000003", "residential_beds_gap_note"] == (
        "insufficient data (no population figures)"
    )


def test_lsoas_without_population_form_their_own_group(tmp_path):
    homes = [home("h0", "A", 500), home("h3", "B", 6500)]
    files = write_area(tmp_path, homes, pop_lsoas=["E01000000", "E01000001", "E01000002"])
    layers = load_area_layers(AREA, data_dir=tmp_path, files=files)
    groups = pd.Series("West", index=layers.population["lsoa_code"])
    table = layer_supply(layers, by="zone", groups=groups).set_index("unit")
    assert table.loc[NO_POPULATION_UNIT, "care_homes"] == 1
    assert table["care_homes"].sum() == 2


def test_implausible_population_row_is_rejected(tmp_path):
    files = write_area(tmp_path, [home("h0", "A", 500)])
    lines = files.population.read_text().splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("90+")] = str(10**9)
    files.population.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    layers = load_area_layers(AREA, data_dir=tmp_path, files=files)
    bad = layers.rejects[layers.rejects["id"] == "E01000000"]
    assert bad["reason"].iloc[0] == (
        "counts no LSOA could hold: pop_65plus 1,000,000,100 (largest plausible 50,000)"
    )
    assert "E01000000" not in set(layers.population["lsoa_code"])
    assert layers.coverage["population"].status == "partial"
    assert layers.care_homes["lsoa_code"].tolist() == ["E01000000"]  # still counted


def test_scope_split_coverage_and_provenance_at_load(tmp_path):
    homes = [
        home("n1", "Nursing", 500, nursing=True, beds=40, dementia="y"),
        home("r1", "Residential", 2500, beds=20),
        home("ld", "Younger Adults", 4500, older="n", beds=8),
    ]
    files = write_area(tmp_path, homes)
    layers = load_area_layers(AREA, data_dir=tmp_path, files=files, nursing_share=0.5)
    assert layers.scope == "older-people"
    assert layers.care_homes["provider_id"].tolist() == ["n1", "r1"]
    excluded = layers.rejects[layers.rejects["action"] == "excluded"]
    assert excluded["id"].tolist() == ["ld"]
    assert layers.care_homes["nursing_beds"].tolist() == [20, 0]
    assert layers.care_homes["residential_beds"].tolist() == [20, 20]
    assert layers.bed_split.startswith("nursing share 0.50")
    # no home care or extra care file: partial, so no gaps from them
    assert layers.coverage["home_care"].status == "partial"
    assert layers.coverage["extra_care"].reason == "no extra care file: nothing listed"
    # a hand-made list with plausible beds: not declared, so unknown (gaps allowed)
    assert layers.coverage["care_homes"].status == "unknown"
    assert layers.provenance["care_homes"].path == str(files.care_homes)
    total = area_summary(layers).iloc[-1]
    assert total["nursing_beds"] == 20 and total["residential_beds"] == 40
    assert total["dementia_beds"] == 40
    assert total["nursing_beds_gap"] == pytest.approx(20 - 1000 * 45 / 1000)
    assert np.isnan(total["extra_care_units_gap"])
    assert total["extra_care_units_gap_note"] == (
        "insufficient data (partial: no extra care file: nothing listed)"
    )
    every = load_area_layers(AREA, data_dir=tmp_path, files=files, scope="all")
    assert len(every.care_homes) == 3 and every.bed_split.startswith("registration")


def test_user_declarations_override(tmp_path):
    files = write_area(tmp_path, [home("h0", "A", 500)])
    layers = load_area_layers(
        AREA, data_dir=tmp_path, files=files, coverage={"care_homes": "partial"}
    )
    assert layers.coverage["care_homes"].label() == "partial: declared partial by the user"
    total = area_summary(layers).iloc[-1]
    assert total["care_homes"] == 1 and np.isnan(total["beds_per_1000_75plus"])
    assert np.isnan(total["nursing_beds_gap"])


def test_care_directory_without_beds_gives_no_bed_figures(tmp_path):
    from tests.fixtures import write_csv

    files = write_area(
        tmp_path, [home("h0", "A", 500)], postcodes=[("SP3 6AA", X0 + 500, Y0 + 500)]
    )
    directory = write_csv(
        tmp_path / "care_directory.csv",
        ["Name", "Postcode", "Service types", "Specialisms/services", "Local authority"],
        [
            [
                "Nursing Home",
                "SP3 6AA",
                "Nursing homes",
                "Caring for adults over 65 yrs",
                "Testshire",
            ],
            ["Res Home", "SP3 6AA", "Residential homes", "Dementia", "Testshire"],
        ],
    )
    from dataclasses import replace

    layers = load_area_layers(AREA, data_dir=tmp_path, files=replace(files, care_homes=directory))
    cover = layers.coverage["care_homes"]
    assert cover.label() == "partial: no bed counts in the source: homes counted, beds unknown"
    total = area_summary(layers).iloc[-1]
    assert total["care_homes"] == 2 and np.isnan(total["beds"])
    assert np.isnan(total["nursing_beds_gap"]) and np.isnan(total["residential_beds_gap"])
    assert total["nursing_beds_gap_note"] == f"insufficient data (partial: {cover.reason})"
