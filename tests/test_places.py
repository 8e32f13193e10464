import geopandas as gpd
import pytest

from geosuff._errors import AreaNotFoundError
from geosuff.io.areas import resolve_area
from geosuff.io.places import (
    add_place_names,
    focus_places,
    lsoa_place_names,
    lsoas_in_place,
    resolve_place,
)


def test_focus_places_list_names_the_hard_to_serve_towns():
    places = focus_places()
    assert places["Tisbury"]["area"] == "Wiltshire"
    assert places["Tenbury Wells"]["wards"] == ["Tenbury"]


@pytest.mark.parametrize(
    ("name", "area", "matched", "km2"),
    [
        ("Tisbury", "Wiltshire", "ward Tisbury", 66.5),
        ("Tenbury Wells", "Worcestershire", "ward Tenbury", 79.4),
        ("marlborough", "Wiltshire", "ward Marlborough East, Marlborough West", 121.2),
    ],
)
def test_places_from_ward_names(data_dir, name, area, matched, km2):
    place = resolve_place(name, resolve_area(area, data_dir), data_dir=data_dir)
    assert place.matched == matched
    assert place.geometry.area / 1e6 == pytest.approx(km2, abs=0.1)


def test_place_from_postcode_sector(data_dir):
    place = resolve_place("SP3 6", resolve_area("Wiltshire", data_dir), data_dir=data_dir)
    assert place.matched == "postcode SP3 6 (239 postcodes)"
    tisbury = resolve_place("Tisbury", resolve_area("Wiltshire", data_dir), data_dir=data_dir)
    assert place.geometry.intersects(tisbury.geometry)


def test_unknown_place_suggests_wards(data_dir):
    with pytest.raises(AreaNotFoundError, match="wards like it: Tisbury"):
        resolve_place("Tisb", resolve_area("Wiltshire", data_dir), data_dir=data_dir)


def _square_lsoas():
    from shapely.geometry import box

    geoms = [
        box(0, 0, 1000, 1000),  # inside the place
        box(1000, 0, 2000, 1000),  # only touches its edge (5 m overlap)
        box(-500, 1000, 500, 2000),  # 40% inside, its people outside
        box(-600, 2000, 400, 3000),  # 40% inside, its people inside
    ]
    demand = [(500, 500), (1500, 500), (-300, 1500), (200, 2500)]
    return gpd.GeoDataFrame(
        {
            "lsoa_code": ["A", "B", "C", "D"],
            "demand_e": [d[0] for d in demand],
            "demand_n": [d[1] for d in demand],
        },
        geometry=geoms,
        crs="EPSG:27700",
    )


def test_focus_rule_takes_lsoas_mostly_inside():
    from shapely.geometry import box

    place = box(-5, -5, 1005, 3005).difference(box(-5, 1000, 100, 3005))
    inside = lsoas_in_place(_square_lsoas(), place)
    assert inside.tolist() == [True, False, False, True]
    assert lsoas_in_place(_square_lsoas(), place, min_share=0.3).tolist() == [
        True,
        False,
        True,
        True,
    ]


def test_place_names_from_the_ward_where_people_live():
    from shapely.geometry import box

    wards = gpd.GeoDataFrame(
        {"ward_code": ["W1", "W2"], "ward_name": ["East", "West"]},
        geometry=[box(0, 0, 5000, 5000), box(-5000, 0, 0, 5000)],
        crs="EPSG:27700",
    )
    names = lsoa_place_names(_square_lsoas(), wards).set_index("lsoa_code")
    assert names["ward_name"].to_dict() == {"A": "East", "B": "East", "C": "West", "D": "East"}


def test_focus_wilton_leaves_out_lsoas_on_its_edge(data_dir):
    from geosuff.io.area_layers import load_area_layers

    layers = load_area_layers("Wiltshire", data_dir=data_dir)
    pop = layers.population
    place = resolve_place("Wilton", layers.area, data_dir=data_dir)
    touching = pop.intersects(place.geometry).to_numpy()
    inside = lsoas_in_place(pop, place.geometry)
    # 13 LSOAs touch the ward, 3 are mostly inside it (the old rule counted all 13)
    assert int(touching.sum()) == 13 and int(inside.sum()) == 3
    share = pop.geometry.intersection(place.geometry).area / pop.geometry.area
    # two wholly inside; one half inside (49.9%) whose people live inside
    assert sorted(share[inside].round(3)) == [0.499, 0.998, 1.0]
    assert (share[touching & ~inside] < 0.2).all()
    named = add_place_names(pop[["lsoa_code"]], pop, layers.area, data_dir=data_dir)
    assert set(named.loc[inside, "ward_name"]) == {"Wilton"}
    assert named["ward_name"].notna().all()
