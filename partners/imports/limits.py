"""The limits on an uploaded file, read from settings each time (so a test or a deployment can change them)."""
from django.conf import settings


def max_bytes() -> int:
    return settings.CONCERN_IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.CONCERN_IMPORT_MAX_ROWS


def max_cell_chars() -> int:
    return settings.CONCERN_IMPORT_MAX_CELL_CHARS


def max_xlsx_uncompressed_bytes() -> int:
    return settings.CONCERN_IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES


def max_xlsx_ratio() -> int:
    return settings.CONCERN_IMPORT_MAX_XLSX_RATIO


def progress_every() -> int:
    return max(settings.CONCERN_IMPORT_PROGRESS_EVERY, 1)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"
