"""Usage errors, --debug, option ranges, --strict and output errors on the command line.

These run on the Rutland sample shipped with geosuff, so they need no data folder.
"""

import click
import pytest
import typer
from typer.testing import CliRunner

from geosuff.cli.main import GeosuffGroup, app, hoist_debug
from tests.fixtures import HSCA_HEADER, write_csv

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [*map(str, args)])


def _commands(group, prefix=()):
    """Every leaf command of the CLI, as its argument path."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = sorted(_commands(typer.main.get_command(app)))


def test_every_command_is_listed():
    assert ("layers", "summary") in COMMANDS and ("batch",) in COMMANDS
    assert ("travel", "matrix") in COMMANDS and ("data", "fetch") in COMMANDS
    assert len(COMMANDS) >= 14


def _is_usage_error(res, needle):
    assert res.exit_code == 2, res.output
    assert "Usage:" in res.output, res.output
    assert needle in res.output, res.output
    assert "internal error" not in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_unknown_option_is_a_usage_error_for_every_command(command):
    _is_usage_error(invoke(*command, "--no-such-option"), "No such option")


def test_unknown_command_bad_choice_non_number_and_missing_argument():
    _is_usage_error(invoke("nosuch"), "No such command")
    _is_usage_error(invoke("layers", "nosuch"), "No such command")
    _is_usage_error(invoke("layers", "summary", "--area", "Rutland", "--format", "xml"), "xml")
    _is_usage_error(invoke("runs", "--area", "Rutland", "--runs", "abc"), "--runs")
    _is_usage_error(invoke("layers", "summary"), "--area")
    _is_usage_error(invoke("zones", "check"), "zones")
    _is_usage_error(invoke("batch"), "recipe")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("runs", "--area", "Rutland", "--runs", "0"), "--runs"),
        (("runs", "--area", "Rutland", "--visit-minutes", "0"), "--visit-minutes"),
        (("runs", "--area", "Rutland", "--seed", "-1"), "--seed"),
        (("runs", "--area", "Rutland", "--hourly-rate", "-3"), "--hourly-rate"),
        (("access", "--area", "Rutland", "--buffer-km", "-1"), "--buffer-km"),
        (("access", "--area", "Rutland", "--max-minutes", "0"), "--max-minutes"),
        (("gaps", "--area", "Rutland", "--buffer-km", "-0.5"), "--buffer-km"),
        (("zones", "check", "rutland_3_zones", "--area", "Rutland", "--runs", "0"), "--runs"),
        (("zones", "propose", "--seeds", "Oakham", "--out", "x.csv", "--tolerance", "-1"), "tol"),
        (
            (
                "travel",
                "matrix",
                "--from",
                "a",
                "--to",
                "b",
                "--out",
                "t.csv",
                "--max-minutes",
                "-5",
            ),
            "--max-minutes",
        ),
        (("batch", "r.toml", "--workers", "0"), "--workers"),
    ],
)
def test_numbers_out_of_range_are_usage_errors_before_any_work(args, option, tmp_path):
    res = invoke(*args, "--data", "sample") if args[0] != "batch" else invoke(*args)
    _is_usage_error(res, option)
    assert "Invalid value" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_debug_anywhere_on_the_line():
    args = ["layers", "summary", "--area", "Atlantis", "--data", "sample"]
    plain = invoke(*args)
    assert plain.exit_code == 2 and plain.stderr.startswith("geosuff: error: no local authority")
    assert len(plain.stderr.strip().splitlines()) == 1
    for line in (["--debug", *args], [*args, "--debug"], [args[0], "--debug", *args[1:]]):
        res = invoke(*line)
        assert type(res.exception).__name__ == "AreaNotFoundError", res.output
    assert hoist_debug(["a", "--debug", "b", "--", "--debug"]) == [
        "--debug",
        "a",
        "b",
        "--",
        "--debug",
    ]
    assert hoist_debug(["a", "b"]) == ["a", "b"]


def _mini_app(error):
    mini = typer.Typer(cls=GeosuffGroup)

    @mini.callback()
    def main(debug: bool = typer.Option(False, "--debug")) -> None:
        """Test root."""

    @mini.command()
    def boom() -> None:
        """Raise *error*."""
        raise error

    return mini


@pytest.mark.parametrize(
    "error",
    [click.BadParameter("not good", param_hint="'--x'"), click.UsageError("wrong use")],
    ids=["click-bad-parameter", "click-usage-error"],
)
def test_errors_of_plain_click_are_usage_errors_too(error):
    # typer >= 0.2x bundles its own click; errors raised with click itself (as older
    # typer and many callbacks do) must also be usage errors, not internal errors.
    res = runner.invoke(_mini_app(error), ["boom"])
    assert res.exit_code == 2, res.output
    assert str(error.message) in res.output
    assert "internal error" not in res.output


def test_file_system_error_names_the_file():
    res = runner.invoke(_mini_app(PermissionError(13, "Permission denied", "/srv/x.csv")), ["boom"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "geosuff: error: /srv/x.csv: Permission denied"


@pytest.fixture
def bad_homes(tmp_path):
    return write_csv(
        tmp_path / "mine.csv",
        HSCA_HEADER,
        [
            ["1-1", "Y", "Ok", "Rutland", "", 52.67, -0.73, "Y", "", "", "Y", 40],
            ["1-2", "Y", "Bad", "Rutland", "", 52.67, -0.73, "", "Y", "", "Y", "lots"],
        ],
    )


@pytest.mark.parametrize("command", ["supply", "access", "runs", "gaps"])
def test_strict_fails_before_writing_any_output(command, bad_homes, tmp_path):
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    args = [command, "--area", "Rutland", "--data", "sample", "--care-homes", bad_homes]
    args += ["--out", out, "--rejects", rejects, "--strict"]
    if command in ("access", "gaps"):
        args += ["--buffer-km", "0"]
    res = invoke(*args)
    assert res.exit_code == 2, res.output
    assert "geosuff: error:" in res.stderr and "rejected" in res.stderr
    assert not out.exists()
    assert rejects.is_file()  # the rejects asked for are written, to fix them


def test_strict_summary_prints_no_table(bad_homes):
    args = ["layers", "summary", "--area", "Rutland", "--data", "sample", "--care-homes", bad_homes]
    res = invoke(*args, "-f", "json", "--strict")
    assert res.exit_code == 2 and res.stdout == ""


def test_unwritable_output_folder_is_one_line_naming_the_folder(tmp_path):
    blocker = tmp_path / "report.txt"
    blocker.write_text("a file where a folder should be")
    out = blocker / "wards.csv"
    res = invoke("-q", "supply", "--area", "Rutland", "--data", "sample", "--out", out)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"geosuff: error: {blocker}: ")
    assert ".tmp" not in res.output and "internal error" not in res.output
