"""Spreadsheets in and out: CSV and Excel (.xlsx) writing that streams, and reading of
uploaded files that refuses hostile ones. Shared by every export and import (lists,
the monthly report, the volunteer roster): one place for formula injection, the BOM,
the size limits.

Memory stays bounded on the way out: CSV rows are written to the response as they come
from the database; an Excel file goes row by row through openpyxl's write-only workbook
into a temporary file, which is then streamed and deleted."""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.styles import Font

from coordination.dates import format_date_input

# What a spreadsheet reads as the start of a formula (or DDE): =, +, -, @, and a tab or
# carriage return before them (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# People's data: never kept in a browser's cache (a shared phone, an office PC).
NO_STORE = "no-store"


def neutralise(text: str) -> str:
    """A text that a spreadsheet would run as a formula, made plain text by a leading
    apostrophe (shown, never run). The same in CSV and Excel: an .xlsx saved again as
    CSV must not come back alive."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell_value(value: Any) -> str | int | Decimal:
    """What a cell holds: numbers stay numbers, dates are text as the page writes them
    (`24/04/2562` in Thai, as the centre writes dates; `24/04/2019` in English, as its
    pages and the file's name do; the imports read both), the rest neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return pgettext("it is so", "yes") if value else pgettext("it is so", "no")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        value = value.date() if value.tzinfo is None else value.astimezone().date()
    if isinstance(value, datetime.date):
        return format_date_input(value)
    return neutralise(str(value))


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading and how to read it from a row."""

    heading: Any  # a lazy translation: read in the language of the request
    value: Callable[[Any], Any]


def table_rows(rows: Iterable[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    for row in rows:
        yield [cell_value(column.value(row)) for column in columns]


class _Echo:
    """csv.writer writes into this and gets the line back: nothing accumulates."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headings: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 with a BOM, so that Excel shows Thai; one encoded line at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([neutralise(str(h)) for h in headings]).encode()
    for row in rows:
        yield writer.writerow(row).encode()


def csv_response(
    filename: str, headings: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(headings, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = NO_STORE
    return response


def write_xlsx(
    target: IO[bytes],
    sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]],
) -> None:
    """Sheets of (title, headings, rows) into `target`, through the write-only workbook:
    each row is written out as it is appended, so memory does not grow with the rows."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headings, rows in sheets:
        # Excel's rules for sheet names: 31 characters, none of []:*?/\
        sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31])
        heading_cells = []
        for heading in headings:
            cell = WriteOnlyCell(sheet, value=neutralise(str(heading)))
            cell.font = bold
            heading_cells.append(cell)
        sheet.append(heading_cells)
        for row in rows:
            # Plain strings starting with "=" would be taken for formulas by openpyxl;
            # neutralised values never start so, and a cell typed "s" is text whatever it holds.
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    workbook.save(target)


def xlsx_response(
    filename: str,
    sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]],
) -> FileResponse:
    # An anonymous temporary file: gone from the disk when the response closes it (so
    # no `with`: the response outlives this function).
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write_xlsx(target, sheets)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    response = FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = NO_STORE
    return response


def table_response(
    fmt: str, name: str, title: str, columns: Sequence[Column], rows: Iterable[Any]
) -> StreamingHttpResponse | FileResponse:
    """The rows as `<name>.csv` or `<name>.xlsx` (one sheet called `title`)."""
    headings = [str(column.heading) for column in columns]
    values = table_rows(rows, columns)
    if fmt == "csv":
        return csv_response(f"{name}.csv", headings, values)
    return xlsx_response(f"{name}.xlsx", [(title, headings, values)])


# Reading uploads ---------------------------------------------------------------------

# An upload larger than this is refused before it is opened.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: what its parts add up to once inflated. A real 5,000-row roster is
# a few MB; a zip bomb is gigabytes. Checked from the zip's directory before openpyxl
# opens it (Python's zipfile then stops any part at its declared size).
MAX_XLSX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_XLSX_PARTS = 200


class SpreadsheetError(ValueError):
    """A file that is not a spreadsheet we read: the message says why, in the user's language."""


def sniff_kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An old .xls (or another Office 97 document).
        raise SpreadsheetError(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
        )
    if b"\x00" in head:
        raise SpreadsheetError(_("This file is not a spreadsheet: upload an .xlsx or CSV file."))
    return "csv"


def too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(limit)s rows. Split it into files of %(limit)s rows at most.")
        % {"limit": f"{max_rows:,}"}
    )


def check_zip(file: IO[bytes], max_rows: int) -> None:
    """Refuses a zip that is not an .xlsx, would inflate past the limits, cannot be
    read, or whose first sheet (the one imported) has merged cells or far more rows than
    any import reads."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(
            _("This file is not a spreadsheet: upload an .xlsx or CSV file.")
        ) from None
    finally:
        file.seek(0)
    if len(parts) > MAX_XLSX_PARTS or sum(p.file_size for p in parts) > MAX_XLSX_UNCOMPRESSED:
        raise SpreadsheetError(
            _("This file would unpack to far more than any import can hold; it was not opened.")
        )
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            _("This file is not an Excel workbook: upload an .xlsx or CSV file.")
        )
    unreadable = SpreadsheetError(
        _("This Excel file could not be read. Open it in Excel, save it again and upload it.")
    )
    try:
        with zipfile.ZipFile(file) as archive:
            sheet = first_sheet(archive)
            rows, merged = scan_sheet(archive, sheet) if sheet in names else (0, False)
    # A damaged part (a broken deflate stream, a name that is not there), an encrypted
    # one, or XML openpyxl's own reader refuses.
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError,
            OSError, ValueError, KeyError, TypeError, SyntaxError):  # fmt: skip
        raise unreadable from None
    finally:
        file.seek(0)
    # Merged cells shift values between columns silently: refuse rather than guess.
    if merged:
        raise SpreadsheetError(
            _("The file has merged cells. Unmerge them (one value per cell) and upload it again.")
        )
    # Rows whose cells hold nothing but a format (a template's borders) are not counted;
    # those holding an empty text are, and skipped when read: so twice the limit. This
    # spares reading a sheet of 100,000 rows (openpyxl parses a whole sheet that does not
    # state its size on opening).
    if rows > 2 * (max_rows + 1):
        raise too_many_rows(max_rows)


def first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first worksheet, the one an import reads (not always
    xl/worksheets/sheet1.xml), found as openpyxl finds it."""
    workbook = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
    workbook.parse()
    for _sheet, link in workbook.find_sheets():
        if link is not None and link.Type.endswith("/worksheet"):
            return link.target
    return None


# The tags that matter in a sheet, also with a namespace prefix (<x:row ...>): a row (not
# <rowBreaks>), a cell's value, inline text or formula, and a merged range.
SHEET_TAG = re.compile(rb"<(?:\w+:)?(row|v|is|f|mergeCell)[\s>/]")


def scan_sheet(archive: zipfile.ZipFile, name: str) -> tuple[int, bool]:
    """A sheet's rows holding a value, and whether it merges cells; read in pieces (parts
    can be large), a tag cut between two pieces counted once."""
    rows, merged, in_row, tail = 0, False, False, b""
    with archive.open(name) as part:
        while chunk := part.read(256 * 1024):
            window = tail + chunk
            for found in SHEET_TAG.finditer(window):
                if found.end() <= len(tail):
                    continue  # seen with the piece before
                tag = found[1]
                if tag == b"row":
                    in_row = True
                elif tag == b"mergeCell":
                    merged = True
                elif in_row:  # the row's first value
                    rows += 1
                    in_row = False
            tail = window[-32:]
    return rows, merged


def text_of(value: Any) -> Any:
    """A cell as read: text stripped; dates, numbers as they are (the caller decides)."""
    if isinstance(value, str):
        return value.strip()
    return value


def read_rows(file: IO[bytes], *, max_rows: int, max_columns: int) -> list[tuple[int, list[Any]]]:
    """Every non-empty row of the first sheet (the heading row included) with its number
    in the sheet, as Excel numbers it, past the empty rows left out: at most `max_rows`
    + 1 rows, or SpreadsheetError. Formulas are read as their text (=...), never
    evaluated; values cached by Excel are not read."""
    head = file.read(8)
    file.seek(0)
    if not head:
        raise SpreadsheetError(_("The file is empty."))
    kind = sniff_kind(head)
    if kind == "xlsx":
        check_zip(file, max_rows)
    rows = read_xlsx(file, max_columns) if kind == "xlsx" else read_csv(file, max_columns)
    found: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(rows, start=1):
        values = [text_of(value) for value in row]
        if all(value in (None, "") for value in values):
            continue
        found.append((number, values))
        if len(found) > max_rows + 1:
            raise too_many_rows(max_rows)
    return found


def read_xlsx(file: IO[bytes], max_columns: int) -> Iterator[Sequence[Any]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise SpreadsheetError(
            _("This Excel file could not be read. Open it in Excel, save it again and upload it.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(max_col=max_columns, values_only=True)
    except SpreadsheetError:
        raise
    except Exception:  # a damaged sheet, or a part inflating past its declared size
        raise SpreadsheetError(
            _("This Excel file could not be read. Open it in Excel, save it again and upload it.")
        ) from None
    finally:
        workbook.close()


def read_csv(file: IO[bytes], max_columns: int) -> Iterator[Sequence[Any]]:
    raw = file.read(MAX_UPLOAD_BYTES + 1)
    # UTF-8 (with or without BOM) first; Thai Windows saves CSV as TIS-620 (cp874).
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(_("This file is not a spreadsheet: upload an .xlsx or CSV file."))
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield row[:max_columns]
    except csv.Error:
        raise SpreadsheetError(
            _("This CSV file could not be read. Save it again from Excel as CSV UTF-8.")
        ) from None
