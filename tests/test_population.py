import pytest

from geosuff._errors import InputFileError
from geosuff.io.areas import Area, resolve_area
from geosuff.io.population import (
    demand_points,
    load_lsoa_boundaries,
    load_population,
    read_population_estimates,
)
from tests.fixtures import square, write_lsoas, write_population

BOWTIE = [[[0, 0], [1000, 1000], [1000, 0], [0, 1000], [0, 0]]]


def test_invalid_polygon_is_repaired_and_reported(tmp_path):
    path = write_lsoas(
        tmp_path / "l.geojson", {"E01000001": square(0, 0, 1000), "E01000002": BOWTIE}, "E06000099"
    )
    lsoas, rejects = load_lsoa_boundaries(path)
    assert lsoas.geometry.is_valid.all()
    assert lsoas.crs.to_epsg() == 27700
    assert lsoas.set_index("lsoa_code").geometry["E01000002"].area == pytest.approx(500_000)
    assert rejects["id"].tolist() == ["E01000002"]
    assert rejects["action"].tolist() == ["repaired"]
    assert rejects["reason"].iloc[0].startswith("invalid polygon repaired (Self-intersection")


def test_age_bands_hand_computed(tmp_path):
    path = write_population(
        tmp_path / "p.csv",
        {"E01000001": {10: 100, 65: 5, 74: 1, 75: 2, 84: 3, 85: 4, 89: 6, 90: 7}},
    )
    est, rejects = read_population_estimates(path)
    row = est.loc["E01000001"]
    assert row["pop_total"] == 128
    assert row["pop_65plus"] == 28
    assert row["pop_75plus"] == 22
    assert row["pop_85plus"] == 17
    assert rejects.empty


def test_bad_population_rows_rejected_with_reason(tmp_path):
    path = write_population(tmp_path / "p.csv", {"E01000001": {80: 5}, "E01000002": {80: 1}})
    text = path.read_text().splitlines()
    text[2] = text[2].replace(",1,", ",x,")  # E01000002's age-80 count becomes 'x'
    text.append(text[1])  # duplicate E01000001
    path.write_text("\n".join(text) + "\n")
    est, rejects = read_population_estimates(path)
    assert est.index.tolist() == ["E01000001"]
    assert sorted(rejects["reason"]) == [
        "duplicate LSOA row (first one used)",
        "population counts missing, not numeric or negative",
    ]


def test_population_without_age_columns_is_one_line_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("lsoa11_code,total\nE01000001,5\n")
    with pytest.raises(InputFileError, match="single-year-of-age"):
        read_population_estimates(path)


def test_fixture_area_uses_representative_point_without_centroids(tmp_path):
    lsoa = write_lsoas(
        tmp_path / "l.geojson",
        {"E01000001": square(0, 0, 1000), "E01000002": square(1000, 0, 1000)},
        "E06000099",
    )
    pop = write_population(tmp_path / "p.csv", {"E01000001": {80: 10}})
    area = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))
    layer, rejects = load_population(area, lsoa=lsoa, population=pop, data_dir=tmp_path)
    assert layer["lsoa_code"].tolist() == ["E01000001"]
    assert layer["demand_source"].tolist() == ["representative_point"]
    assert rejects["reason"].tolist() == ["no population estimate in p.csv"]
    pts = demand_points(layer)
    assert pts.geometry.iloc[0].within(layer.geometry.iloc[0])


@pytest.mark.parametrize(
    ("name", "lsoas", "pop75"),
    [
        ("Wiltshire", 285, 51_991),
        ("Rutland", 23, 4_964),
        ("Worcestershire", 364, 64_161),
        ("Bath and North East Somerset", 115, 18_013),
    ],
)
def test_real_population_counts(data_dir, name, lsoas, pop75):
    area = resolve_area(name, data_dir)
    layer, rejects = load_population(area, data_dir=data_dir)
    assert len(layer) == lsoas
    assert layer["pop_75plus"].sum() == pop75
    assert (layer["demand_source"] == "pop_weighted_centroid").all()
    assert layer.geometry.is_valid.all()
    assert not (rejects["action"] == "rejected").any()


def test_real_district_of_a_county(data_dir):
    area = resolve_area("Malvern Hills", data_dir)
    layer, _ = load_population(area, data_dir=data_dir)
    assert set(layer["la_code"]) == {"E07000235"}
    assert len(layer) == 45 and layer["pop_75plus"].sum() == 10_821


def test_wrong_crs_is_one_line_error(tmp_path):
    path = write_lsoas(
        tmp_path / "l.geojson", {"E01000001": square(400000, 200000, 1000)}, "E06000099"
    )
    text = path.read_text().replace("EPSG::27700", "EPSG::4326")
    path.write_text(text)
    with pytest.raises(InputFileError, match=r"outside Great Britain .* CRS right"):
        load_lsoa_boundaries(path)
