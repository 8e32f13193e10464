"""Batch skipping by content, --out, {data}, failing networks, killed runs, serial choice.

Every test works on a copy of the Rutland sample shipped with geosuff, so the files can
be changed; none needs the data folder.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import geosuff.batch
from geosuff import datasets
from geosuff._errors import ValidationError
from geosuff.batch import RecipeError, load_recipe
from geosuff.batch import inputs as batch_inputs
from geosuff.batch.backends import choose_backend
from geosuff.batch.context import AreaJob, TaskSpec
from geosuff.cli.main import app
from geosuff.io import writing as files
from geosuff.io.layout import shipped_dir

TESTS = Path(__file__).resolve().parent
ANALYSES = ["summary", "access", "runs", "gaps", "zones_check"]


@pytest.fixture
def data(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(datasets.sample_dir(), copy)
    return copy


@pytest.fixture
def seeds(tmp_path):
    path = tmp_path / "seeds.toml"
    shutil.copy(shipped_dir("boundaries") / "rutland_3_zones.toml", path)
    return path


def recipe(out, seeds, **extra):
    raw = {
        "output": str(out),
        "analyses": ANALYSES,
        "areas": [{"name": "Rutland", "zones": str(seeds)}],
        "access": {"buffer_km": 0},
        "runs": {"days": 3},
        "zones_check": {"days": 3},
    }
    raw.update(extra)
    return raw


def executed(manifest):
    return sorted(k.split("/")[1] for k in manifest["runs"][-1]["executed"])


@pytest.fixture
def first_run(data, seeds, tmp_path):
    manifest = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)
    assert executed(manifest) == sorted(ANALYSES), manifest["runs"][-1]
    return manifest


def test_same_data_through_a_symlink_or_a_relative_path_is_not_rerun(
    first_run, data, seeds, tmp_path, monkeypatch
):
    link = tmp_path / "link-to-data"
    link.symlink_to(data, target_is_directory=True)
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=link)
    assert executed(again) == []
    monkeypatch.chdir(tmp_path)
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir="data")
    assert executed(again) == []
    # touched but unchanged: checksums decide, not times
    ward_file = data / "ons" / "wards_2025_bgc" / "E06000017.geojson"
    os.utime(ward_file, (time.time() + 60, time.time() + 60))
    assert executed(geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)) == []


def test_changed_ward_file_reruns_only_the_zone_tasks(first_run, data, seeds, tmp_path):
    ward_file = data / "ons" / "wards_2025_bgc" / "E06000017.geojson"
    with ward_file.open("a") as fh:
        fh.write("\n")  # same wards, different bytes
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)
    assert executed(again) == ["gaps", "runs", "zones_check"]


def test_changed_seed_list_reruns_only_what_uses_zones(first_run, data, seeds, tmp_path):
    seeds.write_text(seeds.read_text() + "\n# edited\n")
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)
    assert executed(again) == ["gaps", "runs", "zones_check"]
    entry = again["tasks"]["E06000017/summary"]
    assert not any(p.endswith("seeds.toml") for p in entry["inputs"])


def test_changed_focus_places_rerun_seeded_zones(first_run, data, seeds, tmp_path, monkeypatch):
    own = tmp_path / "boundaries"
    shutil.copytree(shipped_dir("boundaries"), own)
    (own / "focus_places.toml").write_text(
        (own / "focus_places.toml").read_text() + "\n# edited\n", encoding="utf-8"
    )
    monkeypatch.setenv("GEOSUFF_BOUNDARIES", str(own))
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)
    assert executed(again) == ["gaps", "runs", "zones_check"]


def test_changed_layer_definitions_rerun_everything(first_run, data, seeds, tmp_path, monkeypatch):
    own = tmp_path / "layers"
    shutil.copytree(shipped_dir("layers"), own)
    path = own / "generic_providers.toml"
    path.write_text(path.read_text() + "\n# edited\n", encoding="utf-8")
    monkeypatch.setenv("GEOSUFF_LAYERS", str(own))
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)
    assert executed(again) == sorted(ANALYSES)


def test_changed_speed_profile_reruns_the_travel_tasks(
    first_run, data, seeds, tmp_path, monkeypatch
):
    package = tmp_path / "package"
    (package / "network").mkdir(parents=True)
    shutil.copytree(
        shipped_dir("layers").parent / "network" / "profiles", package / "network" / "profiles"
    )
    profile = package / "network" / "profiles" / "uk_care_worker.toml"
    profile.write_text(profile.read_text() + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(batch_inputs, "package_dir", lambda: package)
    again = geosuff.batch.run(recipe(tmp_path / "out", seeds), data_dir=data)
    assert executed(again) == ["access", "gaps", "runs", "zones_check"]


def test_out_overrides_output_and_may_replace_it(data, tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('analyses = ["summary"]\nareas = ["Rutland"]\n')
    with pytest.raises(RecipeError, match="'output' is missing"):
        load_recipe(path, data_dir=data)
    res = CliRunner().invoke(
        app, ["-q", "batch", str(path), "--data", str(data), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "E06000017" / "summary.parquet").is_file()
    path.write_text('output = "elsewhere"\nanalyses = ["summary"]\nareas = ["Rutland"]\n')
    manifest = geosuff.batch.run(path, data_dir=data, out=tmp_path / "o2")
    assert (tmp_path / "o2" / "manifest.json").is_file() and manifest["tasks"]
    assert not (tmp_path / "elsewhere").exists()


def test_data_placeholder_is_absolute_with_a_relative_data_folder(data, tmp_path, monkeypatch):
    sub = tmp_path / "recipes"
    sub.mkdir()
    path = sub / "r.toml"
    path.write_text(
        'output = "out"\nanalyses = ["access"]\n[[areas]]\nname = "Rutland"\n'
        'network = "{data}/osm/rutland-2022-07-20.osm.pbf"\n[access]\nbuffer_km = 0\n'
    )
    monkeypatch.chdir(tmp_path)
    rec = load_recipe("recipes/r.toml", data_dir="data")
    assert rec.data_dir == data and rec.data_dir.is_absolute()
    assert rec.areas[0].network == data / "osm" / "rutland-2022-07-20.osm.pbf"
    assert rec.areas[0].network.is_file()


def test_network_that_fails_to_load_fails_every_task_needing_it(data, seeds, tmp_path):
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not a protobuf at all")
    raw = recipe(tmp_path / "out", seeds, analyses=["summary", "access", "gaps"])
    raw["areas"] = [{"name": "Rutland", "network": str(broken)}]
    manifest = geosuff.batch.run(raw, data_dir=data, parallel=False)
    tasks = manifest["tasks"]
    assert tasks["E06000017/summary"]["status"] == "done"
    for name in ("access", "gaps"):
        entry = tasks[f"E06000017/{name}"]
        assert entry["status"] == "failed", entry
        assert f"road network {broken} could not be loaded" in entry["error"]
    assert not (tmp_path / "out" / "E06000017" / "gaps.parquet").exists()


def test_parameters_out_of_range_are_recipe_errors(data, tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        'output = "o"\nanalyses = ["runs"]\nareas = ["Rutland"]\n'
        "[runs]\ndays = 0\nvisit_minutes = -5\n[access]\nbuffer_km = -1\n"
    )
    with pytest.raises(RecipeError) as err:
        load_recipe(path, data_dir=data)
    text = str(err.value)
    assert "3 problems" in text
    assert "r.toml:5: [runs] days = 0 must be a whole number, 1 or more" in text
    assert "r.toml:6: [runs] visit_minutes = -5 must be more than 0" in text
    assert "r.toml:8: [access] buffer_km = -1 must be 0 or more" in text


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_run_records_a_killed_run_and_removes_its_temp_files(first_run, data, seeds, tmp_path):
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    killed_pid = dead_pid()
    manifest["runs"].append(
        {
            "status": "running",
            "started_at": "2026-01-01T00:00:00Z",
            "pid": killed_pid,
            "host": socket.gethostname(),
            "executed": ["E06000017/summary"],
            "skipped": [],
            "failed": [],
        }
    )
    (out / "manifest.json").write_text(json.dumps(manifest))
    stale = out / "E06000017" / f".access.{files._HOST}-{killed_pid}-deadbeef.tmp.parquet"
    stale.write_bytes(b"x" * 4096)
    again = geosuff.batch.run(recipe(out, seeds), data_dir=data)
    runs = again["runs"]
    assert runs[-2]["status"] == "killed" and runs[-2]["executed"] == ["E06000017/summary"]
    assert "noticed_at" in runs[-2]
    assert runs[-1]["status"] == "finished"
    assert runs[-1]["temp_files_removed"] == 1 and runs[-1]["temp_bytes_removed"] == 4096
    assert not stale.exists()


def test_a_live_run_in_the_same_folder_is_refused(first_run, data, seeds, tmp_path):
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["runs"].append(
        {
            "status": "running",
            "started_at": "2026-01-01T00:00:00Z",
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "executed": [],
            "skipped": [],
            "failed": [],
        }
    )
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValidationError, match="another geosuff batch"):
        geosuff.batch.run(recipe(out, seeds), data_dir=data)


def job(area, analyses, network=None):
    tasks = tuple(TaskSpec(f"{area}/{a}", a, {}) for a in analyses)
    return AreaJob(area, Path("."), {}, network, None, None, tasks)


def test_serial_when_parallel_would_not_pay(monkeypatch):
    from geosuff.batch import backends

    monkeypatch.setattr(backends, "usable_cpus", lambda: 2)
    small = [job("E1", ["summary"]), job("E2", ["summary"])]
    backend, reason = choose_backend(small, workers=2, scheduler=None, parallel=None, history={})
    assert backend == "serial" and "would not pay" in reason
    # long areas, as measured by a previous run: parallel pays
    big = [job(f"E{i}", ["access"]) for i in range(4)]
    history = {f"E{i}/access": {"seconds": 60.0, "area_load_seconds": 5.0} for i in range(4)}
    backend, reason = choose_backend(big, workers=2, scheduler=None, parallel=None, history=history)
    assert backend == "processes", reason
    assert (
        choose_backend(big, workers=2, scheduler=None, parallel=False, history=history)[0]
        == "serial"
    )
    assert (
        choose_backend(small, workers=2, scheduler=None, parallel=True, history={})[0]
        == "processes"
    )
    assert (
        choose_backend(big, workers=1, scheduler=None, parallel=None, history=history)[0]
        == "serial"
    )
    assert (
        choose_backend(small, workers=2, scheduler="local", parallel=None, history={})[0]
        == "dask-local"
    )
    assert choose_backend([], workers=2, scheduler=None, parallel=None, history={}) == (
        "serial",
        "nothing to run",
    )


def test_measured_worker_start_and_processors_count(monkeypatch):
    from geosuff.batch import backends

    big = [job(f"E{i}", ["access"]) for i in range(4)]
    history = {f"E{i}/access": {"seconds": 20.0, "area_load_seconds": 2.0} for i in range(4)}
    monkeypatch.setattr(backends, "usable_cpus", lambda: 2)
    kwargs = {"workers": 2, "scheduler": None, "parallel": None, "history": history}
    assert choose_backend(big, **kwargs, worker_start_s=2.0)[0] == "processes"
    backend, reason = choose_backend(big, **kwargs, worker_start_s=60.0)
    assert backend == "serial" and "with 60 s to start them" in reason
    monkeypatch.setattr(backends, "usable_cpus", lambda: 1)
    assert choose_backend(big, **kwargs) == ("serial", "one processor available")


def test_run_records_its_backend_and_why(data, seeds, tmp_path):
    raw = recipe(tmp_path / "out", seeds, analyses=["summary"])
    manifest = geosuff.batch.run(raw, data_dir=data, workers=2)
    last = manifest["runs"][-1]
    assert last["backend"] == "serial" and last["backend_reason"].startswith("one area")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for its reaper counts as gone
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_of_a_parallel_batch_leaves_no_worker(data, tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path[:0] = [{str(TESTS)!r}, {str(TESTS.parent)!r}]
            import batch_helpers  # registers wait_here
            import geosuff.batch
            raw = {{"output": {str(tmp_path / "out")!r}, "analyses": ["wait_here"],
                    "areas": ["Rutland"]}}
            if __name__ == "__main__":  # worker processes import this file too
                geosuff.batch.run(raw, data_dir={str(data)!r}, workers=2, parallel=True)
            """
        )
    )
    env = {**os.environ, "GEOSUFF_TEST_PID_DIR": str(pids)}
    parent = subprocess.Popen([sys.executable, str(script)], env=env, cwd=tmp_path)
    try:
        assert _wait_for(lambda: any(pids.iterdir()) or parent.poll() is not None, 180)
        assert parent.poll() is None, "the batch stopped before its worker started"
        workers = [int(p.stem) for p in pids.iterdir()]
        assert all(_alive(w) for w in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 30), workers
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in pids.iterdir():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(p.stem), signal.SIGKILL)
    # the next run records the killed one
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["runs"][-1]["status"] == "running"
    again = geosuff.batch.run(
        {"output": str(tmp_path / "out"), "analyses": ["summary"], "areas": ["Rutland"]},
        data_dir=data,
    )
    assert again["runs"][-2]["status"] == "killed"
