"""The style sheet every geosuff map carries: popups, title block, legend, labels, controls.

On narrow windows (phones) the title block shrinks, and the layer control and legend
start collapsed, so the focus place stays in view.
"""

from __future__ import annotations

__all__ = ["RUNTIME_CSS"]

RUNTIME_CSS = """
<style>
.gs-popup { font: 12px/1.35 system-ui, sans-serif; }
.gs-popup-title { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.gs-popup table { border-collapse: collapse; }
.gs-popup th { text-align: left; font-weight: normal; color: #555; padding: 1px 8px 1px 0;
  vertical-align: top; }
.gs-popup td { padding: 1px 0; }
.gs-source { margin-top: 4px; color: #666; font-size: 11px; }
.gs-legend, .gs-title { background: rgba(255,255,255,0.95); padding: 6px 8px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35);
  font: 12px/1.3 system-ui, sans-serif; }
.gs-legend { max-height: 42vh; max-width: 250px; overflow-y: auto; }
.gs-legend.gs-collapsed { padding: 0; }
.gs-legend-toggle { font: 600 12px system-ui, sans-serif; border: 0; background: none;
  padding: 3px 4px; cursor: pointer; color: #222; }
.gs-legend-toggle::after { content: " \\25BE"; }
.gs-legend.gs-collapsed .gs-legend-toggle { padding: 6px 10px; }
.gs-legend.gs-collapsed .gs-legend-toggle::after { content: " \\25B8"; }
.gs-legend-section + .gs-legend-section { margin-top: 6px; }
.gs-legend-title { font-weight: 600; }
.gs-legend-method { color: #555; font-size: 11px; margin-bottom: 2px; }
.gs-legend-row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.gs-swatch { display: inline-block; width: 16px; height: 12px; border: 1px solid #555;
  flex: none; }
.gs-swatch.gs-circle { border-radius: 50%; }
.gs-swatch-svg { flex: none; border: 1px solid #999; }
.gs-title { max-width: 360px; max-height: 46vh; overflow-y: auto; }
.gs-title-main { font-size: 15px; font-weight: 600; margin-bottom: 3px; }
.gs-fact { display: flex; gap: 6px; margin: 1px 0; }
.gs-fact-k { flex: none; width: 42px; color: #555; }
.gs-fact-v { color: #111; }
.gs-title details { margin-top: 3px; }
.gs-title summary { cursor: pointer; color: #333; }
.gs-title ul { margin: 4px 0 0 0; padding-left: 16px; }
.gs-label { background: rgba(255,255,255,0.8); border: 1px solid #777; box-shadow: none;
  font-weight: 600; color: #222; padding: 1px 4px; }
.gs-place-icon { background: none; border: none; }
.gs-place { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  pointer-events: none; color: #111; font: 600 12px/1.1 system-ui, sans-serif;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.gs-place.gs-rank-0 { font-size: 15px; font-weight: 700; letter-spacing: 0.02em; }
.gs-place.gs-rank-2 { font-weight: 500; font-style: italic; font-size: 11px; }
.gs-ctl-head { font: 600 11px system-ui, sans-serif; color: #555; text-transform: uppercase;
  letter-spacing: 0.03em; margin: 2px 0 2px 0; }
.leaflet-control-layers-expanded { max-height: 52vh; max-width: 290px; overflow-y: auto;
  font: 12px/1.3 system-ui, sans-serif; }
.leaflet-control-layers label { white-space: normal; margin: 1px 0; }
.leaflet-control-attribution { max-width: 60vw; }
@media (max-width: 760px), (max-height: 560px) {
  .gs-title { max-width: calc(100vw - 90px); max-height: 30vh; padding: 4px 6px;
    font-size: 11px; }
  .gs-title-main { font-size: 13px; }
  .gs-fact-k { width: 36px; }
  .gs-legend { max-width: 70vw; max-height: 40vh; }
  .leaflet-control-attribution { max-width: 70vw; font-size: 9px; }
}
</style>
"""
