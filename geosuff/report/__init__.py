"""The market position evidence report: findings, tables, charts, map, caveats, sources.

:func:`report` (also ``geosuff.report``) loads an area (for a chosen year too), runs
geosuff's analyses and writes one self-contained HTML page that opens offline and
prints to A4. Import the pieces from here
(``from geosuff.report import collect_report_data``). This package is itself callable,
so ``geosuff.report(...)`` runs :func:`report` whether ``geosuff.report`` names the
function or, once a submodule has been imported, the package.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from geosuff.report.build import ReportResult, build_report, report
from geosuff.report.data import (
    ReportData,
    SupplyAt,
    assemble_report_data,
    collect_report_data,
    trajectory_years,
)
from geosuff.report.findings import key_findings

__all__ = [
    "ReportData",
    "ReportResult",
    "SupplyAt",
    "assemble_report_data",
    "build_report",
    "collect_report_data",
    "key_findings",
    "report",
    "trajectory_years",
]


class _CallableModule(ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
