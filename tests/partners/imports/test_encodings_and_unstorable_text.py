"""Files in odd encodings and holding text the hub cannot store: read, or refused naming the row and column;
a job always ends, and its messages can always be saved."""
import pytest

from partners.imports.services import _finish
from partners.models import Concern, ConcernImportJob, ImportJobStatus
from tests.partners.imports.conftest import COLUMNS, check, confirm_and_commit, csv_bytes, page_text, problems_shown, row, upload

pytestmark = pytest.mark.django_db

CAFE = "Café owner reports £200 of damage."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_or_without_a_byte_order_mark_imports(partner_client, partner_user, force_area, encoding):
    _, job = upload(partner_client, csv_bytes([row(description=CAFE)], encoding=encoding))
    job = check(job)
    assert job.status == ImportJobStatus.CHECKED, job.errors
    assert "CSV, read as UTF-16 (Unicode text)" in page_text(partner_client, job)
    job = confirm_and_commit(job, partner_user)
    assert job.status == ImportJobStatus.IMPORTED
    assert Concern.objects.get().description == CAFE


def test_a_broken_utf16_file_is_refused_asking_for_csv_utf8(partner_client, force_area):
    content = csv_bytes([row()], encoding="utf-16") + b"\x00\xd8"  # half a surrogate pair at the end
    _, job = upload(partner_client, content)
    job = check(job)
    assert job.status == ImportJobStatus.REJECTED
    assert job.errors[0]["message"].startswith("The file looks like UTF-16 text but could not be read as it.")
    assert "CSV UTF-8" in job.errors[0]["message"]


def test_a_nul_in_a_heading_is_refused_naming_the_column(partner_client, force_area):
    headers = [*COLUMNS[:3], "pla\x00ce", *COLUMNS[4:]]
    _, job = upload(partner_client, csv_bytes([row()], headers=headers))
    job = check(job)
    assert job.status == ImportJobStatus.REJECTED
    assert problems_shown(partner_client, job) == [(
        "1", "column 4", "The heading of column 4 holds a NUL character (byte 0), which a CSV file of text never holds: the file "
        "may have been saved in another format. In Excel, choose Save As and “CSV UTF-8 (Comma delimited)”, then upload it again.")]


def test_a_file_of_one_nul_byte_is_refused_not_stuck(partner_client, force_area):
    _, job = upload(partner_client, b"\x00")
    job = check(job)
    assert job.status == ImportJobStatus.REJECTED
    assert job.errors[0]["row"] == 1 and job.errors[0]["column"] == "column 1"


def test_a_nul_in_a_cell_is_named_by_row_and_column(partner_client, force_area):
    _, job = upload(partner_client, csv_bytes([row(), row(description="Bags\x00 dumped.")]))
    job = check(job)
    assert job.status == ImportJobStatus.REJECTED
    assert problems_shown(partner_client, job) == [(
        "3", "description", "The cell holds a NUL character (byte 0), which the hub cannot store. Remove it, or save the file "
        "again as CSV UTF-8.")]
    assert Concern.objects.count() == 0


@pytest.mark.parametrize("value,message", [
    ("0001-01-01 00:00", "The date it happened (0001-01-01) is before 1 January 1900, the earliest date the hub accepts."),
    ("01/01/0001", "The date it happened (0001-01-01) is before 1 January 1900, the earliest date the hub accepts."),
    ("9999-12-31T23:59:59+14:00", "The date it happened (9999-12-31) is after 31 December 2999, the latest date the hub accepts."),
])
def test_a_date_out_of_range_is_named_by_row_and_column(partner_client, force_area, value, message):
    _, job = upload(partner_client, csv_bytes([row(occurred_at=value)]))
    job = check(job)
    assert job.status == ImportJobStatus.REJECTED, job.errors
    assert problems_shown(partner_client, job) == [("2", "occurred_at", message)]


def test_a_message_quoting_unstorable_text_is_saved_with_it_replaced(partner_client, force_area):
    _, job = upload(partner_client, csv_bytes([row()]))
    _finish(job, status=ImportJobStatus.REJECTED, errors=[{"row": 1, "column": "pla\x00ce", "message": "Column 'pla\x00ce\ud800'."}])
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REJECTED
    assert job.errors == [{"row": 1, "column": "pla\ufffdce", "message": "Column 'pla\ufffdce\ufffd'."}]


def test_a_job_whose_outcome_cannot_be_saved_ends_failed_not_checking(partner_client, force_area):
    _, job = upload(partner_client, csv_bytes([row()]))
    ConcernImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.CHECKING)
    job.file_format = "x" * 50  # longer than the column: the database refuses the save
    _finish(job, status=ImportJobStatus.CHECKED, errors=[])
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert job.errors[0]["message"].startswith("The import stopped unexpectedly and nothing was imported.")
    assert job.finished_at is not None
