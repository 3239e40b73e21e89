"""What goes into a spreadsheet cell, and what comes out of one.

A cell whose text starts with = + - @, a tab or a carriage return can be run as a formula
by Excel, LibreOffice or Google Sheets (CSV injection). Every text cell we export that
starts with one of them gets a single quote in front, which the spreadsheet shows as text.
Numbers we write ourselves (a turnout, a latitude) are numbers, not text, and cannot be a
formula, so they stay numbers. On import, the quote we added is taken off again, so an
export can be edited and imported back without growing a quote each time.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# Characters that XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_IN_XLSX = re.compile(r"[\000-\010\013\014\016-\037]")


def escape_cell(value):
    """The value as it is safe to write in a cell: text that could start a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    text = str(value)
    # Some spreadsheets trim leading spaces and newlines before evaluating: look past them.
    if text.lstrip(" \n").startswith(FORMULA_STARTS):
        return QUOTE + text
    return text


def unescape_cell(text: str) -> str:
    """Undo `escape_cell` on text read back from a file."""
    if text.startswith(QUOTE) and text[1:].lstrip(" \n").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def xlsx_safe(value):
    """Text with the control characters XLSX cannot store replaced by U+FFFD."""
    if isinstance(value, str):
        return _ILLEGAL_IN_XLSX.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


def cell_text(value) -> str:
    """A cell read from CSV or XLSX as trimmed text ("" for an empty cell). A whole number
    that a spreadsheet stored as 12.0 reads as "12"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()
