"""The register's list and the disclosure log take the same queries however many protocols or entries they show."""
import pytest
from django.urls import reverse

from tests.factories import ContactFactory
from tests.sharing_protocols.test_protocol_sign_off import governance

pytestmark = pytest.mark.django_db


def test_the_protocol_list_takes_the_same_queries_however_many_protocols(client, publish, force, council, django_assert_num_queries):
    client.force_login(governance("force-ig", force))
    publish(provider=force, recipient=council, reference="first")
    client.get(reverse("sharing:protocol-list"))
    # 1 session, 2 user, 3 roles, 4 the organisations the user governs (once per request), 5 the protocols
    # (with the lead, current and pending versions), 6 their versions, 7 the versions' parties, 8 their
    # organisations, 9 whether the user may draft.
    with django_assert_num_queries(9):
        client.get(reverse("sharing:protocol-list"))
    for n in range(4):
        publish(provider=force, recipient=council, reference=f"more-{n}")
    with django_assert_num_queries(9):
        response = client.get(reverse("sharing:protocol-list"))
    assert len(response.context["rows"]) == 5


def test_the_disclosure_log_takes_the_same_queries_however_many_reads(client, partner_user, publish, force, council, team,
                                                                      django_assert_num_queries):
    from django.test import Client

    partner_client = Client()
    partner_client.force_login(partner_user)
    publish(provider=force, recipient=council, categories=("contacts",))
    contacts = [ContactFactory(organisation=team) for _ in range(6)]
    partner_client.get(reverse("crm:contact-detail", args=[contacts[0].pk]))
    client.force_login(governance("force-ig", force))
    client.get(reverse("sharing:disclosure-log"))
    # 1 session, 2 user, 3 roles, 4 the organisations governed, 5 the count for the pages, 6 the entries
    # (the protocols' versions the user may read as a subquery), 7 the user's grant set (resolved once per
    # request), 8 the contacts among them the user may open, 9 protocol versions linked, 10 the last check of
    # the chain, 11-12 the filter's organisations and protocols.
    with django_assert_num_queries(12):
        client.get(reverse("sharing:disclosure-log"))
    for contact in contacts[1:]:
        partner_client.get(reverse("crm:contact-detail", args=[contact.pk]))
    with django_assert_num_queries(12):
        response = client.get(reverse("sharing:disclosure-log"))
    assert sum(1 for e in response.context["entries"] if e.action == "read") == 6
