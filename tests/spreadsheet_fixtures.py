"""Write spreadsheets in the publishers' real layouts (ODS, XLSX, XLS) for tests.

The ODS writer streams ``content.xml`` straight into the zip, so a file the size
of CQC's (tens of thousands of rows, ~120 columns) is written in seconds; it
writes what LibreOffice writes for such a sheet, including a header row padded
with repeated empty cells and a block of repeated empty rows after the data.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

Cell = object
Rows = Iterable[Sequence[Cell]]

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _ods_cell(value: Cell) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        value = "Y" if value else "N"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    text = escape(str(value))
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def _ods_row(values: Sequence[Cell], pad_cells: int = 0) -> str:
    # runs of empty cells are written as one repeated cell, as LibreOffice does
    parts: list[str] = []
    empty = 0
    for value in values:
        if value is None or value == "":
            empty += 1
            continue
        if empty:
            parts.append(f'<table:table-cell table:number-columns-repeated="{empty}"/>')
            empty = 0
        parts.append(_ods_cell(value))
    empty += pad_cells
    if empty:
        parts.append(f'<table:table-cell table:number-columns-repeated="{empty}"/>')
    return "<table:table-row>" + "".join(parts) + "</table:table-row>\n"


def write_ods(
    path: Path,
    sheets: Mapping[str, Rows],
    *,
    pad_header_cells: int = 0,
    header_rows: Mapping[str, int] | None = None,
    trailing_empty_rows: int = 0,
) -> Path:
    """Write an ODS spreadsheet, one table per sheet, streaming the rows.

    Parameters
    ----------
    path
        The file to write.
    sheets
        Sheet name -> rows (each a sequence of cells: str, int, float or None).
    pad_header_cells
        Empty cells added after the header row of each data sheet (CQC's header
        row is padded like this).
    header_rows
        Sheet name -> index of its header row (for the padding); default 0.
    trailing_empty_rows
        A repeated empty row of this count after the data, as spreadsheets keep
        for formatted but empty rows.
    """
    header_rows = header_rows or {}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("content.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as raw:
            write = raw.write
            write(
                f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS} '
                'office:version="1.2"><office:body><office:spreadsheet>\n'.encode()
            )
            for name, rows in sheets.items():
                write(f'<table:table table:name="{escape(name)}">\n'.encode())
                header_at = header_rows.get(name, 0)
                buffer: list[str] = []
                for i, row in enumerate(rows):
                    pad = pad_header_cells if i == header_at and name != "README" else 0
                    buffer.append(_ods_row(list(row), pad))
                    if len(buffer) >= 500:
                        write("".join(buffer).encode())
                        buffer.clear()
                write("".join(buffer).encode())
                if trailing_empty_rows:
                    write(
                        f'<table:table-row table:number-rows-repeated="{trailing_empty_rows}">'
                        '<table:table-cell table:number-columns-repeated="1024"/>'
                        "</table:table-row>\n".encode()
                    )
                write(b"</table:table>\n")
            write(b"</office:spreadsheet></office:body></office:document-content>\n")
    return path


def write_xlsx(path: Path, sheets: Mapping[str, Rows]) -> Path:
    """Write an XLSX workbook (openpyxl, write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    book.save(path)
    return path


def write_xls(path: Path, sheets: Mapping[str, Rows]) -> Path:
    """Write a legacy XLS workbook (xlwt), as ONS's 2018-based projection tables are."""
    import xlwt

    book = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


# --------------------------------------------------------------------------- CQC layout

_REGULATED_ACTIVITIES = (
    "Accommodation for persons who require nursing or personal care",
    "Accommodation for persons who require treatment for substance misuse",
    "Assessment or medical treatment for persons detained under the Mental Health Act 1983",
    "Diagnostic and screening procedures",
    "Family planning services",
    "Management of supply of blood and blood derived products",
    "Maternity and midwifery services",
    "Nursing care",
    "Personal care",
    "Services in slimming clinics",
    "Surgical procedures",
    "Termination of pregnancies",
    "Transport services, triage and medical advice provided remotely",
    "Treatment of disease, disorder or injury",
)
_SERVICE_TYPES = (
    "Acute services with overnight beds",
    "Acute services without overnight beds / listed acute services with or without overnight beds",
    "Ambulance service",
    "Blood and Transplant service",
    "Care home service with nursing",
    "Care home service without nursing",
    "Community based services for people who misuse substances",
    "Community based services for people with a learning disability",
    "Community based services for people with mental health needs",
    "Community health care services - Nurses Agency only",
    "Community healthcare service",
    "Dental service",
    "Diagnostic and/or screening service",
    "Diagnostic and/or screening service - single handed sessional providers",
    "Doctors consultation service",
    "Doctors treatment service",
    "Domiciliary care service",
    "Extra Care housing services",
    "Hospice services",
    "Hospice services at home",
    "Hospital services for people with mental health needs, learning disabilities and problems"
    " with substance misuse",
    "Hyperbaric Chamber",
    "Long term conditions services",
    "Mobile doctors service",
    "Prison Healthcare Services",
    "Rehabilitation services",
    "Remote clinical advice service",
    "Residential substance misuse treatment and/or rehabilitation service",
    "Shared Lives",
    "Specialist college service",
    "Supported housing service",
    "Supported living service",
    "Urgent care services",
)
_USER_BANDS = (
    "Children 0-18 years",
    "Dementia",
    "Learning disabilities or autistic spectrum disorder",
    "Mental Health",
    "Older People",
    "People detained under the Mental Health Act",
    "People who misuse drugs and alcohol",
    "People with an eating disorder",
    "Physical Disability",
    "Sensory Impairment",
    "Whole Population",
    "Younger Adults",
)

#: The columns of CQC's HSCA_Active_Locations sheet, in the published order.
HSCA_COLUMNS: tuple[str, ...] = (
    "Location ID",
    "Location ODS Code",
    "Location Name",
    "Location Telephone Number",
    "Location Web Address",
    "Care home?",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location NHS Region",
    "Location Local Authority",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG Name",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location County",
    "Location Postal Code",
    "Location Paf ID",
    "Location UPRN ID",
    "Location Latitude",
    "Location Longitude",
    "Location Parliamentary Constituency",
    "Location Also Known As",
    "Location Specialisms",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care homes beds",
    *(f"Regulated activity - {a}" for a in _REGULATED_ACTIVITIES),
    *(f"Service type - {s}" for s in _SERVICE_TYPES),
    *(f"Service user band - {b}" for b in _USER_BANDS),
    "Provider ID",
    "Provider Name",
    "Provider HSCA start date",
    "Provider Companies House Number",
    "Provider Charity Number",
    "Provider Type/Sector",
    "Provider Inspection Directorate",
    "Provider Primary Inspection Category",
    "Provider Ownership Type",
    "Provider Telephone Number",
    "Provider Web Address",
    "Provider Street Address",
    "Provider Address Line 2",
    "Provider City",
    "Provider County",
    "Provider Postal Code",
    "Provider Paf ID",
    "Provider UPRN ID",
    "Provider Local Authority",
    "Provider Region",
    "Provider NHS Region",
    "Provider Latitude",
    "Provider Longitude",
    "Provider Parliamentary Constituency",
    "Provider Nominated Individual Name",
    "Brand ID",
    "Brand Name",
)


def hsca_row(values: Mapping[str, object]) -> list[object]:
    """One HSCA_Active_Locations row: the given columns, blanks elsewhere.

    Numbers given as text (``"45"``, ``"51.53"``) are written as numbers, as in
    the published spreadsheet.
    """
    row: list[object] = []
    for column in HSCA_COLUMNS:
        value = values.get(column, "")
        if isinstance(value, str) and column in _NUMERIC_COLUMNS and value.strip():
            number = float(value)
            value = int(number) if number.is_integer() else number
        row.append(value)
    return row


_NUMERIC_COLUMNS = {
    "Care homes beds",
    "Location Latitude",
    "Location Longitude",
    "Provider Latitude",
    "Provider Longitude",
}


def hsca_readme(as_at: str = "01 November 2025") -> list[list[object]]:
    """The README sheet of the published file."""
    return [
        ["Care Quality Commission: active locations registered under the HSCA 2008"],
        [],
        [f"Source: CQC database as at {as_at}"],
        ["One row per active location; the Dual_Registration_Locations sheet lists"],
        ["locations registered by more than one provider."],
    ]


def write_hsca_ods(
    path: Path,
    rows: Iterable[Mapping[str, object]],
    *,
    as_at: str = "01 November 2025",
    pad_header_cells: int = 200,
    trailing_empty_rows: int = 1000,
) -> Path:
    """Write rows (column name -> value) as CQC publishes them: an ODS with sheets
    ``README``, ``HSCA_Active_Locations`` (padded header) and
    ``Dual_Registration_Locations``."""

    def body() -> Iterable[list[object]]:
        yield list(HSCA_COLUMNS)
        for values in rows:
            yield hsca_row(values)

    dual = [["Location ID", "Provider ID", "Location Name"]]
    return write_ods(
        path,
        {
            "README": hsca_readme(as_at),
            "HSCA_Active_Locations": body(),
            "Dual_Registration_Locations": dual,
        },
        pad_header_cells=pad_header_cells,
        trailing_empty_rows=trailing_empty_rows,
    )
