"""The Leaflet files that self-contained maps inline ship inside the package."""

import hashlib
import json
import shutil

import pytest

from geosuff.maps import offline
from geosuff.maps.offline import ASSETS, asset_dir, asset_file, assets_installed

VENDOR = asset_dir() / "vendor"


@pytest.fixture(scope="module")
def manifest():
    return json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))


def test_vendored_versions_are_the_pinned_ones(manifest):
    lock = json.loads((asset_dir() / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"][""]["dependencies"]
    assert set(manifest) == set(pinned)
    assert set(pinned) == {"leaflet", "leaflet.markercluster", "leaflet.fullscreen"}
    for package, entry in manifest.items():
        locked = lock["packages"][f"node_modules/{package}"]
        assert entry["version"] == locked["version"] == pinned[package]
        assert entry["integrity"] == locked["integrity"]
        shipped = json.loads((VENDOR / package / "package.json").read_text(encoding="utf-8"))
        assert shipped["name"] == package and shipped["version"] == locked["version"]
    assert manifest["leaflet"]["version"] == "1.9.4"


def test_vendored_files_match_their_checksums_and_carry_licences(manifest):
    for package, entry in manifest.items():
        files = entry["files"]
        assert any("LICEN" in name for name in files), package
        for rel, digest in files.items():
            data = (VENDOR / package / rel).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, f"{package}/{rel}"
    listed = {(p, rel) for p, e in manifest.items() for rel in e["files"]}
    on_disk = set()
    for f in VENDOR.rglob("*"):
        if f.is_file() and f.name != "MANIFEST.json":
            package = f.relative_to(VENDOR).parts[0]
            on_disk.add((package, f.relative_to(VENDOR / package).as_posix()))
    assert on_disk == listed


def test_every_asset_and_every_image_it_refers_to_is_vendored():
    assert assets_installed()
    for asset in ASSETS:
        path = asset_file(asset)
        assert path.is_relative_to(VENDOR), path
        if asset.kind == "css":
            for match in offline._CSS_URL.finditer(path.read_text(encoding="utf-8")):
                assert (path.parent / match.group(2)).is_file(), match.group(2)


def test_inlined_page_needs_no_node_modules(tmp_path, monkeypatch):
    # A copy of the assets folder without any npm install: everything still inlines.
    copy = tmp_path / "assets"
    shutil.copytree(asset_dir(), copy, ignore=shutil.ignore_patterns("node_modules"))
    monkeypatch.setenv(offline.ASSET_DIR_ENV, str(copy))
    offline._inline_text.cache_clear()
    import branca.element as be

    fig = be.Figure()
    offline.add_assets(fig, self_contained=True)
    html = fig.render()
    assert "Leaflet 1.9.4" in html or "1.9.4" in html
    assert "data:image/png;base64," in html and "data:image/svg+xml;base64," in html
    assert "cdn.jsdelivr" not in html


def test_missing_vendored_file_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(offline.ASSET_DIR_ENV, str(tmp_path))
    import branca.element as be

    from geosuff._errors import DataMissingError

    with pytest.raises(DataMissingError, match="reinstall geosuff"):
        offline.add_assets(be.Figure(), self_contained=True)
