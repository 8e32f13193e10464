import pytest

from geosuff._errors import AreaNotFoundError
from geosuff.io.areas import resolve_area
from geosuff.io.places import focus_places, resolve_place


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
