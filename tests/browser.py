"""Headless Chromium for map tests: probe a page's state and take screenshots.

The page is copied with two scripts added: one first in <head> recording script errors
(window.onerror, unhandled rejections, console.error), and one at the end that waits
for the map, reads Leaflet, the layer control and the runtime's layer registry, opens
the popups of suspicious markers, and writes the result as JSON into the DOM, which
``--dump-dom`` prints. No network, no extra Python packages.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np

CHROMIUM = os.environ.get("GEOSUFF_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
    "--mute-audio",
]

_ERRORS = """<script>
window.__gsErrors = [];
window.__gsResourceErrors = [];
window.addEventListener("error", function (e) {
  if (e instanceof ErrorEvent) { window.__gsErrors.push("error: " + e.message); }
  else { window.__gsResourceErrors.push((e.target && e.target.tagName) || "?"); }
}, true);
window.addEventListener("unhandledrejection", function (e) {
  window.__gsErrors.push("rejection: " + String(e.reason));
});
(function () {
  var orig = console.error;
  console.error = function () {
    window.__gsErrors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return orig.apply(console, arguments);
  };
})();
</script>"""

_PROBE = """<script>
setTimeout(function () {
  var out = {errors: window.__gsErrors || [], counts: {}, control: [], popups: []};
  try {
    out.leaflet = typeof window.L === "object" && typeof L.map === "function";
    out.leafletVersion = window.L ? L.version : null;
    out.markercluster = !!(window.L && L.markerClusterGroup);
    out.fullscreen = !!document.querySelector(".leaflet-control-zoom-fullscreen");
    out.scale = !!document.querySelector(".leaflet-control-scale");
    out.legend = document.querySelectorAll(".gs-legend-section").length;
    out.title = (document.querySelector(".gs-title") || {}).textContent || "";
    out.attribution = (document.querySelector(".leaflet-control-attribution") || {})
      .textContent || "";
    document.querySelectorAll(".leaflet-control-layers-overlays label").forEach(function (l) {
      out.control.push(l.textContent.trim());
    });
    out.bases = [];
    document.querySelectorAll(".leaflet-control-layers-base label").forEach(function (l) {
      out.bases.push(l.textContent.trim());
    });
    var gs = window.geosuff;
    out.on = [];
    Object.keys(gs.layers).forEach(function (k) {
      out.counts[k] = gs.layers[k].count;
      if (gs.map.hasLayer(gs.layers[k].layer)) { out.on.push(k); }
    });
    out.facts = [];
    document.querySelectorAll(".gs-fact").forEach(function (f) {
      out.facts.push([f.children[0].textContent, f.children[1].textContent]);
    });
    out.legendTitles = [];
    document.querySelectorAll(".gs-legend-section").forEach(function (s) {
      if (s.style.display !== "none") {
        out.legendTitles.push(s.querySelector(".gs-legend-title").textContent);
      }
    });
    out.lineSwatches = [];
    document.querySelectorAll(".gs-swatch-svg").forEach(function (svg) {
      var lines = svg.querySelectorAll("line");
      var top = lines[lines.length - 1];
      out.lineSwatches.push([top.getAttribute("stroke"), top.getAttribute("stroke-width"),
                             top.getAttribute("stroke-dasharray")]);
    });
    out.zoom = gs.map.getZoom();
    out.size = [gs.map.getSize().x, gs.map.getSize().y];
    out.padding = gs.padding(gs.map);
    out.places = [];
    document.querySelectorAll(".gs-place").forEach(function (p) {
      out.places.push(p.textContent);
    });
    out.legendOpen = !document.querySelector(".gs-legend.gs-collapsed");
    var rects = [".gs-legend", ".gs-title", ".leaflet-control-layers"].map(function (s) {
      var e = document.querySelector(s);
      return e ? e.getBoundingClientRect() : null;
    });
    out.legendOverlaps = [1, 2].filter(function (i) {
      var a = rects[0], b = rects[i];
      return a && b && a.left < b.right && b.left < a.right && a.top < b.bottom &&
             b.top < a.bottom;
    }).map(function (i) { return ["title", "layers"][i - 1]; });
    out.controlExpanded = !!document.querySelector(".leaflet-control-layers-expanded");
    var focusName = Object.keys(gs.layers).filter(function (k) {
      return k.indexOf("Focus:") === 0;
    })[0];
    if (focusName) {
      var fb = gs.layers[focusName].layer.getBounds();
      var nw = gs.map.latLngToContainerPoint(fb.getNorthWest());
      var se = gs.map.latLngToContainerPoint(fb.getSouthEast());
      var box = gs.map.getContainer().getBoundingClientRect();
      var focus = {l: box.left + nw.x, t: box.top + nw.y, r: box.left + se.x, b: box.top + se.y};
      out.focusCovered = [];
      var controls = ".leaflet-control-container .leaflet-control";
      document.querySelectorAll(controls).forEach(function (c) {
        var r = c.getBoundingClientRect();
        var w = Math.min(r.right, focus.r) - Math.max(r.left, focus.l);
        var h = Math.min(r.bottom, focus.b) - Math.max(r.top, focus.t);
        if (w > 1 && h > 1) {
          out.focusCovered.push(c.className + " " + Math.round(w) + "x" + Math.round(h));
        }
      });
    }
    Object.keys(gs.layers).forEach(function (k) {
      var g = gs.layers[k].layer;
      if (!g.getLayers) { return; }
      g.getLayers().forEach(function (m) {
        var t = m.gsTitle || (m.feature && m.feature.properties.t) || "";
        if (t.indexOf("<") >= 0) {
          if (!gs.map.hasLayer(g)) { gs.map.addLayer(g); }
          m.openTooltip && m.openTooltip();
          m.openPopup && m.openPopup(m.getLatLng ? m.getLatLng() : undefined);
          var p = m.getPopup && m.getPopup();
          out.popups.push({
            title: t,
            popup: p && p.getElement() ? p.getElement().textContent : null,
            scripts: p && p.getElement() ? p.getElement().querySelectorAll("script,img").length
                                          : null
          });
        }
      });
    });
    out.samples = {};
    Object.keys(gs.layers).forEach(function (k) {
      var g = gs.layers[k].layer;
      var first = g.getLayers ? g.getLayers()[0] : null;
      var popup = first && first.getPopup && first.getPopup();
      if (!popup) { return; }
      var c = popup._content;
      var node = typeof c === "function" ? c(first) : c;
      out.samples[k] = node && node.textContent !== undefined ? node.textContent : String(node);
    });
    out.bodyScripts = document.querySelectorAll("body script").length;
  } catch (e) {
    out.errors.push("probe: " + e);
  }
  setTimeout(function () {
    out.pwned = !!window.__pwned;
    out.errors = window.__gsErrors;
    out.resourceErrors = window.__gsResourceErrors;
    var pre = document.createElement("pre");
    pre.id = "gs-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
}, 200);
</script>"""


def available() -> bool:
    """Whether Chromium is installed."""
    return shutil.which(CHROMIUM) is not None or Path(CHROMIUM).is_file()


def _run(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="gs-chromium-") as profile:
        cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def probe(html_path: Path, *, budget_ms: int = 8000, size: tuple[int, int] = (1200, 850)) -> dict:
    """Open a map with the probe scripts and return what they found."""
    page = html_path.read_text(encoding="utf-8")
    head = page.index("<head>") + len("<head>")
    page = page[:head] + _ERRORS + page[head:]
    end = page.rindex("</html>")
    page = page[:end] + _PROBE + page[end:]
    probed = html_path.with_name(f".probe-{html_path.name}")
    probed.write_text(page, encoding="utf-8")
    try:
        proc = _run(
            [
                f"--window-size={size[0]},{size[1]}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                probed.resolve().as_uri(),
            ]
        )
    finally:
        probed.unlink(missing_ok=True)
    start = proc.stdout.find('<pre id="gs-probe">')
    if start < 0:
        msg = f"probe produced no result; chromium exit {proc.returncode}: {proc.stderr[-2000:]}"
        raise AssertionError(msg)
    body = proc.stdout[start + len('<pre id="gs-probe">') : proc.stdout.index("</pre>", start)]
    import html

    result = json.loads(html.unescape(body))
    result["_dom"] = proc.stdout[:start]
    return result


def screenshot(html_path: Path, png_path: Path, *, size: tuple[int, int] = (1000, 700)) -> Path:
    """Save a screenshot of a page."""
    png_path.parent.mkdir(parents=True, exist_ok=True)
    proc = _run(
        [
            f"--window-size={size[0]},{size[1]}",
            "--virtual-time-budget=5000",
            f"--screenshot={png_path.resolve()}",
            html_path.resolve().as_uri(),
        ]
    )
    if not png_path.is_file():
        msg = f"no screenshot; chromium exit {proc.returncode}: {proc.stderr[-2000:]}"
        raise AssertionError(msg)
    return png_path


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png_pixels(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (as Chromium writes) into an (h, w, channels) array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6), f"unsupported PNG depth {depth} type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:
            cur = (
                (np.cumsum(line.reshape(width, channels).astype(np.int64), axis=0) % 256)
                .astype(np.uint8)
                .reshape(stride)
            )
        elif kind == 2:
            cur = (line.astype(np.int64) + prev) % 256
            cur = cur.astype(np.uint8)
        else:
            cur = np.zeros(stride, dtype=np.uint8)
            lv, pv = line.tolist(), prev.tolist()
            cv = [0] * stride
            for x in range(stride):
                a = cv[x - channels] if x >= channels else 0
                b = pv[x]
                c = pv[x - channels] if x >= channels else 0
                pred = (a + b) // 2 if kind == 3 else _paeth(a, b, c)
                cv[x] = (lv[x] + pred) % 256
            cur = np.array(cv, dtype=np.uint8)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, channels)


def distinct_colours(path: Path) -> int:
    """Count distinct RGB colours in a PNG."""
    px = png_pixels(path)[:, :, :3].reshape(-1, 3).astype(np.int64)
    return len(np.unique(px[:, 0] << 16 | px[:, 1] << 8 | px[:, 2]))
