"""Open generated maps in headless Chromium (no network) and check what a person would see."""

from pathlib import Path

import pytest

from geosuff._palettes import OUTLINES
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

BASE_SHADINGS = ["People aged 75+ (count)", "People aged 75+ per km²", "No shading (outlines only)"]
SHADINGS = {
    "People aged 75+ (count)",
    "People aged 75+ per km²",
    "Access: care home beds per 1,000 aged 75+",
}


def _check_page(result: dict, bases: list[str], overlays: list[str]) -> None:
    assert result["errors"] == [], result["errors"]
    assert result["leaflet"] is True and result["leafletVersion"] == "1.9.4"
    assert result["markercluster"] is True
    assert result["fullscreen"] is True and result["scale"] is True
    for name in bases:
        assert name in result["bases"], (name, result["bases"])
    for name in overlays:
        assert name in result["control"], (name, result["control"])
    # One shading at a time: every shading is a radio choice, and one at most is on.
    assert not set(result["bases"]) & set(result["control"])
    assert len([k for k in result["on"] if k in set(result["bases"])]) <= 1
    assert "OGL v3.0" in result["attribution"]
    assert "Open Government Licence" in result["title"]
    assert "OpenStreetMap" in result["attribution"]
    assert "Crown copyright" in result["attribution"]
    assert result["legend"] >= 2
    assert result["pwned"] is False
    # The title block states area, year, data vintages and travel method without a click.
    assert [f[0] for f in result["facts"]][-4:] == ["Year", "Data", "Travel", "Beds"]
    assert result["facts"][0][0] == "Area"


def _screenshot(html: Path, name: str, size: tuple[int, int] = (1000, 700)) -> int:
    png = browser.screenshot(html, ARTIFACTS / f"{name}.png", size=size)
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
    found = browser.probe(result.path, size=(1400, 900))
    access = "Access: care home beds per 1,000 aged 75+"
    focus = "Focus: Oakham North East / Oakham North West / Oakham South (ward)"
    travel = "Care-worker travel per visit (min, road network)"
    _check_page(
        found,
        [
            *BASE_SHADINGS,
            access,
            travel,
            "Drive time to nearest nursing home bed (road network)",
        ],
        [
            "Rutland boundary",
            "Care homes (size = beds)",
            "Zones (outlines and names)",
            "Gap LSOAs (flagged, with reasons)",
            "Place names",
            focus,
        ],
    )
    # Access opens; the isochrones are a click away, so palettes never overlap.
    assert access in found["on"]
    assert "Drive-time isochrones" in found["control"]
    assert "Drive-time isochrones" not in found["on"]
    assert found["counts"]["Drive-time isochrones"] == 3
    assert found["counts"]["Care homes (size = beds)"] == len(layers.care_homes) == 12
    assert found["counts"]["People aged 75+ (count)"] == len(layers.population) == 23
    facts = dict(found["facts"])
    assert facts["Area"].startswith("Rutland (E06000017), 23 LSOAs")
    # The Year fact states the population's basis (AreaLayers.population_basis).
    assert facts["Year"].startswith("2020: ONS mid-2020 LSOA population estimates; aged 75+")
    assert "care homes CQC, about April 2021" in facts["Data"]
    assert "home care agencies mixed, 2013–2024 (partial)" in facts["Data"]
    assert facts["Travel"] == "road network"
    assert "Oakham" in facts["Focus"]
    # Outlines differ in colour, width and dash, and each legend swatch is drawn the same way.
    swatches = {tuple(s) for s in found["lineSwatches"]}
    for key in ("boundary", "gap", "zone", "focus"):
        style = OUTLINES[key]
        assert (style.colour, f"{style.weight_px:g}", style.dash) in swatches, (key, swatches)
    assert len({(s.colour, s.weight_px, s.dash) for s in OUTLINES.values()}) == 4
    # Place names drawn offline from ward names; the focus never hidden under a control.
    assert "Oakham" in found["places"] and "Uppingham" in found["places"]
    assert found["focusCovered"] == [], found["focusCovered"]
    assert found["controlExpanded"] is True and found["legendOpen"] is True
    home = found["samples"]["Care homes (size = beds)"]
    assert "Beds" in home and "hsca_care_homes_2021-04_england.csv" in home and "(2021-04)" in home
    lsoa = found["samples"]["People aged 75+ (count)"]
    assert "People aged 75+" in lsoa and "mid-2020" in lsoa
    assert "Ward" in lsoa  # each LSOA is named by its ward
    # Care-worker travel per visit: a shading with its spread, zone and method in the popup.
    assert found["counts"][travel] == 23
    trip = found["samples"][travel]
    assert "Care-worker travel per visit" in trip and "p10–p90" in trip
    assert "Rounds planned within" in trip and "zone " in trip and "by road (network)" in trip
    assert _screenshot(result.path, "rutland", (1400, 900)) > 50


def test_rutland_map_on_a_phone(rutland):
    result, _ = rutland
    found = browser.probe(result.path, size=(390, 844))
    assert found["errors"] == []
    # Layer control and legend start collapsed; the title block stays; the focus is clear.
    assert found["controlExpanded"] is False
    assert found["legendOpen"] is False
    assert [f[0] for f in found["facts"]][-4:] == ["Year", "Data", "Travel", "Beds"]
    assert found["focusCovered"] == [], found["focusCovered"]
    assert _screenshot(result.path, "rutland-phone", (390, 844)) > 30


def test_tenbury_focus_map_in_browser(data_dir, tmp_path):
    out = tmp_path / "tenbury.html"
    recipe = MapRecipe(area="Worcestershire", focus="Tenbury Wells", tiles="none", name="tenbury")
    result = render_recipe(recipe, data_dir=data_dir, out=out)
    assert result.size_bytes < 5_000_000
    found = browser.probe(out, size=(1400, 900))
    _check_page(found, BASE_SHADINGS, ["Worcestershire boundary", "Focus: Tenbury (ward)"])
    # The place asked for is named: in the title, the focus fact and on the map itself.
    assert "Tenbury Wells" in found["title"]
    assert dict(found["facts"])["Focus"].startswith("Tenbury Wells (ward Tenbury)")
    assert "Tenbury Wells" in found["places"]
    assert "Droitwich" in found["places"] or "Evesham" in found["places"]
    assert "estimate" in dict(found["facts"])["Travel"]
    assert found["focusCovered"] == [], found["focusCovered"]
    assert _screenshot(out, "tenbury", (1400, 900)) > 50


def test_tisbury_focus_map_in_browser(data_dir, tmp_path):
    out = tmp_path / "tisbury.html"
    recipe = MapRecipe(area="Wiltshire", focus="Tisbury", tiles="none", name="tisbury")
    result = render_recipe(recipe, data_dir=data_dir, out=out)
    assert result.size_bytes < 5_000_000
    layers = load_area_layers("Wiltshire", data_dir=data_dir)
    found = browser.probe(out)
    _check_page(
        found, BASE_SHADINGS, ["Wiltshire boundary", "Focus: Tisbury (ward)", "Place names"]
    )
    assert found["counts"]["Care homes (size = beds)"] == len(layers.care_homes)
    assert found["counts"]["Home care agencies"] == len(layers.home_care)
    assert found["counts"]["Extra care schemes"] == len(layers.extra_care)
    assert found["counts"]["People aged 75+ (count)"] == len(layers.population)
    assert "Tisbury" in found["title"]
    assert "Tisbury" in found["places"]
    assert _screenshot(out, "tisbury") > 50


def test_a_long_title_block_keeps_the_legend_open_beside_it(data_dir, tmp_path):
    """Tisbury in 2030 with 15 zones: the legend is shortened under the title, not folded."""
    out = tmp_path / "tisbury-2030.html"
    recipe = MapRecipe(
        area="Wiltshire",
        focus="Tisbury",
        tiles="none",
        name="tisbury-2030",
        year=2030,
        inputs={"zones": Path("geosuff/boundaries/wiltshire_15_zones.toml")},
    )
    render_recipe(recipe, data_dir=data_dir, out=out)
    found = browser.probe(out, size=(1400, 900))
    assert found["errors"] == []
    assert dict(found["facts"])["Year"].startswith("2030: ONS 2018-based")
    assert found["legendOpen"] is True and found["controlExpanded"] is True
    assert found["legendOverlaps"] == []
    assert found["focusCovered"] == [], found["focusCovered"]


def test_fixture_map_with_every_layer_and_a_malicious_name(tmp_path):
    focus = resolve_focus("Hill", fx.wards())
    fmap = build_map(
        fx.complete_agencies(fx.area_layers()),
        focus=focus,
        access=fx.access(),
        gaps=fx.gaps(),
        zones=fx.zones(),
        isochrones=fx.isochrones(),
        wards=fx.wards(),
        title=f"Fixture {fx.EVIL}",
    )
    out = tmp_path / "fixture.html"
    save_map(fmap, out)
    found = browser.probe(out)
    overlays = [
        "Testshire boundary",
        "Drive-time isochrones",
        "Gap LSOAs (flagged, with reasons)",
        "Zones (outlines and names)",
        "Home care agencies",
        "Extra care schemes",
        f"Focus: Hill {fx.EVIL} (ward)",
    ]
    _check_page(found, [*BASE_SHADINGS, "Access: care home beds per 1,000 aged 75+"], overlays)
    drive = [c for c in found["bases"] if c.startswith("Drive time to nearest home care")]
    assert drive and "estimate" in drive[0]
    assert found["counts"]["Care homes (size = beds)"] == 3
    assert found["counts"]["Gap LSOAs (flagged, with reasons)"] == 1
    assert found["counts"]["Zones (outlines and names)"] == 2
    assert found["counts"]["Drive-time isochrones"] == 2
    # Switching the shading swaps the legend: one choropleth legend at a time.
    assert found["on"].count("Access: care home beds per 1,000 aged 75+") == 1
    shading_legends = [t for t in found["legendTitles"] if "75+" in t and "Care homes" not in t]
    assert shading_legends == ["Care home beds per 1,000 aged 75+"], found["legendTitles"]
    # The malicious provider, LSOA, ward and title show as text and never run.
    assert fx.EVIL in found["title"]
    assert "Hill" in found["places"]
    marker_popups = [p for p in found["popups"] if p["title"] == fx.EVIL]
    assert marker_popups, found["popups"]
    assert fx.EVIL in marker_popups[0]["popup"]
    assert all(p["scripts"] == 0 for p in found["popups"])
    assert found["pwned"] is False
    assert _screenshot(out, "fixture") > 20
