"""Cross-organisation leaks and rule bypasses found in review, each pinned by a test."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm import services
from crm.models import AdvisoryMembership, Contact, Engagement, EngagementKind
from access.roles import Role
from hub_ui.cells import escape_cell
from tests.factories import (
    AdvisoryAdviceFactory, AdvisoryGroupFactory, ContactFactory, EngagementFactory, ForceAreaFactory, MembershipFactory,
    NeighbourhoodFactory, TeamFactory, UserFactory, square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(force, other_force):
    ours = ForceAreaFactory(force=force, code="cumbria", name="Cumbria", boundary=square(west=-3.40, south=54.00, size=0.4))
    theirs = ForceAreaFactory(force=other_force, code="lancashire", name="Lancashire", boundary=square(west=-2.80, south=53.70, size=0.4))
    hindpool = NeighbourhoodFactory(force_area=ours, code="HIND", name="Hindpool", boundary=square(west=-3.25, south=54.10, size=0.05))
    preston = NeighbourhoodFactory(force_area=theirs, code="PRES", name="Preston centre", boundary=square(west=-2.72, south=53.75, size=0.05))
    return hindpool, preston


# The admin offers and accepts only what the administrator may see.

def test_the_admin_does_not_offer_another_forces_contact(admin_client_hub, force, other_force):
    ContactFactory(organisation=other_force, first_name="Lancashire", last_name="Resident")
    page = admin_client_hub.get(reverse("admin:crm_communitygroup_add")).content.decode()
    assert "Lancashire Resident" not in page


def test_the_admin_refuses_another_forces_contact_as_an_advisory_member(admin_client_hub, force, other_force):
    group = AdvisoryGroupFactory(organisation=force)
    theirs = ContactFactory(organisation=other_force)
    url = reverse("admin:crm_advisorygroup_change", args=[group.pk])
    data = {"name": group.name, "kind": group.kind, "organisation": force.pk, "description": "",
            "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-contact": theirs.pk, "memberships-0-joined_on": "2026-01-01"}
    response = admin_client_hub.post(url, data)
    assert "Select a valid choice" in response.content.decode()
    assert not AdvisoryMembership.objects.exists()


def test_the_admin_refuses_a_beat_meeting_without_a_police_officer(admin_client_hub, force, areas):
    started = timezone.localtime() - timedelta(days=1)
    data = {"organisation": force.pk, "kind": EngagementKind.BEAT_MEETING, "title": "Beat meeting", "status": "held",
            "starts_at_0": started.strftime("%Y-%m-%d"), "starts_at_1": started.strftime("%H:%M:%S"),
            "location": '{"type": "Point", "coordinates": [-3.2261, 54.1108]}', "objectives_met": "not_assessed",
            "adjustments": "", "streets": "",
            "issues-TOTAL_FORMS": "0", "issues-INITIAL_FORMS": "0", "issues-MIN_NUM_FORMS": "0", "issues-MAX_NUM_FORMS": "1000",
            "visits-TOTAL_FORMS": "0", "visits-INITIAL_FORMS": "0", "visits-MIN_NUM_FORMS": "0", "visits-MAX_NUM_FORMS": "1000"}
    response = admin_client_hub.post(reverse("admin:crm_engagement_add"), data)
    assert "A beat meeting must be attended by a police officer" in response.content.decode()
    assert not Engagement.objects.exists()


def test_the_admin_advice_filter_names_only_visible_advisory_groups(admin_client_hub, force, other_force):
    AdvisoryAdviceFactory(advisory_group=AdvisoryGroupFactory(organisation=force, name="Furness IAG"))
    AdvisoryAdviceFactory(advisory_group=AdvisoryGroupFactory(organisation=other_force, name="Lancashire IAG"))
    response = admin_client_hub.get(reverse("admin:crm_advisoryadvice_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Furness IAG" in page and "Lancashire IAG" not in page


# The force area cannot be bypassed, and only the police log engagements.

def test_a_meeting_placed_in_another_forces_neighbourhood_without_a_location_is_refused(officer, team, areas):
    _, preston = areas
    engagement = Engagement(kind=EngagementKind.ONLINE_MEETING, title="Online", starts_at=timezone.now() - timedelta(days=1),
                            neighbourhood=preston, venue_kind="online")
    with pytest.raises(ValidationError) as error:
        services.engagement_log(engagement=engagement, acting_user=officer, organisation=team, officers=[officer])
    assert error.value.message_dict["neighbourhood"] == ["Preston centre is not one of Cumbria's neighbourhoods."]


def test_a_face_to_face_meeting_needs_a_location(officer, team, areas):
    hindpool, _ = areas
    engagement = Engagement(kind=EngagementKind.STREET_MEETING, title="Street meeting", starts_at=timezone.now() - timedelta(days=1), neighbourhood=hindpool)
    with pytest.raises(ValidationError) as error:
        services.engagement_log(engagement=engagement, acting_user=officer, organisation=team, officers=[officer])
    assert "Give the location where it happened" in error.value.message_dict["location"][0]


def test_a_partner_user_cannot_open_the_police_logging_pages(partner_client):
    assert partner_client.get(reverse("crm:engagement-create")).status_code == 403
    assert partner_client.get(reverse("crm:priority-create")).status_code == 403


def test_a_partner_organisation_cannot_log_an_engagement_through_the_service(partner_user, council, areas):
    engagement = Engagement(kind=EngagementKind.SURGERY, title="Surgery", starts_at=timezone.now() - timedelta(days=1), location=areas[0].boundary.point_on_surface)
    with pytest.raises(ValidationError, match="Only a police force or neighbourhood team logs engagements"):
        services.engagement_log(engagement=engagement, acting_user=partner_user, organisation=council, officers=[])
    assert not Engagement.objects.exists()


# Detail pages name only the linked rows the reader may see.

def test_an_engagement_page_does_not_name_another_teams_officer_or_advisory_group(client, force, team, other_force, areas):
    walney = TeamFactory(name="Walney team", slug="team-walney", parent=force)
    reader = UserFactory(username="hindpool-pcso")
    MembershipFactory(user=reader, organisation=team, role=Role.OFFICER)
    walney_pc = UserFactory(username="walney-pc", first_name="Wendy", last_name="Walney")
    MembershipFactory(user=walney_pc, organisation=walney, role=Role.OFFICER, warranted=True)
    engagement = EngagementFactory(organisation=team, neighbourhood=areas[0], kind=EngagementKind.IAG_CONSULTATION,
                                   advisory_group=AdvisoryGroupFactory(organisation=walney, name="Walney youth advisory group"))
    engagement.officers.set([walney_pc])
    client.force_login(reader)
    page = client.get(reverse("crm:engagement-detail", args=[engagement.pk])).content.decode()
    assert "Wendy Walney" not in page and "Walney youth advisory group" not in page


def test_editing_an_engagement_keeps_officers_the_editor_cannot_see(client, force, team, areas):
    walney = TeamFactory(name="Walney team", slug="team-walney", parent=force)
    editor = UserFactory(username="hindpool-pc")
    MembershipFactory(user=editor, organisation=team, role=Role.OFFICER, warranted=True)
    walney_pc = UserFactory(username="walney-pc")
    MembershipFactory(user=walney_pc, organisation=walney, role=Role.OFFICER, warranted=True)
    engagement = EngagementFactory(organisation=team, neighbourhood=areas[0], turnout=4)
    engagement.officers.set([editor, walney_pc])
    client.force_login(editor)
    form = client.get(reverse("crm:engagement-edit", args=[engagement.pk])).context["form"]
    data = {"kind": engagement.kind, "title": engagement.title, "status": "held", "objectives_met": "met", "turnout": "6",
            "starts_at": timezone.localtime(engagement.starts_at).strftime("%Y-%m-%dT%H:%M"), "venue_kind": "community_centre",
            "latitude": form.initial["latitude"], "longitude": form.initial["longitude"], "officers": [editor.pk]}
    client.post(reverse("crm:engagement-edit", args=[engagement.pk]), data)
    engagement.refresh_from_db()
    assert engagement.turnout == 6
    assert set(engagement.officers.values_list("username", flat=True)) == {"hindpool-pc", "walney-pc"}


# No records written into an organisation the user cannot own.

def test_records_are_never_written_into_an_inactive_organisation(officer, team, force):
    team.is_active = False
    team.save()
    from access.views import owning_organisation

    assert owning_organisation(officer) == force
    contact = Contact(first_name="Ann", last_name="Lee", email="ann@example.org", lawful_basis="public_task",
                      retain_until=timezone.localdate() + timedelta(days=30))
    with pytest.raises(ValidationError, match="You cannot create records for that organisation."):
        services.record_save(instance=contact, acting_user=officer, organisation=team)


# Rules that lived only in forms now hold for import and the admin too.

def test_consent_cannot_be_recorded_in_the_future(force):
    contact = ContactFactory.build(organisation=force, lawful_basis="consent", consent_recorded_at=timezone.now() + timedelta(days=100))
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert error.value.message_dict["consent_recorded_at"] == ["Consent cannot be recorded in the future."]


def test_advice_cannot_be_dated_in_the_future(force):
    advice = AdvisoryAdviceFactory.build(advisory_group=AdvisoryGroupFactory(organisation=force), given_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        advice.full_clean()
    assert error.value.message_dict["given_on"] == ["Advice cannot be dated in the future."]


@pytest.mark.parametrize("text", [" =1+1", "\n=1+1", "  @SUM(A1)"])
def test_a_formula_behind_leading_spaces_or_newlines_is_escaped(text):
    assert escape_cell(text) == "'" + text


def test_a_partner_user_is_not_told_a_beat_meeting_is_overdue(partner_client, areas):
    page = partner_client.get(reverse("geo:neighbourhood", args=[areas[0].pk])).content.decode()
    assert "No beat meeting" not in page
