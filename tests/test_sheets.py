"""Spreadsheets as published: sheet and header row found by content; CSV encodings."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from geosuff._errors import InputFileError
from geosuff.io.files import read_table
from geosuff.io.sheet_tables import data_lines
from geosuff.io.sheets import as_at_date, find_header, sheet_names, sheet_text
from tests.spreadsheet_fixtures import write_ods, write_xls, write_xlsx

PREAMBLE = [
    ["Lower layer Super Output Area population estimates"],
    ["Mid-2020: SAPE23DT2"],
    ["This worksheet contains one table."],
    [],
]
HEADER = ["LSOA Code", "LSOA Name", "All Ages", 0, 1, "90+"]
ROWS = [
    ["E01000001", "City of London 001A", 1500, 10, 12, 7],
    ["E01000002", "X 001B", 900, 5, 4, 3],
]


@pytest.mark.parametrize("writer", [write_ods, write_xlsx, write_xls], ids=["ods", "xlsx", "xls"])
def test_header_below_a_preamble_in_a_named_sheet(tmp_path, writer):
    suffix = {write_ods: ".ods", write_xlsx: ".xlsx", write_xls: ".xls"}[writer]
    path = writer(
        tmp_path / f"sape{suffix}",
        {
            "Contents": [["Contents"], ["Mid-2020 Persons", "Table 1"]],
            "Mid-2020 Persons": [*PREAMBLE, HEADER, *ROWS],
            "Mid-2020 Males": [*PREAMBLE, HEADER, ROWS[0]],
        },
    )
    assert sheet_names(path) == ["Contents", "Mid-2020 Persons", "Mid-2020 Males"]
    header = find_header(path, sheets=["mid-2020 persons"], expect=[["LSOA Code", "90+"]])
    assert (header.sheet, header.row) == ("Mid-2020 Persons", 4)  # row 5, as published
    assert header.columns == ("LSOA Code", "LSOA Name", "All Ages", "0", "1", "90+")

    table = read_table(path, sheets=["Mid-2020 Persons"], expect=[["LSOA Code"]], dtype=str)
    assert list(table.columns) == ["LSOA Code", "LSOA Name", "All Ages", "0", "1", "90+"]
    assert table.values.tolist() == [[str(v) for v in row] for row in ROWS]  # 1500 not 1500.0
    assert data_lines(table) == [6, 7]

    # no hints: the first sheet with a wide, mostly-text row is taken (Contents is narrow)
    plain = read_table(path)
    assert plain["All Ages"].tolist() == [1500, 900]
    assert plain.attrs["sheet"] == "Mid-2020 Persons"


def test_header_found_by_names_even_in_an_unnamed_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx",
        {
            "Notes": [["a", "b", "c"], ["1", "2", "3"]],
            "Data": [["x"], ["CODE", "AREA"], ["E1", "Y"]],
        },
    )
    table = read_table(path, sheets=["Persons"], expect=[["CODE", "AREA"]])
    assert table.to_dict("list") == {"CODE": ["E1"], "AREA": ["Y"]}


def test_padded_header_blank_rows_and_trailing_rows(tmp_path):
    path = write_ods(
        tmp_path / "cqc.ods",
        {
            "README": [["Source: CQC database as at 01 November 2025"]],
            "HSCA_Active_Locations": [
                ["Location ID", "Location Name", "Care homes beds"],
                ["1-1", "Home", 40],
                [],
                ["1-2", "Other", ""],
            ],
        },
        pad_header_cells=300,
        trailing_empty_rows=100_000,
    )
    table = read_table(path, sheets=["HSCA Active Locations"], expect=[["Location ID"]])
    assert list(table.columns) == ["Location ID", "Location Name", "Care homes beds"]
    assert table["Location ID"].tolist() == ["1-1", "1-2"]
    assert data_lines(table) == [2, 4]
    assert as_at_date(sheet_text(path, "readme")) == "2025-11-01"


def test_no_matching_header_is_one_line_error(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"README": [["hello"]], "Data": [["a", "b"], [1, 2]]})
    with pytest.raises(InputFileError) as info:
        read_table(path, expect=[["Location ID", "Care homes beds"]])
    text = str(info.value)
    assert text.startswith(f"{path}: no sheet has a header row with [Location ID, Care homes")
    assert "sheets: README, Data" in text and "\n" not in text


def test_not_really_a_spreadsheet(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("<html>moved</html>")
    with pytest.raises(InputFileError, match=r"fake\.xlsx: cannot read spreadsheet"):
        read_table(path)


def test_repeated_reads_of_one_workbook_reuse_the_first(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [["a", "b"], [1, 2]]})
    calls = []
    import geosuff.io.files as files

    real = files.read_sheet
    monkeypatch.setattr(files, "read_sheet", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = read_table(path, expect=[["a"]], dtype=str)
    first.loc[0, "a"] = "changed"  # callers get their own copy
    again = read_table(path, dtype=str)  # no hints: the hinted read is reused
    assert again["a"].tolist() == ["1"] and len(calls) == 1


def test_excel_csv_in_cp1252_is_read_and_said(tmp_path, caplog):
    path = tmp_path / "homes.csv"
    path.write_bytes("name,postcode\nSt Mary’s Home – Café,SP3 6LD\n".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="geosuff"):
        table = read_table(path, dtype=str)
    assert table["name"].tolist() == ["St Mary’s Home – Café"]
    assert "homes.csv is not UTF-8" in caplog.text
    assert "Windows-1252" in caplog.text


def test_utf8_with_bom_is_not_reported(tmp_path, caplog):
    path = tmp_path / "ok.csv"
    path.write_bytes("\ufeffname\nCafé\n".encode())
    with caplog.at_level(logging.WARNING, logger="geosuff"):
        assert read_table(path)["name"].tolist() == ["Café"]
    assert caplog.text == ""


def test_usecols_and_nrows(tmp_path):
    path = write_ods(tmp_path / "x.ods", {"S": [["a", "b", "c"], [1, 2, 3], [4, 5, 6]]})
    table = read_table(path, usecols=["c", "a"], nrows=1)
    assert table.to_dict("list") == {"a": [1], "c": [3]}
    assert isinstance(table, pd.DataFrame)
