"""Read a report's DOM back: sections, tables (by caption), findings, figures."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from geosuff.analysis.access import access
from geosuff.analysis.gaps import find_gaps
from geosuff.analysis.joins import assign_to_lsoas
from geosuff.analysis.runs import care_runs
from geosuff.analysis.summary import area_summary
from geosuff.maps.usable import usable_gaps
from geosuff.report.data import ReportData, _lsoa_places, _supply
from tests import maps_fixtures as fx


class ReportDom(HTMLParser):
    """Collect section ids, tables (caption -> header and rows), findings and figures."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.omitted: list[str] = []
        self.tables: dict[str, dict[str, list]] = {}
        self.findings: list[str] = []
        self.figures = 0
        self.svgs = 0
        self.scripts_in_body = 0
        self._stack: list[str] = []
        self._text: list[str] = []
        self._table: dict[str, list] | None = None
        self._row: list[str] | None = None
        self._caption = False
        self._in_findings = False
        self._li = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section" and "rsec" in cls:
            self.sections.append(a.get("id") or "")
            if "omitted" in cls:
                self.omitted.append(a.get("id") or "")
        elif tag == "table":
            self._table = {"caption": [""], "head": [], "rows": []}
        elif tag == "caption":
            self._caption, self._text = True, []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._text = []
        elif tag == "ul" and "findings" in cls:
            self._in_findings = True
        elif tag == "li" and self._in_findings:
            self._li, self._text = True, []
        elif tag == "figure":
            self.figures += 1
        elif tag == "svg" and "chart-svg" in cls:
            self.svgs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._table is not None:
            self._table["caption"] = ["".join(self._text).strip()]
            self._caption = False
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("".join(self._text).strip())
        elif tag == "tr" and self._table is not None and self._row is not None:
            key = "head" if not self._table["head"] else "rows"
            if key == "head":
                self._table["head"] = self._row
            else:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables[self._table["caption"][0]] = self._table
            self._table = None
        elif tag == "li" and self._li:
            self.findings.append("".join(self._text).strip())
            self._li = False
        elif tag == "ul" and self._in_findings:
            self._in_findings = False

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def parse(page: str) -> ReportDom:
    dom = ReportDom()
    dom.feed(page)
    return dom


def table(dom: ReportDom, starts: str) -> pd.DataFrame:
    caption = next(c for c in dom.tables if c.startswith(starts))
    t = dom.tables[caption]
    return pd.DataFrame(t["rows"], columns=t["head"])


def fixture_data() -> ReportData:
    """A report's figures for the hand-made area (three LSOAs, one hostile name)."""
    base = fx.area_layers()
    placed = {
        key: assign_to_lsoas(getattr(base, key), base.population)
        for key in ("care_homes", "home_care", "extra_care")
    }
    placed["care_homes"] = placed["care_homes"].assign(older_people=True, dementia=False)
    layers = base._replace(**placed)
    wards = fx.wards()
    acc = access(layers)
    groups = pd.Series(["West", "West", "East"], index=layers.population["lsoa_code"])
    runs = care_runs(layers, groups=groups, n_runs=10, seed=1)
    flagged = find_gaps(acc, runs=runs, groups=groups)
    gaps, dropped = usable_gaps(flagged, layers)
    places = _lsoa_places(layers, wards)
    return ReportData(
        layers=layers,
        wards=wards,
        focus=None,
        summary=area_summary(layers),
        towns=_supply(layers, "ward", places["town"].dropna()),
        zones=_supply(layers, "zone", groups),
        zone_polygons=fx.zones(),
        groups=groups,
        lsoa_places=places,
        access=acc,
        runs=runs,
        gaps=gaps,
        gaps_dropped=dropped,
        pop_source="population_mid2020_test.csv",
        thresholds=dict(flagged.attrs["thresholds"]),
        runs_settings={**runs.attrs, "runs_per_zone": 10, "seed": 1},
    )
