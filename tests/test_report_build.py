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
from tests.report_helpers import BASIS_2020, BASIS_2030, fixture_data, parse, table

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
    assert any(
        "Extra care housing: the data hold 1 scheme in Testshire; no shortfall is stated" in f
        for f in dom.findings
    )
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
    findings = key_findings(data)
    assert not any("shortfall of" in f and "Extra care" in f for f in findings)


def _trajectory() -> pd.DataFrame:
    """The hand-made area's trajectory as population_trajectory returns it."""
    basis = ["estimate", "projection", "projection"]
    return pd.DataFrame(
        {
            "year": [2020, 2025, 2030],
            "la_code": ["E06999999"] * 3,
            "la_name": ["Testshire"] * 3,
            "pop_total": [4500.0, 4600.0, 4700.0],
            "pop_65plus": [1050.0, 1150.0, 1400.0],
            "pop_75plus": [480.0, 560.0, 640.0],
            "pop_85plus": [140.0, 160.0, 186.7],
            "basis": basis,
            "population_basis": [BASIS_2020, BASIS_2030.replace("2030", "2025", 1), BASIS_2030],
        }
    )


def test_a_projected_year_shows_supply_now_and_then_with_the_trajectory():
    data = fixture_data(2030)
    data.trajectory = _trajectory()
    page, _ = build_report(data)
    dom = parse(page)
    assert dom.sections == SECTIONS and dom.omitted == []
    assert "Projected population: not included" not in page
    traj = table(dom, "People aged 65+, 75+ and 85+ by year")
    assert traj["Aged 75+"].tolist() == ["480", "560", "640"]
    assert traj["Basis"].tolist() == ["estimate", "projection", "projection"]
    assert any(
        "ONS projections put the 75+ population at 640 by 2030 (+33%)" in f for f in dom.findings
    )
    # Beds now and in 2030: the same 37 residential and 40 nursing beds against 480 then 640
    # people aged 75+ (65 x 0.64 = 41.6 residential beds: a shortfall of 4.6 -> 5).
    beds = table(dom, "Care home beds against the benchmarks by district, 2020 and 2030")
    row = beds.iloc[0]
    assert row["Aged 75+ 2020"] == "480" and row["Aged 75+ 2030, projected"] == "640"
    assert row["vs benchmark 65, 2020"] == "surplus 6"
    assert row["vs benchmark 65, 2030, projected"] == "shortfall 5"
    assert row["vs benchmark 45, 2030, projected"] == "surplus 11"  # 40 - 28.8
    assert any("the area would have a shortfall of 5 residential beds" in f for f in dom.findings)
    zones = table(dom, "Care home beds by zone, 2020 and 2030").set_index("Zone")
    # West: 320 -> 426.7 aged 75+, 12 residential beds: 12 - 27.7 = -15.7
    assert zones.loc["West", "vs benchmark 65, 2030, projected"] == "shortfall 16"
    assert dom.svgs >= 3  # trajectory, paired benchmark bars, travel bars
    # The year is stated where the analyses' figures appear.
    travel = table(dom, "Care-worker travel per visit by zone, longest first (2030, projected)")
    assert travel.columns[1] == "Aged 75+ (2030, projected)"
    assert "2030: ONS 2018-based subnational population projections" in page


def test_the_focus_gets_its_lsoas_and_a_finding():
    from geosuff.io.places import lsoas_in_place
    from geosuff.maps import resolve_focus

    data = fixture_data()
    data.focus = resolve_focus("Tenbury", fx.wards())
    inside = lsoas_in_place(data.layers.population, data.focus.geometry)
    dom = parse(build_report(data)[0])
    focus = table(dom, "Tenbury: its")
    assert len(focus) == int(inside.sum()) >= 1
    pop = data.layers.population["pop_75plus"][inside].sum()
    assert any(f.startswith(f"Tenbury: {len(focus)} LSOA") for f in dom.findings)
    assert any(f"with {pop:,.0f} people aged 75+" in f for f in dom.findings)


def test_travel_table_matches_the_model_and_costs_pay_and_mileage():
    data = fixture_data()
    page = build_report(data)[0]
    dom = parse(page)
    shown = table(dom, "Care-worker travel per visit by zone").set_index("Zone")
    zones = data.travel.zones.set_index("zone")
    for zone in ("West", "East"):
        z = zones.loc[zone]
        assert shown.loc[zone, "Travel per visit, min"] == number(
            z["home_care_minutes_per_visit"], 1
        )
        # pay for the travel minutes (12.21 an hour) plus 45p a mile, never the 25.95 price
        cost = z["home_care_minutes_per_visit"] / 60 * 12.21 + z["home_care_miles_per_visit"] * 0.45
        assert shown.loc[zone, "Travel cost per visit"] == f"£{cost:.2f}"
        assert shown.loc[zone, "Travel cost per contact hour"] == f"£{2 * cost:.2f}"
    assert "the care worker&#x27;s pay, £12.21 an hour" in page


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
