"""Importing community groups and engagements: the same pages, each record's own rules, row by row."""
import datetime

import pytest
from django.utils import timezone

from crm.models import CommunityGroup, Engagement, EngagementStatus
from access.roles import Role
from tests.crm.transfer.helpers import csv_file, export, page_text, upload, upload_and_confirm, xlsx_file
from tests.factories import (
    CommunityGroupFactory, EngagementFactory, MembershipFactory, NeighbourhoodFactory, UserFactory, point, under_represented,
)

pytestmark = pytest.mark.django_db

GROUP_HEADINGS = ["Name", "Kind of group", "Charity number", "Neighbourhoods (codes)", "Under-represented groups"]


def test_groups_import_with_neighbourhoods_by_code_and_communities_by_name(officer_client, team, hindpool):
    NeighbourhoodFactory(code="CENTRAL")
    upload_and_confirm(officer_client, "groups", xlsx_file([
        GROUP_HEADINGS, ["Barrow Deaf club", "Disability group", "1123456", "HIND; central", "Deaf people and BSL users; Older people"],
    ]), name="groups.xlsx")
    group = CommunityGroup.objects.get()
    assert (group.name, group.kind, group.organisation) == ("Barrow Deaf club", "disability", team)
    assert group.is_registered  # a charity number means it is on a register
    assert sorted(n.code for n in group.neighbourhoods.all()) == ["CENTRAL", "HIND"]
    assert {c.name for c in group.communities.all()} == {"Deaf people and BSL users", "Older people"}


def test_group_problems_are_listed_by_row_and_column(officer_client, team, hindpool):
    CommunityGroupFactory(organisation=team, name="Abbey Road lunch club")
    text = page_text(upload(officer_client, "groups", csv_file([
        GROUP_HEADINGS,
        ["Abbey Road lunch club", "Lunch club", "", "HIND", ""],
        ["Barrow Deaf club", "Knitting circle", "12", "NOWHERE", ""],
    ])))
    assert "Row 2: A group with this name already exists." in text
    assert "Row 3, Kind of group: “Knitting circle” is not one of:" in text
    assert "Row 3, Charity number: Give a charity number such as 1123456, or SC012345 in Scotland." in text
    assert "Row 3, Neighbourhoods (codes): There is no neighbourhood with the code “NOWHERE” that you can choose." in text
    assert CommunityGroup.objects.count() == 1


def test_a_row_with_the_id_of_an_engagement_the_officer_cannot_see_is_refused(officer_client, other_force):
    hidden = EngagementFactory(organisation=other_force, title="Preston beat meeting")
    text = page_text(upload(officer_client, "engagements", csv_file([["ID", "Title"], [hidden.pk, "Mine now"]])))
    assert f"Row 2: no engagement with id {hidden.pk} that you can see" in text
    hidden.refresh_from_db()
    assert hidden.title == "Preston beat meeting"


ENGAGEMENT_HEADINGS = ["Title", "Type of engagement", "Status", "Started", "Ended", "Latitude", "Longitude", "Turnout",
                       "Officers present (email addresses)", "Under-represented groups reached", "Adjustments made"]


def meeting(officer, **changes):
    started = timezone.localtime() - datetime.timedelta(days=3)
    values = {
        "Title": "Hindpool beat meeting", "Type of engagement": "Beat meeting", "Status": "Held",
        "Started": started.strftime("%Y-%m-%d %H:%M"), "Ended": (started + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "Latitude": "54.1108", "Longitude": "-3.2261", "Turnout": "14", "Officers present (email addresses)": officer.email,
        "Under-represented groups reached": "Older people", "Adjustments made": "Hearing loop; BSL interpreter",
    }
    values.update(changes)
    return [values[heading] for heading in ENGAGEMENT_HEADINGS]


def test_an_engagement_imports_with_its_location_and_is_placed_in_its_neighbourhood(officer_client, officer, team, hindpool):
    response = upload_and_confirm(officer_client, "engagements", csv_file([ENGAGEMENT_HEADINGS, meeting(officer)]))
    assert response.redirect_chain[-1][0] == "/engagements/"
    engagement = Engagement.objects.get()
    assert engagement.organisation == team
    assert (engagement.location.y, engagement.location.x) == (54.1108, -3.2261)
    assert engagement.neighbourhood == hindpool
    assert list(engagement.officers.all()) == [officer]
    assert [g.name for g in engagement.groups_reached.all()] == ["Older people"]
    assert engagement.adjustments == ["hearing_loop", "bsl_interpreter"]
    assert engagement.turnout == 14


def test_each_engagement_rule_is_reported_on_its_row(officer_client, officer, team, hindpool):
    pcso = UserFactory(username="pcso-jones", email="gwen.jones@example.org")
    MembershipFactory(user=pcso, organisation=team, role=Role.OFFICER, warranted=False, job_title="PCSO")
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    last_week = (timezone.localtime() - datetime.timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    text = page_text(upload(officer_client, "engagements", csv_file([
        ENGAGEMENT_HEADINGS,
        meeting(officer, Started=last_week, Ended=(timezone.localtime() - datetime.timedelta(days=8)).strftime("%Y-%m-%d %H:%M")),
        meeting(officer, Started=tomorrow, Ended=""),
        meeting(officer, Turnout="-3"),
        meeting(officer, **{"Officers present (email addresses)": pcso.email}),
        meeting(officer, Latitude="-3.2261", Longitude="54.1108"),
        meeting(officer, **{"Officers present (email addresses)": "nobody@example.org"}),
        meeting(officer, Started="next Tuesday"),
    ])))
    assert "Row 2, Ended: The end must be after the start." in text
    assert "Row 3, Status: An engagement dated in the future cannot have been held yet: mark it planned." in text
    assert "Row 4, Turnout: Turnout cannot be negative." in text
    assert "Row 5, Officers present (email addresses): A beat meeting must be attended by a police officer" in text
    assert "Row 6, Latitude and longitude: Longitude 54.1108, latitude -3.2261 is outside Great Britain; the latitude and longitude look swapped" in text
    assert ("Row 7, Officers present (email addresses): There is no police officer or PCSO with the email address "
            "“nobody@example.org” that you can choose.") in text
    assert "Row 8, Started: Enter a date and time such as 2025-03-31 18:30, not “next Tuesday”." in text
    assert text.count("Turnout cannot be negative.") == 2  # once in the summary, once in the table: not repeated
    assert not Engagement.objects.exists()


def test_officers_present_are_officers_and_pcsos_only_not_the_forces_other_staff(officer_client, officer, force, team, hindpool):
    # The form offers warranted officers and PCSOs only (the officer role); a file may name no one else either.
    manager = UserFactory(username="insp-malik", email="a.malik@example.org")
    MembershipFactory(user=manager, organisation=force, role=Role.MANAGER, warranted=True)
    governance = UserFactory(username="ig-lead", email="jo.whitfield@example.org")
    MembershipFactory(user=governance, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    text = page_text(upload(officer_client, "engagements", csv_file([
        ENGAGEMENT_HEADINGS,
        meeting(officer, **{"Type of engagement": "Surgery", "Officers present (email addresses)": manager.email}),
        meeting(officer, **{"Type of engagement": "Surgery", "Officers present (email addresses)": governance.email}),
    ])))
    for row, email in ((2, manager.email), (3, governance.email)):
        assert (f"Row {row}, Officers present (email addresses): There is no police officer or PCSO with the email address "
                f"“{email}” that you can choose.") in text
    assert not Engagement.objects.exists()


def test_a_planned_engagement_may_be_in_the_future(officer_client, officer, hindpool):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    upload_and_confirm(officer_client, "engagements", csv_file([ENGAGEMENT_HEADINGS, meeting(officer, Started=tomorrow, Ended="", Status="Planned")]))
    assert Engagement.objects.get().status == EngagementStatus.PLANNED


def test_re_importing_an_engagements_export_changes_nothing(officer_client, officer, team, hindpool):
    engagement = EngagementFactory(organisation=team, location=point(-3.2261, 54.1108), neighbourhood=hindpool, notes="-pending",
                                   adjustments=["hearing_loop"], streets=["Abbey Road", "Duke Street"])
    engagement.officers.set([officer])
    engagement.groups_reached.set([under_represented("carers")])
    starts_at = engagement.starts_at
    for file_format in ("csv", "xlsx"):
        exported = export(officer_client, "engagements", file_format)
        text = page_text(upload(officer_client, "engagements", exported.content, name=f"engagements.{file_format}"))
        assert "1 in the file: 0 to add, 0 to update, 1 unchanged" in text
    engagement.refresh_from_db()
    assert engagement.starts_at == starts_at  # its seconds are kept, though the file shows minutes


def test_an_engagement_update_keeps_officers_the_officer_cannot_see(officer_client, officer, team, hindpool, outsider):
    engagement = EngagementFactory(organisation=team, location=point(-3.2261, 54.1108))
    engagement.officers.set([outsider])
    upload_and_confirm(officer_client, "engagements", csv_file([
        ["ID", "Officers present (email addresses)", "Turnout"], [engagement.pk, officer.email, "20"],
    ]))
    engagement.refresh_from_db()
    assert engagement.turnout == 20
    assert set(engagement.officers.all()) == {officer, outsider}
