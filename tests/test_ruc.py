import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.area_layers import load_area_layers
from geosuff.io.population import load_population
from geosuff.io.ruc import read_ruc, ruc_by_lsoa, ruc_for_points, ruc_from_nearest
from geosuff.io.surroundings import load_surroundings

CRS = "EPSG:27700"


def _write(path, rows):
    path.write_text("LSOA11CD,LSOA11NM,RUC11CD,RUC11\n" + "\n".join(rows) + "\n")
    return path


def test_read_ruc_rejects_unknown_codes_and_duplicates(tmp_path):
    path = _write(
        tmp_path / "ruc.csv",
        [
            "E01000001,A 001A,C1,Urban city and town",
            "E01000002,A 001B,e1 ,Rural village and dispersed",  # case and spaces tidied
            "E01000003,A 001C,X9,Nonsense",
            "E01000001,A 001A,E1,Rural village and dispersed",
        ],
    )
    data, rejects = read_ruc(path)
    assert data.set_index("lsoa_code")["ruc11"].to_dict() == {"E01000001": "C1", "E01000002": "E1"}
    assert data["ruc11_name"].tolist() == ["Urban city and town", "Rural village and dispersed"]
    assert rejects["line"].tolist() == [4, 5]
    assert rejects["reason"].iloc[0].startswith("unknown RUC11 code")
    assert rejects["reason"].iloc[1] == "duplicate LSOA row (first one used)"


def test_read_ruc_without_columns_is_one_line_error(tmp_path):
    path = tmp_path / "ruc.csv"
    path.write_text("code,class\nE01000001,C1\n")
    with pytest.raises(InputFileError, match="needs LSOA11CD and RUC11CD"):
        read_ruc(path)


def test_ruc_by_lsoa_in_input_order_missing_is_none(tmp_path):
    path = _write(tmp_path / "ruc.csv", ["E01000001,a,C1,x", "E01000002,b,D1,x"])
    got = ruc_by_lsoa(["E01000002", "E01999999", "E01000001"], path=path)
    assert got.tolist() == ["D1", None, "C1"]
    empty = tmp_path / "empty_data"
    empty.mkdir()
    assert ruc_by_lsoa(["E01000001"], data_dir=empty).tolist() == [None]


def _squares():
    # two 1 km squares side by side, and a third without a class
    return gpd.GeoDataFrame(
        {"lsoa_code": ["L1", "L2", "L3"], "ruc11": ["E1", "C1", None]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 1000, 1000, 2000)],
        crs=CRS,
    )


def test_ruc_for_points_point_in_polygon():
    xy = np.array(
        [
            [500, 500],  # in L1 (E1)
            [1500, 500],  # in L2 (C1)
            [1000, 500],  # on the L1/L2 boundary: the smaller code, C1, whatever the row order
            [500, 1500],  # in L3, which has no class
            [2100, 500],  # 100 m outside everything
        ]
    )
    assert ruc_for_points(xy, _squares()).tolist() == ["E1", "C1", "C1", None, None]
    flipped = _squares().iloc[::-1]
    assert ruc_for_points(xy, flipped).tolist() == ["E1", "C1", "C1", None, None]
    # within max_dist_m of a classed polygon: its class (the L3 point is 500 m from L1)
    near = ruc_for_points(xy, _squares(), max_dist_m=150)
    assert near.tolist() == ["E1", "C1", "C1", None, "C1"]
    assert ruc_for_points(xy, _squares(), max_dist_m=600)[3] == "E1"
    wgs = _squares().to_crs("EPSG:4326")  # polygons in another CRS are reprojected
    assert ruc_for_points(xy[:2], wgs).tolist() == ["E1", "C1"]


def test_ruc_for_points_checks_its_input():
    with pytest.raises(ValidationError, match="no 'ruc11' column"):
        ruc_for_points(np.zeros((1, 2)), _squares().drop(columns="ruc11"))
    with pytest.raises(ValidationError, match=r"\(n, 2\)"):
        ruc_for_points(np.zeros(3), _squares())
    assert ruc_for_points(np.zeros((0, 2)), _squares()).tolist() == []


def test_ruc_from_nearest_skips_unknown_and_far():
    ref = np.array([[0.0, 0.0], [100.0, 0.0], [1000.0, 0.0]])
    codes = pd.Series(["C1", None, "E1"])
    got = ruc_from_nearest(np.array([[90.0, 0.0], [900.0, 0.0], [5000.0, 0.0]]), ref, codes)
    assert got.tolist() == ["C1", "E1", "E1"]
    got = ruc_from_nearest(np.array([[5000.0, 0.0]]), ref, codes, max_dist_m=1000)
    assert got.tolist() == [None]


@pytest.mark.parametrize(
    ("area", "counts"),
    [
        ("Rutland", {"C1": 6, "D1": 8, "E1": 9}),
        ("Wiltshire", {"C1": 152, "D1": 54, "E1": 79}),
        ("Worcestershire", {"A1": 12, "C1": 256, "D1": 37, "E1": 59}),
        ("Bath and North East Somerset", {"C1": 90, "D1": 10, "E1": 15}),
    ],
)
def test_real_population_layer_carries_ruc11(data_dir, area, counts):
    from geosuff.io.areas import resolve_area

    pop = load_population(resolve_area(area, data_dir), data_dir=data_dir).data
    assert pop["ruc11"].value_counts().to_dict() == counts


def test_real_points_take_their_lsoa_class(data_dir):
    layers = load_area_layers("Rutland", data_dir=data_dir)
    homes = layers.care_homes
    # the layer's ruc11 (by the LSOA code each home was placed in) equals an independent
    # point-in-polygon lookup of the homes' coordinates
    xy = np.column_stack([homes.geometry.x, homes.geometry.y])
    assert ruc_for_points(xy, layers.population).tolist() == homes["ruc11"].tolist()
    assert homes["ruc11"].value_counts().to_dict() == {"C1": 4, "D1": 4, "E1": 4}
    around = load_surroundings(layers, buffer_km=10, data_dir=data_dir)
    assert around.demand["ruc11"].notna().all()
    assert around.demand.loc[~around.demand["in_area"], "ruc11"].isin(["C1", "D1", "E1"]).all()
    for frame in around.providers.values():
        assert frame["ruc11"].notna().all()
