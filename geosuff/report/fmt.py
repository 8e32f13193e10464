"""Numbers in words and accessible HTML tables; every piece of data text is escaped here."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Column", "count", "esc", "gap_words", "html_table", "number", "pct"]


def esc(text: object) -> str:
    """Escape text for HTML (element content and quoted attributes).

    Parameters
    ----------
    text
        Any value; converted with ``str``.

    Returns
    -------
    str
        The escaped text.
    """
    return html.escape(str(text), quote=True)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(value: object, decimals: int = 0, *, missing: str = "no data") -> str:
    """Format a number with thousands separators (``"1,234"``; ``"12.5"``).

    Parameters
    ----------
    value
        The number.
    decimals
        Decimals shown.
    missing
        Text for a missing value.

    Returns
    -------
    str
        The formatted number.
    """
    if _missing(value):
        return missing
    x = float(value)  # type: ignore[arg-type]
    if math.isinf(x):
        return "unreachable"
    return f"{x:,.{decimals}f}"


def count(value: object) -> str:
    """Format a count as a whole number (``"51,991"``).

    Parameters
    ----------
    value
        The count.

    Returns
    -------
    str
        The count.
    """
    return number(value, 0)


def pct(value: object, decimals: int = 0) -> str:
    """Format a share 0..1 as a percentage (``"12%"``).

    Parameters
    ----------
    value
        The share.
    decimals
        Decimals shown.

    Returns
    -------
    str
        The percentage.
    """
    if _missing(value):
        return "no data"
    return f"{100 * float(value):.{decimals}f}%"  # type: ignore[arg-type]


def gap_words(value: object, *, unit: str = "") -> str:
    """Say a supply gap in words: ``"shortfall 575"``, ``"surplus 293"``, ``"balanced"``.

    Parameters
    ----------
    value
        Supply minus the benchmark (negative: shortfall).
    unit
        Appended after the number (e.g. ``" beds"``).

    Returns
    -------
    str
        The gap in words (rounded to a whole number).
    """
    if _missing(value):
        return "insufficient data"
    x = round(float(value))  # type: ignore[arg-type]
    if x == 0:
        return "balanced"
    return f"{'shortfall' if x < 0 else 'surplus'} {abs(x):,}{unit}"


def _cell(value: object) -> str:
    if isinstance(value, list | tuple):
        items = "".join(f"<li>{esc(v)}</li>" for v in value)
        return f'<ul class="cell-list">{items}</ul>' if items else ""
    return esc(value)


@dataclass(frozen=True)
class Column:
    """A table column: its heading, and whether it holds numbers (right-aligned).

    Attributes
    ----------
    heading
        Column heading (plain text).
    numeric
        Right-align the cells.
    """

    heading: str
    numeric: bool = False


def html_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    caption: str,
    row_headers: bool = True,
    note: str | None = None,
    css_class: str = "data",
) -> str:
    """Return an accessible HTML table (caption, column and row headers), all text escaped.

    Parameters
    ----------
    columns
        The columns.
    rows
        Cell texts, one sequence per row (already formatted); a list or tuple in a
        cell is shown as a bulleted list of its texts.
    caption
        The table caption.
    row_headers
        Make the first cell of each row a row header.
    note
        A note under the table.
    css_class
        Class of the ``<table>``.

    Returns
    -------
    str
        The HTML.
    """
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if c.numeric else ""}>{esc(c.heading)}</th>' for c in columns
    )
    body = []
    for row in rows:
        cells = []
        for i, (col, value) in enumerate(zip(columns, row, strict=True)):
            cls = num if col.numeric else ""
            text = _cell(value)
            if i == 0 and row_headers:
                cells.append(f'<th scope="row"{cls}>{text}</th>')
            else:
                cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    foot = f'<p class="table-note">{esc(note)}</p>' if note else ""
    return (
        f'<div class="table-wrap"><table class="{esc(css_class)}"><caption>{esc(caption)}'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"{foot}</div>"
    )
