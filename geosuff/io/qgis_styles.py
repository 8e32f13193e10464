"""QGIS layer styles for GeoPackage outputs, with the map's own classes and colours.

A GeoPackage written by ``geosuff supply``, ``access`` or ``gaps`` carries a
``layer_styles`` table (the convention QGIS reads and writes: one row per style, QML
and SLD, one marked as the default), so a GIS officer opening the file in QGIS sees
what the commissioner saw on the map: the same class breaks (from
:mod:`geosuff._palettes`), the same colours, gap LSOAs outlined in magenta with no fill.

Which styles a layer gets follows from its columns:

* ``e2sfca_beds_per_1000_75plus`` (access, gaps) or ``beds_per_1000_75plus`` (supply):
  care home beds per 1,000 aged 75+, breaks around the benchmark (default style);
* ``home_care_minutes_per_visit`` (access, gaps, ``runs --by lsoa``): care-worker
  travel per visit, the map's classes (after the beds style; a gaps file keeps the
  gap outlines as its default);
* ``minutes_to_home_care``, ``minutes_to_nursing``: drive-time classes;
* ``pop_75plus``: quantile classes of people aged 75+;
* ``flagged`` (gaps): the access fill with flagged LSOAs outlined on top (default).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import pandas as pd

from geosuff._palettes import (
    NO_DATA,
    NO_DATA_LABEL,
    OUTLINES,
    Classification,
    access_classes,
    minutes_classes,
    pop75_classes,
    travel_per_visit_classes,
)
from geosuff.io._style_xml import FillRule, RuleGroup, Style, to_qml, to_sld

__all__ = [
    "add_layer_styles",
    "classes_group",
    "read_layer_styles",
    "styles_for_table",
    "write_layer_styles",
]

log = logging.getLogger(__name__)

_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  f_table_catalog TEXT(256),
  f_table_schema TEXT(256),
  f_table_name TEXT(256),
  f_geometry_column TEXT(256),
  styleName TEXT(30),
  styleQML TEXT,
  styleSLD TEXT,
  useAsDefault BOOLEAN,
  description TEXT,
  owner TEXT(30),
  ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""

#: Care-worker travel per visit, minutes (the map's "travel" shading).
_TRAVEL = "home_care_minutes_per_visit"

_DRIVE = {
    "minutes_to_home_care": "Drive time to nearest home care agency, minutes",
    "minutes_to_nursing": "Drive time to nearest nursing home bed, minutes",
}


def classes_group(column: str, classes: Classification) -> RuleGroup:
    """Return the fill rules of a classification on a column, plus a "no data" rule.

    Parameters
    ----------
    column
        The classified column.
    classes
        The classes (as on the map).

    Returns
    -------
    RuleGroup
        One rule per class (the first open below, the last open above) and an else rule.
    """
    n = len(classes.colours)
    rules = []
    for i, (colour, label) in enumerate(zip(classes.colours, classes.labels, strict=True)):
        lower = None if i == 0 else classes.edges[i]
        upper = None if i == n - 1 or math.isinf(classes.edges[i + 1]) else classes.edges[i + 1]
        rules.append(FillRule(label, column, lower, upper, fill=colour))
    rules.append(FillRule(NO_DATA_LABEL, fill=NO_DATA, else_rule=True))
    return RuleGroup(classes.unit, tuple(rules))


def _gap_group(flag_column: str) -> RuleGroup:
    rule = FillRule("flagged gap LSOA (outline only)", flag_column, flag=True, line=OUTLINES["gap"])
    return RuleGroup("Gap LSOAs", (rule,))


def styles_for_table(
    df: pd.DataFrame,
    *,
    access_edges: Sequence[float] | None = None,
    travel_edges: Sequence[float] | None = None,
) -> list[Style]:
    """Return the QGIS styles that suit a table, from its columns (see the module notes).

    Parameters
    ----------
    df
        The table as written (polygon geometry).
    access_edges
        Class edges of beds per 1,000 aged 75+ (default: around the benchmark, as on
        the map).
    travel_edges
        Class edges of care-worker travel per visit, minutes (default: the map's).

    Returns
    -------
    list of Style
        Styles in order of preference; exactly one is the default when any apply.
    """
    beds = next(
        (c for c in ("e2sfca_beds_per_1000_75plus", "beds_per_1000_75plus") if c in df.columns),
        None,
    )
    styles: list[Style] = []
    beds_group = classes_group(beds, access_classes(access_edges)) if beds else None
    if "flagged" in df.columns:
        groups = (beds_group, _gap_group("flagged")) if beds_group else (_gap_group("flagged"),)
        styles.append(
            Style(
                "geosuff gaps",
                "Gap LSOAs outlined over care home beds per 1,000 aged 75+ (as on the map)",
                tuple(groups),
            )
        )
    if beds_group is not None:
        what = "E2SFCA access" if beds.startswith("e2sfca") else "supply"
        styles.append(
            Style(
                "geosuff beds per 1,000 75+",
                f"Care home beds per 1,000 aged 75+ ({what}); breaks around the benchmark",
                (beds_group,),
            )
        )
    if _has_values(df, _TRAVEL):
        classes = (
            travel_per_visit_classes(travel_edges) if travel_edges else travel_per_visit_classes()
        )
        styles.append(
            Style(
                "geosuff travel per visit",
                "Care-worker travel per visit (drive, parking and walking), minutes: the "
                "travel model's simulated rounds, classes as on the map",
                (classes_group(_TRAVEL, classes),),
            )
        )
    for col, unit in _DRIVE.items():
        if col in df.columns and pd.to_numeric(df[col], errors="coerce").notna().any():
            short = "home care" if "home_care" in col else "nursing"
            styles.append(
                Style(
                    f"geosuff drive to {short}",
                    unit,
                    (classes_group(col, minutes_classes(unit)),),
                )
            )
    if "pop_75plus" in df.columns:
        styles.append(
            Style(
                "geosuff people aged 75+",
                "People aged 75+, quantile classes of this table's rows",
                (classes_group("pop_75plus", pop75_classes(df["pop_75plus"])),),
            )
        )
    if styles:
        styles[0] = Style(styles[0].name, styles[0].description, styles[0].groups, default=True)
    return styles


def _has_values(df: pd.DataFrame, column: str) -> bool:
    """Whether *df* has *column* with at least one number."""
    return column in df.columns and bool(pd.to_numeric(df[column], errors="coerce").notna().any())


def _timestamp() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def write_layer_styles(
    path: str | os.PathLike[str], layer: str, styles: Sequence[Style], *, geometry_column: str
) -> int:
    """Store styles for one layer in a GeoPackage's ``layer_styles`` table.

    The table is created and registered in ``gpkg_contents`` when missing; styles
    already stored for *layer* are replaced.

    Parameters
    ----------
    path
        The GeoPackage.
    layer
        The layer (table) name.
    styles
        The styles (:func:`styles_for_table`).
    geometry_column
        The layer's geometry column.

    Returns
    -------
    int
        Number of styles written.
    """
    with closing(sqlite3.connect(Path(path))) as con, con:
        con.execute(_CREATE)
        registered = con.execute(
            "SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
        if registered is None:
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change, srs_id) VALUES ('layer_styles', 'attributes', 'layer_styles', "
                "'QGIS layer styles written by geosuff', ?, 0)",
                (_timestamp(),),
            )
        con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
        for style in styles:
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, 'geosuff', '', ?)",
                (
                    layer,
                    geometry_column,
                    style.name[:30],
                    to_qml(style),
                    to_sld(style, layer),
                    1 if style.default else 0,
                    style.description,
                    _timestamp(),
                ),
            )
    return len(styles)


def add_layer_styles(path: str | os.PathLike[str], layer: str, df: pd.DataFrame) -> int:
    """Write the styles that suit a polygon table into the GeoPackage it was written to.

    Parameters
    ----------
    path
        The GeoPackage just written.
    layer
        The layer name.
    df
        The table written (a GeoDataFrame; other geometry types get no style).

    Returns
    -------
    int
        Number of styles written (0 when none apply).
    """
    geometry = getattr(df, "geometry", None)
    if geometry is None or df.empty:
        return 0
    kinds = set(geometry.geom_type.dropna())
    if not kinds or not kinds <= {"Polygon", "MultiPolygon"}:
        return 0
    styles = styles_for_table(df)
    if not styles:
        return 0
    written = write_layer_styles(path, layer, styles, geometry_column=_geometry_column(path, layer))
    log.debug("%s: %d QGIS layer styles for %s", path, written, layer)
    return written


def _geometry_column(path: str | os.PathLike[str], layer: str) -> str:
    with closing(sqlite3.connect(Path(path))) as con:
        row = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
        ).fetchone()
    return str(row[0]) if row else "geom"


def read_layer_styles(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the ``layer_styles`` table of a GeoPackage (empty when it has none).

    Parameters
    ----------
    path
        The GeoPackage.

    Returns
    -------
    pandas.DataFrame
        ``f_table_name``, ``f_geometry_column``, ``styleName``, ``styleQML``,
        ``styleSLD``, ``useAsDefault``, ``description``.
    """
    cols = (
        "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description"
    )
    with closing(sqlite3.connect(Path(path))) as con:
        exists = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'"
        ).fetchone()
        if exists is None:
            return pd.DataFrame(columns=[c.strip() for c in cols.split(",")])
        return pd.read_sql_query(f"SELECT {cols} FROM layer_styles ORDER BY id", con)
