"""Reading a projection file's rows: header, layout, persons, age groups, rejects.

The file is read as published (title rows above the header are skipped), its layout
detected by columns (:mod:`geosuff.io.projection_defs`), other measures, components
and sexes dropped, age labels parsed (:mod:`geosuff.io.age_bands`) and the finest
age groups covering every age once kept. Rows that cannot be used go to the rejects
table with their reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from geosuff._errors import InputFileError
from geosuff.io.age_bands import AgeBand, band_label, choose_partition, cuts_of, parse_age_label
from geosuff.io.files import read_table
from geosuff.io.projection_defs import (
    ProjectionLayout,
    detect_projection_layout,
    find_projection_layout,
    load_projection_layouts,
)
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = ["ProjectionRows", "read_rows"]

_CODE = re.compile(r"^[A-Z]\d{8}$")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})(?:\.0)?\s*$")
_PERSONS = {"persons", "person", "all persons", "people", "total", "all", "p", "0"}
_MALE = {"male", "males", "m", "1"}
_FEMALE = {"female", "females", "f", "2"}
_HEADER_SCAN_LINES = 40


class ProjectionRows(NamedTuple):
    """A projection file's usable content.

    Attributes
    ----------
    layout
        The layout it was read with.
    table
        Persons indexed by (``area_code``, ``age_from``), one column per year.
    partition
        The age groups, in order.
    names
        Area code -> name.
    rejects
        Rows not used, with reasons.
    vintage_year
        The base year the file states in a column (Nomis ``DATE_NAME``), if any.
    """

    layout: ProjectionLayout
    table: pd.DataFrame
    partition: tuple[AgeBand, ...]
    names: Mapping[str, str]
    rejects: pd.DataFrame
    vintage_year: int | None = None


def _header_line(path: Path, layouts: list[ProjectionLayout]) -> int:
    """Return the 0-based line of a CSV's header row (title lines may come first)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for i, cells in enumerate(csv.reader(fh)):
                if i >= _HEADER_SCAN_LINES:
                    break
                if find_projection_layout(cells, layouts) is not None:
                    return i
    except (OSError, UnicodeDecodeError, csv.Error):
        return 0
    return 0


def _read_raw(path: Path, layouts: list[ProjectionLayout]) -> tuple[pd.DataFrame, int]:
    """Read the table with its header row found; return it and the header's line number."""
    if path.suffix.lower() in (".xls", ".xlsx", ".ods"):
        # ONS Table 2 workbooks: sheets Persons, Males, Females; title rows above the header
        raw = read_table(path, sheets=["Persons"], expect=[list(lay.detect) for lay in layouts])
        header = 1
        if find_projection_layout(list(raw.columns), layouts) is None:
            for i in range(min(_HEADER_SCAN_LINES, len(raw))):
                cells = [str(v).strip() for v in raw.iloc[i].tolist()]
                if find_projection_layout(cells, layouts) is not None:
                    raw = raw.iloc[i + 1 :].set_axis(cells, axis=1)
                    header = i + 2
                    break
        raw = raw.astype(object).where(raw.notna(), None)
        return raw.reset_index(drop=True), header
    skip = _header_line(path, layouts)
    raw = read_table(path, dtype=str, keep_default_na=False, na_values=[""], skiprows=skip or None)
    return raw, skip + 1


def _column(raw: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    lower = {str(c).strip().lower(): c for c in raw.columns}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def _to_long(raw: pd.DataFrame, layout: ProjectionLayout, path: Path) -> pd.DataFrame:
    """Canonical long rows: area_code, area_name, age, sex, year, value, line."""
    cols = {k: _column(raw, v) for k, v in layout.columns.items()}
    base = pd.DataFrame(
        {
            "area_code": raw[cols["area_code"]].astype("string").str.strip(),
            "area_name": raw[cols["area_name"]] if cols.get("area_name") else None,
            "age": raw[cols["age"]],
            "sex": raw[cols["sex"]].astype("string").str.strip().str.lower()
            if cols.get("sex")
            else "persons",
            "line": raw["_line"],
        },
        index=raw.index,
    )
    if layout.years == "columns":
        years = {c: int(m.group(1)) for c in raw.columns if (m := _YEAR.match(str(c)))}
        if not years:
            raise InputFileError(path, "no year columns (2018, 2019, ...)")
        values = raw[list(years)].rename(columns=years)
        long = base.join(values).melt(
            id_vars=list(base.columns), var_name="year", value_name="value"
        )
    else:
        year_col = _column(raw, (layout.years,))
        value_col = cols.get("value")
        if year_col is None or value_col is None:
            raise InputFileError(
                path, f"needs columns {layout.years} and {layout.columns['value']}"
            )
        long = base.assign(
            year=raw[year_col].astype("string").str.extract(_YEAR, expand=False),
            value=raw[value_col],
        )
        long["year"] = pd.to_numeric(long["year"], errors="coerce")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    return long


def _select_sex(long: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Keep persons rows, or add males and females when the file has no persons rows."""
    sexes = set(long["sex"].dropna().unique())
    persons = sexes & _PERSONS
    if persons:
        return long[long["sex"].isin(persons)]
    male, female = sexes & _MALE, sexes & _FEMALE
    if male and female and not sexes - _MALE - _FEMALE:
        keys = ["area_code", "area_name", "age", "year"]
        summed = long.groupby(keys, dropna=False, sort=False).agg(
            value=("value", lambda v: v.sum(min_count=len(v))), line=("line", "min")
        )
        return summed.reset_index().assign(sex="persons")
    msg = f"sex column holds {sorted(sexes)}; need persons rows, or both males and females"
    raise InputFileError(path, msg)


def _stated_vintage(raw: pd.DataFrame, layout: ProjectionLayout) -> int | None:
    """Return the base year stated in the layout's ``vintage`` column, if any."""
    col = _column(raw, layout.columns.get("vintage", ()))
    if col is None:
        return None
    years = raw[col].astype("string").str.extract(r"((?:19|20)\d{2})", expand=False).dropna()
    return int(years.mode().iloc[0]) if len(years) else None


def read_rows(p: Path) -> ProjectionRows:
    """Read a projection file into persons by area, age band and year (see module)."""
    layouts = load_projection_layouts()
    raw, header = _read_raw(p, layouts)
    layout = detect_projection_layout(list(raw.columns), p, layouts)
    raw["_line"] = np.arange(header + 1, header + 1 + len(raw))
    for col, allowed in layout.keep.items():
        found = _column(raw, (col,))
        if found is not None:
            wanted = {a.strip().lower() for a in allowed}
            raw = raw[raw[found].astype("string").str.strip().str.lower().isin(wanted)]
    blank = raw.drop(columns="_line").isna().all(axis=1)
    raw = raw[~blank]
    long = _to_long(raw, layout, p)
    vintage_year = _stated_vintage(raw, layout)
    source = f"projections ({p.name})"
    rejects = []
    no_code = ~long["area_code"].fillna("").str.fullmatch(_CODE)
    bad_rows = long[no_code].drop_duplicates("line")
    rejects.append(
        make_rejects(
            source,
            bad_rows["line"],
            bad_rows["area_code"],
            bad_rows["area_name"],
            "not a data row (no area code)",
        )
    )
    long = long[~no_code]
    labels = {a: parse_age_label(a) for a in long["age"].dropna().unique()}
    long = long.assign(band=long["age"].map(labels))
    unknown = long["band"].isna()
    bad_age = long[unknown].drop_duplicates("line")
    rejects.append(
        make_rejects(
            source,
            bad_age["line"],
            bad_age["area_code"],
            bad_age["area_name"],
            [f"age group {a!r} not understood" for a in bad_age["age"]],
        )
    )
    long = _select_sex(long[~unknown], p)
    long = long.assign(band=long["age"].map(labels))
    long = long[long["year"].notna()]
    used = set(long["band"].unique())
    partition = choose_partition(used)
    if partition is None:
        order = sorted(used, key=lambda b: (b[0], float("inf") if b[1] is None else b[1]))
        shown = ", ".join(band_label(b) for b in order)
        msg = f"age groups do not cover every age exactly once (found {shown})"
        raise InputFileError(p, msg)
    in_partition = {b: b in set(partition) for b in used}
    long = long[long["band"].map(in_partition).astype(bool)]
    dup = long.duplicated(["area_code", "band", "year"], keep="first")
    dup_rows = long[dup].drop_duplicates("line")
    rejects.append(
        make_rejects(
            source,
            dup_rows["line"],
            dup_rows["area_code"],
            dup_rows["area_name"],
            "duplicate row for the same area, age group and year (first one used)",
        )
    )
    long = long[~dup].assign(age_from=long.loc[~dup, "band"].map({b: b[0] for b in partition}))
    table = long.set_index(["area_code", "age_from", "year"])["value"].unstack("year")
    table.columns = [int(y) for y in table.columns]
    table = table[sorted(table.columns)]
    have = table.index.to_frame(index=False).groupby("area_code")["age_from"].agg(frozenset)
    need = frozenset(cuts_of(partition))
    incomplete = [code for code, ages in have.items() if ages != need]
    if incomplete:
        first = long.groupby("area_code").agg(line=("line", "min"), name=("area_name", "first"))
        rejects.append(
            make_rejects(
                source,
                first.loc[incomplete, "line"],
                incomplete,
                first.loc[incomplete, "name"],
                [
                    "area left out: no rows for age groups "
                    + ", ".join(band_label(b) for b in partition if b[0] not in have[c])
                    for c in incomplete
                ],
            )
        )
        table = table.drop(index=incomplete, level="area_code")
    if table.empty:
        raise InputFileError(p, "no area has figures for every age group")
    names_map = (
        long.dropna(subset=["area_name"]).drop_duplicates("area_code").set_index("area_code")
    )["area_name"].astype(str)
    parts = [r for r in rejects if not r.empty]
    return ProjectionRows(
        layout=layout,
        table=table.astype(float),
        partition=tuple(partition),
        names=names_map.str.strip().to_dict(),
        rejects=pd.concat(parts, ignore_index=True) if parts else empty_rejects(),
        vintage_year=vintage_year,
    )
