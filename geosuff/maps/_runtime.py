"""The small JavaScript runtime and style sheet every geosuff map carries.

All data-derived text reaches the page as JSON (with ``<``, ``>`` and ``&`` escaped)
and is put into the DOM with ``textContent`` only, so a provider called
``<script>…</script>`` shows as text and never runs.
"""

from __future__ import annotations

__all__ = ["RUNTIME_CSS", "RUNTIME_JS"]

RUNTIME_JS = r"""
window.geosuff = (function () {
  "use strict";
  var gs = {layers: {}, legendEntries: []};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  gs.el = el;

  gs.panel = function (title, rows, source) {
    var div = el("div", "gs-popup");
    div.appendChild(el("div", "gs-popup-title", title));
    var table = el("table");
    (rows || []).forEach(function (r) {
      var tr = table.insertRow();
      tr.appendChild(el("th", null, r[0]));
      tr.appendChild(el("td", null, r[1]));
    });
    div.appendChild(table);
    if (source) { div.appendChild(el("div", "gs-source", source)); }
    return div;
  };

  gs.register = function (name, layer, count) {
    gs.layers[name] = {layer: layer, count: count};
    return layer;
  };

  gs.polygons = function (geo, o) {
    var layer = L.geoJSON(geo, {
      style: function (f) {
        var c = o.colour ? (f.properties.c || {})[o.colour] : null;
        return {
          color: o.stroke || "#444444", weight: o.weight === undefined ? 0.6 : o.weight,
          opacity: o.strokeOpacity === undefined ? 0.9 : o.strokeOpacity,
          dashArray: o.dash || null,
          fillColor: c || o.fill || "#000000",
          fillOpacity: c ? (o.fillOpacity === undefined ? 0.7 : o.fillOpacity)
                         : (o.fill ? (o.fillOpacity || 0.15) : 0)
        };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (o.label) {
          l.bindTooltip(el("span", null, p.t), {permanent: true, direction: "center",
                                                className: "gs-label"});
        } else {
          l.bindTooltip(el("span", null, p.t), {sticky: true});
        }
        if (!o.noPopup) {
          l.bindPopup(function () {
            var r = p.r || {};
            var rows = (r.base || []).concat(r[o.rows] || []);
            return gs.panel(p.t, rows, o.source);
          }, {maxWidth: 340});
        }
      },
      interactive: !o.label || !o.noPopup
    });
    return gs.register(o.name, layer, geo.features.length);
  };

  gs.points = function (rows, o) {
    var group = o.cluster
      ? L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 13,
                              showCoverageOnHover: false, chunkedLoading: true})
      : L.featureGroup();
    var markers = rows.map(function (r) {
      var m = L.circleMarker([r[0], r[1]], {
        radius: r[3], color: "#222222", weight: 1, fillColor: r[2], fillOpacity: 0.85
      });
      m.bindTooltip(el("span", null, r[4]));
      m.bindPopup(function () { return gs.panel(r[4], r[5], r[6]); }, {maxWidth: 340});
      m.gsTitle = r[4];
      return m;
    });
    if (group.addLayers) { group.addLayers(markers); }
    else { markers.forEach(function (m) { group.addLayer(m); }); }
    return gs.register(o.name, group, rows.length);
  };

  gs.legend = function (map, entries) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = el("div", "gs-legend leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var sections = entries.map(function (e) {
        var s = el("div", "gs-legend-section");
        s.appendChild(el("div", "gs-legend-title", e.title));
        if (e.method) { s.appendChild(el("div", "gs-legend-method", e.method)); }
        e.items.forEach(function (it) {
          var row = el("div", "gs-legend-row");
          var sw = el("span", "gs-swatch" + (e.shape === "circle" ? " gs-circle" : "")
                              + (e.shape === "line" ? " gs-line" : ""));
          if (e.shape === "line") { sw.style.borderColor = it[0]; }
          else { sw.style.background = it[0]; }
          if (it[2]) { sw.style.width = sw.style.height = (2 * it[2]) + "px"; }
          row.appendChild(sw);
          row.appendChild(el("span", null, it[1]));
          s.appendChild(row);
        });
        div.appendChild(s);
        return {section: s, layer: e.layer ? (gs.layers[e.layer] || {}).layer : null};
      });
      function refresh() {
        sections.forEach(function (s) {
          s.section.style.display = (!s.layer || map.hasLayer(s.layer)) ? "" : "none";
        });
      }
      map.on("overlayadd overlayremove", refresh);
      refresh();
      return div;
    };
    ctl.addTo(map);
    gs.legendControl = ctl;
    return ctl;
  };

  gs.title = function (map, info) {
    var ctl = L.control({position: "topleft"});
    ctl.onAdd = function () {
      var div = el("div", "gs-title leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      div.appendChild(el("div", "gs-title-main", info.title));
      if (info.subtitle) { div.appendChild(el("div", "gs-title-sub", info.subtitle)); }
      var details = el("details");
      details.open = !!info.open;
      details.appendChild(el("summary", null, "About this map"));
      var ul = el("ul");
      info.lines.forEach(function (line) { ul.appendChild(el("li", null, line)); });
      details.appendChild(ul);
      div.appendChild(details);
      return div;
    };
    ctl.addTo(map);
    return ctl;
  };

  return gs;
})();
"""

RUNTIME_CSS = """
<style>
.gs-popup { font: 12px/1.35 system-ui, sans-serif; }
.gs-popup-title { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.gs-popup table { border-collapse: collapse; }
.gs-popup th { text-align: left; font-weight: normal; color: #555; padding: 1px 8px 1px 0;
  vertical-align: top; }
.gs-popup td { padding: 1px 0; }
.gs-source { margin-top: 4px; color: #666; font-size: 11px; }
.gs-legend, .gs-title { background: rgba(255,255,255,0.93); padding: 6px 8px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35);
  font: 12px/1.3 system-ui, sans-serif; }
.gs-legend { max-height: 38vh; max-width: 260px; overflow-y: auto; }
.gs-legend-section + .gs-legend-section { margin-top: 6px; }
.gs-legend-title { font-weight: 600; }
.gs-legend-method { color: #555; font-size: 11px; margin-bottom: 2px; }
.gs-legend-row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.gs-swatch { display: inline-block; width: 16px; height: 12px; border: 1px solid #555;
  flex: none; }
.gs-swatch.gs-circle { border-radius: 50%; }
.gs-swatch.gs-line { background: transparent; border-width: 2px; border-style: solid; }
.gs-title { max-width: 340px; max-height: 40vh; overflow-y: auto; }
.gs-title-main { font-size: 15px; font-weight: 600; }
.gs-title-sub { color: #333; margin-top: 2px; }
.gs-title ul { margin: 4px 0 0 0; padding-left: 16px; }
.gs-label { background: rgba(255,255,255,0.75); border: none; box-shadow: none;
  font-weight: 600; color: #222; }
.leaflet-control-layers-expanded { max-height: 48vh; max-width: 300px; overflow-y: auto; }
.leaflet-control-layers label { white-space: normal; }
.leaflet-control-attribution { max-width: 60vw; }
</style>
"""
