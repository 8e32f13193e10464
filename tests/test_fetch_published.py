"""``data fetch`` against the publishers' real layouts on loopback: every reader, and paging."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from typer.testing import CliRunner

from geosuff._errors import DataMissingError, ValidationError
from geosuff.cli.main import app
from geosuff.fetch import fetch_data, list_data
from geosuff.fetch.arcgis import page_url
from geosuff.fetch.catalogue import read_catalogue
from geosuff.fetch.check import check_sources
from geosuff.fetch.cqc import date_in_name
from geosuff.fetch.places import area_placeholders, lad22_codes
from geosuff.io.area_layers import load_area_layers
from geosuff.io.areas import Area
from geosuff.io.files import read_table
from geosuff.io.layout import data_file
from tests.fetch_fixtures import routes, serve
from tests.fetch_published import (
    cqc_ods,
    published_routes,
    write_published_sources,
)

FAST = {"timeout_s": 5.0, "retries": 1, "backoff_s": 0.01, "progress": False}


@pytest.fixture
def site(tmp_path):
    with serve() as server:
        server.routes.update(routes(server.base, tmp_path))
        server.routes.update(published_routes(server.base, tmp_path))
        sources = write_published_sources(tmp_path / "sources.toml", server.base)
        yield server, sources, tmp_path / "data"


def _queries(server, path):
    return [
        urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
        for p, _ in server.requests
        if p.split("?")[0] == path
    ]


def test_every_published_file_is_fetched_and_read(site):
    server, sources, data = site
    outcomes = fetch_data("Wiltshire", data_dir=data, sources_file=sources, **FAST)
    status = {o.entry: (o.status, o.path) for o in outcomes}
    assert status["population"] == ("fetched", "ons/population_mid2020_lsoa11_syoa.xlsx")
    assert status["projections"] == ("fetched", "ons/snpp2018_persons_table2.xls")
    assert status["imd"] == ("fetched", "ons/imd2019_lsoa11_england.csv")
    assert status["cqc_locations"] == (
        "fetched",
        "cqc/hsca_active_locations_2025-11-01.ods",
    )
    assert status["ltla_utla_lookup"][0] == "skipped"  # needs a URL from the user
    assert status["lsoa_boundaries"] == ("fetched", "ons/lsoa11_bgc/E06000054.geojson")

    # the CQC link was read from CQC's page: the newest edition, absolute URL kept
    record = read_catalogue(data)["cqc/hsca_active_locations_2025-11-01.ods"]
    assert record["url"].endswith("/2025-11/01_November_2025_HSCA_Active_Locations_1a2b.ods")
    assert record["vintage"] == "2025-11-01"

    # paging: one LSOA per page, requests at offsets 0 and 1 until the limit flag clears
    lsoa_pages = _queries(server, "/arcgis/LSOA/FeatureServer/0/query")
    assert [q["resultOffset"] for q in lsoa_pages] == [["0"], ["1"]]
    assert all(q["resultRecordCount"] == ["2000"] for q in lsoa_pages)
    assert lsoa_pages[0]["where"] == ["LSOA11NM LIKE 'Wiltshire %'"]
    merged = json.loads((data / "ons/lsoa11_bgc/E06000054.geojson").read_text())
    assert [f["properties"]["LSOA11CD"] for f in merged["features"]] == [
        "E01031950",
        "E01031951",
    ]
    assert "exceededTransferLimit" not in json.dumps(merged)
    boundaries = read_catalogue(data)["ons/lsoa11_bgc/E06000054.geojson"]
    assert (boundaries["pages"], boundaries["features"]) == (2, 2)
    pwc_pages = _queries(server, "/arcgis/PWC/FeatureServer/0/query")
    assert [q["resultOffset"] for q in pwc_pages] == [["0"], ["2"]]

    # the loaders read every file as fetched
    layers = load_area_layers("Wiltshire", data_dir=data, require=("home_care", "extra_care"))
    population = layers.population.set_index("lsoa_code")
    assert population["pop_75plus"].to_dict() == {"E01031950": 160, "E01031951": 320}
    assert (population["demand_source"] == "pop_weighted_centroid").all()  # paged GeoJSON
    assert layers.population.attrs["geography"] == "2011 LSOAs"
    assert layers.care_homes["name"].tolist() == ["Tisbury Care Home"]
    assert layers.care_homes["beds"].tolist() == [30]
    assert layers.home_care["name"].tolist() == ["Nadder Home Care"]
    assert layers.extra_care["name"].tolist() == ["Nadder Court"]
    dormant = layers.rejects[layers.rejects["action"] == "excluded"]
    assert dormant["name"].tolist() == ["Sleeping Home"]

    projection = read_table(
        data_file(data, "projections"), sheets=["Persons"], expect=[["CODE", "AREA"]]
    )
    over75 = projection.loc[projection["CODE"] == "E06000054", "2030"].sum()
    assert over75 == pytest.approx(20000 + 14000 + 9000 + 5000 + 4 * 12 * 100.5)
    imd = read_table(data_file(data, "imd"))
    assert imd["Index of Multiple Deprivation (IMD) Score"].tolist() == [12.5, 8.25]


def test_user_url_and_file_overrides(site, tmp_path):
    server, sources, data = site
    own = tmp_path / "15_December_2025_HSCA_Active_Locations.ods"
    own.write_bytes(cqc_ods(tmp_path))
    outcomes = fetch_data(
        "Wiltshire",
        data_dir=data,
        sources_file=sources,
        only=["cqc_locations"],
        files={"cqc_locations": own},
        **FAST,
    )
    assert [(o.status, o.path) for o in outcomes] == [
        ("placed", "cqc/hsca_active_locations_2025-12-15.ods")
    ]
    assert read_catalogue(data)[outcomes[0].path]["url"].startswith("file://")

    server.routes["/mirror/01_January_2026_HSCA_Active_Locations.ods"] = cqc_ods(tmp_path)
    url = server.url("/mirror/01_January_2026_HSCA_Active_Locations.ods")
    outcomes = fetch_data(
        "Wiltshire", data_dir=data, sources_file=sources, urls={"cqc_locations": url}, **FAST
    )
    cqc = next(o for o in outcomes if o.entry == "cqc_locations")
    assert (cqc.status, cqc.path) == ("fetched", "cqc/hsca_active_locations_2026-01-01.ods")
    assert server.hits("/cqc/about-us/transparency/using-cqc-data") == 0  # page not needed


def test_named_entry_without_url_is_a_one_line_error(site):
    _, sources, data = site
    with pytest.raises(DataMissingError, match="give --file ltla_utla_lookup=PATH"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["ltla_utla_lookup"])
    with pytest.raises(ValidationError, match="unknown catalogue entry nope"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, urls={"nope": "http://x"})


def test_cqc_page_without_the_link_says_how_to_give_the_file(site):
    server, sources, data = site
    server.routes["/cqc/about-us/transparency/using-cqc-data"] = b"<html>redesigned</html>"
    with pytest.raises(Exception, match="--file cqc_locations=PATH") as info:
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["cqc_locations"])
    assert "\n" not in str(info.value)


def test_spreadsheet_without_its_sheet_is_rejected(site, tmp_path):
    server, sources, data = site
    from tests.spreadsheet_fixtures import write_xlsx

    wrong = write_xlsx(tmp_path / "w.xlsx", {"Sheet1": [["a", "b"], [1, 2]]}).read_bytes()
    server.routes["/ons/population/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx"] = wrong
    with pytest.raises(ValidationError, match="'population': no sheet named Mid-2020 Persons"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["population"])
    assert not list((data / "ons").glob("population*"))


def test_arcgis_error_page_is_rejected(site):
    server, sources, data = site
    server.routes["/arcgis/PWC/FeatureServer/0/query"] = (
        b'{"error": {"code": 400, "message": "Invalid query parameters"}}'
    )
    with pytest.raises(ValidationError, match=r"answered page 1 with .*Invalid query"):
        fetch_data("Wiltshire", data_dir=data, sources_file=sources, only=["lsoa_centroids"])
    assert not (data / "ons").exists() or not list((data / "ons").iterdir())


def test_page_url_replaces_paging_parameters():
    url = "http://h/q?where=1%3D1&resultOffset=5&outFields=*&f=geojson"
    assert page_url(url, 4000, 2000) == (
        "http://h/q?where=1%3D1&outFields=*&f=geojson&resultOffset=4000&resultRecordCount=2000"
    )


def test_2023_unitaries_select_their_predecessors_lsoas(tmp_path):
    (tmp_path / "ons").mkdir()
    (tmp_path / "ons/lsoa11_lsoa21_lad22_lookup.csv").write_text(
        "LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM\n"
        "E01029000,Mendip 001A,E01029000,Mendip 001A,E07000187,Mendip\n"
        "E01029300,Taunton Deane 001A,E01033000,Somerset West and Taunton 001A,E07000246,SWT\n"
        "E01014370,Bath and North East Somerset 001A,E01014370,B 001A,E06000022,BANES\n"
    )
    somerset = Area("E06000066", "Somerset", "utla", ("E06000066",), ("Somerset",))
    values = {k: urllib.parse.unquote(v) for k, v in area_placeholders(somerset, tmp_path).items()}
    assert values["lsoa11_where"] == "LSOA11NM LIKE 'Mendip %' OR LSOA11NM LIKE 'Taunton Deane %'"
    assert values["lsoa21_where"] == (
        "LSOA21NM LIKE 'Mendip %' OR LSOA21NM LIKE 'Somerset West and Taunton %'"
    )
    assert lad22_codes(("E06000064", "E06000054")) == (
        "E07000027",
        "E07000030",
        "E07000031",
        "E06000054",
    )


def test_date_in_cqc_names():
    assert date_in_name("/system/files/2025-11/01_November_2025_HSCA_Active_Locations.ods") == (
        "2025-11-01"
    )
    assert date_in_name("1_Sep_2024_HSCA_Active_Locations_0.ods") == "2024-09-01"
    assert date_in_name("HSCA_Active_Locations.ods") == ""


# --------------------------------------------------------------------------- check-sources


def test_check_sources_entry_by_entry(site):
    server, sources, _ = site
    server.routes["/gov/File_7_-_All_IoD2019_Scores.csv"] = b"<html>We have moved</html>"
    results = {r.entry: r for r in check_sources(sources, timeout_s=5.0)}
    assert results["population"].status == "ok"
    assert results["projections"].status == "ok" and "xls" in results["projections"].detail
    assert results["cqc_locations"].status == "ok"
    assert results["cqc_locations"].url.endswith("_1a2b.ods")
    assert results["lsoa_boundaries"].status == "ok"
    assert "resultRecordCount=1" in results["lsoa_boundaries"].url
    assert results["imd"].status == "failed"
    assert results["imd"].detail == "HTTP 200, got html, expected csv"
    assert results["ltla_utla_lookup"].status == "skipped"
    del server.routes["/ons/admin.json"]
    (moved,) = check_sources(sources, only=["admin_areas"], timeout_s=5.0)
    assert (moved.status, "HTTP 404" in moved.detail) == ("failed", True)


def test_check_sources_command_exits_1_on_failure(site):
    server, sources, _ = site
    runner = CliRunner()
    ok = runner.invoke(app, ["data", "check-sources", "--sources", str(sources), "--only", "imd"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[-1] == "1 ok, 0 failed, 0 skipped"
    del server.routes["/gov/File_7_-_All_IoD2019_Scores.csv"]
    bad = runner.invoke(app, ["data", "check-sources", "--sources", str(sources), "--only", "imd"])
    assert bad.exit_code == 1
    assert bad.stdout.startswith("failed   imd")


# --------------------------------------------------------------------------- data list


def test_list_takes_vintage_from_readme_or_the_file_never_mtime(tmp_path, data_dir):
    folder = tmp_path / "data"
    (folder / "cqc").mkdir(parents=True)
    (folder / "ons").mkdir()
    (folder / "cqc/hsca_care_homes_2021-04_england.csv").write_text("Location ID\n")
    (folder / "cqc/hsca_active_locations_x.ods").write_bytes(cqc_ods(tmp_path))
    (folder / "ons/lsoa11_pwc.csv").write_text("lsoa11cd,longitude,latitude\n")
    (folder / "README.md").write_text(
        "| path | what | vintage | notes |\n|---|---|---|---|\n"
        "| `cqc/hsca_care_homes_2021-04_england.csv` | CQC | CQC, about April 2021 | x |\n"
        "| `ons/lsoa11_pwc.csv` | centroids | ONS | no year |\n"
    )
    table = list_data(folder).set_index("path")
    homes = table.loc["cqc/hsca_care_homes_2021-04_england.csv"]
    assert (homes["vintage"], homes["vintage_from"]) == ("CQC, about April 2021", "README")
    assert pd_isnan(homes["age_days"])  # not fetched by geosuff: no age, and no mtime
    ods = table.loc["cqc/hsca_active_locations_x.ods"]
    assert (ods["vintage"], ods["vintage_from"]) == ("2025-11-01", "file")  # README sheet
    assert table.loc["ons/lsoa11_pwc.csv", "vintage"] == ""  # README says only "ONS"

    shared = list_data(data_dir).set_index("path")
    assert shared.loc["cqc/hsca_care_homes_2021-04_england.csv", "vintage"] == (
        "CQC, about April 2021"
    )
    assert shared.loc["ons/population_mid2020_lsoa11_syoa.csv", "vintage"] == "ONS mid-2020"

    listing = CliRunner().invoke(app, ["data", "list", "--data", str(folder)])
    row = next(ln for ln in listing.stdout.splitlines() if "hsca_care_homes" in ln)
    assert "vintage CQC, about April 2021 (README)" in row
    assert "days" not in row and "not fetched by geosuff" in row


def pd_isnan(value):
    return value != value


def test_fetch_command_takes_a_downloaded_file_and_rejects_bad_pairs(site, tmp_path):
    _, sources, data = site
    own = tmp_path / "01_November_2025_HSCA_Active_Locations.ods"
    own.write_bytes(cqc_ods(tmp_path))
    runner = CliRunner()
    base = ["data", "fetch", "--area", "Wiltshire", "--data", str(data), "--sources", str(sources)]
    result = runner.invoke(
        app, [*base, "--only", "cqc_locations", "--file", f"cqc_locations={own}"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split()[:3] == [
        "placed",
        "cqc_locations",
        "cqc/hsca_active_locations_2025-11-01.ods",
    ]
    assert result.stdout.splitlines()[-2] == "1 fetched, 0 already present"
    bad = runner.invoke(app, ["--quiet", *base, "--url", "cqc_locations"])
    assert bad.exit_code == 2
    (line,) = bad.stderr.strip().splitlines()
    assert "--url 'cqc_locations': expected ENTRY=VALUE" in line
