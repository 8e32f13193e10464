"""What a data file is and when it describes: title, vintage and licence of a layer.

The vintage comes from what the data says about itself, never from the file's
modification time, in this order:

1. the data folder's ``catalogue.json`` (written by ``geosuff data fetch``);
2. the data folder's ``README.md`` table (``| path | what | vintage | notes |``),
   whose notes may also mark a file as partial;
3. the file's own content or name (the latest registration date in a CQC file, the
   year in ``population_mid2020_...``).
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from pathlib import Path
from typing import Any

from geosuff.io.provenance import SourceInfo

__all__ = ["catalogue_record", "data_readme_entry", "source_info"]

_LAYER_TITLES = {
    "population": "ONS mid-year population estimates by single year of age, 2011 LSOAs",
    "lsoa": "ONS LSOA (2011) boundaries",
    "care_homes": "care homes",
    "home_care": "home care agencies",
    "extra_care": "extra care schemes",
    "postcodes": "postcode positions",
}
_DEFAULT_VINTAGE = {"lsoa": "2011 LSOAs"}
_ONS_LICENCE = "Office for National Statistics, Open Government Licence v3.0"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


@functools.lru_cache(maxsize=8)
def _readme_rows(readme: Path, mtime: float) -> tuple[tuple[str, dict[str, str]], ...]:
    """Parse the data README's file table into (glob pattern, {column: text}) rows."""
    del mtime  # part of the cache key only
    try:
        lines = readme.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ()
    header: list[str] = []
    rows: list[tuple[str, dict[str, str]]] = []
    for line in lines:
        cells = [c.strip().lower() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "path":
            header = cells
            continue
        match = _ROW.match(line.strip())
        if not match or not header:
            continue
        values = [c.strip() for c in match.group(2).split("|")]
        record = dict(zip(header[1:], values, strict=False))
        pattern = re.sub(r"<[^>]+>", "*", match.group(1))
        rows.append((pattern, record))
    return tuple(rows)


def data_readme_entry(data_dir: Path | None, path: str | Path) -> dict[str, str] | None:
    """Return the data README's row describing *path*, if the folder has one.

    Parameters
    ----------
    data_dir
        The data folder (holding ``README.md``), or ``None``.
    path
        A file in it.

    Returns
    -------
    dict or None
        The row's cells by column name (``what``, ``vintage``, ``notes``), or
        ``None`` when the README does not list the file.
    """
    if data_dir is None:
        return None
    readme = Path(data_dir) / "README.md"
    if not readme.is_file():
        return None
    try:
        rel = Path(path).resolve().relative_to(Path(data_dir).resolve()).as_posix()
    except ValueError:
        return None
    for pattern, record in _readme_rows(readme, readme.stat().st_mtime):
        if fnmatch.fnmatch(rel, pattern):
            return record
    return None


def catalogue_record(data_dir: Path | None, path: str | Path) -> dict[str, Any] | None:
    """Return the data folder's ``catalogue.json`` record of *path*, if any.

    Parameters
    ----------
    data_dir
        The data folder, or ``None``.
    path
        A file in it.

    Returns
    -------
    dict or None
        The record (``vintage``, ``licence``, ``attribution``, ...), or ``None``.
    """
    path = Path(path)
    if data_dir is None:
        return None
    catalogue = Path(data_dir) / "catalogue.json"
    if not catalogue.is_file():
        return None
    try:
        files = json.loads(catalogue.read_text(encoding="utf-8"))["files"]
        rel = path.resolve().relative_to(Path(data_dir).resolve()).as_posix()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    record = files.get(rel)
    return record if isinstance(record, dict) else None


def _clean(text: str) -> str:
    return re.sub(r"\*\*|`", "", text).strip()


def _first_clause(text: str) -> str:
    """Return the text up to its first ``:``, ``.`` or ``,`` outside brackets (<= 90 chars)."""
    depth, out = 0, []
    for ch in _clean(text).replace('"', ""):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in ":.,;":
            break
        out.append(ch)
    clause = "".join(out).strip()
    return clause if len(clause) <= 90 else clause[:89].rstrip() + "…"


def _vintage_from_name(path: Path) -> str:
    name = path.name.lower()
    mid = re.search(r"mid[-_]?(\d{4})", name)
    if mid:
        return f"mid-{mid.group(1)}"
    month = re.search(r"(\d{4})-(\d{2})", name)
    if month:
        return f"{month.group(1)}-{month.group(2)} (from the file name)"
    return ""


def source_info(
    layer: str,
    path: str | Path | None,
    data_dir: Path | None,
    facts: dict[str, Any] | None = None,
) -> SourceInfo:
    """Describe the file a layer was read from.

    Parameters
    ----------
    layer
        The layer key (``population``, ``care_homes``, ...).
    path
        The file, or ``None`` when the layer has none.
    data_dir
        The data folder (for its catalogue and README), or ``None``.
    facts
        What the loader learnt from the file (``title``, ``publisher``, ``licence``,
        ``latest_date``; see :func:`geosuff.io.provider_checks.source_facts`).

    Returns
    -------
    SourceInfo
        Title, vintage (empty when nothing states it) and licence.
    """
    facts = facts or {}
    if path is None:
        return SourceInfo(layer, "", _LAYER_TITLES.get(layer, layer), "", "")
    p = Path(path)
    record = catalogue_record(data_dir, p) or {}
    readme = data_readme_entry(data_dir, p) or {}
    generic = facts.get("definition") == "generic_providers"
    title = str(
        record.get("title")
        or (None if generic else facts.get("title"))
        or _first_clause(readme.get("what", ""))
        or facts.get("title")
        or _LAYER_TITLES.get(layer, layer)
    )
    stated = _clean(readme.get("vintage", ""))
    found = facts.get("latest_date") or _vintage_from_name(p) or _DEFAULT_VINTAGE.get(layer, "")
    if record.get("vintage"):
        vintage = str(record["vintage"])
    elif re.search(r"\d", stated):
        vintage = stated
    else:  # e.g. "mixed" or "ONS": say so, with what the file itself shows
        vintage = "; ".join(v for v in (stated, found) if v)
    licence = str(
        record.get("attribution")
        or record.get("licence")
        or (
            f"{facts['publisher']}, {facts['licence']}"
            if facts.get("publisher") and facts.get("licence")
            else facts.get("licence", "")
        )
        or (_ONS_LICENCE if layer in ("population", "lsoa") else "")
    )
    return SourceInfo(layer, str(p), title, vintage, licence)
