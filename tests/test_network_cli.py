import pandas as pd
import pytest
from _network_helpers import RUTLAND_PBF, X0, Y0
from typer.testing import CliRunner

from geosuff.cli.main import app

runner = CliRunner()


def _write_points(path, coords):
    rows = [{"id": k, "easting": X0 + x, "northing": Y0 + y} for k, (x, y) in coords.items()]
    pd.DataFrame(rows).to_csv(path, index=False)


def test_travel_matrix_without_network_is_an_estimate(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _write_points(a, {"o1": (0, 0)})
    _write_points(b, {"d1": (5000, 0), "d2": (0, 9000)})
    out = tmp_path / "m.csv"
    r = runner.invoke(
        app, ["travel", "matrix", "--from", str(a), "--to", str(b), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out)
    assert list(t.dest_id) == ["d1", "d2"]
    assert set(t.method) == {"estimate_crowfly"}


def test_bad_inputs_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_text("not osm")
    r = runner.invoke(app, ["network", "build", "--pbf", str(bad), "--out", str(tmp_path / "n")])
    assert r.exit_code == 2
    assert "geosuff: error:" in r.output and "not a readable OSM file" in r.output
    assert "Traceback" not in r.output
    a = tmp_path / "a.csv"
    pd.DataFrame({"name": ["x"], "lon": [0.0], "lat": [52.0]}).to_csv(a, index=False)
    r = runner.invoke(app, ["travel", "matrix", "--from", str(a), "--to", str(a), "--out", "x.csv"])
    assert r.exit_code == 2
    assert "no 'id' column" in r.output


def test_build_and_matrix_on_rutland(data_dir, tmp_path):
    assert RUTLAND_PBF.is_file()
    out = tmp_path / "rutland_net"
    r = runner.invoke(app, ["network", "build", "--pbf", str(RUTLAND_PBF), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "nodes outside the largest strongly connected component dropped" in r.output
    pts = tmp_path / "p.csv"
    pd.DataFrame(
        {"id": ["oakham", "uppingham"], "lon": [-0.7278, -0.7230], "lat": [52.6700, 52.5878]}
    ).to_csv(pts, index=False)
    m = tmp_path / "m.parquet"
    args = ["travel", "matrix", "--network", str(out), "--from", str(pts), "--to", str(pts)]
    r = runner.invoke(app, [*args, "--max-minutes", "60", "--out", str(m)])
    assert r.exit_code == 0, r.output
    t = pd.read_parquet(m).set_index(["origin_id", "dest_id"])
    minutes = t.loc[("oakham", "uppingham"), "minutes"]
    # Oakham to Uppingham is about 10 km by the A6003
    assert 8 < minutes < 25
    assert set(t.method) == {"network"}
    assert t.loc[("oakham", "uppingham"), "km"] == pytest.approx(10, abs=3)
