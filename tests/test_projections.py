"""Reading population projections in the three published layouts, and their errors."""

from __future__ import annotations

import pandas as pd
import pytest

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.age_bands import choose_partition, parse_age_label
from geosuff.io.projection_defs import load_projection_layouts
from geosuff.io.projections import find_projection_file, read_projection
from tests.fixtures import write_csv
from tests.projection_fixtures import TABLE2_GROUPS, write_table2

A = ("E06009991", "Alphashire")
B = ("E06009992", "Betaborough")


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("0-4", (0, 4)),
        ("85-89", (85, 89)),
        ("90+", (90, None)),
        ("90 and over", (90, None)),
        ("Aged 90+", (90, None)),
        ("Aged 0 - 4", (0, 4)),
        ("Aged 5 to 9", (5, 9)),
        ("Age 7", (7, 7)),
        (7, (7, 7)),
        ("7.0", (7, 7)),
        ("All ages", (0, None)),
        ("All Ages", (0, None)),
        ("Under 1", (0, 0)),
        ("Aged 65+", (65, None)),
        ("sixty", None),
        ("9-5", None),
        (None, None),
    ],
)
def test_age_labels(label, band):
    assert parse_age_label(label) == band


def test_partition_drops_totals_and_aggregates():
    singles = [(a, a) for a in range(90)] + [(90, None)]
    assert choose_partition([*singles, (0, None), (0, 15), (16, 64), (65, None)]) == singles
    assert choose_partition([(0, 64), (66, None)]) is None  # a gap at 65
    assert choose_partition([(0, 64), (65, 74)]) is None  # no open top band


def test_shipped_layouts():
    names = [d.name for d in load_projection_layouts()]
    assert set(names) == {"ons_snpp_table2", "ons_snpp_long", "nomis_snpp"}


def _table2(tmp_path, **kw):
    areas = {
        A: {"75-79": [100.0, 120.5], "90+": [10.0, 12.25], "0-4": [50.0, 40.0]},
        B: {"80-84": [7.0, 8.0]},
    }
    return write_table2(tmp_path / "snpp2020_table2.csv", [2020, 2021], areas, **kw)


def test_table2_csv(tmp_path):
    proj = read_projection(_table2(tmp_path))
    assert proj.layout == "ons_snpp_table2"
    assert proj.vintage == "2020-based"
    assert proj.years == (2020, 2021)
    assert proj.codes == {A[0], B[0]}
    assert proj.names[A[0]] == "Alphashire"
    assert len(proj.partition) == len(TABLE2_GROUPS) and proj.partition[-1] == (90, None)
    totals = proj.band_totals([A[0], B[0]], 2021, [0, 65, 75, 85])
    assert totals.loc[A[0]].tolist() == [40.0, 0.0, 120.5, 12.25]
    assert totals.loc[B[0]].tolist() == [0.0, 0.0, 8.0, 0.0]
    assert proj.rejects.empty


def test_table2_with_title_rows_and_footnote(tmp_path):
    path = _table2(tmp_path, title_rows=3)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("Source: Office for National Statistics,,,,\n")
    proj = read_projection(path)
    assert proj.codes == {A[0], B[0]}
    assert proj.rejects["reason"].tolist() == ["not a data row (no area code)"]
    assert proj.rejects["line"].tolist() == [3 + 1 + 2 * 20 + 1]


# read_table's XLSX engine choice belongs to geosuff.io.files; its pandas notice is not
# what this test checks.
@pytest.mark.filterwarnings("ignore:The default engine for reading 'xlsx' files")
def test_table2_xlsx_with_title_rows(tmp_path):
    pytest.importorskip("openpyxl")
    csv_path = _table2(tmp_path)
    frame = pd.read_csv(csv_path)
    xlsx = tmp_path / "table2.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame([["Table 2: 2018-based subnational population projections"], [None]]).to_excel(
            writer, sheet_name="Persons", index=False, header=False
        )
        frame.to_excel(writer, sheet_name="Persons", index=False, startrow=3)
    proj = read_projection(xlsx)
    assert proj.years == (2020, 2021)
    assert proj.band_totals([A[0]], 2020, [0, 75])[75].item() == 110.0


def _long_rows(code, name, sex, scale=1.0):
    rows = []
    for age in [*map(str, range(90)), "90 and over", "All ages"]:
        value = 2.0 if age in ("76", "90 and over") else 1.0
        if age == "All ages":
            value = 90 * 1.0 + 2.0
        rows.append([code, name, "Population", sex, age, value * scale, value * scale * 2])
        rows.append([code, name, "Births", sex, age, 999, 999])
    return rows


def test_long_persons_csv(tmp_path):
    header = ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", "2018", "2019"]
    path = write_csv(
        tmp_path / "2018 SNPP Population persons.csv", header, _long_rows(*A, "persons")
    )
    proj = read_projection(path)
    assert proj.layout == "ons_snpp_long" and proj.vintage == "2018-based"
    assert len(proj.partition) == 91
    totals = proj.band_totals([A[0]], 2019, [0, 65, 75, 85])
    # ages 75..89 are 1 each except 76 (2); 90+ is 2: 75+ = 15 + 1 + 2, doubled in 2019
    assert totals.loc[A[0], 75] + totals.loc[A[0], 85] == 2 * (15 + 1 + 2)
    assert totals.loc[A[0]].sum() == 2 * 93


def test_long_males_and_females_are_summed(tmp_path):
    header = ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", "2018", "2019"]
    rows = _long_rows(*A, "male") + _long_rows(*A, "female", scale=3.0)
    proj = read_projection(write_csv(tmp_path / "snpp_long.csv", header, rows))
    assert proj.band_totals([A[0]], 2018, [0, 75])[75].item() == 18 * 4


def test_long_one_sex_only_is_an_error(tmp_path):
    header = ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", "2018", "2019"]
    path = write_csv(tmp_path / "males.csv", header, _long_rows(*A, "male"))
    with pytest.raises(InputFileError, match="need persons rows, or both males and females"):
        read_projection(path)


def test_nomis_csv(tmp_path):
    header = [
        "DATE_NAME",
        "PROJECTED_YEAR_NAME",
        "GEOGRAPHY_NAME",
        "GEOGRAPHY_CODE",
        "GENDER_NAME",
        "C_AGE_NAME",
        "MEASURES_NAME",
        "OBS_VALUE",
    ]
    rows = []
    for year, scale in ((2025, 1), (2030, 3)):
        for gender in ("Total", "Male", "Female"):
            labels = [f"Age {a}" for a in range(90)] + ["Aged 90+", "All Ages", "Aged 65+"]
            for label in labels:
                value = 10 if label == "Aged 90+" else 1
                if gender != "Total":
                    value = 0.5 * value
                rows.append([2018, year, A[1], A[0], gender, label, "Value", value * scale])
                rows.append([2018, year, A[1], A[0], gender, label, "Percent", 50.0])
    proj = read_projection(write_csv(tmp_path / "nm_2006_1.csv", header, rows))
    assert proj.layout == "nomis_snpp" and proj.years == (2025, 2030)
    assert proj.vintage == "2018-based"
    totals = proj.band_totals([A[0]], 2030, [0, 65, 75, 85])
    assert totals.loc[A[0]].tolist() == [65 * 3, 10 * 3, 10 * 3, (5 + 10) * 3]


def test_incomplete_area_is_listed_and_left_out(tmp_path):
    path = _table2(tmp_path)
    frame = pd.read_csv(path)
    frame = frame[~((frame["CODE"] == B[0]) & (frame["AGE GROUP"] == "80-84"))]
    frame.to_csv(path, index=False)
    proj = read_projection(path)
    assert proj.codes == {A[0]}
    (reason,) = proj.rejects["reason"].tolist()
    assert reason == "area left out: no rows for age groups 80-84"


def test_unknown_columns_name_each_layout(tmp_path):
    path = write_csv(tmp_path / "mine.csv", ["code", "age", "2020"], [["E06009991", "0-4", 1]])
    with pytest.raises(InputFileError) as err:
        read_projection(path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert "ons_snpp_table2 needs CODE, AREA, AGE GROUP" in message


def test_age_groups_that_do_not_cover_all_ages(tmp_path):
    header = ["CODE", "AREA", "AGE GROUP", "2020"]
    rows = [[A[0], A[1], g, 1] for g in ("0-64", "75+", "All ages")]
    with pytest.raises(InputFileError, match="do not cover every age exactly once"):
        read_projection(write_csv(tmp_path / "p.csv", header, rows))


def test_year_checks_name_the_range(tmp_path):
    areas = {A: {"75-79": [1.0, 2.0, 3.0]}}
    proj = read_projection(write_table2(tmp_path / "p.csv", [2020, 2025, 2030], areas))
    with pytest.raises(ValidationError, match=r"^year 2031 is outside the projection's range"):
        proj.check_year(2031)
    assert "2020-2030" in proj.year_range()
    with pytest.raises(ValidationError, match=r"year 2027 is not in p.csv \(years 2020, 2025"):
        proj.check_year(2027)
    with pytest.raises(ValidationError, match="cannot be split at"):
        proj.band_totals([A[0]], 2020, [0, 65, 77])


def test_find_projection_file(tmp_path):
    assert find_projection_file(tmp_path) is None
    (tmp_path / "ons").mkdir()
    (tmp_path / "ons" / "snpp2018_notes.txt").write_text("x")
    assert find_projection_file(tmp_path) is None
    _table2(tmp_path / "ons")
    assert find_projection_file(tmp_path).name == "snpp2020_table2.csv"


def test_real_table2(data_dir):
    proj = read_projection(data_dir / "ons" / "snpp2018_persons_table2.csv")
    assert proj.layout == "ons_snpp_table2" and proj.vintage == "2018-based"
    assert proj.years[0] == 2018 and proj.years[-1] == 2043
    assert len(proj.codes) == 369 and proj.rejects.empty

    def aged_75plus(code, year):
        return proj.band_totals([code], year, [0, 75])[75].item()

    # The data README's figures.
    assert aged_75plus("E06000022", 2018) == 17_156
    assert round(aged_75plus("E06000022", 2030)) == 22_631
    assert round(aged_75plus("E06000022", 2034)) == 23_853
    assert aged_75plus("E10000034", 2018) == 59_739
    assert round(aged_75plus("E10000034", 2030)) == 85_815
    assert aged_75plus("E06000054", 2018) == 48_213
    assert round(aged_75plus("E06000054", 2030)) == 69_443
