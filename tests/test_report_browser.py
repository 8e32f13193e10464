"""Real-data reports opened in headless Chromium (no network): what a commissioner sees."""

from pathlib import Path

import pytest

from geosuff.maps.offline import assets_installed
from geosuff.report import build_report, collect_report_data
from geosuff.report.fmt import count, gap_words, number
from tests import browser
from tests.report_helpers import parse, table

ARTIFACTS = Path(__file__).resolve().parents[1] / "output" / "test-artifacts"
SECTIONS = ["findings", "population", "supply", "homecare", "map", "caveats"]

pytestmark = [
    pytest.mark.skipif(
        not browser.available(),
        reason=f"{browser.CHROMIUM} not installed (apt-get install -y chromium)",
    ),
    pytest.mark.skipif(
        not assets_installed(),
        reason="vendored Leaflet files missing (python scripts/vendor_leaflet.py)",
    ),
]

CASES = {
    "rutland": dict(
        area="Rutland",
        zones="geosuff/boundaries/rutland_3_zones.toml",
        network="osm/rutland-2022-07-20.osm.pbf",
        focus="Oakham",
    ),
    "wiltshire": dict(
        area="Wiltshire",
        year=2030,
        zones="geosuff/boundaries/wiltshire_15_zones.toml",
        focus="Tisbury",
    ),
    "worcestershire": dict(area="Worcestershire", focus="Tenbury Wells"),
}
#: People aged 75+ (mid-2020), care homes for older people (CQC, April 2021: the default
#: scope, each home once; the data README's 176 and 181 count every home), LSOAs, and
#: aged 75+ in 2030 from the ONS 2018-based projection (Table 2).
KNOWN = {
    "rutland": (4_964, 12, 23, None),
    "wiltshire": (51_991, 133, 285, 69_443),
    "worcestershire": (64_161, 134, 364, 85_815),
}


@pytest.fixture(scope="module", params=list(CASES))
def built(request, data_dir, tmp_path_factory):
    data = collect_report_data(data_dir=data_dir, **CASES[request.param])
    page, _ = build_report(data)
    out = tmp_path_factory.mktemp("reports") / f"{request.param}.html"
    out.write_text(page, encoding="utf-8")
    return request.param, data, out


def test_report_opens_offline_with_everything_drawn(built):
    name, data, out = built
    assert out.stat().st_size < 3_000_000
    found = browser.probe(out, size=(1400, 900))
    assert found["errors"] == [], found["errors"]
    assert found["pwned"] is False and found["leaflet"] is True
    dom = parse(found["_dom"])
    assert dom.sections == SECTIONS and dom.omitted == []
    assert dom.svgs >= 3  # the trajectory, the benchmark bars and the travel bars
    assert len(dom.findings) >= 8
    pop75, homes, lsoas, in_2030 = KNOWN[name]
    # The map is the same builder as `geosuff map`: every LSOA and care home drawn,
    # care-worker travel one of the shadings.
    assert found["counts"]["People aged 75+ (count)"] == lsoas
    assert found["counts"]["Care homes (size = beds)"] == homes
    travel_layer = next(b for b in found["bases"] if b.startswith("Care-worker travel per visit"))
    assert found["counts"][travel_layer] == lsoas
    # Figures agree with the data folder's own counts and with the analyses' tables.
    pop = table(dom, "People by age, 2020")
    assert pop.iloc[-1]["Aged 75+"] == count(pop75)
    sources = table(dom, "Data used, its vintage and coverage").set_index("Layer")
    assert sources.loc["Care homes", "Rows used"] == str(homes)
    assert sources.loc["Care homes", "Vintage"] == "CQC, about April 2021"
    assert any(f.startswith(f"In 2020, {count(pop75)} people aged 75+") for f in dom.findings)
    # The trajectory: 2020 from the estimates, then the projection, to 2040.
    traj = table(dom, "People aged 65+, 75+ and 85+ by year").set_index("Year")
    assert traj.loc["2020", "Aged 75+"] == count(pop75)
    assert list(traj.index)[-1] == "2040" and traj.loc["2025", "Basis"] == "projection"
    if in_2030 is not None:
        assert traj.loc["2030", "Aged 75+"] == count(in_2030)
    travel = table(dom, "Care-worker travel per visit by")
    zones = data.travel.zones
    assert len(travel) == int((zones["home_care_legs_sampled"] > 0).sum())
    longest = zones.sort_values("home_care_minutes_per_visit").iloc[-1]
    assert travel.iloc[0]["Travel per visit, min"] == number(
        longest["home_care_minutes_per_visit"], 1
    )
    summary = data.now.districts.iloc[-1]
    beds = table(dom, "Care home beds against the benchmarks by district, 2020").iloc[-1]
    assert beds["Residential beds"] == count(summary["residential_beds"])
    assert beds["Nursing beds"] == count(summary["nursing_beds"])
    assert int(beds["Residential beds"].replace(",", "")) + int(
        beds["Nursing beds"].replace(",", "")
    ) == int(summary["beds"])
    if data.then is not None:
        assert beds[f"Aged 75+ {data.then.label}"] == count(in_2030)
        future = data.then.districts.iloc[-1]
        assert beds[f"vs benchmark 65, {data.then.label}"] == gap_words(
            future["residential_beds_gap"]
        )
    if data.current.zones is not None:
        zones_table = table(dom, "Zone summaries")
        assert sorted(zones_table["Zone"]) == sorted(data.current.zones["unit"].astype(str))
        total = sum(int(v.replace(",", "")) for v in zones_table.iloc[:, 2])
        assert abs(total - (in_2030 or pop75)) <= len(zones_table)  # rounding per zone
    flags = table(dom, "LSOAs flagged by the gap rules").set_index("Flag")
    assert flags.loc["any of these", "LSOAs"] == count(data.gaps["flagged"].sum())
    caveats = " ".join(dom.findings) + found["_dom"]
    assert "partial: the data folder's README marks this file as partial" in caveats
    png = browser.screenshot(out, ARTIFACTS / f"report-{name}.png", size=(1400, 900))
    assert browser.distinct_colours(png) > 20


def test_report_prints_to_a4_pdf(built, tmp_path):
    name, _, out = built
    if name != "rutland":
        pytest.skip("one PDF is enough")
    from geosuff.report.pdf import print_pdf

    pdf = print_pdf(out, tmp_path / "rutland.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 3 <= pages <= 12
    assert b"/MediaBox [0 0 594.95" in data or b"/MediaBox [0 0 595" in data
