"""Reading an uploaded file as a stream of rows, never whole into memory.

CSV: the encoding is found by one pass over the bytes: UTF-8 (with or without Excel's byte
order mark), else Windows-1252 (what older Excel saves as "CSV"), which the job page then says,
so a person can check that accented letters and pound signs came through. UTF-16 (Excel's
"Unicode Text", with a byte order mark or without one, when every other byte is zero) is read
too and said so. A NUL character (byte 0) is never text: in a heading it stops the reading, in a
cell it is a problem named by row and column. Lines are read with a
length cap, so a 10 MB cell is refused after reading a few hundred KB of it, naming its row and
column. XLSX: the zip's table of contents is checked before openpyxl opens it (the sum of the
sizes it expands to, and how hard it is compressed); then it is read with `read_only=True`.

Rows are numbered as a spreadsheet numbers them: the headings are row 1.
"""
from __future__ import annotations

import codecs
import csv
import datetime
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from input_rules.text import unstorable, unstorable_description
from partners.imports import limits

CSV = "csv"
CSV_CP1252 = "csv-cp1252"  # stored in ConcernImportJob.file_format: a CSV read as Windows-1252
CSV_UTF16 = "csv-utf16"  # a CSV read as UTF-16
XLSX = "xlsx"
FORMAT_LABELS = {
    CSV: "CSV (UTF-8)",
    CSV_CP1252: "CSV, read as Windows-1252 (Western European)",
    CSV_UTF16: "CSV, read as UTF-16 (Unicode text)",
    XLSX: "Excel workbook (.xlsx)",
}
MAX_COLUMNS = 30
CHUNK = 1024 * 1024


class FileProblem(Exception):
    """The file as a whole, or one cell that stops the reading, cannot be imported. `row` and
    `column` say where, when it is one place."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


@dataclass
class RowStream:
    """The file's headings, an estimate of its data rows (for the progress bar), and its rows."""

    file_format: str  # CSV, CSV_CP1252 or XLSX
    headers: list[str]
    estimated_rows: int
    rows: Iterator[tuple[int, list]]  # (spreadsheet row number, cells)
    close: callable


def file_format_for(name: str) -> str | None:
    lowered = (name or "").lower()
    if lowered.endswith(".csv"):
        return CSV
    if lowered.endswith(".xlsx"):
        return XLSX
    return None


def too_long_message(column: str) -> str:
    return f"The cell in column '{column}' is longer than {limits.max_cell_chars():,} characters."


def open_rows(path: str, file_format: str) -> RowStream:
    """The rows of the file at `path`, or FileProblem."""
    if file_format == XLSX:
        return _xlsx_stream(path)
    return _csv_stream(path)


# -- CSV ---------------------------------------------------------------------------------------------------------


SAVE_AS_CSV_UTF8 = "In Excel, choose Save As and “CSV UTF-8 (Comma delimited)”, then upload it again."


def _utf16_without_bom(first: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the bytes look like UTF-16 text with no byte order mark:
    in text that is mostly Latin letters, digits and commas, every other byte is zero."""
    sample = first[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.8 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.8 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _candidate_encodings(first: bytes) -> tuple[str, ...]:
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not first.startswith(codecs.BOM_UTF32_LE):
        return ("utf-16",)  # the byte order mark says which order, and is dropped
    utf16 = _utf16_without_bom(first)
    return (utf16,) if utf16 else ("utf-8-sig", "cp1252")


def detect_encoding(path: str) -> tuple[str, int]:
    """(the Python codec, number of line breaks) after one pass over the bytes:
    "utf-16", "utf-16-le" or "utf-16-be" when the file is UTF-16, else "utf-8-sig" or "cp1252"."""
    with open(path, "rb") as handle:
        first = handle.read(CHUNK)
        if not first:
            raise FileProblem("The file is empty.")
        candidates = _candidate_encodings(first)
        for encoding in candidates:
            handle.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            newlines = 0
            try:
                while chunk := handle.read(CHUNK):
                    newlines += decoder.decode(chunk).count("\n")
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding, newlines
    if candidates[0].startswith("utf-16"):
        raise FileProblem("The file looks like UTF-16 text but could not be read as it. " + SAVE_AS_CSV_UTF8)
    raise FileProblem("The file is neither UTF-8 nor Windows-1252 text. " + SAVE_AS_CSV_UTF8)


class _CappedLines:
    """The file's lines for csv.reader, refusing one longer than any row within the limits could be."""

    def __init__(self, handle, cap: int, reader_state: dict):
        self.handle, self.cap, self.state = handle, cap, reader_state

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.cap)
        if not line:
            raise StopIteration
        if len(line) >= self.cap and line[-1] not in "\r\n":
            row = self.state["records"] + 1
            headers = self.state.get("headers") or []
            index = _long_field_index(line, limits.max_cell_chars())
            column = headers[index] if index < len(headers) else f"column {index + 1}"
            raise FileProblem(too_long_message(column) + " Nothing after it was read.", row=row, column=column)
        return line


def _long_field_index(text: str, limit: int) -> int:
    """The index of the first field in the start of a CSV line that is longer than `limit` characters."""
    index, length, quoted, previous = 0, 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted if (length == 0 or quoted or previous == '"') else quoted
        elif char == "," and not quoted:
            index, length = index + 1, 0
            previous = char
            continue
        length += 1
        if length > limit + 2:  # the quotes round a field are not its characters
            return index
        previous = char
    return index


def _csv_stream(path: str) -> RowStream:
    encoding, newlines = detect_encoding(path)
    file_format = {"utf-8-sig": CSV, "cp1252": CSV_CP1252}.get(encoding, CSV_UTF16)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by the stream's close)
    state = {"records": 0}
    # Quotes doubled inside cells can make a line up to twice its cells' length.
    cap = limits.max_cell_chars() * 2 * MAX_COLUMNS + 1024
    reader = csv.reader(_CappedLines(handle, cap, state))

    def records():
        for cells in reader:
            state["records"] += 1
            yield state["records"], cells

    try:
        numbered = records()
        headers = _headers(numbered)
    except csv.Error as error:
        handle.close()
        raise FileProblem(f"The file could not be read as CSV near line {reader.line_num}: {error}.") from None
    except FileProblem:
        handle.close()
        raise
    state["headers"] = headers

    def rows():
        try:
            yield from _data_rows(numbered, headers)
        except csv.Error as error:
            raise FileProblem(f"The file could not be read as CSV near line {reader.line_num}: {error}.") from None

    return RowStream(file_format, headers, max(newlines - 1, 1), rows(), handle.close)


# -- XLSX --------------------------------------------------------------------------------------------------------


def check_zip(path: str) -> None:
    """Refuse a workbook that would expand to something huge, before anything expands it."""
    unreadable = "The file could not be read as an Excel workbook (.xlsx). Save it again from Excel, or as CSV UTF-8."
    if not zipfile.is_zipfile(path):
        raise FileProblem(unreadable)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileProblem(unreadable) from None
    # zipfile stops each member at the size its header declares, so these sums bound what openpyxl can read.
    expanded = sum(member.file_size for member in members)
    if expanded > limits.max_xlsx_uncompressed_bytes():
        raise FileProblem(
            f"The workbook would expand to {limits.megabytes(expanded)} when opened, more than the "
            f"{limits.megabytes(limits.max_xlsx_uncompressed_bytes())} allowed. Split it, or save it as CSV."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.max_xlsx_ratio():
            raise FileProblem(
                f"The workbook is compressed {ratio:,.0f} to 1 (part {member.filename}), far more than a spreadsheet "
                f"of concerns can be (the limit is {limits.max_xlsx_ratio()} to 1): it was not opened."
            )


def _xlsx_stream(path: str) -> RowStream:
    import openpyxl

    check_zip(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # noqa: BLE001 (a damaged workbook fails in many ways inside openpyxl: one answer)
        raise FileProblem("The file could not be read as an Excel workbook (.xlsx). Save it again from Excel, or as CSV UTF-8.") from None
    numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
    try:
        headers = _headers(numbered)
    except FileProblem:
        workbook.close()
        raise
    except Exception:  # noqa: BLE001
        workbook.close()
        raise FileProblem("The workbook's first sheet could not be read. Save it again from Excel, or as CSV UTF-8.") from None
    estimated = max((sheet.max_row or 2) - 1, 1)

    def rows():
        try:
            yield from _data_rows(numbered, headers)
        except FileProblem:
            raise
        except Exception:  # noqa: BLE001
            raise FileProblem("The workbook's first sheet could not be read to the end. Save it again from Excel, or as CSV UTF-8.") from None

    return RowStream(XLSX, headers, estimated, rows(), workbook.close)


# -- both --------------------------------------------------------------------------------------------------------


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _headers(numbered) -> list[str]:
    for number, row in numbered:
        row = list(row)
        if all(_blank(cell) for cell in row):
            if number > limits.max_rows():
                break
            continue
        if number > 1:
            raise FileProblem("The first row must hold the column headings, as in the template.", row=number)
        while row and _blank(row[-1]):
            row.pop()
        if len(row) > MAX_COLUMNS:
            raise FileProblem(f"The file has {len(row)} columns; a file of concerns has at most {MAX_COLUMNS}.", row=1)
        headers = []
        for index, cell in enumerate(row):
            text = "" if cell is None else str(cell).strip()
            if unstorable(text):
                raise FileProblem(f"The heading of column {index + 1} holds {unstorable_description(text)}, which a CSV file of "
                                  "text never holds: the file may have been saved in another format. " + SAVE_AS_CSV_UTF8,
                                  row=1, column=f"column {index + 1}")
            if len(text) > 200:
                raise FileProblem(f"The heading of column {index + 1} is longer than a heading can be.", row=1, column=f"column {index + 1}")
            headers.append(text)
        return headers
    raise FileProblem("The file is empty: it has no column headings and no rows.", row=1)


def _data_rows(numbered, headers: list[str]) -> Iterator[tuple[int, list]]:
    width, limit, most = len(headers), limits.max_cell_chars(), limits.max_rows()
    data_rows = 0
    for number, row in numbered:
        if number > most * 2 + 1:  # formatted but blank rows below the data count too: stop somewhere
            break
        if not any(not _blank(cell) for cell in row):
            continue
        data_rows += 1
        if data_rows > most:
            raise FileProblem(f"The file has more than {most:,} rows. Split it into files of {most:,} rows or fewer.", row=number)
        row = list(row)
        if len(row) > width:
            extra = next((index for index in range(width, len(row)) if not _blank(row[index])), None)
            if extra is not None:
                raise FileProblem(f"Row {number} has a cell (column {extra + 1}) beyond the last column heading.",
                                  row=number, column=f"column {extra + 1}")
            row = row[:width]
        elif len(row) < width:
            row.extend([None] * (width - len(row)))
        for index, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) > limit:
                raise FileProblem(too_long_message(headers[index]), row=number, column=headers[index])
        yield number, row


def cell_value(value):
    """A cell as CSV or XLSX gives it, trimmed if text; None when blank. ValueError (a sentence) if it
    holds text the hub cannot store."""
    if value is None:
        return None
    if isinstance(value, str):
        if unstorable(value):
            raise ValueError(f"The cell holds {unstorable_description(value)}, which the hub cannot store. Remove it, "
                             "or save the file again as CSV UTF-8.")
        value = value.strip()
        return value or None
    if isinstance(value, (datetime.datetime, datetime.date, bool, int, float)):
        return value
    return str(value).strip() or None
