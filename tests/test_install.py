"""What the wheel carries, and how shipped files and data folders are found from anywhere."""

import subprocess
import tomllib
from pathlib import Path

import pytest

from geosuff import datasets
from geosuff._errors import DataMissingError
from geosuff.io import layout
from geosuff.io.layout import (
    data_file,
    find_input,
    in_data_folder,
    resolve_data_dir,
    shipped_dir,
    shipped_file,
    shipped_names,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "geosuff"


def _package_files():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "geosuff"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        return {ROOT / p for p in listed}
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        return {p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_every_file_of_the_package_is_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["geosuff"]
    packaged = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    data_files = {p for p in _package_files() if p.suffix != ".py" and p.is_file()}
    assert data_files - packaged == set()
    needed = [
        "layers/sources.toml",
        "boundaries/focus_places.toml",
        "network/profiles/uk_care_worker.toml",
        "examples/maps/tisbury.toml",
        "examples/batch.toml",
        "maps/assets/vendor/leaflet/dist/leaflet.js",
        "maps/assets/vendor/leaflet/LICENSE",
        "datasets/rutland/osm/rutland-2022-07-20.osm.pbf",
        "datasets/rutland/README.md",
    ]
    for rel in needed:
        assert PACKAGE / rel in packaged, rel


@pytest.mark.parametrize(
    ("given", "kind", "expected"),
    [
        ("wiltshire_15_zones", "boundaries", "boundaries/wiltshire_15_zones.toml"),
        ("wiltshire_15_zones.toml", "boundaries", "boundaries/wiltshire_15_zones.toml"),
        (
            "geosuff/boundaries/rutland_3_zones.toml",
            "boundaries",
            "boundaries/rutland_3_zones.toml",
        ),
        ("boundaries/rutland_3_zones.toml", "boundaries", "boundaries/rutland_3_zones.toml"),
        ("maps/tisbury.toml", "maps", "examples/maps/tisbury.toml"),
        ("tenbury", "maps", "examples/maps/tenbury.toml"),
        ("examples/batch.toml", "examples", "examples/batch.toml"),
        ("examples/rutland.toml", "examples", "examples/rutland.toml"),
    ],
)
def test_shipped_files_are_found_by_name_from_any_folder(
    given, kind, expected, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert find_input(given, (kind,)) == PACKAGE / expected


def test_own_file_wins_and_unknown_names_stay_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "maps").mkdir()
    mine = tmp_path / "maps" / "tisbury.toml"
    mine.write_text('area = "Wiltshire"\n')
    assert find_input("maps/tisbury.toml", ("maps",)) == Path("maps/tisbury.toml")
    assert find_input("maps/nowhere.toml", ("maps",)) == Path("maps/nowhere.toml")
    assert shipped_file("elsewhere/tisbury.toml", ("maps",)) is None
    assert shipped_file(str(tmp_path / "tisbury.toml"), ("maps",)) is None  # absolute: as given
    assert shipped_file("Oakham,Uppingham", ("boundaries",)) is None


def test_shipped_names_and_environment_override(tmp_path, monkeypatch):
    assert {"rutland_3_zones", "wiltshire_15_zones", "focus_places"} <= set(
        shipped_names("boundaries")
    )
    assert {"tisbury", "tenbury", "rutland"} <= set(shipped_names("maps"))
    (tmp_path / "mine.toml").write_text("[zones]\nA = ['Oakham']\n")
    monkeypatch.setenv("GEOSUFF_BOUNDARIES", str(tmp_path))
    assert shipped_dir("boundaries") == tmp_path
    assert find_input("mine", ("boundaries",)) == tmp_path / "mine.toml"


def test_seeds_option_takes_a_shipped_name_or_towns():
    from geosuff.cli._options import seeds_value

    assert seeds_value("rutland_3_zones") == str(PACKAGE / "boundaries" / "rutland_3_zones.toml")
    assert seeds_value("Oakham,Uppingham") == "Oakham,Uppingham"
    assert seeds_value("Oakham") == "Oakham"


def test_data_folder_is_absolute_and_keeps_links(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir("link") == tmp_path / "link"
    assert resolve_data_dir("./real/../real") == real
    monkeypatch.setenv("GEOSUFF_DATA", "real")
    assert resolve_data_dir() == real


def test_sample_keyword(tmp_path, monkeypatch, caplog):
    assert resolve_data_dir("sample") == datasets.sample_dir()
    assert resolve_data_dir("sample:rutland") == datasets.path("rutland")
    monkeypatch.setenv("GEOSUFF_DATA", "sample")
    assert resolve_data_dir() == datasets.sample_dir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample").mkdir()
    assert resolve_data_dir("sample") == datasets.sample_dir()
    assert "write ./sample for the folder" in caplog.text
    assert resolve_data_dir("./sample") == tmp_path / "sample"
    with pytest.raises(DataMissingError, match="no sample called 'atlantis'"):
        resolve_data_dir("sample:atlantis")


def test_missing_folder_suggests_the_sample(tmp_path):
    with pytest.raises(DataMissingError, match="--data sample"):
        resolve_data_dir(tmp_path / "nope")


def test_other_areas_are_not_in_the_sample():
    with pytest.raises(DataMissingError) as err:
        data_file(datasets.sample_dir(), "lsoa_boundaries", code="E06000054", area="Wiltshire")
    text = str(err.value)
    assert "ons/lsoa11_bgc/E06000054.geojson is not in the Rutland sample" in text
    assert "holds Rutland only" in text


def test_files_relative_to_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = datasets.sample_dir()
    pbf = "osm/rutland-2022-07-20.osm.pbf"
    assert in_data_folder(pbf, folder) == folder / pbf
    assert in_data_folder("osm/missing.osm.pbf", folder) == Path("osm/missing.osm.pbf")


def test_installed_wheel_does_not_look_beside_site_packages(monkeypatch, tmp_path):
    fake_root = tmp_path / "lib" / "python3.11"
    fake_root.mkdir(parents=True)
    monkeypatch.setattr(layout, "_REPO_ROOT", fake_root)
    monkeypatch.chdir(tmp_path)
    assert layout._default_data_dirs() == [tmp_path / ".." / "shared" / "data"]


def test_unknown_recipe_lists_the_shipped_ones(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from geosuff.cli.main import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["map", "maps/nowhere.toml", "--data", "sample"])
    assert res.exit_code == 2
    assert "map recipe not found (shipped recipes: maps/rutland.toml" in res.stderr
    res = runner.invoke(app, ["batch", "examples/nowhere.toml", "--data", "sample"])
    assert res.exit_code == 2 and "shipped recipes: examples/batch.toml" in res.stderr


def test_fetch_never_writes_into_the_sample(monkeypatch):
    from typer.testing import CliRunner

    from geosuff.cli.main import app

    monkeypatch.setenv("GEOSUFF_DATA", "sample")
    res = CliRunner().invoke(app, ["data", "fetch", "--area", "Rutland"])
    assert res.exit_code == 2 and "read-only" in res.output
