"""Input checks of provider files: structural errors are one line, bad rows are listed."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from geosuff._errors import InputFileError
from geosuff.cli.main import app
from geosuff.io.provider_checks import implausible_counts, service_user_bands
from geosuff.io.providers import load_care_homes, load_extra_care, load_home_care
from tests.fixtures import HSCA_HEADER, write_csv
from tests.supply_fixtures import GENERIC_HEADER, home

runner = CliRunner()


def _hsca(tmp_path, rows):
    return write_csv(tmp_path / "hsca.csv", HSCA_HEADER, rows)


def test_header_only_file_is_one_line_error(tmp_path):
    path = _hsca(tmp_path, [])
    with pytest.raises(InputFileError, match=r"hsca\.csv: has a header but no data rows"):
        load_care_homes(path)


def test_empty_file_is_one_line_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(InputFileError, match=r"empty\.csv: cannot read table"):
        load_home_care(path)


def test_no_coordinate_or_postcode_column_is_one_line_error(tmp_path):
    path = write_csv(tmp_path / "names.csv", ["name", "beds"], [["A home", 20]])
    with pytest.raises(InputFileError, match="no column to place providers by") as err:
        load_home_care(path)
    assert str(err.value).startswith(str(path))
    assert len(str(err.value).splitlines()) == 1


def test_half_a_coordinate_pair_is_not_enough(tmp_path):
    path = write_csv(tmp_path / "east.csv", ["name", "easting"], [["A", 400000]])
    with pytest.raises(InputFileError, match="no column to place providers by"):
        load_home_care(path)


def test_care_homes_without_bed_column_is_one_line_error(tmp_path):
    header = [c for c in GENERIC_HEADER if c != "beds"]
    row = home("h1", "Oak", 500)[:-1]
    path = write_csv(tmp_path / "nobeds.csv", header, [row])
    with pytest.raises(InputFileError, match=r"nobeds\.csv: no bed column \(beds, Beds"):
        load_care_homes(path)
    # the same file is fine as a home care list: beds are not needed there
    agencies, _ = load_home_care(path)
    assert agencies["name"].tolist() == ["Oak"]


def test_cli_structural_error_exits_2_with_one_line(tmp_path, data_dir):
    path = _hsca(tmp_path, [])
    args = ["layers", "summary", "--area", "Rutland", "--data", str(data_dir)]
    res = runner.invoke(app, ["--quiet", *args, "--care-homes", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"geosuff: error: {path}: has a header but no data rows"
    assert "Traceback" not in res.output


def test_implausible_beds_are_rejected_with_reasons(tmp_path):
    rows = [
        ["1-1", "Y", "Fine", "Wiltshire", "", 51.06, -2.08, "Y", "", "", "Y", 40],
        ["1-2", "Y", "Huge", "Wiltshire", "", 51.07, -2.08, "Y", "", "", "Y", 99999],
        ["1-3", "Y", "Fraction", "Wiltshire", "", 51.08, -2.08, "", "Y", "", "Y", 35.5],
        ["1-4", "Y", "Empty home", "Wiltshire", "", 51.09, -2.08, "", "Y", "", "Y", 0],
        ["1-5", "Y", "Largest", "Wiltshire", "", 51.10, -2.08, "", "Y", "", "Y", 400],
        ["1-6", "Y", "Commas", "Wiltshire", "", 51.11, -2.08, "", "Y", "", "Y", "1,200"],
    ]
    homes, rejects = load_care_homes(_hsca(tmp_path, rows))
    assert homes["name"].tolist() == ["Fine", "Largest"]
    reasons = dict(zip(rejects["name"], rejects["reason"], strict=True))
    assert reasons == {
        "Huge": "beds outside 1..400: 99999",
        "Fraction": "beds not a whole number: 35.5",
        "Empty home": "beds outside 1..400: 0",
        "Commas": "beds outside 1..400: 1200",
    }
    assert set(rejects["action"]) == {"rejected"}
    assert rejects.set_index("name").loc["Huge", "line"] == 3


def test_extra_care_units_checked(tmp_path):
    path = write_csv(
        tmp_path / "schemes.csv",
        ["name", "easting", "northing", "units"],
        [["Ok", 400000, 200000, 40], ["Odd", 400100, 200000, 2.5], ["Vast", 400200, 200000, 5000]],
    )
    schemes, rejects = load_extra_care(path)
    assert schemes["name"].tolist() == ["Ok"]
    assert rejects["reason"].tolist() == [
        "units not a whole number: 2.5",
        "units outside 1..1,000: 5000",
    ]


def test_84_copies_of_one_home_count_once(tmp_path):
    rows = [
        ["1-100", "Y", "Copied Court", "Wiltshire", "", 51.06, -2.08, "Y", "", "", "Y", 60],
        ["1-200", "Y", "Other Home", "Wiltshire", "", 51.06, -2.08, "Y", "", "", "Y", 30],
    ]
    rows += [
        [f"9-{i}", "Y", "copied  court", "Wiltshire", "", 51.06, -2.08, "Y", "", "", "Y", 60]
        for i in range(83)
    ]
    homes, rejects = load_care_homes(_hsca(tmp_path, rows))
    assert homes["provider_id"].tolist() == ["1-100", "1-200"]
    assert homes["beds"].sum() == 90
    assert len(rejects) == 83 and set(rejects["action"]) == {"rejected"}
    assert set(rejects["reason"]) == {
        "same name and position as 1-100 (line 2, kept): one home listed under two ids"
    }


def test_same_name_elsewhere_is_not_a_duplicate(tmp_path):
    rows = [
        ["1-1", "Y", "The Grange", "Wiltshire", "", 51.06, -2.08, "Y", "", "", "Y", 20],
        ["1-2", "Y", "The Grange", "Wiltshire", "", 51.36, -2.18, "Y", "", "", "Y", 20],
    ]
    homes, rejects = load_care_homes(_hsca(tmp_path, rows))
    assert len(homes) == 2 and rejects.empty


def test_service_user_bands_from_hsca_and_directory():
    hsca = pd.DataFrame(
        {
            "Service user band - Older People": ["Y", ""],
            "Service user band - Mental Health": ["Y", "Y"],
            "Other": ["x", "y"],
        }
    )
    assert service_user_bands(hsca).tolist() == ["Older People; Mental Health", "Mental Health"]
    directory = pd.DataFrame({"Specialisms/services": ["Dementia|Caring for adults over 65 yrs"]})
    assert service_user_bands(directory).tolist() == ["Dementia; Caring for adults over 65 yrs"]
    assert service_user_bands(pd.DataFrame({"name": ["x"]})).isna().all()


def test_implausible_counts_leaves_blanks_alone():
    values = pd.Series([1.0, None, 400.0, 401.0, 0.5])
    reasons = implausible_counts(values, label="beds", bounds=(1, 400))
    assert reasons.isna().tolist() == [True, True, True, False, False]
