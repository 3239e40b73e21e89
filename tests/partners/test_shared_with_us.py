"""The partner's "Shared with your organisation" page: records shared one-off with their organisation, linking to each
record, and the protocols in force that give it data; nothing shared with anyone else, nothing withheld shown."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement_hub.navigation import NAVIGATION
from sharing_protocols.shares import record_share
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, PriorityFactory
from tests.partners.concerns.conftest import share_concerns

pytestmark = pytest.mark.django_db
PAGE = "/partners/shared-with-us/"


def share(record, organisation, officer, *, personal: bool = False, reason: str = "Joint visit to the flats on Monday"):
    return record_share(record=record, organisation=organisation, reason=reason, expires_at=timezone.now() + timedelta(days=30),
                        includes_personal_data=personal, acting_user=officer)


def test_it_is_in_the_partners_navigation():
    assert any(item.url_name == "partners:shared-with-us" for item in NAVIGATION)


def test_records_shared_with_us_link_to_each_record_which_opens(partner_client, council, team, officer):
    priority = PriorityFactory(organisation=team)
    share(priority, council, officer)
    page = partner_client.get(PAGE).content.decode()
    url = reverse("crm:priority-detail", args=[priority.pk])
    assert url in page and "Joint visit to the flats on Monday" in page and team.name in page
    assert partner_client.get(url).status_code == 200


def test_protocols_giving_us_data_are_listed_with_their_clause_and_purpose(partner_client, partner_user, council):
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)
    page = partner_client.get(PAGE).content.decode()
    assert "Furness community safety ISP" in page and "Partner-reported concerns from Furness Housing" in page
    assert "clause 4.1" in page and "Collate partner-reported concerns" in page
    # A partner user who is not information governance cannot open the register: no link to it.
    assert reverse("sharing:protocol-list") not in page


def test_nothing_shared_with_another_organisation_is_listed(partner_client, team, officer):
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    share(PriorityFactory(organisation=team), housing, officer, reason="For the housing trust only")
    share_concerns(provider=OrganisationFactory(name="Barrow Fire", slug="fire", kind="fire"), recipient=housing, acting_user=officer)
    page = partner_client.get(PAGE).content.decode()
    assert "For the housing trust only" not in page and "Furness community safety ISP" not in page
    assert 'id="no-shared-records"' in page and 'id="no-protocols"' in page


def test_a_contact_shared_without_personal_details_shows_none_of_them(partner_client, council, team, officer):
    contact = ContactFactory(organisation=team, first_name="Deliberately", last_name="Unseen", email="unseen@example.org")
    share(contact, council, officer, personal=False)
    page = partner_client.get(PAGE).content.decode()
    assert reverse("crm:contact-detail", args=[contact.pk]) in page and "without personal details" in page
    assert "Deliberately" not in page and "Unseen" not in page and "unseen@example.org" not in page


def test_a_shared_concern_is_named_by_its_reference(partner_client, council, officer, force, partner_user):
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    from tests.factories import MembershipFactory, UserFactory
    from access.roles import Role

    housing_user = UserFactory(username="housing-user")
    MembershipFactory(user=housing_user, organisation=housing, role=Role.PARTNER_USER)
    concern = ConcernFactory(organisation=housing)
    share(concern, council, housing_user)
    assert concern.reference in partner_client.get(PAGE).content.decode()


def test_the_police_do_not_have_this_page(officer_client):
    assert officer_client.get(PAGE).status_code == 403


def test_a_bad_since_is_ignored(partner_client):
    assert partner_client.get(PAGE, {"since": "not a date"}).status_code == 200
