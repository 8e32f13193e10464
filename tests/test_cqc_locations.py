"""One CQC HSCA active locations file, as published (ODS), feeds every provider layer."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.area_layers import load_area_layers
from geosuff.io.providers import load_providers
from tests.spreadsheet_fixtures import HSCA_COLUMNS, hsca_row, write_hsca_ods, write_xlsx

REAL_CSV = "cqc/hsca_care_homes_2021-04_england.csv"


def _location(lid, name, **extra):
    row = {
        "Location ID": lid,
        "Location Name": name,
        "Location Local Authority": "Wiltshire",
        "Location Postal Code": "SP3 6LD",
        "Location Latitude": "51.06",
        "Location Longitude": "-2.08",
        "Dormant (Y/N)": "N",
    }
    row.update(extra)
    return row


HAND_MADE = [
    _location(
        "1-10",
        "Nadder Nursing Home",
        **{
            "Care home?": "Y",
            "Care homes beds": "40",
            "Service type - Care home service with nursing": "Y",
            "Service user band - Older People": "Y",
            "Location Latest Overall Rating": "Good",
        },
    ),
    _location(
        "1-11",
        "Fonthill Residential",
        **{
            "Care home?": "Y",
            "Care homes beds": "22",
            "Service type - Care home service without nursing": "Y",
            "Location Latest Overall Rating": "Requires improvement",
        },
    ),
    _location(
        "1-12",
        "Closed For Now",
        **{
            "Care home?": "Y",
            "Care homes beds": "30",
            "Service type - Care home service without nursing": "Y",
            "Dormant (Y/N)": "Y",
            "Location Latest Overall Rating": "Outstanding",
        },
    ),
    _location(
        "1-20",
        "Tisbury Home Care",
        **{
            "Care home?": "N",
            "Service type - Domiciliary care service": "Y",
            "Location Latest Overall Rating": "Outstanding",
        },
    ),
    _location(
        "1-21",
        "Vale Home Care",
        **{"Care home?": "N", "Service type - Domiciliary care service": "Y"},
    ),
    _location(
        "1-30",
        "Nadder Court Extra Care",
        **{
            "Care home?": "N",
            "Service type - Extra Care housing services": "Y",
            "Service type - Domiciliary care service": "Y",
            "Location Latest Overall Rating": "Inadequate",
        },
    ),
    _location("1-40", "Village GP Surgery", **{"Care home?": "N"}),
]


@pytest.fixture(scope="module")
def hand_ods(tmp_path_factory):
    path = tmp_path_factory.mktemp("cqc") / "01_November_2025_HSCA_Active_Locations.ods"
    return write_hsca_ods(path, HAND_MADE)


def test_one_file_three_layers(hand_ods):
    homes, home_rejects = load_providers(hand_ods, "care_homes")
    assert homes["name"].tolist() == ["Nadder Nursing Home", "Fonthill Residential"]
    assert homes["beds"].tolist() == [40, 22]
    assert homes["kind"].tolist() == ["care_home_nursing", "care_home_residential"]
    assert homes["rating"].tolist() == ["Good", "Requires improvement"]
    assert homes["older_people"].tolist() == [True, False]
    # the dormant home is listed, with its line in the sheet, and left out
    assert home_rejects[["line", "id", "action"]].values.tolist() == [[4, "1-12", "excluded"]]
    assert home_rejects["reason"].iloc[0].startswith("dormant location")
    assert homes.attrs["coverage"] == "complete"
    assert homes.attrs["layer_definition"] == "cqc_hsca_active_locations"

    agencies, _ = load_providers(hand_ods, "home_care")
    assert agencies["name"].tolist() == [
        "Tisbury Home Care",
        "Vale Home Care",
        "Nadder Court Extra Care",
    ]
    assert set(agencies["kind"]) == {"domiciliary"}

    extra, extra_rejects = load_providers(hand_ods, "extra_care")
    assert extra["name"].tolist() == ["Nadder Court Extra Care"]
    assert extra_rejects["reason"].tolist() == [
        "units not stated (counted as a scheme, not in unit totals)"
    ]


def test_dormant_kept_when_asked(hand_ods):
    homes, rejects = load_providers(hand_ods, "care_homes", include_dormant=True)
    assert "Closed For Now" in homes["name"].tolist()
    assert rejects.empty


def test_min_rating_good_keeps_good_and_outstanding_and_lists_the_rest(hand_ods):
    homes, rejects = load_providers(hand_ods, "care_homes", min_rating="good")
    assert homes["name"].tolist() == ["Nadder Nursing Home"]
    assert dict(zip(rejects["id"], rejects["reason"], strict=True)) == {
        "1-12": "dormant location (registered but not providing care): left out",
        "1-11": "rated Requires improvement (below good): left out",
    }
    agencies, rejects = load_providers(hand_ods, "home_care", min_rating="Good")
    assert agencies["name"].tolist() == ["Tisbury Home Care"]
    assert sorted(rejects["reason"]) == [
        "not rated (minimum good asked): left out",
        "rated Inadequate (below good): left out",
    ]
    assert set(rejects["action"]) == {"excluded"}


def test_bad_min_rating_and_file_without_ratings(hand_ods, tmp_path):
    with pytest.raises(ValidationError, match="not one of outstanding, good"):
        load_providers(hand_ods, "care_homes", min_rating="great")
    csv_path = tmp_path / "homes.csv"
    csv_path.write_text("name,easting,northing,nursing,beds\nA,400000,200000,Y,20\n")
    with pytest.raises(ValidationError, match="needs a rating column"):
        load_providers(csv_path, "care_homes", min_rating="good")


def test_older_xlsx_edition_with_spaced_sheet_name(tmp_path):
    rows = [list(HSCA_COLUMNS), *(hsca_row(r) for r in HAND_MADE)]
    path = write_xlsx(
        tmp_path / "HSCA_Active_Locations.xlsx",
        {"README": [["Source: CQC database as at 1 May 2019"]], "HSCA Active Locations": rows},
    )
    homes, _ = load_providers(path, "care_homes")
    assert homes["beds"].tolist() == [40, 22]


def test_care_homes_only_extract_is_not_read_as_home_care(data_dir):
    with pytest.raises(InputFileError) as info:
        load_providers(data_dir / REAL_CSV, "home_care")
    assert "Service type - Domiciliary care service" in str(info.value)


# --------------------------------------------------------------------------- real rows


@pytest.fixture(scope="module")
def real_ods(data_dir, tmp_path_factory):
    """The real CQC rows in the published ODS layout, plus a few other services."""
    with (data_dir / REAL_CSV).open(encoding="utf-8-sig", newline="") as fh:
        rows = [dict(r, **{"Dormant (Y/N)": "N"}) for r in csv.DictReader(fh)]
    extra = [
        _location("9-1", "Rutland Home Care", **{
            "Location Local Authority": "Rutland", "Location Latitude": "52.6700",
            "Location Longitude": "-0.7200", "Care home?": "N",
            "Service type - Domiciliary care service": "Y",
        }),
        _location("9-2", "Oakham Extra Care", **{
            "Location Local Authority": "Rutland", "Location Latitude": "52.6680",
            "Location Longitude": "-0.7310", "Care home?": "N",
            "Service type - Extra Care housing services": "Y",
        }),
        _location("9-3", "Dormant Wiltshire Home", **{
            "Care home?": "Y", "Care homes beds": "50", "Dormant (Y/N)": "Y",
            "Service type - Care home service with nursing": "Y",
        }),
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("real_cqc")
    return write_hsca_ods(folder / "01_November_2025_HSCA_Active_Locations.ods", rows + extra)


def test_real_rows_in_published_ods_give_the_csv_figures(data_dir, real_ods):
    from_csv, _ = load_providers(data_dir / REAL_CSV, "care_homes")
    from_ods, rejects = load_providers(real_ods, "care_homes")
    # 15,403 rows less 6 homes with 0 beds and 69 repeated registrations (listed)
    assert len(from_ods) == len(from_csv) == 15_328
    columns = ["provider_id", "name", "kind", "beds", "older_people", "dementia", "la_name"]
    pd.testing.assert_frame_equal(
        from_ods[columns].reset_index(drop=True), from_csv[columns].reset_index(drop=True)
    )
    assert (from_ods.geometry.distance(from_csv.geometry) < 0.01).all()
    excluded = rejects[rejects["action"] == "excluded"]
    assert excluded["id"].tolist() == ["9-3"]  # the dormant home, listed

    wilts = from_ods[from_ods["la_name"] == "Wiltshire"]
    assert (len(wilts), wilts["beds"].sum()) == (175, 4_751)  # Gracewell of Salisbury once
    rutland = from_ods[from_ods["la_name"] == "Rutland"]
    assert (len(rutland), rutland["beds"].sum()) == (12, 419)


def test_real_ods_feeds_an_area_with_all_three_layers(data_dir, real_ods):
    from geosuff.io.area_layers import LayerFiles

    files = LayerFiles(care_homes=real_ods, home_care=real_ods, extra_care=real_ods)
    layers = load_area_layers("Rutland", data_dir=data_dir, files=files)
    assert (len(layers.care_homes), layers.care_homes["beds"].sum()) == (12, 419)
    assert layers.home_care["name"].tolist() == ["Rutland Home Care"]
    assert layers.extra_care["name"].tolist() == ["Oakham Extra Care"]


def test_min_rating_on_the_command_line(data_dir, hand_ods):
    import json

    from typer.testing import CliRunner

    from geosuff.cli.main import app

    runner = CliRunner()
    args = ["layers", "summary", "--area", "Wiltshire", "--data", str(data_dir)]
    args += ["--care-homes", str(hand_ods), "--home-care", str(hand_ods), "--format", "json"]
    args += ["--scope", "all", "--extra-care", str(hand_ods)]  # every home, not only 75+
    result = runner.invoke(app, [*args, "--min-rating", "good"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["rows"][0]
    assert (row["care_homes"], row["beds"], row["home_care_agencies"]) == (1, 40, 1)
    everything = json.loads(runner.invoke(app, args).stdout)["rows"][0]
    assert (everything["care_homes"], everything["home_care_agencies"]) == (2, 3)
    bad = runner.invoke(app, [*args, "--min-rating", "great"])
    assert bad.exit_code != 0  # a usage error (its exit code is issue 16's business)
    sample = runner.invoke(app, [*args[:-2], "--min-rating", "good"])  # sample list, no ratings
    assert sample.exit_code == 2
    assert "extra_care_schemes.csv: --min-rating good needs a rating column" in sample.output
