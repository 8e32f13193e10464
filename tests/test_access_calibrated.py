"""Access on the calibrated estimate: every provider and LSOA in its own setting."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _network_helpers import X0, Y0
from shapely.geometry import Point, box
from typer.testing import CliRunner

from geosuff import settings
from geosuff.analysis.access import access, provider_table
from geosuff.io.area_layers import AreaLayers
from geosuff.io.areas import Area
from geosuff.io.surroundings import within_area_only
from geosuff.network.estimate_model import SETTINGS, estimate_minutes_km, estimate_model

CRS = "EPSG:27700"
AREA = Area("E06000099", "Testshire", "utla", ("E06000099",), ("Testshire",))


def _layers():
    boxes = [(0, 0, 2000, 2000), (2000, 0, 4000, 2000), (20000, 0, 22000, 2000)]
    geoms = [box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes]
    pop = gpd.GeoDataFrame(
        {
            "lsoa_code": ["L0", "L1", "L2"],
            "lsoa_name": ["L0", "L1", "L2"],
            "la_code": "E06000099",
            "la_name": "Testshire",
            "pop_total": 1000.0,
            "pop_65plus": 300.0,
            "pop_75plus": [100.0, 200.0, 300.0],
            "pop_85plus": 50.0,
            "demand_e": [g.centroid.x for g in geoms],
            "demand_n": [g.centroid.y for g in geoms],
            "ruc11": ["C1", "C1", "E1"],
        },
        geometry=geoms,
        crs=CRS,
    )
    homes = gpd.GeoDataFrame(
        {
            "provider_id": ["h0", "h1"],
            "name": "x",
            "kind": "care_home_nursing",
            "beds": [30.0, 40.0],
            "units": np.nan,
            "dementia": False,
            "older_people": True,
            "lsoa_code": ["L0", "L2"],
            "la_code": "E06000099",
            "ruc11": ["C1", "E1"],
        },
        geometry=[Point(X0 + 1500, Y0 + 1000), Point(X0 + 21000, Y0 + 500)],
        crs=CRS,
    )
    empty = homes.iloc[:0]
    return AreaLayers(AREA, pop, homes, empty, empty, pd.DataFrame(), {}, {})


def _pos(name):
    return np.array(SETTINGS.index(name))


def test_access_uses_each_points_setting():
    layers = _layers()
    acc = access(layers).set_index("lsoa_code")
    m = estimate_model()
    assert set(acc["travel_method"]) == {"estimate_calibrated"}
    assert set(acc["travel_calibration"]) == {m.calibration}
    assert acc.attrs["travel_calibration"] == m.calibration
    # L0 (C1, centre 1000,1000) from home h0 (C1, 1500,1000): 0.5 km town to town
    want, km = estimate_minutes_km(np.array(0.5), _pos("city_town"), _pos("city_town"), m)
    assert acc.loc["L0", "minutes_to_care_home"] == pytest.approx(float(want))
    assert acc.loc["L0", "km_to_care_home"] == pytest.approx(float(km))
    # L2 (E1, centre 21000,1000) from h1 (E1, 21000,500): 0.5 km village to village, slower
    # to reach (village access) than the town pair at the same distance
    want_v, _ = estimate_minutes_km(np.array(0.5), _pos("village"), _pos("village"), m)
    assert acc.loc["L2", "minutes_to_care_home"] == pytest.approx(float(want_v))
    # the uncalibrated estimate is still there on request
    rural = access(layers, area_class="rural").set_index("lsoa_code")
    assert set(rural["travel_method"]) == {"estimate_crowfly"}
    assert rural.loc["L0", "minutes_to_care_home"] == pytest.approx(0.5 * 1.4 / 50 * 60)


def test_provider_table_carries_ruc11():
    table = provider_table(within_area_only(_layers()))
    assert table["ruc11"].tolist() == ["C1", "E1"]
    no_ruc = _layers()._replace(care_homes=_layers().care_homes.drop(columns="ruc11"))
    assert provider_table(within_area_only(no_ruc))["ruc11"].tolist() == [None, None]


runner = CliRunner()


def test_calibrate_command_writes_a_usable_profile(data_dir, tmp_path, monkeypatch):
    from geosuff.cli.main import app

    monkeypatch.setenv("GEOSUFF_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "rutland.toml"
    pairs = tmp_path / "pairs.csv"
    pbf = data_dir / "osm" / "rutland-2022-07-20.osm.pbf"
    args = ["network", "calibrate", "--network", str(pbf), "--area", "Rutland"]
    args += ["--data", str(data_dir), "--out", str(out), "--pairs-out", str(pairs)]
    res = runner.invoke(app, [*args, "--folds", "3"])
    assert res.exit_code == 0, res.output
    assert "1,058 road pairs between 23 LSOAs and 12 providers" in res.stdout
    assert "all pairs" in res.stdout and "0-1 km" in res.stdout and "C1-E1" in res.stdout
    text = out.read_text()
    assert "# Cross-validation: 3 folds of LSOAs (seed 0)" in text
    assert len(pd.read_csv(pairs)) == 1058
    # the profile drives the estimate: travel matrix and access name its calibration
    a = tmp_path / "a.csv"
    pd.DataFrame(
        {"id": ["o", "d"], "easting": [X0, X0 + 5000], "northing": [Y0, Y0], "ruc11": ["C1", "E1"]}
    ).to_csv(a, index=False)
    res = runner.invoke(
        app,
        ["travel", "matrix", "--from", str(a), "--to", str(a), "--out", str(tmp_path / "m.csv")],
    )
    assert res.exit_code == 0, res.output
    assert f"calibration: {estimate_model().calibration}" in res.stderr
    prof_args = ["--profile", str(out)]
    res = runner.invoke(
        app,
        [
            "travel",
            "matrix",
            "--from",
            str(a),
            "--to",
            str(a),
            "--out",
            str(tmp_path / "m.csv"),
            *prof_args,
        ],
    )
    assert res.exit_code == 0, res.output
    assert "calibration: Rutland (E06000017), road network rutland" in res.stderr
    assert set(pd.read_csv(tmp_path / "m.csv")["method"]) == {"estimate_calibrated"}
    monkeypatch.setattr(settings, "estimate_profile", None)  # restored after the test
    res = runner.invoke(
        app,
        [
            "--quiet",
            "access",
            "--area",
            "Rutland",
            "--data",
            str(data_dir),
            "-f",
            "json",
            *prof_args,
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["travel_method"] == "estimate_calibrated"
    assert settings.estimate_profile == str(out)
    assert summary["travel_calibration"].startswith("Rutland (E06000017)")
