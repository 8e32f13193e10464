import math
import tomllib
from dataclasses import replace

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _network_helpers import X0, Y0, rutland

from geosuff._errors import ValidationError
from geosuff.network import RoadNetwork
from geosuff.network.calibrate import calibrate, cross_validate, fit_estimate, network_pairs
from geosuff.network.calibration_report import error_table, nearest_check, profile_toml
from geosuff.network.estimate_model import SETTINGS, estimate_model
from geosuff.network.speeds import load_profile

# A synthetic network with known answers: a sawtooth road whose vertices alternate
# between y = 0 and y = A, STEP m apart in x, driven at SPEED km/h. Between two vertices on
# y = 0 the road is exactly sqrt(1 + (A/STEP)^2) times the crow-fly distance. "Town"
# points (C1) sit on those vertices; "village" points (E1) sit OFF m below them, off the
# road, so geosuff's engine adds an off-network leg of OFF m at 15 km/h at each village end.
STEP, A, SPEED, OFF = 500.0, 300.0, 60.0, 200.0
CIRCUITY = math.sqrt(1 + (A / STEP) ** 2)


def _sawtooth(n_vertices=81):
    g = nx.MultiDiGraph(crs="EPSG:27700")
    for i in range(n_vertices):
        g.add_node(i, x=X0 + i * STEP, y=Y0 + (A if i % 2 else 0.0))
    for i in range(n_vertices - 1):
        length = math.hypot(STEP, A)
        t = length / (SPEED / 3.6)
        g.add_edge(i, i + 1, length=length, travel_time=t)
        g.add_edge(i + 1, i, length=length, travel_time=t)
    return RoadNetwork.from_graph(g, offnetwork_speed_kph=15.0)


def _sawtooth_points():
    town = [2 * k for k in range(0, 20)]  # vertices 0..38 on y = 0
    village = [2 * k for k in range(20, 40)]  # vertices 40..78
    rows = [(f"t{v}", "C1", X0 + v * STEP, Y0) for v in town]
    rows += [(f"v{v}", "E1", X0 + v * STEP, Y0 - OFF) for v in village]
    ids, ruc, x, y = zip(*rows, strict=True)
    kind = ["provider" if i % 4 == 0 else "lsoa" for i in range(len(ids))]
    return gpd.GeoDataFrame(
        {"id": ids, "kind": kind, "group": ids, "ruc11": ruc, "weight": 1.0},
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:27700",
    )


def _flat_prior():
    # local speeds equal in every setting, so a uniform-speed road can be matched exactly
    return replace(estimate_model(), local_kph=dict.fromkeys(SETTINGS, 30.0))


def test_pairs_from_the_engine_match_the_geometry():
    pairs = network_pairs(_sawtooth(), _sawtooth_points())
    n = 40
    assert len(pairs) == n * (n - 1) - 10 * 9  # provider-to-provider pairs left out
    vv = pairs[(pairs["origin_ruc11"] == "E1") & (pairs["dest_ruc11"] == "E1")]
    # village to village: the off-road legs plus the sawtooth, exactly
    assert np.allclose(vv["km"], 2 * OFF / 1000 + CIRCUITY * vv["crow_km"])
    want = 2 * (OFF / 1000) / 15 * 60 + CIRCUITY * vv["crow_km"] / SPEED * 60
    assert np.allclose(vv["minutes"], want)


def test_fit_recovers_known_parameters():
    pairs = network_pairs(_sawtooth(), _sawtooth_points())
    prior = _flat_prior()
    m = fit_estimate(pairs, prior=prior)
    assert m.circuity == pytest.approx(CIRCUITY, abs=0.003)
    assert m.cruise_kph == pytest.approx(SPEED, rel=0.01)
    assert m.access_km["village"] == pytest.approx(OFF / 1000, abs=0.01)
    assert m.access_km["city_town"] == pytest.approx(0.0, abs=0.01)
    assert m.access_min["village"] == pytest.approx(OFF / 1000 / 15 * 60, abs=0.03)  # 0.8 min
    assert m.access_min["city_town"] == pytest.approx(0.0, abs=0.03)
    # no D1 points: town_fringe keeps the prior; conurbation follows city_town
    assert m.access_min["town_fringe"] == prior.access_min["town_fringe"]
    assert m.access_min["conurbation"] == m.access_min["city_town"]
    assert m.extra["fitted_settings"] == ("city_town", "village")
    # whatever the local-leg values, the fitted model reproduces the road times (up to
    # the geometry: a village 1 km from a town is sqrt(1 + 0.2^2) km away, not 1 km)
    cv_min, cv_km, folds = cross_validate(pairs, prior=prior, folds=4)
    assert np.abs(cv_min - pairs["minutes"]).max() < 0.1
    assert np.abs(cv_km - pairs["km"]).max() < 0.03
    assert len(folds) == 4 and (folds["train_pairs"] < len(pairs)).all()


def test_calibration_report_and_profile_file(tmp_path):
    pairs = network_pairs(_sawtooth(), _sawtooth_points())
    cal = calibrate(pairs, prior=_flat_prior(), crowfly=(1.4, 50.0), folds=4, source="saw")
    table = error_table(cal)
    assert table.iloc[0]["value"] == "all pairs" and table.iloc[0]["pairs"] == len(pairs)
    assert set(table["group"]) == {"all", "distance", "setting"}
    assert set(table.loc[table["group"] == "setting", "value"]) == {"C1-C1", "C1-E1", "E1-E1"}
    assert table.iloc[0]["calibrated_mae"] < 0.05 < table.iloc[0]["crowfly_mae"]
    near = nearest_check(cal)
    assert near["lsoas"] == 30  # every LSOA point has a provider to reach
    assert abs(near["calibrated_bias"]) < 0.05
    path = tmp_path / "cal.toml"
    path.write_text(profile_toml(cal))
    prof = load_profile(path)  # a valid override of the packaged profile
    assert prof.data["estimate"]["circuity"] == pytest.approx(CIRCUITY, abs=0.003)
    assert prof.data["estimate"]["calibration"].startswith("saw: 1,470 road pairs")
    raw = tomllib.loads(path.read_text())
    assert set(raw) == {"estimate"}
    assert "town_fringe = " in path.read_text() and "no data: prior kept" in path.read_text()


def test_calibration_needs_points():
    pts = _sawtooth_points().iloc[:2]
    with pytest.raises(ValidationError, match="at least 3 calibration points"):
        network_pairs(_sawtooth(), pts)
    with pytest.raises(ValidationError, match="lack columns"):
        network_pairs(_sawtooth(), pts.drop(columns="group"))
    pairs = network_pairs(_sawtooth(), _sawtooth_points().iloc[:4])
    with pytest.raises(ValidationError, match="10 folds need at least 10"):
        cross_validate(pairs, prior=_flat_prior(), folds=10)


def test_rutland_calibration_matches_the_packaged_profile(data_dir):
    """The packaged [estimate] values are what the calibration fits on Rutland."""
    from geosuff.analysis.calibration import calibrate_network
    from geosuff.io.area_layers import load_area_layers

    net = rutland()[0]
    cal = calibrate_network(net, layers=load_area_layers("Rutland", data_dir=data_dir))
    packaged, fitted = estimate_model(), cal.model
    assert len(cal.pairs) == 1058
    assert fitted.calibration == packaged.calibration
    for table in ("access_min", "access_km", "local_kph"):
        for s in SETTINGS:
            got, want = getattr(fitted, table)[s], getattr(packaged, table)[s]
            assert got == pytest.approx(want, rel=0.01, abs=0.005), (table, s)
    for key in ("circuity", "cruise_kph", "local_leg_km"):
        assert getattr(fitted, key) == pytest.approx(getattr(packaged, key), rel=0.01)
    # the cross-validated errors quoted in the profile and the README
    t = error_table(cal).set_index("value")
    assert t.loc["all pairs", "crowfly_mae"] == pytest.approx(1.47, abs=0.005)
    assert t.loc["all pairs", "calibrated_mae"] == pytest.approx(1.31, abs=0.005)
    assert t.loc["all pairs", "crowfly_km_mae"] == pytest.approx(1.09, abs=0.005)
    assert t.loc["all pairs", "calibrated_km_mae"] == pytest.approx(0.59, abs=0.005)
    # relative to the road minutes: trips under 5 km were a median 37% too fast
    assert t.loc["under 5 km", "pairs"] == 220
    assert t.loc["under 5 km", "crowfly_pct"] == pytest.approx(37.2, abs=0.1)
    assert t.loc["under 5 km", "crowfly_pct_bias"] == pytest.approx(-37.2, abs=0.1)
    assert t.loc["under 5 km", "calibrated_pct"] == pytest.approx(18.8, abs=0.1)
    assert abs(t.loc["under 5 km", "calibrated_pct_bias"]) < 1.0
    assert t.loc["all pairs", "calibrated_pct"] < t.loc["all pairs", "crowfly_pct"]
    for band in ("0-1 km", "1-2 km", "2-5 km", "10-20 km"):
        assert t.loc[band, "calibrated_mae"] < t.loc[band, "crowfly_mae"]
        assert abs(t.loc[band, "calibrated_bias"]) < abs(t.loc[band, "crowfly_bias"])
    near = nearest_check(cal)
    assert near["road_weighted_mean"] == pytest.approx(4.87, abs=0.005)
    assert near["crowfly_weighted_mean"] == pytest.approx(3.18, abs=0.005)
    assert near["calibrated_weighted_mean"] == pytest.approx(4.72, abs=0.005)
    # fitting on Rutland does not invent values for classes it does not have
    assert set(pd.unique(cal.pairs[["origin_ruc11", "dest_ruc11"]].to_numpy().ravel())) == {
        "C1",
        "D1",
        "E1",
    }
    assert fitted.local_kph["conurbation"] / fitted.local_kph["city_town"] == pytest.approx(0.8)


def test_lsoas_well_inside_a_network(data_dir):
    from geosuff.analysis.calibration import network_lsoa_points
    from geosuff.io.area_layers import load_area_layers

    pts = network_lsoa_points(rutland()[0], data_dir=data_dir)
    rutland_lsoas = set(load_area_layers("Rutland", data_dir=data_dir).population["lsoa_code"])
    # the Rutland extract covers Rutland: 16 of its 23 LSOA centroids lie 2 km inside the
    # roads' outline, and no neighbour's (their roads are cut at the county line)
    assert len(pts) == 16 and set(pts["id"]) <= rutland_lsoas
    assert set(pts["kind"]) == {"lsoa"} and pts["ruc11"].notna().all()
    assert (pts["weight"] > 0).all()
    with pytest.raises(ValidationError, match="give --area"):
        network_lsoa_points(rutland()[0], data_dir=data_dir, inset_m=20_000)
