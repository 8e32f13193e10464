"""Batch recipes with a year and a report: on the Rutland sample shipped with geosuff."""

import json

import pandas as pd
import pytest

import geosuff.batch
from geosuff.batch import RecipeError, recipe_from_dict
from geosuff.batch.plan import plan
from geosuff.datasets import sample_dir
from tests.report_helpers import parse, table

SAMPLE = sample_dir()
PROJECTION = SAMPLE / "ons" / "snpp2018_persons_table2.csv"


def _recipe(**extra) -> dict:
    area = {
        "name": "Rutland",
        "network": str(SAMPLE / "osm" / "rutland-2022-07-20.osm.pbf"),
        "zones": "rutland_3_zones",
        "focus": "Oakham",
    }
    area.update(extra.pop("area", {}))
    return {
        "output": "out",
        "format": "csv",
        "analyses": ["summary", "gaps", "report"],
        "areas": [area],
        "runs": {"days": 20},
        **extra,
    }


def _projected_75plus(code: str, year: int) -> float:
    """People aged 75+ in the projection file itself, summed by hand."""
    raw = pd.read_csv(PROJECTION)
    rows = raw[(raw["CODE"] == code) & raw["AGE GROUP"].isin(["75-79", "80-84", "85-89", "90+"])]
    assert len(rows) == 4
    return float(rows[str(year)].sum())


def test_year_top_level_or_per_area_and_focus(tmp_path):
    rec = recipe_from_dict(_recipe(year=2030), base=tmp_path, data_dir=SAMPLE)
    assert rec.areas[0].year == 2030 and rec.areas[0].focus == "Oakham"
    own = recipe_from_dict(_recipe(year=2030, area={"year": 2035}), base=tmp_path, data_dir=SAMPLE)
    assert own.areas[0].year == 2035  # an area's own year wins
    plain = recipe_from_dict(_recipe(), base=tmp_path, data_dir=SAMPLE)
    assert plain.areas[0].year is None


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2030", "must be a whole number"),
        (2030.5, "must be a whole number"),
        (True, "must be a whole number"),
        (2050, "2018-2043"),
    ],
)
def test_bad_year_is_reported_before_any_work(tmp_path, year, message):
    with pytest.raises(RecipeError, match=message):
        recipe_from_dict(_recipe(year=year), base=tmp_path, data_dir=SAMPLE)


def test_year_and_focus_join_the_fingerprints(tmp_path):
    def planned(**extra) -> dict:
        rec = recipe_from_dict(_recipe(**extra), base=tmp_path, data_dir=SAMPLE)
        return {t.spec.key: t for t in plan(rec)}

    base, y30, y35 = planned(), planned(year=2030), planned(year=2035)
    focus = planned(area={"focus": "Uppingham"})
    projection = str(PROJECTION.resolve())
    for key in base:
        # every task of an area with a year reads the projection; its year is in the hash
        assert projection in y30[key].inputs
        assert y30[key].fingerprint != base[key].fingerprint
        assert y30[key].fingerprint != y35[key].fingerprint
    assert projection not in base["E06000017/summary"].inputs
    assert projection in base["E06000017/report"].inputs  # the report's trajectory
    # the focus changes the report only
    assert focus["E06000017/report"].fingerprint != base["E06000017/report"].fingerprint
    assert focus["E06000017/gaps"].fingerprint == base["E06000017/gaps"].fingerprint


@pytest.fixture(scope="module")
def run_2030(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch2030")
    recipe = _recipe(year=2030)
    first = geosuff.batch.run(recipe, out=out, data_dir=SAMPLE)
    second = geosuff.batch.run(recipe, out=out, data_dir=SAMPLE)
    return out, first, second


def test_report_analysis_writes_the_page(run_2030):
    out, first, second = run_2030
    entry = first["tasks"]["E06000017/report"]
    assert entry["status"] == "done" and entry["output"] == "E06000017/report.html"
    assert entry["rows"] == 6 and entry["year"] == 2030
    assert second["runs"][-1]["executed"] == []  # nothing changed: nothing re-run
    page = (out / "E06000017" / "report.html").read_text(encoding="utf-8")
    dom = parse(page)
    assert dom.sections == ["findings", "population", "supply", "homecare", "map", "caveats"]
    in_2030 = _projected_75plus("E06000017", 2030)
    beds = table(dom, "Care home beds against the benchmarks by district, 2020 and 2030")
    assert beds.iloc[0]["Aged 75+ 2030, projected"] == f"{in_2030:,.0f}"
    assert beds.iloc[0]["Aged 75+ 2020"] == "4,964"
    # What the 2030 figures leave out is stated: the sample's projection holds Rutland
    # only, so demand over the border keeps its estimates (a warning of the gaps task).
    assert "Warnings raised while these figures were computed" in page
    assert "LSOAs over the border keep their estimates" in page


def test_tables_of_a_year_say_which_population(run_2030):
    out, first, _ = run_2030
    summary = pd.read_csv(out / "E06000017" / "summary.csv")
    assert summary["pop_75plus"].iloc[-1] == pytest.approx(_projected_75plus("E06000017", 2030))
    assert summary["year"].tolist() == [2030]
    assert (
        summary["population_basis"]
        .iloc[0]
        .startswith("ONS 2018-based subnational population projections")
    )
    gaps = pd.read_csv(out / "E06000017" / "gaps.csv")
    assert set(gaps["year"]) == {2030}
    assert first["tasks"]["E06000017/gaps"]["year"] == 2030
    # The report's travel and flags are the gaps task's own figures.
    page = (out / "E06000017" / "report.html").read_text(encoding="utf-8")
    flags = table(parse(page), "LSOAs flagged by the gap rules").set_index("Flag")
    assert flags.loc["any of these", "LSOAs"] == str(int(gaps["flagged"].sum()))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tasks"]["E06000017/report"]["travel_method"] == "network"
