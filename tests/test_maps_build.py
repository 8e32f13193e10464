import json
import math
import re

import pytest
from typer.testing import CliRunner

from geosuff._errors import AreaNotFoundError, InputFileError, ValidationError
from geosuff.cli.main import app
from geosuff.maps import MapOptions, build_map, resolve_focus, resolve_tiles, save_map
from geosuff.maps.layers import display_geometry, fmt_number, safe_json, vintage_of
from geosuff.maps.offline import assets_installed
from geosuff.maps.recipe import load_recipe
from geosuff.maps.styles import NO_DATA, PALETTES, fixed_classes, quantile_classes
from tests import maps_fixtures as fx
from tests.fixtures import write_postcodes

ASSETS_INSTALLED = assets_installed()
needs_assets = pytest.mark.skipif(
    not ASSETS_INSTALLED,
    reason="vendored Leaflet files missing (python scripts/vendor_leaflet.py)",
)


def test_safe_json_cannot_close_a_script():
    text = safe_json({"name": "</script><script>alert(1)</script>", "amp": "a&b"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_fmt_number_and_vintage():
    assert fmt_number(1234.4) == "1,234"
    assert fmt_number(float("nan")) == "no data"
    assert fmt_number(None) == "no data"
    assert fmt_number(12.25, 1, suffix=" min") == "12.2 min"
    assert vintage_of("/x/cqc/hsca_care_homes_2021-04_england.csv") == "2021-04"
    assert vintage_of("population_mid2020_lsoa11_syoa.csv") == "mid-2020"
    assert vintage_of("home_care_providers.csv") == "date not in file name"


def test_fixed_classes_colour_values_at_edges():
    classes = fixed_classes(
        [0, 10, 20, 30, 45, math.inf], palette="YlOrRd", unit="minutes", method="fixed"
    )
    colours = classes.colour_of([0, 9.9, 10, 44, 45, 200, float("nan")])
    pal = PALETTES["YlOrRd"]
    assert colours == [pal[0], pal[0], pal[1], pal[3], pal[4], pal[4], NO_DATA]
    assert classes.labels[0] == "0 – 10" and classes.labels[-1] == "45 – ∞"
    with pytest.raises(ValidationError, match="increase"):
        fixed_classes([0, 10, 5], palette="YlOrRd", unit="m", method="x")


def test_quantile_classes_cover_the_range_and_merge_ties():
    classes = quantile_classes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], palette="YlGnBu", unit="n")
    assert classes.edges[0] == 1 and classes.edges[-1] == 10
    assert len(classes.colours) == 5
    assert classes.colour_of([1])[0] == PALETTES["YlGnBu"][0]
    assert classes.colour_of([10])[0] == PALETTES["YlGnBu"][-1]
    tied = quantile_classes([5, 5, 5, 5], palette="YlGnBu", unit="n")
    assert len(tied.colours) == 1
    assert "quantiles" in tied.method


def test_display_geometry_simplifies_and_rounds():
    pop = fx.population()
    shown = display_geometry(pop.geometry, simplify_m=25, decimals=5, coverage=True)
    assert shown.crs.to_epsg() == 4326
    x, y = shown.iloc[0].exterior.coords[0]
    assert round(x, 5) == x and round(y, 5) == y
    assert -3 < x < -1 and 50 < y < 52


def test_focus_by_ward_prefix_and_errors(tmp_path):
    wards = fx.wards()
    focus = resolve_focus("Tenbury Wells", wards)
    assert (focus.name, focus.kind, focus.code) == ("Tenbury", "ward", "E05000001")
    assert resolve_focus("TENBURY", wards).code == "E05000001"
    with pytest.raises(AreaNotFoundError, match="close ward names: Tenbury"):
        resolve_focus("Tenbry", wards)
    postcodes = write_postcodes(tmp_path / "pc.csv", [("SP3 6AA", 391500.0, 131000.0)])
    by_pc = resolve_focus("sp36aa", wards, postcodes=postcodes)
    assert by_pc.kind == "postcode" and by_pc.geometry.x == 391500.0
    with pytest.raises(AreaNotFoundError, match="not in"):
        resolve_focus("SP3 6ZZ", wards, postcodes=postcodes)


def test_real_focus_places(data_dir):
    from geosuff import load_wards, resolve_area

    worcs = load_wards(resolve_area("Worcestershire", data_dir), data_dir=data_dir)
    tenbury = resolve_focus("Tenbury Wells", worcs)
    assert tenbury.name == "Tenbury" and tenbury.kind == "ward"
    wilts = load_wards(resolve_area("Wiltshire", data_dir), data_dir=data_dir)
    tisbury = resolve_focus("tisbury", wilts)
    assert tisbury.name == "Tisbury"
    x, y = tisbury.geometry.centroid.coords[0]
    assert 380_000 < x < 410_000 and 120_000 < y < 140_000  # south-west Wiltshire, BNG metres


def test_tiles_resolution():
    assert resolve_tiles(None) is None and resolve_tiles("none") is None
    assert resolve_tiles("osm")[0].startswith("https://tile.openstreetmap.org/")
    url, attr = resolve_tiles("https://t.example/{z}/{x}/{y}.png", "<b>Me</b>")
    assert url == "https://t.example/{z}/{x}/{y}.png"
    assert attr == "&lt;b&gt;Me&lt;/b&gt;"
    with pytest.raises(ValidationError, match=r"\{z\}"):
        resolve_tiles("https://t.example/tiles.png")


@needs_assets
def test_map_without_optional_layers_notes_them(tmp_path):
    fmap = build_map(fx.area_layers(), tiles=None)
    assert fmap.geosuff_counts["care_homes"] == 3
    assert fmap.geosuff_counts["pop75"] == 3
    assert "access" not in fmap.geosuff_counts and "gaps" not in fmap.geosuff_counts
    unavailable = " ".join(fmap.geosuff_unavailable)
    for word in ("access", "isochrones", "gap", "zones", "Care-worker travel per visit"):
        assert word in unavailable
    size = save_map(fmap, tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert size == (tmp_path / "m.html").stat().st_size
    assert "<script src=" not in page and "cdn.jsdelivr" not in page
    assert "Not available: " in page


@needs_assets
def test_map_with_all_optional_layers_and_escaped_names(tmp_path):
    focus = resolve_focus("Tenbury Wells", fx.wards())
    fmap = build_map(
        fx.complete_agencies(fx.area_layers()),
        focus=focus,
        access=fx.access(),
        travel=fx.travel(),
        gaps=fx.gaps(),
        zones=fx.zones(),
        isochrones=fx.isochrones(),
        title=f"Test {fx.EVIL}",
    )
    counts = fmap.geosuff_counts
    assert counts["access"] == 3 and counts["drive_home_care"] == 3 and counts["travel"] == 3
    assert counts["gaps"] == 1 and counts["zones"] == 2 and counts["isochrones"] == 2
    assert counts["focus"] == 1 and counts["home_care"] == 1 and counts["extra_care"] == 1
    assert fmap.geosuff_unavailable == []
    save_map(fmap, tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert "\\u003cscript\\u003ewindow.__pwned" in page
    assert "labelled fallback estimate" in page
    assert re.search(r"<title>Test &lt;script&gt;", page)


def test_bad_optional_tables_raise_one_line_errors():
    with pytest.raises(ValidationError, match="lsoa_code"):
        build_map(fx.area_layers(), access=fx.access().drop(columns="lsoa_code"))
    with pytest.raises(ValidationError, match="reasons"):
        build_map(fx.area_layers(), gaps=fx.gaps().drop(columns="reasons"))
    with pytest.raises(ValidationError, match="unknown map layer"):
        MapOptions(layers=("pop75", "nope"))


def test_zones_from_an_lsoa_table_are_dissolved():
    table = fx.population()[["lsoa_code"]].assign(zone=["A", "A", "B"])
    fmap = build_map(fx.area_layers(), zones=table, self_contained=False)
    assert fmap.geosuff_counts["zones"] == 2


def test_cdn_mode_links_pinned_versions(tmp_path):
    fmap = build_map(fx.area_layers(), self_contained=False)
    save_map(fmap, tmp_path / "cdn.html")
    page = (tmp_path / "cdn.html").read_text(encoding="utf-8")
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js" in page
    assert "jquery" not in page and "bootstrap" not in page


def test_recipe_loading(tmp_path):
    good = tmp_path / "r.toml"
    good.write_text(
        'area = "Wiltshire"\nfocus = "Tisbury"\ntiles = "none"\nlayers = ["pop75", "care_homes"]\n'
        "[display]\nsimplify_m = 10\ncluster_above = 5\n"
        "[thresholds]\nminutes = [0, 15, 30]\n"
        '[inputs]\naccess = "out/access.parquet"\n',
        encoding="utf-8",
    )
    recipe = load_recipe(good)
    assert recipe.area == "Wiltshire" and recipe.focus == "Tisbury" and recipe.tiles == "none"
    assert recipe.options.layers == ("pop75", "care_homes")
    assert recipe.options.minutes_edges == (0.0, 15.0, 30.0, math.inf)
    assert recipe.options.cluster_above == 5
    assert str(recipe.inputs["access"]) == "out/access.parquet"
    assert recipe.output_path().name == "r.html"
    bad = tmp_path / "bad.toml"
    bad.write_text('area = "X"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown key"):
        load_recipe(bad)
    bad.write_text('area = "X"\nlayers = ["pop75", "rivers"]\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown map layer"):
        load_recipe(bad)


def test_shipped_recipes_load():
    from geosuff.io.layout import shipped_dir

    names = {p.stem: load_recipe(p) for p in shipped_dir("maps").glob("*.toml")}
    assert {"tisbury", "tenbury", "rutland"} <= set(names)
    assert names["tenbury"].focus == "Tenbury Wells"


@needs_assets
def test_cli_map_for_an_area(data_dir, tmp_path):
    out = tmp_path / "rutland.html"
    result = CliRunner().invoke(
        app,
        ["map", "--area", "Rutland", "--out", str(out), "--tiles", "none", "--data", str(data_dir)],
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and "MB, self-contained" in result.output


def test_cli_unknown_focus_is_one_line_error(data_dir, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "map",
            "--area",
            "Worcestershire",
            "--focus",
            "Tenbry",
            "--out",
            str(tmp_path / "x.html"),
            "--data",
            str(data_dir),
        ],
    )
    assert result.exit_code == 2
    assert "close ward names: Tenbury" in result.output


def test_cli_needs_recipe_or_area():
    result = CliRunner().invoke(app, ["map"])
    assert result.exit_code == 2
    assert "recipe" in result.output


def test_out_that_is_not_html_is_a_one_line_error(tmp_path):
    out = tmp_path / "a.csv"
    result = CliRunner().invoke(app, ["map", "--area", "Rutland", "--out", str(out)])
    assert result.exit_code == 2
    assert "a.csv" in result.output and ".html" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
    with pytest.raises(ValidationError, match=r"ending in \.html"):
        save_map(build_map(fx.area_layers(), self_contained=False), tmp_path / "m.png")


def test_map_command_takes_a_network():
    result = CliRunner().invoke(app, ["map", "--help"])
    assert "--network" in result.output


def test_one_shading_at_a_time_and_isochrones_off_while_shaded():
    fmap = build_map(
        fx.complete_agencies(fx.area_layers()),
        access=fx.access(),
        isochrones=fx.isochrones(),
        self_contained=False,
    )
    from geosuff.maps.layers import RuntimeLayer

    layers = [e for e in fmap._children.values() if isinstance(e, RuntimeLayer)]
    bases = [e for e in layers if not e.overlay]
    assert {e.plain_name for e in bases} >= {
        "People aged 75+ (count)",
        "Access: care home beds per 1,000 aged 75+",
        "Drive time to nearest home care agency (estimate)",
    }
    assert [e.plain_name for e in bases if e.show] == ["Access: care home beds per 1,000 aged 75+"]
    iso = next(e for e in layers if e.plain_name == "Drive-time isochrones")
    assert iso.show is False
    # With no shading asked for, the isochrones open on.
    plain = build_map(
        fx.area_layers(),
        isochrones=fx.isochrones(),
        options=MapOptions(shading="none"),
        self_contained=False,
    )
    iso = next(
        e
        for e in plain._children.values()
        if isinstance(e, RuntimeLayer) and e.plain_name == "Drive-time isochrones"
    )
    assert iso.show is True


def test_outline_styles_differ_and_gaps_are_not_filled():
    from geosuff._palettes import OUTLINES
    from geosuff.maps.layers import RuntimeLayer

    styles = [(s.colour, s.weight_px, s.dash) for s in OUTLINES.values()]
    assert len(set(styles)) == len(styles)
    assert len({s.colour for s in OUTLINES.values()}) >= 3
    assert len({s.dash for s in OUTLINES.values()}) == 3  # solid, dashed, dotted
    fmap = build_map(fx.area_layers(), gaps=fx.gaps(), self_contained=False)
    gap = next(
        e
        for e in fmap._children.values()
        if isinstance(e, RuntimeLayer) and e.plain_name.startswith("Gap LSOAs")
    )
    options = json.loads(gap.options_json)
    assert "fill" not in options and "colour" not in options  # outline only: no darkening
    assert options["stroke"] == OUTLINES["gap"].colour
    assert options["casing"] == "#ffffff"


def test_title_names_the_focus_as_asked_and_states_the_year():
    focus = resolve_focus("Tenbury Wells", fx.wards())
    fmap = build_map(fx.area_layers(), focus=focus, wards=fx.wards(), self_contained=False)
    info = fmap.geosuff_info
    assert info["title"] == "Care for people aged 75+: Tenbury Wells, Testshire"
    facts = dict(info["facts"])
    assert facts["Focus"] == "Tenbury Wells (ward Tenbury)"
    assert facts["Year"].startswith("2020: ONS population estimates (mid-2020)")
    assert facts["Travel"] == "not available"
    assert "home care agencies source not stated (coverage not assessed)" in facts["Data"]
    assert facts["Data"].startswith("care homes 2024-03")


def test_town_labels_from_ward_names(data_dir):
    from geosuff import load_wards, resolve_area
    from geosuff.maps.labels import place_labels, town_of_wards

    wilts = load_wards(resolve_area("Wiltshire", data_dir), data_dir=data_dir)
    towns = town_of_wards(wilts)
    by_ward = dict(zip(wilts["ward_name"], towns, strict=True))
    assert by_ward["Trowbridge Grove"] == "Trowbridge"
    assert by_ward["Royal Wootton Bassett East"] == "Royal Wootton Bassett"
    assert by_ward["Salisbury St Paul's"] == "Salisbury"  # not "Salisbury St"
    assert by_ward["Tisbury"] is None
    assert int((towns == "Salisbury").sum()) == 8
    labels = place_labels(wilts)
    ranks = dict(zip(labels["name"], labels["rank"], strict=True))
    assert ranks["Trowbridge"] == 1 and ranks["Chippenham"] == 1
    assert ranks["Tisbury"] == 2 and ranks["Mere"] == 2
    assert "Alderbury & Whiteparish" not in ranks  # long compound names stay off the map
    worcs = load_wards(resolve_area("Worcestershire", data_dir), data_dir=data_dir)
    by_ward = dict(zip(worcs["ward_name"], town_of_wards(worcs), strict=True))
    assert by_ward["Droitwich East"] == "Droitwich"
    # Two wards that start alike but lie apart are different places.
    assert by_ward["Upton & Ripple"] is None and by_ward["Upton Snodsbury"] is None
    focus = resolve_focus("Tenbury Wells", worcs)
    labels = place_labels(worcs, focus)
    assert labels.loc[labels["rank"] == 0, "name"].tolist() == ["Tenbury Wells"]
    assert "Tenbury" not in labels["name"].tolist()


def test_zone_named_like_the_focus_is_named_on_hover_only():
    import geopandas as gpd
    from shapely.geometry import box

    from geosuff.maps.layers import MapPage
    from geosuff.maps.overlays import add_zones

    zones = gpd.GeoDataFrame(
        {"zone": ["Tisbury", "Mere"]},
        geometry=[box(390000, 130000, 395000, 135000), box(380000, 130000, 385000, 135000)],
        crs=27700,
    )
    page = MapPage()
    names = add_zones(page, zones, zones, MapOptions(), ("tisbury", "Tisbury"))
    assert names == ["Tisbury", "Mere"]
    feats = json.loads(page.specs[-1].elements[0].payload)["features"]
    assert [f["properties"].get("nl", False) for f in feats] == [True, False]


def test_town_labels_follow_the_area_town_grouping(data_dir):
    import pandas as pd

    from geosuff import load_wards, resolve_area
    from geosuff.io.towns import load_towns
    from geosuff.maps.labels import place_labels

    area = resolve_area("Wiltshire", data_dir)
    wilts = load_wards(area, data_dir=data_dir)
    grouping = load_towns(area, wilts).data
    towns = pd.Series(grouping["town"].to_numpy(), index=wilts.index)
    labels = place_labels(wilts, towns=towns)
    ranked = dict(zip(labels["name"], labels["rank"], strict=True))
    counts = grouping["town"].value_counts()
    many = set(counts[counts >= 2].index)
    assert {n for n, r in ranked.items() if r == 1} == many  # as supply --by town groups
    assert ranked["Trowbridge"] == 1 and ranked["Salisbury"] == 1
    assert ranked["Tisbury"] == 2
