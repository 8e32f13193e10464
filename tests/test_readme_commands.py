"""The install check runs every geosuff command of the README (scripts/check_install.py)."""

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import check_install  # noqa: E402


def test_every_readme_command_is_run_or_skipped_with_a_reason():
    commands = check_install.readme_commands()
    texts = [c.text for c in commands]
    assert len(commands) >= 30
    assert set(check_install.SKIP) <= set(texts), "a skipped command is no longer in the README"
    assert all(reason for reason in check_install.SKIP.values())
    sample = [c for c in commands if c.sample]
    assert len(sample) >= 10
    kinds = {tuple(c.text.split()[1:3]) for c in sample}
    for kind in (("layers", "summary"), ("map", "maps/rutland.toml"), ("zones", "propose")):
        assert kind in kinds, kind
    assert {c.text.split()[1] for c in sample} >= {"access", "runs", "gaps", "batch", "travel"}


def test_commands_are_parsed_as_a_shell_would():
    readme = """
```sh
geosuff map --area Worcestershire --focus "Tenbury Wells" --out t.html   # a comment
geosuff network build --pbf ../shared/data/osm/r.osm.pbf --out net
make demo
```
"""
    first, second = check_install.readme_commands(readme)
    assert first.argv(None)[-4:] == ["--focus", "Tenbury Wells", "--out", "t.html"]
    assert second.argv(Path("/data"))[4] == "/data/osm/r.osm.pbf"
    assert not first.sample and first.allowed() == {0}


def test_continuation_lines_join_and_by_hand_files_are_skipped():
    readme = """
```sh
geosuff data fetch --area Wiltshire \\
    --only population_lsoa21 --only lsoa_lookup
geosuff layers summary --area Wiltshire --care-homes $F
geosuff supply --area Wiltshire \\
    --by town
```
"""
    fetch, by_hand, supply = check_install.readme_commands(readme)
    assert fetch.argv(None)[-2:] == ["--only", "lsoa_lookup"]
    assert fetch.skip_reason() == "downloads from the internet"
    assert by_hand.skip_reason() == "reads files downloaded by hand"
    assert supply.skip_reason() is None
    assert supply.argv(None) == ["geosuff", "supply", "--area", "Wiltshire", "--by", "town"]


def test_every_readme_command_splits_as_shell_words():
    for command in check_install.readme_commands():
        assert command.argv(Path("/data"))[0] == "geosuff", command.text
