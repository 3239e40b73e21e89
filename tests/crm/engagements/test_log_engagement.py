"""An officer logs an engagement from the form; bad input is refused on the field, nothing saved."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Engagement, EngagementKind
from access.roles import Role
from tests.factories import AdvisoryGroupFactory, MembershipFactory, UserFactory, issue_category, under_represented

pytestmark = pytest.mark.django_db
LOG = reverse("crm:engagement-create")


def form_data(officer, **overrides):
    started = timezone.localtime() - timedelta(hours=2)
    data = {
        "kind": EngagementKind.BEAT_MEETING, "status": "held", "starts_at": started.strftime("%Y-%m-%dT%H:%M"),
        "latitude": "54.1108", "longitude": "-3.2261", "turnout": "14", "officers": [officer.pk],
        "venue_name": "Hindpool community centre", "venue_kind": "community_centre", "objectives_met": "not_assessed",
    }
    return {**data, **overrides}


def errors_on(response, field) -> list[str]:
    return response.context["form"].errors.get(field, [])


def test_a_beat_meeting_is_logged_and_placed_in_its_neighbourhood(officer_client, officer, hindpool):
    data = form_data(officer, issue_1_category=issue_category("anti-social-behaviour").pk, issue_1="Youths on the precinct",
                     groups_reached=[under_represented("older-people").pk], adjustments=["hearing_loop"])
    response = officer_client.post(LOG, data, follow=True)
    page = response.content.decode()
    assert "Beat meeting at Hindpool community centre is saved in Hindpool." in page
    assert "Anti-social behaviour</strong>: Youths on the precinct" in page
    assert "Older people" in page and "Hearing loop" in page and "Priya Shah" in page
    engagement = Engagement.objects.get()
    assert engagement.neighbourhood == hindpool
    assert engagement.organisation.slug == "team-hindpool"  # the officer's neighbourhood team owns it


def test_the_form_starts_with_now_and_the_officer_ticked(officer_client, officer, hindpool):
    form = officer_client.get(LOG).context["form"]
    assert form.initial["officers"] == [officer.pk]
    assert abs(form.initial["starts_at"] - timezone.localtime()) < timedelta(minutes=2)


def test_groups_reached_is_asked_beside_turnout_not_hidden_under_more_details(officer_client, officer, hindpool):
    page = officer_client.get(LOG).content.decode()

    asked, more = page.index("Groups reached"), page.index("More details")
    assert page.index('name="turnout"') < asked < more


def test_a_beat_meeting_with_only_a_pcso_is_refused(officer_client, officer, team, hindpool):
    pcso = UserFactory(username="pcso-jones", first_name="Gwen", last_name="Jones")
    MembershipFactory(user=pcso, organisation=team, role=Role.OFFICER, warranted=False, job_title="PCSO")
    response = officer_client.post(LOG, form_data(officer, officers=[pcso.pk]))
    assert "A beat meeting must be attended by a police officer" in errors_on(response, "officers")[0]
    assert not Engagement.objects.exists()


def test_negative_turnout_is_refused(officer_client, officer, hindpool):
    response = officer_client.post(LOG, form_data(officer, turnout="-3"))
    assert errors_on(response, "turnout")
    assert "There is a problem" in response.content.decode()
    assert not Engagement.objects.exists()


def test_an_end_before_the_start_is_refused(officer_client, officer, hindpool):
    data = form_data(officer)
    started = timezone.localtime() - timedelta(hours=2)
    data["ends_at"] = (started - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    response = officer_client.post(LOG, data)
    assert errors_on(response, "ends_at") == ["The end must be after the start."]
    assert not Engagement.objects.exists()


def test_a_meeting_in_the_future_cannot_be_logged_as_held(officer_client, officer, hindpool):
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = officer_client.post(LOG, form_data(officer, starts_at=tomorrow))
    assert errors_on(response, "status") == ["An engagement dated in the future cannot have been held yet: mark it planned."]
    assert not Engagement.objects.exists()
    response = officer_client.post(LOG, form_data(officer, starts_at=tomorrow, status="planned"), follow=True)
    assert Engagement.objects.get().status == "planned"


def test_a_location_outside_the_force_is_refused(officer_client, officer, hindpool, lancashire_beat):
    response = officer_client.post(LOG, form_data(officer, latitude="53.77", longitude="-2.70"))  # Preston
    assert errors_on(response, "latitude") == ["That place is outside Cumbria. Check the location (latitude and longitude may be swapped)."]
    assert not Engagement.objects.exists()


def test_swapped_coordinates_are_named(officer_client, officer, hindpool):
    response = officer_client.post(LOG, form_data(officer, latitude="-3.2261", longitude="54.1108"))
    assert "latitude and longitude look swapped" in errors_on(response, "latitude")[0]
    assert not Engagement.objects.exists()


def test_an_iag_consultation_names_its_advisory_group(officer_client, officer, force, hindpool):
    response = officer_client.post(LOG, form_data(officer, kind=EngagementKind.IAG_CONSULTATION))
    assert errors_on(response, "advisory_group") == ["Choose the advisory group that was consulted."]
    group = AdvisoryGroupFactory(organisation=force, name="Furness IAG")
    response = officer_client.post(LOG, form_data(officer, kind=EngagementKind.IAG_CONSULTATION, advisory_group=group.pk), follow=True)
    assert Engagement.objects.get().advisory_group == group


def test_an_online_meeting_needs_no_location_but_a_neighbourhood(officer_client, officer, hindpool):
    data = form_data(officer, kind=EngagementKind.ONLINE_MEETING, latitude="", longitude="", venue_kind="online", venue_name="")
    response = officer_client.post(LOG, {**data, "neighbourhood": hindpool.pk}, follow=True)
    # Without a venue, the title tells it apart from the others: type, neighbourhood and date.
    saved = Engagement.objects.get()
    assert saved.title == f"Online meeting in Hindpool, {timezone.localtime(saved.starts_at):%-d %B %Y}"
    assert f"{saved.title} is saved in Hindpool." in response.content.decode()
    assert Engagement.objects.get().neighbourhood == hindpool


def test_an_outsiders_advisory_group_is_not_offered(officer_client, officer, other_force, hindpool):
    hidden = AdvisoryGroupFactory(organisation=other_force, name="Lancashire IAG")
    page = officer_client.get(LOG).content.decode()
    assert "Lancashire IAG" not in page
    response = officer_client.post(LOG, form_data(officer, kind=EngagementKind.IAG_CONSULTATION, advisory_group=hidden.pk))
    assert "Select a valid choice" in errors_on(response, "advisory_group")[0]


def test_officers_present_offers_officers_and_pcsos_only(officer_client, officer, force, team, administrator):
    manager = UserFactory(username="insp-present", first_name="Mina", last_name="Manager")
    MembershipFactory(user=manager, organisation=force, role=Role.MANAGER, warranted=True)
    governance = UserFactory(username="ig-present", first_name="Ivy", last_name="Governance")
    MembershipFactory(user=governance, organisation=force, role=Role.INFORMATION_GOVERNANCE)
    pcso = UserFactory(username="pcso-present", first_name="Paul", last_name="Pcso")
    MembershipFactory(user=pcso, organisation=team, role=Role.OFFICER)
    offered = set(officer_client.get(LOG).context["form"].fields["officers"].queryset)
    assert offered == {officer, pcso}
