"""ONS small-area population estimates by single year of age, as published.

Reads the CSV of mid-2020 estimates, the mid-2020 workbook (sheet
``Mid-2020 Persons``, header on row 5) and the current workbook on 2021 LSOAs
(sheets ``Mid-2022 LSOA 2021`` ..., header on row 4, ages split by sex ``F0`` ..
``F90`` and ``M0`` .. ``M90``, summed here) into one table of age bands per LSOA,
saying which mid-year and which LSOA geography it describes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io._tablecache import cached_table
from geosuff.io.files import read_table
from geosuff.io.population_checks import implausible_population
from geosuff.io.rejects import make_rejects
from geosuff.io.sheet_tables import data_lines
from geosuff.io.sheets import is_spreadsheet, normalise_label
from geosuff.io.sheets import sheet_names as workbook_sheets

__all__ = ["AGE_BANDS", "CODE_COLUMNS", "GEOGRAPHIES", "pick_column", "read_population_estimates"]

#: LSOA code columns of ONS files, 2011 then 2021 names.
CODE_COLUMNS = (
    "LSOA11CD",
    "lsoa11cd",
    "lsoa11_code",
    "LSOA Code",
    "LSOA 2011 Code",
    "lsoa_code",
    "LSOA21CD",
    "lsoa21cd",
    "lsoa21_code",
    "LSOA 2021 Code",
)
#: Local authority columns of the estimates workbooks (newest boundaries first).
_EST_LA_COLS = ("LAD 2023 Code", "LA Code (2021 boundaries)", "LA Code (2018 boundaries)")
_TOTAL_COLS = ("total_population", "pop_total", "all ages", "all_ages", "total")

#: LSOA geographies a population layer can be built on, and how outputs name them.
GEOGRAPHIES = {"lsoa11": "2011 LSOAs", "lsoa21": "2021 LSOAs"}
_YEAR_RE = re.compile(r"mid[-_ ]?(\d{4})", re.IGNORECASE)
#: Age bands of the population layer and the first age of each.
AGE_BANDS = {"pop_65plus": 65, "pop_75plus": 75, "pop_85plus": 85}


def pick_column(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    """Return the first candidate present in *columns*, matched case-insensitively.

    Parameters
    ----------
    columns
        A table's columns.
    candidates
        Names to look for, in order of preference.

    Returns
    -------
    str or None
        The column as the table spells it, or ``None``.
    """
    lower = {str(c).lower(): c for c in columns}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def _age_columns(columns: pd.Index) -> dict[int, list[str]]:
    """Map single years of age (0..90, where 90 means 90+) to their column(s).

    ONS's workbooks on 2021 LSOAs split every age by sex (``F0`` .. ``F90``,
    ``M0`` .. ``M90``, the 90 columns meaning 90 and over): both columns of an age
    are returned, to be summed. Plain age columns (``0`` .. ``89``, ``90+``) win
    when present.
    """
    plain: dict[int, list[str]] = {}
    by_sex: dict[int, list[str]] = {}
    for col in columns:
        text = str(col).strip().lower().removeprefix("age_").removeprefix("age ")
        if text in ("90+", "90plus", "90 and over"):
            plain[90] = [col]
        elif text.isdigit() and int(text) <= 90:
            plain.setdefault(int(text), [col])
        elif text[:1] in ("f", "m") and text[1:].removesuffix("+").isdigit():
            age = int(text[1:].removesuffix("+"))
            if age <= 90:
                by_sex.setdefault(age, []).append(col)
    if sorted(plain) == list(range(91)):
        return plain
    if sorted(by_sex) == list(range(91)) and all(len(v) == 2 for v in by_sex.values()):
        return by_sex
    return plain


def _estimates_sheet(path: Path, year: int | None) -> list[str] | None:
    """Sheet names to try for a year's estimates in an ONS workbook (newest first)."""
    if not is_spreadsheet(path):
        return None
    names = workbook_sheets(path)
    dated = []
    for name in names:
        match = _YEAR_RE.search(name)
        label = normalise_label(name)
        if match and ("persons" in label or "lsoa" in label):
            dated.append((int(match.group(1)), name))
    if year is not None:
        picked = [n for y, n in dated if y == year]
        if not picked:
            have = ", ".join(str(y) for y, _ in sorted(dated)) or "none"
            raise InputFileError(path, f"no estimates for mid-{year} (years in the file: {have})")
        return picked
    return [n for _, n in sorted(dated, reverse=True)] or None


def _estimate_year(path: Path, sheet: str | None) -> int | None:
    for text in (sheet or "", path.name):
        match = _YEAR_RE.search(text)
        if match:
            return int(match.group(1))
    return None


def _geography_of(code_column: str, path: Path) -> str | None:
    """``lsoa11``/``lsoa21`` from the code column's name, else the file name, else None."""
    label = normalise_label(code_column)
    if "21" in label:
        return "lsoa21"
    if "11" in label or label == "lsoa code":  # mid-2020 and earlier are on 2011 LSOAs
        return "lsoa11"
    name = path.name.lower()
    return "lsoa21" if "lsoa21" in name else "lsoa11" if "lsoa11" in name else None


def read_population_estimates(
    path: str | os.PathLike[str],
    *,
    codes: set[str] | None = None,
    year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read LSOA population estimates by single year of age (or ready-made totals).

    Parameters
    ----------
    path
        ONS small-area estimates as published: the CSV (``lsoa11_code``,
        ``total_population``, ``0`` .. ``89``, ``90+``), the mid-2020 workbook
        (sheet ``Mid-2020 Persons``), or the workbook on 2021 LSOAs (sheets
        ``Mid-YYYY LSOA 2021``, ages split by sex and summed here); or any table
        that already has ``pop_total``, ``pop_65plus``, ``pop_75plus`` and
        ``pop_85plus``.
    codes
        Keep only these LSOAs (read faster for one area).
    year
        Workbooks with several years: the mid-year to read (default the latest).

    Returns
    -------
    estimates : pandas.DataFrame
        Indexed by ``lsoa_code``, columns ``pop_total``, ``pop_65plus``,
        ``pop_75plus``, ``pop_85plus``. ``attrs`` hold ``estimate_year`` (e.g.
        2020, or None when the file does not say), ``geography`` (``lsoa11``,
        ``lsoa21`` or None) and ``la_codes`` (LSOA -> the file's local authority
        code, when it has one).
    rejects : pandas.DataFrame
        Duplicate LSOA rows and rows with non-numeric or negative counts.
    """
    p = Path(path)
    sheets = _estimates_sheet(p, year)
    expect = [[c, "90+"] for c in CODE_COLUMNS] + [[c, "F90", "M90"] for c in CODE_COLUMNS]
    expect += [[c, "pop_total"] for c in CODE_COLUMNS]
    if p.suffix.lower() == ".csv":  # the national CSV: parsed once per command, then cached
        raw = cached_table(p, sheets=sheets, expect=expect, dtype=str)
    else:
        raw = read_table(p, sheets=sheets, expect=expect, dtype=str)
    code_col = pick_column(raw.columns, CODE_COLUMNS)
    if code_col is None:
        raise InputFileError(p, "no LSOA code column (lsoa11_code, LSOA11CD or lsoa_code)")
    raw["_line"] = data_lines(raw)
    if codes is not None:
        raw = raw[raw[code_col].isin(codes)]
    ready = all(c in raw.columns for c in ("pop_total", *AGE_BANDS))
    ages = _age_columns(raw.columns)
    if not ready and sorted(ages) != list(range(91)):
        missing = sorted(set(range(91)) - set(ages))
        raise InputFileError(
            p,
            "needs single-year-of-age columns 0..89 and 90+ (or F0..F90 and M0..M90, or "
            f"pop_total, pop_65plus, pop_75plus, pop_85plus); missing ages {missing[:5]}",
        )
    total_col = pick_column(raw.columns, _TOTAL_COLS)
    if ready:
        numbers = raw[["pop_total", *AGE_BANDS]].apply(pd.to_numeric, errors="coerce")
    else:
        by_age = pd.DataFrame(
            {
                a: raw[cols].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=len(cols))
                for a, cols in ages.items()
            },
            index=raw.index,
        )[list(range(91))]
        numbers = pd.DataFrame(index=raw.index)
        numbers["pop_total"] = (
            pd.to_numeric(raw[total_col], errors="coerce")
            if total_col
            else by_age.sum(axis=1, min_count=91)
        )
        for name, start in AGE_BANDS.items():
            numbers[name] = by_age.loc[:, start:90].sum(axis=1, min_count=91 - start)
    bad = numbers.isna().any(axis=1) | numbers.lt(0).any(axis=1)
    odd = implausible_population(numbers).where(~bad)
    bad |= odd.notna()
    dup = raw[code_col].duplicated(keep="first") & ~bad
    rejects = pd.concat(
        [
            make_rejects(
                f"population ({p.name})",
                raw.loc[bad, "_line"],
                raw.loc[bad, code_col],
                [None] * int(bad.sum()),
                odd[bad].fillna("population counts missing, not numeric or negative").tolist(),
            ),
            make_rejects(
                f"population ({p.name})",
                raw.loc[dup, "_line"],
                raw.loc[dup, code_col],
                [None] * int(dup.sum()),
                "duplicate LSOA row (first one used)",
            ),
        ],
        ignore_index=True,
    )
    good = ~bad & ~dup
    out = numbers[good].astype(float).copy()
    out.index = pd.Index(raw.loc[good, code_col], name="lsoa_code")
    la_col = pick_column(raw.columns, _EST_LA_COLS)
    out.attrs.update(
        estimate_year=_estimate_year(p, raw.attrs.get("sheet")),
        geography=_geography_of(code_col, p),
        la_codes=dict(zip(out.index, raw.loc[good, la_col], strict=True)) if la_col else {},
    )
    return out, rejects
