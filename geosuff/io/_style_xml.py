"""QGIS style documents (QML) and OGC SLD 1.1 for rule-based polygon styles.

A style is a list of rule groups; each group is a set of rules (a filter, a label and
a fill or an outline) with an optional "else" rule for values in no class (missing,
"insufficient data"). Rules reproduce geosuff's classes exactly: a value ``v`` is in
class ``i`` when ``edges[i] <= v < edges[i + 1]``, the first class also takes values
below its lower edge and the last values above its upper edge.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from geosuff._palettes import LineStyle

__all__ = ["FillRule", "RuleGroup", "Style", "to_qml", "to_sld"]

#: Millimetres per screen pixel (96 dpi), for line widths in QGIS.
MM_PER_PX = 0.26
_NS = {
    "sld": "http://www.opengis.net/sld",
    "se": "http://www.opengis.net/se",
    "ogc": "http://www.opengis.net/ogc",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


@dataclass(frozen=True)
class FillRule:
    """One rule: which features (a range of a column, a true flag, or "else") and how.

    Attributes
    ----------
    label
        Legend label.
    column
        The column tested (``None`` for an else rule).
    lower, upper
        Range ``lower <= value < upper``; ``None`` for an open end.
    flag
        Test ``column = 1`` (a true flag) instead of a range.
    fill
        Fill colour, or ``None`` for no fill.
    fill_opacity
        Fill opacity 0..1.
    line
        Outline drawn with this style (``None``: a thin grey edge).
    else_rule
        Matches the features no sibling rule matched.
    """

    label: str
    column: str | None = None
    lower: float | None = None
    upper: float | None = None
    flag: bool = False
    fill: str | None = None
    fill_opacity: float = 0.7
    line: LineStyle | None = None
    else_rule: bool = False

    def expression(self) -> str:
        """Return the QGIS expression selecting this rule's features."""
        if self.else_rule:
            return "ELSE"
        col = '"' + str(self.column).replace('"', '""') + '"'
        if self.flag:  # true for a Boolean field and for an integer 1 alike
            return col
        parts = []
        if self.lower is not None:
            parts.append(f"{col} >= {self.lower:.10g}")
        if self.upper is not None:
            parts.append(f"{col} < {self.upper:.10g}")
        if not parts:
            parts.append(f"{col} IS NOT NULL")
        return " AND ".join(parts)


@dataclass(frozen=True)
class RuleGroup:
    """Rules drawn together; an else rule applies within its group only."""

    title: str
    rules: tuple[FillRule, ...]


@dataclass(frozen=True)
class Style:
    """A named layer style: rule groups drawn in order (later groups on top).

    Attributes
    ----------
    name
        Style name shown in QGIS (at most 30 characters).
    description
        What it shows and where its classes come from.
    groups
        The rule groups.
    default
        Whether QGIS applies it when the layer is opened.
    """

    name: str
    description: str
    groups: tuple[RuleGroup, ...] = field(default_factory=tuple)
    default: bool = False


def _rgba(colour: str, alpha: float = 1.0) -> str:
    c = colour.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _key(*parts: object) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "geosuff/" + "/".join(map(str, parts)))) + "}"


def _fill_layer(
    parent: ET.Element, *, fill: str | None, alpha: float, outline: str, width_mm: float, dash: str
) -> ET.Element:
    layer = ET.SubElement(
        parent, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"}
    )
    props = {
        "color": _rgba(fill, alpha) if fill else "0,0,0,0",
        "style": "solid" if fill else "no",
        "outline_color": outline,
        "outline_style": dash,
        "outline_width": f"{width_mm:.3f}",
        "outline_width_unit": "MM",
        "joinstyle": "round",
    }
    for k, v in props.items():
        ET.SubElement(layer, "prop", {"k": k, "v": v})
    return layer


def _qml_symbol(symbols: ET.Element, name: str, rule: FillRule, level: int) -> None:
    symbol = ET.SubElement(
        symbols,
        "symbol",
        {"type": "fill", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    line = rule.line
    if line is None:
        _fill_layer(
            symbol,
            fill=rule.fill,
            alpha=rule.fill_opacity,
            outline="68,68,68,255",
            width_mm=0.1,
            dash="solid",
        ).set("pass", str(level))
        return
    dash = "solid" if line.dash is None else ("dot" if line.round_caps else "dash")
    if line.casing_colour:
        _fill_layer(
            symbol,
            fill=None,
            alpha=0,
            outline=_rgba(line.casing_colour, 0.85),
            width_mm=line.casing_weight_px * MM_PER_PX,
            dash="solid",
        ).set("pass", str(level))
    _fill_layer(
        symbol,
        fill=rule.fill,
        alpha=rule.fill_opacity,
        outline=_rgba(line.colour),
        width_mm=line.weight_px * MM_PER_PX,
        dash=dash,
    ).set("pass", str(level + 1))


def to_qml(style: Style) -> str:
    """Return the style as a QGIS QML document (rule-based renderer, symbol levels on).

    Parameters
    ----------
    style
        The style.

    Returns
    -------
    str
        QML text.
    """
    root = ET.Element("qgis", {"version": "3.28.0-Firenze", "styleCategories": "Symbology"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "RuleRenderer", "symbollevels": "1", "forceraster": "0", "enableorderby": "0"},
    )
    rules = ET.SubElement(renderer, "rules", {"key": _key(style.name, "root")})
    symbols = ET.SubElement(renderer, "symbols")
    n = 0
    for g, group in enumerate(style.groups):
        node = ET.SubElement(rules, "rule", {"key": _key(style.name, g), "label": group.title})
        for i, rule in enumerate(group.rules):
            ET.SubElement(
                node,
                "rule",
                {
                    "key": _key(style.name, g, i),
                    "filter": rule.expression(),
                    "symbol": str(n),
                    "label": rule.label,
                },
            )
            _qml_symbol(symbols, str(n), rule, level=2 * g)
            n += 1
    ET.SubElement(root, "layerGeometryType").text = "2"
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    ns, name = tag.split(":")
    node = ET.SubElement(parent, f"{{{_NS[ns]}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _sld_filter(rule_node: ET.Element, rule: FillRule) -> None:
    if rule.else_rule:
        _se(rule_node, "se:ElseFilter")
        return
    filt = _se(rule_node, "ogc:Filter")
    tests: list[tuple[str, float | int]] = []
    if rule.flag:
        tests.append(("PropertyIsEqualTo", 1))
    else:
        if rule.lower is not None:
            tests.append(("PropertyIsGreaterThanOrEqualTo", rule.lower))
        if rule.upper is not None:
            tests.append(("PropertyIsLessThan", rule.upper))
    parent = _se(filt, "ogc:And") if len(tests) > 1 else filt
    if not tests:
        null = _se(_se(parent, "ogc:Not"), "ogc:PropertyIsNull")
        _se(null, "ogc:PropertyName", str(rule.column))
    for op, value in tests:
        node = _se(parent, f"ogc:{op}")
        _se(node, "ogc:PropertyName", str(rule.column))
        _se(node, "ogc:Literal", f"{value:.10g}")


def _sld_stroke(parent: ET.Element, colour: str, width_px: float, dash: str | None) -> None:
    stroke = _se(parent, "se:Stroke")
    _se(stroke, "se:SvgParameter", colour, name="stroke")
    _se(stroke, "se:SvgParameter", f"{width_px:g}", name="stroke-width")
    _se(stroke, "se:SvgParameter", "round", name="stroke-linejoin")
    if dash:
        _se(stroke, "se:SvgParameter", dash.replace("0.1 ", "1 "), name="stroke-dasharray")


def to_sld(style: Style, layer: str) -> str:
    """Return the style as an OGC SLD 1.1 document (one feature type style per group).

    Parameters
    ----------
    style
        The style.
    layer
        The layer name.

    Returns
    -------
    str
        SLD text.
    """
    for prefix, uri in _NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(
        f"{{{_NS['sld']}}}StyledLayerDescriptor",
        {
            "version": "1.1.0",
            f"{{{_NS['xsi']}}}schemaLocation": (
                "http://www.opengis.net/sld "
                "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"
            ),
        },
    )
    named = _se(root, "sld:NamedLayer")
    _se(named, "se:Name", layer)
    user = _se(named, "sld:UserStyle")
    _se(user, "se:Name", style.name)
    for group in style.groups:
        fts = _se(user, "se:FeatureTypeStyle")
        for rule in group.rules:
            node = _se(fts, "se:Rule")
            _se(node, "se:Name", rule.label)
            _se(_se(node, "se:Description"), "se:Title", f"{group.title}: {rule.label}")
            _sld_filter(node, rule)
            sym = _se(node, "se:PolygonSymbolizer")
            if rule.fill:
                fill = _se(sym, "se:Fill")
                _se(fill, "se:SvgParameter", rule.fill, name="fill")
                _se(fill, "se:SvgParameter", f"{rule.fill_opacity:g}", name="fill-opacity")
            if rule.line is None:
                _sld_stroke(sym, "#444444", 0.4, None)
                continue
            if rule.line.casing_colour:
                casing = _se(node, "se:PolygonSymbolizer")
                _sld_stroke(casing, rule.line.casing_colour, rule.line.casing_weight_px, None)
                node.remove(casing)
                node.insert(list(node).index(sym), casing)
            _sld_stroke(sym, rule.line.colour, rule.line.weight_px, rule.line.dash)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)
