"""Building files to upload and reading the files downloaded, as an officer's spreadsheet would."""
import csv
import datetime
import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

EXPORT = reverse("crm:export")
IMPORT = reverse("crm:import")
CONFIRM = reverse("crm:import-confirm")


def in_a_year() -> str:
    return (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


def csv_file(rows, *, bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_file(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, what: str, content: bytes, name: str = "records.csv"):
    """The first step of an import: the dry run's page (or the form again, with its errors)."""
    return client.post(IMPORT, {"what": what, "upload": SimpleUploadedFile(name, content)})


def confirm_token(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the check page offers no confirmation"
    return match.group(1)


def upload_and_confirm(client, what: str, content: bytes, name: str = "records.csv"):
    checked = upload(client, what, content, name)
    return client.post(CONFIRM, {"token": confirm_token(checked)}, follow=True)


def page_text(response) -> str:
    """What a reader sees: the page without its tags, whitespace squeezed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    for entity, character in (("&#x27;", "'"), ("&amp;", "&"), ("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">")):
        text = text.replace(entity, character)
    return " ".join(text.split())


def export(client, what: str, file_format: str):
    return client.post(EXPORT, {"what": what, "file_format": file_format})


def csv_rows(response) -> list[dict]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff"), "a CSV export starts with a byte order mark, for Excel"
    return list(csv.DictReader(io.StringIO(content[1:], newline="")))


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_rows(response) -> list[dict]:
    rows = list(xlsx_sheet(response).iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]
