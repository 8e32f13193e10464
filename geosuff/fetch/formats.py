"""Checking that a download is the file its catalogue entry promises, before it is used.

An HTML page where a CSV was expected (a moved source), a JSON error from an
ArcGIS service, a zip without its members, a spreadsheet without the sheet or the
header row: each is a one-line :class:`~geosuff._errors.ValidationError` naming the
entry, and the download is deleted.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import zipfile
from pathlib import Path

from geosuff._errors import InputFileError, ValidationError
from geosuff.fetch.catalogue import Source

__all__ = ["check_format", "sniff_format"]

_CSV_PREAMBLE_LINES = 8
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office 97 files)
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def sniff_format(head: bytes) -> str:
    """Guess a file's format from its first bytes.

    Parameters
    ----------
    head
        The first few hundred bytes.

    Returns
    -------
    str
        ``"html"``, ``"xls"``, ``"ods"``, ``"zip"`` (XLSX or another zip),
        ``"osm.pbf"``, ``"json"`` or ``"text"``.
    """
    stripped = head.lstrip()
    if stripped[:1] == b"<":
        return "html"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        return "ods" if _ODS_MIMETYPE in head[:120] else "zip"
    if b"OSMHeader" in head[:64]:
        return "osm.pbf"
    if stripped[:1] in (b"{", b"["):
        return "json"
    return "text"


def check_format(path: Path, source: Source) -> None:
    """Raise unless *path* looks like *source*'s expected format.

    Parameters
    ----------
    path
        The downloaded file.
    source
        Its catalogue entry.

    Raises
    ------
    ValidationError
        Naming the entry and what is wrong.
    """
    where = f"catalogue entry {source.name!r}"
    with path.open("rb") as fh:
        head = fh.read(512)
    if sniff_format(head) == "html" and source.format != "osm.pbf":
        msg = f"{where}: got an HTML/XML page, not {source.format}; the source may have moved"
        raise ValidationError(msg)
    if source.format == "csv":
        _check_csv_header(path, source)
    elif source.format in ("geojson", "topojson", "json"):
        _check_json(path, source, where)
    elif source.format == "zip":
        _check_zip(path, source, where)
    elif source.format in ("xlsx", "xls", "ods"):
        _check_spreadsheet(path, source, where, sniff_format(head))
    elif source.format == "osm.pbf" and b"OSMHeader" not in head[:64]:
        msg = f"{where}: not an OpenStreetMap PBF file"
        raise ValidationError(msg)


def _check_json(path: Path, source: Source, where: str) -> None:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"{where}: not valid JSON ({exc})"
        raise ValidationError(msg) from exc
    if isinstance(body, dict) and "error" in body:
        msg = f"{where}: the server answered with an error: {str(body['error'])[:200]}"
        raise ValidationError(msg)
    if source.format == "geojson":
        features = body.get("features") if isinstance(body, dict) else None
        if not isinstance(features, list) or not features:
            msg = f"{where}: the GeoJSON has no features (check the entry's url and query)"
            raise ValidationError(msg)
        if body.get("exceededTransferLimit") or (body.get("properties") or {}).get(
            "exceededTransferLimit"
        ):
            msg = (
                f"{where}: the server cut the answer short at {len(features)} features "
                "(exceededTransferLimit); set paging = true on the entry, or narrow its query"
            )
            raise ValidationError(msg)
    if source.format == "topojson" and body.get("type") != "Topology":
        msg = f"{where}: not a TopoJSON Topology"
        raise ValidationError(msg)


def _check_zip(path: Path, source: Source, where: str) -> None:
    if not zipfile.is_zipfile(path):
        msg = f"{where}: not a zip file"
        raise ValidationError(msg)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    missing = [m for m in source.members if not fnmatch.filter(names, m)]
    if missing:
        msg = f"{where}: zip lacks members matching {missing}"
        raise ValidationError(msg)


def _check_spreadsheet(path: Path, source: Source, where: str, sniffed: str) -> None:
    """Right container, the expected sheet, and a header row with the columns."""
    if sniffed not in ("xls", "ods", "zip"):  # an ODS entry may link to an older XLSX
        msg = f"{where}: not a spreadsheet ({source.format.upper()} expected; got {sniffed})"
        raise ValidationError(msg)
    if not source.columns and not source.sheets:
        return
    from geosuff.io.sheets import find_header, sheet_names

    try:
        names = sheet_names(path)
        if source.sheets and not {n.lower() for n in names} & {n.lower() for n in source.sheets}:
            wanted = " or ".join(source.sheets)
            msg = f"{where}: no sheet named {wanted} (sheets: {', '.join(names)})"
            raise ValidationError(msg)
        if source.columns:
            find_header(path, sheets=source.sheets or None, expect=[list(source.columns)])
    except InputFileError as exc:
        msg = f"{where}: {exc.problem}; the source may have changed its layout"
        raise ValidationError(msg) from None


def _check_csv_header(path: Path, source: Source) -> None:
    """Require the source's columns in the header (any case; after a short preamble)."""
    with path.open("rb") as fh:
        raw = fh.read(1 << 16)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = [ln for ln in text.splitlines()[:_CSV_PREAMBLE_LINES] if ln.strip()]
    if not lines:
        msg = f"catalogue entry {source.name!r}: the CSV is empty"
        raise ValidationError(msg)
    wanted = [c.lower() for c in source.columns]
    for line in lines:
        header = {c.strip().strip('"').lower() for c in next(csv.reader([line]))}
        if all(c in header for c in wanted):
            return
    first = lines[0]
    missing = [c for c in source.columns if c.lower() not in first.lower()]
    msg = (
        f"catalogue entry {source.name!r}: CSV header lacks {missing} (got {first[:100]!r}); "
        "the source may have changed its layout"
    )
    raise ValidationError(msg)
