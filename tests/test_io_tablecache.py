import pandas as pd
import pytest

from geosuff.io import _tablecache as tc
from geosuff.io.files import read_table
from geosuff.io.population import read_population_estimates


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GEOSUFF_TABLE_CACHE", str(folder))
    tc.clear_memo()
    yield folder
    tc.clear_memo()


def counting(monkeypatch):
    calls = []

    def fake(path, **kwargs):
        calls.append(path)
        return read_table(path, **kwargs)

    monkeypatch.setattr(tc, "read_table", fake)
    return calls


def test_parsed_once_per_process_then_from_parquet(tmp_path, cache, monkeypatch):
    src = tmp_path / "t.csv"
    src.write_text("code,a,b\nE1,01,x\nE2,,y\n", encoding="utf-8")
    calls = counting(monkeypatch)
    first = tc.cached_table(src, dtype=str)
    first["extra"] = 1  # callers may add columns without touching the memo
    second = tc.cached_table(src, dtype=str)
    assert len(calls) == 1 and "extra" not in second
    pd.testing.assert_frame_equal(second, read_table(src, dtype=str))
    assert second["a"].tolist()[0] == "01"  # strings stay strings
    (entry,) = cache.glob("t-*.parquet")
    tc.clear_memo()  # a new command: read from the Parquet cache, not the CSV
    third = tc.cached_table(src, dtype=str)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(third, read_table(src, dtype=str))
    # other read options are another entry
    tc.cached_table(src)
    assert len(calls) == 2 and len(list(cache.glob("t-*.parquet"))) == 2
    assert entry.exists()


def test_an_edited_file_is_read_again(tmp_path, cache, monkeypatch):
    src = tmp_path / "t.csv"
    src.write_text("code,n\nE1,1\n", encoding="utf-8")
    assert tc.cached_table(src)["n"].tolist() == [1]
    src.write_text("code,n\nE1,2\nE2,3\n", encoding="utf-8")
    tc.clear_memo()
    assert tc.cached_table(src)["n"].tolist() == [2, 3]


def test_unreadable_entry_is_ignored_and_cache_can_be_off(tmp_path, cache, monkeypatch):
    src = tmp_path / "t.csv"
    src.write_text("code,n\nE1,1\n", encoding="utf-8")
    tc.cached_table(src)
    (entry,) = cache.glob("t-*.parquet")
    entry.write_bytes(b"not parquet")
    tc.clear_memo()
    assert tc.cached_table(src)["n"].tolist() == [1]
    pd.read_parquet(entry)  # rewritten
    monkeypatch.setenv("GEOSUFF_TABLE_CACHE", "off")
    tc.clear_memo()
    other = tmp_path / "u.csv"
    other.write_text("code,n\nE1,1\n", encoding="utf-8")
    tc.cached_table(other)
    assert not list(cache.glob("u-*.parquet"))
    assert tc.table_cache_dir() is None


def test_national_population_same_through_the_cache(data_dir, cache, monkeypatch):
    path = next((data_dir / "ons").glob("population_*lsoa11_syoa.csv"))
    codes = {"E01013482", "E01013483", "E01032040"}
    calls = counting(monkeypatch)
    a, _ = read_population_estimates(path, codes=codes)
    b, rb = read_population_estimates(path)
    tc.clear_memo()
    c, rc = read_population_estimates(path)
    assert len(calls) == 1  # area, surroundings and the next command: one CSV parse
    pd.testing.assert_frame_equal(b, c)
    pd.testing.assert_frame_equal(rb, rc)
    pd.testing.assert_frame_equal(a, b.loc[a.index])
    assert len(b) == 34_753
    assert float(b.loc[b.index.str.startswith("E"), "pop_75plus"].sum()) > 4.5e6
