"""CQC's dated file names: read the current link from CQC's "using CQC data" page.

CQC publishes its HSCA active locations ("care directory with filters") each
month under a dated name (``01_November_2025_HSCA_Active_Locations.ods``) in a
dated folder that has moved over the years (``/sites/default/files/YYYY-MM/``,
lately ``/system/files/YYYY-MM/``, sometimes with a hash suffix), so the name
cannot be templated. The page that lists the files is read instead, and the link
whose name matches the entry's ``link_pattern`` and carries the latest date wins.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from typing import Any

from geosuff.fetch import _pages
from geosuff.fetch._http import DownloadError

__all__ = ["date_in_name", "find_link"]

_HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)["']""", re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2})[ _-]+([A-Za-z]{3,9})[ _-]+(\d{4})")
_PAGE_BYTES = 8 << 20


def date_in_name(name: str) -> str:
    """Return the date in a CQC file name (``01_November_2025_...``) as ``YYYY-MM-DD``.

    Parameters
    ----------
    name
        A file name or URL.

    Returns
    -------
    str
        The date, or an empty string when the name has none.
    """
    for day, month, year in _DATE.findall(urllib.parse.unquote(name)):
        for fmt in ("%d %B %Y", "%d %b %Y"):
            try:
                return dt.datetime.strptime(f"{day} {month} {year}", fmt).date().isoformat()
            except ValueError:
                continue
    return ""


def find_link(page: str, pattern: str, *, entry: str, **http: Any) -> tuple[str, str]:
    """Find the newest link matching *pattern* on a web page.

    Parameters
    ----------
    page
        The page's URL.
    pattern
        Regular expression the link must match (case-insensitive).
    entry
        The catalogue entry, for messages.
    **http
        ``timeout_s``, ``retries``, ``backoff_s`` for reading the page.

    Returns
    -------
    url : str
        The file's absolute URL.
    vintage : str
        The date in its name (``YYYY-MM-DD``), or ``""``.

    Raises
    ------
    DownloadError
        If the page cannot be read, or has no matching link (``moved``; the
        message says how to give the URL or the file by hand).
    """
    options = {k: v for k, v in http.items() if k in ("timeout_s", "retries", "backoff_s")}
    answer = _pages.get(page, entry=entry, max_bytes=_PAGE_BYTES, **options)
    text = answer.body.decode("utf-8", errors="replace")
    regex = re.compile(pattern, re.IGNORECASE)
    links = [
        urllib.parse.urljoin(answer.final_url, html.unescape(h.strip()))
        for h in _HREF.findall(text)
        if regex.search(html.unescape(h))
    ]
    if not links:
        msg = (
            f"catalogue entry {entry!r}: no link matching {pattern!r} on {page}; download the "
            f"file by hand and give it with --file {entry}=PATH, or its address with "
            f"--url {entry}=URL"
        )
        raise DownloadError(msg, moved=True)
    unique = list(dict.fromkeys(links))
    best = max(unique, key=lambda u: (date_in_name(u), -unique.index(u)))
    return best, date_in_name(best)
