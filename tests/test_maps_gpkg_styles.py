"""GeoPackage outputs carry QGIS styles with the map's classes and colours."""

import re
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from geosuff._palettes import NO_DATA, OUTLINES, access_classes, minutes_classes
from geosuff.cli.main import app
from geosuff.io.files import read_vector, write_table
from geosuff.io.qgis_styles import read_layer_styles
from tests import maps_fixtures as fx

EDGE_VALUES = [0.0, 39.99, 40.0, 79.9, 80.0, 109.99, 110.0, 164.9, 165.0, 900.0, np.nan, 5.0]


def _qml_rules(qml: str) -> tuple[list[dict], dict[str, list[ET.Element]]]:
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "RuleRenderer"
    symbols = {s.get("name"): s.findall("layer") for s in renderer.find("symbols")}
    groups = []
    for group in renderer.find("rules"):
        groups.append(
            {"label": group.get("label"), "rules": [dict(r.attrib) for r in group.findall("rule")]}
        )
    return groups, symbols


def _matches(expr: str, value: float) -> bool:
    """Evaluate the simple expressions geosuff writes, independently of geosuff."""
    if expr == "ELSE":
        raise AssertionError("else is resolved by the caller")
    if np.isnan(value):
        return False
    for _col, op, num in re.findall(r'"([^"]+)" (>=|<|=) ([-0-9.e+]+)', expr):
        x = float(num)
        ok = {">=": value >= x, "<": value < x, "=": value == x}[op]
        if not ok:
            return False
    return True


def _fill_of(layers: list[ET.Element]) -> str:
    props = {p.get("k"): p.get("v") for p in layers[0].findall("prop")}
    r, g, b, _ = (int(v) for v in props["color"].split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def _qgis_colours(group: dict, symbols: dict, values: list[float]) -> list[str]:
    out = []
    for v in values:
        hit = [r for r in group["rules"] if r["filter"] != "ELSE" and _matches(r["filter"], v)]
        if not hit:
            hit = [r for r in group["rules"] if r["filter"] == "ELSE"]
        assert len(hit) == 1, (v, hit)
        out.append(_fill_of(symbols[hit[0]["symbol"]]))
    return out


def _access_frame() -> gpd.GeoDataFrame:
    n = len(EDGE_VALUES)
    cells = [Point(400000 + 3000 * i, 200000).buffer(1000) for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "lsoa_code": [f"E0100{i:04d}" for i in range(n)],
            "pop_75plus": np.arange(n, dtype=float) * 10 + 50,
            "e2sfca_beds_per_1000_75plus": EDGE_VALUES,
            "minutes_to_nursing": [3.0, 10.0, 19.99, 20.0, 30.0, 44.9, 45.0, 200.0]
            + [np.nan] * (n - 8),
            "flagged": [False, True] * (n // 2),
            "reasons": ["", "far <b>"] * (n // 2),
        },
        geometry=cells,
        crs="EPSG:27700",
    )


def test_gpkg_styles_reproduce_the_map_classes_at_every_edge(tmp_path):
    out = write_table(_access_frame(), tmp_path / "gaps.gpkg")
    # Read back with plain sqlite3 and with pyogrio (as GDAL/QGIS see the table).
    with sqlite3.connect(out) as con:
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, styleName, useAsDefault FROM layer_styles"
        ).fetchall()
        registered = con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    assert registered == ("attributes",)
    assert [r[2] for r in rows] == [
        "geosuff gaps",
        "geosuff beds per 1,000 75+",
        "geosuff drive to nursing",
        "geosuff people aged 75+",
    ]
    assert {r[0] for r in rows} == {"gaps"} and {r[1] for r in rows} == {"geom"}
    assert [r[3] for r in rows] == [1, 0, 0, 0]
    via_gdal = pyogrio.read_dataframe(out, layer="layer_styles")
    assert len(via_gdal) == 4 and via_gdal["styleQML"].str.startswith("<!DOCTYPE qgis").all()
    styles = read_layer_styles(out)
    # Access classes: QGIS rules give every value the map's colour, edges included.
    groups, symbols = _qml_rules(styles.loc[1, "styleQML"])
    expected = access_classes().colour_of(EDGE_VALUES)
    assert _qgis_colours(groups[0], symbols, EDGE_VALUES) == expected
    assert expected[2] != expected[1] and expected[-2] == NO_DATA  # 40 is in the 40-80 class
    # Drive times: the map's minute classes.
    groups, symbols = _qml_rules(styles.loc[2, "styleQML"])
    minutes = _access_frame()["minutes_to_nursing"].tolist()
    unit = "Drive time to nearest nursing home bed, minutes"
    assert _qgis_colours(groups[0], symbols, minutes) == minutes_classes(unit).colour_of(minutes)
    # Gaps (default): the access fill, then flagged LSOAs outlined in the map's gap style.
    groups, symbols = _qml_rules(styles.loc[0, "styleQML"])
    assert [g["label"] for g in groups] == ["Care home beds per 1,000 aged 75+", "Gap LSOAs"]
    (flag_rule,) = groups[1]["rules"]
    assert flag_rule["filter"] == '"flagged"'
    _casing, line = symbols[flag_rule["symbol"]]
    line_props = {p.get("k"): p.get("v") for p in line.findall("prop")}
    assert line_props["style"] == "no"  # no fill: the classes keep their colours
    gap = OUTLINES["gap"].colour.lstrip("#")
    assert (
        line_props["outline_color"]
        == ",".join(str(int(gap[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"
    )
    assert int(line.get("pass")) > int(symbols["0"][0].get("pass"))  # drawn over the fills
    # SLD carries the same rules.
    sld = ET.fromstring(styles.loc[0, "styleSLD"])
    ns = {"se": "http://www.opengis.net/se"}
    assert len(sld.findall(".//se:Rule", ns)) == len(groups[0]["rules"]) + 1
    assert sld.find(".//se:ElseFilter", ns) is not None
    # The data layer reads back on its own.
    assert len(read_vector(out)) == len(EDGE_VALUES)


def test_rewriting_replaces_styles_and_points_get_none(tmp_path):
    path = tmp_path / "access.gpkg"
    write_table(_access_frame().drop(columns=["flagged", "reasons"]), path)
    write_table(_access_frame().drop(columns=["flagged", "reasons"]), path)
    styles = read_layer_styles(path)
    assert styles["styleName"].tolist()[0] == "geosuff beds per 1,000 75+"
    assert int(styles["useAsDefault"].sum()) == 1
    homes = fx.area_layers().care_homes
    write_table(homes[["provider_id", "beds", "geometry"]], tmp_path / "homes.gpkg")
    assert read_layer_styles(tmp_path / "homes.gpkg").empty


@pytest.mark.parametrize("command", ["access", "gaps"])
def test_cli_gpkg_outputs_open_with_styles(data_dir, tmp_path, command):
    out = tmp_path / f"rutland_{command}.gpkg"
    args = [command, "--area", "Rutland", "--data", str(data_dir), "--out", str(out)]
    if command == "gaps":
        args.append("--no-runs")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    styles = read_layer_styles(out)
    default = styles.loc[styles["useAsDefault"] == 1, "styleName"].tolist()
    assert default == ["geosuff gaps" if command == "gaps" else "geosuff beds per 1,000 75+"]
    table = read_vector(out)
    assert len(table) == 23
    groups, symbols = _qml_rules(styles.loc[styles["useAsDefault"] == 1, "styleQML"].iloc[0])
    values = pd.to_numeric(table["e2sfca_beds_per_1000_75plus"]).tolist()
    assert _qgis_colours(groups[0], symbols, values) == access_classes().colour_of(values)


QGIS_PYTHON = "/usr/bin/python3"
_QGIS_SCRIPT = r"""
import json, sys
from qgis.core import (QgsApplication, QgsExpressionContext, QgsExpressionContextUtils,
                       QgsRenderContext, QgsVectorLayer)
app = QgsApplication([], False); app.initQgis()
lyr = QgsVectorLayer(sys.argv[1] + "|layername=" + sys.argv[2], "t", "ogr")
msg, ok = lyr.loadDefaultStyle()
r = lyr.renderer()
ctx = QgsRenderContext()
ctx.setExpressionContext(QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(lyr)))
r.startRender(ctx, lyr.fields())
fills, gap = r.rootRule().children()
groups = [c.label() for c in r.rootRule().children()]
out = {"ok": ok, "type": r.type(), "groups": groups, "rows": []}
for f in lyr.getFeatures():
    ctx.expressionContext().setFeature(f)
    hit = [c for c in fills.children() if not c.isElse() and c.isFilterOK(f, ctx)]
    colour = hit[0].symbol().symbolLayer(0).color().name() if hit else "else"
    out["rows"].append([f["lsoa_code"], colour, gap.children()[0].isFilterOK(f, ctx)])
r.stopRender(ctx)
print(json.dumps(out))
"""


def _has_qgis() -> bool:
    import subprocess

    try:
        proc = subprocess.run(
            [QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


@pytest.mark.skipif(not _has_qgis(), reason="QGIS not installed (apt-get install python3-qgis)")
def test_qgis_itself_draws_the_map_classes(tmp_path):
    """QGIS opens the file with the default style and classifies every LSOA as the map does."""
    import json
    import os
    import subprocess

    frame = _access_frame()
    out = write_table(frame, tmp_path / "gaps.gpkg")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    proc = subprocess.run(
        [QGIS_PYTHON, "-c", _QGIS_SCRIPT, str(out), "gaps"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"] is True and result["type"] == "RuleRenderer"
    assert result["groups"] == ["Care home beds per 1,000 aged 75+", "Gap LSOAs"]
    expected = access_classes().colour_of(frame["e2sfca_beds_per_1000_75plus"])
    got = [row[1] for row in result["rows"]]
    assert got == [c if c != NO_DATA else "else" for c in expected]
    assert [row[2] for row in result["rows"]] == frame["flagged"].tolist()
