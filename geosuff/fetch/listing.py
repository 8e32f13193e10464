"""``geosuff data list``: the files in a data folder, with their vintage and provenance.

A file's vintage (the date its data describes) comes from, in order: the record
``geosuff data fetch`` wrote in ``catalogue.json``; the data folder's README
(a Markdown table with ``path`` and ``vintage`` columns, as ``../shared/data``
has); the file itself (a spreadsheet README sheet's "as at" date, or a date in
its published name). Never from the file's modification time, which says when
it was copied, not what it describes.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pandas as pd

from geosuff.fetch.cqc import date_in_name
from geosuff.fetch.fetcher import age_days
from geosuff.fetch.records import read_catalogue
from geosuff.io.layout import LAYOUT
from geosuff.io.sheets import as_at_date, is_spreadsheet, sheet_text

__all__ = ["file_vintage", "list_data", "readme_vintages"]

_COLUMNS = [
    "key",
    "path",
    "size_bytes",
    "vintage",
    "vintage_from",
    "fetched",
    "age_days",
    "recorded",
    "licence",
]
_MID_YEAR = re.compile(r"mid[-_]?(\d{4})", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})-(0[1-9]|1[0-2])(?!\d)")


def readme_vintages(data_dir: Path) -> list[tuple[str, str]]:
    """Read (path pattern, vintage) pairs from the data folder's ``README.md`` table.

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    list of (str, str)
        Glob patterns (``<code>`` placeholders become ``*``) and the vintage text,
        for rows whose vintage names a year.
    """
    readme = data_dir / "README.md"
    if not readme.is_file():
        return []
    pairs: list[tuple[str, str]] = []
    header: list[str] | None = None
    for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if "path" not in header or "vintage" not in header or set(line) <= set("|-: "):
            continue
        if len(cells) != len(header):
            continue
        path = cells[header.index("path")].strip("`").strip()
        vintage = cells[header.index("vintage")]
        if path and re.search(r"\d{4}", vintage):
            pairs.append((re.sub(r"<[^>]+>", "*", path), vintage))
    return pairs


def file_vintage(path: Path) -> str:
    """Return the vintage a file states about itself, or ``""``.

    Parameters
    ----------
    path
        A data file.

    Returns
    -------
    str
        From a spreadsheet's README sheet ("CQC database as at 01 November 2025"
        gives ``2025-11-01``), else from a date in the published name
        (``01_November_2025_HSCA_...``, ``mid2020``, ``2021-04``), else ``""``.
    """
    if is_spreadsheet(path):
        try:
            stated = as_at_date(sheet_text(path, "README"))
        except OSError:
            stated = ""
        if stated:
            return stated
    named = date_in_name(path.name)
    if named:
        return named
    mid = _MID_YEAR.search(path.name)
    if mid:
        return f"mid-{mid.group(1)}"
    month = _YEAR_MONTH.search(path.name)
    return f"{month.group(1)}-{month.group(2)}" if month else ""


def list_data(data_dir: Path) -> pd.DataFrame:
    """Describe the files in a data folder: layout key, vintage and provenance.

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    pandas.DataFrame
        One row per file, columns ``key``, ``path``, ``size_bytes``, ``vintage``,
        ``vintage_from`` (``catalogue``, ``README``, ``file`` or empty when
        unknown), ``fetched``, ``age_days`` (since fetched; NaN when geosuff did not
        fetch it), ``recorded`` (whether ``catalogue.json`` knows it) and ``licence``.
    """
    catalogue = read_catalogue(data_dir)
    seen: dict[str, str] = {}
    for key, pattern in LAYOUT.items():
        for path in sorted(data_dir.glob(pattern.format(code="*"))):
            if path.is_file() and not path.name.startswith(".") and ".part" not in path.suffixes:
                seen.setdefault(path.relative_to(data_dir).as_posix(), key)
    for relpath, record in catalogue.items():
        if (data_dir / relpath).is_file():
            seen.setdefault(relpath, str(record.get("entry", "")))
    readme = readme_vintages(data_dir)
    rows = []
    for relpath, key in sorted(seen.items(), key=lambda kv: (kv[1], kv[0])):
        path = data_dir / relpath
        record = catalogue.get(relpath)
        vintage, origin = str((record or {}).get("vintage", "")), "catalogue"
        if not vintage:
            found = next((v for pat, v in readme if fnmatch.fnmatch(relpath, pat)), "")
            vintage, origin = found, "README"
        if not vintage:
            vintage, origin = file_vintage(path), "file"
        age = age_days(record) if record else None
        rows.append(
            {
                "key": key,
                "path": relpath,
                "size_bytes": path.stat().st_size,
                "vintage": vintage,
                "vintage_from": origin if vintage else "",
                "fetched": (record or {}).get("fetched", ""),
                "age_days": round(age, 1) if age is not None else float("nan"),
                "recorded": record is not None,
                "licence": (record or {}).get("licence", ""),
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS)
