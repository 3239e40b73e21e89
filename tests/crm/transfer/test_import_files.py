"""Files that cannot be imported are refused whole, with a message that says what to do."""
import pytest

from crm.models import Contact
from crm.transfer.files import MAX_ROWS, FileProblem, read_table
from tests.crm.transfer.helpers import csv_file, in_a_year, page_text, upload, upload_and_confirm, xlsx_file

pytestmark = pytest.mark.django_db

HEADINGS = ["First name", "Last name", "Email", "Lawful basis", "Keep until"]


def person(n: int) -> list:
    return [f"Person{n}", "Lee", f"person{n}@example.org", "Public task", in_a_year()]


def refusal(response) -> str:
    """The error on the upload form: the page is the form again, not a dry run."""
    assert response.status_code == 200
    assert "There is a problem" in page_text(response)
    return page_text(response)


def test_a_file_larger_than_2_mb_is_refused(officer_client):
    padding = "x" * 1000
    content = csv_file([[*HEADINGS, "Notes"], *([*person(n), padding] for n in range(2200))])
    assert len(content) > 2 * 1024 * 1024
    text = refusal(upload(officer_client, "contacts", content))
    assert "The file must be smaller than 2 MB. Split it into smaller files." in text
    assert not Contact.objects.exists()


def test_a_file_with_more_than_5000_rows_is_refused(officer_client):
    content = csv_file([HEADINGS, *(person(n) for n in range(MAX_ROWS + 1))])
    assert len(content) < 2 * 1024 * 1024
    text = refusal(upload(officer_client, "contacts", content))
    assert "The file has more than 5,000 rows. Split it into files of 5,000 rows or fewer." in text


def test_5000_rows_are_within_the_limit_and_6000_blank_lines_are_not():
    table = read_table(csv_file([HEADINGS, *(person(n) for n in range(MAX_ROWS))]), "csv")
    assert len(table.rows) == MAX_ROWS and table.row_numbers[-1] == MAX_ROWS + 1
    with pytest.raises(FileProblem, match="more than 5,000 rows"):
        read_table(csv_file([HEADINGS, person(1), *([""] for _ in range(MAX_ROWS * 4))]), "csv")


def test_an_empty_file_is_refused(officer_client):
    assert "The file is empty." in refusal(upload(officer_client, "contacts", b""))
    assert "The file is empty." in refusal(upload(officer_client, "contacts", b"\n\n"))


def test_a_file_with_only_headings_is_refused(officer_client):
    text = refusal(upload(officer_client, "contacts", csv_file([HEADINGS])))
    assert "The file has column headings but no rows to import." in text
    text = refusal(upload(officer_client, "contacts", xlsx_file([HEADINGS, [None] * 5]), name="people.xlsx"))
    assert "The file has column headings but no rows to import." in text


def test_unknown_and_missing_columns_are_named(officer_client):
    text = refusal(upload(officer_client, "contacts", csv_file([["First name", "Shoe size", "Email", "Star sign"], ["Ann", "5", "a@example.org", "Leo"]])))
    assert "These columns are not ones this import knows: Shoe size, Star sign." in text
    assert "These columns are missing and are needed to add community contacts: Last name, Lawful basis, Keep until." in text


def test_headings_are_matched_without_regard_to_case_or_spacing(officer_client):
    upload_and_confirm(officer_client, "contacts", csv_file([["first  NAME", "last_name", "email", "LAWFUL BASIS", "keep until"], person(1)]))
    assert Contact.objects.get().first_name == "Person1"


def test_a_column_twice_is_refused(officer_client):
    text = refusal(upload(officer_client, "contacts", csv_file([[*HEADINGS, "email"], [*person(1), "b@example.org"]])))
    assert "These columns appear more than once: Email." in text


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(officer_client):
    text = refusal(upload(officer_client, "contacts", b"PK\x03\x04 not really", name="people.xls"))
    assert "The file must be a CSV file (.csv) or an Excel workbook (.xlsx)." in text


def test_a_damaged_workbook_is_refused(officer_client):
    text = refusal(upload(officer_client, "contacts", b"PK\x03\x04 not a workbook at all", name="people.xlsx"))
    assert "The file could not be read as an Excel workbook (.xlsx)." in text


def test_a_csv_not_in_utf8_is_refused_with_how_to_save_it(officer_client):
    content = "First name,Last name\nZoë,Lee\n".encode("cp1252")
    assert "“CSV UTF-8 (Comma delimited)”" in refusal(upload(officer_client, "contacts", content))


def test_blank_rows_are_passed_over_and_rows_keep_their_spreadsheet_numbers(officer_client):
    text = page_text(upload(officer_client, "contacts", csv_file([HEADINGS, person(1), [], ["", ""], [*person(2)[:2], "not-an-email", *person(2)[3:]]])))
    assert "Row 5, Email: Enter a valid email address." in text
    assert "2 in the file" in text


def test_a_row_longer_than_the_headings_is_refused(officer_client):
    text = refusal(upload(officer_client, "contacts", csv_file([HEADINGS, [*person(1), "surprise"]])))
    assert "Row 2 has more cells than there are column headings." in text
