"""Open generated maps in headless Chromium (no network) and check what a person would see."""

from pathlib import Path

import pytest

from geosuff.io.area_layers import load_area_layers
from geosuff.maps import build_map, resolve_focus, save_map
from geosuff.maps.offline import assets_installed
from geosuff.maps.recipe import MapRecipe
from geosuff.maps.render import render_recipe
from tests import browser
from tests import maps_fixtures as fx

ARTIFACTS = Path(__file__).resolve().parents[1] / "output" / "test-artifacts"

pytestmark = [
    pytest.mark.skipif(
        not browser.available(),
        reason=f"{browser.CHROMIUM} not installed (apt-get install -y chromium)",
    ),
    pytest.mark.skipif(
        not assets_installed(),
        reason="vendored Leaflet files missing (python scripts/vendor_leaflet.py)",
    ),
]

BASE_LAYERS = ["People aged 75+ (count)", "People aged 75+ per km²", "Care homes (size = beds)"]


def _check_page(result: dict, expected_layers: list[str]) -> None:
    assert result["errors"] == [], result["errors"]
    assert result["leaflet"] is True and result["leafletVersion"] == "1.9.4"
    assert result["markercluster"] is True
    assert result["fullscreen"] is True and result["scale"] is True
    for name in expected_layers:
        assert name in result["control"], (name, result["control"])
    assert "OGL v3.0" in result["attribution"]
    assert "Open Government Licence" in result["title"]
    assert "OpenStreetMap" in result["attribution"]
    assert "Crown copyright" in result["attribution"]
    assert result["legend"] >= 2
    assert result["pwned"] is False


def _screenshot(html: Path, name: str) -> int:
    png = browser.screenshot(html, ARTIFACTS / f"{name}.png")
    return browser.distinct_colours(png)


@pytest.fixture(scope="module")
def rutland(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("maps") / "rutland.html"
    recipe = MapRecipe(
        area="Rutland",
        focus="Oakham",
        tiles="none",
        name="rutland",
        network=data_dir / "osm" / "rutland-2022-07-20.osm.pbf",
        inputs={"zones": Path("geosuff/boundaries/rutland_3_zones.toml")},
    )
    result = render_recipe(recipe, data_dir=data_dir, out=out)
    layers = load_area_layers("Rutland", data_dir=data_dir)
    return result, layers


def test_rutland_map_in_browser(rutland):
    result, layers = rutland
    found = browser.probe(result.path)
    _check_page(
        found,
        [
            "Rutland boundary",
            *BASE_LAYERS,
            "Access: care home beds per 1,000 aged 75+",
            "Zones (outlines and names)",
            "Focus: Oakham North East / Oakham North West / Oakham South (ward)",
        ],
    )
    assert found["counts"]["Care homes (size = beds)"] == len(layers.care_homes) == 12
    assert found["counts"]["People aged 75+ (count)"] == len(layers.population)
    assert "Rutland" in found["title"] and "mid-2020" in found["title"]
    assert "Travel times: road network" in found["title"]
    assert "Drive-time isochrones" in found["control"]
    assert found["counts"]["Drive-time isochrones"] == 3
    home = found["samples"]["Care homes (size = beds)"]
    assert "Beds" in home and "hsca_care_homes_2021-04_england.csv" in home and "(2021-04)" in home
    lsoa = found["samples"]["People aged 75+ (count)"]
    assert "People aged 75+" in lsoa and "mid-2020" in lsoa
    assert _screenshot(result.path, "rutland") > 50


def test_tisbury_focus_map_in_browser(data_dir, tmp_path):
    out = tmp_path / "tisbury.html"
    recipe = MapRecipe(area="Wiltshire", focus="Tisbury", tiles="none", name="tisbury")
    result = render_recipe(recipe, data_dir=data_dir, out=out)
    assert result.size_bytes < 5_000_000
    layers = load_area_layers("Wiltshire", data_dir=data_dir)
    found = browser.probe(out)
    _check_page(found, ["Wiltshire boundary", "Focus: Tisbury (ward)", *BASE_LAYERS])
    assert found["counts"]["Care homes (size = beds)"] == len(layers.care_homes)
    assert found["counts"]["Home care agencies"] == len(layers.home_care)
    assert found["counts"]["Extra care schemes"] == len(layers.extra_care)
    assert found["counts"]["People aged 75+ (count)"] == len(layers.population)
    assert "Tisbury" in found["title"]
    assert _screenshot(out, "tisbury") > 50


def test_fixture_map_with_every_layer_and_a_malicious_name(tmp_path):
    focus = resolve_focus("Hill", fx.wards())
    fmap = build_map(
        fx.area_layers(),
        focus=focus,
        access=fx.access(),
        gaps=fx.gaps(),
        zones=fx.zones(),
        isochrones=fx.isochrones(),
        title=f"Fixture {fx.EVIL}",
    )
    out = tmp_path / "fixture.html"
    save_map(fmap, out)
    found = browser.probe(out)
    expected = [
        "Testshire boundary",
        *BASE_LAYERS,
        "Access: care home beds per 1,000 aged 75+",
        "Drive-time isochrones",
        "Gap LSOAs (flagged, with reasons)",
        "Zones (outlines and names)",
        "Home care agencies",
        "Extra care schemes",
        f"Focus: Hill {fx.EVIL} (ward)",
    ]
    _check_page(found, expected)
    drive = [c for c in found["control"] if c.startswith("Drive time to nearest home care")]
    assert drive and "estimate" in drive[0]
    assert found["counts"]["Care homes (size = beds)"] == 3
    assert found["counts"]["Gap LSOAs (flagged, with reasons)"] == 1
    assert found["counts"]["Zones (outlines and names)"] == 2
    assert found["counts"]["Drive-time isochrones"] == 2
    # The malicious provider, LSOA, ward and title show as text and never run.
    assert fx.EVIL in found["title"]
    marker_popups = [p for p in found["popups"] if p["title"] == fx.EVIL]
    assert marker_popups, found["popups"]
    assert fx.EVIL in marker_popups[0]["popup"]
    assert all(p["scripts"] == 0 for p in found["popups"])
    assert found["pwned"] is False
    assert _screenshot(out, "fixture") > 20
