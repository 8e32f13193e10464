"""Age groups as published (``"0-4"``, ``"90 and over"``, ``"Aged 90+"``, ``"Age 7"``).

Population files label ages in many ways. :func:`parse_age_label` reads one label
into a band ``(first_age, last_age)`` (``last_age`` ``None`` for an open band such as
90+); :func:`choose_partition` picks, from all the bands a file uses, the finest set
that covers every age exactly once (dropping totals such as "All ages" and overlapping
aggregates such as "Aged 65+").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["AgeBand", "band_label", "choose_partition", "cuts_of", "parse_age_label"]

#: ``(first_age, last_age)``; ``last_age`` is ``None`` for an open band (``90+``).
AgeBand = tuple[int, int | None]

_OPEN = re.compile(r"^(\d+)\s*(\+|plus|and over|or over|and older|and above|or more)$")
_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_SINGLE = re.compile(r"^(\d+)(\.0)?$")
_UNDER = re.compile(r"^under\s*(\d+)$")
_ALL = {"all ages", "all", "total"}


def parse_age_label(label: object) -> AgeBand | None:
    """Read an age label into a band.

    Parameters
    ----------
    label
        E.g. ``"0-4"``, ``"85-89"``, ``"90+"``, ``"90 and over"``, ``"Aged 0 - 4"``,
        ``"Aged 0 to 4"``, ``"Age 7"``, ``7``, ``"All ages"``.

    Returns
    -------
    tuple of (int, int or None), or None
        ``(first, last)`` ages inclusive, ``last`` ``None`` when open-ended; all ages
        is ``(0, None)``. ``None`` when the label is not an age.

    Examples
    --------
    >>> parse_age_label("Aged 85 - 89"), parse_age_label("90 and over"), parse_age_label("Age 3")
    ((85, 89), (90, None), (3, 3))
    """
    if label is None:
        return None
    text = str(label).strip().lower().replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"^(aged|ages|age)\s*", "", text)
    text = re.sub(r"\s*(years?|yrs?)(\s+old)?\s*", " ", text).strip()
    text = re.sub(r"\s+to\s+", "-", text)
    if text in _ALL:
        return (0, None)
    if m := _OPEN.match(text):
        return (int(m.group(1)), None)
    if m := _RANGE.match(text):
        first, last = int(m.group(1)), int(m.group(2))
        return (first, last) if last >= first else None
    if m := _SINGLE.match(text):
        return (int(m.group(1)), int(m.group(1)))
    if m := _UNDER.match(text):
        last = int(m.group(1)) - 1
        return (0, last) if last >= 0 else None
    return None


def band_label(band: AgeBand) -> str:
    """Return ``"75-79"``, ``"90+"`` or ``"7"`` for a band.

    Parameters
    ----------
    band
        The band.

    Returns
    -------
    str
        Its label (``"all ages"`` for ``(0, None)``).
    """
    first, last = band
    if band == (0, None):
        return "all ages"
    if last is None:
        return f"{first}+"
    return str(first) if first == last else f"{first}-{last}"


def _width(band: AgeBand) -> float:
    return float("inf") if band[1] is None else band[1] - band[0]


def _overlaps(a: AgeBand, b: AgeBand) -> bool:
    a_end = float("inf") if a[1] is None else a[1]
    b_end = float("inf") if b[1] is None else b[1]
    return a[0] <= b_end and b[0] <= a_end


def choose_partition(bands: Iterable[AgeBand]) -> list[AgeBand] | None:
    """Pick the finest bands that cover every age once (0 up to an open top band).

    Narrow bands are taken first and any band overlapping one already taken is
    left out, so totals ("All ages") and aggregates ("Aged 65+") drop away when
    the bands they add up are present.

    Parameters
    ----------
    bands
        Every band a file uses.

    Returns
    -------
    list of AgeBand or None
        The partition in age order, or ``None`` when the chosen bands leave a gap
        or have no open top band.

    Examples
    --------
    >>> choose_partition([(0, None), (0, 64), (65, 74), (75, None), (65, None)])
    [(0, 64), (65, 74), (75, None)]
    """
    chosen: list[AgeBand] = []
    for band in sorted(set(bands), key=lambda b: (_width(b), b[0])):
        if not any(_overlaps(band, c) for c in chosen):
            chosen.append(band)
    chosen.sort()
    expected = 0
    for first, last in chosen:
        if first != expected:
            return None
        if last is None:
            return chosen if (first, last) == chosen[-1] else None
        expected = last + 1
    return None


def cuts_of(partition: Sequence[AgeBand]) -> tuple[int, ...]:
    """Return the first age of each band of a partition (``(0, 5, ..., 90)``).

    Parameters
    ----------
    partition
        Bands covering every age once, in order.

    Returns
    -------
    tuple of int
        The ages where bands start.
    """
    return tuple(first for first, _ in partition)
