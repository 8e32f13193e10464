"""Towns as groups of electoral wards: Trowbridge, Warminster, Bath, Kidderminster.

Commissioners speak of towns, not wards. A town is a group of wards, read from an
editable file per area in ``geosuff/boundaries/towns_<area>.toml`` (or the user's
own, ``--towns FILE``)::

    area = "E06000054"                      # the area's code (or name)
    [towns]
    "Trowbridge" = ["Trowbridge Adcroft", "Trowbridge Central", "Trowbridge Drynham"]

Wards the file does not list are grouped by the **name-prefix rule** (the default
when an area has no file): wards whose names start with the same word form one town,
named by the words all of them share (``Royal Wootton Bassett East`` and
``Royal Wootton Bassett North`` -> ``Royal Wootton Bassett``); a ward alone keeps
its own name (``Tisbury``). Names starting with a direction or a generic word
(North, St, Great, The, ...) and names containing ``Rural`` or ``Without`` (the
countryside around a town) keep their own names.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io.areas import Area, normalise_name
from geosuff.io.rejects import Loaded, empty_rejects, make_rejects

__all__ = ["BOUNDARIES_DIR", "find_towns_file", "load_towns", "prefix_towns"]

#: Shipped, editable boundary lists (zones, seed towns, towns).
BOUNDARIES_DIR = Path(__file__).resolve().parents[1] / "boundaries"

_GENERIC_FIRST = {
    "north",
    "south",
    "east",
    "west",
    "central",
    "upper",
    "lower",
    "great",
    "little",
    "old",
    "new",
    "st",
    "saint",
    "the",
    "high",
}
_COUNTRYSIDE = re.compile(r"\b(?:rural|without)\b", re.IGNORECASE)
_CONNECTORS = {"&", "and", "-", "with"}


def _words(name: str) -> list[str]:
    return [w.strip(",") for w in str(name).split() if w.strip(",")]


def prefix_towns(ward_names: pd.Series) -> pd.Series:
    """Group ward names into towns by the name-prefix rule.

    Parameters
    ----------
    ward_names
        Ward names (any index).

    Returns
    -------
    pandas.Series
        Town name per ward, same index.

    Examples
    --------
    >>> prefix_towns(pd.Series(["Calne North", "Calne South", "Tisbury"])).tolist()
    ['Calne', 'Calne', 'Tisbury']
    """
    names = ward_names.astype(str)
    words = names.map(_words)
    first = words.map(lambda w: w[0].lower() if w else "")
    alone = first.isin(_GENERIC_FIRST) | names.str.contains(_COUNTRYSIDE) | first.eq("")
    towns = names.copy()
    for _, group in words[~alone].groupby(first[~alone]):
        if len(group) < 2:
            continue
        common: list[str] = []
        for parts in zip(*group.tolist(), strict=False):
            if len({p.lower() for p in parts}) != 1:
                break
            common.append(parts[0])
        while common and common[-1].lower() in _CONNECTORS:
            common.pop()
        if common:
            towns[group.index] = " ".join(common)
    return towns


def find_towns_file(area: Area, folder: Path | None = None) -> Path | None:
    """Find the shipped towns file for an area (its ``area`` key names the area).

    Parameters
    ----------
    area
        The area.
    folder
        Where to look; default :data:`BOUNDARIES_DIR`.

    Returns
    -------
    pathlib.Path or None
        The ``towns_*.toml`` file, or ``None`` (then the name-prefix rule applies).
    """
    wanted = {area.code.lower(), normalise_name(area.name)}
    for path in sorted((folder or BOUNDARIES_DIR).glob("towns_*.toml")):
        try:
            key = str(tomllib.loads(path.read_text(encoding="utf-8")).get("area", ""))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if key.lower() in wanted or normalise_name(key) in wanted:
            return path
    return None


def _read(path: Path) -> dict[str, list[str]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"not a readable towns file ({exc})") from exc
    towns = raw.get("towns")
    if not isinstance(towns, dict) or not towns:
        raise InputFileError(path, "needs a [towns] table: town = [ward names]")
    out: dict[str, list[str]] = {}
    for town, wards in towns.items():
        if not isinstance(wards, list) or not all(isinstance(w, str) for w in wards):
            raise InputFileError(path, f"town {town!r}: give a list of ward names")
        out[str(town)] = wards
    return out


def load_towns(
    area: Area, wards: pd.DataFrame, *, path: str | os.PathLike[str] | None = None
) -> Loaded:
    """Assign every ward of an area to a town.

    Parameters
    ----------
    area
        The area.
    wards
        Its wards (``ward_code``, ``ward_name``), e.g. :func:`geosuff.io.wards.load_wards`.
    path
        A towns file; default the shipped file for the area, else none (the
        name-prefix rule for every ward).

    Returns
    -------
    Loaded
        ``data``: DataFrame ``ward_code``, ``ward_name``, ``town``, ``town_rule``
        (``listed`` or ``name prefix``); ``rejects``: names in the file that match
        no ward of the area, and wards listed under two towns (``flagged``).
    """
    file = Path(path) if path is not None else find_towns_file(area)
    listed: dict[str, str] = {}
    problems: list[pd.DataFrame] = []
    if file is not None:
        key = {normalise_name(n): n for n in wards["ward_name"].astype(str)}
        for town, names in _read(file).items():
            for name in names:
                found = key.get(normalise_name(name))
                source = f"towns ({file.name})"
                if found is None:
                    reason = f"ward {name!r} of town {town!r} is not a ward of {area.name}"
                    problems.append(make_rejects(source, [None], [None], [name], reason))
                elif found in listed and listed[found] != town:
                    reason = f"ward listed under {listed[found]!r} and {town!r} (first kept)"
                    problems.append(
                        make_rejects(source, [None], [None], [name], reason, action="flagged")
                    )
                else:
                    listed[found] = town
    names = wards["ward_name"].astype(str)
    town = names.map(listed).astype(object)
    rest = town.isna()
    town[rest] = prefix_towns(names[rest])
    data = pd.DataFrame(
        {
            "ward_code": wards["ward_code"].to_numpy(),
            "ward_name": names.to_numpy(),
            "town": town.to_numpy(),
            "town_rule": ["name prefix" if r else "listed" for r in rest],
        }
    )
    parts = [p for p in problems if not p.empty]
    return Loaded(data, pd.concat(parts, ignore_index=True) if parts else empty_rejects())
