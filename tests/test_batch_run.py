import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest

import geosuff
import geosuff.batch
from geosuff.batch import tasks as batch_tasks
from geosuff.io.layout import shipped_dir

EXAMPLE = shipped_dir("examples") / "batch.toml"


@pytest.fixture(scope="module")
def net_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("networks")


@pytest.fixture(scope="module")
def example_run(data_dir, net_cache, tmp_path_factory):
    """The shipped example recipe, run serially, then again."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GEOSUFF_CACHE", str(net_cache))
    out = tmp_path_factory.mktemp("serial")
    first = geosuff.batch.run(EXAMPLE, out=out, data_dir=data_dir)
    second = geosuff.batch.run(EXAMPLE, out=out, data_dir=data_dir)
    mp.undo()
    return out, first, second


def table(path):
    try:
        return gpd.read_parquet(path)
    except ValueError:  # plain Parquet (no geometry)
        return pd.read_parquet(path)


def test_example_recipe_runs_every_task(example_run):
    out, first, _ = example_run
    last = first["runs"][-1]
    assert last["failed"] == [] and last["skipped"] == []
    assert len(last["executed"]) == 6
    tasks = first["tasks"]
    assert tasks["E06000017/access"]["travel_method"] == "network"
    assert tasks["E06000022/access"]["travel_method"] == "estimate_calibrated"
    assert tasks["E06000017/access"]["rows"] == 23
    assert tasks["E06000022/gaps"]["rows"] == 115
    summary = table(out / "E06000017" / "summary.parquet")
    assert summary["pop_75plus"].iloc[-1] == 4964 and summary["beds"].iloc[-1] == 419
    summary = table(out / "E06000022" / "summary.parquet")
    # B&NES: care homes for older people (the default scope), each home counted once
    assert summary["pop_75plus"].iloc[-1] == 18013 and summary["beds"].iloc[-1] == 1512
    access = gpd.read_parquet(out / "E06000017" / "access.parquet")
    assert access.crs.to_epsg() == 27700 and len(access) == 23


def test_manifest_records_inputs_parameters_versions_and_rejects(example_run):
    out, first, _ = example_run
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["tasks"].keys() == first["tasks"].keys()
    assert on_disk["geosuff_version"] == geosuff.__version__
    assert "dask" in on_disk["packages"]
    assert any(p.endswith(".osm.pbf") for p in on_disk["inputs"])
    assert all(v["sha256"].startswith("sha256:") for v in on_disk["inputs"].values())
    entry = on_disk["tasks"]["E06000022/gaps"]
    assert entry["parameters"]["runs"]["days"] == 50
    assert entry["parameters"]["gaps"]["nursing_minutes"] == 30
    assert entry["output"] == "E06000022/gaps.parquet"
    assert entry["seconds"] >= 0 and entry["output_sha256"].startswith("sha256:")
    assert entry["rejects"].get("rejected", 0) >= 1
    assert (out / entry["rejects_file"]).is_file()
    # the network file is an input of network tasks only
    assert not any(p.endswith(".pbf") for p in on_disk["tasks"]["E06000017/summary"]["inputs"])


def test_second_run_skips_everything(example_run):
    _, _, second = example_run
    last = second["runs"][-1]
    assert last["executed"] == [] and last["failed"] == []
    assert len(last["skipped"]) == 6
    assert len(second["runs"]) == 2


def test_changed_parameter_reruns_only_dependent_tasks(example_run, data_dir, tmp_path):
    out, _, _ = example_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    raw = {
        "output": str(copy),
        "analyses": ["summary", "access", "gaps"],
        "areas": [
            {"name": "Rutland", "network": "{data}/osm/rutland-2022-07-20.osm.pbf"},
            "Bath and North East Somerset",
        ],
        "access": {"buffer_km": 20, "max_minutes": 60, "catchment_minutes": 30},
        "runs": {"days": 50, "seed": 0},
        "gaps": {"with_runs": True, "home_care_minutes": 20, "nursing_minutes": 25},
    }
    raw["areas"] = raw["areas"][1:]  # B&NES only: no network build
    manifest = geosuff.batch.run(raw, data_dir=data_dir)
    last = manifest["runs"][-1]
    assert last["executed"] == ["E06000022/gaps"]
    assert set(last["skipped"]) == {"E06000022/summary", "E06000022/access"}


def test_missing_output_is_redone(example_run, net_cache, tmp_path, monkeypatch):
    out, _, _ = example_run
    monkeypatch.setenv("GEOSUFF_CACHE", str(net_cache))
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "E06000022" / "access.parquet").unlink()
    (copy / "E06000017" / "summary.parquet").write_bytes(b"changed")
    manifest = geosuff.batch.run(EXAMPLE, out=copy)
    assert manifest["runs"][-1]["executed"] == ["E06000017/summary", "E06000022/access"]


def assert_same_outputs(a, b, keys):
    for key in keys:
        left, right = table(a / f"{key}.parquet"), table(b / f"{key}.parquet")
        pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))


def test_process_pool_and_dask_local_match_serial(example_run, net_cache, tmp_path, monkeypatch):
    out, first, _ = example_run
    monkeypatch.setenv("GEOSUFF_CACHE", str(net_cache))
    keys = sorted(first["tasks"])
    procs = geosuff.batch.run(EXAMPLE, out=tmp_path / "procs", workers=2, parallel=True)
    assert procs["runs"][-1]["backend"] == "processes"
    assert procs["runs"][-1]["worker_start_seconds"] >= 0  # measured, for the next choice
    assert sorted(procs["runs"][-1]["executed"]) == keys
    dask = geosuff.batch.run(
        EXAMPLE, out=tmp_path / "dask", workers=2, scheduler="local", dask_processes=False
    )
    assert dask["runs"][-1]["backend"] == "dask-local"
    assert sorted(dask["runs"][-1]["executed"]) == keys and dask["runs"][-1]["failed"] == []
    assert_same_outputs(out, tmp_path / "procs", keys)
    assert_same_outputs(out, tmp_path / "dask", keys)


def test_failed_task_is_recorded_and_others_finish(data_dir, tmp_path, monkeypatch):
    real = batch_tasks.ANALYSES["access"]

    def flaky(ctx, params):
        if ctx.layers.area.code == "E06000017":
            raise RuntimeError("disk on fire")
        return real.run(ctx, params)

    monkeypatch.setitem(
        batch_tasks.ANALYSES, "access", real.__class__("access", flaky, real.parameters)
    )
    raw = {
        "output": str(tmp_path / "out"),
        "analyses": ["summary", "access", "travel_matrix", "runs"],
        "areas": ["Rutland", {"name": "BANES", "care_homes": str(tmp_path / "nope.csv")}],
        "access": {"buffer_km": 0},
        "runs": {"days": 5},
        "travel_matrix": {"buffer_km": 0, "max_minutes": 30},
    }
    manifest = geosuff.batch.run(raw, data_dir=data_dir)
    last = manifest["runs"][-1]
    assert sorted(last["failed"]) == [
        "E06000017/access",
        "E06000022/access",
        "E06000022/runs",
        "E06000022/summary",
        "E06000022/travel_matrix",
    ]
    tasks = manifest["tasks"]
    assert tasks["E06000017/access"]["error"] == "E06000017/access: RuntimeError: disk on fire"
    missing = tasks["E06000022/summary"]["error"]
    assert missing.startswith("E06000022/summary: loading E06000022:") and "nope.csv" in missing
    assert tasks["E06000017/summary"]["status"] == "done"
    matrix = pd.read_parquet(tmp_path / "out" / "E06000017" / "travel_matrix.parquet")
    assert {"origin_id", "dest_id", "minutes", "method"} <= set(matrix.columns)
    assert matrix["minutes"].le(30).all() and matrix["origin_id"].nunique() == 23

    # fixed: the re-run finishes only what failed
    monkeypatch.setitem(batch_tasks.ANALYSES, "access", real)
    raw["areas"] = ["Rutland", "BANES"]
    again = geosuff.batch.run(raw, data_dir=data_dir)["runs"][-1]
    assert again["failed"] == []
    assert sorted(again["executed"]) == sorted(last["failed"])
    assert sorted(again["skipped"]) == [
        "E06000017/runs",
        "E06000017/summary",
        "E06000017/travel_matrix",
    ]
    runs = gpd.read_parquet(tmp_path / "out" / "E06000017" / "runs.parquet")
    # care_runs now returns the zone table of home_care_travel (no per-run count)
    assert runs["home_care_travel_method"].eq("estimate_calibrated").all()
    assert runs["home_care_legs_sampled"].gt(0).all()


def test_scenario_reports_difference_against_base(data_dir, tmp_path):
    layers = geosuff.load_area_layers("Rutland", data_dir=data_dir)
    nursing = layers.care_homes[layers.care_homes["kind"] == "care_home_nursing"]
    gone = nursing["provider_id"].iloc[0]
    # a new nursing home at the population-weighted centre of the farthest LSOA
    base = geosuff.access(layers)
    far = base.loc[base["minutes_to_nursing"].idxmax()]
    centre = far.geometry.representative_point()
    postcode = layers.care_homes["postcode"].dropna().iloc[0]
    changes = tmp_path / "changes.csv"
    changes.write_text(
        "action,layer,provider_id,name,kind,beds,easting,northing,postcode\n"
        f"remove,care_homes,{gone},,,,,,\n"
        f"add,care_homes,,New nursing home,care_home_nursing,60,{centre.x},{centre.y},\n"
        f"add,home_care,,New agency,,,,,{postcode}\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("action,layer,name,postcode\nadd,home_care,Nowhere agency,ZZ9 9ZZ\n")
    raw = {
        "output": str(tmp_path / "out"),
        "analyses": ["access"],
        "areas": ["Rutland"],
        "access": {"buffer_km": 0},
        "runs": {"days": 5},
        "scenarios": [
            {"name": "new-home", "changes": str(changes)},
            {"name": "bad-postcode", "changes": str(bad)},
        ],
    }
    manifest = geosuff.batch.run(raw, data_dir=data_dir)
    entry = manifest["tasks"]["E06000017/scenario-new-home"]
    assert entry["status"] == "done", entry.get("error")
    assert entry["changes_applied"] == 3 and entry["rows"] == 23
    diff = gpd.read_parquet(tmp_path / "out" / entry["output"])
    row = diff.set_index("lsoa_code").loc[far["lsoa_code"]]
    assert row["scenario_minutes_to_nursing"] < row["base_minutes_to_nursing"]
    assert row["change_minutes_to_nursing"] < 0
    assert set(diff["gap_change"]) <= {"", "closed", "opened"}
    assert diff["base_e2sfca_beds_per_1000_75plus"].notna().all()
    assert diff["base_minutes_to_home_care"].isna().all()  # no Rutland agency in the data
    assert diff["scenario_minutes_to_home_care"].notna().all()
    assert (tmp_path / "out" / "E06000017" / "access.parquet").is_file()
    failed = manifest["tasks"]["E06000017/scenario-bad-postcode"]
    assert failed["status"] == "failed"
    assert "line 2: 'ZZ9 9ZZ'" in failed["error"] and "bad.csv" in failed["error"]


def test_single_process_travel_inside_parallel_jobs():
    from geosuff.network import travel

    before = travel._pool_workers
    with batch_tasks.single_process_travel(True):
        assert travel._pool_workers(None, 1000, 300_000) == 1
    assert travel._pool_workers is before
    with batch_tasks.single_process_travel(False):
        assert travel._pool_workers is before
