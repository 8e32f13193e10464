"""Scope (which homes count) and the bed-use model (nursing/residential split)."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.bed_use import BedUse, apply_bed_use, bed_use_model, load_bed_use
from geosuff.io.scope import apply_scope, check_scope
from tests.fixtures import write_csv

CRS = "EPSG:27700"


def _homes():
    return gpd.GeoDataFrame(
        {
            "provider_id": ["n1", "n2", "r1", "ld"],
            "name": ["Nursing One", "Dual Two", "Residential", "Younger Adults House"],
            "kind": ["care_home_nursing"] * 2 + ["care_home_residential"] * 2,
            "beds": [40.0, 60.0, 20.0, 8.0],
            "older_people": pd.array([True, True, False, False], dtype="boolean"),
            "dementia": pd.array([True, False, True, False], dtype="boolean"),
            "service_user_bands": [
                "Dementia; Older People",
                "Older People",
                "Dementia",
                "Learning disabilities or autistic spectrum disorder; Mental Health",
            ],
            "line": [2, 3, 4, 5],
        },
        geometry=[Point(i, 0) for i in range(4)],
        crs=CRS,
    )


def test_older_people_scope_keeps_older_people_and_dementia_homes():
    kept, listed = apply_scope(_homes(), "older-people", source="care homes (x.csv)")
    assert kept["provider_id"].tolist() == ["n1", "n2", "r1"]
    assert listed["action"].tolist() == ["excluded"]
    assert listed["reason"].tolist() == [
        "outside scope older-people: registered for Learning disabilities or autistic "
        "spectrum disorder; Mental Health"
    ]
    assert listed["line"].tolist() == [5] and listed["source"].tolist() == ["care homes (x.csv)"]


def test_scope_all_keeps_everything():
    kept, listed = apply_scope(_homes(), "all")
    assert len(kept) == 4 and listed.empty


def test_homes_without_bands_are_counted_and_flagged():
    homes = _homes().drop(columns=["older_people", "dementia", "service_user_bands"])
    kept, listed = apply_scope(homes, "older-people")
    assert len(kept) == 4
    assert set(listed["action"]) == {"flagged"} and len(listed) == 4
    assert listed["reason"].iloc[0].startswith("service user bands not in this source")


def test_unknown_scope_is_validation_error():
    assert check_scope("older_people") == "older-people"
    with pytest.raises(ValidationError, match="scope must be one of older-people, all"):
        check_scope("everyone")


def test_registration_rule_hand_computed():
    homes, flagged, n_file = apply_bed_use(_homes())
    assert homes["nursing_beds"].tolist() == [40, 60, 0, 0]
    assert homes["residential_beds"].tolist() == [0, 0, 20, 8]
    assert homes["dementia_beds"].tolist() == [40, 0, 20, 0]
    assert set(homes["bed_use_basis"]) == {"registration"}
    assert flagged.empty and n_file == 0


def test_nursing_share_hand_computed():
    model, _ = bed_use_model(nursing_share=0.25)
    homes, _, _ = apply_bed_use(_homes(), model)
    assert homes["nursing_beds"].tolist() == [10, 15, 0, 0]
    assert homes["residential_beds"].tolist() == [30, 45, 20, 8]
    assert (homes["nursing_beds"] + homes["residential_beds"]).tolist() == [40, 60, 20, 8]
    assert "nursing share 0.25: 25% of the beds" in model.describe()


def test_nursing_share_outside_0_1_is_error():
    with pytest.raises(ValidationError, match="between 0 and 1"):
        bed_use_model(nursing_share=1.5)


def test_bed_use_file_shares_fallback_and_flags(tmp_path):
    path = write_csv(
        tmp_path / "bed_use.csv",
        ["Location ID", "Nursing beds", "Residential beds"],
        [["n1", 30, 10], ["r1", 5, 15], ["zz", 4, 4]],
    )
    model, rejects = bed_use_model(nursing_share=0.5, bed_use=path)
    assert rejects.empty
    homes, flagged, n_file = apply_bed_use(_homes(), model, source="care homes")
    # n1: file 30/40 of CQC's 40 beds; r1: the file's 5 of 20; n2 falls back to the share
    assert homes["nursing_beds"].tolist() == [30, 30, 5, 0]
    assert homes["residential_beds"].tolist() == [10, 30, 15, 8]
    assert homes["bed_use_basis"].tolist() == [
        "bed-use file",
        "nursing share 0.50",
        "bed-use file",
        "nursing share 0.50",
    ]
    assert n_file == 2
    reasons = dict(zip(flagged["id"], flagged["reason"], strict=True))
    assert reasons["r1"].startswith("bed-use file gives nursing beds, but CQC does not")
    assert reasons["zz"] == "no care home with this location id in the area's layer (ignored)"
    text = model.describe(4, n_file)
    assert text.startswith("bed-use file bed_use.csv for 2 of 4 homes")
    assert "the other 2 by nursing share 0.50" in text


def test_bed_use_total_differing_from_cqc_is_flagged(tmp_path):
    path = write_csv(
        tmp_path / "b.csv", ["location_id", "nursing_beds", "residential_beds"], [["n2", 30, 10]]
    )
    model, _ = bed_use_model(bed_use=path)
    homes, flagged, _ = apply_bed_use(_homes(), model)
    assert homes.set_index("provider_id").loc["n2", "nursing_beds"] == pytest.approx(45.0)
    assert flagged["reason"].tolist() == [
        "bed-use file gives 40 beds (30 nursing), CQC registers 60: the file's shares "
        "applied to the registered beds"
    ]


def test_bed_use_file_structure_and_rows(tmp_path):
    no_cols = write_csv(tmp_path / "x.csv", ["location_id", "beds"], [["a", 1]])
    with pytest.raises(InputFileError, match="not a bed-use file: no nursing_beds, no"):
        load_bed_use(no_cols)
    header_only = write_csv(
        tmp_path / "h.csv", ["location_id", "nursing_beds", "residential_beds"], []
    )
    with pytest.raises(InputFileError, match="has a header but no data rows"):
        load_bed_use(header_only)
    rows = write_csv(
        tmp_path / "rows.csv",
        ["location_id", "nursing_beds", "residential_beds"],
        [["a", 10, 5], ["b", "ten", 5], ["c", 2.5, 1], ["d", 0, 0], ["a", 3, 3], ["", 1, 1]],
    )
    table, rejects = load_bed_use(rows)
    assert table.index.tolist() == ["a"]
    assert rejects["reason"].tolist() == [
        "bed counts not non-negative numbers: nursing 'ten', residential '5'",
        "bed counts not whole numbers",
        "no beds (nursing and residential both 0)",
        "repeats location id a (line 2 used)",
        "no location id",
    ]


def test_bed_less_homes_keep_unknown_split():
    homes = _homes().assign(beds=np.nan)
    out, _, _ = apply_bed_use(homes, BedUse(0.5))
    assert out[["nursing_beds", "residential_beds", "dementia_beds"]].isna().all().all()
