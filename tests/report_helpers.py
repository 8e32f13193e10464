"""Read a report's DOM back: sections, tables (by caption), findings, figures."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from geosuff.analysis.access import access
from geosuff.analysis.joins import assign_to_lsoas
from geosuff.analysis.runs import home_care_travel
from geosuff.io.area_layers import AreaLayers, LayerFiles
from geosuff.maps.results import map_results
from geosuff.report.data import ReportData, assemble_report_data
from tests import maps_fixtures as fx

HERE = Path(__file__).resolve().parent


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


BASIS_2020 = "ONS mid-2020 LSOA population estimates"
BASIS_2030 = (
    "ONS 2018-based subnational population projections (snpp_test.csv) for 2030, apportioned "
    "to LSOAs by their share of their authority's population in each age group in the "
    f"{BASIS_2020}"
)


def fixture_layers() -> AreaLayers:
    """The hand-made area (three LSOAs, one hostile name) with its providers placed."""
    base = fx.area_layers()
    placed = {
        key: assign_to_lsoas(getattr(base, key), base.population)
        for key in ("care_homes", "home_care", "extra_care")
    }
    placed["care_homes"] = placed["care_homes"].assign(older_people=True, dementia=False)
    return base._replace(**placed, year=2020, population_basis=BASIS_2020)


def projected(layers: AreaLayers, factor: float = 4 / 3) -> AreaLayers:
    """The same area in 2030, every age group of 65+ grown by *factor* (supply unchanged)."""
    pop = layers.population.copy()
    for col in ("pop_65plus", "pop_75plus", "pop_85plus"):
        pop[col] = pop[col] * factor
    sources = {**layers.sources, "projections": "snpp_test.csv"}
    return layers._replace(population=pop, year=2030, population_basis=BASIS_2030, sources=sources)


GROUPS = pd.Series(
    ["West", "West", "East"], index=pd.Index(["E01000001", "E01000002", "E01000003"])
)


def fixture_data(year: int | None = None) -> ReportData:
    """A report's figures for the hand-made area; *year* 2030 adds the projected year."""
    base = fixture_layers()
    layers = projected(base) if year == 2030 else base
    wards = fx.wards()
    travel = home_care_travel(layers, groups=GROUPS, seed=1, days=10)
    results = map_results(
        layers,
        folder=HERE,
        groups=GROUPS,
        wards=wards,
        access=access(layers),
        travel=travel,
    )
    data = assemble_report_data(
        base,
        layers,
        results,
        folder=HERE,
        wards=wards,
        groups=GROUPS,
        zone_polygons=fx.zones(),
        files=LayerFiles(population="population_mid2020_test.csv"),
        year=year,
    )
    return data
