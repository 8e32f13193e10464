import pandas as pd
import pytest

from geosuff._errors import AreaNotFoundError
from geosuff.io.areas import resolve_area
from geosuff.io.postcodes import load_postcodes, normalise_postcodes


def test_normalise_postcodes():
    got = normalise_postcodes(pd.Series(["sp36ls", " SP3  6LS ", "b987hd", "", None, "nonsense!"]))
    assert got.tolist()[:3] == ["SP3 6LS", "SP3 6LS", "B98 7HD"]
    assert got.iloc[3:].isna().all()


def test_real_codepoint_lookup(data_dir):
    zipped = next((data_dir / "postcodes").glob("codepo_gb_*.zip"))
    table = load_postcodes(zipped, only=["SP3 6LS", "wr15 8aa"])
    assert table.loc["SP3 6LS", ["easting", "northing"]].tolist() == [395099, 129692]
    assert set(table.index.str.split().str[0].str.rstrip("0123456789")) == {"SP", "WR"}


@pytest.mark.parametrize(
    ("text", "code", "n_districts"),
    [
        ("Wiltshire", "E06000054", 1),
        ("e06000017", "E06000017", 1),
        ("B&NES", "E06000022", 1),
        ("Worcestershire", "E10000034", 6),
    ],
)
def test_resolve_area(data_dir, text, code, n_districts):
    area = resolve_area(text, data_dir)
    assert area.code == code and len(area.district_codes) == n_districts


def test_unknown_area_suggests(data_dir):
    with pytest.raises(AreaNotFoundError, match="Wiltshire"):
        resolve_area("Wiltshir", data_dir)
