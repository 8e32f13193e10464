"""Assemble the report page: header block, contents, sections, map scripts, print styles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from geosuff.report.fmt import esc
from geosuff.report.mapsection import MapParts
from geosuff.report.section import Section

__all__ = ["REPORT_CSS", "assemble_page"]

REPORT_CSS = """
<style>
:root { --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0; --accent: #2c7bb6; }
html, body { height: auto !important; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
.report { max-width: 1080px; margin: 0 auto; padding: 16px 20px 48px; }
header.report-head { border-bottom: 3px solid var(--accent); padding-bottom: 10px; }
header.report-head h1 { font-size: 26px; margin: 6px 0 4px; line-height: 1.2; }
.kicker { text-transform: uppercase; letter-spacing: .06em; font-size: 12px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: 7em 1fr; gap: 2px 12px; margin: 10px 0 0;
  font-size: 14px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
nav.toc { margin: 12px 0; font-size: 14px; }
nav.toc ol { margin: 0; padding-left: 20px; columns: 2; }
section.rsec { margin-top: 28px; }
section.rsec > h2 { font-size: 20px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
section.rsec.omitted > h2 { color: var(--muted); }
ul.findings li { margin: 6px 0; }
.note { color: var(--muted); font-size: 13px; }
.caveat { border-left: 4px solid #fdae61; background: #fff8ef; padding: 6px 10px;
  font-size: 13px; }
.table-wrap { overflow-x: auto; margin: 14px 0; }
table.data { border-collapse: collapse; font-size: 13px; width: 100%; }
table.data caption { text-align: left; font-weight: 600; padding: 4px 0; font-size: 14px; }
table.data th, table.data td { border-bottom: 1px solid var(--rule); padding: 4px 6px;
  vertical-align: top; text-align: left; }
table.data thead th { border-bottom: 2px solid #999; font-weight: 600; }
table.data tbody th { font-weight: 500; }
table.data .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.data thead th.num { white-space: normal; min-width: 4.5em; }
table.data ul.cell-list { margin: 0; padding-left: 1.1em; }
table.data ul.cell-list li { margin: 0 0 2px; }
table.reasons td:last-child { min-width: 18em; }
.table-note { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
figure.chart { margin: 14px 0; }
figure.chart svg { width: 100%; height: auto; max-width: 780px; display: block; }
figure.chart figcaption { font-size: 13px; color: var(--muted); }
details.more summary { cursor: pointer; color: var(--accent); }
.report-map { position: relative; height: 78vh; max-height: 800px; min-height: 560px;
  border: 1px solid var(--rule); margin: 10px 0; }
.report-map .folium-map { position: absolute !important; inset: 0; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--rule);
  padding-top: 8px; }
@media (max-width: 640px) {
  .report { padding: 10px; }
  table.data caption { position: sticky; left: 0; max-width: calc(100vw - 24px); }
  figure.chart > div { overflow-x: auto; }
  figure.chart svg { min-width: 600px; }
  .table-note { max-width: calc(100vw - 24px); }
  header.report-head h1 { font-size: 21px; }
  dl.facts { grid-template-columns: 1fr; }
  nav.toc ol { columns: 1; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  body { font-size: 10pt; }
  .report { max-width: none; padding: 0; }
  nav.toc, .screen-only, .leaflet-control-layers, .leaflet-control-zoom,
  .leaflet-control-fullscreen, .gs-title details { display: none !important; }
  section.rsec > h2, table.data caption { break-after: avoid; }
  table.data tr, figure.chart, .caveat { break-inside: avoid; }
  .table-wrap { overflow: visible !important; }
  table.data { font-size: 7.5pt; }
  table.data th, table.data td { padding: 2px 3px; }
  figure.chart svg { max-width: 165mm; }
  .report-map { height: 150mm; max-height: none; min-height: 0; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
</style>
"""

_PRINT_JS = """
<script>
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.more").forEach(function (d) { d.open = true; });
  if (window.geosuff && window.geosuff.map) { window.geosuff.map.invalidateSize(); }
});
</script>
"""


def assemble_page(
    *,
    title: str,
    kicker: str,
    facts: Sequence[Sequence[str]],
    sections: Sequence[Section],
    map_parts: MapParts | None,
) -> str:
    """Return the report as one HTML page.

    Parameters
    ----------
    title
        The report title (plain text).
    kicker
        The line above the title (plain text).
    facts
        ``(label, text)`` pairs of the header block (plain text).
    sections
        The sections, in order.
    map_parts
        The embedded map, or ``None``.

    Returns
    -------
    str
        The page.
    """
    head_map = map_parts.head if map_parts else ""
    script_map = f"<script>{map_parts.script}</script>" if map_parts else ""
    fact_html = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    toc = "".join(
        f'<li><a href="#{esc(s.key)}">{esc(s.title)}</a>'
        f"{' (not included)' if s.omitted else ''}</li>"
        for s in sections
    )
    body = "".join(s.html() for s in sections)
    from geosuff import __version__

    made = f"Made with geosuff {esc(__version__)} on {dt.date.today().isoformat()}."
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{head_map}\n{REPORT_CSS}\n</head>\n<body>\n"
        f'<main class="report"><header class="report-head"><div class="kicker">{esc(kicker)}'
        f'</div><h1>{esc(title)}</h1><dl class="facts">{fact_html}</dl></header>'
        f'<nav class="toc" aria-label="Contents"><ol>{toc}</ol></nav>{body}'
        f"<footer>{made}</footer></main>\n{script_map}\n{_PRINT_JS}</body>\n</html>\n"
    )
