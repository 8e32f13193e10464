"""``geosuff data fetch`` and ``geosuff data list`` through the command line."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from geosuff.cli.main import app
from tests.fetch_fixtures import closed_port, routes, serve, write_sources

runner = CliRunner()


@pytest.fixture(autouse=True)
def _restore_logging():
    """The CLI points the geosuff logger at the runner's stderr; undo that afterwards."""
    log = logging.getLogger("geosuff")
    saved = (log.handlers[:], log.level, log.propagate)
    yield
    log.handlers[:], log.level, log.propagate = saved


@pytest.fixture
def site(tmp_path):
    with serve() as server:
        server.routes.update(routes(server.base, tmp_path))
        sources = write_sources(tmp_path / "sources.toml", server.base)
        yield server, sources, tmp_path / "data"


def _fetch(sources, data, *extra, quiet=False):
    args = ["--quiet"] if quiet else []
    args += ["data", "fetch", "--area", "Wiltshire", "--data", str(data)]
    args += ["--sources", str(sources), "--retries", "0", "--timeout", "2", *extra]
    return runner.invoke(app, args)


def test_fetch_then_list(site):
    _, sources, data = site
    result = _fetch(sources, data)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-2] == "10 fetched, 0 already present"
    assert lines[-1].startswith("Maps and reports made from these files must credit: ")
    assert "© OpenStreetMap contributors" in lines[-1]
    assert lines[-1].count("Source: Office for National Statistics") == 1
    assert lines[4].split()[:3] == [
        "fetched",
        "population",
        "ons/population_mid2020_lsoa11_syoa.csv",
    ]
    assert lines[4].endswith("vintage mid2020")

    again = _fetch(sources, data, "--only", "population", "--only", "osm")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-2] == "0 fetched, 2 already present"

    listing = runner.invoke(app, ["data", "list", "--data", str(data)])
    assert listing.exit_code == 0, listing.output
    row = next(ln for ln in listing.stdout.splitlines() if "population_mid2020" in ln)
    assert row.split()[0] == "population"
    assert "vintage mid2020" in row
    assert "0.0 days ago" in row
    assert "fetched 20" in row


def test_source_moved_is_one_line_exit_2(site):
    server, sources, data = site
    del server.routes["/os/codepo.zip"]
    result = _fetch(sources, data, quiet=True)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("geosuff: error: catalogue entry 'postcodes': ")
    assert "HTTP 404" in lines[0]
    assert "Traceback" not in result.output
    fetched = [ln.split()[1] for ln in result.stdout.splitlines()]
    assert fetched[:6] == [
        "admin_areas",
        "ltla_utla_lookup",
        "lsoa_lookup",
        "lsoa_centroids",
        "population",
        "care_directory",
    ]
    assert "postcodes" not in fetched
    assert fetched[-1] == "osm"  # the other entries went ahead


def test_offline_is_one_line_exit_2(tmp_path):
    sources = write_sources(tmp_path / "sources.toml", f"http://127.0.0.1:{closed_port()}")
    result = _fetch(sources, tmp_path / "data", quiet=True)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("geosuff: error: catalogue entry 'admin_areas': cannot download")
    assert "connection refused" in line


def test_bad_sources_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text('[sources.Roads]\nurl = "x"\nscope = "planet"\n')
    result = _fetch(bad, tmp_path / "data")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "[sources.Roads]: name must be lower_case" in line
    assert "target is required" in line
    assert "scope 'planet' is not one of national, area, geofabrik" in line


def test_list_empty_folder(tmp_path):
    result = runner.invoke(app, ["data", "list", "--data", str(tmp_path)])
    assert result.exit_code == 0
    assert "run `geosuff data fetch --area AREA`" in result.stdout
