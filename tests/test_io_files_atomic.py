"""Atomic writes: stale temporary files are cleaned, and errors name the user's file."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from geosuff._errors import OutputError
from geosuff.io import writing as files
from geosuff.io.files import atomic_path, clean_stale_temp_files, write_table


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def temp_name(final, pid, host=files._HOST):
    return f".{Path(final).stem}.{host}-{pid}-0a1b2c3d.tmp{Path(final).suffix}"


def test_temp_file_of_a_killed_write_is_removed_by_the_next_write(tmp_path):
    final = tmp_path / "access.parquet"
    stale = tmp_path / temp_name(final, dead_pid())
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / temp_name(final, os.getpid())  # a write in progress: kept
    live.write_bytes(b"y")
    other_output = tmp_path / temp_name(tmp_path / "gaps.parquet", dead_pid())
    other_output.write_bytes(b"z")
    write_table(pd.DataFrame({"a": [1]}), final)
    assert final.is_file() and not stale.exists()
    assert live.exists() and other_output.exists()  # another output's: left to its own writes
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == sorted([live.name, other_output.name])


def test_clean_stale_temp_files_in_a_folder_tree(tmp_path):
    sub = tmp_path / "E06000017"
    sub.mkdir()
    stale = sub / temp_name(sub / "runs.parquet", dead_pid())
    stale.write_bytes(b"x" * 2048)
    old_style = sub / ".summary.abcd1234.tmp.parquet"  # an older geosuff's, a day old
    old_style.write_bytes(b"x" * 10)
    day_ago = time.time() - 25 * 3600
    os.utime(old_style, (day_ago, day_ago))
    recent_old_style = sub / ".access.efgh5678.tmp.parquet"
    recent_old_style.write_bytes(b"x")
    foreign = sub / temp_name(sub / "gaps.parquet", dead_pid(), host="ffffff")
    foreign.write_bytes(b"x")  # another machine's, recent: it may still be writing
    user_file = sub / ".notes.txt"
    user_file.write_text("mine")
    removed = clean_stale_temp_files(tmp_path)
    assert sorted(p.name for p, _ in removed) == sorted([stale.name, old_style.name])
    assert sum(size for _, size in removed) == 2048 + 10
    assert recent_old_style.exists() and foreign.exists() and user_file.exists()


def test_failed_write_leaves_nothing_and_keeps_the_old_file(tmp_path):
    final = tmp_path / "out.csv"
    final.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(final) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stopped")
    assert final.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_output_folder_blocked_by_a_file_names_it(tmp_path):
    blocker = tmp_path / "maps"
    blocker.write_text("")
    with pytest.raises(OutputError) as err, atomic_path(blocker / "m.html"):
        pass
    assert str(err.value) == f"{blocker}: cannot create the output folder: a file has that name"


def test_unwritable_folder_names_the_folder_not_a_temp_file(tmp_path, monkeypatch):
    real_touch = Path.touch

    def refuse(self, *args, **kwargs):
        if ".tmp" in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_touch(self, *args, **kwargs)

    monkeypatch.setattr(Path, "touch", refuse)
    with pytest.raises(OutputError) as err:
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    assert str(err.value) == f"{tmp_path}: cannot write in this folder (Permission denied)"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_really_unwritable_folder(tmp_path):
    # /proc refuses new files even to root.
    with pytest.raises(OutputError) as err:
        write_table(pd.DataFrame({"a": [1]}), Path("/proc/self/out.csv"))
    assert str(err.value).startswith("/proc/self")
    assert ".tmp" not in str(err.value)


def test_error_while_writing_names_the_output(tmp_path):
    final = tmp_path / "out.csv"
    with pytest.raises(OutputError) as err, atomic_path(final) as tmp:
        raise OSError(28, "No space left on device", str(tmp))
    assert str(err.value) == f"{final}: cannot write (No space left on device)"


def test_output_that_is_a_folder(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
