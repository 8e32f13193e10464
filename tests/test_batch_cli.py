import json

from typer.testing import CliRunner

from geosuff.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(map(str, args)))


def test_batch_cli_runs_and_resumes(data_dir, tmp_path):
    recipe = tmp_path / "r.toml"
    recipe.write_text(
        'output = "out"\nanalyses = ["summary", "access"]\nareas = ["Rutland"]\n'
        "[access]\nbuffer_km = 0\n"
    )
    res = invoke("batch", recipe, "--data", data_dir, "--quiet")
    assert res.exit_code == 0, res.output
    assert "2 tasks run, 0 already done, 0 failed" in res.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["tasks"]["E06000017/access"]["status"] == "done"
    res = invoke("batch", recipe, "--data", data_dir, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert "0 tasks run, 2 already done" in res.output


def test_batch_cli_bad_recipe_is_one_line_naming_the_line(data_dir, tmp_path):
    recipe = tmp_path / "r.toml"
    recipe.write_text('output = "out"\nanalyses = ["summary"]\nareas = ["Rutland", "Narnia"]\n')
    res = invoke("batch", recipe, "--data", data_dir)
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("geosuff: error: ") and "r.toml:3: unknown area" in lines[0]
    assert not (tmp_path / "out").exists()


def test_batch_cli_failed_task_exit_1(data_dir, tmp_path):
    recipe = tmp_path / "r.toml"
    recipe.write_text(
        'output = "out"\nanalyses = ["summary"]\n'
        '[[areas]]\nname = "Rutland"\npostcodes = "no-such-postcodes.zip"\n'
        '[[areas]]\nname = "BANES"\ncare_homes = "missing-homes.csv"\n'
    )
    res = invoke("batch", recipe, "--data", data_dir, "--quiet")
    assert res.exit_code == 1, res.output
    assert "E06000022/summary: loading E06000022:" in res.output
    assert "missing-homes.csv" in res.output
