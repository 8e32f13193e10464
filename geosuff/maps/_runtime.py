"""The small JavaScript runtime every geosuff map carries (its style sheet: ``_runtime_css``).

All data-derived text reaches the page as JSON (with ``<``, ``>`` and ``&`` escaped)
and is put into the DOM with ``textContent`` only; names handed to Leaflet's layer
control (which writes HTML) are escaped first. A provider called
``<script>…</script>`` shows as text and never runs.
"""

from __future__ import annotations

from geosuff.maps._runtime_css import RUNTIME_CSS

__all__ = ["RUNTIME_CSS", "RUNTIME_JS"]

RUNTIME_JS = r"""
window.geosuff = (function () {
  "use strict";
  var gs = {layers: {}, legendEntries: []};
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  gs.el = el;

  function esc(text) {
    var d = document.createElement("div");
    d.textContent = String(text);
    return d.innerHTML;
  }
  gs.esc = esc;

  function narrow(map) {
    var size = map ? map.getSize() : {x: window.innerWidth, y: window.innerHeight};
    return size.x < 760 || size.y < 560;
  }
  gs.narrow = narrow;

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

  gs.panes = function (map) {
    // Outlines and providers draw above every shading, whichever shading is picked.
    [["gsOutlines", 450], ["gsPoints", 460]].forEach(function (p) {
      if (!map.getPane(p[0])) { map.createPane(p[0]).style.zIndex = String(p[1]); }
    });
    gs.renderers = {gsOutlines: L.canvas({pane: "gsOutlines", padding: 0.3}),
                    gsPoints: L.canvas({pane: "gsPoints", padding: 0.3})};
  };

  function paneOptions(pane) {
    if (!pane || !gs.renderers) { return {}; }
    return {pane: pane, renderer: gs.renderers[pane]};
  }

  gs.polygons = function (geo, o) {
    var where = paneOptions(o.pane);
    var casing = null;
    if (o.casing) {
      // Created (and so drawn) before the line it sets off.
      casing = L.geoJSON(geo, L.extend({
        style: function () {
          return {color: o.casing, weight: o.casingWeight, opacity: 0.85, fill: false};
        },
        interactive: false
      }, where));
    }
    var main = L.geoJSON(geo, L.extend({
      style: function (f) {
        var c = o.colour ? (f.properties.c || {})[o.colour] : null;
        return {
          color: o.stroke || "#444444", weight: o.weight === undefined ? 0.6 : o.weight,
          opacity: o.strokeOpacity === undefined ? 0.95 : o.strokeOpacity,
          dashArray: o.dash || null,
          lineCap: "round",
          fillColor: c || o.fill || "#000000",
          fillOpacity: c ? (o.fillOpacity === undefined ? 0.7 : o.fillOpacity)
                         : (o.fill ? (o.fillOpacity || 0.15) : 0)
        };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (o.label && !p.nl) {
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
    }, where));
    var layer = casing ? L.featureGroup([casing, main]) : main;
    return gs.register(o.name, layer, geo.features.length);
  };

  gs.points = function (rows, o) {
    var group = o.cluster
      ? L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 13,
                              showCoverageOnHover: false, chunkedLoading: true})
      : L.featureGroup();
    var markers = rows.map(function (r) {
      var m = L.circleMarker([r[0], r[1]], L.extend({
        radius: r[3], color: "#222222", weight: 1, fillColor: r[2], fillOpacity: 0.85
      }, paneOptions("gsPoints")));
      m.bindTooltip(el("span", null, r[4]));
      m.bindPopup(function () { return gs.panel(r[4], r[5], r[6]); }, {maxWidth: 340});
      m.gsTitle = r[4];
      return m;
    });
    if (group.addLayers) { group.addLayers(markers); }
    else { markers.forEach(function (m) { group.addLayer(m); }); }
    return gs.register(o.name, group, rows.length);
  };

  gs.labels = function (rows, o) {
    var group = L.layerGroup();
    var marks = rows.map(function (r) {
      var span = el("span", "gs-place gs-rank-" + r[3], r[2]);
      var icon = L.divIcon({className: "gs-place-icon", html: span, iconSize: null});
      var m = L.marker([r[0], r[1]], {icon: icon, interactive: false, keyboard: false});
      m.gsRank = r[3];
      m.gsName = r[2];
      return m;
    });
    function update() {
      var map = group._map;
      if (!map) { return; }
      var z = map.getZoom();
      marks.forEach(function (m) {
        var show = z >= (o.minZoom[String(m.gsRank)] || 0);
        if (show && !group.hasLayer(m)) { group.addLayer(m); }
        if (!show && group.hasLayer(m)) { group.removeLayer(m); }
      });
    }
    group.on("add", function () {
      group._map.on("zoomend", update);
      update();
    });
    group.on("remove", function () {
      if (group._map) { group._map.off("zoomend", update); }
    });
    group.gsNames = function () {
      return marks.filter(function (m) { return group.hasLayer(m); })
                  .map(function (m) { return m.gsName; });
    };
    return gs.register(o.name, group, rows.length);
  };

  function lineSwatch(st) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "36");
    svg.setAttribute("height", "16");
    svg.setAttribute("class", "gs-swatch-svg");
    svg.setAttribute("aria-hidden", "true");
    var bg = document.createElementNS(SVG, "rect");
    bg.setAttribute("width", "36");
    bg.setAttribute("height", "16");
    bg.setAttribute("fill", "#dcdcdc");
    svg.appendChild(bg);
    function line(colour, width, dash) {
      var l = document.createElementNS(SVG, "line");
      l.setAttribute("x1", "4"); l.setAttribute("x2", "32");
      l.setAttribute("y1", "8"); l.setAttribute("y2", "8");
      l.setAttribute("stroke", colour);
      l.setAttribute("stroke-width", String(width));
      l.setAttribute("stroke-linecap", "round");
      if (dash) { l.setAttribute("stroke-dasharray", dash); }
      svg.appendChild(l);
    }
    if (st.casing) { line(st.casing, st.casingWeight, null); }
    line(st.stroke, st.weight, st.dash);
    return svg;
  }

  function swatch(e, it) {
    if (e.shape === "line" && e.style) { return lineSwatch(e.style); }
    var sw = el("span", "gs-swatch" + (e.shape === "circle" ? " gs-circle" : ""));
    sw.style.background = it[0];
    if (it[2]) { sw.style.width = sw.style.height = (2 * it[2]) + "px"; }
    return sw;
  }

  gs.legend = function (map, entries) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = el("div", "gs-legend leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var head = el("button", "gs-legend-toggle", "Legend");
      head.type = "button";
      var body = el("div", "gs-legend-body");
      function setOpen(open) {
        body.style.display = open ? "" : "none";
        head.setAttribute("aria-expanded", open ? "true" : "false");
        div.classList.toggle("gs-collapsed", !open);
      }
      head.addEventListener("click", function () {
        setOpen(body.style.display === "none");
      });
      div.appendChild(head);
      div.appendChild(body);
      var sections = entries.map(function (e) {
        var s = el("div", "gs-legend-section");
        s.appendChild(el("div", "gs-legend-title", e.title));
        if (e.method) { s.appendChild(el("div", "gs-legend-method", e.method)); }
        e.items.forEach(function (it) {
          var row = el("div", "gs-legend-row");
          row.appendChild(swatch(e, it));
          row.appendChild(el("span", null, it[1]));
          s.appendChild(row);
        });
        body.appendChild(s);
        return {section: s, layer: e.layer ? (gs.layers[e.layer] || {}).layer : null};
      });
      function refresh() {
        sections.forEach(function (s) {
          s.section.style.display = (!s.layer || map.hasLayer(s.layer)) ? "" : "none";
        });
      }
      map.on("overlayadd overlayremove baselayerchange", refresh);
      refresh();
      setOpen(!narrow(map));
      gs.legendOpen = setOpen;
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
      var facts = el("div", "gs-facts");
      (info.facts || []).forEach(function (f) {
        var row = el("div", "gs-fact");
        row.appendChild(el("span", "gs-fact-k", f[0]));
        row.appendChild(el("span", "gs-fact-v", f[1]));
        facts.appendChild(row);
      });
      div.appendChild(facts);
      var details = el("details");
      details.open = !!info.open;
      details.appendChild(el("summary", null, "More about this map"));
      var ul = el("ul");
      info.lines.forEach(function (line) { ul.appendChild(el("li", null, line)); });
      details.appendChild(ul);
      div.appendChild(details);
      return div;
    };
    ctl.addTo(map);
    gs.titleControl = ctl;
    return ctl;
  };

  gs.controls = function (map, spec) {
    var bases = {}, overlays = {}, anyBase = false;
    spec.bases.forEach(function (n) {
      var l = (gs.layers[n] || {}).layer;
      if (l) { bases[esc(n)] = l; anyBase = anyBase || map.hasLayer(l); }
    });
    if (spec.bases.length) {
      var none = L.layerGroup();
      bases[esc(spec.none)] = none;
      if (!anyBase) { none.addTo(map); }
    }
    spec.overlays.forEach(function (n) {
      var l = (gs.layers[n] || {}).layer;
      if (l) { overlays[esc(n)] = l; }
    });
    var ctl = L.control.layers(bases, overlays, {collapsed: narrow(map), position: "topright",
                                                 sortLayers: false});
    ctl.addTo(map);
    var box = ctl.getContainer();
    var baseList = box.querySelector(".leaflet-control-layers-base");
    var overList = box.querySelector(".leaflet-control-layers-overlays");
    if (baseList && spec.bases.length) {
      var head = el("div", "gs-ctl-head", "Shading: one at a time");
      baseList.parentNode.insertBefore(head, baseList);
    }
    if (overList && spec.overlays.length) {
      overList.parentNode.insertBefore(el("div", "gs-ctl-head", "Outlines, places, providers"),
                                       overList);
    }
    gs.layerControl = ctl;
    return ctl;
  };

  gs.padding = function (map) {
    var size = map.getSize();
    var box = map.getContainer().getBoundingClientRect();
    var pad = {l: 0, r: 0, t: 0, b: 0};
    var nodes = map.getContainer().querySelectorAll(".leaflet-control-container .leaflet-control");
    Array.prototype.forEach.call(nodes, function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      var left = r.left - box.left < size.x / 2;
      var top = r.top - box.top < size.y / 2;
      var across = (left ? r.right - box.left : box.right - r.left) + 8;
      var down = (top ? r.bottom - box.top : box.bottom - r.top) + 8;
      if (across / size.x <= down / size.y) {
        if (left) { pad.l = Math.max(pad.l, across); } else { pad.r = Math.max(pad.r, across); }
      } else if (top) { pad.t = Math.max(pad.t, down); } else { pad.b = Math.max(pad.b, down); }
    });
    var sx = Math.min(1, 0.7 * size.x / Math.max(pad.l + pad.r, 1));
    var sy = Math.min(1, 0.7 * size.y / Math.max(pad.t + pad.b, 1));
    return {paddingTopLeft: [pad.l * sx, pad.t * sy], paddingBottomRight: [pad.r * sx, pad.b * sy]};
  };

  function overlap(a, b) {
    if (!a || !b) { return false; }
    var r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
    return r.width && s.width && r.left < s.right && s.left < r.right &&
           r.top < s.bottom && s.top < r.bottom;
  }

  gs.declutter = function (map) {
    // When the layer list and the legend would cover each other, move the legend to the
    // bottom left (under the title block, shortened to the room there and scrolling) if
    // at least 160 px are free; in a short map (a report, a small window) fold the
    // legend, then the layer list, rather than let them overlap.
    var layers = gs.layerControl && gs.layerControl.getContainer();
    var legend = gs.legendControl && gs.legendControl.getContainer();
    var title = gs.titleControl && gs.titleControl.getContainer();
    if (legend) { legend.style.maxHeight = ""; }
    if (overlap(layers, legend) && !narrow(map)) {
      gs.legendControl.setPosition("bottomleft");
      legend = gs.legendControl.getContainer();
      if (overlap(legend, title)) {
        // Shorten it to the room under the title block (it scrolls), if that is enough.
        var room = legend.getBoundingClientRect().bottom -
                   title.getBoundingClientRect().bottom - 10;
        if (room >= 160) {
          legend.style.boxSizing = "border-box";
          legend.style.maxHeight = Math.floor(room) + "px";
        } else {
          gs.legendControl.setPosition("bottomright");
          legend = gs.legendControl.getContainer();
        }
      }
    }
    if (overlap(layers, legend) && gs.legendOpen) { gs.legendOpen(false); }
    if (overlap(layers, legend) && gs.layerControl) { gs.layerControl.collapse(); }
  };

  gs.frame = function (map, bounds) {
    var b = L.latLngBounds(bounds);
    gs.declutter(map);
    var p = gs.padding(map);
    p.maxZoom = 15;
    map.fitBounds(b, p);
    gs.frameBounds = b;
  };

  return gs;
})();
"""
