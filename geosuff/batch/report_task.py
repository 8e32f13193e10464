"""The ``report`` analysis of batch recipes: each area's market position report as HTML.

It builds the report from the same tables as the recipe's ``access``, ``runs`` and
``gaps`` tasks (same parameters, same area context, same year), so the report and
those outputs agree figure for figure, and writes ``OUT/<area code>/report.html``.
The task returns one row per report section (key, title, included, note) and carries
the page in ``attrs["document"]``; the runner writes the page instead of the table.
Importing this module registers it (:data:`geosuff.batch.registry.ANALYSES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import pandas as pd

from geosuff.batch.analyses import access_table, compute_gaps, compute_runs
from geosuff.batch.context import AreaContext
from geosuff.batch.registry import Analysis, register_analysis

__all__ = ["DOCUMENT_ATTR", "SUFFIX_ATTR", "report_task"]

#: ``attrs`` key of a task's table holding a page to write instead of the table.
DOCUMENT_ATTR = "document"
#: ``attrs`` key of that page's file suffix.
SUFFIX_ATTR = "document_suffix"


def _zones(ctx: AreaContext) -> tuple[pd.Series | None, Any]:
    groups = ctx.groups()
    if groups is None:
        return None, None
    from geosuff.zones.propose import zone_polygons

    table = pd.DataFrame({"lsoa_code": groups.index, "zone": groups.to_numpy()})
    return groups, zone_polygons(ctx.layers.population, table)


def report_task(ctx: AreaContext, params: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Build an area's report from the recipe's access, runs and gaps parameters.

    Parameters
    ----------
    ctx
        The area (its layers for the recipe's year, its network and zones).
    params
        ``{"report": ..., "access": ..., "runs": ..., "gaps": ...}`` parameters.

    Returns
    -------
    pandas.DataFrame
        One row per section: ``section``, ``title``, ``included``, ``note`` and
        ``travel_method``; ``attrs["document"]`` is the HTML page.
    """
    from geosuff.analysis.gaps import GapThresholds
    from geosuff.io.layout import find_data_file
    from geosuff.maps.focus import resolve_focus
    from geosuff.maps.render import area_wards
    from geosuff.maps.results import MapResults, focus_isochrones
    from geosuff.report import assemble_report_data, build_report

    job = ctx.job
    # Warnings of the whole job (ctx.warnings, filled by the job runner) go in the caveats.
    acc = access_table(ctx, params["access"])
    travel = compute_runs(ctx, params["runs"], ctx.layers)
    limits = {k: v for k, v in params["gaps"].items() if k != "with_runs"}
    with_travel = {**params, "gaps": {**limits, "with_runs": True}}  # needs travel
    gaps = compute_gaps(ctx, with_travel, acc, ctx.layers)
    gaps.attrs["thresholds"] = asdict(GapThresholds.from_mapping(limits))
    wards = area_wards(ctx.base_layers, job.data_dir)
    focus = None
    if job.focus:
        postcodes = ctx.files.postcodes or find_data_file(job.data_dir, "postcodes")
        focus = resolve_focus(job.focus, wards, postcodes=postcodes)
    network = ctx.network()
    groups, polygons = _zones(ctx)
    isochrones = focus_isochrones(network, focus)
    data = assemble_report_data(
        ctx.base_layers,
        ctx.layers,
        MapResults(acc, travel, gaps, isochrones),
        folder=job.data_dir,
        wards=wards,
        focus=focus,
        groups=groups,
        zone_polygons=polygons,
        network=job.network.name if job.network is not None else None,
        files=ctx.files,
        year=job.year,
        warnings=[*ctx.notes, *ctx.warnings],
    )
    page, sections = build_report(data, tiles=None)
    table = pd.DataFrame(
        {
            "section": [s.key for s in sections],
            "title": [s.title for s in sections],
            "included": [s.omitted is None for s in sections],
            "note": [s.omitted or "" for s in sections],
            "travel_method": str(travel.parameters.get("travel_method", "")),
        }
    )
    table.attrs[DOCUMENT_ATTR] = page
    table.attrs[SUFFIX_ATTR] = ".html"
    return table


register_analysis(
    Analysis(
        "report",
        report_task,
        {},
        uses=("access", "runs", "gaps"),
        reads=("layers", "travel", "zones", "projections"),
        area_keys=("focus",),
    )
)
