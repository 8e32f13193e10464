"""ONS population estimates as published: the mid-2020 workbook and the 2021-LSOA workbook."""

from __future__ import annotations

import csv
import json

import pytest

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.areas import Area, resolve_area
from geosuff.io.population import load_population, read_population_estimates
from tests.fixtures import square
from tests.spreadsheet_fixtures import write_xlsx

AGES = [*range(90), "90+"]


def _sape2020_sheet(rows: list[list[object]]) -> list[list[object]]:
    """Sheet 'Mid-2020 Persons' as ONS lays it out: notes above, header on row 5."""
    return [
        ["Mid-2020 Population Estimates for Lower Layer Super Output Areas in England and Wales"],
        ["Persons"],
        ["All populations are rounded"],
        [],
        [
            "LSOA Code",
            "LSOA Name",
            "LA Code (2018 boundaries)",
            "LA name (2018 boundaries)",
            "LA Code (2021 boundaries)",
            "LA name (2021 boundaries)",
            "All Ages",
            *AGES,
        ],
        *rows,
    ]


@pytest.fixture(scope="module")
def real_sape_xlsx(data_dir, tmp_path_factory):
    """Rutland's and Wiltshire's rows of the real CSV, in the published XLSX layout."""
    wanted = ("Rutland", "Wiltshire")
    rows = []
    with (data_dir / "ons/population_mid2020_lsoa11_syoa.csv").open(encoding="utf-8-sig") as fh:
        for rec in csv.DictReader(fh):
            if rec["lsoa11_name"].startswith(wanted):
                la = rec["lsoa11_name"].rsplit(" ", 1)[0]
                ages = [int(rec[str(a)]) for a in AGES]
                row = [rec["lsoa11_code"], rec["lsoa11_name"], "E06", la, "E06", la]
                rows.append([*row, int(rec["total_population"]), *ages])
    path = tmp_path_factory.mktemp("sape") / "sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx"
    return write_xlsx(
        path,
        {
            "Contents": [["Contents"], ["Mid-2020 Persons"], ["Mid-2020 Males"]],
            "Mid-2020 Persons": _sape2020_sheet(rows),
            "Mid-2020 Males": _sape2020_sheet(rows[:1]),
        },
    )


@pytest.mark.parametrize(("name", "pop75"), [("Rutland", 4_964), ("Wiltshire", 51_991)])
def test_published_mid2020_workbook_gives_the_csv_layer(data_dir, real_sape_xlsx, name, pop75):
    area = resolve_area(name, data_dir)
    from_csv, _ = load_population(area, data_dir=data_dir)
    from_xlsx, rejects = load_population(area, population=real_sape_xlsx, data_dir=data_dir)
    assert from_xlsx["pop_75plus"].sum() == pop75
    assert from_xlsx.drop(columns="geometry").equals(from_csv.drop(columns="geometry"))
    assert from_xlsx.attrs["geography"] == "2011 LSOAs"
    assert from_xlsx.attrs["estimate_year"] == 2020
    assert not (rejects["action"] == "rejected").any()


# --------------------------------------------------------------------------- 2021 LSOAs


def _sape2024_sheet(year: int, rows: list[tuple[str, str, int]]) -> list[list[object]]:
    """Sheet 'Mid-YYYY LSOA 2021': notes, header on row 4, ages split by sex."""
    sexes = [f"F{a}" for a in range(91)] + [f"M{a}" for a in range(91)]
    header = ["LAD 2023 Code", "LAD 2023 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total"]
    out: list[list[object]] = [
        [f"Mid-{year} population estimates for 2021 LSOAs in England and Wales"],
        ["Source: Office for National Statistics"],
        [],
        [*header, *sexes],
    ]
    for lad, code, per_cell in rows:
        counts = [per_cell] * 182
        out.append([lad, "Testshire", code, f"Testshire {code[-3:]}", sum(counts), *counts])
    return out


@pytest.fixture
def sape2021(tmp_path):
    rows = [("E06000099", "E01990001", 1), ("E06000099", "E01990002", 2)]
    return write_xlsx(
        tmp_path / "sapelsoasyoa20222024.xlsx",
        {
            "Cover sheet": [["Population estimates"], ["Contents"]],
            "Mid-2022 LSOA 2021": _sape2024_sheet(2022, rows),
            "Mid-2023 LSOA 2021": _sape2024_sheet(2023, [(a, b, c * 10) for a, b, c in rows]),
        },
    )


def _lsoa21(path, codes):
    features = [
        {
            "type": "Feature",
            "properties": {"LSOA21CD": code, "LSOA21NM": f"Testshire {code[-3:]}"},
            "geometry": {
                "type": "Polygon",
                "coordinates": square(400_000 + 1000 * i, 200_000, 900),
            },
        }
        for i, code in enumerate(codes)
    ]
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }
    path.write_text(json.dumps(doc))
    return path


def test_sex_split_columns_are_summed_and_the_latest_year_read(sape2021):
    estimates, rejects = read_population_estimates(sape2021)
    assert estimates.attrs["estimate_year"] == 2023
    assert estimates.attrs["geography"] == "lsoa21"
    # 182 cells of 10 and 20: 75+ is ages 75..90 (16 ages) x 2 sexes
    assert estimates.loc["E01990001"].to_dict() == {
        "pop_total": 1820,
        "pop_65plus": 26 * 2 * 10,
        "pop_75plus": 16 * 2 * 10,
        "pop_85plus": 6 * 2 * 10,
    }
    assert estimates.loc["E01990002", "pop_75plus"] == 640
    older, _ = read_population_estimates(sape2021, year=2022)
    assert older.loc["E01990001", "pop_75plus"] == 32
    assert rejects.empty
    with pytest.raises(
        InputFileError, match=r"no estimates for mid-2030 \(years in the file: 2022, 2023\)"
    ):
        read_population_estimates(sape2021, year=2030)


def test_population_layer_on_2021_lsoas(tmp_path, sape2021):
    lsoa = _lsoa21(tmp_path / "E06000099.geojson", ["E01990001", "E01990002"])
    area = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))
    layer, rejects = load_population(
        area, lsoa=lsoa, population=sape2021, data_dir=tmp_path, geography="lsoa21", year=2022
    )
    assert layer["pop_75plus"].tolist() == [32, 64]
    assert layer["la_code"].tolist() == ["E06000099", "E06000099"]  # from LAD 2023 Code
    assert layer["la_name"].tolist() == ["Testshire", "Testshire"]
    assert layer.attrs == {"geography": "2021 LSOAs", "estimate_year": 2022}
    assert rejects.empty


def test_2021_estimates_on_2011_boundaries_are_refused(data_dir, sape2021):
    area = resolve_area("Rutland", data_dir)
    with pytest.raises(InputFileError) as info:
        load_population(area, population=sape2021, data_dir=data_dir)
    text = str(info.value)
    assert "estimates on 2021 LSOAs cannot be joined to the 2011 LSOAs of E06000017.geojson" in text
    assert "\n" not in text


def test_unknown_geography(tmp_path):
    with pytest.raises(ValidationError, match="geography 'lsoa01' is not one of lsoa11, lsoa21"):
        load_population(None, lsoa=tmp_path / "x.geojson", geography="lsoa01")
