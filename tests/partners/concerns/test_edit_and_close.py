"""Editing and closing a concern: only the reporting organisation, under the same rules, with an audit record."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import AuditEvent
from partners.models import ConcernStatus
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def edit_data(concern, **overrides) -> dict:
    return {
        "category": concern.category_id, "latitude": f"{concern.location.y}", "longitude": f"{concern.location.x}",
        "place": concern.place, "occurred_at": timezone.localtime(concern.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "channel": concern.channel, "description": concern.description, "classification": concern.classification, **overrides,
    }


def test_the_reporting_organisation_edits_its_concern_and_the_change_is_audited(partner_client, partner_user, council, force_area):
    concern = ConcernFactory(organisation=council, place="Rear of Market Street")
    page = partner_client.get(reverse("partners:concern-edit", args=[concern.pk])).content.decode()
    assert 'value="Rear of Market Street"' in page
    response = partner_client.post(reverse("partners:concern-edit", args=[concern.pk]), edit_data(concern, place="Market Street car park"))
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.place == "Market Street car park"
    event = AuditEvent.objects.get(action="concern.updated")
    assert (event.actor, event.organisation, event.details["fields"]) == (partner_user, council, ["place"])


def test_an_edit_is_held_to_the_same_rules_as_a_report(partner_client, council, force_area):
    concern = ConcernFactory(organisation=council)
    future = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = partner_client.post(reverse("partners:concern-edit", args=[concern.pk]),
                                   edit_data(concern, occurred_at=future, latitude="-3.2", longitude="54.1"))
    page = response.content.decode()
    assert "When did it happen?: The date it happened is in the future." in page
    assert "look swapped" in page
    assert not AuditEvent.objects.filter(action="concern.updated").exists()


def test_the_reporting_organisation_closes_its_concern_with_a_reason(partner_client, partner_user, council):
    concern = ConcernFactory(organisation=council)
    url = reverse("partners:concern-close", args=[concern.pk])
    response = partner_client.post(url, {"reason": ""})
    assert "Why is it being closed?: This field is required." in response.content.decode()
    response = partner_client.post(url, {"reason": "Rubbish cleared by the council on 3 March."}, follow=True)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert "Concern closed." in response.content.decode() and "Close this concern" not in response.content.decode()
    event = AuditEvent.objects.get(action="concern.closed")
    assert event.actor == partner_user and event.details["reason"] == "Rubbish cleared by the council on 3 March."


def test_another_partner_cannot_edit_or_close(client, housing_user, council):
    concern = ConcernFactory(organisation=council)
    client.force_login(housing_user)
    assert client.get(reverse("partners:concern-edit", args=[concern.pk])).status_code == 404
    assert client.post(reverse("partners:concern-close", args=[concern.pk]), {"reason": "Not ours"}).status_code == 404
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW


def test_a_closed_concern_cannot_be_edited(partner_client, council, force_area):
    concern = ConcernFactory(organisation=council, status=ConcernStatus.CLOSED, place="Rear of Market Street")
    response = partner_client.post(reverse("partners:concern-edit", args=[concern.pk]), edit_data(concern, place="Somewhere else"))
    assert "This concern is closed: it cannot be changed." in response.content.decode()
    concern.refresh_from_db()
    assert concern.place == "Rear of Market Street"


@pytest.mark.parametrize("hostile", ["taken_into_priority", "new", "CLOSED", "closed' OR 1=1 --", "\u202eclosed", "x" * 5000])
def test_the_close_form_refuses_any_status_but_closed_by_name_and_changes_nothing(partner_client, council, hostile):
    concern = ConcernFactory(organisation=council, place="Rear of Market Street")
    response = partner_client.post(reverse("partners:concern-close", args=[concern.pk]), {"reason": "Cleared", "status": hostile})
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        "This page only closes a concern, so the status can only be “Closed”. A concern is taken into a priority from the collation page."]
    assert "Status: This page only closes a concern" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW
    assert not AuditEvent.objects.filter(action="concern.closed").exists()


def test_the_close_form_accepts_the_closing_status_or_none(partner_client, council):
    for status in ("closed", ""):
        concern = ConcernFactory(organisation=council, place="Rear of Market Street")
        response = partner_client.post(reverse("partners:concern-close", args=[concern.pk]), {"reason": "Cleared", "status": status})
        assert response.status_code == 302
        concern.refresh_from_db()
        assert concern.status == ConcernStatus.CLOSED
