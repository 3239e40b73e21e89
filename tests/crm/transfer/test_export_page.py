"""The export page: what the user may see, as CSV or XLSX, readable, and safe to open in a spreadsheet."""
import datetime

import pytest
from django.utils import timezone

from organisations.models import AuditEvent
from crm.models import UnderRepresentedGroup
from tests.crm.transfer.helpers import EXPORT, csv_rows, export, page_text, xlsx_rows, xlsx_sheet
from tests.factories import (
    AdvisoryGroupFactory, CommunityGroupFactory, ContactFactory, EngagementFactory, EngagementIssueFactory, OrganisationFactory,
    point, under_represented,
)

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def test_signing_in_is_required(client):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(EXPORT, {"what": "contacts", "file_format": "csv"}).status_code == 302


def test_the_page_asks_what_to_export_and_in_which_format(officer_client, django_assert_num_queries):
    # 1 session, 2 user, 3 roles for the navigation.
    with django_assert_num_queries(3):
        response = officer_client.get(EXPORT)
    text = page_text(response)
    assert "Export records" in text
    for choice in ("Community contacts", "Community groups", "Engagements", "CSV (comma-separated values, UTF-8)", "Excel workbook (.xlsx)"):
        assert choice in text


def test_choosing_nothing_is_refused_with_a_message(officer_client):
    response = officer_client.post(EXPORT, {})
    assert response.status_code == 200
    assert "Choose what to export." in page_text(response)


def test_an_officers_export_holds_their_organisations_contacts_and_not_an_outsiders(officer_client, force, team, council, other_force):
    ContactFactory(organisation=team, first_name="Tina", last_name="Team")
    ContactFactory(organisation=force, first_name="Fran", last_name="Force")
    ContactFactory(organisation=council, first_name="Colin", last_name="Council")
    ContactFactory(organisation=other_force, first_name="Olive", last_name="Outside")
    response = export(officer_client, "contacts", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    names = {(row["First name"], row["Organisation"]) for row in csv_rows(response)}
    assert names == {("Tina", "Hindpool neighbourhood team"), ("Fran", "Cumbria Constabulary")}


def test_a_partner_users_export_holds_only_their_agencys_contacts(partner_client, team, council):
    ContactFactory(organisation=team, first_name="Tina")
    ContactFactory(organisation=council, first_name="Colin")
    response = export(partner_client, "contacts", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [row["First name"] for row in xlsx_rows(response)] == ["Colin"]


def test_an_outsider_exports_none_of_the_forces_groups_or_engagements(outsider_client, team):
    CommunityGroupFactory(organisation=team, name="Hindpool residents")
    EngagementFactory(organisation=team, title="Hindpool beat meeting")
    assert csv_rows(export(outsider_client, "groups", "csv")) == []
    assert xlsx_rows(export(outsider_client, "engagements", "xlsx")) == []


def test_contacts_have_readable_headings_and_their_groups_by_name(officer_client, team, other_force):
    from tests.factories import NeighbourhoodFactory

    contact = ContactFactory(organisation=team, first_name="Ada", last_name="Lovelace", email="ada@example.org",
                             neighbourhood=NeighbourhoodFactory(code="HIND"), accessibility_needs=["large_print", "hearing_loop"])
    contact.communities.set([under_represented("carers"), under_represented("older-people")])
    contact.groups.set([CommunityGroupFactory(organisation=team, name="Abbey Road lunch club"),
                        CommunityGroupFactory(organisation=other_force, name="Preston secret society")])
    row = csv_rows(export(officer_client, "contacts", "csv"))[0]
    assert list(row) == [
        "ID", "First name", "Last name", "Email", "Phone", "Postcode", "Neighbourhood (code)", "Lawful basis", "Consent given on",
        "Preferred channel", "Language", "Accessibility needs", "Under-represented groups", "Community groups", "Keep until",
        "Notes", "Organisation",
    ]
    assert row["ID"] == str(contact.pk)
    assert row["Neighbourhood (code)"] == "HIND"
    assert row["Lawful basis"] == "Public task (UK GDPR article 6(1)(e))"
    assert row["Accessibility needs"] == "Large print; Hearing loop"
    assert row["Under-represented groups"] == "Carers; Older people"
    # The group of another force is linked to the contact but is not the officer's to see.
    assert row["Community groups"] == "Abbey Road lunch club"


def test_groups_list_neighbourhoods_by_code_and_key_contacts_the_user_may_see(officer_client, team, other_force):
    from tests.factories import NeighbourhoodFactory

    group = CommunityGroupFactory(organisation=team, name="Barrow Deaf club", is_registered=True, charity_number="1123456")
    group.neighbourhoods.set([NeighbourhoodFactory(code="HIND"), NeighbourhoodFactory(code="CENTRAL")])
    group.communities.set([under_represented("deaf-bsl")])
    group.key_contacts.set([ContactFactory(organisation=team, first_name="Ann", last_name="Lee"),
                            ContactFactory(organisation=other_force, first_name="Hidden", last_name="Person")])
    row = xlsx_rows(export(officer_client, "groups", "xlsx"))[0]
    assert row["Name"] == "Barrow Deaf club"
    assert row["On a register"] == "Yes"
    assert sorted(row["Neighbourhoods (codes)"].split("; ")) == ["CENTRAL", "HIND"]
    assert row["Under-represented groups"] == "Deaf people and BSL users"
    assert row["Key contacts"] == "Ann Lee"


def test_an_engagements_location_is_exported_as_latitude_and_longitude(officer_client, officer, team, council):
    engagement = EngagementFactory(organisation=team, location=point(-3.2261, 54.1108), turnout=14,
                                   advisory_group=AdvisoryGroupFactory(organisation=team, name="Barrow IAG"))
    engagement.officers.set([officer])
    engagement.partners.set([council])
    engagement.groups_reached.set([under_represented("young-people")])
    EngagementIssueFactory(engagement=engagement, description="Youths gathering by the shops")
    xlsx = xlsx_rows(export(officer_client, "engagements", "xlsx"))[0]
    assert (xlsx["Latitude"], xlsx["Longitude"]) == (54.1108, -3.2261)  # numbers in a workbook, not text
    assert xlsx["Turnout"] == 14
    csv = csv_rows(export(officer_client, "engagements", "csv"))[0]
    assert (csv["Latitude"], csv["Longitude"]) == ("54.1108", "-3.2261")
    assert csv["Started"] == timezone.localtime(engagement.starts_at).strftime("%Y-%m-%d %H:%M")
    assert csv["Type of engagement"] == "Beat meeting"
    assert csv["Officers present (email addresses)"] == officer.email
    assert csv["Partners present"] == "Westmorland and Furness Council"
    assert csv["Under-represented groups reached"] == "Young people"
    assert csv["Advisory group consulted"] == "Barrow IAG"
    assert csv["Issues raised"] == "Anti-social behaviour: Youths gathering by the shops"


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_formula_cells_are_escaped_in_csv(officer_client, team, start):
    contact = ContactFactory(organisation=team, first_name=f"{start}Ann", notes=f"{start}HYPERLINK(\"http://evil\")")
    contact.groups.set([CommunityGroupFactory(organisation=team, name=f"{start}cmd|' /C calc'!A0")])
    contact.communities.set([UnderRepresentedGroup.objects.create(name=f"{start}SUM(1,2)", slug="formula")])
    row = csv_rows(export(officer_client, "contacts", "csv"))[0]
    assert row["First name"] == f"'{start}Ann"
    assert row["Notes"] == f"'{start}HYPERLINK(\"http://evil\")"  # free text
    assert row["Community groups"] == f"'{start}cmd|' /C calc'!A0"  # many-to-many, organisation-owned
    assert row["Under-represented groups"] == f"'{start}SUM(1,2)"  # many-to-many, vocabulary


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_formula_cells_are_escaped_in_xlsx(officer_client, team, start):
    contact = ContactFactory(organisation=team, first_name="Ann", notes=f"{start}HYPERLINK(\"http://evil\")")
    contact.groups.set([CommunityGroupFactory(organisation=team, name=f"{start}cmd")])
    contact.communities.set([UnderRepresentedGroup.objects.create(name=f"{start}SUM(1,2)", slug="formula")])
    sheet = xlsx_sheet(export(officer_client, "contacts", "xlsx"))
    headers = [cell.value for cell in sheet[1]]
    cells = {header: cell for header, cell in zip(headers, sheet[2])}
    # Whether a carriage return reads back as itself or as a line feed depends on the XML parser openpyxl finds
    # (lxml keeps it); either way the quote stays first.
    expected_start = "'" + start.replace("\r", "\n")
    for column, rest in (("Notes", 'HYPERLINK("http://evil")'), ("Community groups", "cmd"), ("Under-represented groups", "SUM(1,2)")):
        assert cells[column].data_type == "s", f"{column} was written as a formula"
        assert cells[column].value.replace("\r", "\n") == expected_start + rest


def test_a_negative_number_we_write_stays_a_number(officer_client, team):
    EngagementFactory(organisation=team, location=point(-3.2261, 54.1108))
    sheet = xlsx_sheet(export(officer_client, "engagements", "xlsx"))
    headers = [cell.value for cell in sheet[1]]
    longitude = sheet[2][headers.index("Longitude")]
    assert longitude.data_type == "n" and longitude.value == -3.2261


def test_every_export_is_recorded_in_the_audit_trail(officer_client, officer, team):
    ContactFactory.create_batch(3, organisation=team)
    export(officer_client, "contacts", "xlsx")
    event = AuditEvent.objects.get(action="records.export")
    assert event.actor == officer
    assert event.organisation == team
    assert event.summary == "Exported 3 community contacts as XLSX"


def _contacts(team, other_force, n):
    for _ in range(n):
        contact = ContactFactory(organisation=team)
        contact.communities.set([under_represented("carers")])
        contact.groups.set([CommunityGroupFactory(organisation=team), CommunityGroupFactory(organisation=other_force)])


def _groups(team, other_force, n):
    from tests.factories import NeighbourhoodFactory

    for _ in range(n):
        group = CommunityGroupFactory(organisation=team)
        group.neighbourhoods.set([NeighbourhoodFactory()])
        group.communities.set([under_represented("carers")])
        group.key_contacts.set([ContactFactory(organisation=team), ContactFactory(organisation=other_force)])


def _engagements(team, other_force, n):
    for _ in range(n):
        engagement = EngagementFactory(organisation=team, advisory_group=AdvisoryGroupFactory(organisation=team))
        engagement.partners.set([OrganisationFactory()])
        engagement.groups_reached.set([under_represented("carers")])
        EngagementIssueFactory(engagement=engagement)


# 1 session, 2 user, 3 the user's memberships (whose organisation the export is recorded for),
# 4 the records with their organisation (and neighbourhood), then one query per prefetch
# (restricted to what the user may see where the related rows are organisation-owned),
# then the audit event's insert, and last the disclosure log's entry (savepoint, chain lock, last hash,
# insert, release savepoint: DISCLOSURE).
DISCLOSURE = 5
GRANTS = 1  # the reader's grant set, resolved once per request (access/grants.py)
EXPORT_QUERIES = {
    # + 1 everywhere: the ids of the shared records that left, for the disclosure entry.
    "contacts": (_contacts, 4 + 2 + 1 + 1 + DISCLOSURE + GRANTS),  # communities, groups
    "groups": (_groups, 4 + 3 + 1 + 1 + DISCLOSURE + GRANTS),  # neighbourhoods, communities, key contacts
    "engagements": (_engagements, 4 + 5 + 1 + 1 + DISCLOSURE + GRANTS),  # groups reached, officers, partners, advisory group, issues
}


@pytest.mark.parametrize("what", EXPORT_QUERIES)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_takes_the_same_queries_however_many_records(officer_client, team, other_force, django_assert_num_queries, what, file_format):
    make, queries = EXPORT_QUERIES[what]
    make(team, other_force, 1)
    with django_assert_num_queries(queries):
        assert len(csv_rows(export(officer_client, what, "csv")) if file_format == "csv" else xlsx_rows(export(officer_client, what, "xlsx"))) == 1
    make(team, other_force, 150)  # more than import-export's page of 100
    with django_assert_num_queries(queries):
        response = export(officer_client, what, file_format)
    assert len(csv_rows(response) if file_format == "csv" else xlsx_rows(response)) == 151


def test_an_export_is_not_kept_in_a_cache(officer_client, team):
    assert export(officer_client, "contacts", "csv")["Cache-Control"] == "no-store"


def test_a_retention_date_is_exported_as_a_date(officer_client, team):
    ContactFactory(organisation=team, retain_until=datetime.date(2031, 3, 31))
    assert csv_rows(export(officer_client, "contacts", "csv"))[0]["Keep until"] == "2031-03-31"


def test_every_export_is_written_to_the_disclosure_log(officer_client, officer, team):
    from sharing_protocols.disclosures import verify_chain
    from sharing_protocols.models import DisclosureEntry

    ContactFactory(organisation=team)
    export(officer_client, "contacts", "xlsx")
    entry = DisclosureEntry.objects.get()
    assert (entry.user, entry.action, entry.record_type, entry.details) == (officer, "export", "crm.contact", {"rows": 1, "format": "xlsx", "shared_ids": []})
    assert verify_chain().intact
