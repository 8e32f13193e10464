from pathlib import Path

import pandas as pd
import pytest

from geosuff._errors import InputFileError
from geosuff.io.layerdefs import apply_definition, detect_definition, load_definitions
from tests.fixtures import HSCA_HEADER


@pytest.fixture(scope="module")
def defs():
    return load_definitions()


def test_shipped_definitions_load_in_priority_order(defs):
    names = [d.name for d in defs]
    assert names[0] == "cqc_hsca_active_locations"
    assert names[-1] == "generic_providers"
    assert {"cqc_care_directory", "cqc_directory_legacy"} <= set(names)


@pytest.mark.parametrize(
    ("columns", "layer", "expected"),
    [
        (HSCA_HEADER, "care_homes", "cqc_hsca_active_locations"),
        (
            ["Name", "Postcode", "Service types", "Specialisms/services"],
            "home_care",
            "cqc_care_directory",
        ),
        (
            ["name", "postcode", "service_types", "specialisms_services", "location_id"],
            "care_homes",
            "cqc_directory_legacy",
        ),
        (["NAME", "Easting", "Northing"], "extra_care", "generic_providers"),
    ],
)
def test_detects_each_known_format(defs, columns, layer, expected):
    assert detect_definition(columns, layer, "f.csv", defs).name == expected


def test_unrecognised_columns_name_file_and_needs(defs):
    with pytest.raises(InputFileError) as err:
        detect_definition(["foo", "bar"], "care_homes", Path("x.csv"), defs)
    text = str(err.value)
    assert "x.csv" in text and "cqc_hsca_active_locations needs" in text
    assert "\n" not in text


def test_directory_flags_from_text_columns(defs):
    d = next(x for x in defs if x.name == "cqc_care_directory")
    raw = pd.DataFrame(
        {
            "Name": ["A", "B"],
            "Service types": ["Nursing homes|Residential homes", "Homecare agencies"],
            "Specialisms/services": ["Caring for adults over 65 yrs|Dementia", "Personal care"],
        }
    )
    canon = apply_definition(raw, d)
    assert canon["nursing"].tolist() == [True, False]
    assert canon["residential"].tolist() == [True, False]
    assert canon["domiciliary"].tolist() == [False, True]
    assert canon["older_people"].tolist() == [True, False]
    assert canon["dementia"].tolist() == [True, False]
    assert canon["lat"].isna().all()


def test_bad_definition_file_is_one_line_error(tmp_path):
    (tmp_path / "bad.toml").write_text('name = "x"\nprovides = ["pubs"]\ndetect = ["a"]\n')
    with pytest.raises(InputFileError, match="unknown layer 'pubs'"):
        load_definitions(tmp_path)
