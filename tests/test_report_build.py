"""The report page from hand-made figures: sections, numbers, escaping, charts, omissions."""

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from geosuff.cli.main import app
from geosuff.io.provenance import Coverage
from geosuff.report import build_report, key_findings
from geosuff.report.charts import benchmark_bars, line_chart, range_bars
from geosuff.report.fmt import Column, gap_words, html_table, number
from geosuff.report.supply import gap_statable
from tests import maps_fixtures as fx
from tests.report_helpers import fixture_data, parse, table

SECTIONS = ["findings", "population", "supply", "homecare", "map", "caveats"]


def test_numbers_in_words():
    assert gap_words(-575.4) == "shortfall 575"
    assert gap_words(293.2, unit=" beds") == "surplus 293 beds"
    assert gap_words(0.2) == "balanced"
    assert gap_words(float("nan")) == "insufficient data"
    assert number(1234.56, 1) == "1,234.6" and number(None) == "no data"


def test_tables_are_accessible_and_escape_text():
    out = html_table(
        [Column("Town"), Column("Beds", True)],
        [[fx.EVIL, "12"]],
        caption="Beds & <b>",
    )
    assert "<caption>Beds &amp; &lt;b&gt;</caption>" in out
    assert '<th scope="col" class="num">Beds</th>' in out
    assert '<th scope="row">&lt;script&gt;' in out
    assert "<script>" not in out and "<img" not in out


def test_charts_are_inline_svg_with_unique_ids_and_plain_text_labels():
    a = benchmark_bars(
        ["North", f"Cost $5 {fx.EVIL}"],
        [("Residential beds", [40.0, 80.0], 65.0), ("Nursing beds", [50.0, 10.0], 45.0)],
        unit="beds per 1,000 aged 75+",
    )
    b = range_bars(["A", "B"], [10, 5], [8, 4], [12, 7], unit="minutes", title="Travel")
    c = line_chart([2020, 2025, 2030], [("Aged 75+", [100, 120, 140])], unit="people", title="t")
    for chart in (a, b, c):
        assert chart.svg.startswith("<svg") and "<script" not in chart.svg
        assert "<?xml" not in chart.svg and "<!DOCTYPE" not in chart.svg
    assert "&lt;script&gt;" in a.svg and "Cost $5" in a.svg  # "$" is text, not mathematics
    ids_a = set(re.findall(r'id="([^"]+)"', a.svg))
    ids_b = set(re.findall(r'id="([^"]+)"', b.svg))
    assert ids_a and not ids_a & ids_b
    # matplotlib's "*" style rule stays inside its own chart
    assert re.search(r"<style[^>]*>\s*svg#[\w-]+ \*\{", a.svg)
    assert "2 of 2 below" not in a.alt and "Residential beds: 1 of 2 below" in a.alt
    html = a.html("Beds by town")
    assert 'role="img"' in html and "<figcaption>Beds by town</figcaption>" in html


def test_fixture_report_has_every_section_and_its_figures():
    data = fixture_data()
    page, sections = build_report(data)
    dom = parse(page)
    assert dom.sections == SECTIONS and dom.omitted == []
    # Population table: the hand-made counts, and the year from the file's vintage.
    pop = table(dom, "People by age, 2020")
    assert pop.iloc[-1].tolist() == ["Testshire", "4,500", "1,050", "480", "10.7%", "140"]
    # Bed figures match the summary: 40 nursing, 37 residential beds for 480 aged 75+.
    beds = table(dom, "Care home beds against the benchmarks by district, 2020")
    row = beds.iloc[0]
    assert row["Residential beds"] == "37" and row["Nursing beds"] == "40"
    assert row["vs benchmark 65"] == "surplus 6"  # 37 - 65 * 0.48 = 5.8
    assert row["vs benchmark 45"] == "surplus 18"  # 40 - 45 * 0.48 = 18.4
    zones = table(dom, "Care home beds by zone, 2020")
    assert sorted(zones["Zone"]) == ["East", "West"]
    assert dom.svgs >= 2  # the benchmark bars and the travel bars
    # Extra care and home care lists without a coverage verdict: no shortfall stated.
    other = table(dom, "Extra care housing and home care in Testshire, 2020")
    assert other.iloc[0]["Shortfall or surplus"] == "not stated"
    assert "coverage not assessed" in other.iloc[0]["Coverage"]
    assert any("Extra care housing: no shortfall is stated" in f for f in dom.findings)
    # Every finding carries its year or its number.
    assert all(re.search(r"\d", f) for f in dom.findings)
    assert "population" in {s.key for s in sections}
    # The projection is left out with a note, never a blank chart.
    assert "Projected population: not included" in page


def test_hostile_names_are_text_never_markup():
    page, _ = build_report(fixture_data())
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # a ward name in a table
    assert "\\u003cscript\\u003ewindow.__pwned" in page  # the provider, in the map's data


def test_partial_layers_never_give_a_shortfall():
    data = fixture_data()
    layers = data.layers._replace(
        coverage={
            "extra_care": Coverage("partial", "a sample list of 1 scheme"),
            "home_care": Coverage("complete", "declared complete"),
        }
    )
    data.layers = layers
    assert gap_statable(layers, "extra_care") == (False, "partial: a sample list of 1 scheme")
    assert gap_statable(layers, "home_care")[0] is True
    page, _ = build_report(data)
    other = table(parse(page), "Extra care housing and home care in Testshire, 2020")
    assert other.iloc[0]["Shortfall or surplus"] == "not stated"
    assert other.iloc[0]["Coverage"] == "partial: a sample list of 1 scheme"
    findings = key_findings(data, year="2020", basis="ONS", travel="estimate")
    assert not any("shortfall of" in f and "Extra care" in f for f in findings)


def test_a_projection_plugs_in_as_a_chart_and_a_finding():
    data = fixture_data()
    data.year = 2030
    data.trajectory = pd.DataFrame(
        {
            "year": [2020, 2025, 2030],
            "pop_65plus": [1050.0, 1150.0, 1300.0],
            "pop_75plus": [480.0, 560.0, 640.0],
            "pop_85plus": [140.0, 160.0, 190.0],
        }
    )
    page, _ = build_report(data)
    dom = parse(page)
    assert "Projected population: not included" not in page
    traj = table(dom, "People aged 65+, 75+ and 85+ by year")
    assert traj["Aged 75+"].tolist() == ["480", "560", "640"]
    assert any("projected to reach 640 by 2030 (+33% on 2020)" in f for f in dom.findings)


def test_report_cli_checks_the_output_first(tmp_path):
    result = CliRunner().invoke(
        app, ["report", "--area", "Rutland", "--out", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == 2 and "ending in .html" in result.output
    assert "--network" in CliRunner().invoke(app, ["report", "--help"]).output


@pytest.mark.parametrize("name", ["report"])
def test_report_is_in_the_api(name):
    import geosuff

    assert callable(getattr(geosuff, name)) and name in geosuff.__all__
