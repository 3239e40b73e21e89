"""Reading an uploaded file into a table, and writing a download, as CSV or XLSX.

Uploads are refused, with a message a person can act on, when they are larger than
2 MB, hold more than 5,000 rows, are empty or hold only the column headings, or cannot
be read. Rows are numbered as a spreadsheet numbers them (the headings are row 1), so
"Row 4" is the fourth row on the screen; wholly blank rows are passed over.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

import tablib
from import_export.formats import base_formats

from hub_ui.cells import xlsx_safe
from input_rules.text import unstorable, unstorable_description

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# A spreadsheet may carry formatted but empty rows below its data; past this many rows
# (blank or not) we stop reading, so that a small compressed file cannot keep us busy.
MAX_PHYSICAL_ROWS = MAX_ROWS * 4
MAX_COLUMNS = 100


class FileFormat:
    CSV = "csv"
    XLSX = "xlsx"
    choices = [(CSV, "CSV (comma-separated values, UTF-8)"), (XLSX, "Excel workbook (.xlsx)")]
    content_types = {
        CSV: "text/csv; charset=utf-8",
        XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # the spreadsheet's number of each row


def file_format_for(name: str) -> str | None:
    lowered = (name or "").lower()
    if lowered.endswith(".csv"):
        return FileFormat.CSV
    if lowered.endswith(".xlsx"):
        return FileFormat.XLSX
    return None


def read_table(content: bytes, file_format: str) -> Table:
    """The headings and the non-blank rows of an uploaded file, or FileProblem."""
    if not content:
        raise FileProblem("The file is empty.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileProblem(too_large_message())
    rows = _csv_rows(content) if file_format == FileFormat.CSV else _xlsx_rows(content)
    return _table(rows)


def too_large_message() -> str:
    return f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split it into smaller files."


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not in UTF-8. In Excel, choose Save As and “CSV UTF-8 (Comma delimited)”, then upload it again."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as error:
        raise FileProblem(f"The file could not be read as CSV near row {reader.line_num}: {error}.") from None


def _xlsx_rows(content: bytes):
    import openpyxl

    unreadable = "The file could not be read as an Excel workbook (.xlsx). Save it again from Excel, or as CSV UTF-8."
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise FileProblem(unreadable)
    # A damaged or hostile workbook can fail in many ways inside openpyxl (zip, XML, missing
    # parts): each is the same answer to the person who sent it.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001
        raise FileProblem(unreadable) from None
    try:
        sheet = workbook.worksheets[0]  # the first sheet, whichever was open when it was saved
        yield from sheet.iter_rows(values_only=True)
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001
        raise FileProblem(unreadable) from None
    finally:
        workbook.close()


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(rows) -> Table:
    table = None
    for number, row in enumerate(rows, start=1):
        if number > MAX_PHYSICAL_ROWS:
            raise FileProblem(too_many_rows_message())
        row = list(row)
        if table is None:
            if all(_blank(cell) for cell in row):
                continue  # a file of blank lines is empty; one whose headings are not on row 1 is refused below
            if number > 1:
                raise FileProblem("The first row must hold the column headings, such as those in an export.")
            while row and _blank(row[-1]):
                row.pop()
            if len(row) > MAX_COLUMNS:
                raise FileProblem(f"The file has more than {MAX_COLUMNS} columns.")
            headers = [("" if cell is None else str(cell)).strip() for cell in row]
            if "" in headers:
                raise FileProblem(f"Column {headers.index('') + 1} has no heading. Give every column a heading, or delete it.")
            bad = next((index for index, header in enumerate(headers) if unstorable(header)), None)
            if bad is not None:
                raise FileProblem(f"The heading of column {bad + 1} holds {unstorable_description(headers[bad])}, which a "
                                  "file of text never holds. Save the file again as CSV UTF-8, or as an Excel workbook.")
            table = Table(headers=headers)
            continue
        if all(_blank(cell) for cell in row):
            continue
        if len(row) > len(table.headers):
            if any(not _blank(cell) for cell in row[len(table.headers):]):
                raise FileProblem(f"Row {number} has more cells than there are column headings.")
            row = row[: len(table.headers)]
        row += [""] * (len(table.headers) - len(row))
        table.rows.append(row)
        table.row_numbers.append(number)
        if len(table.rows) > MAX_ROWS:
            raise FileProblem(too_many_rows_message())
    if table is None:
        raise FileProblem("The file is empty.")
    if not table.rows:
        raise FileProblem("The file has column headings but no rows to import.")
    return table


def too_many_rows_message() -> str:
    return f"The file has more than {MAX_ROWS:,} rows. Split it into files of {MAX_ROWS:,} rows or fewer."


def write_file(dataset: tablib.Dataset, file_format: str) -> bytes:
    """The dataset (already escaped by its resource) as a CSV or XLSX download."""
    if file_format == FileFormat.CSV:
        # With a byte order mark, Excel opens the file as UTF-8 (names with accents stay whole).
        return base_formats.CSV().export_data(dataset).encode("utf-8-sig")
    safe = tablib.Dataset(*[tuple(xlsx_safe(cell) for cell in row) for row in dataset], headers=dataset.headers,
                          title=dataset.title)
    return base_formats.XLSX().export_data(safe)
