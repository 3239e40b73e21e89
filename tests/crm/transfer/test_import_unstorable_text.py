"""A CRM import whose cells hold text the hub cannot store, or dates outside its range, is refused naming the row and column."""
import pytest

from crm.models import Contact
from tests.crm.transfer.helpers import csv_file, in_a_year, page_text, upload

pytestmark = pytest.mark.django_db

HEADINGS = ["First name", "Last name", "Email", "Lawful basis", "Keep until"]


def contact(**changes):
    person = {"First name": "Ann", "Last name": "Lee", "Email": "ann@example.org", "Lawful basis": "Public task", "Keep until": in_a_year()}
    person.update(changes)
    return [person[heading] for heading in HEADINGS]


def test_a_nul_in_a_cell_is_named_by_row_and_column(officer_client):
    officer_client.raise_request_exception = False
    response = upload(officer_client, "contacts", csv_file([HEADINGS, contact(), contact(**{"Last name": "Le\x00e"})]))
    assert response.status_code == 200
    assert "Row 3, Last name: This cell holds a NUL character (byte 0), which the hub cannot store. Remove it." in page_text(response)
    assert not Contact.objects.exists()


def test_a_nul_in_a_heading_is_refused(officer_client):
    officer_client.raise_request_exception = False
    response = upload(officer_client, "contacts", csv_file([[*HEADINGS[:4], "Keep\x00until"], contact()]))
    assert response.status_code == 200
    assert ("The heading of column 5 holds a NUL character (byte 0), which a file of text never holds. Save the file again "
            "as CSV UTF-8, or as an Excel workbook.") in page_text(response)
    assert not Contact.objects.exists()


@pytest.mark.parametrize("value,message", [
    ("0001-01-01", "Row 2, Keep until: The date 0001-01-01 is before 1 January 1900, the earliest date the hub accepts."),
    ("31/12/9999", "Row 2, Keep until: The date 9999-12-31 is after 31 December 2999, the latest date the hub accepts."),
])
def test_a_date_out_of_range_is_named_by_row_and_column(officer_client, value, message):
    officer_client.raise_request_exception = False
    response = upload(officer_client, "contacts", csv_file([HEADINGS, contact(**{"Keep until": value})]))
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Contact.objects.exists()
