"""Population projections: ONS subnational population projections (SNPP), read by layout.

Three published layouts are read (see ``layers/projections/``): ONS Table 2 (``CODE``,
``AREA``, ``AGE GROUP``, one column per year), the long CSV ONS ships for later
vintages (``AREA_CODE``, ``AREA_NAME``, ``COMPONENT``, ``SEX``, ``AGE_GROUP``, year
columns) and Nomis' CSV download of NM_2006_1 (one row per area, year, gender and
age). Whatever the layout, the result is one :class:`Projection`: persons by area,
age band and year.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.age_bands import AgeBand, cuts_of
from geosuff.io.layout import find_data_file
from geosuff.io.projection_rows import read_rows

__all__ = ["Projection", "find_projection_file", "read_projection"]


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


def _vintage(path: Path, stated: int | None, first_year: int) -> str:
    """Return the projection's base: stated in the file, in its name, else its first year."""
    if stated is not None:
        return f"{stated}-based"
    name = path.name.lower()
    m = re.search(r"snpp[ _-]?((?:19|20)\d{2})", name) or re.search(
        r"((?:19|20)\d{2})[ _-]?based", name
    )
    return f"{m.group(1) if m else first_year}-based"


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
    rows = read_rows(p)
    return Projection(
        path=p,
        layout=rows.layout.name,
        title=rows.layout.title,
        vintage=_vintage(p, rows.vintage_year, int(rows.table.columns[0])),
        licence=rows.layout.licence,
        names=rows.names,
        table=rows.table,
        partition=rows.partition,
        rejects=rows.rejects,
    )
