"""Population projections: ONS subnational population projections (SNPP), read by layout.

Three published layouts are read (see ``layers/projections/``): ONS Table 2 (``CODE``,
``AREA``, ``AGE GROUP``, one column per year), the long CSV ONS ships for later
vintages (``AREA_CODE``, ``AREA_NAME``, ``COMPONENT``, ``SEX``, ``AGE_GROUP``, year
columns) and Nomis' CSV download of NM_2006_1 (one row per area, year, gender and
age). Whatever the layout, the result is one :class:`Projection`: persons by area,
age band and year.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.age_bands import AgeBand, band_label, choose_partition, cuts_of, parse_age_label
from geosuff.io.files import read_table
from geosuff.io.layout import find_data_file
from geosuff.io.projection_defs import (
    ProjectionLayout,
    detect_projection_layout,
    find_projection_layout,
    load_projection_layouts,
)
from geosuff.io.rejects import empty_rejects, make_rejects

__all__ = ["Projection", "find_projection_file", "read_projection"]

_CODE = re.compile(r"^[A-Z]\d{8}$")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})(?:\.0)?\s*$")
_PERSONS = {"persons", "person", "all persons", "people", "total", "all", "p", "0"}
_MALE = {"male", "males", "m", "1"}
_FEMALE = {"female", "females", "f", "2"}
_HEADER_SCAN_LINES = 40


@dataclass(frozen=True)
class Projection:
    """A population projection: persons by area, age band and year.

    Attributes
    ----------
    path
        The file read.
    layout
        The layout it was read with (``ons_snpp_table2``, ``ons_snpp_long``,
        ``nomis_snpp``).
    title
        What the file is, from its layout.
    vintage
        The projection's base, e.g. ``"2018-based"``.
    licence
        Licence text from the layout.
    names
        Area code -> area name.
    table
        Persons, indexed by (``area_code``, ``age_from``), one column per year (int).
    partition
        The age bands of the file, in order (``(0, 4)`` ... ``(90, None)``).
    rejects
        Rows not read, with reasons (:data:`geosuff.io.rejects.REJECT_COLUMNS`).
    """

    path: Path
    layout: str
    title: str
    vintage: str
    licence: str
    names: Mapping[str, str]
    table: pd.DataFrame
    partition: tuple[AgeBand, ...]
    rejects: pd.DataFrame

    @property
    def years(self) -> tuple[int, ...]:
        """Years the projection covers, in order."""
        return tuple(int(y) for y in self.table.columns)

    @property
    def codes(self) -> frozenset[str]:
        """Area codes with a complete set of age bands."""
        return frozenset(self.table.index.get_level_values("area_code"))

    @property
    def cuts(self) -> tuple[int, ...]:
        """First age of each of the file's age bands."""
        return cuts_of(self.partition)

    def label(self) -> str:
        """Return e.g. ``"ONS 2018-based subnational population projections"``."""
        return f"ONS {self.vintage} subnational population projections ({self.path.name})"

    def year_range(self) -> str:
        """Return the covered years as text, e.g. ``"2018-2043"``."""
        return f"{self.years[0]}-{self.years[-1]}"

    def check_year(self, year: int) -> None:
        """Raise a one-line error unless *year* is one of the projection's years.

        Parameters
        ----------
        year
            The year asked for.

        Raises
        ------
        ValidationError
            If *year* is outside the range, or inside it but not published.
        """
        if year < self.years[0] or year > self.years[-1]:
            msg = (
                f"year {year} is outside the projection's range {self.year_range()} "
                f"({self.path.name})"
            )
            raise ValidationError(msg)
        if year not in self.years:
            shown = ", ".join(map(str, self.years))
            msg = f"year {year} is not in {self.path.name} (years {shown})"
            raise ValidationError(msg)

    def band_totals(self, codes: Sequence[str], year: int, cuts: Sequence[int]) -> pd.DataFrame:
        """Persons by area and band in *year*, the file's bands merged at *cuts*.

        Parameters
        ----------
        codes
            Area codes (each must be in :attr:`codes`).
        year
            A year of the projection.
        cuts
            First ages of the wanted bands; each must start one of the file's bands,
            and the first must be 0.

        Returns
        -------
        pandas.DataFrame
            Index ``area_code`` (in *codes* order), one column per cut (int), floats.

        Raises
        ------
        ValidationError
            If a cut is not a band boundary of the file, or a figure is missing.
        """
        self.check_year(year)
        bad = [c for c in cuts if c not in self.cuts]
        if bad or not cuts or cuts[0] != 0:
            msg = f"{self.path.name}: age bands cannot be split at {bad or list(cuts)}"
            raise ValidationError(msg)
        part = self.table.loc[list(codes), year]
        ages = part.index.get_level_values("age_from").to_numpy()
        bucket = np.asarray(cuts)[np.searchsorted(np.asarray(cuts), ages, side="right") - 1]
        codes_level = part.index.get_level_values("area_code")
        sums = part.groupby([codes_level, bucket]).sum(min_count=1).unstack()
        sums = sums.reindex(index=list(codes), columns=list(cuts))
        if sums.isna().any(axis=None):
            code = sums.index[sums.isna().any(axis=1)][0]
            msg = (
                f"{self.path.name}: no figure for {self.names.get(code, code)} ({code}) in {year} "
                "for every age group"
            )
            raise ValidationError(msg)
        sums.index.name = "area_code"
        return sums.astype(float)


def find_projection_file(data_dir: Path) -> Path | None:
    """Return the data folder's projection file (``ons/snpp*``), the newest by name.

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    pathlib.Path or None
        A ``.csv``, ``.xls``, ``.xlsx`` or ``.ods`` file, or ``None``.
    """
    found = find_data_file(data_dir, "projections")
    if found is not None and found.suffix.lower() in (".csv", ".xls", ".xlsx", ".ods"):
        return found
    candidates = [
        p
        for p in sorted(data_dir.glob("ons/snpp*"))
        if p.suffix.lower() in (".csv", ".xls", ".xlsx", ".ods")
    ]
    return candidates[-1] if candidates else None


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
        raw = read_table(path)
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


def _vintage(path: Path, first_year: int) -> str:
    name = path.name.lower()
    m = re.search(r"snpp[ _-]?((?:19|20)\d{2})", name) or re.search(
        r"((?:19|20)\d{2})[ _-]?based", name
    )
    return f"{m.group(1) if m else first_year}-based"


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


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, _mtime_ns: int, _size: int) -> Projection:
    return _read(Path(path))


def read_projection(path: str | os.PathLike[str]) -> Projection:
    """Read a population projection file in any known layout.

    Parameters
    ----------
    path
        ONS Table 2 (CSV, or the XLS/XLSX with its title rows), ONS's long CSV, or
        a Nomis NM_2006_1 CSV download.

    Returns
    -------
    Projection
        Persons by area, age band and year. Areas whose age bands are incomplete
        are left out and listed in ``rejects``, as are rows with no area code or an
        unknown age group.

    Raises
    ------
    InputFileError
        If the layout is not recognised, there are no year columns, or the age groups
        do not cover every age once.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "file not found")
    stat = p.stat()
    return _read_cached(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


def _read(p: Path) -> Projection:
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
        shown = ", ".join(band_label(b) for b in sorted(used))
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
    return Projection(
        path=p,
        layout=layout.name,
        title=layout.title,
        vintage=_vintage(p, int(table.columns[0])),
        licence=layout.licence,
        names=names_map.str.strip().to_dict(),
        table=table.astype(float),
        partition=tuple(partition),
        rejects=pd.concat(parts, ignore_index=True) if parts else empty_rejects(),
    )
