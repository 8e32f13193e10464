"""Population for a chosen year: apportioned projections, checked by hand and on real data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geosuff._errors import DataMissingError, ValidationError
from geosuff.io.area_layers import LayerFiles, load_area_layers
from geosuff.io.areas import Area
from geosuff.io.population_year import layers_for_years
from geosuff.io.projections import read_projection
from geosuff.io.surroundings import load_surroundings
from geosuff.io.trajectory import parse_years, population_trajectory
from tests.fixtures import HSCA_HEADER, square, write_csv, write_population
from tests.projection_fixtures import write_table2, write_topojson

A, B, COUNTY = "E06009991", "E06009992", "E10009990"
TESTSHIRE = Area(COUNTY, "Testshire", "utla", (A, B), ("Alphashire", "Betaborough"))
ESTIMATES = {
    "E01999991": {30: 100, 70: 10, 77: 30, 88: 20},
    "E01999992": {30: 300, 70: 30, 77: 10, 88: 60},
    "E01999993": {40: 500, 80: 40, 90: 10},
    "E01999994": {40: 250, 80: 10},
}
LSOA_LA = {"E01999991": A, "E01999992": A, "E01999993": B, "E01999994": B}
# Years 2019, 2020, 2030 (the estimates are mid-2020).
PROJECTION = {
    (A, "Alphashire"): {
        "30-34": [400, 400, 800],
        "70-74": [40, 40, 44],
        "75-79": [40, 40, 80],
        "85-89": [80, 80, 100],
    },
    (B, "Betaborough"): {
        "40-44": [750, 750, 450],
        "75-79": [0, 0, 12],
        "80-84": [50, 50, 50],
        "90+": [10, 10, 20],
    },
}


def write_lsoa_file(path: Path, la_of: dict[str, str], county: str = COUNTY) -> Path:
    """LSOA squares (EPSG:27700) in a row, each with its own authority code."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "LSOA11CD": code,
                "LSOA11NM": f"Test {code}",
                "LADCD_ACTIVE": la,
                "UTLACD": county,
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": square(400_000 + 1000 * i, 200_000, 1000),
            },
        }
        for i, (code, la) in enumerate(la_of.items())
    ]
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def make_testshire(tmp_path: Path, projection: dict | None = None) -> LayerFiles:
    homes = write_csv(
        tmp_path / "homes.csv",
        HSCA_HEADER,
        [["1-1", "Y", "Far away", "Elsewhere", "", 53.5, -1.5, "Y", "", "", "Y", 40]],
    )
    proj = write_table2(
        tmp_path / "snpp2019_test.csv", [2019, 2020, 2030], projection or PROJECTION
    )
    return LayerFiles(
        lsoa=write_lsoa_file(tmp_path / "lsoas.geojson", LSOA_LA),
        population=write_population(tmp_path / "population_mid2020_lsoa11_syoa.csv", ESTIMATES),
        care_homes=homes,
        projections=proj,
    )


def _by_lsoa(layers):
    cols = ["pop_total", "pop_65plus", "pop_75plus", "pop_85plus"]
    return layers.population.set_index("lsoa_code")[cols]


def test_two_authorities_by_hand(tmp_path):
    layers = load_area_layers(
        TESTSHIRE, data_dir=tmp_path, files=make_testshire(tmp_path), year=2030
    )
    got = _by_lsoa(layers)
    share_b1 = 550 / 810  # 75-79 has no one in B's base year: shared by all ages
    expected = pd.DataFrame(
        {
            "pop_total": [296, 728, 300 + 12 * share_b1 + 40 + 20, 150 + 12 * (1 - share_b1) + 10],
            "pop_65plus": [96, 128, 12 * share_b1 + 60, 12 * (1 - share_b1) + 10],
            "pop_75plus": [85, 95, 12 * share_b1 + 60, 12 * (1 - share_b1) + 10],
            "pop_85plus": [25, 75, 20, 0],
        },
        index=pd.Index(list(ESTIMATES), name="lsoa_code"),
    )
    pd.testing.assert_frame_equal(got.astype(float), expected.astype(float), rtol=1e-12)
    assert layers.year == 2030
    assert layers.population_basis.startswith(
        "ONS 2019-based subnational population projections (snpp2019_test.csv) for 2030, "
        "apportioned to LSOAs by their share of their authority's population in each age group "
        "(0-64, 65-69, 70-74, 75-79, 80-84, 85-89, 90+) in the ONS mid-2020 LSOA population"
    )
    assert layers.sources["projections"].endswith("snpp2019_test.csv")


def test_lsoa_totals_add_up_to_each_authority(tmp_path):
    layers = load_area_layers(
        TESTSHIRE, data_dir=tmp_path, files=make_testshire(tmp_path), year=2030
    )
    by_la = layers.population.groupby("la_code")[["pop_total", "pop_75plus"]].sum()
    assert by_la.loc[A].tolist() == pytest.approx([1024, 180], rel=1e-12)
    assert by_la.loc[B].tolist() == pytest.approx([532, 82], rel=1e-12)


def test_county_row_when_districts_are_missing(tmp_path):
    county = {(COUNTY, "Testshire"): {
        group: [a + b for a, b in zip(
            PROJECTION[(A, "Alphashire")].get(group, [0, 0, 0]),
            PROJECTION[(B, "Betaborough")].get(group, [0, 0, 0]),
            strict=True,
        )]
        for group in {*PROJECTION[(A, "Alphashire")], *PROJECTION[(B, "Betaborough")]}
    }}  # fmt: skip
    files = make_testshire(tmp_path, county)
    layers = load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2030)
    got = _by_lsoa(layers)
    # 75-79: the county's base 40 (30 + 10 + 0 + 0) grows to 92.
    assert got["pop_75plus"].tolist() == pytest.approx(
        [30 / 40 * 92 + 20 / 80 * 100, 10 / 40 * 92 + 60 / 80 * 100, 40 + 20, 10], rel=1e-12
    )
    assert got["pop_total"].sum() == pytest.approx(1024 + 532)
    assert "Testshire: the county's own row" in layers.population_basis


def test_years_at_and_before_the_estimates(tmp_path):
    files = make_testshire(tmp_path)
    base = load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files)
    assert base.year == 2020
    assert base.population_basis == "ONS mid-2020 LSOA population estimates"
    assert "projections" not in base.sources
    older = load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2019)
    assert older.year == 2019
    assert older.population_basis == (
        "ONS mid-2020 LSOA population estimates, used for 2019 (not after the estimates' year 2020)"
    )
    pd.testing.assert_frame_equal(_by_lsoa(older), _by_lsoa(base))


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2018, "year 2018 is outside the projection's range 2019-2030 (snpp2019_test.csv)"),
        (2031, "year 2031 is outside the projection's range 2019-2030 (snpp2019_test.csv)"),
        (2025, "year 2025 is not in snpp2019_test.csv (years 2019, 2020, 2030)"),
    ],
)
def test_years_outside_the_projection(tmp_path, year, message):
    with pytest.raises(ValidationError) as err:
        load_area_layers(TESTSHIRE, data_dir=tmp_path, files=make_testshire(tmp_path), year=year)
    assert str(err.value) == message


def test_authority_missing_from_projection(tmp_path):
    only_a = {k: v for k, v in PROJECTION.items() if k[0] == A}
    files = make_testshire(tmp_path, only_a)
    with pytest.raises(ValidationError) as err:
        load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2030)
    assert str(err.value) == (
        "Betaborough (E06009992) is not in the projection file snpp2019_test.csv: no admin-areas "
        "file to find the areas it was made from; use a projection published on current "
        "boundaries"
    )


def test_no_projection_file(tmp_path):
    files = make_testshire(tmp_path)
    files = LayerFiles(**{**files.__dict__, "projections": None})
    assert load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2020).year == 2020
    with pytest.raises(DataMissingError, match="no population projection in"):
        load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2030)


def test_estimates_without_a_year(tmp_path):
    files = make_testshire(tmp_path)
    renamed = Path(files.population).rename(tmp_path / "mypop.csv")
    files = LayerFiles(**{**files.__dict__, "population": renamed})
    base = load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files)
    assert base.year is None
    assert (
        base.population_basis
        == "population estimates (mypop.csv, year not stated in the file name)"
    )
    with pytest.raises(ValidationError, match=r"cannot tell which year mypop\.csv describes"):
        load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2030)


def test_layers_for_years_refuses_projected_layers(tmp_path):
    files = make_testshire(tmp_path)
    projected = load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files, year=2030)
    with pytest.raises(ValidationError, match="already hold a projected population"):
        layers_for_years(projected, [2030], data_dir=tmp_path)
    base = load_area_layers(TESTSHIRE, data_dir=tmp_path, files=files)
    years = layers_for_years(base, [2020, 2030], data_dir=tmp_path, projection=files.projections)
    assert [y.year for y in years] == [2020, 2030]
    assert years[1].population["pop_75plus"].sum() == pytest.approx(180 + 82)


def _box(x0, x1):
    return [x0, 51.0, x1, 51.1]


def test_changed_codes_matched_through_the_admin_areas_file(tmp_path):
    new, west, east = "E06009993", "E07009991", "E07009992"
    (tmp_path / "ons").mkdir()
    write_topojson(
        tmp_path / "ons" / "uk_admin_areas_topo.json",
        {
            "ltla": [
                (west, "Old West", _box(-2.0, -1.9)),
                (east, "Old East", _box(-1.9, -1.8)),
                (new, "Gammashire", _box(-2.0, -1.8)),
            ]
        },
    )
    projection = {
        (west, "Old West"): {"75-79": [10, 10, 20], "85-89": [20, 20, 30]},
        (east, "Old East"): {"75-79": [30, 30, 40], "85-89": [60, 60, 50], "0-4": [5, 5, 5]},
    }
    files = make_testshire(tmp_path, projection)
    lsoas = write_lsoa_file(tmp_path / "g.geojson", {"E01999991": new, "E01999992": new}, new)
    files = LayerFiles(**{**files.__dict__, "lsoa": lsoas})
    area = Area(new, "Gammashire", "utla", (new,), ("Gammashire",))
    layers = load_area_layers(area, data_dir=tmp_path, files=files, year=2030)
    # 75-79 grows from 40 (30 + 10 in the LSOAs) to 60 = 20 + 40; 85-89 stays at 80.
    assert layers.population["pop_75plus"].tolist() == pytest.approx(
        [30 / 40 * 60 + 20 / 80 * 80, 10 / 40 * 60 + 60 / 80 * 80]
    )
    assert layers.population_basis.endswith(
        "Gammashire (E06009993) is the sum of Old West (E07009991) + Old East (E07009992) "
        "in the projection"
    )
    # An old district half inside the new authority cannot be apportioned: reported.
    write_topojson(
        tmp_path / "ons" / "uk_admin_areas_topo.json",
        {"ltla": [(west, "Old West", _box(-2.0, -1.9)), (east, "Old East", _box(-1.9, -1.7)),
                  (new, "Gammashire", _box(-2.0, -1.8))]},
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"Old East \(E07009992\) was split between"):
        load_area_layers(area, data_dir=tmp_path, files=files, year=2030)


def test_parse_years():
    assert parse_years("2025,2030,2035,2040") == [2025, 2030, 2035, 2040]
    assert parse_years("2025-2040:5") == [2025, 2030, 2035, 2040]
    assert parse_years("2020, 2024-2026, 2020") == [2020, 2024, 2025, 2026]
    for bad in ("2030-2025", "soon", "2025-2040:0", "203"):
        with pytest.raises(ValidationError, match="years: "):
            parse_years(bad)


# ---------------------------------------------------------------- real data


@pytest.mark.parametrize(
    ("area", "year", "aged_75plus"),
    [
        ("Bath and North East Somerset", 2030, 22_631.1),
        ("Bath and North East Somerset", 2034, 23_853.4),
        ("Wiltshire", 2030, 69_443.0),
    ],
)
def test_real_authority_equals_projection(data_dir, area, year, aged_75plus):
    layers = load_area_layers(area, data_dir=data_dir, year=year)
    assert layers.population["pop_75plus"].sum() == pytest.approx(aged_75plus, abs=1e-6)
    assert layers.population_basis.startswith(
        "ONS 2018-based subnational population projections (snpp2018_persons_table2.csv) "
        f"for {year}"
    )


def test_real_county_is_the_sum_of_its_districts(data_dir):
    proj = read_projection(data_dir / "ons" / "snpp2018_persons_table2.csv")
    layers = load_area_layers("Worcestershire", data_dir=data_dir, year=2030)
    by_la = layers.population.groupby("la_code")[["pop_total", "pop_75plus"]].sum()
    districts = proj.band_totals(list(by_la.index), 2030, [0, 75])
    assert by_la["pop_75plus"].to_numpy() == pytest.approx(districts[75].to_numpy(), abs=1e-6)
    assert by_la["pop_total"].to_numpy() == pytest.approx(districts.sum(axis=1), abs=1e-6)
    # The county row differs from the sum of its districts by rounding only.
    assert by_la["pop_75plus"].sum() == pytest.approx(85_815.3, abs=0.5)


def test_real_new_unitary_matched_to_2018_districts(data_dir):
    layers = load_area_layers("Somerset", data_dir=data_dir, year=2030)
    assert layers.area.code == "E06000066"
    assert layers.population_basis.endswith(
        "Somerset (E06000066) is the sum of Mendip (E07000187) + Sedgemoor (E07000188) + "
        "South Somerset (E07000189) + Taunton Deane (E07000190) + West Somerset (E07000191) "
        "in the projection"
    )
    # The old county's five districts: 91,339.0 aged 75+ in 2030.
    assert layers.population["pop_75plus"].sum() == pytest.approx(91_339.0, abs=0.05)


def test_real_surroundings_follow_the_year(data_dir):
    base = load_area_layers("Rutland", data_dir=data_dir)
    future = load_area_layers("Rutland", data_dir=data_dir, year=2034)
    around0 = load_surroundings(base, data_dir=data_dir)
    around = load_surroundings(future, data_dir=data_dir)
    assert around.demand_note == ""
    inside = around.demand[around.demand["in_area"]]
    assert inside["pop_75plus"].sum() == pytest.approx(7_184.4, abs=1e-6)
    out0 = around0.demand[~around0.demand["in_area"]].set_index("lsoa_code")["pop_75plus"]
    out = around.demand[~around.demand["in_area"]].set_index("lsoa_code")["pop_75plus"]
    assert out.index.equals(out0.index) and (out > out0).mean() > 0.9
    # A neighbour gets the figure it gets as an area of its own (here a new unitary
    # matched to its 2018 districts).
    corby = load_area_layers("North Northamptonshire", data_dir=data_dir, year=2034)
    own = corby.population.set_index("lsoa_code")["pop_75plus"]
    shared = out.index.intersection(own.index)
    assert len(shared) > 20
    assert out[shared].to_numpy() == pytest.approx(own[shared].to_numpy(), rel=1e-9)


def test_real_trajectory(data_dir):
    table = population_trajectory("Worcestershire", [2020, 2030, 2034], data_dir)
    county = table[table["la_code"] == "E10000034"].set_index("year")
    assert county.loc[2020, "pop_75plus"] == 64_161
    assert county.loc[2030, "pop_75plus"] == pytest.approx(85_815.2, abs=0.05)
    assert county.loc[2034, "pop_75plus"] == pytest.approx(91_090.3, abs=0.05)
    assert county["basis"].tolist() == ["estimate", "projection", "projection"]
    assert len(table) == 3 * 7
