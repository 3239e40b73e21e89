"""Importing community contacts: a dry run row by row, then all or nothing, only into what the user may see."""
import datetime

import pytest

from organisations.models import AuditEvent
from crm.models import Contact
from tests.crm.transfer.helpers import (
    CONFIRM, IMPORT, confirm_token, csv_file, export, in_a_year, page_text, upload, upload_and_confirm, xlsx_file,
)
from tests.factories import CommunityGroupFactory, ContactFactory, under_represented

pytestmark = pytest.mark.django_db

HEADINGS = ["First name", "Last name", "Email", "Lawful basis", "Keep until", "Under-represented groups", "Notes"]


def rows(*people):
    return [HEADINGS, *people]


def ann(**changes):
    person = {"First name": "Ann", "Last name": "Lee", "Email": "ann@example.org", "Lawful basis": "Public task",
              "Keep until": in_a_year(), "Under-represented groups": "Carers; Older people", "Notes": ""}
    person.update(changes)
    return [person[heading] for heading in HEADINGS]


def test_signing_in_is_required(client):
    assert client.get(IMPORT).status_code == 302
    assert client.post(CONFIRM, {"token": "x"}).status_code == 302


def test_the_import_page_takes_a_file(officer_client, django_assert_num_queries):
    # 1 session, 2 user, 3 roles for the navigation.
    with django_assert_num_queries(3):
        response = officer_client.get(IMPORT)
    text = page_text(response)
    assert "Import records" in text
    assert "smaller than 2 MB" in text and "5,000 rows" in text
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_dry_run_lists_each_problem_by_row_and_column_and_saves_nothing(officer_client):
    past = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    response = upload(officer_client, "contacts", csv_file(rows(
        ann(),
        ann(**{"First name": "Bob", "Email": "bob-at-example"}),
        ann(**{"First name": "Cy", "Email": "cy@example.org", "Keep until": past}),
        ann(**{"First name": "Di", "Email": "di@example.org", "Under-represented groups": "Carers; Pirates", "Lawful basis": "Whim"}),
    )))
    text = page_text(response)
    assert "Your file has problems" in text
    assert "Row 3, Email: Enter a valid email address." in text
    assert "Row 4, Keep until: The retention date must be in the future." in text
    assert "Row 5, Lawful basis: “Whim” is not one of:" in text
    assert "Row 5, Under-represented groups: There is no under-represented group “Pirates” that you can choose." in text
    assert "Row 2" not in text  # Ann is fine
    assert "4 in the file: 1 to add, 0 to update, 0 unchanged, 3 with problems" in text
    assert 'name="token"' not in response.content.decode()  # no confirmation is offered
    assert not Contact.objects.exists()


def test_a_good_dry_run_saves_nothing_and_offers_the_confirmation(officer_client):
    response = upload(officer_client, "contacts", csv_file(rows(ann(), ann(**{"First name": "Bob", "Email": "bob@example.org"}))))
    text = page_text(response)
    assert "Check your import" in text and "Nothing has been saved yet." in text
    assert "2 in the file: 2 to add" in text
    assert "Import 2 records" in text
    assert not Contact.objects.exists()


def test_a_confirmed_import_adds_contacts_owned_by_the_officers_team(officer_client, officer, team):
    response = upload_and_confirm(officer_client, "contacts", csv_file(rows(ann(), ann(**{"First name": "Bob", "Email": "bob@example.org"}))))
    assert response.redirect_chain[-1][0] == "/contacts/"
    assert "records.csv is imported: 2 added, 0 updated, 0 unchanged." in page_text(response)
    contacts = Contact.objects.order_by("first_name")
    assert [(c.first_name, c.organisation, c.created_by) for c in contacts] == [("Ann", team, officer), ("Bob", team, officer)]
    assert {g.name for g in contacts[0].communities.all()} == {"Carers", "Older people"}
    assert AuditEvent.objects.get(action="records.import").summary == "Imported community contacts from records.csv: 2 added, 0 updated"


def test_an_imported_contact_has_history_naming_the_officer(officer_client, officer):
    upload_and_confirm(officer_client, "contacts", csv_file(rows(ann())))
    event = Contact.pgh_event_model.objects.select_related("pgh_context").get(pgh_obj_id=Contact.objects.get().pk)
    assert event.pgh_label == "insert"
    assert event.pgh_context.metadata["user"] == officer.pk


def test_a_partner_users_import_belongs_to_their_agency(partner_client, partner_user, council):
    upload_and_confirm(partner_client, "contacts", csv_file(rows(ann())))
    assert Contact.objects.get().organisation == council


def test_a_csv_with_a_byte_order_mark_imports(officer_client):
    content = csv_file(rows(ann(**{"First name": "Zoë"})), bom=True)
    assert content.startswith(b"\xef\xbb\xbf")
    upload_and_confirm(officer_client, "contacts", content)
    assert Contact.objects.get().first_name == "Zoë"


def test_an_excel_workbook_imports(officer_client):
    # A workbook gives dates as dates: Excel's own type for "Keep until".
    year_ahead = datetime.datetime.combine(datetime.date.today() + datetime.timedelta(days=365), datetime.time())
    upload_and_confirm(officer_client, "contacts", xlsx_file(rows(ann(**{"Keep until": year_ahead}))), name="people.xlsx")
    contact = Contact.objects.get()
    assert (contact.first_name, contact.retain_until) == ("Ann", year_ahead.date())


def test_a_row_with_the_id_of_a_contact_the_officer_cannot_see_is_refused(officer_client, other_force):
    hidden = ContactFactory(organisation=other_force, first_name="Olive", last_name="Outside")
    missing_id = hidden.pk + 1000
    response = upload(officer_client, "contacts", csv_file([
        ["ID", *HEADINGS], [hidden.pk, *ann()], [missing_id, *ann(**{"Email": "x@example.org"})],
    ]))
    text = page_text(response)
    # An invisible contact reads exactly like one that does not exist.
    assert f"Row 2: no contact with id {hidden.pk} that you can see" in text
    assert f"Row 3: no contact with id {missing_id} that you can see" in text
    assert "Olive" not in text
    hidden.refresh_from_db()
    assert hidden.first_name == "Olive" and Contact.objects.count() == 1


def test_an_outsider_cannot_update_the_forces_contacts(outsider_client, team):
    contact = ContactFactory(organisation=team, first_name="Tina")
    text = page_text(upload(outsider_client, "contacts", csv_file([["ID", *HEADINGS], [contact.pk, *ann()]])))
    assert f"Row 2: no contact with id {contact.pk} that you can see" in text
    contact.refresh_from_db()
    assert contact.first_name == "Tina"


def test_a_row_with_an_id_updates_that_contact_and_it_keeps_its_owner(officer_client, force):
    contact = ContactFactory(organisation=force, first_name="Ann", last_name="Lee", email="ann@example.org")
    upload_and_confirm(officer_client, "contacts", csv_file([
        ["ID", "First name", "Notes"], [contact.pk, "Anne", "Moved to Abbey Road"],
    ]))
    contact.refresh_from_db()
    assert (contact.first_name, contact.notes, contact.organisation) == ("Anne", "Moved to Abbey Road", force)
    assert contact.last_name == "Lee"  # a column left out is not changed


def test_an_update_keeps_the_groups_the_officer_cannot_see(officer_client, team, other_force):
    contact = ContactFactory(organisation=team)
    hidden_group = CommunityGroupFactory(organisation=other_force, name="Preston allotments")
    CommunityGroupFactory(organisation=team, name="Abbey Road lunch club")
    contact.groups.set([hidden_group])
    upload_and_confirm(officer_client, "contacts", csv_file([["ID", "Community groups"], [contact.pk, "Abbey Road lunch club"]]))
    assert {g.name for g in contact.groups.all()} == {"Abbey Road lunch club", "Preston allotments"}


def test_a_group_the_officer_cannot_see_cannot_be_named(officer_client, other_force):
    CommunityGroupFactory(organisation=other_force, name="Preston allotments")
    text = page_text(upload(officer_client, "contacts", csv_file([[*HEADINGS, "Community groups"], [*ann(), "Preston allotments"]])))
    assert "Row 2, Community groups: There is no community group “Preston allotments” that you can choose." in text


def test_a_duplicate_contact_is_refused_in_the_file_and_against_those_held(officer_client, team):
    ContactFactory(organisation=team, first_name="Ann", last_name="Lee", email="ann@example.org")
    text = page_text(upload(officer_client, "contacts", csv_file(rows(
        ann(**{"First name": "ANN"}),
        ann(**{"First name": "Bob", "Email": "bob@example.org"}),
        ann(**{"First name": "bob", "Email": "BOB@example.org"}),
    ))))
    assert "Row 2: A contact with this name and email address already exists." in text
    assert "Row 4: A contact with this name and email address already exists." in text
    assert "Row 3" not in text
    assert Contact.objects.count() == 1


def test_a_row_that_fails_at_confirmation_means_nothing_is_written(officer_client, team):
    checked = upload(officer_client, "contacts", csv_file(rows(ann(), ann(**{"First name": "Bob", "Email": "bob@example.org"}))))
    token = confirm_token(checked)
    ContactFactory(organisation=team, first_name="Bob", last_name="Lee", email="bob@example.org")  # someone else, meanwhile
    response = officer_client.post(CONFIRM, {"token": token})
    text = page_text(response)
    assert "Nothing was imported" in text
    assert "Row 3: A contact with this name and email address already exists." in text
    assert not Contact.objects.filter(first_name="Ann").exists()
    assert not AuditEvent.objects.filter(action="records.import").exists()


def test_a_confirmation_is_used_once(officer_client):
    checked = upload(officer_client, "contacts", csv_file(rows(ann())))
    token = confirm_token(checked)
    officer_client.post(CONFIRM, {"token": token})
    response = officer_client.post(CONFIRM, {"token": token}, follow=True)
    assert "That import has expired or was replaced by another file. Upload the file again." in page_text(response)
    assert Contact.objects.count() == 1


def test_a_file_checked_and_then_replaced_is_not_imported(officer_client):
    first = confirm_token(upload(officer_client, "contacts", csv_file(rows(ann()))))
    upload(officer_client, "contacts", csv_file(rows(ann(**{"First name": "Bob", "Email": "bob@example.org"}))))
    officer_client.post(CONFIRM, {"token": first}, follow=True)
    assert not Contact.objects.exists()


def test_another_users_confirmation_imports_nothing(officer_client, client, partner_user):
    token = confirm_token(upload(officer_client, "contacts", csv_file(rows(ann()))))
    client.force_login(partner_user)  # a different session
    client.post(CONFIRM, {"token": token})
    assert not Contact.objects.exists()


def test_re_importing_an_export_changes_nothing(officer_client, team):
    contact = ContactFactory(organisation=team, notes="=1+2", phone="+44 7700 900123", accessibility_needs=["large_print"])
    contact.communities.set([under_represented("carers")])
    contact.groups.set([CommunityGroupFactory(organisation=team, name="@home")])
    history_before = Contact.pgh_event_model.objects.count()
    for file_format in ("csv", "xlsx"):
        exported = export(officer_client, "contacts", file_format)
        text = page_text(upload(officer_client, "contacts", exported.content, name=f"contacts.{file_format}"))
        assert "1 in the file: 0 to add, 0 to update, 1 unchanged" in text
        assert "there is nothing to import" in text
    assert Contact.pgh_event_model.objects.count() == history_before


def test_an_escaped_cell_is_imported_without_the_quote(officer_client, team):
    contact = ContactFactory(organisation=team, phone="")
    upload_and_confirm(officer_client, "contacts", csv_file([["ID", "Phone", "Notes"], [contact.pk, "'+44 7700 900123", "'=not a formula"]]))
    contact.refresh_from_db()
    assert (contact.phone, contact.notes) == ("+44 7700 900123", "=not a formula")


def test_a_contact_on_two_rows_is_refused(officer_client, team):
    contact = ContactFactory(organisation=team)
    text = page_text(upload(officer_client, "contacts", csv_file([["ID", "Notes"], [contact.pk, "one"], [contact.pk, "two"]])))
    assert f"Row 3: contact {contact.pk} is also updated by an earlier row; give each record one row" in text


def test_an_import_that_would_give_records_to_another_organisation_is_refused(officer_client, other_force, monkeypatch):
    # Defence in depth: even if the owner were chosen wrongly, the save service refuses an
    # organisation the user does not belong to (and the saved rows are read back through visible_to).
    monkeypatch.setattr("crm.transfer.resources.owning_organisation", lambda user: other_force)
    response = upload(officer_client, "contacts", csv_file(rows(ann())))
    text = page_text(response)
    assert "Row 2" in text and "You cannot create records for that organisation." in text
    assert 'name="token"' not in response.content.decode()  # nothing to confirm
    assert not Contact.objects.exists()
