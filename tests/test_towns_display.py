"""Towns (groups of wards), worded table cells, bed-less supply and the split in access."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geosuff._errors import InputFileError
from geosuff.analysis.access import access
from geosuff.analysis.supply import supply_ratios
from geosuff.cli._display import cell, fmt_count, fmt_gap, fmt_ratio
from geosuff.io.area_layers import AreaLayers
from geosuff.io.areas import Area
from geosuff.io.bed_use import BedUse, apply_bed_use
from geosuff.io.provenance import Coverage
from geosuff.io.towns import find_towns_file, load_towns, prefix_towns

CRS = "EPSG:27700"


def test_prefix_rule():
    names = pd.Series(
        [
            "Royal Wootton Bassett East",
            "Royal Wootton Bassett South & West",
            "Calne Central",
            "Calne Rural",
            "Calne North",
            "Tisbury",
            "North Claines & Salwarpe",
            "North Bradley",
            "Melksham Without North & Shurnhold",
        ]
    )
    assert prefix_towns(names).tolist() == [
        "Royal Wootton Bassett",
        "Royal Wootton Bassett",
        "Calne",
        "Calne Rural",
        "Calne",
        "Tisbury",
        "North Claines & Salwarpe",
        "North Bradley",
        "Melksham Without North & Shurnhold",
    ]


def _wards(names):
    return pd.DataFrame({"ward_code": [f"W{i}" for i in range(len(names))], "ward_name": names})


def test_towns_file_with_listed_and_unlisted_wards(tmp_path):
    area = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))
    path = tmp_path / "towns_testshire.toml"
    path.write_text(
        'area = "E06000099"\n[towns]\n"Bath" = ["Kingsmead", "weston", "Atlantis"]\n'
        '"Other" = ["Kingsmead"]\n'
    )
    wards = _wards(["Kingsmead", "Weston", "Keynsham East", "Keynsham North", "Paulton"])
    towns, rejects = load_towns(area, wards, path=path)
    assert towns["town"].tolist() == ["Bath", "Bath", "Keynsham", "Keynsham", "Paulton"]
    assert towns["town_rule"].tolist() == ["listed"] * 2 + ["name prefix"] * 3
    assert rejects["reason"].tolist() == [
        "ward 'Atlantis' of town 'Bath' is not a ward of Testshire",
        "ward listed under 'Bath' and 'Other' (first kept)",
    ]
    assert find_towns_file(area, tmp_path) == path
    bad = tmp_path / "bad.toml"
    bad.write_text('area = "x"\n')
    with pytest.raises(InputFileError, match=r"bad\.toml: needs a \[towns\] table"):
        load_towns(area, wards, path=bad)


def test_shipped_towns_files_name_real_wards(data_dir):
    from geosuff.io.areas import resolve_area
    from geosuff.io.wards import load_wards

    for name, town, n_wards in (
        ("Wiltshire", "Trowbridge", 7),
        ("Worcestershire", "Worcester", 16),
        ("BANES", "Bath", 15),
        ("Rutland", "Oakham", 3),
    ):
        area = resolve_area(name, data_dir)
        towns, rejects = load_towns(area, load_wards(area, data_dir=data_dir))
        assert rejects.empty, rejects
        assert (towns["town"] == town).sum() == n_wards


def test_worded_cells():
    assert fmt_gap(-575.4) == "shortfall 575"
    assert fmt_gap(292.6) == "surplus 293"
    assert fmt_gap(0.3) == "balanced"
    assert fmt_gap(np.nan, "insufficient data (partial: sample)") == "insufficient data (partial)"
    assert fmt_count(4483.0) == "4,483" and fmt_count(np.nan) == "-"
    assert fmt_ratio(86.2345) == "86.2"
    cover = {"home_care": Coverage("partial", "a sample")}
    row = {"home_care_agencies": 1, "home_care_agencies_per_1000_75plus": np.nan}
    assert cell(row, "home_care_agencies", cover) == "1 (partial)"
    assert cell(row, "home_care_agencies_per_1000_75plus", cover) == "insufficient data (partial)"
    beds = {"care_homes": Coverage("partial", "no bed counts")}
    assert cell({"beds": np.nan}, "beds", beds) == "insufficient data (partial)"
    assert cell({"beds": np.nan}, "beds", {}) == "-"


def _population():
    return gpd.GeoDataFrame(
        {
            "lsoa_code": ["A", "B"],
            "lsoa_name": ["A", "B"],
            "la_code": ["E1", "E1"],
            "la_name": ["T", "T"],
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


def _homes(beds):
    return gpd.GeoDataFrame(
        {
            "provider_id": ["n", "r"],
            "name": ["n", "r"],
            "kind": ["care_home_nursing", "care_home_residential"],
            "beds": beds,
            "units": [np.nan, np.nan],
            "older_people": [True, True],
            "dementia": [False, True],
        },
        geometry=[Point(100, 100), Point(1500, 500)],
        crs=CRS,
    )


def test_bedless_source_gives_unknown_beds_not_zero():
    cover = {"care_homes": Coverage("partial", "no bed counts in the source")}
    table = supply_ratios(_population(), _homes([np.nan, np.nan]), by="area", coverage=cover).iloc[
        0
    ]
    assert table["care_homes"] == 2 and isinstance(table["care_homes"], np.integer)
    assert np.isnan(table["beds"]) and np.isnan(table["nursing_beds_gap"])
    assert table["nursing_beds_gap_note"] == (
        "insufficient data (partial: no bed counts in the source)"
    )
    assert table["care_homes_coverage"] == "partial: no bed counts in the source"


def test_supply_reads_the_split_columns():
    homes, _, _ = apply_bed_use(_homes([40.0, 20.0]), BedUse(0.25))
    row = supply_ratios(_population(), homes, by="area").iloc[0]
    assert (row["nursing_beds"], row["residential_beds"], row["dementia_beds"]) == (10, 50, 20)
    assert row["residential_beds_gap_note"] == ""


def test_e2sfca_nursing_and_residential_follow_the_split():
    pop = _population()
    area = Area("E1", "T", "utla", ("E1",), ("T",))
    empty = gpd.GeoDataFrame(
        {"provider_id": [], "kind": [], "beds": [], "units": []}, geometry=[], crs=CRS
    )

    def run(model):
        homes, _, _ = apply_bed_use(_homes([40.0, 20.0]), model)
        homes = homes.assign(lsoa_code=["A", "B"], la_code="E1")
        layers = AreaLayers(area, pop, homes, empty, empty, pd.DataFrame(), {}, {})
        return access(layers)

    reg, share = run(BedUse()), run(BedUse(0.25))
    assert share["e2sfca_nursing_beds_per_1000_75plus"].to_numpy() == pytest.approx(
        0.25 * reg["e2sfca_nursing_beds_per_1000_75plus"].to_numpy()
    )
    for acc in (reg, share):
        total = (
            acc["e2sfca_nursing_beds_per_1000_75plus"]
            + acc["e2sfca_residential_beds_per_1000_75plus"]
        )
        assert total.to_numpy() == pytest.approx(acc["e2sfca_beds_per_1000_75plus"].to_numpy())
