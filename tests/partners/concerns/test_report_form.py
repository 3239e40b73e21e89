"""Reporting a concern on the web form: one concern with its audit record, clear messages naming the field, no duplicates."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import AuditEvent
from access.roles import Role
from partners.models import Concern, ConcernChannel
from tests.factories import MembershipFactory, issue_category

pytestmark = pytest.mark.django_db
URL = reverse("partners:concern-report")


def report(**overrides) -> dict:
    occurred = timezone.localtime() - timedelta(hours=3)
    return {
        "category": issue_category("fly-tipping").pk, "latitude": "54.1150", "longitude": "-3.2270",
        "place": "Back lane behind Dalton Road", "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"), "channel": ConcernChannel.PHONE,
        "description": "Six black bags and a mattress dumped overnight.", "classification": "official", **overrides,
    }


def errors_in(response) -> str:
    return response.content.decode().split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


def test_a_partner_user_reports_a_concern_for_their_organisation_with_an_audit_record(partner_client, partner_user, council, force_area):
    response = partner_client.post(URL, report(reporter_name="Margaret Holt", reporter_phone="07700 900123"))
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == reverse("partners:concern-detail", args=[concern.pk])
    assert (concern.organisation, concern.created_by, concern.category.slug) == (council, partner_user, "fly-tipping")
    assert (round(concern.location.y, 4), round(concern.location.x, 4)) == (54.115, -3.227)
    assert concern.reporter_name == "Margaret Holt" and concern.channel == ConcernChannel.PHONE
    event = AuditEvent.objects.get(action="concern.reported")
    assert (event.actor, event.organisation, event.details["concern"]) == (partner_user, council, concern.pk)
    page = partner_client.get(response.url).content.decode()
    assert f"Concern recorded, reference {concern.reference}: Fly-tipping at Back lane behind Dalton Road" in page


def test_the_form_offers_active_categories_and_says_reporter_details_are_personal_data(partner_client, force_area):
    category = issue_category("graffiti")
    category.is_active = False
    category.save()
    before = timezone.localtime()
    page = partner_client.get(URL).content.decode()
    after = timezone.localtime()
    assert "Fly-tipping" in page and "Graffiti" not in page
    assert "Personal data: shared with the police only where an information sharing protocol allows it." in page
    assert 'inputmode="decimal"' in page and 'id="use-my-location"' in page
    assert "OFFICIAL-SENSITIVE" in page
    # It happened now unless told otherwise.
    assert any(f'value="{moment:%Y-%m-%dT%H:}' in page for moment in (before, after))


@pytest.mark.parametrize("overrides, field, message", [
    ({"category": ""}, "category", "What is it about?: This field is required."),
    ({"occurred_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")}, "occurred_at",
     "When did it happen?: The date it happened is in the future."),
    ({"latitude": "-3.2270", "longitude": "54.1150"}, "latitude", "the latitude and longitude look swapped"),
    ({"latitude": "51.5014", "longitude": "-0.1419"}, "latitude", "outside every force area the hub serves"),
    ({"latitude": "", "longitude": ""}, "latitude", "Give the place: use your location, tap the map, or type its latitude and longitude."),
    ({"longitude": ""}, "longitude", "Give both latitude and longitude."),
    ({"latitude": "north"}, "latitude", "Latitude: Enter a number."),
    ({"description": ""}, "description", "What were you told?: This field is required."),
    ({"reporter_email": "not an email"}, "reporter_email", "Enter a valid email address."),
])
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_saved(partner_client, force_area, overrides, field, message):
    response = partner_client.post(URL, report(**overrides))
    assert response.status_code == 200
    summary = errors_in(response)
    assert message in summary
    assert f'href="#id_{field}"' in summary
    assert not Concern.objects.exists() and not AuditEvent.objects.filter(action="concern.reported").exists()


def test_submitting_the_same_report_twice_says_it_was_already_recorded_and_shows_it(partner_client, force_area):
    data = report()
    first = partner_client.post(URL, data)
    second = partner_client.post(URL, data, follow=True)
    concern = Concern.objects.get()
    assert first.url == reverse("partners:concern-detail", args=[concern.pk])
    assert second.redirect_chain[-1][0] == first.url
    page = second.content.decode()
    assert "This concern was already recorded on" in page and "nothing new was saved" in page
    assert AuditEvent.objects.filter(action="concern.reported").count() == 1


def test_a_user_of_two_partners_chooses_which_one_reports_it(partner_client, partner_user, housing, force_area):
    MembershipFactory(user=partner_user, organisation=housing, role=Role.PARTNER_USER)
    response = partner_client.post(URL, report())
    assert "Reporting organisation: This field is required." in errors_in(response)
    partner_client.post(URL, report(organisation=housing.pk))
    assert Concern.objects.get().organisation == housing


def test_a_partner_user_cannot_report_for_an_organisation_they_do_not_belong_to(partner_client, housing, force_area):
    response = partner_client.post(URL, report(organisation=housing.pk))
    assert "Reporting organisation: Select a valid choice." in errors_in(response)
    assert not Concern.objects.exists()


def test_the_police_read_concerns_but_do_not_report_them(officer_client, outsider_client, force_area):
    assert officer_client.get(URL).status_code == 403
    assert officer_client.post(URL, report()).status_code == 403
    assert outsider_client.get(URL).status_code == 403
    assert not Concern.objects.exists()


def test_an_administrator_of_a_partner_organisation_may_report(client, council, force_area):
    from tests.factories import UserFactory

    admin = UserFactory(username="council-admin")
    MembershipFactory(user=admin, organisation=council, role=Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.post(URL, report()).status_code == 302
    assert Concern.objects.get().organisation == council


def test_signing_in_is_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response.url
