"""What each loaded layer is: its coverage verdict and its source (provenance).

Every layer an analysis reads carries two facts that travel with its figures:

* a :class:`Coverage` verdict, ``complete``, ``partial`` or ``unknown``, with its
  reason. A ``partial`` layer (a sample list, a source without bed counts) never
  yields a benchmark gap or a gap flag: those cells read "insufficient data".
* a :class:`SourceInfo` record: the file, what it is, its vintage and licence, so
  every output can name its sources.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["COVERAGE_STATUSES", "Coverage", "SourceInfo"]

#: The coverage verdicts, from best to worst.
COVERAGE_STATUSES = ("complete", "unknown", "partial")

CoverageStatus = Literal["complete", "unknown", "partial"]


@dataclass(frozen=True)
class Coverage:
    """Whether a layer lists all the supply of its kind in the area.

    Attributes
    ----------
    status
        ``"complete"`` (declared or checked complete), ``"partial"`` (known to miss
        supply: a sample list, no bed counts) or ``"unknown"``.
    reason
        One sentence saying why, for tables, reports and maps.
    """

    status: CoverageStatus
    reason: str

    @property
    def usable_for_gaps(self) -> bool:
        """Whether benchmark gaps and gap flags may be computed from this layer."""
        return self.status != "partial"

    def label(self) -> str:
        """Return ``"partial: <reason>"`` style text for display."""
        return f"{self.status}: {self.reason}" if self.reason else self.status

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True)
class SourceInfo:
    """Where a layer came from.

    Attributes
    ----------
    layer
        The layer key (``population``, ``care_homes``, ``home_care``, ...).
    path
        The file read (as given or found in the data folder).
    title
        What the source is, e.g. ``"CQC HSCA active locations"``.
    vintage
        When the data describes, e.g. ``"April 2021"`` or ``"mid-2020"``; empty when
        unknown (never the file's modification time).
    licence
        Licence and attribution text.
    """

    layer: str
    path: str
    title: str = ""
    vintage: str = ""
    licence: str = ""

    def label(self) -> str:
        """Return ``"<title> (<vintage>)"`` for footers and title blocks."""
        name = self.title or self.path
        return f"{name} ({self.vintage})" if self.vintage else name

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return asdict(self)
