import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, box
from typer.testing import CliRunner

from geosuff._errors import InputFileError, ValidationError
from geosuff.cli.main import app
from geosuff.io.area_layers import AreaLayers, load_area_layers
from geosuff.io.areas import Area
from geosuff.zones.check import ZoneThresholds, check_zones
from geosuff.zones.compare import compare_checks
from geosuff.zones.propose import propose_zones
from geosuff.zones.report import render_report
from geosuff.zones.seeds import parse_seeds, resolve_seeds

CRS = "EPSG:27700"
LOOSE = ZoneThresholds(
    max_pop_vs_mean=100,
    min_pop_vs_mean=0,
    centre_p90_minutes=1e3,
    travel_minutes_per_visit=1e3,
    max_share_nearer_other=1,
)


@pytest.fixture
def strip():
    """Four 1 km LSOAs in a row, 100 people aged 75+ each."""
    geoms = [box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(4)]
    pop = gpd.GeoDataFrame(
        {
            "lsoa_code": [f"L{i}" for i in range(4)],
            "lsoa_name": [f"L{i}" for i in range(4)],
            "la_code": "E06000099",
            "la_name": "Strip",
            "pop_total": 1000.0,
            "pop_65plus": 200.0,
            "pop_75plus": 100.0,
            "pop_85plus": 20.0,
            "demand_e": [g.centroid.x for g in geoms],
            "demand_n": [g.centroid.y for g in geoms],
        },
        geometry=geoms,
        crs=CRS,
    )
    empty = gpd.GeoDataFrame(
        {
            "provider_id": [],
            "kind": [],
            "beds": [],
            "units": [],
            "lsoa_code": [],
            "older_people": [],
            "dementia": [],
        },
        geometry=[],
        crs=CRS,
    )
    area = Area("E06000099", "Strip", "utla", ("E06000099",), ("Strip",))
    return AreaLayers(area, pop, empty, empty, empty, pd.DataFrame(), {}, {})


def _zones(rows):
    return gpd.GeoDataFrame({"zone": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs=CRS)


def test_gap_overlap_split_reported_exactly(strip):
    zones = _zones(
        [
            ("Z1", MultiPolygon([box(0, 0, 1000, 1000), box(2000, 0, 3000, 1000)])),
            ("Z2", box(900, 0, 2000, 1000)),
        ]
    )
    result = check_zones(strip, zones, thresholds=LOOSE, n_runs=5, n_pairs=5)
    got = {(p.zone, p.rule, p.figure) for p in result.problems.itertuples()}
    assert got == {
        ("(all)", "polygon_gap", 1.0),
        ("Z1", "polygon_overlap", 0.1),
        ("(none)", "lsoa_in_no_zone", "L3"),
        ("Z1", "split_zone_adjacency", 2),
    }
    assert result.overall["lsoas_in_no_zone"] == 1
    assert result.overall["pop_75plus_in_no_zone"] == 100
    z = result.zones.set_index("zone")
    assert z.loc["Z1", "n_lsoas"] == 2 and z.loc["Z2", "n_lsoas"] == 1


def test_lsoa_table_in_several_zones_and_unknown(strip, tmp_path):
    path = tmp_path / "z.csv"
    path.write_text("lsoa_code,zone\nL0,A\nL1,A\nL1,B\nL2,B\nL3,B\nL9,B\n")
    result = check_zones(strip, path, thresholds=LOOSE, n_runs=5, n_pairs=5)
    rules = result.problems.set_index("rule")
    assert rules.loc["lsoa_in_several_zones", "figure"] == "L1"
    assert rules.loc["unknown_member", "figure"] == "L9"
    assert result.overall["lsoas_in_several_zones"] == 1


def test_balance_and_nearer_other_rules(strip):
    zones = _zones([("Big", box(0, 0, 3000, 1000)), ("Small", box(3000, 0, 4000, 1000))])
    th = ZoneThresholds(
        max_pop_vs_mean=1.4,
        min_pop_vs_mean=0.6,
        centre_p90_minutes=1e3,
        travel_minutes_per_visit=1e3,
        max_share_nearer_other=0.2,
    )
    strip.population.loc[0, "pop_75plus"] = 400.0
    result = check_zones(strip, zones, thresholds=th, n_runs=5, n_pairs=5)
    got = {(p.zone, p.rule, p.figure) for p in result.problems.itertuples()}
    # Big has 600 people, Small 100: mean 350, so 1.71x and 0.29x. Big's weighted centre
    # is x=1000, so L2 (x=2500) is 1.5 km from it but 1 km from Small's centre (x=3500).
    assert got == {
        ("Big", "too_many_people", 1.71),
        ("Small", "too_few_people", 0.29),
        ("Big", "lsoas_nearer_another_centre", 0.33),
    }
    assignment = result.assignment.set_index("lsoa_code")
    assert assignment.loc["L2", "nearer_other_zone"] == "Small"


def test_bad_zone_files(strip, tmp_path):
    no_crs = tmp_path / "nocrs.geojson"
    no_crs.write_text('{"type":"FeatureCollection","features":[]}')
    wrong = _zones([("Far", box(0, 0, 1000, 1000))]).set_crs(4326, allow_override=True)
    with pytest.raises(ValidationError, match="CRS"):
        check_zones(strip, wrong, n_runs=5)
    zones = _zones(
        [
            ("A", box(0, 0, 2000, 1000)),
            ("A", box(2000, 0, 4000, 1000)),
            ("Empty", box(0, 0, 0, 0).buffer(0)),
            ("Away", box(9e4, 0, 9.1e4, 1e3)),
        ]
    )
    result = check_zones(strip, zones, thresholds=LOOSE, n_runs=5, n_pairs=5)
    got = {(p.zone, p.rule) for p in result.problems.itertuples()}
    assert got == {
        ("A", "duplicate_zone_name"),
        ("Empty", "empty_geometry"),
        ("Away", "zone_outside_area"),
    }
    missing = tmp_path / "z.csv"
    missing.write_text("lsoa,area\nL0,A\n")
    with pytest.raises(InputFileError, match="no zone column"):
        check_zones(strip, missing)


def test_report_escapes_names(strip):
    zones = _zones([("<script>alert(1)</script>", box(0, 0, 4000, 1000))])
    result = check_zones(strip, zones, thresholds=LOOSE, n_runs=5, n_pairs=5)
    page = render_report("t", result.overall, result.zones, result.problems)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page and "ESTIMATES" in page


def test_parse_seed_text():
    seeds = parse_seeds("North=Chippenham+Calne, Tisbury")
    assert seeds.zones == {"North": ["Chippenham", "Calne"], "Tisbury": ["Tisbury"]}


@pytest.fixture(scope="module")
def wiltshire(data_dir):
    return load_area_layers("Wiltshire", data_dir=data_dir)


def test_wiltshire_15_zones_cover_every_lsoa_once(wiltshire, data_dir):
    seeds = parse_seeds("geosuff/boundaries/wiltshire_15_zones.toml")
    points = resolve_seeds(seeds, wiltshire, data_dir=data_dir)
    assert len(points) == 22 and points["zone"].nunique() == 15
    assignment = propose_zones(wiltshire, points)
    assert len(assignment) == 285 and assignment["zone"].notna().all()
    assert assignment["zone"].nunique() == 15
    result = check_zones(wiltshire, assignment, n_runs=10, n_pairs=20)
    assert result.overall["lsoas_in_no_zone"] == 0
    assert result.overall["lsoas_in_several_zones"] == 0
    assert result.zones["n_lsoas"].sum() == 285
    assert result.zones["pop_75plus"].sum() == 51_991
    assert (result.zones["parts_adjacency"] == 1).all()
    three = propose_zones(
        wiltshire,
        resolve_seeds(
            parse_seeds("geosuff/boundaries/wiltshire_3_zones.toml"), wiltshire, data_dir=data_dir
        ),
    )
    res3 = check_zones(wiltshire, three, n_runs=10, n_pairs=20)
    table = compare_checks(res3, result, names=("3", "15")).set_index("measure")
    assert table.loc["home_care_minutes_per_visit", "change"] < 0


def test_balancing_keeps_zones_whole_and_evens_population(wiltshire, data_dir):
    points = resolve_seeds(
        parse_seeds("geosuff/boundaries/wiltshire_15_zones.toml"), wiltshire, data_dir=data_dir
    )
    plain = propose_zones(wiltshire, points)
    balanced = propose_zones(wiltshire, points, balance=True, tolerance=0.25)
    assert balanced.attrs["moves"] > 0
    pop = wiltshire.population.set_index("lsoa_code")["pop_75plus"]

    def biggest(a):
        return a.assign(p=a["lsoa_code"].map(pop)).groupby("zone")["p"].sum().max()

    assert biggest(balanced) < biggest(plain)
    result = check_zones(wiltshire, balanced, n_runs=5, n_pairs=5)
    assert (result.zones["parts_adjacency"] == 1).all()


def test_cli_check_fail_on_problems(data_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.geojson"
    res = runner.invoke(
        app,
        [
            "-q",
            "zones",
            "propose",
            "--seeds",
            "geosuff/boundaries/rutland_3_zones.toml",
            "--data",
            str(data_dir),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert len(gpd.read_file(out)) == 3
    args = [
        "-q",
        "zones",
        "check",
        str(out),
        "--area",
        "Rutland",
        "--data",
        str(data_dir),
        "--runs",
        "5",
        "--out",
        str(tmp_path / "r.html"),
        "--out",
        str(tmp_path / "r.csv"),
    ]
    assert runner.invoke(app, args).exit_code == 0
    strict = tmp_path / "strict.toml"
    strict.write_text("[zones]\ntravel_minutes_per_visit = 1\n")
    res = runner.invoke(app, [*args, "--thresholds", str(strict), "--fail-on-problems"])
    assert res.exit_code == 1
    assert "long_travel_per_visit" in res.stdout
    assert (tmp_path / "r_problems.csv").exists() and (tmp_path / "r.html").exists()


def test_check_reports_the_travel_figure_of_runs(strip):
    from geosuff.analysis.runs import home_care_travel

    zones = _zones([("West", box(0, 0, 2000, 1000)), ("East", box(2000, 0, 4000, 1000))])
    result = check_zones(strip, zones, thresholds=LOOSE, n_pairs=5)
    groups = result.assignment.set_index("lsoa_code")["zone"]
    travel = home_care_travel(strip, groups=groups).zones.set_index("zone")
    z = result.zones.set_index("zone")
    for name in ("West", "East"):
        assert (
            z.loc[name, "home_care_minutes_per_visit"]
            == travel.loc[name, "home_care_minutes_per_visit"]
        )
    strict = ZoneThresholds(travel_minutes_per_visit=0.1)
    problems = check_zones(strip, zones, thresholds=strict, n_pairs=5).problems
    rows = problems[problems["rule"] == "long_travel_per_visit"]
    assert set(rows["zone"]) == {"West", "East"}
    assert (
        rows["detail"]
        .str.contains("drive times estimated (straight line x detour)", regex=False)
        .all()
    )


def test_cli_propose_prints_what_check_reports(data_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.geojson"
    base = ["-q", "zones"]
    seeds = ["--seeds", "geosuff/boundaries/rutland_3_zones.toml", "--data", str(data_dir)]
    res = runner.invoke(app, [*base, "propose", *seeds, "--out", str(out)])
    assert res.exit_code == 0, res.output
    proposed = gpd.read_file(out).set_index("zone")["home_care_minutes_per_visit"]
    args = [*base, "check", str(out), "--area", "Rutland", "--data", str(data_dir)]
    res = runner.invoke(app, [*args, "--format", "json", "--out", str(tmp_path / "c.json")])
    assert res.exit_code == 0, res.output
    import json

    checked = json.loads((tmp_path / "c.json").read_text())["zones"]
    for row in checked:
        assert row["home_care_minutes_per_visit"] == pytest.approx(proposed[row["zone"]])
