import textwrap

import pytest

from geosuff.batch import RecipeError, load_recipe


def write(tmp_path, text, name="recipe.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_good_recipe_resolves_areas_paths_and_parameters(data_dir, tmp_path):
    path = write(
        tmp_path,
        """
        output = "out"
        analyses = ["summary", "access", "gaps"]
        areas = ["Rutland", {name = "BANES", network = "{data}/osm/rutland-2022-07-20.osm.pbf"}]

        [access]
        buffer_km = 5
        """,
    )
    recipe = load_recipe(path, data_dir=data_dir)
    assert [a.code for a in recipe.areas] == ["E06000017", "E06000022"]
    assert recipe.areas[1].network == data_dir / "osm" / "rutland-2022-07-20.osm.pbf"
    assert recipe.output == tmp_path / "out"
    assert recipe.parameters["access"]["buffer_km"] == 5
    assert recipe.parameters["access"]["max_minutes"] == 60.0  # default kept
    assert recipe.analyses == ("summary", "access", "gaps")


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('analyses = ["summary"]\nareas = ["Rutland", "Nowhereshire"]\n', 3, "unknown area"),
        ('analyses = ["summary", "acess"]\nareas = ["Rutland"]\n', 2, "unknown analysis 'acess'"),
        (
            'analyses = ["access"]\nareas = ["Rutland"]\n\n[access]\nbuffer = 3\n',
            6,
            "unknown parameter 'buffer' in [access]",
        ),
        (
            'analyses = ["access"]\nareas = ["Rutland"]\n[access]\nmax_minutes = "soon"\n',
            5,
            "wrong type",
        ),
        ('analyses = ["access"]\nareas = ["Rutland"]\nworkers = 3\n', 4, "unknown recipe key"),
        ('analyses = ["access"\nareas = ["Rutland"]\n', None, "not valid TOML"),
    ],
)
def test_bad_recipe_names_the_line(data_dir, tmp_path, body, line, words):
    path = write(tmp_path, 'output = "out"\n' + body)
    with pytest.raises(RecipeError) as err:
        load_recipe(path, data_dir=data_dir)
    text = str(err.value)
    assert words in text
    assert "\n" not in text
    if line is not None:
        assert f"recipe.toml:{line}:" in text


def test_every_problem_reported_at_once(data_dir, tmp_path):
    path = write(
        tmp_path,
        """
        output = "out"
        analyses = ["summary", "nope"]
        areas = ["Atlantis"]
        [runs]
        n_run = 5
        """,
    )
    with pytest.raises(RecipeError, match="3 problems") as err:
        load_recipe(path, data_dir=data_dir)
    assert "recipe.toml:2:" in str(err.value) and "recipe.toml:3:" in str(err.value)
    assert "recipe.toml:5:" in str(err.value)


def test_zones_check_runs_from_a_seed_list(data_dir, tmp_path):
    import geopandas as gpd

    from geosuff.batch import run

    raw = {
        "output": str(tmp_path / "out"),
        "analyses": ["zones_check"],
        # a seed list shipped with geosuff, by name
        "areas": [{"name": "Rutland", "zones": "rutland_3_zones"}],
        "zones_check": {"days": 5},
    }
    manifest = run(raw, data_dir=data_dir)
    task = next(iter(manifest["tasks"].values()))
    assert task["status"] == "done", task
    table = gpd.read_parquet(next((tmp_path / "out").glob("*/zones_check.parquet")))
    assert sorted(table["zone"]) == ["Ketton", "Oakham", "Uppingham"]
    assert table["n_lsoas"].sum() == 23 and "problems" in table.columns


def test_scenario_file_checked_with_its_line(data_dir, tmp_path):
    changes = tmp_path / "changes.csv"
    changes.write_text(
        "action,layer,provider_id,name,kind,beds,easting,northing\n"
        "add,care_homes,,New home,care_home_nursing,40,486000,308000\n"
        "add,care_homes,,No place,care_home_nursing,40,,\n"
        "close,care_homes,1-1,,,,,\n"
    )
    path = write(
        tmp_path,
        """
        output = "out"
        analyses = ["access"]
        areas = ["Rutland"]

        [[scenarios]]
        name = "more-beds"
        changes = "changes.csv"
        """,
    )
    with pytest.raises(RecipeError) as err:
        load_recipe(path, data_dir=data_dir)
    text = str(err.value)
    assert "scenario 'more-beds'" in text and "line 3" in text and "line 4" in text
    assert "recipe.toml:7:" in text
