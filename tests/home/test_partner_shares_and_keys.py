"""The partner's home page: what other organisations shared with them since they last looked (one-off shares and
protocol flows, opening the "Shared with your organisation" page) and their organisation's API keys about to expire."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from partners.api_keys import api_key_issue, api_key_revoke
from partners.models import PartnerApiKey
from sharing_protocols.shares import record_share
from tests.factories import (
    ContactFactory, MembershipFactory, OrganisationFactory, PriorityFactory, UserFactory,
)
from tests.partners.concerns.conftest import share_concerns

pytestmark = pytest.mark.django_db


def queue(client) -> dict[str, dict]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item["kind"]: item for item in response.context["waiting"]}


def share(record, organisation, officer, days: int = 30, personal: bool = False):
    return record_share(record=record, organisation=organisation, reason="Joint visit to the flats on Monday",
                        expires_at=timezone.now() + timedelta(days=days), includes_personal_data=personal, acting_user=officer)


def key_expiring_in(council, partner_user, delta: timedelta, name: str = "Case system") -> PartnerApiKey:
    key, _ = api_key_issue(organisation=council, name=name, acting_user=partner_user)
    PartnerApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + delta)
    return key


def test_keys_expiring_within_30_days_are_counted_and_open_the_keys_page(partner_client, partner_user, council):
    key_expiring_in(council, partner_user, timedelta(days=10), "Soon")
    key_expiring_in(council, partner_user, -timedelta(days=2), "Just expired")
    key_expiring_in(council, partner_user, timedelta(days=200), "Later")
    key_expiring_in(council, partner_user, -timedelta(days=90), "Long gone")
    api_key_revoke(key=key_expiring_in(council, partner_user, timedelta(days=5), "Revoked"), acting_user=partner_user)
    item = queue(partner_client)["keys-expiring"]
    assert item["count"] == 2 and item["url"] == reverse("partners:api-key-list")
    page = partner_client.get(item["url"]).content.decode()
    assert "Expires soon" in page and "Expired" in page


def test_another_organisations_expiring_keys_are_not_counted(partner_client, partner_user):
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    colleague = UserFactory(username="housing-user")
    MembershipFactory(user=colleague, organisation=housing, role=Role.PARTNER_USER)
    key_expiring_in(housing, colleague, timedelta(days=3))
    assert "keys-expiring" not in queue(partner_client)


def test_shares_granted_since_i_last_looked_are_counted_until_i_look(partner_client, partner_user, council, team, officer):
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    share(PriorityFactory(organisation=team), council, officer)
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)  # a protocol flow to the council
    item = queue(partner_client)["shares-granted"]
    assert item["count"] == 2
    response = partner_client.get(item["url"])
    assert response.status_code == 302 and response.url.startswith(reverse("partners:shared-with-us"))
    assert "shares-granted" not in queue(partner_client)
    share(ContactFactory(organisation=team), council, officer)
    item = queue(partner_client)["shares-granted"]
    assert item["count"] == 1
    # The link carries when I last looked, so the page marks what is new since.
    page = partner_client.get(item["url"], follow=True).content.decode()
    assert page.count("govuk-tag--blue\">New<") == 1


def test_shares_with_other_organisations_and_expired_shares_are_not_counted(partner_client, council, team, officer):
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    share(PriorityFactory(organisation=team), housing, officer)
    expired = share(PriorityFactory(organisation=team), council, officer)
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "shares-granted" not in queue(partner_client)


def test_the_partners_home_counts_shares_and_keys_in_the_same_queries_however_many(partner_client, partner_user, council, team, officer,
                                                                                    django_assert_num_queries):
    partner_client.get(reverse("home"))
    with django_assert_num_queries(15) as first:  # as pinned in test_home.py's partner test, with nothing to count
        partner_client.get(reverse("home"))
    housing = OrganisationFactory(name="Furness Housing", slug="furness-housing", kind="housing")
    share_concerns(provider=housing, recipient=council, acting_user=partner_user)
    for n in range(3):
        share(PriorityFactory(organisation=team), council, officer)
        key_expiring_in(council, partner_user, timedelta(days=n + 1), f"Key {n}")
    with django_assert_num_queries(len(first.captured_queries)):
        page = partner_client.get(reverse("home"))
    counts = {item["kind"]: item["count"] for item in page.context["waiting"]}
    assert counts["shares-granted"] == 4 and counts["keys-expiring"] == 3
