"""The market position evidence report: findings, tables, charts, map, caveats, sources.

:func:`report` (also ``geosuff.report``) loads an area, runs geosuff's analyses and
writes one self-contained HTML page that opens offline and prints to A4. Import the
pieces from here (``from geosuff.report import collect_report_data``): the package
function ``geosuff.report`` shadows this subpackage as an attribute of ``geosuff``.
"""

from __future__ import annotations

from geosuff.maps.usable import usable_gaps
from geosuff.report.build import ReportResult, build_report, report
from geosuff.report.data import ReportData, collect_report_data
from geosuff.report.findings import key_findings

__all__ = [
    "ReportData",
    "ReportResult",
    "build_report",
    "collect_report_data",
    "key_findings",
    "report",
    "usable_gaps",
]
