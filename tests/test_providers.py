import pytest

from geosuff._errors import InputFileError
from geosuff.io.providers import PROVIDER_COLUMNS, load_care_homes, load_home_care, load_providers
from tests.fixtures import HSCA_HEADER, write_csv, write_postcodes


def _hsca(tmp_path, rows):
    return write_csv(tmp_path / "hsca.csv", HSCA_HEADER, rows)


def test_hsca_fixture_every_bad_row_has_a_reason(tmp_path):
    rows = [
        ["1-1", "Y", "Good Nursing", "Wiltshire", "SP3 6LS", 51.06, -2.08, "Y", "", "Y", "Y", 40],
        ["1-2", "Y", "Dual Home", "Wiltshire", "", 51.07, -2.09, "Y", "Y", "", "Y", "30"],
        ["1-3", "Y", "Residential", "Wiltshire", "", 51.08, -2.10, "", "Y", "", "", "12"],
        ["1-4", "Y", "Bad Beds", "Wiltshire", "", 51.0, -2.0, "", "Y", "", "", "twelve"],
        ["1-5", "Y", "Paris Home", "Wiltshire", "", 48.85, 2.35, "", "Y", "", "", 10],
        ["1-1", "Y", "Duplicate", "Wiltshire", "", 51.06, -2.08, "", "Y", "", "", 5],
        ["1-7", "Y", "No Place", "Wiltshire", "", "", "", "", "Y", "", "", 5],
        ["1-8", "Y", "By Postcode", "Wiltshire", "sp36ls", "", "", "", "Y", "", "", 7],
        ["1-9", "Y", "Unknown Postcode", "Wiltshire", "ZZ9 9ZZ", "", "", "", "Y", "", "", 7],
    ]
    postcodes = write_postcodes(tmp_path / "pc.csv", [("SP3 6LS", 395099, 129692)])
    homes, rejects = load_care_homes(_hsca(tmp_path, rows), postcodes=postcodes)
    assert homes["provider_id"].tolist() == ["1-1", "1-2", "1-3", "1-8"]
    assert list(homes.columns) == [*PROVIDER_COLUMNS, "geometry"]
    assert homes.crs.to_epsg() == 27700
    assert homes["kind"].tolist() == [
        "care_home_nursing",
        "care_home_nursing",
        "care_home_residential",
        "care_home_residential",
    ]
    assert homes["dual_registered"].tolist() == [False, True, False, False]
    assert homes["beds"].tolist() == [40, 30, 12, 7]
    placed = homes.set_index("provider_id")
    assert placed.loc["1-8", "geometry"].x == 395099
    assert placed.loc["1-8", "postcode"] == "SP3 6LS"
    assert placed.loc["1-8", "coord_source"] == "postcode"
    reasons = dict(zip(rejects["name"], rejects["reason"], strict=True))
    assert reasons["Bad Beds"] == "beds not a non-negative number: 'twelve'"
    assert reasons["Paris Home"].startswith("coordinates outside Great Britain")
    assert reasons["Duplicate"] == "duplicate provider_id (first on line 2)"
    assert reasons["No Place"] == "no coordinates and no postcode"
    assert reasons["Unknown Postcode"] == "no coordinates, and postcode ZZ9 9ZZ not found in pc.csv"
    assert len(rejects) == 5
    assert set(rejects["action"]) == {"rejected"}
    assert rejects.set_index("name").loc["Bad Beds", "line"] == 5


def test_generic_csv_by_grid_reference_and_postcode(tmp_path):
    path = write_csv(
        tmp_path / "agencies.csv",
        ["name", "postcode", "easting", "northing"],
        [
            ["Grid Agency", "", 400000, 200000],
            ["Postcode Agency", "SP3 6LS", "", ""],
            ["Sea Agency", "", 900000, 200000],
        ],
    )
    postcodes = write_postcodes(tmp_path / "pc.csv", [("SP3 6LS", 395099, 129692)])
    agencies, rejects = load_home_care(path, postcodes=postcodes)
    assert agencies["name"].tolist() == ["Grid Agency", "Postcode Agency"]
    assert agencies["kind"].unique().tolist() == ["domiciliary"]
    assert agencies["provider_id"].tolist() == ["agencies:2", "agencies:3"]
    assert rejects["reason"].tolist() == [
        "grid reference outside Great Britain (E 900000, N 200000)"
    ]


def test_care_home_csv_without_nursing_column_is_not_guessed(tmp_path):
    path = write_csv(
        tmp_path / "homes.csv",
        ["name", "easting", "northing", "beds"],
        [["Home", 400000, 200000, 20]],
    )
    homes, rejects = load_providers(path, "care_homes")
    assert homes.empty
    assert rejects["reason"].str.contains("cannot tell nursing from residential").all()


def test_unreadable_file_is_one_line_error(tmp_path):
    path = tmp_path / "missing.csv"
    with pytest.raises(InputFileError, match=r"missing\.csv"):
        load_care_homes(path)
    odd = write_csv(tmp_path / "odd.csv", ["foo"], [["x"]])
    with pytest.raises(InputFileError, match="columns not recognised"):
        load_care_homes(odd)


def test_real_hsca_file(data_dir):
    homes, rejects = load_care_homes(data_dir=data_dir)
    # 15,403 rows: 6 homes with 0 beds and 69 second registrations of a home (same
    # name and position under another id) are listed, not counted
    assert len(homes) == 15_328 and len(homes) + len(rejects) == 15_403
    twice = rejects["reason"].str.startswith("same name and position as")
    assert int(twice.sum()) == 69
    assert rejects.loc[~twice, "reason"].str.split(":").str[0].value_counts().to_dict() == {
        "beds outside 1..400": 6
    }
    assert homes["kind"].value_counts().to_dict() == {
        "care_home_residential": 10_995,
        "care_home_nursing": 4_333,
    }
    assert int(homes["dual_registered"].sum()) == 215
    wilts = homes[homes["la_name"] == "Wiltshire"]
    # Gracewell of Salisbury (63 beds) is listed twice by CQC: counted once
    assert len(wilts) == 175 and wilts["beds"].sum() == 4_814 - 63
    assert wilts.loc[wilts["kind"] == "care_home_nursing", "beds"].sum() == 2_394 - 63
    assert int(wilts["older_people"].sum()) == 130 and int(wilts["dementia"].sum()) == 95


def test_real_home_care_list_reports_unplaceable_rows(data_dir):
    agencies, rejects = load_home_care(data_dir=data_dir)
    assert len(agencies) == 22
    reasons = rejects["reason"].value_counts().to_dict()
    assert reasons == {
        "no coordinates and no postcode": 3,
        "no coordinates, and postcode BA1 2BU not found in codepo_gb_2025-05.zip": 1,
    }


def test_real_legacy_directory_reads_location_text(data_dir):
    path = data_dir / "care_lists" / "banes_cqc_places_2011-2014.csv"
    agencies, rejects = load_providers(path, "home_care")
    assert len(agencies) == 20 and rejects.empty
    assert set(agencies["coord_source"]) == {"location_text"}
    first = agencies.iloc[0]
    assert first["name"] == "Care At Your Home"
    assert first.geometry.x == pytest.approx(371216, abs=2)
    homes, flagged = load_providers(path, "care_homes")
    assert homes["kind"].value_counts().to_dict() == {
        "care_home_residential": 41,
        "care_home_nursing": 24,
    }
    assert set(flagged["action"]) == {"flagged"} and len(flagged) == 65


def test_own_file_needs_no_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSUFF_DATA", str(tmp_path / "nowhere"))
    path = write_csv(
        tmp_path / "a.csv",
        ["name", "easting", "northing", "postcode"],
        [["Grid", 400000, 200000, ""], ["Postcode only", "", "", "SP3 6LS"]],
    )
    agencies, rejects = load_home_care(path)
    assert agencies["name"].tolist() == ["Grid"]
    assert rejects["reason"].tolist() == [
        "no coordinates, and postcode cannot be looked up (no postcode file)"
    ]
