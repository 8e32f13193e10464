"""How each care home's beds split into nursing and residential use (the bed-use model).

CQC registers a home *with* or *without* nursing; it does not say how many of a
nursing home's beds are used for nursing. The split is therefore a model, applied
per home when layers are loaded, and every output says which rule made it:

``registration``
    Every bed in a home registered with nursing counts as a nursing bed (dual-
    registered homes included), every other bed as residential. geosuff's rule
    before bed-use models existed, named for what it is.
``nursing share S``
    A share *S* of the beds in homes registered with nursing counts as nursing, the
    rest residential (e.g. *S* from the council's own Capacity Tracker totals of
    nursing and residential beds in use). Homes without nursing registration are
    all residential.
``bed-use file``
    Per-home nursing and residential bed counts keyed by CQC location id, as a
    commissioner can export them. The file's shares are applied to the home's
    registered beds (so totals stay CQC's); homes missing from the file fall back to
    the rule above and are counted in the description.

Every home gets ``nursing_beds``, ``residential_beds`` (summing to ``beds``),
``dementia_beds`` (all beds of homes registered for dementia) and ``bed_use_basis``
(which rule split it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff._errors import InputFileError, ValidationError
from geosuff.io.files import read_table
from geosuff.io.rejects import Loaded, empty_rejects, make_rejects

__all__ = ["BED_COLUMNS", "BedUse", "apply_bed_use", "bed_use_model", "load_bed_use"]

#: Columns the bed-use model adds to a care homes layer.
BED_COLUMNS = ("nursing_beds", "residential_beds", "dementia_beds", "bed_use_basis")

_ID_COLS = (
    "provider_id",
    "location_id",
    "location id",
    "cqc_location_id",
    "cqc location id",
    "cqc location id (for office use only)",
)
_NURSING_COLS = ("nursing_beds", "nursing beds", "nursing")
_RESIDENTIAL_COLS = ("residential_beds", "residential beds", "residential")


@dataclass(frozen=True, eq=False)
class BedUse:
    """A bed-use model: the rule that splits each home's beds.

    Attributes
    ----------
    nursing_share
        Share of beds in nursing-registered homes counted as nursing; ``None`` for
        the ``registration`` rule (share 1).
    table
        Per-home counts from a bed-use file (index ``provider_id``; columns
        ``nursing_beds``, ``residential_beds``), or ``None``.
    path
        The bed-use file, for descriptions.
    """

    nursing_share: float | None = None
    table: pd.DataFrame | None = field(default=None, repr=False)
    path: str | None = None

    def fallback_rule(self) -> str:
        """Describe the rule used for homes without file figures.

        Returns
        -------
        str
            E.g. ``"registration"`` or ``"nursing share 0.62"``.
        """
        if self.nursing_share is None:
            return "registration"
        return f"nursing share {self.nursing_share:.2f}"

    def describe(self, n_homes: int | None = None, n_from_file: int | None = None) -> str:
        """Say in words how beds were split, for footers and provenance.

        Parameters
        ----------
        n_homes
            Homes in the layer (for a bed-use file: how many it covered).
        n_from_file
            Homes split by the file's figures.

        Returns
        -------
        str
            One sentence.
        """
        if self.nursing_share is None:
            base = (
                "registration: every bed in a home registered with nursing counts as "
                "nursing (dual-registered homes too), every other bed as residential"
            )
        else:
            pct = self.nursing_share * 100
            base = (
                f"nursing share {self.nursing_share:.2f}: {pct:.0f}% of the beds in homes "
                f"registered with nursing count as nursing, {100 - pct:.0f}% as residential; "
                "homes without nursing registration are all residential"
            )
        if self.table is None:
            return base
        name = Path(self.path).name if self.path else "bed-use file"
        if n_homes is None or n_from_file is None:
            return f"bed-use file {name}, other homes by {base}"
        rest = n_homes - n_from_file
        return (
            f"bed-use file {name} for {n_from_file:,} of {n_homes:,} homes (its nursing/"
            f"residential shares applied to CQC's registered beds); the other {rest:,} by {base}"
        )


def bed_use_model(
    *, nursing_share: float | None = None, bed_use: str | os.PathLike[str] | None = None
) -> tuple[BedUse, pd.DataFrame]:
    """Build a bed-use model from the command-line choices.

    Parameters
    ----------
    nursing_share
        ``--nursing-share S`` (0..1), or ``None`` for the registration rule.
    bed_use
        ``--bed-use FILE``, or ``None``.

    Returns
    -------
    model : BedUse
        The model.
    rejects : pandas.DataFrame
        Rows of the bed-use file that cannot be used.

    Raises
    ------
    ValidationError
        If *nursing_share* is outside 0..1.
    InputFileError
        If the bed-use file is unreadable or lacks its columns.
    """
    if nursing_share is not None and not 0.0 <= float(nursing_share) <= 1.0:
        msg = f"--nursing-share must be between 0 and 1; got {nursing_share:g}"
        raise ValidationError(msg)
    share = None if nursing_share is None else float(nursing_share)
    if bed_use is None:
        return BedUse(share), empty_rejects()
    table, rejects = load_bed_use(bed_use)
    return BedUse(share, table, str(bed_use)), rejects


def _pick(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    return next((lower[c] for c in candidates if c in lower), None)


def load_bed_use(path: str | os.PathLike[str]) -> Loaded:
    """Read a bed-use file: nursing and residential beds per CQC location id.

    Parameters
    ----------
    path
        CSV/XLSX with a location id column (``location_id``, ``Location ID``,
        ``cqc_location_id`` or ``provider_id``) and ``nursing_beds`` and
        ``residential_beds`` columns (``Nursing beds``/``Residential beds`` also read).

    Returns
    -------
    Loaded
        ``data``: DataFrame indexed by ``provider_id`` with ``nursing_beds``,
        ``residential_beds``, ``line``; ``rejects``: rows with counts that are
        missing, negative, not whole or both zero, and repeated ids.

    Raises
    ------
    InputFileError
        If the file cannot be read, has no rows, or lacks an id, nursing or
        residential column.
    """
    p = Path(path)
    raw = read_table(p, dtype=str, keep_default_na=False, na_values=[""])
    id_col = _pick(raw.columns, _ID_COLS)
    n_col = _pick(raw.columns, _NURSING_COLS)
    r_col = _pick(raw.columns, _RESIDENTIAL_COLS)
    missing = [
        label
        for label, col in (
            ("a location id (location_id, Location ID, cqc_location_id)", id_col),
            ("nursing_beds", n_col),
            ("residential_beds", r_col),
        )
        if col is None
    ]
    if missing:
        raise InputFileError(p, f"not a bed-use file: no {', no '.join(missing)} column")
    if raw.empty:
        raise InputFileError(p, "has a header but no data rows")
    source = f"bed use ({p.name})"
    ids = raw[id_col].astype("string").str.strip()
    lines = pd.Series(np.arange(2, len(raw) + 2), index=raw.index)
    counts = pd.DataFrame(
        {
            "nursing_beds": pd.to_numeric(raw[n_col].str.replace(",", ""), errors="coerce"),
            "residential_beds": pd.to_numeric(raw[r_col].str.replace(",", ""), errors="coerce"),
        }
    )
    reason = pd.Series(None, index=raw.index, dtype="object")
    reason[ids.isna() | ids.eq("")] = "no location id"
    bad = counts.isna().any(axis=1) | counts.lt(0).any(axis=1)
    show = reason.isna() & bad
    reason[show] = [
        f"bed counts not non-negative numbers: nursing {n!r}, residential {r!r}"
        for n, r in zip(raw.loc[show, n_col], raw.loc[show, r_col], strict=True)
    ]
    whole = np.isclose(counts.fillna(0).to_numpy() % 1, 0).all(axis=1)
    fraction = ~bad & ~whole
    reason[reason.isna() & fraction] = "bed counts not whole numbers"
    zero = ~bad & counts.sum(axis=1).eq(0)
    reason[reason.isna() & zero] = "no beds (nursing and residential both 0)"
    dup = reason.isna() & ids.duplicated(keep="first")
    first_line = lines[reason.isna() & ~dup].groupby(ids).first()
    reason[dup] = [
        f"repeats location id {i} (line {first_line.get(i, '?')} used)" for i in ids[dup]
    ]
    failed = reason.notna()
    rejects = make_rejects(
        source, lines[failed], ids[failed], [None] * int(failed.sum()), reason[failed].tolist()
    )
    good = counts[~failed].astype(float).assign(line=lines[~failed])
    good.index = pd.Index(ids[~failed].astype(str), name="provider_id")
    return Loaded(good, rejects)


def apply_bed_use(
    homes: gpd.GeoDataFrame,
    model: BedUse | None = None,
    *,
    source: str = "care homes",
    report_unmatched: bool = True,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
    """Add each home's nursing, residential and dementia beds under a bed-use model.

    Parameters
    ----------
    homes
        A care homes layer (``provider_id``, ``kind``, ``beds``, ``dementia``).
    model
        The model; default the registration rule.
    source
        Source label for flagged homes.
    report_unmatched
        List bed-use file ids that match no home (``flagged``).

    Returns
    -------
    homes : geopandas.GeoDataFrame
        A copy with :data:`BED_COLUMNS`; ``nursing_beds + residential_beds == beds``
        (both missing where ``beds`` is).
    flagged : pandas.DataFrame
        Rejects-table rows (``flagged``): homes whose file total differs from their
        registered beds, file nursing beds in a home not registered for nursing,
        and (if *report_unmatched*) file ids matching no home.
    n_from_file : int
        Homes split by the file's figures.
    """
    model = model or BedUse()
    out = homes.copy()
    beds = pd.to_numeric(out["beds"], errors="coerce").astype(float)
    nursing_reg = out["kind"].eq("care_home_nursing").to_numpy()
    share = 1.0 if model.nursing_share is None else model.nursing_share
    nursing = np.where(nursing_reg, beds * share, 0.0)
    basis = np.full(len(out), model.fallback_rule(), dtype=object)
    flagged: list[pd.DataFrame] = []
    n_from_file = 0
    if model.table is not None and not out.empty:
        ids = out["provider_id"].astype(str)
        table = model.table
        hit = ids.isin(table.index).to_numpy()
        n_from_file = int(hit.sum())
        rows = table.reindex(ids[hit])
        file_total = (rows["nursing_beds"] + rows["residential_beds"]).to_numpy()
        file_share = rows["nursing_beds"].to_numpy() / file_total
        nursing[hit] = beds.to_numpy()[hit] * file_share
        basis[hit] = "bed-use file"
        sub = out[hit]
        differs = ~np.isclose(file_total, beds.to_numpy()[hit]) & beds.notna().to_numpy()[hit]
        flagged.append(
            make_rejects(
                source,
                _lines(sub, differs),
                sub.loc[differs, "provider_id"],
                sub.loc[differs, "name"],
                [
                    f"bed-use file gives {t:g} beds ({n:g} nursing), CQC registers {b:g}: "
                    "the file's shares applied to the registered beds"
                    for t, n, b in zip(
                        file_total[differs],
                        rows["nursing_beds"].to_numpy()[differs],
                        beds.to_numpy()[hit][differs],
                        strict=True,
                    )
                ],
                action="flagged",
            )
        )
        odd = ~nursing_reg[hit] & (rows["nursing_beds"].to_numpy() > 0)
        flagged.append(
            make_rejects(
                source,
                _lines(sub, odd),
                sub.loc[odd, "provider_id"],
                sub.loc[odd, "name"],
                "bed-use file gives nursing beds, but CQC does not register this home for "
                "nursing (file used)",
                action="flagged",
            )
        )
        if report_unmatched:
            extra = table[~table.index.isin(ids)]
            name = Path(model.path).name if model.path else "file"
            flagged.append(
                make_rejects(
                    f"bed use ({name})",
                    extra["line"],
                    extra.index,
                    [None] * len(extra),
                    "no care home with this location id in the area's layer (ignored)",
                    action="flagged",
                )
            )
    nursing = np.where(beds.isna(), np.nan, nursing)
    out["nursing_beds"] = nursing
    out["residential_beds"] = beds - nursing
    dementia = out["dementia"] if "dementia" in out else pd.Series(False, index=out.index)
    out["dementia_beds"] = beds.where(dementia.astype("boolean").fillna(False).astype(bool), 0.0)
    out.loc[beds.isna(), "dementia_beds"] = np.nan
    out["bed_use_basis"] = basis
    parts = [f for f in flagged if not f.empty]
    return out, (pd.concat(parts, ignore_index=True) if parts else empty_rejects()), n_from_file


def _lines(frame: pd.DataFrame, mask: np.ndarray) -> list[object]:
    if "line" in frame:
        return frame.loc[mask, "line"].tolist()
    return [None] * int(mask.sum())
