"""A force area round Barrow-in-Furness, uploads kept in a temporary folder, and files to upload."""
import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.imports.resources import ConcernResource
from partners.imports.services import concern_import_check, concern_import_commit, concern_import_confirm
from partners.models import ConcernImportJob
from tests.factories import ForceAreaFactory

COLUMNS = ConcernResource.column_names()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def force_area(force):
    # Longitude -3.30 to -3.10, latitude 54.05 to 54.25: Barrow-in-Furness and round about.
    return ForceAreaFactory(force=force, code="cumbria")


def row(**changes) -> dict:
    """A good row: fly-tipping in Barrow yesterday."""
    when = timezone.localtime() - datetime.timedelta(days=1)
    values = {
        "category": "Fly-tipping", "latitude": "54.1150", "longitude": "-3.2270", "place": "Rear of Market Street",
        "occurred_at": when.strftime("%Y-%m-%d %H:%M"), "reported_at": "", "channel": "Phone call",
        "description": "Bags of rubbish dumped behind the shops.", "holds_personal_data": "no", "reporter_name": "",
        "reporter_email": "", "reporter_phone": "", "classification": "OFFICIAL", "external_reference": "",
    }
    values.update(changes)
    return values


def rows(count: int, **changes) -> list[dict]:
    return [row(description=f"Bags of rubbish dumped behind the shops, report {n}.", **changes) for n in range(count)]


def csv_bytes(data: list[dict], *, headers=None, encoding="utf-8") -> bytes:
    headers = headers or COLUMNS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in data:
        writer.writerow([values.get(header, "") for header in headers])
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, name: str = "concerns.csv"):
    """Upload a file as the signed-in user; the response and the job it made (if any)."""
    response = client.post(reverse("partners:import-upload"), {"upload": SimpleUploadedFile(name, content)})
    job = ConcernImportJob.objects.order_by("-pk").first() if response.status_code == 302 else None
    return response, job


def check(job) -> ConcernImportJob:
    """The dry run, as the Celery task runs it."""
    concern_import_check(job_id=job.pk)
    job.refresh_from_db()
    return job


def confirm_and_commit(job, user) -> ConcernImportJob:
    concern_import_confirm(job=job, acting_user=user)
    concern_import_commit(job_id=job.pk)
    job.refresh_from_db()
    return job


def page_text(client, job) -> str:
    return client.get(reverse("partners:import-detail", args=[job.pk])).content.decode()


def problems_shown(client, job) -> list[tuple[str, str, str]]:
    """The problems table on the job's page, as (row, column, message) the way a person reads them."""
    import html
    import re

    page = page_text(client, job)
    table = page.split('id="import-errors"', 1)[1] if 'id="import-errors"' in page else ""
    cells = re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(.*?)</td>\s*'
                       r'<td class="govuk-table__cell">(.*?)</td>\s*<td class="govuk-table__cell">(.*?)</td>', table, re.S)
    return [tuple(html.unescape(cell.strip()) for cell in found) for found in cells]
